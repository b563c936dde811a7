import type { IDataObject, INodeExecutionData } from 'n8n-workflow';
import type { ItemOutcome } from '../shared/itemRunner';
import type { LkeTurnResult } from './chatAggregator';

/**
 * The chat's items for its output layout: one output with a whole turn per item, or three (reply,
 * one item per reference, token statistics). A failed item goes to the first output either way.
 */
export function lkeChatOutputs(outcomes: Array<ItemOutcome<LkeTurnResult>>, layout: string): INodeExecutionData[][] {
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
