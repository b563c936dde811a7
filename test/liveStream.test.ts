import type { IExecuteFunctions } from 'n8n-workflow';
import { liveStreamFor } from '../nodes/shared/liveStream';

/** The hooks n8n gives a node, recorded; only what liveStreamFor reads. */
function contextWith(options: { type: string; streaming: boolean; sendChunk?: (...args: unknown[]) => unknown }) {
	const chunks: unknown[][] = [];
	const context = {
		getNode: () => ({ type: options.type }),
		isStreaming: () => options.streaming,
		sendChunk: (...args: unknown[]) => {
			chunks.push(args);
			return options.sendChunk?.(...args);
		},
	} as unknown as IExecuteFunctions;
	return { context, chunks };
}

describe('liveStreamFor', () => {
	it('forwards begin, item and end when the execution streams', () => {
		const { context, chunks } = contextWith({ type: 'n8n-nodes-agent-chat.tencentLke', streaming: true });
		const live = liveStreamFor(context)!;
		live.begin(0);
		live.item(0, '你好');
		live.end(0);
		expect(chunks).toEqual([
			['begin', 0, undefined],
			['item', 0, '你好'],
			['end', 0, undefined],
		]);
	});

	it('stays silent when the execution does not stream', () => {
		expect(liveStreamFor(contextWith({ type: 'n8n-nodes-agent-chat.tencentLke', streaming: false }).context)).toBeUndefined();
	});

	it('stays silent as an AI Agent tool, whose answer goes to the agent and not to the chat', () => {
		expect(liveStreamFor(contextWith({ type: 'n8n-nodes-agent-chat.tencentLkeTool', streaming: true }).context)).toBeUndefined();
	});

	it('swallows a rejected sendChunk promise instead of leaving an unhandled rejection', async () => {
		const unhandled: unknown[] = [];
		const onUnhandled = (reason: unknown) => unhandled.push(reason);
		process.on('unhandledRejection', onUnhandled);
		try {
			const { context } = contextWith({
				type: 'n8n-nodes-agent-chat.tateATate',
				streaming: true,
				sendChunk: () => Promise.reject(new Error('client went away')),
			});
			liveStreamFor(context)!.item(0, 'text');
			await new Promise((resolve) => setTimeout(resolve, 20));
			expect(unhandled).toEqual([]);
		} finally {
			process.off('unhandledRejection', onUnhandled);
		}
	});
});
