import type { IDataObject } from 'n8n-workflow';
import { AgentChatError, RETRYABLE_HTTP_STATUSES, bodyExcerpt, httpStatusError } from '../shared/errors';
import { parseRetryAfterMs } from '../shared/retry';

/**
 * Tencent LKE's errors, as pure functions: the dialog API's codes (error events, and JSON answers
 * where a stream was expected) and the Cloud API's (GetWsToken), each mapped to an AgentChatError
 * with the documented meaning and what the user can do about it.
 */

/** The dialog API's error codes and the meanings Tencent documents for them. */
export const LKE_ERROR_MEANINGS: Readonly<Record<number, string>> = {
	400: 'Request parameter error, see access documentation',
	460001: 'Token Verification Failure',
	460002: 'Event handler not found',
	460004: 'The application does not exist',
	460006: 'Message does not exist or insufficient permissions',
	460007: 'Session creation failed',
	460008: 'Fail to render Prompt',
	460009: 'The visitor does not exist',
	460010: 'The session does not exist or insufficient permissions',
	460011: 'Exceed the concurrency limit',
	460020: 'Model request timeout',
	460021: 'Knowledge base not released',
	460022: 'Failed to create visitor',
	460023: 'Failed to like or dislike the message',
	460024: 'Invalid tag',
	460025: 'Image Analysis failed',
	460031: 'The number of connections in this application has exceeded the request limit. Try again later',
	460032: 'Insufficient balance in the current application model',
	460033: 'Application does not exist or insufficient permissions',
	460034: 'Content too long',
	460035: 'Content too long, already stopped',
	460036: 'Preview parameter anomaly in process node',
	460037: 'Search for resource exhausted, call failed',
	460038: 'The AppID request shows anomalous behavior, call failed',
	4505004: 'APPKEY is invalid, please verify the source of APPKEY',
};

/** Codes that mean "busy, try again": worth a retry while no answer has started. */
export const LKE_RETRYABLE_CODES: ReadonlySet<number> = new Set([460011, 460031]);

/** What the user can do about a code, where there is something to say beyond its meaning. */
export const LKE_ERROR_HINTS: Readonly<Record<number, string>> = {
	460011: 'Lower the node\'s Concurrency option or raise the application\'s concurrency quota.',
	460031: 'Lower the node\'s Concurrency option or retry later.',
	460032: 'Top up the application\'s model balance or enable postpaid mode.',
	460034: 'Shorten the content.',
	4505004: 'Check the AppKey in the Tencent LKE credential (Release Management > Call Information).',
	460004: 'Check that the application is published and that the AppKey belongs to it.',
};

export function lkeErrorFromEvent(error: IDataObject): AgentChatError {
	const code = Number(error.code);
	const serverMessage = typeof error.message === 'string' ? error.message : '';
	const meaning = LKE_ERROR_MEANINGS[code] ?? (serverMessage || 'Unknown error');
	const details = [
		serverMessage && serverMessage !== meaning ? `The server said: ${serverMessage}` : '',
		LKE_ERROR_HINTS[code] ?? '',
	].filter(Boolean);
	return new AgentChatError(`Tencent LKE error ${Number.isFinite(code) ? code : String(error.code)}: ${meaning}`, {
		kind: 'vendor',
		code: Number.isFinite(code) ? code : String(error.code),
		description: details.length > 0 ? details.join(' ') : undefined,
		retryable: LKE_RETRYABLE_CODES.has(code),
	});
}


/** The safety check refused the question (the echo of the user's message says is_evil). */
export function sensitiveContentError(): AgentChatError {
	return new AgentChatError('Tencent LKE refused the message: it hit sensitive content (is_evil)', {
		kind: 'vendor',
		code: 'SENSITIVE_CONTENT',
		description: 'The content safety check rejected the question before the bot answered. Rephrase the content.',
	});
}

/** The stream closed before the reply marked is_final. */
export function incompleteStreamError(retryable: boolean): AgentChatError {
	return new AgentChatError('The Tencent LKE stream ended before the final reply: the answer is incomplete', {
		kind: 'protocol',
		code: 'INCOMPLETE_STREAM',
		description: 'The server closed the connection without sending the reply marked is_final. What arrived is kept on the item under "Continue On Fail".',
		retryable,
	});
}

/** A 200 that is not an event stream: LKE answers some request errors as plain JSON. */
export function unexpectedChatBody(contentType: string, body: string): AgentChatError {
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
 * The Cloud API's answer: the `Response` object of a successful one, its fields as sent. Errors (HTTP 200 with
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
		return throwing(httpStatusError('Tencent Cloud API', statusCode, body, retryAfterMs));
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
