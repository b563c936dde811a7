import { randomUUID } from 'crypto';
import type { ICredentialDataDecryptedObject } from 'n8n-workflow';
import { inputError } from '../shared/errors';
import { checkBaseUrl, checkIntegerOption } from '../shared/validation';
import { DEFAULT_AISK_BASE_URL, DEFAULT_AISK_MAX_RETRIES, checkChatbotId } from './tokenRequest';

/**
 * Ask's requests, checked and built (pure): the prompt token (`POST /bv/aisk/v1/prompts/tokens`,
 * under the API token), the chatbot's init (`GET /bv/aisk/v1/prompts:init`) and the streamed
 * question (`POST /bv/aisk-stream/v1/prompts`), both with the prompt token.
 */

export const DEFAULT_ASK_TIMEOUT_MS = 300_000;
export const DEFAULT_ASK_IDLE_TIMEOUT_MS = 120_000;
const MAX_QUESTION_CHARS = 32_000;
const MAX_ID_CHARS = 256;
const MAX_KNOWLEDGE_BASES = 100;
/** A language tag: letters, digits, `-` and `_` (en, zh-TW, ja_JP). */
const LANGUAGE_PATTERN = /^[A-Za-z]{2,8}([-_][A-Za-z0-9]{1,8})*$/;
const CITATION_MODES = { all: 'PROMPT_CITATION_MODE_ALL', restricted: 'PROMPT_CITATION_MODE_RESTRICTED' } as const;
export type CitationMode = keyof typeof CITATION_MODES;

export interface AiskAskParameters {
	chatbotId: unknown;
	question: unknown;
	conversationId: unknown;
	options?: {
		knowledgeBaseIds?: unknown;
		language?: unknown;
		citationMode?: unknown;
		userId?: unknown;
		timeout?: unknown;
		idleTimeout?: unknown;
		maxRetries?: unknown;
		[other: string]: unknown;
	};
}

export interface AiskAskRequest {
	baseUrl: string;
	/** The API token, only for the prompt token call. */
	apiToken: string;
	orgId?: string;
	chatbotId: string;
	question: string;
	/** Given, or a new UUID for this item: returned so that the next turn can continue it. */
	conversationId: string;
	/** Undefined: the chatbot's own, as its init lists them. */
	knowledgeBaseIds?: string[];
	language?: string;
	citationMode: CitationMode;
	userId?: string;
	timeoutMs: number;
	idleTimeoutMs: number;
	maxRetries: number;
}

export interface HttpCall {
	url: string;
	method: 'GET' | 'POST';
	headers: Record<string, string>;
	body?: string;
}

function text(value: unknown): string {
	return typeof value === 'string' ? value.trim() : typeof value === 'number' ? String(value) : '';
}

function quoted(value: unknown): string {
	return JSON.stringify(typeof value === 'string' ? value.slice(0, 80) : value ?? null);
}

/** Knowledge base ids as a comma- or newline-separated text, or an array of strings. */
function knowledgeBaseIdsOf(value: unknown): string[] | undefined {
	if (value === undefined || value === null || value === '') return undefined;
	const parts = Array.isArray(value) ? value : typeof value === 'string' ? value.split(/[,\n]/) : undefined;
	if (!parts) throw inputError('options.knowledgeBaseIds', `must be knowledge base IDs separated by commas (got ${quoted(value)})`);
	const ids: string[] = [];
	for (const part of parts) {
		const id = typeof part === 'string' ? part.trim() : undefined;
		if (id === undefined || /\s/.test(id) || id.length > MAX_ID_CHARS) {
			throw inputError('options.knowledgeBaseIds', `each ID must be a text without spaces of at most ${MAX_ID_CHARS} characters (got ${quoted(part)})`);
		}
		if (id !== '' && !ids.includes(id)) ids.push(id);
	}
	if (ids.length > MAX_KNOWLEDGE_BASES) throw inputError('options.knowledgeBaseIds', `at most ${MAX_KNOWLEDGE_BASES} IDs (got ${ids.length})`);
	return ids.length > 0 ? ids : undefined;
}

/** Checks an item's parameters and the credential; throws an input error naming the field before anything is sent. */
export function buildAiskAskRequest(
	parameters: AiskAskParameters,
	credentials: ICredentialDataDecryptedObject,
	newConversationId: () => string = randomUUID,
): AiskAskRequest {
	const options = parameters.options ?? {};
	const chatbotId = checkChatbotId(parameters.chatbotId);
	if (typeof parameters.question !== 'string' || parameters.question.trim() === '') {
		throw inputError('question', `must be a non-empty text (got ${quoted(parameters.question)})`);
	}
	const question = parameters.question;
	if (question.length > MAX_QUESTION_CHARS) throw inputError('question', `must be at most ${MAX_QUESTION_CHARS} characters (got ${question.length})`);

	const givenConversation = text(parameters.conversationId);
	if (givenConversation.length > MAX_ID_CHARS || /[\s\u0000-\u001f]/.test(givenConversation)) {
		throw inputError('conversationId', `must be a text without spaces of at most ${MAX_ID_CHARS} characters (got ${quoted(parameters.conversationId)})`);
	}

	const language = text(options.language);
	if (language && !LANGUAGE_PATTERN.test(language)) {
		throw inputError('options.language', `must be a language tag such as en, zh-TW or ja (got ${quoted(options.language)})`);
	}
	const modeValue = options.citationMode === undefined || options.citationMode === '' ? 'all' : options.citationMode;
	if (modeValue !== 'all' && modeValue !== 'restricted') {
		throw inputError('options.citationMode', `must be all or restricted (got ${quoted(options.citationMode)})`);
	}
	const userId = text(options.userId);
	if (userId && modeValue !== 'restricted') throw inputError('options.userId', 'is used only with Citation Mode restricted');
	if (userId.length > MAX_ID_CHARS) throw inputError('options.userId', `must be at most ${MAX_ID_CHARS} characters`);

	const apiToken = text(credentials.apiToken);
	if (apiToken === '') throw inputError('apiToken', 'the AiSK credential has no API token');
	const orgId = text(credentials.orgId);
	return {
		baseUrl: checkBaseUrl(credentials.baseUrl || DEFAULT_AISK_BASE_URL, 'baseUrl'),
		apiToken,
		orgId: orgId || undefined,
		chatbotId,
		question,
		conversationId: givenConversation || newConversationId(),
		knowledgeBaseIds: knowledgeBaseIdsOf(options.knowledgeBaseIds),
		language: language || undefined,
		citationMode: modeValue,
		userId: userId || undefined,
		timeoutMs: checkIntegerOption(options.timeout ?? DEFAULT_ASK_TIMEOUT_MS, 'options.timeout', 1, 24 * 3_600_000),
		idleTimeoutMs: checkIntegerOption(options.idleTimeout ?? DEFAULT_ASK_IDLE_TIMEOUT_MS, 'options.idleTimeout', 1, 24 * 3_600_000),
		maxRetries: checkIntegerOption(options.maxRetries ?? DEFAULT_AISK_MAX_RETRIES, 'options.maxRetries', 0, 10),
	};
}

/** What a prompt token is made for: requests with the same key share one token and one init. */
export function promptSessionKey(request: AiskAskRequest): string {
	return JSON.stringify([request.baseUrl, request.orgId ?? '', request.chatbotId.toLowerCase(), request.citationMode, request.userId ?? '']);
}

/** `POST /bv/aisk/v1/prompts/tokens` for the chatbot, under the API token. */
export function promptTokenCall(request: AiskAskRequest): HttpCall {
	const citation: Record<string, string> = { mode: CITATION_MODES[request.citationMode] };
	if (request.userId) citation.user_id = request.userId;
	const headers: Record<string, string> = {
		authorization: `Bearer ${request.apiToken}`,
		'content-type': 'application/json',
		accept: 'application/json',
	};
	if (request.orgId) headers['x-bv-org-id'] = request.orgId;
	return {
		url: `${request.baseUrl}/bv/aisk/v1/prompts/tokens`,
		method: 'POST',
		headers,
		body: JSON.stringify({
			source: { type: 'PROMPT_TOKEN_SOURCE_TYPE_CHATBOT_ID', chatbot_id: request.chatbotId },
			setting: { citation },
		}),
	};
}

/** `GET /bv/aisk/v1/prompts:init` with the prompt token: the chatbot's knowledge bases. */
export function initCall(request: AiskAskRequest, promptToken: string): HttpCall {
	return {
		url: `${request.baseUrl}/bv/aisk/v1/prompts:init`,
		method: 'GET',
		headers: { authorization: `Bearer ${promptToken}`, accept: 'application/json' },
	};
}

/** `POST /bv/aisk-stream/v1/prompts` with the prompt token: the question, streamed. */
export function streamCall(request: AiskAskRequest, promptToken: string, knowledgeBaseIds: string[]): HttpCall {
	const metadata: Record<string, string> = { conversation_id: request.conversationId };
	if (request.language) metadata.language = request.language;
	return {
		url: `${request.baseUrl}/bv/aisk-stream/v1/prompts`,
		method: 'POST',
		headers: {
			authorization: `Bearer ${promptToken}`,
			'content-type': 'application/json',
			accept: 'text/event-stream, application/json',
		},
		body: JSON.stringify({ question: request.question, kb_ids: knowledgeBaseIds, parent_ids: [], metadata }),
	};
}
