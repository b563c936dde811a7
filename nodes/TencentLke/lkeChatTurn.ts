import { AgentChatError, asAgentChatError } from '../shared/errors';
import { httpStatusError } from '../shared/httpErrors';
import { withRetries } from '../shared/retry';
import { readRawSseEvents, type RawSseEvent } from '../shared/sseByteReader';
import { headerValue, readBodyText, sendHttpRequest, type HttpExchange } from '../shared/transport';
import type { LkeChatRequest } from './lkeChatRequest';
import { LkeEventReader, LkeTurnAggregator, lkeErrorFromEvent, type LkeTurnResult } from './lkeEventAggregator';

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
	const payload = JSON.stringify(request.body);
	const policy = { ...options, maxRetries: request.maxRetries, timeoutMs: request.timeoutMs };
	return await withRetries(policy, async (budgetMs) => {
		const aggregator = new LkeTurnAggregator(request.incremental, {
			sessionId: request.sessionId,
			requestId: request.requestId,
		});
		try {
			return await runAttempt(request, payload, aggregator, budgetMs, options);
		} catch (error) {
			const failure = asAgentChatError(error);
			failure.partial = { ...aggregator.result(), isFinal: false };
			// Sending again after part of the answer arrived could duplicate or lose text.
			if (aggregator.hasBotContent) failure.retryable = false;
			throw failure;
		}
	});
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
	// Events stay bytes until read: long cumulative replies are parsed only where they are new.
	const reader = new LkeEventReader();
	const events = readRawSseEvents(exchange.body as AsyncIterable<Uint8Array>, undefined, reader.repeats)[Symbol.asyncIterator]();
	try {
		for (;;) {
			let next: IteratorResult<RawSseEvent>;
			try {
				next = aggregator.isFinal ? await nextWithin(events, AFTER_FINAL_GRACE_MS) : await events.next();
			} catch (error) {
				// Once the final reply is in, a broken or silent connection costs nothing.
				if (aggregator.isFinal) return;
				throw exchange.classify(error);
			}
			if (next.done) return;
			const parsed = reader.read(next.value);
			if (!parsed) continue;
			const delta = aggregator.accept(parsed.event, parsed.hint);
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
