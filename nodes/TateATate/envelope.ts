import type { IDataObject } from 'n8n-workflow';
import { isObject } from '../shared/validation';

/**
 * The shape of tate-a-tate answers: a sync answer is the envelope
 * `{"success","message","method","object":{…},"code","request_id"}`; stream data lines carry the same
 * envelope or the bare `object`.
 */


/** An envelope rather than a bare object: it says success, or carries `object` next to `code`/`message`. */
export function isTateEnvelope(value: IDataObject): boolean {
	return typeof value.success === 'boolean' || ('object' in value && ('code' in value || 'message' in value));
}

/** A field as text: strings as they are, anything else as JSON. */
export function fieldText(value: unknown): string {
	if (value === undefined || value === null) return '';
	return typeof value === 'string' ? value : JSON.stringify(value);
}

export { isObject };
