import type { IDataObject } from 'n8n-workflow';
import { AgentChatError } from '../shared/errors';
import { SseFormatError, readSseEvents } from '../shared/sse';
import { runStreamedTurn, type TurnOptions } from '../shared/streamedTurn';
import { headerValue, readBodyText, withHttpExchange, type HttpExchange } from '../shared/transport';
import { buildTateAuthorization } from './authorization';
import { incompleteStreamError, tateHttpError } from './errors';
import { parseTateJsonAnswer } from './response';
import type { TateSendRequest } from './sendRequest';
import { TateStreamAggregator, isTateMessageEvent, looksLikeEventStream } from './streamAggregator';

/** Send Message over HTTP: sync answers and streams alike, as one streamed turn. */

const ANSWER_MAX_BYTES = 16 * 1024 * 1024;
const ERROR_BODY_MAX_BYTES = 64 * 1024;

export interface TateSendOptions extends TurnOptions {
	/** Each Authorization value sent, so it can be masked like the secret key. */
	onAuthorization?: (authorization: string) => void;
	/** Milliseconds since the epoch, read for every attempt's Authorization. */
	now?: () => number;
}

/**
 * Sends the message, retrying refused or reset connections and HTTP 429/502/503/504 while no reply
 * text has arrived. The Authorization is rebuilt from the current time for every attempt.
 */
export async function sendTateMessage(request: TateSendRequest, options: TateSendOptions = {}): Promise<IDataObject> {
	return await runStreamedTurn(
		{
			maxRetries: request.maxRetries,
			timeoutMs: request.timeoutMs,
			aggregator: () => new TateStreamAggregator(),
			attempt: async (aggregator, budgetMs) => await attemptOnce(request, aggregator, budgetMs, options),
		},
		options,
	);
}

async function attemptOnce(
	request: TateSendRequest,
	aggregator: TateStreamAggregator,
	budgetMs: number,
	options: TateSendOptions,
): Promise<IDataObject> {
	const authorization = buildTateAuthorization(request.secretKey, (options.now ?? Date.now)());
	options.onAuthorization?.(authorization);
	const exchangeOptions = {
		url: request.url,
		method: 'POST' as const,
		headers: {
			Authorization: authorization,
			bot_id: request.botId,
			'content-type': 'application/json',
			accept: request.stream ? 'text/event-stream, application/json' : 'application/json',
		},
		body: request.body,
		idleTimeoutMs: budgetMs,
		totalTimeoutMs: budgetMs,
		signal: options.signal,
	};
	return await withHttpExchange(exchangeOptions, async (exchange) => {
		if (exchange.statusCode < 200 || exchange.statusCode >= 300) {
			throw tateHttpError(exchange.statusCode, await readBodyText(exchange, ERROR_BODY_MAX_BYTES), headerValue(exchange.headers, 'retry-after'));
		}
		const contentType = headerValue(exchange.headers, 'content-type') ?? '';
		if (contentType.includes('text/event-stream')) {
			await consumeStream(exchange.body as AsyncIterable<Uint8Array>, aggregator, options, exchange);
			return finalResult(aggregator);
		}
		const body = await readBodyText(exchange, ANSWER_MAX_BYTES);
		if (looksLikeEventStream(body)) {
			await consumeStream(oneChunk(Buffer.from(body, 'utf8')), aggregator, options);
			return finalResult(aggregator);
		}
		// A plain JSON answer (sync mode, or a server that answers a stream request at once).
		const result = parseTateJsonAnswer(body);
		if (typeof result.reply === 'string' && result.reply) options.onReplyDelta?.(result.reply);
		return result;
	});
}

async function consumeStream(
	chunks: AsyncIterable<Uint8Array>,
	aggregator: TateStreamAggregator,
	options: TateSendOptions,
	exchange?: HttpExchange,
): Promise<void> {
	try {
		for await (const event of readSseEvents(chunks)) {
			if (!isTateMessageEvent(event)) continue;
			const delta = aggregator.accept(event.data);
			if (delta) options.onReplyDelta?.(delta);
			// The final line ends the answer even if the server keeps the connection open.
			if (aggregator.isFinal) return;
		}
	} catch (error) {
		if (error instanceof AgentChatError || error instanceof SseFormatError || !exchange) throw error;
		throw exchange.classify(error);
	}
}

async function* oneChunk(chunk: Uint8Array): AsyncGenerator<Uint8Array> {
	yield chunk;
}

function finalResult(aggregator: TateStreamAggregator): IDataObject {
	if (!aggregator.isFinal) throw incompleteStreamError(!aggregator.hasContent);
	return aggregator.result();
}
