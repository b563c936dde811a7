/**
 * Tencent Cloud API 3.0 (`POST /`, header X-TC-Action), action GetWsToken version 2023-11-30.
 *
 * Verified like Tencent: X-TC-Action / X-TC-Version / X-TC-Timestamp present (MissingParameter);
 * Authorization `TC3-HMAC-SHA256 Credential=<id>/<date>/<service>/tc3_request, SignedHeaders=…, Signature=…`
 * (else AuthFailure.InvalidAuthorization); timestamp within 300 s (AuthFailure.SignatureExpire);
 * SecretId known (AuthFailure.SecretIdNotFound); service `lke` and date = the timestamp's UTC date,
 * signature recomputed over the request's actual Host and Content-Type values and raw body bytes
 * (AuthFailure.SignatureFailure); version 2023-11-30 (NoSuchVersion); action GetWsToken
 * (InvalidAction); X-TC-Region present (MissingParameter); body JSON (InvalidParameter).
 * Then: VisitorBizId `sim-error-<Code>` → that error code; `sim-http-<STATUS>` → that HTTP status;
 * Type missing → MissingParameter, not 5 → InvalidParameterValue; BotAppKey ≠ the app key →
 * FailedOperation; VisitorBizId over 64 chars → InvalidParameterValue. Errors are HTTP 200
 * `{"Response":{"Error":{"Code","Message"},"RequestId"}}`.
 */
import { createHash, createHmac, randomUUID, timingSafeEqual } from 'crypto';
import { nowSeconds, retryHeaders, sendJson, type RequestContext } from './core';

export const TC3_MAX_SKEW_SECONDS = 300;

const KNOWN_ERROR_MESSAGES: Record<string, string> = {
	RequestLimitExceeded: 'Your current request times equals to `101` in a second, which exceeds the frequency limit `100` for a second. Please reduce the frequency of calls.',
	InternalError: 'An internal error has occurred. Retry your request, but if the problem persists, contact us.',
	FailedOperation: 'Operation failed.',
	'AuthFailure.UnauthorizedOperation': 'The request is not authorized. Please check the CAM documentation.',
	ResourceUnavailable: 'The resource is unavailable.',
	LimitExceeded: 'Quota limit exceeded.',
};

function header(ctx: RequestContext, name: string): string | undefined {
	const v = ctx.req.headers[name];
	return Array.isArray(v) ? v.join(',') : v;
}

const AUTH_RE =
	/^TC3-HMAC-SHA256 Credential=([^/,\s]+)\/(\d{4}-\d{2}-\d{2})\/([^/,\s]+)\/tc3_request,\s*SignedHeaders=([a-z0-9;-]+),\s*Signature=([0-9a-f]{64})$/;

/** The UTC date (YYYY-MM-DD) of a Unix timestamp in seconds: the date in a TC3 credential scope. */
function utcDate(timestamp: number): string {
	return new Date(timestamp * 1000).toISOString().slice(0, 10);
}

/**
 * The TC3-HMAC-SHA256 signature of the request as received, over the headers it says it signed:
 * the simulator's own implementation of Tencent Cloud's algorithm, so that it checks the node's
 * signer instead of agreeing with it.
 */
function tc3Signature(ctx: RequestContext, signedHeaders: string[], secretKey: string, service: string, timestamp: number): string {
	const sha = (d: string | Buffer) => createHash('sha256').update(d).digest('hex');
	const hmac = (k: string | Buffer, d: string) => createHmac('sha256', k).update(d, 'utf8').digest();
	const canonicalHeaders = signedHeaders.map((n) => `${n}:${(header(ctx, n) ?? '').trim()}\n`).join('');
	const canonical = ['POST', '/', '', canonicalHeaders, signedHeaders.join(';'), sha(ctx.body)].join('\n');
	const date = utcDate(timestamp);
	const toSign = ['TC3-HMAC-SHA256', String(timestamp), `${date}/${service}/tc3_request`, sha(canonical)].join('\n');
	const key = hmac(hmac(hmac(`TC3${secretKey}`, date), service), 'tc3_request');
	return createHmac('sha256', key).update(toSign, 'utf8').digest('hex');
}

export async function handleCloudApi(ctx: RequestContext): Promise<void> {
	const { core, r } = ctx;
	const respond = (fields: Record<string, unknown>, status = 200, headers: Record<string, string> = {}) =>
		sendJson(r, status, { Response: { ...fields, RequestId: randomUUID() } }, headers);
	const fail = (code: string, message: string) => respond({ Error: { Code: code, Message: message } });
	const missing = (name: string) => fail('MissingParameter', `The request is missing a required parameter \`${name}\`.`);

	const action = header(ctx, 'x-tc-action');
	const version = header(ctx, 'x-tc-version');
	const timestampText = header(ctx, 'x-tc-timestamp');
	if (!action) return missing('Action');
	if (!version) return missing('Version');
	if (!timestampText) return missing('Timestamp');

	const auth = AUTH_RE.exec(header(ctx, 'authorization') ?? '');
	if (!auth) return fail('AuthFailure.InvalidAuthorization', 'Authorization is invalid; it must look like `TC3-HMAC-SHA256 Credential=…, SignedHeaders=…, Signature=…`.');
	const [, secretId, credentialDate, service, signedHeadersText, signature] = auth;

	const timestamp = /^\d{1,12}$/.test(timestampText) ? Number(timestampText) : NaN;
	if (!Number.isFinite(timestamp)) return fail('InvalidParameterValue', `The value \`${timestampText}\` of parameter \`Timestamp\` is invalid.`);
	const now = nowSeconds();
	if (Math.abs(now - timestamp) > TC3_MAX_SKEW_SECONDS) {
		return fail('AuthFailure.SignatureExpire', `Signature expired. Timestamp ${timestamp} is more than ${TC3_MAX_SKEW_SECONDS} seconds away from server time ${now}.`);
	}
	if (secretId !== core.opts.secretId) return fail('AuthFailure.SecretIdNotFound', 'The SecretId is not found, please ensure that your SecretId is correct.');
	if (service !== 'lke') return fail('AuthFailure.SignatureFailure', `The provided credentials could not be validated: the credential scope names service \`${service}\`, expected \`lke\`.`);
	if (credentialDate !== utcDate(timestamp)) return fail('AuthFailure.SignatureFailure', `The provided credentials could not be validated: the credential date ${credentialDate} does not match the timestamp's UTC date ${utcDate(timestamp)}.`);
	const signedHeaders = signedHeadersText.split(';');
	if (!signedHeaders.includes('content-type') || !signedHeaders.includes('host')) {
		return fail('AuthFailure.InvalidAuthorization', 'SignedHeaders must include content-type and host.');
	}
	const expected = tc3Signature(ctx, signedHeaders, core.opts.secretKey, service, timestamp);
	if (!timingSafeEqual(Buffer.from(expected), Buffer.from(signature))) {
		return fail('AuthFailure.SignatureFailure', 'The provided credentials could not be validated. Please check your signature is correct.');
	}

	if (version !== '2023-11-30') return fail('NoSuchVersion', `The requested version \`${version}\` of API \`${action}\` does not exist.`);
	if (action !== 'GetWsToken') return fail('InvalidAction', `The action \`${action}\` is not valid for this endpoint.`);
	if (!header(ctx, 'x-tc-region')) return missing('Region');

	const body = ctx.json;
	if (body === null || typeof body !== 'object' || Array.isArray(body)) {
		return fail('InvalidParameter', 'The request body must be a JSON object.');
	}
	const visitor = typeof body.VisitorBizId === 'string' ? body.VisitorBizId : '';
	const simError = /^sim-error-(.+)$/.exec(visitor);
	if (simError) {
		const code = simError[1];
		return fail(code, KNOWN_ERROR_MESSAGES[code] ?? `Simulated error ${code}.`);
	}
	const simHttp = /^sim-http-(\d{3})$/.exec(visitor);
	if (simHttp) {
		const status = Number(simHttp[1]);
		return respond({ Error: { Code: 'InternalError', Message: `Simulated HTTP ${status}.` } }, status, retryHeaders(status));
	}
	if (body.Type === undefined || body.Type === null) return missing('Type');
	if (body.Type !== 5) return fail('InvalidParameterValue', `The value \`${JSON.stringify(body.Type)}\` of parameter \`Type\` is invalid; only 5 (API visitor) is supported.`);
	if (body.BotAppKey !== core.opts.lkeAppKey) return fail('FailedOperation', 'Operation failed: the application does not exist or BotAppKey is invalid.');
	if (visitor.length > 64) return fail('InvalidParameterValue', 'The value of parameter `VisitorBizId` is invalid: at most 64 characters.');

	return respond({
		Token: randomUUID(),
		Balance: 1000.5,
		InputLenLimit: 12000,
		Pattern: 'standard',
		SingleWorkflow: null,
	});
}
