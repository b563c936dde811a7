import { NodeApiError, NodeOperationError, type IDataObject, type INode, type INodeCredentialTestResult, type JsonObject } from 'n8n-workflow';
import { TransportError } from './transport';
import { SseFormatError } from './sse';

/**
 * The package's own failure type, free of n8n: request builders, aggregators and vendor error
 * mappers throw it, and `toNodeError` turns it into what n8n shows.
 */
export type FailureKind = 'input' | 'vendor' | 'http' | 'transport' | 'protocol';

export interface AgentChatErrorOptions {
	kind: FailureKind;
	/** The vendor's code (460011, 'AuthFailure.SignatureExpire', 'UNAVAILABLE' …) or ours. */
	code: string | number;
	description?: string;
	httpStatus?: number;
	retryable?: boolean;
	/** How long the server asked us to wait before trying again. */
	retryAfterMs?: number;
	/** For input errors: the parameter that broke its rule. */
	field?: string;
}

export class AgentChatError extends Error {
	readonly kind: FailureKind;
	readonly code: string | number;
	readonly description?: string;
	readonly httpStatus?: number;
	/** Cleared by an attempt once a retry could duplicate or lose what already arrived. */
	retryable: boolean;
	readonly retryAfterMs?: number;
	readonly field?: string;
	/** What arrived before the failure (a chat's reply so far), kept for the failed item. */
	partial?: IDataObject;

	constructor(message: string, options: AgentChatErrorOptions) {
		super(message);
		this.name = 'AgentChatError';
		this.kind = options.kind;
		this.code = options.code;
		this.description = options.description;
		this.httpStatus = options.httpStatus;
		this.retryable = options.retryable ?? false;
		this.retryAfterMs = options.retryAfterMs;
		this.field = options.field;
	}
}

export function inputError(field: string, rule: string): AgentChatError {
	return new AgentChatError(`Invalid parameter '${field}': ${rule}`, { kind: 'input', code: 'INVALID_INPUT', field });
}

const TRANSPORT_CODES: Record<TransportError['kind'], string> = {
	connect: 'CONNECTION_FAILED',
	dns: 'HOST_NOT_FOUND',
	reset: 'CONNECTION_RESET',
	'idle-timeout': 'IDLE_TIMEOUT',
	'total-timeout': 'TIMEOUT',
	cancelled: 'CANCELLED',
	protocol: 'PROTOCOL_ERROR',
};

/** Any failure, as an AgentChatError. */
export function asAgentChatError(error: unknown): AgentChatError {
	if (error instanceof AgentChatError) return error;
	if (error instanceof TransportError) {
		return new AgentChatError(error.message, {
			kind: 'transport',
			code: TRANSPORT_CODES[error.kind],
			retryable: error.retryable,
		});
	}
	if (error instanceof SseFormatError) {
		return new AgentChatError(error.message, { kind: 'protocol', code: 'PROTOCOL_ERROR' });
	}
	const message = error instanceof Error ? error.message : String(error);
	return new AgentChatError(message, { kind: 'protocol', code: 'UNEXPECTED_ERROR' });
}

const MIN_SECRET_LENGTH = 4;
/** The shortest start of a secret masked where a text was cut short (at its end, maybe before "…"). */
const MIN_CUT_SECRET_LENGTH = 8;

/**
 * Replaces every occurrence of a secret with a mask. Short values are left alone: masking "1" would
 * garble text. Error texts quote excerpts of answers cut to a length, so a secret the answer echoed
 * may be cut too: a text that ends with the start of a secret has that start masked as well.
 */
export function redactSecrets(text: string, secrets: readonly string[]): string {
	let result = text;
	for (const secret of secrets) {
		if (secret.length >= MIN_SECRET_LENGTH && result.includes(secret)) {
			result = result.split(secret).join('***');
		}
	}
	for (const secret of secrets) {
		const ellipsis = result.endsWith('…') ? '…' : '';
		const body = result.slice(0, result.length - ellipsis.length);
		for (let length = Math.min(secret.length - 1, body.length); length >= MIN_CUT_SECRET_LENGTH; length--) {
			if (body.endsWith(secret.slice(0, length))) {
				result = `${body.slice(0, body.length - length)}***${ellipsis}`;
				break;
			}
		}
	}
	return result;
}

/** Redacts secrets in every string of a JSON-like value. */
export function redactDeep<T>(value: T, secrets: readonly string[]): T {
	if (secrets.length === 0) return value;
	if (typeof value === 'string') return redactSecrets(value, secrets) as T;
	if (Array.isArray(value)) return value.map((entry) => redactDeep(entry, secrets)) as T;
	if (value && typeof value === 'object') {
		const copy: Record<string, unknown> = {};
		for (const [key, entry] of Object.entries(value)) copy[key] = redactDeep(entry, secrets);
		return copy as T;
	}
	return value;
}

/** The n8n error for a failure: NodeOperationError for bad input, NodeApiError for everything else. */
export function toNodeError(
	node: INode,
	failure: AgentChatError,
	itemIndex: number,
	secrets: readonly string[],
): NodeApiError | NodeOperationError {
	const message = redactSecrets(failure.message, secrets);
	const description = failure.description === undefined ? undefined : redactSecrets(failure.description, secrets);
	if (failure.kind === 'input') {
		return new NodeOperationError(node, message, { itemIndex, description });
	}
	const response: JsonObject = { message, code: failure.code };
	if (failure.httpStatus !== undefined) response.httpStatus = failure.httpStatus;
	const error = new NodeApiError(node, response, {
		message,
		description,
		httpCode: failure.httpStatus === undefined ? undefined : String(failure.httpStatus),
		itemIndex,
	});
	// NodeApiError swaps messages that mention ECONNREFUSED and the like for generic text; the
	// message already says what happened, and it must keep the code the user can look up.
	error.message = message;
	error.description = description ?? null;
	return error;
}

/** The item "Continue On Fail" outputs: the error, its code, and whatever arrived before it. */
export function failedItemJson(failure: AgentChatError, partial: IDataObject, secrets: readonly string[]): IDataObject {
	const json: IDataObject = {
		error: redactSecrets(failure.message, secrets),
		code: failure.code,
		...redactDeep(partial, secrets),
	};
	if (failure.httpStatus !== undefined) json.httpStatus = failure.httpStatus;
	if (failure.description) json.errorDescription = redactSecrets(failure.description, secrets);
	return json;
}

/** What a credential's Test button shows for a failure: the message and its explanation, secrets masked. */
export function credentialTestFailure(error: unknown, secrets: readonly string[]): INodeCredentialTestResult {
	const failure = asAgentChatError(error);
	const text = failure.description ? `${failure.message}. ${failure.description}` : failure.message;
	return { status: 'Error', message: redactSecrets(text, secrets) };
}

/** Statuses worth another attempt: rate limits and a busy or restarting upstream. */
export const RETRYABLE_HTTP_STATUSES: ReadonlySet<number> = new Set([429, 502, 503, 504]);

const BODY_EXCERPT_CHARS = 1_000;

/** Shortens a body for an error text; HTML pages are reduced to their text. */
export function bodyExcerpt(body: string): string {
	let text = body;
	if (/^\s*</.test(text)) text = text.replace(/<script[\s\S]*?<\/script>|<style[\s\S]*?<\/style>/gi, ' ').replace(/<[^>]+>/g, ' ');
	text = text.replace(/\s+/g, ' ').trim();
	return text.length > BODY_EXCERPT_CHARS ? `${text.slice(0, BODY_EXCERPT_CHARS)}…` : text;
}

/** A non-success HTTP answer that the vendor's own error mapping did not recognise. */
export function httpStatusError(vendor: string, status: number, body: string, retryAfterMs?: number): AgentChatError {
	const excerpt = bodyExcerpt(body);
	return new AgentChatError(`${vendor} answered HTTP ${status}${excerpt ? `: ${excerpt.slice(0, 200)}` : ''}`, {
		kind: 'http',
		code: status,
		httpStatus: status,
		description: excerpt ? `Response body: ${excerpt}` : 'The response body was empty.',
		retryable: RETRYABLE_HTTP_STATUSES.has(status),
		retryAfterMs,
	});
}
