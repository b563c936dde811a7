import type { ICredentialDataDecryptedObject, IDataObject, IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import { maxRetriesOption, timeoutOption, optionsCollection } from '../../shared/commonOptions';
import { forOperation, type OperationOption } from '../../shared/operations';

/** Get WS Token: one Cloud API GetWsToken call per input item. */

export const option: OperationOption = {
	name: 'Get WS Token',
	action: 'Get a web socket token',
	description: 'Get a one-time visitor token (Cloud API GetWsToken) for a web chat client',
};

export const description = forOperation('getWsToken', [
	{
		displayName: 'This operation calls the Tencent Cloud API: the credential needs a SecretId and a SecretKey besides the AppKey',
		name: 'getWsTokenNotice',
		type: 'notice',
		default: '',
	},
	{
		displayName: 'Visitor ID',
		name: 'visitorBizId',
		type: 'string',
		default: '',
		description:
			'Identifies the visitor the token is for (up to 64 characters), e.g. your user ID. Leave empty to use the same fixed ID for this workflow as the Chat operation.',
	},
	optionsCollection([
		maxRetriesOption('Retries on RequestLimitExceeded, InternalError, HTTP 429/502/503/504 and refused or dropped connections, with growing waits'),
		timeoutOption(30000, 'Longest time for the whole call, retries included'),
	]),
]);

export async function execute(context: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	// Loaded on the first run, not when n8n reads the node's description at start-up.
	const { lkeSecrets } = await import('../secrets');
	const { outcomesToItems, runItemCalls } = await import('../../shared/itemRunner');
	const { defaultVisitorBizId } = await import('../chatRequest');
	const { callGetWsToken } = await import('../getWsTokenClient');
	const { planGetWsToken } = await import('../getWsTokenRequest');
	const { resolveLkeSite } = await import('../site');

	const credentials: ICredentialDataDecryptedObject = await context.getCredentials('tencentLkeApi');
	// Mutable on purpose: each attempt's Authorization value joins the masked values.
	const secrets = lkeSecrets(credentials);
	const fallbackVisitor = defaultVisitorBizId(context.getWorkflow().id);
	const outcomes = await runItemCalls(context, {
		vendor: 'Tencent LKE Get WS Token',
		secrets,
		request: (itemIndex) => {
			const site = resolveLkeSite(credentials);
			return planGetWsToken({
				secretId: credentials.secretId,
				secretKey: credentials.secretKey,
				appKey: credentials.appKey,
				visitorBizId: context.getNodeParameter('visitorBizId', itemIndex, ''),
				apiEndpoint: site.apiEndpoint,
				region: site.region,
				defaultVisitorBizId: fallbackVisitor,
				options: context.getNodeParameter('options', itemIndex, {}) as IDataObject,
			});
		},
		call: async (plan, options) => await callGetWsToken(plan, { ...options, onAuthorization: (authorization) => secrets.push(authorization) }),
	});
	return [outcomesToItems(outcomes)];
}
