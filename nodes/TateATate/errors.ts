import type { IDataObject } from 'n8n-workflow';
import { AgentChatError, RETRYABLE_HTTP_STATUSES, bodyExcerpt, httpStatusError } from '../shared/errors';
import { parseRetryAfterMs } from '../shared/retry';
import { fieldText, isObject, isTateEnvelope } from './envelope';

/** tate-a-tate's errors mapped to AgentChatError (pure): failure envelopes, HTTP statuses, broken answers. */

/** The status codes tate-a-tate documents, used to explain error codes. */
export const TATE_CODE_MEANINGS: Readonly<Record<string, string>> = {
	'200': 'OK',
	'201': 'Created',
	'401': 'Unauthorized',
	'403': 'Forbidden',
	'404': 'Not Found',
};

const TATE_CODE_HINTS: Readonly<Record<string, string>> = {
	'401':
		'Check the Secret Key in the tate-a-tate credential and the n8n host\'s clock: the Authorization carries the current time and must be within 30 seconds of the server\'s.',
	'403': 'The secret key may not use this agent: check the Bot ID and the key.',
	'404': 'Check the Bot ID, and the Conversation ID when one is given (it must be a conversation of this agent).',
};

/** The error for an envelope that reports a failure (`success: false`), or a non-2xx answer with one. */
export function tateEnvelopeError(envelope: IDataObject, httpStatus?: number, retryAfter?: string): AgentChatError {
	const code = fieldText(envelope.code) || (httpStatus !== undefined ? String(httpStatus) : 'UNKNOWN');
	const message = fieldText(envelope.message).trim();
	const meaning = TATE_CODE_MEANINGS[code];
	const headline =
		meaning && message && message.toLowerCase() !== meaning.toLowerCase()
			? `${code} (${meaning}): ${message}`
			: `${code}: ${message || meaning || 'no message'}`;
	const requestId = fieldText(envelope.request_id);
	const description = [
		httpStatus !== undefined ? `HTTP ${httpStatus}.` : undefined,
		TATE_CODE_HINTS[code] ?? (httpStatus !== undefined ? TATE_CODE_HINTS[String(httpStatus)] : undefined),
		requestId ? `request_id: ${requestId}.` : undefined,
	]
		.filter(Boolean)
		.join(' ');
	return new AgentChatError(`tate-a-tate error ${headline}`, {
		kind: 'vendor',
		code,
		httpStatus,
		description: description || undefined,
		retryable: httpStatus !== undefined && RETRYABLE_HTTP_STATUSES.has(httpStatus),
		retryAfterMs: parseRetryAfterMs(retryAfter),
	});
}

/** A non-2xx answer: the envelope's code and message when it reports a failure, else the HTTP status. */
export function tateHttpError(statusCode: number, body: string, retryAfter?: string): AgentChatError {
	try {
		const parsed = JSON.parse(body) as unknown;
		// A success envelope's code and message ("1: OK") would only hide what went wrong: the status.
		if (isObject(parsed) && isTateEnvelope(parsed) && parsed.success !== true) return tateEnvelopeError(parsed, statusCode, retryAfter);
	} catch {
		// not JSON: reported by status below
	}
	return httpStatusError('tate-a-tate', statusCode, body, parseRetryAfterMs(retryAfter));
}

/** An answer or a stream line that is not what the API documents. */
export function unexpectedResponseError(message: string, detail?: string): AgentChatError {
	return new AgentChatError(message, { kind: 'protocol', code: 'UNEXPECTED_RESPONSE', description: detail });
}

/** A stream line that is not JSON. */
export function invalidLineError(line: string): AgentChatError {
	return unexpectedResponseError('A tate-a-tate stream line is not JSON', `Line: ${bodyExcerpt(line).slice(0, 300)}`);
}

/** The stream closed before the line marked isFinal 1. */
export function incompleteStreamError(retryable: boolean): AgentChatError {
	return new AgentChatError('The tate-a-tate stream ended before the final message (isFinal 1): the answer is incomplete', {
		kind: 'protocol',
		code: 'INCOMPLETE_STREAM',
		description: 'The server closed the stream without a line marked isFinal 1. What arrived is kept on the item under "Continue On Fail".',
		retryable,
	});
}
