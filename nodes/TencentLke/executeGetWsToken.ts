import type {
	ICredentialDataDecryptedObject,
	IDataObject,
	IExecuteFunctions,
	INodeCredentialTestResult,
	INodeExecutionData,
} from 'n8n-workflow';
import { AgentChatError, asAgentChatError, redactSecrets } from '../shared/errors';
import { outcomesToItems, readConcurrency, runPerItem } from '../shared/itemRunner';
import { withRetries } from '../shared/retry';
import { headerValue, readBodyText, sendHttpRequest } from '../shared/transport';
import { buildCloudApiRequest, parseCloudApiResponse, planGetWsToken, type GetWsTokenPlan } from './lkeCloudApi';
import { lkeSecrets } from './lkeSecrets';
import { resolveLkeSite } from './lkeSite';

/** Get WS Token: one Cloud API GetWsToken call per input item. */

export interface CloudApiCallOptions {
	signal?: AbortSignal;
	/** Every Authorization value sent is reported here, so it can be masked like the keys. */
	onAuthorization?: (authorization: string) => void;
	onRetry?: (info: { attempt: number; waitMs: number; code: string | number }) => void;
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
		const exchange = await sendHttpRequest({
			url: request.url,
			method: 'POST',
			headers: request.headers,
			body: request.body,
			idleTimeoutMs: budgetMs,
			totalTimeoutMs: budgetMs,
			signal: options.signal,
		});
		try {
			const text = await readBodyText(exchange, CLOUD_API_ANSWER_MAX_BYTES);
			return parseCloudApiResponse(exchange.statusCode, text, headerValue(exchange.headers, 'retry-after'));
		} finally {
			exchange.finish();
		}
	});
}

export function defaultVisitorBizId(workflowId: string | undefined): string {
	return `n8n-${workflowId || 'workflow'}`.slice(0, 64);
}

export async function executeGetWsToken(context: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	const credentials: ICredentialDataDecryptedObject = await context.getCredentials('tencentLkeApi');
	// Mutable on purpose: each attempt's Authorization value joins the masked values.
	const secrets = lkeSecrets(credentials);
	const signal = context.getExecutionCancelSignal?.();
	const fallbackVisitor = defaultVisitorBizId(context.getWorkflow().id);

	const outcomes = await runPerItem(context, {
		concurrency: readConcurrency(context, secrets),
		secrets,
		work: async (itemIndex) => {
			const site = resolveLkeSite(credentials);
			const plan = planGetWsToken({
				secretId: credentials.secretId,
				secretKey: credentials.secretKey,
				appKey: credentials.appKey,
				visitorBizId: context.getNodeParameter('visitorBizId', itemIndex, ''),
				apiEndpoint: site.apiEndpoint,
				region: site.region,
				defaultVisitorBizId: fallbackVisitor,
				options: context.getNodeParameter('options', itemIndex, {}) as IDataObject,
			});
			return await callGetWsToken(plan, {
				signal,
				onAuthorization: (authorization) => secrets.push(authorization),
				onRetry: ({ attempt, waitMs, code }) =>
					context.logger.info(`Tencent LKE Get WS Token: retry ${attempt} of item ${itemIndex} in ${waitMs} ms after ${code}`),
			});
		},
	});

	return [outcomesToItems(outcomes)];
}

/**
 * The credential's Test button. With SecretId and SecretKey set it calls GetWsToken, which checks
 * the keys and the AppKey together; without them it only checks that an AppKey is there, since
 * proving the AppKey alone would take a chat turn, which costs tokens.
 */
export async function testTencentLkeCredential(data: ICredentialDataDecryptedObject): Promise<INodeCredentialTestResult> {
	const secrets = lkeSecrets(data);
	const appKey = typeof data.appKey === 'string' ? data.appKey.trim() : '';
	const secretId = typeof data.secretId === 'string' ? data.secretId.trim() : '';
	const secretKey = typeof data.secretKey === 'string' ? data.secretKey.trim() : '';
	if (appKey === '') return { status: 'Error', message: 'The AppKey is empty' };
	if (secretId === '' && secretKey === '') {
		return {
			status: 'OK',
			message: 'AppKey saved; set SecretId and SecretKey to test against the Cloud API (a chat turn would cost tokens)',
		};
	}
	try {
		const site = resolveLkeSite(data);
		const plan = planGetWsToken({
			secretId,
			secretKey,
			appKey,
			visitorBizId: 'n8n-credential-test',
			apiEndpoint: site.apiEndpoint,
			region: site.region,
			defaultVisitorBizId: 'n8n-credential-test',
			options: { timeout: 20_000, maxRetries: 1 },
		});
		await callGetWsToken(plan, { onAuthorization: (authorization) => secrets.push(authorization) });
		return { status: 'OK', message: 'The Cloud API keys and the AppKey were accepted (GetWsToken succeeded)' };
	} catch (error) {
		const failure: AgentChatError = asAgentChatError(error);
		const text = failure.description ? `${failure.message}. ${failure.description}` : failure.message;
		return { status: 'Error', message: redactSecrets(text, secrets) };
	}
}
