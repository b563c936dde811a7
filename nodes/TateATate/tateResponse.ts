import type { IDataObject } from 'n8n-workflow';
import { AgentChatError } from '../shared/errors';
import { RETRYABLE_HTTP_STATUSES, bodyExcerpt, httpStatusError } from '../shared/httpErrors';
import { parseRetryAfterMs } from '../shared/retry';

/**
 * tate-a-tate answers, as pure functions. A sync answer is the envelope
 * `{"success","message","method","object":{…},"code","request_id"}`; stream data lines carry the same
 * envelope or the bare `object`, with `msgContent` growing (each line the whole text so far) or, with
 * some deployments, each line only the new piece, until `isFinal` is 1.
 */

/** The status codes the API documents (seed 002), used to explain error codes. */
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

function isObject(value: unknown): value is IDataObject {
	return !!value && typeof value === 'object' && !Array.isArray(value);
}

/** An envelope rather than a bare object: it says success, or carries `object` next to `code`/`message`. */
export function isTateEnvelope(value: IDataObject): boolean {
	return typeof value.success === 'boolean' || ('object' in value && ('code' in value || 'message' in value));
}

function text(value: unknown): string {
	if (value === undefined || value === null) return '';
	return typeof value === 'string' ? value : JSON.stringify(value);
}

/** The error for an envelope that reports a failure (`success: false`), or a non-2xx answer with one. */
export function tateEnvelopeError(envelope: IDataObject, httpStatus?: number, retryAfter?: string): AgentChatError {
	const code = text(envelope.code) || (httpStatus !== undefined ? String(httpStatus) : 'UNKNOWN');
	const message = text(envelope.message).trim();
	const meaning = TATE_CODE_MEANINGS[code];
	const headline =
		meaning && message && message.toLowerCase() !== meaning.toLowerCase()
			? `${code} (${meaning}): ${message}`
			: `${code}: ${message || meaning || 'no message'}`;
	const requestId = text(envelope.request_id);
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

/** A non-2xx answer: the envelope's code and message when there is one, else the HTTP status. */
export function tateHttpError(statusCode: number, body: string, retryAfter?: string): AgentChatError {
	try {
		const parsed = JSON.parse(body) as unknown;
		if (isObject(parsed) && isTateEnvelope(parsed)) return tateEnvelopeError(parsed, statusCode, retryAfter);
	} catch {
		// not JSON: reported by status below
	}
	return httpStatusError('tate-a-tate', statusCode, body, retryAfter);
}

function protocolError(message: string, detail?: string): AgentChatError {
	return new AgentChatError(message, { kind: 'protocol', code: 'UNEXPECTED_RESPONSE', description: detail });
}

/**
 * The message object of one parsed answer or data line: the envelope's `object`, or the value itself
 * when it is a bare object. A failure envelope is thrown.
 */
export function tateObjectFrom(value: unknown): IDataObject {
	if (!isObject(value)) throw protocolError('tate-a-tate answered with something that is not a JSON object');
	if (!isTateEnvelope(value)) return value;
	if (value.success === false) throw tateEnvelopeError(value);
	if (!isObject(value.object)) {
		throw protocolError(
			'tate-a-tate reported success without a message object',
			`code ${text(value.code) || '(none)'}, message ${text(value.message) || '(none)'}`,
		);
	}
	return value.object;
}

/** The node's output for a final message object: its fields as sent plus `reply`. */
export function tateOutput(object: IDataObject, reply: string): IDataObject {
	return { ...object, msgContent: reply, reply };
}

/** A whole (sync) JSON answer body to the node's output. */
export function parseTateJsonAnswer(body: string): IDataObject {
	let parsed: unknown;
	try {
		parsed = JSON.parse(body);
	} catch {
		throw protocolError('tate-a-tate answered with something that is not JSON', `Response body: ${bodyExcerpt(body) || '(empty)'}`);
	}
	const object = tateObjectFrom(parsed);
	return tateOutput(object, text(object.msgContent));
}

/**
 * Whether an SSE event is a message line for the aggregator. Skipped: a last event cut off by the
 * end of the stream whose data is not complete JSON (the answer is then incomplete, not malformed),
 * and events of another type (`event: ping`, a heartbeat) whose data is not a message object.
 */
export function isTateMessageEvent(event: { event?: string; data: string; unterminated?: boolean }): boolean {
	const otherType = event.event !== undefined && event.event !== '' && event.event !== 'message';
	if (!otherType && !event.unterminated) return true;
	let parsed: unknown;
	try {
		parsed = JSON.parse(event.data.trim());
	} catch {
		return false;
	}
	if (!otherType) return true;
	return isObject(parsed) && (isTateEnvelope(parsed) || 'msgContent' in parsed || 'msgId' in parsed || 'isFinal' in parsed);
}

/** True when a body that did not say text/event-stream still is one (`data:` lines). */
export function looksLikeEventStream(body: string): boolean {
	return /^\s*(data|event|id|retry)\s*:/.test(body) || /^\s*:/.test(body);
}

/**
 * Merges stream data lines. `msgContent` replaces the text while each line extends the text so far
 * (cumulative lines); the first line that does not extend it switches to appending (delta lines).
 */
export class TateStreamAggregator {
	private text = '';
	private last: IDataObject | undefined;
	private mode: 'cumulative' | 'delta' = 'cumulative';
	private final = false;

	get isFinal(): boolean {
		return this.final;
	}

	/** Whether any message text has arrived (then a retry would repeat it). */
	get hasContent(): boolean {
		return this.text.length > 0;
	}

	get reply(): string {
		return this.text;
	}

	/** Takes one data line; returns the new piece of text (empty when none). Throws for failure envelopes. */
	accept(data: string): string {
		const trimmed = data.trim();
		if (trimmed === '' || trimmed === '[DONE]') return '';
		let parsed: unknown;
		try {
			parsed = JSON.parse(trimmed);
		} catch {
			throw protocolError('A tate-a-tate stream line is not JSON', `Line: ${bodyExcerpt(trimmed).slice(0, 300)}`);
		}
		const object = tateObjectFrom(parsed);
		this.last = { ...(this.last ?? {}), ...object };
		let delta = '';
		if (typeof object.msgContent === 'string') delta = this.merge(object.msgContent);
		if (Number(object.isFinal) === 1 || object.isFinal === true) this.final = true;
		return delta;
	}

	private merge(content: string): string {
		if (content === '') return '';
		if (this.mode === 'cumulative') {
			if (content.startsWith(this.text)) {
				const delta = content.slice(this.text.length);
				this.text = content;
				return delta;
			}
			this.mode = 'delta';
		}
		this.text += content;
		return content;
	}

	/** The output so far: the last line's fields, the merged text as msgContent, and reply. */
	result(): IDataObject {
		return tateOutput(this.last ?? {}, this.text);
	}

	/** What a failed item keeps: the same, or nothing when nothing arrived. */
	partial(): IDataObject {
		return this.last ? this.result() : {};
	}
}
