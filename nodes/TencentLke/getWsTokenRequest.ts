import { inputError } from '../shared/errors';
import { checkBaseUrl, checkIntegerOption } from '../shared/validation';
import { signTc3 } from './tc3Signer';

/**
 * Tencent Cloud API 3.0 action GetWsToken (version 2023-11-30), as pure functions: checking the
 * input and building the signed request (exact body bytes and headers). Its answer is read in errors.ts.
 */

export const CLOUD_API_VERSION = '2023-11-30';
export const GET_WS_TOKEN_ACTION = 'GetWsToken';
/** The TC3 service name is `lke` whatever host the requests go to (proxies, private deployments). */
export const LKE_SERVICE = 'lke';
/** Sent byte-for-byte as the Content-Type header: the signature covers this exact value. */
export const CLOUD_API_CONTENT_TYPE = 'application/json';
/** Access type 5: API visitor (the only type Tencent documents for GetWsToken). */
export const WS_TOKEN_TYPE_API_VISITOR = 5;
export const VISITOR_BIZ_ID_MAX = 64;

export const DEFAULT_CLOUD_API_TIMEOUT_MS = 30_000;
export const DEFAULT_CLOUD_API_MAX_RETRIES = 2;

export interface GetWsTokenInput {
	secretId: unknown;
	secretKey: unknown;
	appKey: unknown;
	visitorBizId: unknown;
	apiEndpoint: string;
	region: string;
	/** Used when visitorBizId is empty. */
	defaultVisitorBizId: string;
	options?: { timeout?: unknown; maxRetries?: unknown };
}

/** Everything needed to send GetWsToken; signed anew for every attempt (the timestamp is part of it). */
export interface GetWsTokenPlan {
	url: string;
	host: string;
	region: string;
	secretId: string;
	secretKey: string;
	body: string;
	timeoutMs: number;
	maxRetries: number;
}

export interface CloudApiRequest {
	url: string;
	headers: Record<string, string>;
	body: string;
	/** The Authorization header value: a secret for logs and errors. */
	authorization: string;
}

function credentialText(value: unknown): string {
	return typeof value === 'string' ? value.trim() : '';
}

/** Checks the input; throws an input error naming the field before anything is sent. */
export function planGetWsToken(input: GetWsTokenInput): GetWsTokenPlan {
	const secretId = credentialText(input.secretId);
	if (secretId === '') {
		throw inputError('secretId', 'the Tencent LKE credential has no SecretId; Get WS Token needs the Cloud API keys (SecretId and SecretKey)');
	}
	const secretKey = credentialText(input.secretKey);
	if (secretKey === '') {
		throw inputError('secretKey', 'the Tencent LKE credential has no SecretKey; Get WS Token needs the Cloud API keys (SecretId and SecretKey)');
	}
	const appKey = credentialText(input.appKey);
	if (appKey === '') throw inputError('appKey', 'the Tencent LKE credential has no AppKey');

	const visitorValue = input.visitorBizId;
	if (visitorValue !== undefined && visitorValue !== null && typeof visitorValue !== 'string' && typeof visitorValue !== 'number') {
		throw inputError('visitorBizId', 'must be text');
	}
	let visitorBizId = visitorValue === undefined || visitorValue === null ? '' : String(visitorValue).trim();
	if (visitorBizId === '') visitorBizId = input.defaultVisitorBizId;
	if (visitorBizId.length > VISITOR_BIZ_ID_MAX) {
		throw inputError('visitorBizId', `must be at most ${VISITOR_BIZ_ID_MAX} characters (got ${visitorBizId.length})`);
	}

	checkBaseUrl(input.apiEndpoint, 'apiEndpoint');
	const url = input.apiEndpoint.trim();
	const region = input.region.trim();
	if (region === '') throw inputError('region', 'is required for Cloud API requests');

	const options = input.options ?? {};
	return {
		url,
		// URL.host carries the port only when it is not the scheme's default, as the Host header must.
		host: new URL(url).host,
		region,
		secretId,
		secretKey,
		body: JSON.stringify({ Type: WS_TOKEN_TYPE_API_VISITOR, BotAppKey: appKey, VisitorBizId: visitorBizId }),
		timeoutMs: checkIntegerOption(options.timeout ?? DEFAULT_CLOUD_API_TIMEOUT_MS, 'options.timeout', 1, 3_600_000),
		maxRetries: checkIntegerOption(options.maxRetries ?? DEFAULT_CLOUD_API_MAX_RETRIES, 'options.maxRetries', 0, 10),
	};
}

/** The signed request for one attempt at `timestamp` (seconds). */
export function buildCloudApiRequest(plan: GetWsTokenPlan, timestamp: number): CloudApiRequest {
	const { authorization } = signTc3({
		secretId: plan.secretId,
		secretKey: plan.secretKey,
		service: LKE_SERVICE,
		host: plan.host,
		contentType: CLOUD_API_CONTENT_TYPE,
		body: plan.body,
		timestamp,
	});
	return {
		url: plan.url,
		body: plan.body,
		authorization,
		headers: {
			Authorization: authorization,
			'Content-Type': CLOUD_API_CONTENT_TYPE,
			Host: plan.host,
			'X-TC-Action': GET_WS_TOKEN_ACTION,
			'X-TC-Version': CLOUD_API_VERSION,
			'X-TC-Timestamp': String(timestamp),
			'X-TC-Region': plan.region,
		},
	};
}
