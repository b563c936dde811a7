import type { IExecuteFunctions } from 'n8n-workflow';

/**
 * Live reply text for a workflow started by a Chat Trigger or a streaming Webhook: the text is sent
 * to the client as it arrives. Undefined when the execution is not streaming (or n8n is too old).
 */
export interface LiveStream {
	begin(itemIndex: number): void;
	item(itemIndex: number, text: string): void;
	end(itemIndex: number): void;
}

export function liveStreamFor(context: IExecuteFunctions): LiveStream | undefined {
	if (typeof context.isStreaming !== 'function' || typeof context.sendChunk !== 'function') return undefined;
	if (!context.isStreaming()) return undefined;
	return {
		begin: (itemIndex) => context.sendChunk('begin', itemIndex),
		item: (itemIndex, text) => context.sendChunk('item', itemIndex, text),
		end: (itemIndex) => context.sendChunk('end', itemIndex),
	};
}
