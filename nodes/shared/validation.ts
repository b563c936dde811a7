import type { IDataObject } from 'n8n-workflow';
import { inputError } from './errors';

/** Parameter checks shared by every node; each failure names the field and the rule. */

export function checkIntegerOption(value: unknown, field: string, min: number, max: number): number {
	const number = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
	if (typeof number !== 'number' || !Number.isInteger(number) || number < min || number > max) {
		throw inputError(field, `must be a whole number from ${min} to ${max} (got ${JSON.stringify(value)})`);
	}
	return number;
}

/** An http(s) URL without a trailing slash, so paths can be appended. */
export function checkBaseUrl(value: unknown, field: string): string {
	const text = typeof value === 'string' ? value.trim() : '';
	let url: URL;
	try {
		url = new URL(text);
	} catch {
		throw inputError(field, `must be an http:// or https:// URL (got ${JSON.stringify(text)})`);
	}
	if (url.protocol !== 'http:' && url.protocol !== 'https:') {
		throw inputError(field, `must be an http:// or https:// URL (got ${JSON.stringify(text)})`);
	}
	if (url.search || url.hash) throw inputError(field, 'must not contain a query string or fragment');
	return text.replace(/\/+$/, '');
}

export const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** A plain object (not null, not a list): what a JSON object or an n8n collection parses to. */
export function isObject(value: unknown): value is IDataObject {
	return typeof value === 'object' && value !== null && !Array.isArray(value);
}
