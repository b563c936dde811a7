import { AgentChatError, asAgentChatError } from '../shared/errors';
import { httpStatusError } from '../shared/httpErrors';
import { nextWaitMs, sleep } from '../shared/retry';
import { readSseEvents, type SseEvent } from '../shared/sseReader';
import { headerValue, readBodyText, sendHttpRequest, type HttpExchange } from '../shared/transport';
import type { LkeChatRequest } from './lkeChatRequest';
import { LkeTurnAggregator, lkeErrorFromEvent, parseLkeEvent, type LkeTurnResult } from './lkeEventAggregator';

/** One LKE dialog turn over SSE: request, stream, aggregation and retries. */

/** After the final reply the server normally closes at once; this much silence also ends the turn. */
export const AFTER_FINAL_GRACE_MS = 3_000;

export interface LkeTurnOptions {
	signal?: AbortSignal;
	/** Called with each new piece of the reply text, in order (deltas even in cumulative mode). */
	onReplyDelta?: (delta: string) => void;
	/** Called before each retry; for logs. */
	onRetry?: (info: { attempt: number; waitMs: number; code: string | number }) => void;
	random?: () => number;
}

export async function runLkeChatTurn(request: LkeChatRequest, options: LkeTurnOptions = {}): Promise<LkeTurnResult> {
	const deadline = Date.now() + request.timeoutMs;
	const payload = JSON.stringify(request.body);
	for (let attempt = 0; ; attempt++) {
		const aggregator = new LkeTurnAggregator(request.incremental, {
			sessionId: request.sessionId,
			requestId: request.requestId,
		});
		try {
			return await runAttempt(request, payload, aggregator, Math.max(1, deadline - Date.now()), options);
		} catch (error) {
			const failure = asAgentChatError(error);
			failure.partial = { ...aggregator.result(), isFinal: false };
			const mayRetry =
				failure.retryable &&
				!aggregator.hasBotContent &&
				attempt < request.maxRetries &&
				!options.signal?.aborted;
			if (!mayRetry) throw failure;
			const waitMs = nextWaitMs(attempt, failure.retryAfterMs, options.random);
			if (Date.now() + waitMs >= deadline) throw failure;
			options.onRetry?.({ attempt: attempt + 1, waitMs, code: failure.code });
			try {
				await sleep(waitMs, options.signal);
			} catch {
				throw failure;
			}
		}
	}
}

async function runAttempt(
	request: LkeChatRequest,
	payload: string,
	aggregator: LkeTurnAggregator,
	budgetMs: number,
	options: LkeTurnOptions,
): Promise<LkeTurnResult> {
	const exchange = await sendHttpRequest({
		url: request.url,
		method: 'POST',
		headers: { 'content-type': 'application/json', accept: 'text/event-stream' },
		body: payload,
		idleTimeoutMs: request.idleTimeoutMs,
		totalTimeoutMs: budgetMs,
		signal: options.signal,
	});
	try {
		if (exchange.statusCode !== 200) {
			throw httpStatusError('Tencent LKE', exchange.statusCode, await readBodyText(exchange, 64 * 1024), headerValue(exchange.headers, 'retry-after'));
		}
		const contentType = headerValue(exchange.headers, 'content-type') ?? '';
		if (!contentType.includes('text/event-stream')) {
			throw unexpectedBody(contentType, await readBodyText(exchange, 64 * 1024));
		}
		await consumeStream(exchange, aggregator, options);
		if (!aggregator.isFinal) {
			throw new AgentChatError('The Tencent LKE stream ended before the final reply: the answer is incomplete', {
				kind: 'protocol',
				code: 'INCOMPLETE_STREAM',
				description: 'The server closed the connection without sending the reply marked is_final. What arrived is kept on the item under "Continue On Fail".',
				retryable: !aggregator.hasBotContent,
			});
		}
		return aggregator.result();
	} finally {
		exchange.finish();
		if (!exchange.body.destroyed) exchange.body.destroy();
	}
}

async function consumeStream(exchange: HttpExchange, aggregator: LkeTurnAggregator, options: LkeTurnOptions): Promise<void> {
	const events = readSseEvents(exchange.body as AsyncIterable<Uint8Array>)[Symbol.asyncIterator]();
	try {
		for (;;) {
			let next: IteratorResult<SseEvent>;
			try {
				next = aggregator.isFinal ? await nextWithin(events, AFTER_FINAL_GRACE_MS) : await events.next();
			} catch (error) {
				// Once the final reply is in, a broken or silent connection costs nothing.
				if (aggregator.isFinal) return;
				throw exchange.classify(error);
			}
			if (next.done) return;
			const event = parseLkeEvent(next.value);
			if (!event) continue;
			const delta = aggregator.accept(event);
			if (delta && options.onReplyDelta) options.onReplyDelta(delta);
		}
	} finally {
		// Destroying the body first ends a read still pending from the grace wait, so return() cannot hang.
		if (!exchange.body.destroyed) exchange.body.destroy();
		await events.return?.(undefined).catch(() => undefined);
	}
}

const GRACE_EXPIRED = Symbol('grace expired');

async function nextWithin<T>(iterator: AsyncIterator<T>, ms: number): Promise<IteratorResult<T>> {
	let timer: NodeJS.Timeout | undefined;
	const expired = new Promise<typeof GRACE_EXPIRED>((resolve) => {
		timer = setTimeout(() => resolve(GRACE_EXPIRED), ms);
	});
	try {
		const winner = await Promise.race([iterator.next(), expired]);
		return winner === GRACE_EXPIRED ? { done: true, value: undefined } : winner;
	} finally {
		clearTimeout(timer);
	}
}

/** A 200 that is not an event stream: LKE answers some request errors as plain JSON. */
function unexpectedBody(contentType: string, body: string): AgentChatError {
	try {
		const parsed = JSON.parse(body) as { code?: unknown; msg?: unknown; message?: unknown; error?: { code?: unknown; message?: unknown } };
		const error = parsed.error ?? parsed;
		if (error && error.code !== undefined && Number(error.code) !== 0) {
			return lkeErrorFromEvent({ code: error.code as number, message: String((error as { msg?: unknown }).msg ?? error.message ?? '') });
		}
	} catch {
		// not JSON: reported below
	}
	return new AgentChatError(
		`Tencent LKE answered with ${contentType || 'no content type'} instead of an event stream`,
		{ kind: 'protocol', code: 'UNEXPECTED_CONTENT_TYPE', description: body.slice(0, 500) || 'The body was empty.' },
	);
}
