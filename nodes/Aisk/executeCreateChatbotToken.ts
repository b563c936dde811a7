import type {
	ICredentialDataDecryptedObject,
	IDataObject,
	IExecuteFunctions,
	INodeCredentialTestResult,
	INodeExecutionData,
} from 'n8n-workflow';
import { AgentChatError, asAgentChatError, inputError, redactSecrets } from '../shared/errors';
import { outcomesToItems, readConcurrency, runPerItem } from '../shared/itemRunner';
import { withRetries } from '../shared/retry';
import { headerValue, readBodyText, sendHttpRequest } from '../shared/transport';
import { UUID_PATTERN, checkBaseUrl, checkIntegerOption } from '../shared/validation';
import { aiskErrorFromResponse } from './aiskErrors';

/** Create Chatbot Token: `POST /bv/aisk/v1/chatbots/:id/token` once per input item. */

export const DEFAULT_AISK_TIMEOUT_MS = 30_000;
export const DEFAULT_AISK_MAX_RETRIES = 2;
const ANSWER_MAX_BYTES = 1024 * 1024;

export interface AiskTokenRequest {
	url: string;
	headers: Record<string, string>;
	chatbotId: string;
	timeoutMs: number;
	maxRetries: number;
}

/** Values of an AiSK credential that must never appear in an output, an error or a log. */
export function aiskSecrets(credentials: ICredentialDataDecryptedObject): string[] {
	const token = typeof credentials.apiToken === 'string' ? credentials.apiToken.trim() : '';
	return token ? [token, `Bearer ${token}`] : [];
}

/** Checks the input and builds the request (pure); throws input errors before anything is sent. */
export function buildAiskTokenRequest(
	chatbotIdValue: unknown,
	credentials: ICredentialDataDecryptedObject,
	options: { timeout?: unknown; maxRetries?: unknown } = {},
): AiskTokenRequest {
	const chatbotId = typeof chatbotIdValue === 'string' ? chatbotIdValue.trim() : '';
	if (!UUID_PATTERN.test(chatbotId)) {
		throw inputError(
			'chatbotId',
			`must be a UUID like 123e4567-e89b-12d3-a456-426614174000 (got ${JSON.stringify(typeof chatbotIdValue === 'string' ? chatbotIdValue.slice(0, 80) : chatbotIdValue ?? null)})`,
		);
	}
	const apiToken = typeof credentials.apiToken === 'string' ? credentials.apiToken.trim() : '';
	if (apiToken === '') throw inputError('apiToken', 'the AiSK credential has no API token');
	const baseUrl = checkBaseUrl(credentials.baseUrl || 'https://api.one.blendvision.com', 'baseUrl');
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

export interface AiskCallOptions {
	signal?: AbortSignal;
	onRetry?: (info: { attempt: number; waitMs: number; code: string | number }) => void;
	random?: () => number;
}

/** One attempt: the parsed success body, or an AgentChatError. */
async function attemptOnce(request: AiskTokenRequest, budgetMs: number, signal?: AbortSignal): Promise<IDataObject> {
	const exchange = await sendHttpRequest({
		url: request.url,
		method: 'POST',
		headers: request.headers,
		body: '{}',
		idleTimeoutMs: budgetMs,
		totalTimeoutMs: budgetMs,
		signal,
	});
	try {
		const text = await readBodyText(exchange, ANSWER_MAX_BYTES);
		if (exchange.statusCode < 200 || exchange.statusCode >= 300) {
			throw aiskErrorFromResponse(exchange.statusCode, text, headerValue(exchange.headers, 'retry-after'));
		}
		let parsed: unknown;
		try {
			parsed = JSON.parse(text);
		} catch {
			parsed = undefined;
		}
		if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) {
			throw new AgentChatError('AiSK answered with something that is not a JSON object', {
				kind: 'protocol',
				code: 'UNEXPECTED_RESPONSE',
				httpStatus: exchange.statusCode,
			});
		}
		return parsed as IDataObject;
	} finally {
		exchange.finish();
	}
}

/**
 * Creates the token, retrying RESOURCE_EXHAUSTED (8) and UNAVAILABLE (14), HTTP 429/502/503/504 and
 * refused or reset connections, after the server's wait (Retry-After or ErrorInfo wait_sec) when it gives one.
 */
export async function createChatbotToken(request: AiskTokenRequest, options: AiskCallOptions = {}): Promise<{ token: string; chatbotId: string }> {
	return await withRetries({ ...options, maxRetries: request.maxRetries, timeoutMs: request.timeoutMs }, async (budgetMs) => {
		const body = await attemptOnce(request, budgetMs, options.signal);
		if (typeof body.token !== 'string' || body.token === '') {
			throw new AgentChatError('AiSK answered without a token', {
				kind: 'protocol',
				code: 'UNEXPECTED_RESPONSE',
				description: `The answer had the fields: ${Object.keys(body).join(', ') || 'none'}.`,
			});
		}
		return { token: body.token, chatbotId: request.chatbotId };
	});
}

export async function executeCreateChatbotToken(context: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	const credentials: ICredentialDataDecryptedObject = await context.getCredentials('aiskApi');
	const secrets = aiskSecrets(credentials);
	const signal = context.getExecutionCancelSignal?.();

	const outcomes = await runPerItem(context, {
		concurrency: readConcurrency(context, secrets),
		secrets,
		work: async (itemIndex) => {
			const request = buildAiskTokenRequest(
				context.getNodeParameter('chatbotId', itemIndex, ''),
				credentials,
				context.getNodeParameter('options', itemIndex, {}) as IDataObject,
			);
			return await createChatbotToken(request, {
				signal,
				onRetry: ({ attempt, waitMs, code }) =>
					context.logger.info(`AiSK: retry ${attempt} of item ${itemIndex} in ${waitMs} ms after ${code}`),
			});
		},
	});

	return [outcomesToItems(outcomes)];
}

/** A chatbot ID that exists nowhere: the credential test only needs the server to get past authentication. */
export const PROBE_CHATBOT_ID = '00000000-0000-0000-0000-000000000000';

/**
 * The credential's Test button. There is no documented read-only endpoint, so it asks for a token for
 * the nil UUID: UNAUTHENTICATED (HTTP 401) means the API token was refused; a token, NOT_FOUND,
 * INVALID_ARGUMENT or PERMISSION_DENIED for that non-existent chatbot means it got past authentication.
 */
export async function testAiskCredential(data: ICredentialDataDecryptedObject): Promise<INodeCredentialTestResult> {
	const secrets = aiskSecrets(data);
	try {
		const request = buildAiskTokenRequest(PROBE_CHATBOT_ID, data, { timeout: 20_000, maxRetries: 1 });
		await createChatbotToken(request);
		return { status: 'OK', message: 'The API token was accepted' };
	} catch (error) {
		const failure = asAgentChatError(error);
		if (failure.kind === 'vendor' && ['NOT_FOUND', 'INVALID_ARGUMENT', 'PERMISSION_DENIED'].includes(String(failure.code))) {
			return { status: 'OK', message: `The API token was accepted (the probe for a non-existent chatbot answered ${failure.code})` };
		}
		const text = failure.description ? `${failure.message}. ${failure.description}` : failure.message;
		return { status: 'Error', message: redactSecrets(text, secrets) };
	}
}
