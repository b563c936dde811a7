import { NodeApiError, NodeOperationError, type IDataObject, type IExecuteFunctions } from 'n8n-workflow';
import { AgentChatError, inputError } from '../nodes/shared/errors';
import { outcomesToItems, readConcurrency, runItemCalls, runPerItem, type CallOptions } from '../nodes/shared/itemRunner';

const SECRET = 'token-abcdef123';

/** What the item runner reads from n8n, answered from these settings; what it asks for is recorded. */
function contextWith(settings: { items: number; options?: IDataObject; continueOnFail?: boolean; signal?: AbortSignal; noCancelSignal?: boolean }) {
	const parameterReads: unknown[][] = [];
	const logs: string[] = [];
	const context = {
		getInputData: () => Array.from({ length: settings.items }, (_, index) => ({ json: { index } })),
		continueOnFail: () => settings.continueOnFail ?? false,
		getNode: () => ({ id: 'n', name: 'Agent', type: 'n8n-nodes-agent-chat.test', typeVersion: 1, position: [0, 0], parameters: {} }),
		getNodeParameter: (name: string, itemIndex: number, fallback: unknown) => {
			parameterReads.push([name, itemIndex, fallback]);
			return name === 'options' ? (settings.options ?? fallback) : fallback;
		},
		...(settings.noCancelSignal ? {} : { getExecutionCancelSignal: () => settings.signal }),
		logger: { info: (message: string) => logs.push(message) },
	} as unknown as IExecuteFunctions;
	return { context, parameterReads, logs };
}

async function failureOf(promise: Promise<unknown>): Promise<unknown> {
	return await promise.then(
		() => {
			throw new Error('it succeeded');
		},
		(error: unknown) => error,
	);
}

describe('readConcurrency', () => {
	it('is one when the option is not set, and reads it from the first item', () => {
		const { context, parameterReads } = contextWith({ items: 3 });
		expect(readConcurrency(context, [])).toBe(1);
		expect(parameterReads).toEqual([['options', 0, {}]]);
	});

	it('is one without reading anything when there is no item', () => {
		const { context, parameterReads } = contextWith({ items: 0, options: { concurrency: 'bad' } });
		expect(readConcurrency(context, [])).toBe(1);
		expect(parameterReads).toEqual([]);
	});

	it('takes a whole number from 1 to 100', () => {
		expect(readConcurrency(contextWith({ items: 1, options: { concurrency: 100 } }).context, [])).toBe(100);
		expect(readConcurrency(contextWith({ items: 1, options: { concurrency: '4' } }).context, [])).toBe(4);
	});

	it('refuses anything else as a NodeOperationError naming the option', () => {
		const error = (() => {
			try {
				readConcurrency(contextWith({ items: 1, options: { concurrency: 101 } }).context, []);
			} catch (failure) {
				return failure as NodeOperationError;
			}
			throw new Error('accepted');
		})();
		expect(error).toBeInstanceOf(NodeOperationError);
		expect(error.message).toBe("Invalid parameter 'options.concurrency': must be a whole number from 1 to 100 (got 101)");
		expect(error.context.itemIndex).toBe(0);
	});
});

describe('runPerItem', () => {
	it('gives one outcome per item, in input order', async () => {
		const { context } = contextWith({ items: 3 });
		const outcomes = await runPerItem(context, { concurrency: 2, secrets: [], work: async (itemIndex) => `result ${itemIndex}` });
		expect(outcomes).toEqual([
			{ itemIndex: 0, ok: true, value: 'result 0' },
			{ itemIndex: 1, ok: true, value: 'result 1' },
			{ itemIndex: 2, ok: true, value: 'result 2' },
		]);
	});

	it('keeps a failure on its item under Continue On Fail, with what arrived and secrets masked', async () => {
		const { context } = contextWith({ items: 2, continueOnFail: true });
		const outcomes = await runPerItem(context, {
			concurrency: 1,
			secrets: [SECRET],
			work: async (itemIndex) => {
				if (itemIndex === 0) {
					const failure = new AgentChatError(`refused ${SECRET}`, { kind: 'vendor', code: 'REFUSED' });
					failure.partial = { reply: `half ${SECRET}` };
					throw failure;
				}
				throw new Error('plain failure');
			},
		});
		expect(outcomes).toEqual([
			{ itemIndex: 0, ok: false, json: { error: 'refused ***', code: 'REFUSED', reply: 'half ***' } },
			{ itemIndex: 1, ok: false, json: { error: 'plain failure', code: 'UNEXPECTED_ERROR' } },
		]);
	});

	it('stops the node otherwise, with the failed item named and secrets masked', async () => {
		const { context } = contextWith({ items: 2 });
		const error = (await failureOf(
			runPerItem(context, {
				concurrency: 1,
				secrets: [SECRET],
				work: async (itemIndex) => {
					if (itemIndex === 1) throw new AgentChatError(`HTTP 500 for ${SECRET}`, { kind: 'http', code: 500, httpStatus: 500 });
					return itemIndex;
				},
			}),
		)) as NodeApiError;
		expect(error).toBeInstanceOf(NodeApiError);
		expect(error.message).toBe('HTTP 500 for ***');
		expect(error.context.itemIndex).toBe(1);
	});
});

describe('outcomesToItems', () => {
	it('pairs each output item with its input item', () => {
		expect(
			outcomesToItems([
				{ itemIndex: 0, ok: true, value: { reply: 'a' } },
				{ itemIndex: 1, ok: false, json: { error: 'x', code: 1 } },
			]),
		).toEqual([
			{ json: { reply: 'a' }, pairedItem: { item: 0 } },
			{ json: { error: 'x', code: 1 }, pairedItem: { item: 1 } },
		]);
	});
});

describe('runItemCalls', () => {
	it('builds each request, calls with the cancel signal and the item, and logs each retry', async () => {
		const controller = new AbortController();
		const { context, logs } = contextWith({ items: 2, signal: controller.signal, options: { concurrency: 2 } });
		const calls: Array<{ request: string; signal?: AbortSignal; itemIndex: number }> = [];
		const outcomes = await runItemCalls(context, {
			vendor: 'AiSK',
			secrets: [],
			request: (itemIndex) => `request ${itemIndex}`,
			call: async (request, options: CallOptions, itemIndex) => {
				calls.push({ request, signal: options.signal, itemIndex });
				options.onRetry?.({ attempt: 1, waitMs: 800, code: 'UNAVAILABLE' });
				return `${request} answered`;
			},
		});
		expect(outcomes.map((outcome) => outcome.ok && outcome.value)).toEqual(['request 0 answered', 'request 1 answered']);
		expect(calls).toEqual([
			{ request: 'request 0', signal: controller.signal, itemIndex: 0 },
			{ request: 'request 1', signal: controller.signal, itemIndex: 1 },
		]);
		expect(logs).toEqual(['AiSK: retry 1 of item 0 in 800 ms after UNAVAILABLE', 'AiSK: retry 1 of item 1 in 800 ms after UNAVAILABLE']);
	});

	it('runs on an n8n without a cancel signal', async () => {
		const { context } = contextWith({ items: 1, noCancelSignal: true });
		const outcomes = await runItemCalls(context, {
			vendor: 'AiSK',
			secrets: [],
			request: () => 'request',
			call: async (_request, options) => (options.signal === undefined ? 'no signal' : 'signal'),
		});
		expect(outcomes).toEqual([{ itemIndex: 0, ok: true, value: 'no signal' }]);
	});

	it('calls nothing for an item whose parameters are wrong', async () => {
		const { context } = contextWith({ items: 1, continueOnFail: true });
		let called = false;
		const outcomes = await runItemCalls(context, {
			vendor: 'AiSK',
			secrets: [],
			request: () => {
				throw inputError('chatbotId', 'must not be empty');
			},
			call: async () => {
				called = true;
				return 'x';
			},
		});
		expect(called).toBe(false);
		expect(outcomes).toEqual([{ itemIndex: 0, ok: false, json: { error: "Invalid parameter 'chatbotId': must not be empty", code: 'INVALID_INPUT' } }]);
	});

	it('refuses a wrong Concurrency before any call', async () => {
		const { context } = contextWith({ items: 1, options: { concurrency: 0 }, continueOnFail: true });
		let called = false;
		const error = await failureOf(
			runItemCalls(context, {
				vendor: 'AiSK',
				secrets: [],
				request: () => 'request',
				call: async () => {
					called = true;
					return 'x';
				},
			}),
		);
		expect(error).toBeInstanceOf(NodeOperationError);
		expect(called).toBe(false);
	});
});
