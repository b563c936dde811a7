import { AgentChatError, httpStatusError } from '../shared/errors';
import { parseRetryAfterMs } from '../shared/retry';
import { runStreamedTurn, type TurnOptions } from '../shared/streamedTurn';
import { headerValue, readBodyText, withHttpExchange, type HttpExchange } from '../shared/transport';
import { LkeTurnAggregator, type LkeTurnResult } from './chatAggregator';
import type { LkeChatRequest } from './chatRequest';
import { incompleteStreamError, unexpectedChatBody } from './errors';
import { readLkeEvents, type ParsedLkeEvent } from './stream';

/** One LKE dialog turn over SSE: the request sent, its stream read into the aggregator. */

/** After the final reply the server normally closes at once; this much silence also ends the turn. */
export const AFTER_FINAL_GRACE_MS = 3_000;
const ERROR_BODY_MAX_BYTES = 64 * 1024;

export type LkeTurnOptions = TurnOptions;

export async function runLkeChatTurn(request: LkeChatRequest, options: LkeTurnOptions = {}): Promise<LkeTurnResult> {
	const payload = JSON.stringify(request.body);
	return await runStreamedTurn(
		{
			maxRetries: request.maxRetries,
			timeoutMs: request.timeoutMs,
			aggregator: () => new LkeTurnAggregator(request.incremental, { sessionId: request.sessionId, requestId: request.requestId }),
			attempt: async (aggregator, budgetMs) => await runAttempt(request, payload, aggregator, budgetMs, options),
		},
		options,
	);
}

async function runAttempt(
	request: LkeChatRequest,
	payload: string,
	aggregator: LkeTurnAggregator,
	budgetMs: number,
	options: LkeTurnOptions,
): Promise<LkeTurnResult> {
	const exchangeOptions = {
		url: request.url,
		method: 'POST' as const,
		headers: { 'content-type': 'application/json', accept: 'text/event-stream' },
		body: payload,
		idleTimeoutMs: request.idleTimeoutMs,
		totalTimeoutMs: budgetMs,
		signal: options.signal,
	};
	return await withHttpExchange(exchangeOptions, async (exchange) => {
		if (exchange.statusCode !== 200) {
			const body = await readBodyText(exchange, ERROR_BODY_MAX_BYTES);
			throw httpStatusError('Tencent LKE', exchange.statusCode, body, parseRetryAfterMs(headerValue(exchange.headers, 'retry-after')));
		}
		const contentType = headerValue(exchange.headers, 'content-type') ?? '';
		if (!contentType.includes('text/event-stream')) {
			throw unexpectedChatBody(contentType, await readBodyText(exchange, ERROR_BODY_MAX_BYTES));
		}
		await consumeStream(exchange, aggregator, options);
		if (!aggregator.isFinal) throw incompleteStreamError(!aggregator.hasContent);
		return aggregator.result();
	});
}

async function consumeStream(exchange: HttpExchange, aggregator: LkeTurnAggregator, options: LkeTurnOptions): Promise<void> {
	const events = readLkeEvents(exchange.body as AsyncIterable<Uint8Array>)[Symbol.asyncIterator]();
	try {
		for (;;) {
			let next: IteratorResult<ParsedLkeEvent>;
			try {
				next = aggregator.isFinal ? await nextWithin(events, AFTER_FINAL_GRACE_MS) : await events.next();
			} catch (error) {
				// An event that is not valid JSON fails the turn, even after the final reply.
				if (error instanceof AgentChatError) throw error;
				// Once the final reply is in, a broken or silent connection costs nothing.
				if (aggregator.isFinal) return;
				throw exchange.classify(error);
			}
			if (next.done) return;
			const delta = aggregator.accept(next.value.event, next.value.hint);
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
