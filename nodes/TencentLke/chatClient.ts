import { AgentChatError, asAgentChatError, httpStatusError } from '../shared/errors';
import { parseRetryAfterMs } from '../shared/retry';
import { runStreamedTurn, type TurnAggregator, type TurnOptions } from '../shared/streamedTurn';
import { headerValue, readBodyText, withHttpExchange, type HttpExchange } from '../shared/transport';
import { LkeTurnAggregator } from './chatAggregator';
import { AdpV2TurnAggregator } from './chatAggregatorV2';
import type { LkeChatRequest } from './chatRequest';
import type { LkeTurnResult } from './chatResult';
import { TRANSIENT_MAX_RETRIES, incompleteStreamError, retriesAtMostOnce, unexpectedChatBody } from './errors';
import { readAdpV2Events, readLkeEvents, type LkeContentHint, type ParsedEvent } from './stream';

/** One LKE dialog turn over SSE, v1 or v2: the request sent, its stream read into the version's aggregator. */

/** After the final reply the server normally closes at once; this much silence also ends the turn. */
export const AFTER_FINAL_GRACE_MS = 3_000;
const ERROR_BODY_MAX_BYTES = 64 * 1024;

export type LkeTurnOptions = TurnOptions;

/** What the client needs of a version's aggregator. */
interface DialogAggregator<Event> extends TurnAggregator<LkeTurnResult> {
	/** The answer is complete (v1: the final reply; v2: response.completed). */
	readonly isFinal: boolean;
	/** The stream said it is over (v2's `[DONE]`). */
	readonly ended?: boolean;
	accept(event: Event, hint?: LkeContentHint): string;
	partial(): LkeTurnResult;
}

/** How one API version's stream is read. */
interface Dialect<Event> {
	aggregator(): DialogAggregator<Event>;
	events(body: AsyncIterable<Uint8Array>): AsyncIterable<ParsedEvent<Event>>;
	/** What a stream that ends too early lacks, for the error. */
	missing: string;
}

function dialectFor(request: LkeChatRequest, live: boolean): Dialect<unknown> {
	const requested = { sessionId: request.sessionId, requestId: request.requestId, includeDebug: request.includeDebug };
	if (request.apiVersion === 'v2') {
		return {
			aggregator: () => new AdpV2TurnAggregator({ ...requested, live }),
			events: readAdpV2Events,
			missing: 'response.completed',
		} as Dialect<unknown>;
	}
	return {
		aggregator: () => new LkeTurnAggregator(request.incremental, requested),
		events: readLkeEvents,
		missing: 'the reply marked is_final',
	} as Dialect<unknown>;
}

export async function runLkeChatTurn(request: LkeChatRequest, options: LkeTurnOptions = {}): Promise<LkeTurnResult> {
	const payload = JSON.stringify(request.body);
	const dialect = dialectFor(request, options.onReplyDelta !== undefined);
	let attempts = 0;
	return await runStreamedTurn(
		{
			maxRetries: request.maxRetries,
			timeoutMs: request.timeoutMs,
			aggregator: () => dialect.aggregator(),
			attempt: async (aggregator, budgetMs) => {
				attempts++;
				try {
					return await runAttempt(request, payload, dialect, aggregator, budgetMs, options);
				} catch (error) {
					const failure = asAgentChatError(error);
					// Timeouts and internal failures get one more attempt, not Max Retries.
					if (attempts > TRANSIENT_MAX_RETRIES && (retriesAtMostOnce(failure) || failure.httpStatus === 500)) failure.retryable = false;
					throw failure;
				}
			},
		},
		options,
	);
}

/** Every 5xx is worth another attempt (500 once, see above); 429 too. */
function chatHttpError(status: number, body: string, retryAfter: string | undefined): AgentChatError {
	const error = httpStatusError('Tencent LKE', status, body, parseRetryAfterMs(retryAfter));
	if (status >= 500) error.retryable = true;
	return error;
}

async function runAttempt<Event>(
	request: LkeChatRequest,
	payload: string,
	dialect: Dialect<Event>,
	aggregator: DialogAggregator<Event>,
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
			throw chatHttpError(exchange.statusCode, body, headerValue(exchange.headers, 'retry-after'));
		}
		const contentType = headerValue(exchange.headers, 'content-type') ?? '';
		if (!contentType.includes('text/event-stream')) {
			throw unexpectedChatBody(contentType, await readBodyText(exchange, ERROR_BODY_MAX_BYTES));
		}
		await consumeStream(exchange, dialect, aggregator, options);
		if (!aggregator.isFinal) throw incompleteStreamError(!aggregator.hasContent, dialect.missing);
		return aggregator.result();
	});
}

async function consumeStream<Event>(
	exchange: HttpExchange,
	dialect: Dialect<Event>,
	aggregator: DialogAggregator<Event>,
	options: LkeTurnOptions,
): Promise<void> {
	const events = dialect.events(exchange.body as AsyncIterable<Uint8Array>)[Symbol.asyncIterator]();
	try {
		for (;;) {
			let next: IteratorResult<ParsedEvent<Event>>;
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
			if (aggregator.ended) return;
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
