import { randomUUID } from 'crypto';
import type { ICredentialDataDecryptedObject, IDataObject, IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import { readConcurrency, runPerItem } from '../shared/itemRunner';
import { liveStreamFor } from '../shared/liveStream';
import { buildLkeChatRequest, type LkeChatOptions } from './lkeChatRequest';
import { runLkeChatTurn } from './lkeChatTurn';
import { lkeSecrets } from './lkeSecrets';
import { resolveLkeSite } from './lkeSite';

/** The chat operation: one streamed dialog turn per input item. */
export async function executeChat(context: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	const credentials: ICredentialDataDecryptedObject = await context.getCredentials('tencentLkeApi');
	const secrets = lkeSecrets(credentials);
	const layout = context.getNodeParameter('outputLayout', 0, 'single') as string;
	const signal = context.getExecutionCancelSignal?.();
	const live = liveStreamFor(context);
	const workflowId = context.getWorkflow().id;
	const defaultVisitorBizId = `n8n-${workflowId || 'workflow'}`.slice(0, 64);

	const outcomes = await runPerItem(context, {
		concurrency: readConcurrency(context, secrets),
		secrets,
		work: async (itemIndex) => {
			const options = context.getNodeParameter('options', itemIndex, {}) as LkeChatOptions;
			const site = resolveLkeSite(credentials);
			const request = buildLkeChatRequest(
				{
					content: context.getNodeParameter('content', itemIndex, ''),
					sessionId: context.getNodeParameter('sessionId', itemIndex, ''),
					visitorBizId: context.getNodeParameter('visitorBizId', itemIndex, ''),
					options,
				},
				{
					appKey: String(credentials.appKey ?? ''),
					chatBaseUrl: site.chatBaseUrl,
					newId: randomUUID,
					defaultVisitorBizId,
				},
			);
			live?.begin(itemIndex);
			try {
				return await runLkeChatTurn(request, {
					signal,
					onReplyDelta: live ? (delta) => live.item(itemIndex, delta) : undefined,
					onRetry: ({ attempt, waitMs, code }) =>
						context.logger.info(`Tencent LKE: retry ${attempt} of item ${itemIndex} in ${waitMs} ms after ${code}`),
				});
			} finally {
				live?.end(itemIndex);
			}
		},
	});

	const replies: INodeExecutionData[] = [];
	const references: INodeExecutionData[] = [];
	const tokenStats: INodeExecutionData[] = [];
	for (const outcome of outcomes) {
		const pairedItem = { item: outcome.itemIndex };
		if (!outcome.ok) {
			replies.push({ json: outcome.json, pairedItem });
			continue;
		}
		const turn = outcome.value;
		if (layout !== 'split') {
			replies.push({ json: turn, pairedItem });
			continue;
		}
		const { references: turnReferences, tokenStats: turnTokenStats, ...reply } = turn;
		replies.push({ json: reply, pairedItem });
		for (const reference of turnReferences) {
			references.push({ json: { ...reference, sessionId: turn.sessionId, recordId: turn.recordId }, pairedItem });
		}
		tokenStats.push({ json: (turnTokenStats ?? {}) as IDataObject, pairedItem });
	}
	return layout === 'split' ? [replies, references, tokenStats] : [replies];
}
