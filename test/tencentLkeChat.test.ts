import type { IConnections, IDataObject, INode, INodeParameters } from 'n8n-workflow';
import { TencentLkeApi } from '../credentials/TencentLkeApi.credentials';
import { TencentLke } from '../nodes/TencentLke/TencentLke.node';
import { manualTriggerNode, runWorkflow, MANUAL_TRIGGER_TYPE, type WorkflowRunResult } from './helpers/workflowRunner';
import { LKE_REFERENCES, SIMULATOR_DEFAULTS, lkeAnswerFor, type Simulator } from '../testkit/simulator';
import { useSimulator } from './helpers/useSimulator';

const NODE_TYPE = 'n8n-nodes-agent-chat.tencentLke';
const APP_KEY = SIMULATOR_DEFAULTS.lkeAppKey;

let sim: Simulator;
useSimulator((started) => (sim = started));

function credentials(overrides: IDataObject = {}) {
	return {
		tencentLkeApi: {
			appKey: APP_KEY,
			secretId: SIMULATOR_DEFAULTS.secretId,
			secretKey: SIMULATOR_DEFAULTS.secretKey,
			site: 'custom',
			chatBaseUrl: sim.url,
			apiEndpoint: `${sim.url}/`,
			region: 'ap-jakarta',
			...overrides,
		},
	};
}

function chatNode(parameters: IDataObject, settings: Partial<INode> = {}): INode {
	return {
		id: 'lke',
		name: 'LKE',
		type: NODE_TYPE,
		typeVersion: 1,
		position: [200, 0],
		parameters: parameters as INodeParameters,
		credentials: { tencentLkeApi: { id: '1', name: 'LKE test' } },
		...settings,
	};
}

async function run(
	inputItems: IDataObject[],
	parameters: IDataObject,
	options: { settings?: Partial<INode>; credentialOverrides?: IDataObject; abortAfterMs?: number } = {},
): Promise<WorkflowRunResult> {
	const connections: IConnections = { Start: { main: [[{ node: 'LKE', type: 'main', index: 0 }]] } };
	return await runWorkflow({
		nodeTypes: { [NODE_TYPE]: new TencentLke() },
		credentialTypes: { tencentLkeApi: new TencentLkeApi() },
		credentials: credentials(options.credentialOverrides),
		workflow: { nodes: [manualTriggerNode('Start'), chatNode(parameters, options.settings)], connections },
		inputItems,
		abortAfterMs: options.abortAfterMs,
	});
}

/** Every string n8n would show or store for this run: outputs, errors, logs. */
function everythingVisible(result: WorkflowRunResult): string {
	const runData = result.run.data.resultData;
	return JSON.stringify({ runData: runData.runData, error: runData.error, logs: result.logs }, (_key, value) =>
		value instanceof Error ? { message: value.message, description: (value as { description?: unknown }).description, stack: value.stack } : value,
	);
}

const defaults = { content: '={{ $json.chatInput }}', sessionId: '', visitorBizId: '', outputLayout: 'single', options: {} };

describe('Tencent LKE chat in an n8n workflow', () => {
	it('answers each item from $json.chatInput with the contract fields, paired to its input', async () => {
		const questions = ['What is LKE?', '你好吗？'];
		const result = await run(questions.map((chatInput) => ({ chatInput })), defaults);
		const items = result.outputOf('LKE');
		expect(items).toHaveLength(2);
		items.forEach((item, index) => {
			expect(item.pairedItem).toEqual({ item: index });
			expect(item.json.reply).toBe(lkeAnswerFor(questions[index]));
			expect(item.json).toMatchObject({ isFinal: true, isEvil: false, replyMethod: 1 });
			for (const field of ['sessionId', 'requestId', 'recordId', 'relatedRecordId', 'traceId']) {
				expect(typeof item.json[field]).toBe('string');
				expect(item.json[field]).not.toBe('');
			}
			expect((item.json.references as IDataObject[]).map((reference) => reference.id)).toEqual(LKE_REFERENCES.map((reference) => reference.id));
			expect(item.json.tokenStats).toMatchObject({ status_summary: 'success' });
			expect(Array.isArray(item.json.thoughts)).toBe(true);
		});
		expect(items[0].json.sessionId).not.toBe(items[1].json.sessionId);
		const bodies = sim.requests.map((entry) => entry.json);
		expect(bodies.map((body) => body.visitor_biz_id)).toEqual(['n8n-workflow', 'n8n-workflow'].map(() => bodies[0].visitor_biz_id));
		expect(bodies[0].visitor_biz_id.length).toBeLessThanOrEqual(64);
	});

	it('sends custom variables as strings, resolving expressions per item', async () => {
		await run([{ chatInput: 'vars', user: { id: 7 } }], {
			...defaults,
			sessionId: 'fixed-session_1',
			options: {
				customVariables: {
					variables: [
						{ key: 'UserID', value: '={{ $json.user.id }}' },
						{ key: 'User', value: '={{ $json.user }}' },
						{ key: 'Scope', value: 'a|b' },
					],
				},
				incremental: true,
			},
		});
		expect(sim.requests).toHaveLength(1);
		const body = sim.requests[0].json;
		expect(body.custom_variables).toEqual({ UserID: '7', User: '{"id":7}', Scope: 'a|b' });
		expect(body.session_id).toBe('fixed-session_1');
		expect(body.incremental).toBe(true);
		expect(body.bot_app_key).toBe(APP_KEY);
	});

	it('rejects an invalid session id before sending anything', async () => {
		const result = await run([{ chatInput: 'hi' }], { ...defaults, sessionId: 'not valid!' });
		const error = result.errorOf('LKE');
		expect(error?.message).toMatch(/'sessionId'.*\^\[a-zA-Z0-9_-\]\{2,64\}\$/);
		expect(error?.name).toBe('NodeOperationError');
		expect(sim.requests).toHaveLength(0);
	});

	it('fails the node with the vendor code and meaning as a NodeApiError', async () => {
		const result = await run([{ chatInput: 'q [error:460011]' }], { ...defaults, options: { maxRetries: 0 } });
		const error = result.errorOf('LKE');
		expect(error?.name).toBe('NodeApiError');
		expect(error?.message).toBe('Tencent LKE error 460011: Exceed the concurrency limit');
	});

	it('with Continue On Fail outputs failed items with error, code and the reply so far, and goes on', async () => {
		const inputs = [
			{ chatInput: 'first fine' },
			{ chatInput: 'half [error-after-content:460020]' },
			{ chatInput: 'third fine' },
			{ chatInput: 'evil [evil]' },
		];
		const result = await run(inputs, { ...defaults, options: { maxRetries: 0 } }, { settings: { continueOnFail: true } });
		const items = result.outputOf('LKE');
		expect(items.map((item) => item.pairedItem)).toEqual([{ item: 0 }, { item: 1 }, { item: 2 }, { item: 3 }]);
		expect(items[0].json.reply).toBe(lkeAnswerFor('first fine'));
		expect(items[2].json.reply).toBe(lkeAnswerFor('third fine'));
		expect(items[1].json).toMatchObject({ error: 'Tencent LKE error 460020: Model request timeout', code: 460020, isFinal: false });
		expect(String(items[1].json.reply).length).toBeGreaterThan(0);
		expect(lkeAnswerFor(inputs[1].chatInput).startsWith(String(items[1].json.reply))).toBe(true);
		expect(items[3].json).toMatchObject({ code: 'SENSITIVE_CONTENT', isFinal: false, reply: '' });
	});

	it('with the split layout gives Reply, References and Token Stats outputs', async () => {
		const result = await run([{ chatInput: 'one' }, { chatInput: 'two' }], { ...defaults, outputLayout: 'split' });
		const replies = result.outputOf('LKE', 0);
		const references = result.outputOf('LKE', 1);
		const tokenStats = result.outputOf('LKE', 2);
		expect(replies.map((item) => item.json.reply)).toEqual([lkeAnswerFor('one'), lkeAnswerFor('two')]);
		expect(replies[0].json).not.toHaveProperty('references');
		expect(replies[0].json).not.toHaveProperty('tokenStats');
		expect(references).toHaveLength(2 * LKE_REFERENCES.length);
		expect(references[0].json).toMatchObject({ id: LKE_REFERENCES[0].id, sessionId: replies[0].json.sessionId, recordId: replies[0].json.recordId });
		expect(references[references.length - 1].pairedItem).toEqual({ item: 1 });
		expect(tokenStats.map((item) => item.json.status_summary)).toEqual(['success', 'success']);
		expect(tokenStats.map((item) => item.pairedItem)).toEqual([{ item: 0 }, { item: 1 }]);
	});

	it('runs items concurrently and still outputs them in input order', async () => {
		const questions = Array.from({ length: 8 }, (_, index) => `q${index} [latency:${(8 - index) * 15}]`);
		const result = await run(questions.map((chatInput) => ({ chatInput })), { ...defaults, options: { concurrency: 4 } });
		expect(result.outputOf('LKE').map((item) => item.json.reply)).toEqual(questions.map(lkeAnswerFor));
		expect(sim.peakInFlight('lke')).toBe(4);
	});

	it('rejects a concurrency outside 1..100 before sending anything', async () => {
		const result = await run([{ chatInput: 'x' }], { ...defaults, options: { concurrency: 0 } });
		expect(result.errorOf('LKE')?.message).toMatch(/'options.concurrency'.*from 1 to 100/);
		expect(sim.requests).toHaveLength(0);
	});

	it('stops a running turn when the execution is cancelled', async () => {
		const started = Date.now();
		const result = await run([{ chatInput: 'wait forever [stall]' }], defaults, { abortAfterMs: 300 });
		expect(result.cancelled).toBe(true);
		expect(Date.now() - started).toBeLessThan(5000);
		await new Promise((resolve) => setTimeout(resolve, 50));
		expect(sim.inFlight('lke')).toBe(0);
	});

	it('never shows a secret: not in errors, descriptions, failed items or logs', async () => {
		const leakyBody = JSON.stringify({ code: 500, msg: `internal error for bot_app_key=${APP_KEY}` });
		sim.enqueue('lke', { status: 500, headers: { 'content-type': 'application/json' }, steps: [leakyBody] });
		sim.enqueue('lke', { status: 500, headers: { 'content-type': 'application/json' }, steps: [leakyBody] });
		const failing = await run([{ chatInput: 'leak?' }], { ...defaults, options: { maxRetries: 0 } });
		expect(failing.errorOf('LKE')?.message).toMatch(/HTTP 500/);
		const continued = await run([{ chatInput: 'leak?' }], { ...defaults, options: { maxRetries: 0 } }, { settings: { continueOnFail: true } });
		expect(continued.outputOf('LKE')[0].json.error).toMatch(/HTTP 500/);
		for (const result of [failing, continued]) {
			const visible = everythingVisible(result);
			expect(visible).toContain('internal error for bot_app_key=***');
			expect(visible).not.toContain(APP_KEY);
			expect(visible).not.toContain(SIMULATOR_DEFAULTS.secretKey);
		}
	});

	it('rejects a custom site without a chat base URL, naming the field', async () => {
		const result = await run([{ chatInput: 'x' }], defaults, { credentialOverrides: { chatBaseUrl: 'not a url' } });
		expect(result.errorOf('LKE')?.message).toMatch(/'chatBaseUrl'/);
		expect(sim.requests).toHaveLength(0);
	});
});

it('uses the manual trigger type the helper provides', () => {
	expect(MANUAL_TRIGGER_TYPE).toBe('n8n-nodes-base.manualTrigger');
});
