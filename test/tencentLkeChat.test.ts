import type { IConnections, IDataObject, INode, INodeParameters, StructuredChunk } from 'n8n-workflow';
import { TencentLkeApi } from '../credentials/TencentLkeApi.credentials';
import { TencentLke } from '../nodes/TencentLke/TencentLke.node';
import { manualTriggerNode, runWorkflow, MANUAL_TRIGGER_TYPE, type WorkflowRunResult } from './helpers/workflowRunner';
import {
	ADP_V2_REFERENCES,
	LKE_REFERENCES,
	SIMULATOR_DEFAULTS,
	adpV2AnswerFor,
	adpV2QuestionOf,
	adpV2TurnFor,
	lkeAnswerFor,
	requestBody,
	requestField,
	type Simulator,
} from '../testkit/simulator';
import { useSimulator } from './helpers/useSimulator';
import { adpV2ReferenceOut, adpV2TokenStatsOut, lkeTokenStatsOut } from '../testkit/profiles';

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
	options: { settings?: Partial<INode>; credentialOverrides?: IDataObject; abortAfterMs?: number; streaming?: boolean } = {},
): Promise<WorkflowRunResult & { chunks: StructuredChunk[] }> {
	const connections: IConnections = { Start: { main: [[{ node: 'LKE', type: 'main', index: 0 }]] } };
	const chunks: StructuredChunk[] = [];
	const result = await runWorkflow({
		nodeTypes: { [NODE_TYPE]: new TencentLke() },
		credentialTypes: { tencentLkeApi: new TencentLkeApi() },
		credentials: credentials(options.credentialOverrides),
		workflow: { nodes: [manualTriggerNode('Start'), chatNode(parameters, options.settings)], connections },
		inputItems,
		abortAfterMs: options.abortAfterMs,
		onChunk: options.streaming ? (chunk) => chunks.push(chunk) : undefined,
	});
	return { ...result, chunks };
}

/** Every string n8n would show or store for this run: outputs, errors, logs. */
function everythingVisible(result: WorkflowRunResult): string {
	const runData = result.run.data.resultData;
	return JSON.stringify({ runData: runData.runData, error: runData.error, logs: result.logs }, (_key, value) =>
		value instanceof Error ? { message: value.message, description: (value as { description?: unknown }).description, stack: value.stack } : value,
	);
}

const defaults = { apiVersion: 'v1', content: '={{ $json.chatInput }}', sessionId: '', visitorBizId: '', outputLayout: 'single', options: {} };

/** The normalized token statistics of a v1 turn, from the simulator's token_stat, computed here. */
const v1TokenStats = lkeTokenStatsOut;

describe('Tencent LKE chat (v1) in an n8n workflow', () => {
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
			expect(item.json.tokenStats).toMatchObject(v1TokenStats(questions[index]));
			expect((item.json.tokenStats as IDataObject).modelTimeMs).toEqual(expect.any(Number));
			expect(Array.isArray(item.json.thoughts)).toBe(true);
			expect(item.json.toolCalls).toEqual([]);
		});
		expect(items[0].json.sessionId).not.toBe(items[1].json.sessionId);
		const bodies = sim.requests.map(requestBody);
		expect(bodies.map((body) => body.visitor_biz_id)).toEqual(['n8n-workflow', 'n8n-workflow'].map(() => bodies[0].visitor_biz_id));
		expect(String(bodies[0].visitor_biz_id).length).toBeLessThanOrEqual(64);
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
		const body = requestBody(sim.requests[0]);
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

	it('with the single layout (the default) gives one output, each item holding its references and token stats', async () => {
		const result = await run([{ chatInput: 'one' }], defaults);
		expect(result.run.data.resultData.runData.LKE[0].data?.main).toHaveLength(1);
		const [item] = result.outputOf('LKE');
		expect(item.json.references).toHaveLength(LKE_REFERENCES.length);
		expect((item.json.tokenStats as IDataObject).totalTokens).toBe(v1TokenStats('one').totalTokens);
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
		expect(tokenStats.map((item) => item.json.totalTokens)).toEqual([v1TokenStats('one').totalTokens, v1TokenStats('two').totalTokens]);
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

	it('sends the Visitor ID it is given, per item', async () => {
		await run([{ chatInput: 'x', visitor: 'alice' }, { chatInput: 'y', visitor: 'bob' }], { ...defaults, visitorBizId: '={{ $json.visitor }}' });
		expect(sim.requests.map((request) => requestField(request, 'visitor_biz_id'))).toEqual(['alice', 'bob']);
	});

	it('rejects a credential without an AppKey, naming the field, before sending anything', async () => {
		const result = await run([{ chatInput: 'x' }], defaults, { credentialOverrides: { appKey: undefined } });
		expect(result.errorOf('LKE')?.message).toMatch(/'appKey'/);
		expect(sim.requests).toHaveLength(0);
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

/** A v2 reference as the node outputs it, written out from the simulator's reference (not by the node's code). */
const expectedV2Reference = (index: number): IDataObject => adpV2ReferenceOut(ADP_V2_REFERENCES[index]);
const v2TokenStats = adpV2TokenStatsOut;

/** A saved workflow's parameters without apiVersion: n8n fills in the default, ADP v2. */
const v2Defaults = { content: '={{ $json.chatInput }}', sessionId: '', visitorBizId: '', outputLayout: 'single', options: {} };

describe('Tencent LKE chat (ADP v2, the default) in an n8n workflow', () => {
	it('answers each item over /adp/v2/chat with the contract fields, paired to its input', async () => {
		const questions = ['What is ADP?', '你好吗？'];
		const result = await run(questions.map((chatInput) => ({ chatInput })), v2Defaults);
		const items = result.outputOf('LKE');
		expect(items).toHaveLength(2);
		items.forEach((item, index) => {
			expect(item.pairedItem).toEqual({ item: index });
			expect(item.json.reply).toBe(adpV2AnswerFor(questions[index]));
			expect(item.json).toMatchObject({ isFinal: true, isEvil: false, replyMethod: 1, thoughts: [], toolCalls: [], references: [], quoteInfos: [] });
			expect(item.json.tokenStats).toEqual(v2TokenStats(questions[index]));
			for (const field of ['sessionId', 'requestId', 'recordId', 'relatedRecordId', 'traceId']) {
				expect(typeof item.json[field]).toBe('string');
				expect(item.json[field]).not.toBe('');
			}
			expect(item.json).not.toHaveProperty('debug');
		});
		expect(sim.requests.map((entry) => entry.path)).toEqual(['/adp/v2/chat', '/adp/v2/chat']);
		const body = requestBody(sim.requests[0]);
		expect(body.ConversationId).toBe(items[0].json.sessionId);
		expect(body.RequestId).toBe(items[0].json.requestId);
		expect(body.ConversationId).toMatch(/^[a-zA-Z0-9_-]{32,64}$/);
		expect(body.VisitorId).toBe(body.UserId);
		expect(body.VisitorId).toContain('test-workflow');
		expect(body.AppKey).toBe(APP_KEY);
		expect(body.Contents).toEqual([{ Type: 'text', Text: questions[0] }]);
	});

	it('sends custom variables, files and images as Contents items', async () => {
		await run([{ chatInput: 'look', user: { id: 7 } }], {
			...v2Defaults,
			sessionId: 'a'.repeat(32),
			options: {
				customVariables: { variables: [{ key: 'UserID', value: '={{ $json.user.id }}' }, { key: 'User', value: '={{ $json.user }}' }] },
				fileInfos: JSON.stringify([{ file_name: 'a.pdf', file_size: 12345, file_url: 'https://example.com/a.pdf', file_type: 'pdf', doc_id: 'd1' }]),
				imageUrls: 'https://example.com/1.png, https://example.com/2.png',
				enableMultiIntent: true,
				generateAgain: false,
			},
		});
		const body = requestBody(sim.requests[0]);
		expect(body.Contents).toEqual([
			{ Type: 'text', Text: 'look' },
			{ Type: 'custom_variables', CustomVariables: { UserID: '7', User: '{"id":7}' } },
			{ Type: 'file', File: { FileName: 'a.pdf', FileSize: '12345', FileUrl: 'https://example.com/a.pdf', FileType: 'pdf', DocId: 'd1' } },
			{ Type: 'image', Image: { Url: 'https://example.com/1.png' } },
			{ Type: 'image', Image: { Url: 'https://example.com/2.png' } },
		]);
		expect(body).toMatchObject({ ConversationId: 'a'.repeat(32), EnableMultiIntent: true, GenerateAgain: false });
	});

	it('rejects a Session ID shorter than 32 characters before sending, naming the field and the rule', async () => {
		const result = await run([{ chatInput: 'hi' }], { ...v2Defaults, sessionId: 'fixed-session_1' });
		const error = result.errorOf('LKE');
		expect(error?.name).toBe('NodeOperationError');
		expect(error?.message).toMatch(/'sessionId'.*32 to 64.*\^\[a-zA-Z0-9_-\]\{32,64\}\$/);
		expect(sim.requests).toHaveLength(0);
	});

	it('rejects an API version other than v2 or v1 before sending', async () => {
		const result = await run([{ chatInput: 'hi' }], { ...v2Defaults, apiVersion: '={{ "v3" }}' });
		expect(result.errorOf('LKE')?.message).toMatch(/'apiVersion'.*'v2' or 'v1'/);
		expect(sim.requests).toHaveLength(0);
	});

	it('an agent turn: thoughts, tool calls, reply method 18 and the procedures\' token statistics', async () => {
		const question = 'plan a trip [agent]';
		const turn = adpV2TurnFor(question);
		const item = (await run([{ chatInput: question }], v2Defaults)).outputOf('LKE')[0];
		expect(item.json.reply).toBe(adpV2AnswerFor(question));
		expect(item.json.replyMethod).toBe(18);
		expect((item.json.thoughts as IDataObject[]).map((thought) => thought.content)).toEqual(turn.thoughts);
		expect((item.json.thoughts as IDataObject[]).every((thought) => thought.status === 'success' && typeof thought.elapsed === 'number')).toBe(true);
		expect(item.json.toolCalls).toEqual(turn.toolCalls.map((call) => ({ name: call.name, title: call.title, status: 'success', content: call.text })));
		expect(item.json.tokenStats).toEqual(v2TokenStats(question));
	});

	it('several reply messages, references and quote infos, with token counts sent as strings', async () => {
		const question = 'two things [multi-reply:2] [refs] [string-numbers]';
		const turn = adpV2TurnFor(question);
		const item = (await run([{ chatInput: question }], v2Defaults)).outputOf('LKE')[0];
		expect(item.json.reply).toBe(turn.replies.join('\n\n'));
		expect(item.json.replyMethod).toBe(19);
		expect(item.json.references).toEqual([0, 1, 2, 3].map(expectedV2Reference));
		expect(item.json.quoteInfos).toEqual(turn.quoteInfos.map((quote) => ({ index: quote.Index, position: quote.Position })));
		expect(item.json.tokenStats).toEqual(v2TokenStats(question));
	});

	it('includeDebug adds the raw procedures under debug; without it nothing of them shows', async () => {
		const question = 'debug me [agent]';
		const plain = (await run([{ chatInput: question }], v2Defaults)).outputOf('LKE')[0].json;
		expect(plain).not.toHaveProperty('debug');
		expect(JSON.stringify(plain)).not.toContain('"ResourceStatus"');
		const withDebug = (await run([{ chatInput: question }], { ...v2Defaults, options: { includeDebug: true } })).outputOf('LKE')[0].json;
		const debug = withDebug.debug as IDataObject;
		expect((debug.procedures as IDataObject[]).map((procedure) => procedure.Name)).toEqual(adpV2TurnFor(question).procedures.map((procedure) => procedure.Name));
		expect(debug.statInfo).toMatchObject({ TotalCost: String(adpV2TurnFor(question).statInfo.TotalCost) });
	});

	it('with Continue On Fail: error events with code and meaning, the partial reply kept, the other items go on', async () => {
		const inputs = [
			{ chatInput: 'fine' },
			{ chatInput: 'half [error-after-text:460035]' },
			{ chatInput: 'refused [error:460004]' },
			{ chatInput: 'no end [no-completed]' },
		];
		const result = await run(inputs, { ...v2Defaults, options: { maxRetries: 0 } }, { settings: { continueOnFail: true } });
		const items = result.outputOf('LKE');
		expect(items.map((item) => item.pairedItem)).toEqual([{ item: 0 }, { item: 1 }, { item: 2 }, { item: 3 }]);
		expect(items[0].json.reply).toBe(adpV2AnswerFor('fine'));
		expect(items[1].json).toMatchObject({ error: 'Tencent LKE error 460035: Content too long, already stopped', code: 460035, isFinal: false });
		expect(String(items[1].json.reply).length).toBeGreaterThan(0);
		expect(adpV2AnswerFor(inputs[1].chatInput).startsWith(String(items[1].json.reply))).toBe(true);
		expect(items[2].json).toMatchObject({ error: 'Tencent LKE error 460004: The application does not exist', code: 460004, reply: '', isFinal: false });
		expect(items[3].json).toMatchObject({ code: 'INCOMPLETE_STREAM', isFinal: false, reply: adpV2AnswerFor(inputs[3].chatInput) });
	});

	it('fails the node with a NodeApiError carrying the code and meaning', async () => {
		const result = await run([{ chatInput: 'q [error:460032]' }], v2Defaults);
		expect(result.errorOf('LKE')?.name).toBe('NodeApiError');
		expect(result.errorOf('LKE')?.message).toBe('Tencent LKE error 460032: Insufficient balance in the current application model');
		expect(sim.requests).toHaveLength(1);
	});

	it('retries busy codes, HTTP 503 and the canned busy reply; timeouts once; quota codes never', async () => {
		const inputs = ['flaky [flaky:2]', 'flaky http [flaky-http:1]', 'busy [busy-reply]', 'slow [error:460020]', 'quota [error:460723]', 'tpm [error:460721]'].map((chatInput) => ({ chatInput }));
		const result = await run(inputs, { ...v2Defaults, options: { maxRetries: 2 } }, { settings: { continueOnFail: true } });
		const items = result.outputOf('LKE');
		const requestsFor = (question: string) => sim.requests.filter((entry) => adpV2QuestionOf(requestField(entry, 'Contents')) === question).length;
		expect(items[0].json.reply).toBe(adpV2AnswerFor(inputs[0].chatInput));
		expect(requestsFor(inputs[0].chatInput)).toBe(3);
		expect(items[1].json.reply).toBe(adpV2AnswerFor(inputs[1].chatInput));
		expect(requestsFor(inputs[1].chatInput)).toBe(2);
		expect(items[2].json).toMatchObject({ code: 460011, error: 'Tencent LKE error 460011: Exceed the concurrency limit' });
		expect(requestsFor(inputs[2].chatInput)).toBe(3);
		expect(items[3].json.code).toBe(460020);
		expect(requestsFor(inputs[3].chatInput)).toBe(2);
		expect(items[4].json.code).toBe(460723);
		expect(requestsFor(inputs[4].chatInput)).toBe(1);
		expect(items[5].json.code).toBe(460721);
		expect(requestsFor(inputs[5].chatInput)).toBe(3);
		expect(result.logs.some((log) => /Tencent LKE: retry 1 of item 0 .* after 460011/.test(log.message))).toBe(true);
	}, 60_000);

	it('with the split layout gives Reply, References and Token Stats outputs', async () => {
		const result = await run([{ chatInput: 'one [refs]' }, { chatInput: 'two' }], { ...v2Defaults, outputLayout: 'split' });
		const replies = result.outputOf('LKE', 0);
		const references = result.outputOf('LKE', 1);
		const tokenStats = result.outputOf('LKE', 2);
		expect(replies.map((item) => item.json.reply)).toEqual([adpV2AnswerFor('one [refs]'), adpV2AnswerFor('two')]);
		expect(replies[0].json).not.toHaveProperty('references');
		expect(replies[0].json).not.toHaveProperty('tokenStats');
		expect(references.map((item) => item.json)).toEqual(
			[0, 1, 2, 3].map((index) => ({ ...expectedV2Reference(index), sessionId: replies[0].json.sessionId, recordId: replies[0].json.recordId })),
		);
		expect(references.every((item) => (item.pairedItem as { item: number }).item === 0)).toBe(true);
		expect(tokenStats.map((item) => item.json)).toEqual([v2TokenStats('one [refs]'), v2TokenStats('two')]);
	});

	it('runs items concurrently and still outputs them in input order', async () => {
		const questions = Array.from({ length: 6 }, (_, index) => `q${index} [latency:${(6 - index) * 15}]`);
		const result = await run(questions.map((chatInput) => ({ chatInput })), { ...v2Defaults, options: { concurrency: 3 } });
		expect(result.outputOf('LKE').map((item) => item.json.reply)).toEqual(questions.map(adpV2AnswerFor));
		expect(sim.peakInFlight('adpV2')).toBe(3);
	});
});

describe('live answers in a streaming execution', () => {
	function liveText(result: WorkflowRunResult & { chunks: StructuredChunk[] }, itemIndex: number): { types: string[]; text: string; pieces: number } {
		const chunks = result.chunks.filter((chunk) => chunk.metadata.itemIndex === itemIndex && chunk.metadata.nodeName === 'LKE');
		const pieces = chunks.filter((chunk) => chunk.type === 'item');
		return { types: chunks.map((chunk) => chunk.type), text: pieces.map((chunk) => chunk.content).join(''), pieces: pieces.length };
	}

	it.each([
		['v2, text.replace (Incremental off)', v2Defaults, false],
		['v2, text.delta (Incremental on)', v2Defaults, true],
		['v1, cumulative', defaults, false],
		['v1, incremental', defaults, true],
	])('%s: the reply goes out as it arrives, begin and end around it', async (_name, parameters, incremental) => {
		const question = 'stream it [pieces:8]';
		const v2 = parameters === v2Defaults;
		const result = await run([{ chatInput: question }], { ...parameters, options: { incremental } }, { streaming: true });
		const item = result.outputOf('LKE')[0];
		expect(item.json.reply).toBe(v2 ? adpV2AnswerFor(question) : lkeAnswerFor(question));
		const live = liveText(result, 0);
		expect(live.types[0]).toBe('begin');
		expect(live.types[live.types.length - 1]).toBe('end');
		expect(live.pieces).toBeGreaterThan(3);
		expect(live.text).toBe(item.json.reply);
	});

	it.each([false, true])('v2 with a draft the service revises (Incremental %s): the revised-away text never goes out', async (incremental) => {
		const question = 'revise [replace-midway] [pieces:10]';
		const result = await run([{ chatInput: question }], { ...v2Defaults, options: { incremental } }, { streaming: true });
		expect(result.outputOf('LKE')[0].json.reply).toBe(adpV2AnswerFor(question));
		const live = liveText(result, 0);
		expect(live.text).toBe(adpV2AnswerFor(question));
		expect(live.text).not.toContain('draft the service revises');
	});

	it('v2 with several replies: the live text is the reply, thoughts are not sent', async () => {
		const question = 'many [agent] [multi-reply:2]';
		const result = await run([{ chatInput: question }], v2Defaults, { streaming: true });
		expect(liveText(result, 0).text).toBe(adpV2AnswerFor(question));
	});

	it('Enable Streaming off sends nothing live', async () => {
		const result = await run([{ chatInput: 'quiet' }], { ...v2Defaults, options: { enableStreaming: false } }, { streaming: true });
		expect(result.outputOf('LKE')[0].json.reply).toBe(adpV2AnswerFor('quiet'));
		expect(result.chunks).toEqual([]);
	});
});
