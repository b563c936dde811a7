/**
 * Tencent Cloud API 3.0 (`POST /`, header X-TC-Action), action GetWsToken version 2023-11-30.
 *
 * Verified like Tencent: X-TC-Action / X-TC-Version / X-TC-Timestamp present (MissingParameter);
 * Authorization `TC3-HMAC-SHA256 Credential=<id>/<date>/<service>/tc3_request, SignedHeaders=…, Signature=…`
 * (else AuthFailure.InvalidAuthorization); timestamp within 300 s (AuthFailure.SignatureExpire);
 * SecretId known (AuthFailure.SecretIdNotFound); service `lke` and date = the timestamp's UTC date,
 * signature recomputed by the simulator's own TC3 check (tc3Verification.ts) over the signed
 * headers as received (Host with its port when the client sent one, Content-Type as sent) and the
 * raw body bytes (AuthFailure.SignatureFailure); version 2023-11-30 (NoSuchVersion); action GetWsToken
 * (InvalidAction); X-TC-Region present (MissingParameter); body JSON (InvalidParameter).
 * Then: VisitorBizId `sim-error-<Code>` → that error code; `sim-http-<STATUS>` → that HTTP status;
 * Type missing → MissingParameter, not 5 → InvalidParameterValue; BotAppKey ≠ the app key →
 * FailedOperation; VisitorBizId over 64 chars → InvalidParameterValue. Errors are HTTP 200
 * `{"Response":{"Error":{"Code","Message"},"RequestId"}}`.
 */
import { randomUUID, timingSafeEqual } from 'crypto';
import { isJsonObject, nowSeconds, retryHeaders, sendJson, type RequestContext } from './core';
import { computeTc3, parseTc3Authorization, tc3ScopeDate } from './tc3Verification';

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

	const auth = parseTc3Authorization(header(ctx, 'authorization') ?? '');
	if (!auth) return fail('AuthFailure.InvalidAuthorization', 'Authorization is invalid; it must look like `TC3-HMAC-SHA256 Credential=…, SignedHeaders=…, Signature=…`.');
	const { secretId, date: credentialDate, service, signedHeaders, signature } = auth;

	const timestamp = /^\d{1,12}$/.test(timestampText) ? Number(timestampText) : NaN;
	if (!Number.isFinite(timestamp)) return fail('InvalidParameterValue', `The value \`${timestampText}\` of parameter \`Timestamp\` is invalid.`);
	const now = nowSeconds();
	if (Math.abs(now - timestamp) > TC3_MAX_SKEW_SECONDS) {
		return fail('AuthFailure.SignatureExpire', `Signature expired. Timestamp ${timestamp} is more than ${TC3_MAX_SKEW_SECONDS} seconds away from server time ${now}.`);
	}
	if (secretId !== core.opts.secretId) return fail('AuthFailure.SecretIdNotFound', 'The SecretId is not found, please ensure that your SecretId is correct.');
	if (service !== 'lke') return fail('AuthFailure.SignatureFailure', `The provided credentials could not be validated: the credential scope names service \`${service}\`, expected \`lke\`.`);
	const scopeDate = tc3ScopeDate(timestamp);
	if (credentialDate !== scopeDate) return fail('AuthFailure.SignatureFailure', `The provided credentials could not be validated: the credential date ${credentialDate} does not match the timestamp's UTC date ${scopeDate}.`);
	if (!signedHeaders.includes('content-type') || !signedHeaders.includes('host')) {
		return fail('AuthFailure.InvalidAuthorization', 'SignedHeaders must include content-type and host.');
	}
	const expected = computeTc3({
		secretKey: core.opts.secretKey,
		service,
		timestamp,
		method: ctx.req.method ?? 'POST',
		signedHeaders: signedHeaders.map((name) => [name, header(ctx, name) ?? ''] as const),
		body: ctx.body,
	}).signature;
	if (!timingSafeEqual(Buffer.from(expected), Buffer.from(signature))) {
		return fail('AuthFailure.SignatureFailure', 'The provided credentials could not be validated. Please check your signature is correct.');
	}

	if (version !== '2023-11-30') return fail('NoSuchVersion', `The requested version \`${version}\` of API \`${action}\` does not exist.`);
	if (action !== 'GetWsToken') return fail('InvalidAction', `The action \`${action}\` is not valid for this endpoint.`);
	if (!header(ctx, 'x-tc-region')) return missing('Region');

	const body = ctx.json;
	if (!isJsonObject(body)) {
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
