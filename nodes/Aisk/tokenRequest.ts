import type { ICredentialDataDecryptedObject } from 'n8n-workflow';
import { inputError } from '../shared/errors';
import { UUID_PATTERN, checkBaseUrl, checkIntegerOption } from '../shared/validation';

/** Create Chatbot Token's request: `POST /bv/aisk/v1/chatbots/:id/token`, checked and built (pure). */

export const DEFAULT_AISK_BASE_URL = 'https://api.one.blendvision.com';
export const DEFAULT_AISK_TIMEOUT_MS = 30_000;
export const DEFAULT_AISK_MAX_RETRIES = 2;

export interface AiskTokenRequest {
	url: string;
	headers: Record<string, string>;
	chatbotId: string;
	timeoutMs: number;
	maxRetries: number;
}

/** The Chatbot ID parameter, trimmed; an input error unless it is a UUID. */
export function checkChatbotId(value: unknown): string {
	const chatbotId = typeof value === 'string' ? value.trim() : '';
	if (!UUID_PATTERN.test(chatbotId)) {
		throw inputError(
			'chatbotId',
			`must be a UUID like 123e4567-e89b-12d3-a456-426614174000 (got ${JSON.stringify(typeof value === 'string' ? value.slice(0, 80) : value ?? null)})`,
		);
	}
	return chatbotId;
}

/** Checks the input and builds the request (pure); throws input errors before anything is sent. */
export function buildAiskTokenRequest(
	chatbotIdValue: unknown,
	credentials: ICredentialDataDecryptedObject,
	options: { timeout?: unknown; maxRetries?: unknown } = {},
): AiskTokenRequest {
	const chatbotId = checkChatbotId(chatbotIdValue);
	const apiToken = typeof credentials.apiToken === 'string' ? credentials.apiToken.trim() : '';
	if (apiToken === '') throw inputError('apiToken', 'the AiSK credential has no API token');
	const baseUrl = checkBaseUrl(credentials.baseUrl || DEFAULT_AISK_BASE_URL, 'baseUrl');
	const headers: Record<string, string> = {
		authorization: `Bearer ${apiToken}`,
		'content-type': 'application/json',
		accept: 'application/json',
	};
	const orgId = typeof credentials.orgId === 'string' ? credentials.orgId.trim() : '';
	if (orgId) headers['x-bv-org-id'] = orgId;
	return {
		url: `${baseUrl}/bv/aisk/v1/chatbots/${encodeURIComponent(chatbotId)}/token`,
		headers,
		chatbotId,
		timeoutMs: checkIntegerOption(options.timeout ?? DEFAULT_AISK_TIMEOUT_MS, 'options.timeout', 1, 3_600_000),
		maxRetries: checkIntegerOption(options.maxRetries ?? DEFAULT_AISK_MAX_RETRIES, 'options.maxRetries', 0, 10),
	};
}
