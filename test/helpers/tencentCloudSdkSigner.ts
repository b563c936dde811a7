/**
 * Tencent's own TC3-HMAC-SHA256 signer, from its Node.js SDK (a dev dependency), called directly:
 * an oracle for the nodes' signer that shares no code with it.
 *
 * Known difference, pinned in tc3Sdk.test.ts: this signer puts the URL's hostname WITHOUT the port
 * in the canonical `host` line, while it sends `Host` with the port. With the vendor's hosts
 * (default port) the two are the same.
 */
import Sign from 'tencentcloud-sdk-nodejs-common/tencentcloud/common/sign';

export interface SdkSignInput {
	/** The request URL; the SDK signs its hostname and path. */
	url: string;
	/** The headers to send; the SDK reads `Content-Type` from them. */
	headers: Record<string, string>;
	/** The exact body bytes. */
	body: string | Buffer;
	timestamp: number;
	service: string;
	secretId: string;
	secretKey: string;
}

/** The Authorization header value Tencent's SDK computes for a POST with a JSON body. */
export function sdkAuthorization(input: SdkSignInput): string {
	return Sign.sign3({
		method: 'POST',
		url: input.url,
		// A Buffer is hashed as is; anything else the SDK would serialise as JSON first.
		payload: Buffer.isBuffer(input.body) ? input.body : Buffer.from(input.body, 'utf8'),
		timestamp: input.timestamp,
		service: input.service,
		secretId: input.secretId,
		secretKey: input.secretKey,
		multipart: false,
		boundary: '',
		headers: input.headers,
	});
}
