import { createHash, createHmac } from 'crypto';

/** Tencent Cloud API 3.0 signature (TC3-HMAC-SHA256), as a pure function of its inputs. */

export interface Tc3SignInput {
	secretId: string;
	secretKey: string;
	service: string;
	/** Host header value, e.g. `lke.intl.tencentcloudapi.com` (with `:port` when not default). */
	host: string;
	/** Sent byte-for-byte as the Content-Type header; the signature covers this exact value. */
	contentType: string;
	/** The exact body bytes that will be sent. */
	body: string | Buffer;
	/** Seconds since the epoch. */
	timestamp: number;
}

export interface Tc3Signature {
	authorization: string;
	canonicalRequest: string;
	canonicalRequestHash: string;
	stringToSign: string;
	signature: string;
	date: string;
	signedHeaders: string;
}

const ALGORITHM = 'TC3-HMAC-SHA256';

function sha256Hex(data: string | Buffer): string {
	return createHash('sha256').update(data).digest('hex');
}

function hmac(key: string | Buffer, data: string): Buffer {
	return createHmac('sha256', key).update(data, 'utf8').digest();
}

export function utcDate(timestamp: number): string {
	return new Date(timestamp * 1000).toISOString().slice(0, 10);
}

export function signTc3(input: Tc3SignInput): Tc3Signature {
	const date = utcDate(input.timestamp);
	const signedHeaders = 'content-type;host';
	const canonicalHeaders = `content-type:${input.contentType}\nhost:${input.host}\n`;
	const canonicalRequest = [
		'POST',
		'/',
		'',
		canonicalHeaders,
		signedHeaders,
		sha256Hex(input.body),
	].join('\n');
	const canonicalRequestHash = sha256Hex(canonicalRequest);
	const credentialScope = `${date}/${input.service}/tc3_request`;
	const stringToSign = [ALGORITHM, String(input.timestamp), credentialScope, canonicalRequestHash].join('\n');

	const secretDate = hmac(`TC3${input.secretKey}`, date);
	const secretService = hmac(secretDate, input.service);
	const secretSigning = hmac(secretService, 'tc3_request');
	const signature = createHmac('sha256', secretSigning).update(stringToSign, 'utf8').digest('hex');

	const authorization = `${ALGORITHM} Credential=${input.secretId}/${credentialScope}, SignedHeaders=${signedHeaders}, Signature=${signature}`;
	return { authorization, canonicalRequest, canonicalRequestHash, stringToSign, signature, date, signedHeaders };
}
