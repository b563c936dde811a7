import { AgentChatError, RETRYABLE_HTTP_STATUSES, httpStatusError } from '../shared/errors';
import { parseRetryAfterMs } from '../shared/retry';

/**
 * BlendVision AiSK answers errors grpc-gateway style: `{"code": <gRPC code>, "message", "details": [...]}`.
 * Pure mapping of such an answer to an AgentChatError.
 */

export interface GrpcCodeInfo {
	name: string;
	meaning: string;
	/** The HTTP status grpc-gateway maps the code to. */
	httpStatus: number;
}

/** All 17 gRPC status codes. */
export const GRPC_CODES: Readonly<Record<number, GrpcCodeInfo>> = {
	0: { name: 'OK', meaning: 'not an error', httpStatus: 200 },
	1: { name: 'CANCELLED', meaning: 'the request was cancelled', httpStatus: 499 },
	2: { name: 'UNKNOWN', meaning: 'unknown server error', httpStatus: 500 },
	3: { name: 'INVALID_ARGUMENT', meaning: 'the request is invalid', httpStatus: 400 },
	4: { name: 'DEADLINE_EXCEEDED', meaning: 'the server did not finish in time', httpStatus: 504 },
	5: { name: 'NOT_FOUND', meaning: 'the chatbot or resource was not found', httpStatus: 404 },
	6: { name: 'ALREADY_EXISTS', meaning: 'the resource already exists', httpStatus: 409 },
	7: { name: 'PERMISSION_DENIED', meaning: 'the API token may not do this', httpStatus: 403 },
	8: { name: 'RESOURCE_EXHAUSTED', meaning: 'rate limit or quota exhausted', httpStatus: 429 },
	9: { name: 'FAILED_PRECONDITION', meaning: 'the resource is not in a state that allows this', httpStatus: 400 },
	10: { name: 'ABORTED', meaning: 'aborted by a conflicting operation', httpStatus: 409 },
	11: { name: 'OUT_OF_RANGE', meaning: 'a value is out of range', httpStatus: 400 },
	12: { name: 'UNIMPLEMENTED', meaning: 'the operation is not implemented', httpStatus: 501 },
	13: { name: 'INTERNAL', meaning: 'internal server error', httpStatus: 500 },
	14: { name: 'UNAVAILABLE', meaning: 'the service is temporarily unavailable', httpStatus: 503 },
	15: { name: 'DATA_LOSS', meaning: 'unrecoverable data loss', httpStatus: 500 },
	16: { name: 'UNAUTHENTICATED', meaning: 'the API token is missing or invalid', httpStatus: 401 },
};

/** Busy codes: worth another attempt after the server's wait. */
export const AISK_RETRYABLE_CODES: ReadonlySet<number> = new Set([8, 14]);

const HINTS: Readonly<Record<number, string>> = {
	3: 'Check the Chatbot ID (a UUID).',
	5: 'Check the Chatbot ID and that the chatbot belongs to the credential\'s organization.',
	7: 'Check the Organization ID in the AiSK credential and that the API token may access this chatbot.',
	8: 'Too many requests: lower the node\'s Concurrency or retry later.',
	14: 'The service is busy or restarting: retry later.',
	16: 'Check the API Token in the AiSK credential.',
};

export function grpcCodeInfo(code: number): GrpcCodeInfo {
	return GRPC_CODES[code] ?? { name: `CODE_${code}`, meaning: 'unrecognised gRPC code', httpStatus: 500 };
}

interface GrpcDetail {
	'@type'?: unknown;
	reason?: unknown;
	domain?: unknown;
	metadata?: Record<string, unknown>;
	retryDelay?: unknown;
}

export interface GrpcErrorBody {
	code?: unknown;
	message?: unknown;
	details?: unknown;
}

function typeName(detail: GrpcDetail): string {
	return typeof detail['@type'] === 'string' ? detail['@type'] : '';
}

/** Seconds as a number or a numeric string (ErrorInfo metadata values are strings). */
function seconds(value: unknown): number | undefined {
	const number = typeof value === 'number' ? value : typeof value === 'string' && value.trim() !== '' ? Number(value) : NaN;
	return Number.isFinite(number) && number >= 0 ? number : undefined;
}

/** The wait the details ask for: ErrorInfo `metadata.wait_sec`, or RetryInfo `retryDelay` ("1.5s"). */
export function detailsWaitMs(details: unknown): number | undefined {
	if (!Array.isArray(details)) return undefined;
	let waitMs: number | undefined;
	for (const entry of details as GrpcDetail[]) {
		if (!entry || typeof entry !== 'object') continue;
		const type = typeName(entry);
		let sec: number | undefined;
		if (type.endsWith('google.rpc.ErrorInfo') || entry.metadata) sec = seconds(entry.metadata?.wait_sec);
		if (sec === undefined && type.endsWith('google.rpc.RetryInfo')) {
			const delay = typeof entry.retryDelay === 'string' ? /^(\d+(?:\.\d+)?)s$/.exec(entry.retryDelay.trim()) : null;
			sec = delay ? Number(delay[1]) : undefined;
		}
		if (sec !== undefined) waitMs = Math.max(waitMs ?? 0, Math.round(sec * 1000));
	}
	return waitMs;
}

function describeDetails(details: unknown): string | undefined {
	if (!Array.isArray(details)) return undefined;
	const parts: string[] = [];
	for (const entry of details as GrpcDetail[]) {
		if (!entry || typeof entry !== 'object' || !typeName(entry).endsWith('google.rpc.ErrorInfo')) continue;
		if (typeof entry.reason === 'string' && entry.reason) {
			parts.push(`reason ${entry.reason}${typeof entry.domain === 'string' && entry.domain ? ` (${entry.domain})` : ''}`);
		}
	}
	return parts.length ? `Error info: ${parts.join(', ')}.` : undefined;
}

/** The ErrorInfo reason of a 429 whose daily quota is used up: no retry can succeed before `reset_at`. */
export const OUT_OF_QUOTA_REASON = 'ERROR_REASON_PROMPT_OUT_OF_QUOTA';

/** The out-of-quota ErrorInfo's metadata, when the details hold one. */
function outOfQuotaMetadata(details: unknown): Record<string, unknown> | undefined {
	if (!Array.isArray(details)) return undefined;
	const info = (details as GrpcDetail[]).find((entry) => entry && typeof entry === 'object' && entry.reason === OUT_OF_QUOTA_REASON);
	return info ? (info.metadata ?? {}) : undefined;
}

/**
 * The AgentChatError for a failed answer: a grpc-gateway body is mapped by its code; anything else
 * (an HTML page from a proxy, an empty body) by its HTTP status. grpc-gateway's stream handler
 * wraps the Status as `{"error": Status}`; both shapes are read.
 */
export function aiskErrorFromResponse(statusCode: number, body: string, retryAfter?: string, now = Date.now()): AgentChatError {
	let parsed: GrpcErrorBody | undefined;
	try {
		const value = JSON.parse(body) as unknown;
		if (value && typeof value === 'object' && !Array.isArray(value)) parsed = value as GrpcErrorBody;
	} catch {
		// A stream handler's error element ends with a newline, maybe followed by more: the first line.
		try {
			const first = JSON.parse(body.split('\n', 1)[0]) as unknown;
			if (first && typeof first === 'object' && !Array.isArray(first)) parsed = first as GrpcErrorBody;
		} catch {
			parsed = undefined;
		}
	}
	const wrapped = parsed && (parsed as { error?: unknown }).error;
	if (wrapped && typeof wrapped === 'object' && !Array.isArray(wrapped) && parsed!.code === undefined) parsed = wrapped as GrpcErrorBody;
	const code = parsed ? seconds(parsed.code) : undefined;
	if (!parsed || code === undefined || !Number.isInteger(code)) return httpStatusError('AiSK', statusCode, body, parseRetryAfterMs(retryAfter));
	return aiskErrorFromStatus(parsed, statusCode, retryAfter, now);
}

/**
 * The AgentChatError for a google.rpc.Status: from an error answer, or from an `{"error": Status}`
 * element in the middle of a stream (`httpStatus` then the status grpc-gateway maps the code to).
 */
export function aiskErrorFromStatus(status: GrpcErrorBody, httpStatus?: number, retryAfter?: string, now = Date.now()): AgentChatError {
	const code = seconds(status.code) ?? 2;
	const info = grpcCodeInfo(code);
	const statusCode = httpStatus ?? info.httpStatus;
	const serverMessage = typeof status.message === 'string' ? status.message.trim() : '';
	const quota = outOfQuotaMetadata(status.details);
	if (quota) return outOfQuotaError(code, info, statusCode, serverMessage, quota);
	const headerWait = parseRetryAfterMs(retryAfter, now);
	const detailWait = detailsWaitMs(status.details);
	const retryAfterMs =
		headerWait === undefined && detailWait === undefined ? undefined : Math.max(headerWait ?? 0, detailWait ?? 0);
	const description = [
		`HTTP ${statusCode}, gRPC code ${code} ${info.name}: ${info.meaning}.`,
		HINTS[code],
		describeDetails(status.details),
	]
		.filter(Boolean)
		.join(' ');
	const message = serverMessage
		? `AiSK error ${code} ${info.name} (${info.meaning}): ${serverMessage}`
		: `AiSK error ${code} ${info.name}: ${info.meaning}`;
	return new AgentChatError(message, {
		kind: 'vendor',
		code: info.name,
		httpStatus: statusCode,
		description,
		retryable: AISK_RETRYABLE_CODES.has(code) || RETRYABLE_HTTP_STATUSES.has(statusCode),
		retryAfterMs,
	});
}

/** The chatbot's daily quota is used up: fails at once, naming the quota and when it resets. */
function outOfQuotaError(code: number, info: GrpcCodeInfo, statusCode: number, serverMessage: string, metadata: Record<string, unknown>): AgentChatError {
	const text = (value: unknown) => (typeof value === 'string' || typeof value === 'number' ? String(value) : '');
	const limit = text(metadata.limit);
	const resetAt = text(metadata.reset_at);
	const quota = limit ? `the chatbot's daily quota of ${limit} messages` : 'the chatbot\'s daily quota of messages';
	const message = `AiSK error ${code} ${info.name} (out of quota): ${quota} is used up${resetAt ? `; it resets at ${resetAt}` : ''}`;
	return new AgentChatError(message, {
		kind: 'vendor',
		code: info.name,
		httpStatus: statusCode,
		description: [
			`HTTP ${statusCode}, gRPC code ${code} ${info.name}${serverMessage ? ` (${serverMessage})` : ''}: reason ${OUT_OF_QUOTA_REASON}.`,
			resetAt ? `No message can be answered before ${resetAt} (reset_at).` : 'No message can be answered before the quota resets.',
			'Raise the chatbot\'s quota in BlendVision One or run the workflow after the reset.',
		].join(' '),
		retryable: false,
	});
}
