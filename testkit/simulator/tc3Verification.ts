/**
 * The simulator's own check of Tencent Cloud API 3.0 signatures (TC3-HMAC-SHA256), written from
 * Tencent's "Signature v3" documentation and kept apart from the nodes' signer, so that each one
 * checks the other.
 *
 * It rebuilds what the service rebuilds from a request it has received: the canonical request from
 * the signed headers as they arrived (names and values lower-cased and trimmed, as the documentation
 * prescribes; `host` is therefore the Host header the client sent, with its port when it sent one)
 * and the exact body bytes; then the string to sign and the derived signing key.
 */
import { createHash, createHmac } from 'crypto';

export const TC3_ALGORITHM = 'TC3-HMAC-SHA256';

export interface Tc3Inputs {
	secretKey: string;
	/** The service in the credential scope, e.g. `lke`. */
	service: string;
	/** The X-TC-Timestamp value, in seconds. */
	timestamp: number;
	/** HTTP method as received; API 3.0 signs `POST` (JSON body) or `GET`. */
	method: string;
	/** Each signed header, in the order of SignedHeaders, with its value as received. */
	signedHeaders: ReadonlyArray<readonly [name: string, value: string]>;
	/** The body bytes as received. */
	body: Buffer | string;
}

export interface Tc3Computation {
	canonicalRequest: string;
	stringToSign: string;
	/** Hex HMAC-SHA256 of the string to sign. */
	signature: string;
}

export interface Tc3Authorization {
	secretId: string;
	/** The date in the credential scope (YYYY-MM-DD). */
	date: string;
	service: string;
	signedHeaders: string[];
	signature: string;
}

/** The credential scope's date: the UTC calendar day of the timestamp. */
export function tc3ScopeDate(timestamp: number): string {
	return new Date(timestamp * 1000).toISOString().slice(0, 10);
}

function sha256Hex(data: Buffer | string): string {
	return createHash('sha256').update(data).digest('hex');
}

function hmacSha256(key: Buffer | string, text: string): Buffer {
	return createHmac('sha256', key).update(text, 'utf8').digest();
}

export function computeTc3(inputs: Tc3Inputs): Tc3Computation {
	const headers = inputs.signedHeaders.map(([name, value]) => [name.trim().toLowerCase(), value.trim().toLowerCase()] as const);
	const canonicalRequest = [
		inputs.method.toUpperCase(),
		// API 3.0 fixes the canonical URI to `/`; a POST has an empty canonical query string.
		'/',
		'',
		headers.map(([name, value]) => `${name}:${value}\n`).join(''),
		headers.map(([name]) => name).join(';'),
		sha256Hex(inputs.body),
	].join('\n');
	const date = tc3ScopeDate(inputs.timestamp);
	const stringToSign = [TC3_ALGORITHM, String(inputs.timestamp), `${date}/${inputs.service}/tc3_request`, sha256Hex(canonicalRequest)].join('\n');
	const dateKey = hmacSha256(`TC3${inputs.secretKey}`, date);
	const serviceKey = hmacSha256(dateKey, inputs.service);
	const signingKey = hmacSha256(serviceKey, 'tc3_request');
	return { canonicalRequest, stringToSign, signature: createHmac('sha256', signingKey).update(stringToSign, 'utf8').digest('hex') };
}

const AUTHORIZATION_PATTERN =
	/^TC3-HMAC-SHA256 Credential=([^/,\s]+)\/(\d{4}-\d{2}-\d{2})\/([^/,\s]+)\/tc3_request,\s*SignedHeaders=([a-z0-9;-]+),\s*Signature=([0-9a-f]{64})$/;

/** The parts of `TC3-HMAC-SHA256 Credential=<id>/<date>/<service>/tc3_request, SignedHeaders=…, Signature=…`, or undefined. */
export function parseTc3Authorization(value: string): Tc3Authorization | undefined {
	const match = AUTHORIZATION_PATTERN.exec(value);
	if (!match) return undefined;
	const [, secretId, date, service, signedHeaders, signature] = match;
	return { secretId, date, service, signedHeaders: signedHeaders.split(';'), signature };
}
