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
	// As an AI Agent's tool the node answers the agent, not the chat user: the agent streams its own reply.
	if (context.getNode().type.endsWith('Tool')) return undefined;
	if (!context.isStreaming()) return undefined;
	// n8n 2.x returns a promise from sendChunk; a failing hook must not become an unhandled rejection.
	const send = (type: 'begin' | 'item' | 'end', itemIndex: number, text?: string) => {
		void Promise.resolve(context.sendChunk(type, itemIndex, text)).catch(() => undefined);
	};
	return {
		begin: (itemIndex) => send('begin', itemIndex),
		item: (itemIndex, text) => send('item', itemIndex, text),
		end: (itemIndex) => send('end', itemIndex),
	};
}
