import type { IDataObject } from 'n8n-workflow';
import { AgentChatError, inputError } from '../shared/errors';
import { RETRYABLE_HTTP_STATUSES, bodyExcerpt, httpStatusError } from '../shared/httpErrors';
import { parseRetryAfterMs } from '../shared/retry';
import { signTc3 } from '../shared/tc3Signer';
import { checkBaseUrl, checkIntegerOption } from '../shared/validation';

/**
 * Tencent Cloud API 3.0 action GetWsToken (version 2023-11-30), as pure functions: checking the
 * input, building the signed request (exact body bytes and headers), and mapping the answer.
 */

export const CLOUD_API_VERSION = '2023-11-30';
export const GET_WS_TOKEN_ACTION = 'GetWsToken';
/** The TC3 service name is `lke` whatever host the requests go to (proxies, private deployments). */
export const LKE_SERVICE = 'lke';
/** Sent byte-for-byte as the Content-Type header: the signature covers this exact value. */
export const CLOUD_API_CONTENT_TYPE = 'application/json';
/** Access type 5: API visitor (the only type the seed documents for GetWsToken). */
export const WS_TOKEN_TYPE_API_VISITOR = 5;
export const VISITOR_BIZ_ID_MAX = 64;

export const DEFAULT_CLOUD_API_TIMEOUT_MS = 30_000;
export const DEFAULT_CLOUD_API_MAX_RETRIES = 2;

export interface GetWsTokenInput {
	secretId: unknown;
	secretKey: unknown;
	appKey: unknown;
	visitorBizId: unknown;
	apiEndpoint: string;
	region: string;
	/** Used when visitorBizId is empty. */
	defaultVisitorBizId: string;
	options?: { timeout?: unknown; maxRetries?: unknown };
}

/** Everything needed to send GetWsToken; signed anew for every attempt (the timestamp is part of it). */
export interface GetWsTokenPlan {
	url: string;
	host: string;
	region: string;
	secretId: string;
	secretKey: string;
	body: string;
	timeoutMs: number;
	maxRetries: number;
}

export interface CloudApiRequest {
	url: string;
	headers: Record<string, string>;
	body: string;
	/** The Authorization header value: a secret for logs and errors. */
	authorization: string;
}

function credentialText(value: unknown): string {
	return typeof value === 'string' ? value.trim() : '';
}

/** Checks the input; throws an input error naming the field before anything is sent. */
export function planGetWsToken(input: GetWsTokenInput): GetWsTokenPlan {
	const secretId = credentialText(input.secretId);
	if (secretId === '') {
		throw inputError('secretId', 'the Tencent LKE credential has no SecretId; Get WS Token needs the Cloud API keys (SecretId and SecretKey)');
	}
	const secretKey = credentialText(input.secretKey);
	if (secretKey === '') {
		throw inputError('secretKey', 'the Tencent LKE credential has no SecretKey; Get WS Token needs the Cloud API keys (SecretId and SecretKey)');
	}
	const appKey = credentialText(input.appKey);
	if (appKey === '') throw inputError('appKey', 'the Tencent LKE credential has no AppKey');

	const visitorValue = input.visitorBizId;
	if (visitorValue !== undefined && visitorValue !== null && typeof visitorValue !== 'string' && typeof visitorValue !== 'number') {
		throw inputError('visitorBizId', 'must be text');
	}
	let visitorBizId = visitorValue === undefined || visitorValue === null ? '' : String(visitorValue).trim();
	if (visitorBizId === '') visitorBizId = input.defaultVisitorBizId;
	if (visitorBizId.length > VISITOR_BIZ_ID_MAX) {
		throw inputError('visitorBizId', `must be at most ${VISITOR_BIZ_ID_MAX} characters (got ${visitorBizId.length})`);
	}

	checkBaseUrl(input.apiEndpoint, 'apiEndpoint');
	const url = input.apiEndpoint.trim();
	const region = input.region.trim();
	if (region === '') throw inputError('region', 'is required for Cloud API requests');

	const options = input.options ?? {};
	return {
		url,
		// URL.host carries the port only when it is not the scheme's default, as the Host header must.
		host: new URL(url).host,
		region,
		secretId,
		secretKey,
		body: JSON.stringify({ Type: WS_TOKEN_TYPE_API_VISITOR, BotAppKey: appKey, VisitorBizId: visitorBizId }),
		timeoutMs: checkIntegerOption(options.timeout ?? DEFAULT_CLOUD_API_TIMEOUT_MS, 'options.timeout', 1, 3_600_000),
		maxRetries: checkIntegerOption(options.maxRetries ?? DEFAULT_CLOUD_API_MAX_RETRIES, 'options.maxRetries', 0, 10),
	};
}

/** The signed request for one attempt at `timestamp` (seconds). */
export function buildCloudApiRequest(plan: GetWsTokenPlan, timestamp: number): CloudApiRequest {
	const { authorization } = signTc3({
		secretId: plan.secretId,
		secretKey: plan.secretKey,
		service: LKE_SERVICE,
		host: plan.host,
		contentType: CLOUD_API_CONTENT_TYPE,
		body: plan.body,
		timestamp,
	});
	return {
		url: plan.url,
		body: plan.body,
		authorization,
		headers: {
			Authorization: authorization,
			'Content-Type': CLOUD_API_CONTENT_TYPE,
			Host: plan.host,
			'X-TC-Action': GET_WS_TOKEN_ACTION,
			'X-TC-Version': CLOUD_API_VERSION,
			'X-TC-Timestamp': String(timestamp),
			'X-TC-Region': plan.region,
		},
	};
}

/**
 * Error codes worth another attempt: the frequency limit (100 requests a second for GetWsToken,
 * `RequestLimitExceeded` and its sub-codes) and `InternalError`, whose documented message says to retry.
 */
export function isRetryableCloudApiCode(code: string): boolean {
	return code === 'InternalError' || code === 'RequestLimitExceeded' || code.startsWith('RequestLimitExceeded.');
}

/** What the user can do about a code. */
export const CLOUD_API_ERROR_HINTS: Readonly<Record<string, string>> = {
	'AuthFailure.SignatureExpire':
		'The request timestamp is more than 5 minutes away from Tencent Cloud\'s time: check the n8n host\'s clock (enable NTP time synchronization).',
	'AuthFailure.SecretIdNotFound':
		'Check the SecretId field of the Tencent LKE credential: the key does not exist, was deleted or is disabled (CAM > API Keys).',
	'AuthFailure.SignatureFailure':
		'Check the SecretKey field of the Tencent LKE credential: it must be the secret key that belongs to the SecretId.',
	'AuthFailure.InvalidSecretId': 'Check the SecretId field of the Tencent LKE credential: it is not a valid API key ID.',
	'AuthFailure.UnauthorizedOperation':
		'The API key\'s CAM user or role lacks permission for lke:GetWsToken: grant it in CAM.',
	FailedOperation: 'Check the AppKey field of the Tencent LKE credential and that the application is published.',
	InvalidParameterValue: 'Check the Visitor ID (at most 64 characters).',
	RequestLimitExceeded: 'GetWsToken allows 100 requests a second: lower the request rate.',
	UnsupportedRegion: 'Check the site or the Region field of the Tencent LKE credential.',
	'InvalidParameter.InvalidRegion': 'Check the site or the Region field of the Tencent LKE credential.',
};

export function cloudApiError(
	code: string,
	message: string,
	requestId: string | undefined,
	httpStatus?: number,
	retryAfterMs?: number,
): AgentChatError {
	const hint = CLOUD_API_ERROR_HINTS[code] ?? (code.startsWith('RequestLimitExceeded.') ? CLOUD_API_ERROR_HINTS.RequestLimitExceeded : undefined);
	const parts = [
		hint,
		requestId ? `RequestId: ${requestId} (quote it to Tencent Cloud support).` : 'The answer carried no RequestId.',
	].filter(Boolean);
	return new AgentChatError(`Tencent Cloud API error ${code}: ${message || 'no message'}`, {
		kind: 'vendor',
		code,
		description: parts.join(' '),
		httpStatus,
		retryable: isRetryableCloudApiCode(code) || (httpStatus !== undefined && RETRYABLE_HTTP_STATUSES.has(httpStatus)),
		retryAfterMs,
	});
}

interface CloudApiEnvelope {
	Response?: {
		Error?: { Code?: unknown; Message?: unknown };
		RequestId?: unknown;
		[key: string]: unknown;
	};
}

function parseEnvelope(body: string): CloudApiEnvelope['Response'] | undefined {
	try {
		const parsed = JSON.parse(body) as CloudApiEnvelope;
		const response = parsed?.Response;
		return response && typeof response === 'object' && !Array.isArray(response) ? response : undefined;
	} catch {
		return undefined;
	}
}

/**
 * The `Response` object of a successful answer, its fields as sent. Errors (HTTP 200 with
 * `Response.Error`, or another status) are thrown as AgentChatError.
 */
export function parseCloudApiResponse(statusCode: number, body: string, retryAfter?: string): IDataObject {
	const response = parseEnvelope(body);
	const retryAfterMs = parseRetryAfterMs(retryAfter);
	const requestId = typeof response?.RequestId === 'string' ? response.RequestId : undefined;
	if (response?.Error && typeof response.Error === 'object') {
		const code = String(response.Error.Code ?? 'UnknownError');
		const message = typeof response.Error.Message === 'string' ? response.Error.Message : '';
		return throwing(cloudApiError(code, message, requestId, statusCode === 200 ? undefined : statusCode, retryAfterMs));
	}
	if (statusCode < 200 || statusCode >= 300) {
		return throwing(httpStatusError('Tencent Cloud API', statusCode, body, retryAfter));
	}
	if (!response) {
		return throwing(
			new AgentChatError('Tencent Cloud API answered without a Response object', {
				kind: 'protocol',
				code: 'UNEXPECTED_RESPONSE',
				description: `Response body: ${bodyExcerpt(body) || '(empty)'}`,
			}),
		);
	}
	return response as IDataObject;
}

function throwing(error: AgentChatError): never {
	throw error;
}
