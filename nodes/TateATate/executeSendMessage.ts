import type {
	ICredentialDataDecryptedObject,
	IDataObject,
	IExecuteFunctions,
	INodeCredentialTestResult,
	INodeExecutionData,
} from 'n8n-workflow';
import { AgentChatError, asAgentChatError, inputError, redactSecrets } from '../shared/errors';
import { outcomesToItems, readConcurrency, runPerItem } from '../shared/itemRunner';
import { liveStreamFor } from '../shared/liveStream';
import { withRetries } from '../shared/retry';
import { SseFormatError, readSseEvents } from '../shared/sseReader';
import { headerValue, readBodyText, sendHttpRequest, type HttpExchange } from '../shared/transport';
import { checkBaseUrl, checkIntegerOption } from '../shared/validation';
import { buildTateAuthorization } from './tateAuthorization';
import { TateStreamAggregator, isTateMessageEvent, looksLikeEventStream, parseTateJsonAnswer, tateHttpError } from './tateResponse';

/** Send Message: one message to a tate-a-tate agent per input item, sync or streamed. */

export const TATE_SEND_PATH = '/admin/v1/msg/send';
export const DEFAULT_TATE_BASE_URL = 'https://chat.tate-a-tate.com/im';
export const DEFAULT_TATE_TIMEOUT_MS = 5 * 60_000;
export const DEFAULT_TATE_MAX_RETRIES = 2;
const USER_ACTIONS = ['new', 'edit', 'retry'];
const REQ_MODELS = ['sync', 'stream'];
const ANSWER_MAX_BYTES = 16 * 1024 * 1024;

export interface TateSendInput {
	botId: unknown;
	msg: unknown;
	conversationId: unknown;
	parentMsgId: unknown;
	userAction: unknown;
	reqModel: unknown;
	options?: { timeout?: unknown; maxRetries?: unknown };
}

export interface TateSendRequest {
	url: string;
	botId: string;
	secretKey: string;
	/** The exact JSON body (the same for every attempt). */
	body: string;
	stream: boolean;
	timeoutMs: number;
	maxRetries: number;
}

/** Values of a tate-a-tate credential that must never appear in an output, an error or a log. */
export function tateSecrets(credentials: ICredentialDataDecryptedObject): string[] {
	const key = typeof credentials.secretKey === 'string' ? credentials.secretKey : '';
	return key.trim() ? [key, key.trim()] : [];
}

function textParameter(value: unknown, field: string): string {
	if (value === undefined || value === null) return '';
	if (typeof value === 'string') return value;
	if (typeof value === 'number' || typeof value === 'bigint') return String(value);
	throw inputError(field, `must be text, got ${Array.isArray(value) ? 'a list' : typeof value}`);
}

/** Checks the parameters and builds the request (pure); input errors are thrown before anything is sent. */
export function buildTateSendRequest(input: TateSendInput, credentials: ICredentialDataDecryptedObject): TateSendRequest {
	const botId = textParameter(input.botId, 'botId').trim();
	if (botId === '') throw inputError('botId', 'is required: the agent\'s unique ID from its API publishing page');
	const msg = textParameter(input.msg, 'msg');
	if (msg.trim() === '') throw inputError('msg', 'must not be empty (the default reads $json.chatInput)');
	const userAction = textParameter(input.userAction, 'userAction') || 'new';
	if (!USER_ACTIONS.includes(userAction)) throw inputError('userAction', 'must be new, edit or retry');
	const reqModel = textParameter(input.reqModel, 'reqModel') || 'sync';
	if (!REQ_MODELS.includes(reqModel)) throw inputError('reqModel', 'must be sync or stream');
	const parentMsgId = textParameter(input.parentMsgId, 'parentMsgId').trim() || '0';
	if (!/^\d{1,64}$/.test(parentMsgId)) {
		throw inputError('parentMsgId', `must be a message ID made of digits, or 0 for a new message (got ${JSON.stringify(parentMsgId.slice(0, 80))})`);
	}
	if (userAction !== 'new' && /^0+$/.test(parentMsgId)) {
		throw inputError(
			'parentMsgId',
			userAction === 'edit'
				? 'must not be 0 when User Action is edit: give the ID of the message being edited'
				: 'must not be 0 when User Action is retry: give the ID of the message to regenerate',
		);
	}
	const conversationId = textParameter(input.conversationId, 'conversationId').trim();
	if (conversationId.length > 256) throw inputError('conversationId', 'must be at most 256 characters');

	const secretKey = typeof credentials.secretKey === 'string' ? credentials.secretKey.trim() : '';
	if (secretKey === '') throw inputError('secretKey', 'the tate-a-tate credential has no Secret Key');
	const baseUrl = checkBaseUrl(credentials.baseUrl || DEFAULT_TATE_BASE_URL, 'baseUrl');
	const options = input.options ?? {};

	return {
		url: baseUrl + TATE_SEND_PATH,
		botId,
		secretKey,
		body: JSON.stringify({ conversationId, msg, msgType: 1, parentMsgId, reqModel, userAction }),
		stream: reqModel === 'stream',
		timeoutMs: checkIntegerOption(options.timeout ?? DEFAULT_TATE_TIMEOUT_MS, 'options.timeout', 1, 24 * 3_600_000),
		maxRetries: checkIntegerOption(options.maxRetries ?? DEFAULT_TATE_MAX_RETRIES, 'options.maxRetries', 0, 10),
	};
}

export interface TateSendOptions {
	signal?: AbortSignal;
	/** Each Authorization value sent, so it can be masked like the secret key. */
	onAuthorization?: (authorization: string) => void;
	/** New pieces of the reply, in order (stream mode). */
	onReplyDelta?: (delta: string) => void;
	onRetry?: (info: { attempt: number; waitMs: number; code: string | number }) => void;
	random?: () => number;
	/** Milliseconds since the epoch, read for every attempt's Authorization. */
	now?: () => number;
}

/**
 * Sends the message, retrying refused or reset connections and HTTP 429/502/503/504 while no reply
 * text has arrived. The Authorization is rebuilt from the current time for every attempt.
 */
export async function sendTateMessage(request: TateSendRequest, options: TateSendOptions = {}): Promise<IDataObject> {
	return await withRetries({ ...options, maxRetries: request.maxRetries, timeoutMs: request.timeoutMs }, async (budgetMs) => {
		const aggregator = new TateStreamAggregator();
		try {
			return await attemptOnce(request, aggregator, budgetMs, options);
		} catch (error) {
			const failure = asAgentChatError(error);
			failure.partial = aggregator.partial();
			if (aggregator.hasContent) failure.retryable = false;
			throw failure;
		}
	});
}

async function attemptOnce(
	request: TateSendRequest,
	aggregator: TateStreamAggregator,
	budgetMs: number,
	options: TateSendOptions,
): Promise<IDataObject> {
	const authorization = buildTateAuthorization(request.secretKey, (options.now ?? Date.now)());
	options.onAuthorization?.(authorization);
	const exchange = await sendHttpRequest({
		url: request.url,
		method: 'POST',
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
	});
	try {
		if (exchange.statusCode < 200 || exchange.statusCode >= 300) {
			throw tateHttpError(exchange.statusCode, await readBodyText(exchange, 64 * 1024), headerValue(exchange.headers, 'retry-after'));
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
	} finally {
		exchange.finish();
		if (!exchange.body.destroyed) exchange.body.destroy();
	}
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
	if (!aggregator.isFinal) {
		throw new AgentChatError('The tate-a-tate stream ended before the final message (isFinal 1): the answer is incomplete', {
			kind: 'protocol',
			code: 'INCOMPLETE_STREAM',
			description: 'The server closed the stream without a line marked isFinal 1. What arrived is kept on the item under "Continue On Fail".',
			retryable: !aggregator.hasContent,
		});
	}
	return aggregator.result();
}

export async function executeSendMessage(context: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	const credentials: ICredentialDataDecryptedObject = await context.getCredentials('tateATateApi');
	// Mutable on purpose: each attempt's Authorization value joins the masked values.
	const secrets = tateSecrets(credentials);
	const signal = context.getExecutionCancelSignal?.();
	const live = liveStreamFor(context);

	const outcomes = await runPerItem(context, {
		concurrency: readConcurrency(context, secrets),
		secrets,
		work: async (itemIndex) => {
			const request = buildTateSendRequest(
				{
					botId: context.getNodeParameter('botId', itemIndex, ''),
					msg: context.getNodeParameter('msg', itemIndex, ''),
					conversationId: context.getNodeParameter('conversationId', itemIndex, ''),
					parentMsgId: context.getNodeParameter('parentMsgId', itemIndex, '0'),
					userAction: context.getNodeParameter('userAction', itemIndex, 'new'),
					reqModel: context.getNodeParameter('reqModel', itemIndex, 'sync'),
					options: context.getNodeParameter('options', itemIndex, {}) as IDataObject,
				},
				credentials,
			);
			live?.begin(itemIndex);
			try {
				return await sendTateMessage(request, {
					signal,
					onAuthorization: (authorization) => secrets.push(authorization),
					onReplyDelta: live ? (delta) => live.item(itemIndex, delta) : undefined,
					onRetry: ({ attempt, waitMs, code }) =>
						context.logger.info(`tate-a-tate: retry ${attempt} of item ${itemIndex} in ${waitMs} ms after ${code}`),
				});
			} finally {
				live?.end(itemIndex);
			}
		},
	});

	return [outcomesToItems(outcomes)];
}

/**
 * The credential's Test button. Sending a message would cost tokens, so it sends a request without
 * a bot_id header and with an empty body: HTTP 401 means the secret key (or the clock) was refused;
 * any other answer means the Authorization got through.
 */
export async function testTateCredential(data: ICredentialDataDecryptedObject): Promise<INodeCredentialTestResult> {
	const secrets = tateSecrets(data);
	const secretKey = typeof data.secretKey === 'string' ? data.secretKey.trim() : '';
	if (secretKey === '') return { status: 'Error', message: 'The Secret Key is empty' };
	try {
		const url = checkBaseUrl(data.baseUrl || DEFAULT_TATE_BASE_URL, 'baseUrl') + TATE_SEND_PATH;
		const authorization = buildTateAuthorization(secretKey);
		secrets.push(authorization);
		const exchange = await sendHttpRequest({
			url,
			method: 'POST',
			headers: { Authorization: authorization, 'content-type': 'application/json', accept: 'application/json' },
			body: '{}',
			idleTimeoutMs: 20_000,
			totalTimeoutMs: 20_000,
		});
		let body = '';
		try {
			body = await readBodyText(exchange, 64 * 1024);
		} finally {
			exchange.finish();
		}
		if (exchange.statusCode === 401 || exchange.statusCode === 403) {
			const failure = tateHttpError(exchange.statusCode, body);
			const text = failure.description ? `${failure.message}. ${failure.description}` : failure.message;
			return { status: 'Error', message: redactSecrets(text, secrets) };
		}
		return { status: 'OK', message: 'The secret key was accepted' };
	} catch (error) {
		const failure = asAgentChatError(error);
		return { status: 'Error', message: redactSecrets(failure.message, secrets) };
	}
}
