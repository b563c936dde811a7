import { NodeConnectionTypes, NodeOperationError } from 'n8n-workflow';
import type {
	ICredentialType,
	IExecuteFunctions,
	INode,
	INodeExecutionData,
	INodeType,
	INodeTypeDescription,
} from 'n8n-workflow';

import { manualTriggerNode, runWorkflow } from './helpers/workflowRunner';

/* ---------------- tiny node types used only by this test ---------------- */

const baseDescription = (name: string): INodeTypeDescription => ({
	displayName: name,
	name,
	group: ['transform'],
	version: 1,
	description: name,
	defaults: { name },
	inputs: [NodeConnectionTypes.Main],
	outputs: [NodeConnectionTypes.Main],
	properties: [],
});

const echoApi: ICredentialType = {
	name: 'echoApi',
	displayName: 'Echo API',
	properties: [
		{ displayName: 'API Key', name: 'apiKey', type: 'string', typeOptions: { password: true }, default: '' },
		{ displayName: 'Region', name: 'region', type: 'string', default: 'ap-guangzhou' },
	],
};

/** Echoes its input, adds a parameter (usually an expression) and data from its credential. */
class Echo implements INodeType {
	description: INodeTypeDescription = {
		...baseDescription('echo'),
		credentials: [{ name: 'echoApi', required: true }],
		properties: [
			{ displayName: 'Value', name: 'value', type: 'string', default: '' },
			{ displayName: 'Count', name: 'count', type: 'number', default: 1 },
		],
	};

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		const creds = await this.getCredentials<{ apiKey: string; region: string }>('echoApi');
		this.logger.info(`echo running as ${this.getNode().name}`);
		return [
			this.getInputData().map((item, i) => ({
				json: {
					...item.json,
					value: this.getNodeParameter('value', i) as string,
					count: this.getNodeParameter('count', i) as number,
					apiKey: creds.apiKey,
					region: creds.region,
					node: this.getNode().name,
					hasCancelSignal: this.getExecutionCancelSignal() instanceof AbortSignal,
				},
				pairedItem: { item: i },
			})),
		];
	}
}

/** Fails for items with `bad: true`; honours continueOnFail like real nodes do. */
class Picky implements INodeType {
	description = baseDescription('picky');

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		const out: INodeExecutionData[] = [];
		for (const [i, item] of this.getInputData().entries()) {
			try {
				if (item.json.bad) {
					throw new NodeOperationError(this.getNode(), `item ${i} is bad`, { itemIndex: i });
				}
				out.push({ json: { ok: item.json.n }, pairedItem: { item: i } });
			} catch (error) {
				if (this.continueOnFail()) {
					out.push({ json: { error: (error as Error).message }, pairedItem: { item: i } });
					continue;
				}
				throw error;
			}
		}
		return [out];
	}
}

/** Two outputs: even `n` to output 0, odd to output 1. */
class Split implements INodeType {
	description: INodeTypeDescription = {
		...baseDescription('split'),
		outputs: [NodeConnectionTypes.Main, NodeConnectionTypes.Main],
		outputNames: ['even', 'odd'],
	};

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		const even: INodeExecutionData[] = [];
		const odd: INodeExecutionData[] = [];
		this.getInputData().forEach((item, i) =>
			((item.json.n as number) % 2 === 0 ? even : odd).push({ json: item.json, pairedItem: { item: i } }),
		);
		return [even, odd];
	}
}

/** Waits until the execution is cancelled (or 10 s), then reports what it saw. */
const waitingStarted: Array<() => void> = [];
class WaitForCancel implements INodeType {
	description = baseDescription('waitForCancel');

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		const signal = this.getExecutionCancelSignal()!;
		let viaHandler = false;
		this.onExecutionCancellation(() => (viaHandler = true));
		waitingStarted.splice(0).forEach((fn) => fn());
		const aborted = await new Promise<boolean>((resolve) => {
			if (signal.aborted) return resolve(true);
			const t = setTimeout(() => resolve(false), 10_000);
			signal.addEventListener('abort', () => (clearTimeout(t), resolve(true)), { once: true });
		});
		return [[{ json: { aborted, viaHandler } }]];
	}
}

const nodeTypes = {
	'test.echo': new Echo(),
	'test.picky': new Picky(),
	'test.split': new Split(),
	'test.waitForCancel': new WaitForCancel(),
};

/* ---------------- workflow builders ---------------- */

const node = (name: string, type: string, extra: Partial<INode> = {}): INode => ({
	id: `id-${name}`,
	name,
	type,
	typeVersion: 1,
	position: [0, 0],
	parameters: {},
	...extra,
});

/** Start -> a -> b -> ... (main output 0 each) */
function chain(...nodes: INode[]) {
	const all = [manualTriggerNode('Start'), ...nodes];
	const connections: Record<string, { main: Array<Array<{ node: string; type: 'main'; index: number }>> }> =
		{};
	for (let i = 0; i < all.length - 1; i++) {
		connections[all[i].name] = { main: [[{ node: all[i + 1].name, type: 'main', index: 0 }]] };
	}
	return { nodes: all, connections };
}

/* ---------------- tests ---------------- */

describe('workflowRunner (real n8n-core WorkflowExecute)', () => {
	test('evaluates expressions, serves credentials (with defaults), keeps pairedItem', async () => {
		const result = await runWorkflow({
			nodeTypes,
			credentialTypes: { echoApi },
			credentials: { echoApi: { apiKey: 'secret-key' } },
			inputItems: [{ x: 'one' }, { x: 'two' }],
			workflow: chain(
				node('Echo', 'test.echo', {
					parameters: { value: '={{ $json.x.toUpperCase() }}', count: '={{ $itemIndex + 10 }}' },
				}),
			),
		});

		expect(result.run.status).toBe('success');
		expect(result.run.finished).toBe(true);
		expect(result.executedNodes).toEqual(['Start', 'Echo']);
		expect(result.outputOf('Start').map((i) => i.json)).toEqual([{ x: 'one' }, { x: 'two' }]);

		const out = result.outputOf('Echo');
		expect(out.map((i) => i.json)).toEqual([
			{ x: 'one', value: 'ONE', count: 10, apiKey: 'secret-key', region: 'ap-guangzhou', node: 'Echo', hasCancelSignal: true },
			{ x: 'two', value: 'TWO', count: 11, apiKey: 'secret-key', region: 'ap-guangzhou', node: 'Echo', hasCancelSignal: true },
		]);
		expect(out.map((i) => i.pairedItem)).toEqual([{ item: 0 }, { item: 1 }]);
		expect(result.logs).toContainEqual(expect.objectContaining({ level: 'info', message: 'echo running as Echo' }));
		expect(result.durationMs).toBeLessThan(5000);
	});

	test('routes items of a node with 2 outputs to different downstream nodes', async () => {
		const nodes = [
			manualTriggerNode('Start'),
			node('Split', 'test.split'),
			node('Even', 'test.echo', { parameters: { value: '=even {{ $json.n }}' } }),
			node('Odd', 'test.echo', { parameters: { value: "={{ 'odd ' + $('Start').item.json.n }}" } }),
		];
		const result = await runWorkflow({
			nodeTypes,
			credentials: { echoApi: { apiKey: 'k' } },
			inputItems: [{ n: 1 }, { n: 2 }, { n: 3 }, { n: 4 }],
			workflow: {
				nodes,
				connections: {
					Start: { main: [[{ node: 'Split', type: 'main', index: 0 }]] },
					Split: {
						main: [
							[{ node: 'Even', type: 'main', index: 0 }],
							[{ node: 'Odd', type: 'main', index: 0 }],
						],
					},
				},
			},
		});

		expect(result.run.status).toBe('success');
		expect(result.outputOf('Split', 0).map((i) => i.json.n)).toEqual([2, 4]);
		expect(result.outputOf('Split', 1).map((i) => i.json.n)).toEqual([1, 3]);
		expect(result.outputOf('Split', 1).map((i) => i.pairedItem)).toEqual([{ item: 0 }, { item: 2 }]);
		expect(result.outputOf('Even').map((i) => i.json.value)).toEqual(['even 2', 'even 4']);
		// paired-item lineage back to the trigger works across the 2-output node
		expect(result.outputOf('Odd').map((i) => i.json.value)).toEqual(['odd 1', 'odd 3']);
	});

	test('a failing node without continueOnFail fails the execution', async () => {
		const result = await runWorkflow({
			nodeTypes,
			inputItems: [{ n: 1 }, { n: 2, bad: true }],
			workflow: chain(node('Picky', 'test.picky'), node('After', 'test.split')),
		});

		expect(result.run.status).toBe('error');
		expect(result.run.finished).toBeUndefined();
		expect(result.run.data.resultData.error?.message).toBe('item 1 is bad');
		expect(result.run.data.resultData.lastNodeExecuted).toBe('Picky');
		const error = result.errorOf('Picky');
		expect(error?.message).toBe('item 1 is bad');
		expect(error).toMatchObject({ node: { name: 'Picky' }, name: 'NodeOperationError' });
		expect(result.errorOf('Start')).toBeUndefined();
		expect(() => result.outputOf('After')).toThrow(/has no run/);
	});

	test.each([
		['continueOnFail: true', { continueOnFail: true }],
		['onError: continueRegularOutput', { onError: 'continueRegularOutput' as const }],
	])('continueOnFail is honoured (%s)', async (_label, settings) => {
		const result = await runWorkflow({
			nodeTypes,
			inputItems: [{ n: 1 }, { n: 2, bad: true }, { n: 3 }],
			workflow: chain(node('Picky', 'test.picky', settings)),
		});

		expect(result.run.status).toBe('success');
		expect(result.errorOf('Picky')).toBeUndefined();
		expect(result.outputOf('Picky').map((i) => i.json)).toEqual([
			{ ok: 1 },
			{ error: 'item 1 is bad' },
			{ ok: 3 },
		]);
	});

	test('onError: continueErrorOutput moves error items to the extra error output', async () => {
		const result = await runWorkflow({
			nodeTypes,
			inputItems: [{ n: 1 }, { n: 2, bad: true }],
			workflow: chain(node('Picky', 'test.picky', { onError: 'continueErrorOutput' })),
		});

		expect(result.run.status).toBe('success');
		expect(result.outputOf('Picky', 0).map((i) => i.json)).toEqual([{ ok: 1 }]);
		// n8n merges the paired input item into the error item
		expect(result.outputOf('Picky', 1).map((i) => i.json)).toEqual([
			{ n: 2, bad: true, error: 'item 1 is bad' },
		]);
	});

	test('missing test credentials surface as a node error', async () => {
		const result = await runWorkflow({
			nodeTypes,
			workflow: chain(
				node('Echo', 'test.echo', {
					credentials: { echoApi: { id: '1', name: 'Echo account' } },
				}),
			),
		});
		expect(result.run.status).toBe('error');
		expect(result.errorOf('Echo')?.message).toMatch(/No test credentials of type "echoApi"/);
	});

	test('abortAfterMs cancels the execution and fires getExecutionCancelSignal()', async () => {
		const result = await runWorkflow({
			nodeTypes,
			abortAfterMs: 50,
			workflow: chain(node('Wait', 'test.waitForCancel'), node('Never', 'test.split')),
		});

		expect(result.cancelled).toBe(true);
		expect(result.run.status).toBe('canceled');
		expect(result.durationMs).toBeLessThan(5000);
		expect(result.outputOf('Wait').map((i) => i.json)).toEqual([{ aborted: true, viaHandler: true }]);
		expect(result.run.data.resultData.runData.Never).toBeUndefined();
	});

	test('an AbortSignal cancels the execution mid-run', async () => {
		const controller = new AbortController();
		waitingStarted.push(() => controller.abort());
		const result = await runWorkflow({
			nodeTypes,
			abortSignal: controller.signal,
			workflow: chain(node('Wait', 'test.waitForCancel')),
		});

		expect(result.cancelled).toBe(true);
		expect(result.run.status).toBe('canceled');
		expect(result.outputOf('Wait')[0].json).toEqual({ aborted: true, viaHandler: true });
	});
});
