import type { IDataObject } from 'n8n-workflow';
import type { CallOptions } from '../shared/itemRunner';
import { withRetries } from '../shared/retry';
import { headerValue, readBodyText, withHttpExchange } from '../shared/transport';
import { parseCloudApiResponse } from './errors';
import { buildCloudApiRequest, type GetWsTokenPlan } from './getWsTokenRequest';

/** Get WS Token over the Cloud API: one signed call per attempt, retried within the plan's timeout. */

export interface CloudApiCallOptions extends CallOptions {
	/** Every Authorization value sent is reported here, so it can be masked like the keys. */
	onAuthorization?: (authorization: string) => void;
	random?: () => number;
	/** Seconds since the epoch; the request is signed anew with it for every attempt. */
	nowSeconds?: () => number;
}

const CLOUD_API_ANSWER_MAX_BYTES = 1024 * 1024;

/**
 * Sends GetWsToken, retrying refused/reset connections, HTTP 429/502/503/504 and the Cloud API
 * codes RequestLimitExceeded(.*) and InternalError, within the plan's timeout.
 */
export async function callGetWsToken(plan: GetWsTokenPlan, options: CloudApiCallOptions = {}): Promise<IDataObject> {
	const now = options.nowSeconds ?? (() => Math.floor(Date.now() / 1000));
	return await withRetries({ ...options, maxRetries: plan.maxRetries, timeoutMs: plan.timeoutMs }, async (budgetMs) => {
		const request = buildCloudApiRequest(plan, now());
		options.onAuthorization?.(request.authorization);
		const exchangeOptions = {
			url: request.url,
			method: 'POST' as const,
			headers: request.headers,
			body: request.body,
			idleTimeoutMs: budgetMs,
			totalTimeoutMs: budgetMs,
			signal: options.signal,
		};
		return await withHttpExchange(exchangeOptions, async (exchange) => {
			const text = await readBodyText(exchange, CLOUD_API_ANSWER_MAX_BYTES);
			return parseCloudApiResponse(exchange.statusCode, text, headerValue(exchange.headers, 'retry-after'));
		});
	});
}
