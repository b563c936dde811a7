import { AgentChatError, asAgentChatError } from '../shared/errors';
import { SseFormatError } from '../shared/sse';
import { runStreamedTurn, type TurnOptions } from '../shared/streamedTurn';
import { headerValue, readBodyText, withHttpExchange } from '../shared/transport';
import { AiskAskAggregator, type AiskAnswer } from './askAggregator';
import { initCall, promptSessionKey, promptTokenCall, streamCall, type AiskAskRequest } from './askRequest';
import { readAiskStream } from './askStream';
import { requestJsonOnce } from './client';
import { aiskErrorFromResponse, aiskErrorFromStatus } from './errors';
import { SharedLoads, promptTokenFrom, promptTokenLoads, type PromptToken } from './promptTokenCache';

/**
 * One question to an AiSK chatbot as a streamed turn: the prompt token and the chatbot's knowledge
 * bases come from the execution's shared session (fetched once per chatbot and citation setting),
 * then the question is streamed. A prompt token the server refuses (401) is renewed once per
 * attempt; the turn's retries cover busy answers and throttling before any text has arrived.
 */

const ERROR_BODY_MAX_BYTES = 64 * 1024;

/** What the items of one execution share. */
export interface AskSession {
	tokens: SharedLoads<PromptToken>;
	knowledgeBases: SharedLoads<string[]>;
	/** The clock the token expiry is judged by. */
	now: () => number;
	/** Each prompt token as it arrives, so that it is masked like the API token. */
	onPromptToken?: (token: string) => void;
}

export function createAskSession(options: { now?: () => number; onPromptToken?: (token: string) => void } = {}): AskSession {
	const now = options.now ?? Date.now;
	return { tokens: promptTokenLoads(now), knowledgeBases: new SharedLoads<string[]>(), now, onPromptToken: options.onPromptToken };
}

export async function askAisk(request: AiskAskRequest, session: AskSession, options: TurnOptions = {}): Promise<AiskAnswer> {
	return await runStreamedTurn(
		{
			maxRetries: request.maxRetries,
			timeoutMs: request.timeoutMs,
			aggregator: () =>
				new AiskAskAggregator({ conversationId: request.conversationId, chatbotId: request.chatbotId, knowledgeBaseIds: request.knowledgeBaseIds }),
			attempt: async (aggregator, budgetMs) => await attemptOnce(request, session, aggregator, budgetMs, options),
		},
		options,
	);
}

function refusedToken(error: unknown): boolean {
	const failure = asAgentChatError(error);
	return failure.code === 'UNAUTHENTICATED' || failure.httpStatus === 401;
}

async function attemptOnce(
	request: AiskAskRequest,
	session: AskSession,
	aggregator: AiskAskAggregator,
	budgetMs: number,
	options: TurnOptions,
): Promise<AiskAnswer> {
	const deadline = Date.now() + budgetMs;
	const remaining = () => Math.max(1, deadline - Date.now());
	const key = promptSessionKey(request);
	for (let renewed = false; ; renewed = true) {
		const prompt = await session.tokens.get(key, async () => await fetchPromptToken(request, session, remaining(), options.signal));
		try {
			const knowledgeBaseIds =
				request.knowledgeBaseIds ??
				(await session.knowledgeBases.get(key, async () => await fetchKnowledgeBaseIds(request, prompt.token, remaining(), options.signal)));
			aggregator.setKnowledgeBaseIds(knowledgeBaseIds);
			return await streamAnswer(request, prompt.token, knowledgeBaseIds, aggregator, remaining(), options);
		} catch (error) {
			// A token can stop working before its announced expiry: one new token, then the refusal stands.
			if (renewed || aggregator.hasContent || !refusedToken(error)) throw error;
			session.tokens.forget(key, prompt);
		}
	}
}

async function fetchPromptToken(request: AiskAskRequest, session: AskSession, budgetMs: number, signal?: AbortSignal): Promise<PromptToken> {
	const answer = await requestJsonOnce(promptTokenCall(request), budgetMs, signal);
	const prompt = promptTokenFrom(answer, session.now());
	if (!prompt) {
		throw new AgentChatError('AiSK answered the prompt token request without a token', {
			kind: 'protocol',
			code: 'UNEXPECTED_RESPONSE',
			description: `The answer had the fields: ${Object.keys(answer).join(', ') || 'none'}.`,
		});
	}
	session.onPromptToken?.(prompt.token);
	return prompt;
}

/** The chatbot's own knowledge bases, from its init (`knowledge_base_infos`). */
async function fetchKnowledgeBaseIds(request: AiskAskRequest, promptToken: string, budgetMs: number, signal?: AbortSignal): Promise<string[]> {
	const answer = await requestJsonOnce(initCall(request, promptToken), budgetMs, signal);
	const infos = answer.knowledge_base_infos ?? answer.knowledgeBaseInfos ?? [];
	if (!Array.isArray(infos)) {
		throw new AgentChatError('AiSK answered the chatbot init with knowledge_base_infos that is not a list', { kind: 'protocol', code: 'UNEXPECTED_RESPONSE' });
	}
	return infos
		.map((info) => (info && typeof info === 'object' ? (info as { id?: unknown }).id : undefined))
		.filter((id): id is string => typeof id === 'string' && id !== '');
}

async function streamAnswer(
	request: AiskAskRequest,
	promptToken: string,
	knowledgeBaseIds: string[],
	aggregator: AiskAskAggregator,
	budgetMs: number,
	options: TurnOptions,
): Promise<AiskAnswer> {
	const call = streamCall(request, promptToken, knowledgeBaseIds);
	const exchangeOptions = {
		url: call.url,
		method: call.method,
		headers: call.headers,
		body: call.body,
		idleTimeoutMs: request.idleTimeoutMs,
		totalTimeoutMs: budgetMs,
		signal: options.signal,
	};
	return await withHttpExchange(exchangeOptions, async (exchange) => {
		if (exchange.statusCode < 200 || exchange.statusCode >= 300) {
			const body = await readBodyText(exchange, ERROR_BODY_MAX_BYTES);
			throw aiskErrorFromResponse(exchange.statusCode, body, headerValue(exchange.headers, 'retry-after'));
		}
		const contentType = headerValue(exchange.headers, 'content-type') ?? '';
		try {
			for await (const event of readAiskStream(exchange.body as AsyncIterable<Uint8Array>, contentType)) {
				if (event.type === 'error') throw aiskErrorFromStatus(event.status);
				const added = aggregator.accept(event.message, event.citations);
				if (added) options.onReplyDelta?.(added);
			}
		} catch (error) {
			if (error instanceof AgentChatError || error instanceof SseFormatError) throw error;
			throw exchange.classify(error);
		}
		if (!aggregator.hasContent) {
			throw new AgentChatError('AiSK ended the stream without any answer text', {
				kind: 'protocol',
				code: 'EMPTY_ANSWER',
				description: 'The stream closed before a message with text arrived.',
				retryable: true,
			});
		}
		return aggregator.result();
	});
}
