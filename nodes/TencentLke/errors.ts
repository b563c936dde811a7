import type { IDataObject } from 'n8n-workflow';
import { AgentChatError, RETRYABLE_HTTP_STATUSES, bodyExcerpt, httpStatusError } from '../shared/errors';
import { parseRetryAfterMs } from '../shared/retry';

/**
 * Tencent LKE's errors, as pure functions: the dialog API's codes (error events, and JSON answers
 * where a stream was expected) and the Cloud API's (GetWsToken), each mapped to an AgentChatError
 * with the documented meaning and what the user can do about it.
 */

/**
 * The dialog APIs' error codes (v1 and v2 merged) and the meanings Tencent documents for them. Where
 * v1 and v2 word a code differently, v1's English text is kept (it is what users of v1 have seen).
 */
export const LKE_ERROR_MEANINGS: Readonly<Record<number, string>> = {
	400: 'Request parameter error, see access documentation',
	403: 'Access denied',
	500: 'Internal server error',
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
	460026: 'The application is disabled or the account is in arrears',
	460030: 'This application type does not support the current request',
	460031: 'The number of connections in this application has exceeded the request limit. Try again later',
	460032: 'Insufficient balance in the current application model',
	460033: 'Application does not exist or insufficient permissions',
	460034: 'Content too long',
	460035: 'Content too long, already stopped',
	460036: 'Preview parameter anomaly in process node',
	460037: 'Search for resource exhausted, call failed',
	460038: 'The AppID request shows anomalous behavior, call failed',
	460039: 'Invalid message record',
	460048: 'The application is not published',
	460100: 'The workflow is not enabled',
	460101: 'The workflow run failed',
	460102: 'The workflow is disabled',
	460103: 'The workflow is awaiting debugging',
	460104: 'The workflow was deleted',
	460105: 'The workflow is not published',
	460106: 'The workflow reference is invalid',
	460107: 'No workflow is selected',
	460301: 'Internal exception',
	460400: 'The event does not exist',
	460401: 'Request processing timed out',
	460501: 'The input content is not allowed',
	460502: 'The output content is not allowed',
	460600: 'Share information is missing',
	460701: 'The dedicated model exceeded its concurrency',
	460702: 'Insufficient balance of the dedicated model',
	460711: 'The workspace exceeded its tokens per minute (TPM)',
	460712: 'The workspace exceeded its queries per minute (QPM)',
	460713: 'The workspace used up its daily token quota',
	460721: 'The application exceeded its tokens per minute (TPM)',
	460722: 'The application exceeded its queries per minute (QPM)',
	460723: 'The application used up its daily token quota',
	460800: 'The widget action is not supported',
	460801: 'The widget does not exist',
	460802: 'Unknown widget clarification type',
	460916: 'The application has no runnable skill runtime configured',
	460917: 'The skill runtime is temporarily unavailable',
	460918: 'The Claw service is not configured',
	460919: 'The ConversationId already exists; use another one',
	460920: 'The workspace does not exist or there is no permission',
	460921: 'No permission for the workspace',
	460922: 'The sandbox type is not supported',
	460923: 'No linked conversation',
	4505004: 'APPKEY is invalid, please verify the source of APPKEY',
};

/** "Busy, try again": retried with backoff (up to Max Retries) while no answer text has arrived. */
export const LKE_BUSY_CODES: ReadonlySet<number> = new Set([460011, 460031, 460701, 460711, 460712, 460721, 460722]);

/** Timeouts and internal failures: worth one more attempt, not more. */
export const LKE_TRANSIENT_CODES: ReadonlySet<number> = new Set([500, 460007, 460020, 460022, 460101, 460301, 460401, 460917]);
export const TRANSIENT_MAX_RETRIES = 1;

/** A failure whose code allows at most one retry (checked by the client, which counts attempts). */
export function retriesAtMostOnce(error: AgentChatError): boolean {
	return typeof error.code === 'number' && error.kind === 'vendor' && LKE_TRANSIENT_CODES.has(error.code);
}

/** What the user can do about a code, where there is something to say beyond its meaning. */
export const LKE_ERROR_HINTS: Readonly<Record<number, string>> = {
	460011: 'Lower the node\'s Concurrency option or raise the application\'s concurrency quota.',
	460031: 'Lower the node\'s Concurrency option or retry later.',
	460030: 'The application may only answer the other API version: switch the node\'s API Version.',
	460032: 'Top up the application\'s model balance or enable postpaid mode.',
	460034: 'Shorten the content.',
	460919: 'Use a new Session ID.',
	4505004: 'Check the AppKey in the Tencent LKE credential (Release Management > Call Information).',
	460004: 'Check that the application is published and that the AppKey belongs to it.',
};

/** A dialog error from its code and the server's message (v1 `{code, message}`, v2 `{Code, Message}`). */
export function lkeDialogError(rawCode: unknown, serverMessage: string): AgentChatError {
	const code = Number(rawCode);
	const known = Number.isFinite(code);
	const meaning = LKE_ERROR_MEANINGS[code] ?? (serverMessage || 'Unknown error');
	const details = [
		serverMessage && serverMessage !== meaning ? `The server said: ${serverMessage}` : '',
		LKE_ERROR_HINTS[code] ?? '',
	].filter(Boolean);
	return new AgentChatError(`Tencent LKE error ${known ? code : String(rawCode)}: ${meaning}`, {
		kind: 'vendor',
		code: known ? code : String(rawCode),
		description: details.length > 0 ? details.join(' ') : undefined,
		retryable: LKE_BUSY_CODES.has(code) || LKE_TRANSIENT_CODES.has(code),
	});
}

/** A v1 error object `{code, message}`. */
export function lkeErrorFromEvent(error: IDataObject): AgentChatError {
	return lkeDialogError(error.code, typeof error.message === 'string' ? error.message : '');
}

/** A v2 `error` event's `Error` object `{Code, Message, …}`. */
export function adpV2ErrorFromEvent(error: IDataObject): AgentChatError {
	return lkeDialogError(error.Code, typeof error.Message === 'string' ? error.Message : '');
}

/** reply_method / ReplyMethod 7: the service answered with its canned "too busy" text instead of an answer. */
export const BUSY_REPLY_METHOD = 7;
/** reply_method 20 (v1): the agent waits for the caller to run client-side tools. */
export const CLIENT_TOOLS_REPLY_METHOD = 20;

/** The canned concurrency answer, treated as the error it stands for. */
export function busyReplyError(): AgentChatError {
	const error = lkeDialogError(460011, '');
	return new AgentChatError(error.message, {
		kind: 'vendor',
		code: 460011,
		retryable: true,
		description: 'The service sent its canned "too busy" answer (reply method 7) instead of an answer. ' + (LKE_ERROR_HINTS[460011] ?? ''),
	});
}

/** reply_method 20: the turn ends waiting for tool outputs this node cannot provide. */
export function clientToolsRequiredError(toolNames: string[]): AgentChatError {
	const tools = toolNames.length > 0 ? ` (${toolNames.join(', ')})` : '';
	return new AgentChatError('Tencent LKE: the application needs client-side tools, which this node does not run', {
		kind: 'vendor',
		code: 'CLIENT_TOOLS_REQUIRED',
		description: `The agent stopped to wait for the caller to run its client tools${tools} and send their outputs (reply method 20). Configure the application's tools on the server side (plugins or workflows) instead.`,
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

/** The stream closed before the end of the answer (v1: the reply marked is_final; v2: response.completed). */
export function incompleteStreamError(retryable: boolean, missing = 'the reply marked is_final'): AgentChatError {
	return new AgentChatError('The Tencent LKE stream ended before the final reply: the answer is incomplete', {
		kind: 'protocol',
		code: 'INCOMPLETE_STREAM',
		description: `The server closed the connection without sending ${missing}. What arrived is kept on the item under "Continue On Fail".`,
		retryable,
	});
}

/** A 200 that is not an event stream: LKE answers some request errors as plain JSON. */
export function unexpectedChatBody(contentType: string, body: string): AgentChatError {
	try {
		const parsed = JSON.parse(body) as IDataObject;
		const error = (parsed.error ?? parsed.Error ?? parsed) as IDataObject;
		const code = error.code ?? error.Code;
		if (code !== undefined && Number(code) !== 0) {
			return lkeDialogError(code, String(error.msg ?? error.message ?? error.Message ?? ''));
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
