import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';
import { AgentChatError, inputError } from '../nodes/shared/errors';
import { runStreamedItems, runStreamedTurn, type TurnAggregator, type TurnOptions } from '../nodes/shared/streamedTurn';

/** A stream of text pieces folded into one reply, as every vendor's aggregator does. */
class TextAggregator implements TurnAggregator<IDataObject> {
	text = '';

	get hasContent(): boolean {
		return this.text.length > 0;
	}

	accept(piece: string): string {
		this.text += piece;
		return piece;
	}

	result(): IDataObject {
		return { reply: this.text, isFinal: true };
	}

	partial(): IDataObject {
		return { reply: this.text, isFinal: false };
	}
}

/** What one attempt does: send these pieces, then succeed or fail with this error. */
interface Script {
	pieces: string[];
	failWith?: () => AgentChatError;
}

const busy = () => new AgentChatError('busy', { kind: 'vendor', code: 460011, retryable: true });
const refused = () => new AgentChatError('refused', { kind: 'vendor', code: 'REFUSED', retryable: false });

/** Runs the turn over scripted attempts; returns the result or the failure, the deltas and the attempts made. */
async function runScripted(scripts: Script[], maxRetries: number, options: TurnOptions = {}) {
	const deltas: string[] = [];
	const retries: Array<{ attempt: number; code: string | number }> = [];
	let attempts = 0;
	let outcome: { result?: IDataObject; failure?: AgentChatError } = {};
	try {
		outcome.result = await runStreamedTurn(
			{
				maxRetries,
				timeoutMs: 60_000,
				aggregator: () => new TextAggregator(),
				attempt: async (aggregator, _budgetMs, turnOptions) => {
					const script = scripts[attempts++];
					for (const piece of script.pieces) {
						await Promise.resolve();
						const delta = aggregator.accept(piece);
						if (delta) turnOptions.onReplyDelta?.(delta);
					}
					if (script.failWith) throw script.failWith();
					return aggregator.result();
				},
			},
			{
				random: () => 0,
				onReplyDelta: (delta) => deltas.push(delta),
				onRetry: ({ attempt, code }) => retries.push({ attempt, code }),
				...options,
			},
		);
	} catch (error) {
		outcome = { failure: error as AgentChatError };
	}
	return { ...outcome, deltas, retries, attempts };
}

describe('runStreamedTurn', () => {
	it('retries a busy failure that came before any content, and gives the next attempt\'s answer', async () => {
		const run = await runScripted([{ pieces: [], failWith: busy }, { pieces: ['Hel', 'lo'] }], 2);
		expect(run.result).toEqual({ reply: 'Hello', isFinal: true });
		expect(run.attempts).toBe(2);
		expect(run.retries).toEqual([{ attempt: 1, code: 460011 }]);
		expect(run.deltas).toEqual(['Hel', 'lo']);
	});

	it('does not retry once content has arrived, and keeps what arrived on the failure', async () => {
		const run = await runScripted([{ pieces: ['Half an ', 'answer'], failWith: busy }, { pieces: ['never sent'] }], 3);
		expect(run.attempts).toBe(1);
		expect(run.retries).toEqual([]);
		expect(run.failure).toBeInstanceOf(AgentChatError);
		expect(run.failure?.code).toBe(460011);
		expect(run.failure?.retryable).toBe(false);
		expect(run.failure?.partial).toEqual({ reply: 'Half an answer', isFinal: false });
		expect(run.deltas).toEqual(['Half an ', 'answer']);
	});

	it('does not retry a failure that is not retryable, and still keeps the partial result', async () => {
		const run = await runScripted([{ pieces: [], failWith: refused }, { pieces: ['unused'] }], 3);
		expect(run.attempts).toBe(1);
		expect(run.failure?.code).toBe('REFUSED');
		expect(run.failure?.partial).toEqual({ reply: '', isFinal: false });
	});

	it('gives up after maxRetries with the last attempt\'s failure and partial result', async () => {
		const run = await runScripted([{ pieces: [], failWith: busy }, { pieces: [], failWith: busy }, { pieces: [], failWith: busy }], 2);
		expect(run.attempts).toBe(3);
		expect(run.retries).toEqual([
			{ attempt: 1, code: 460011 },
			{ attempt: 2, code: 460011 },
		]);
		expect(run.failure?.code).toBe(460011);
		expect(run.failure?.partial).toEqual({ reply: '', isFinal: false });
	});

	it('gives every attempt a fresh aggregator', async () => {
		// A failed attempt that only sent empty pieces leaves nothing behind in the next one.
		const run = await runScripted([{ pieces: ['', ''], failWith: busy }, { pieces: ['fresh'] }], 1);
		expect(run.result).toEqual({ reply: 'fresh', isFinal: true });
	});
});

/* ---------- runStreamedItems: the per-item part, with the hooks n8n gives a node recorded ---------- */

interface Recorded {
	chunks: Array<[string, number, string | undefined]>;
	logs: string[];
}

function nodeContext(itemCount: number, options: { concurrency: number; continueOnFail: boolean; streaming: boolean; enableStreaming?: boolean }) {
	const recorded: Recorded = { chunks: [], logs: [] };
	const context = {
		getInputData: () => Array.from({ length: itemCount }, () => ({ json: {} })),
		continueOnFail: () => options.continueOnFail,
		getNode: () => ({ name: 'Agent', type: 'n8n-nodes-agent-chat.test', typeVersion: 1, parameters: {} }),
		getNodeParameter: (name: string) =>
			name === 'options'
				? { concurrency: options.concurrency, ...(options.enableStreaming === undefined ? {} : { enableStreaming: options.enableStreaming }) }
				: undefined,
		getExecutionCancelSignal: () => undefined,
		logger: { info: (message: string) => recorded.logs.push(message) },
		isStreaming: () => options.streaming,
		sendChunk: (type: string, itemIndex: number, text?: string) => {
			recorded.chunks.push([type, itemIndex, text]);
		},
	} as unknown as IExecuteFunctions;
	return { context, recorded };
}

/** Resolves when released, so a test decides the order in which items in flight make progress. */
function gate() {
	let open!: () => void;
	const opened = new Promise<void>((resolve) => (open = resolve));
	return { open, opened };
}

describe('runStreamedItems', () => {
	it('sends each item\'s deltas between its own begin and end, in order, and outputs items in input order', async () => {
		const { context, recorded } = nodeContext(2, { concurrency: 2, continueOnFail: false, streaming: true });
		const secondDone = gate();
		const outcomes = await runStreamedItems(context, {
			vendor: 'Test Vendor',
			secrets: [],
			request: (itemIndex) => ({ itemIndex }),
			turn: async (request, options) => {
				if (request.itemIndex === 0) {
					// The first item waits until the second has finished: outputs must still be in input order.
					options.onReplyDelta?.('a1');
					await secondDone.opened;
					options.onReplyDelta?.('a2');
					return { reply: 'a1a2' };
				}
				options.onReplyDelta?.('b1');
				options.onReplyDelta?.('b2');
				secondDone.open();
				return { reply: 'b1b2' };
			},
		});
		expect(outcomes.map((outcome) => (outcome.ok ? outcome.value : outcome.json))).toEqual([{ reply: 'a1a2' }, { reply: 'b1b2' }]);
		const forItem = (itemIndex: number) => recorded.chunks.filter(([, index]) => index === itemIndex);
		expect(forItem(0)).toEqual([
			['begin', 0, undefined],
			['item', 0, 'a1'],
			['item', 0, 'a2'],
			['end', 0, undefined],
		]);
		expect(forItem(1)).toEqual([
			['begin', 1, undefined],
			['item', 1, 'b1'],
			['item', 1, 'b2'],
			['end', 1, undefined],
		]);
		// The second item streamed its whole answer while the first was still in flight.
		const position = (type: string, itemIndex: number, text?: string) =>
			recorded.chunks.findIndex((chunk) => chunk[0] === type && chunk[1] === itemIndex && (text === undefined || chunk[2] === text));
		expect(position('item', 1, 'b2')).toBeLessThan(position('item', 0, 'a2'));
	});

	it('keeps a failed turn\'s partial result on its item under Continue On Fail, ends its live stream, and logs retries', async () => {
		const { context, recorded } = nodeContext(2, { concurrency: 1, continueOnFail: true, streaming: true });
		const outcomes = await runStreamedItems(context, {
			vendor: 'Test Vendor',
			secrets: ['s3cret-value'],
			request: (itemIndex) => ({ itemIndex }),
			turn: async (request, options) =>
				await runStreamedTurn(
					{
						maxRetries: 2,
						timeoutMs: 60_000,
						aggregator: () => new TextAggregator(),
						attempt: async (aggregator, _budgetMs, turnOptions) => {
							if (request.itemIndex === 0) throw busy();
							turnOptions.onReplyDelta?.(aggregator.accept('partial s3cret-value'));
							throw busy();
						},
					},
					{ ...options, random: () => 0 },
				),
		});
		expect(outcomes[0]).toMatchObject({ ok: false, json: { code: 460011, reply: '', isFinal: false } });
		expect(outcomes[1]).toMatchObject({ ok: false, json: { code: 460011, reply: 'partial ***', isFinal: false } });
		expect(recorded.logs).toEqual(['Test Vendor: retry 1 of item 0 in 0 ms after 460011', 'Test Vendor: retry 2 of item 0 in 0 ms after 460011']);
		expect(recorded.chunks.map(([type, itemIndex]) => [type, itemIndex])).toEqual([
			['begin', 0],
			['end', 0],
			['begin', 1],
			['item', 1],
			['end', 1],
		]);
	});

	it('sends nothing live when Enable Streaming is off, and still outputs the whole answer', async () => {
		const { context, recorded } = nodeContext(1, { concurrency: 1, continueOnFail: false, streaming: true, enableStreaming: false });
		let deltaHook: unknown = 'not called';
		const outcomes = await runStreamedItems(context, {
			vendor: 'Test Vendor',
			secrets: [],
			request: () => ({}),
			turn: async (_request, options) => {
				deltaHook = options.onReplyDelta;
				options.onReplyDelta?.('piece');
				return { reply: 'piece' };
			},
		});
		expect(outcomes[0]).toMatchObject({ ok: true, value: { reply: 'piece' } });
		expect(deltaHook).toBeUndefined();
		expect(recorded.chunks).toEqual([]);
	});

	it('streams when Enable Streaming is on explicitly', async () => {
		const { context, recorded } = nodeContext(1, { concurrency: 1, continueOnFail: false, streaming: true, enableStreaming: true });
		await runStreamedItems(context, {
			vendor: 'Test Vendor',
			secrets: [],
			request: () => ({}),
			turn: async (_request, options) => {
				options.onReplyDelta?.('piece');
				return { reply: 'piece' };
			},
		});
		expect(recorded.chunks).toEqual([
			['begin', 0, undefined],
			['item', 0, 'piece'],
			['end', 0, undefined],
		]);
	});

	it('fails an item with bad input before anything is sent or streamed', async () => {
		const { context, recorded } = nodeContext(1, { concurrency: 1, continueOnFail: true, streaming: true });
		let turns = 0;
		const outcomes = await runStreamedItems(context, {
			vendor: 'Test Vendor',
			secrets: [],
			request: () => {
				throw inputError('question', 'must not be empty');
			},
			turn: async () => {
				turns++;
				return {};
			},
		});
		expect(outcomes[0]).toMatchObject({ ok: false, json: { code: 'INVALID_INPUT', error: "Invalid parameter 'question': must not be empty" } });
		expect(turns).toBe(0);
		expect(recorded.chunks).toEqual([]);
	});
});
