import type { IDataObject } from 'n8n-workflow';
import { bodyExcerpt } from '../shared/errors';
import { fieldText, isObject, isTateEnvelope } from './envelope';
import { tateEnvelopeError, unexpectedResponseError } from './errors';

/** tate-a-tate answers to the node's output (pure). */

/**
 * The message object of one parsed answer or data line: the envelope's `object`, or the value itself
 * when it is a bare object. A failure envelope is thrown.
 */
export function tateObjectFrom(value: unknown): IDataObject {
	if (!isObject(value)) throw unexpectedResponseError('tate-a-tate answered with something that is not a JSON object');
	if (!isTateEnvelope(value)) return value;
	if (value.success === false) throw tateEnvelopeError(value);
	if (!isObject(value.object)) {
		throw unexpectedResponseError(
			'tate-a-tate reported success without a message object',
			`code ${fieldText(value.code) || '(none)'}, message ${fieldText(value.message) || '(none)'}`,
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
		throw unexpectedResponseError('tate-a-tate answered with something that is not JSON', `Response body: ${bodyExcerpt(body) || '(empty)'}`);
	}
	const object = tateObjectFrom(parsed);
	return tateOutput(object, fieldText(object.msgContent));
}
