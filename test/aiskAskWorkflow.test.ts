import type { IDataObject, INode, StructuredChunk } from 'n8n-workflow';
import { AiskApi } from '../credentials/AiskApi.credentials';
import { Aisk } from '../nodes/Aisk/Aisk.node';
import { askAisk, createAskSession } from '../nodes/Aisk/askClient';
import { buildAiskAskRequest } from '../nodes/Aisk/askRequest';
import { AgentChatError } from '../nodes/shared/errors';
import {
	AISK_CHATBOT_WITHOUT_KB,
	AISK_FRAMINGS,
	aiskAnswerFor,
	aiskCitationsFor,
	aiskKnowledgeBasesFor,
	aiskOutOfQuotaStatus,
	requestField,
	SIMULATOR_DEFAULTS,
	type Simulator,
} from '../testkit/simulator';
import { useSimulator } from './helpers/useSimulator';
import { manualTriggerNode, runWorkflow, type WorkflowRunResult } from './helpers/workflowRunner';

const NODE_TYPE = 'n8n-nodes-agent-chat.aisk';
const CHATBOT = '3f2c1d7e-8a4b-4c6d-9e0f-1a2b3c4d5e6f';
const OTHER_CHATBOT = '9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d';
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

let sim: Simulator;
useSimulator((started) => (sim = started));

const credentials = (): IDataObject => ({ apiToken: SIMULATOR_DEFAULTS.aiskToken, orgId: 'org-42', baseUrl: sim.url });

function askNode(parameters: IDataObject = {}, extra: Partial<INode> = {}): INode {
	return {
		id: 'aisk',
		name: 'AiSK',
		type: NODE_TYPE,
		typeVersion: 1,
		position: [200, 0],
		parameters: { operation: 'ask', chatbotId: CHATBOT, question: '={{ $json.chatInput }}', conversationId: '', ...parameters },
		...extra,
	} as INode;
}

interface RunOptions {
	inputItems?: IDataObject[];
	onChunk?: (chunk: StructuredChunk) => void;
	nodeType?: string;
}

async function run(node: INode, options: RunOptions = {}): Promise<WorkflowRunResult> {
	const type = options.nodeType ?? NODE_TYPE;
	return await runWorkflow({
		nodeTypes: { [type]: new Aisk() },
		credentialTypes: { aiskApi: new AiskApi() },
		credentials: { aiskApi: credentials() as never },
		inputItems: options.inputItems ?? [{ chatInput: 'What is AiSK?' }],
		onChunk: options.onChunk,
		workflow: {
			nodes: [manualTriggerNode('Start'), { ...node, type }],
			connections: { Start: { main: [[{ node: node.name, type: 'main', index: 0 }]] } },
		},
	});
}

const streamRequests = () => sim.requests.filter((request) => request.route === 'aiskStream');

/** The API token and every prompt token the simulator saw: none may show in outputs, errors or logs. */
function expectNoSecrets(result: WorkflowRunResult): void {
	const tokens = sim.requests.map((request) => String(request.headers.authorization ?? '').replace(/^Bearer\s+/i, '')).filter(Boolean);
	expect(tokens).toContain(SIMULATOR_DEFAULTS.aiskToken);
	const texts = [JSON.stringify(result.run.data.resultData.runData), JSON.stringify(result.logs)];
	const error = result.errorOf('AiSK');
	if (error) texts.push(error.message, String(error.description ?? ''), JSON.stringify(error));
	for (const token of new Set(tokens)) for (const text of texts) expect(text).not.toContain(token);
}

/** The references the node should output for the simulator's citations, by the Citation schema's names. */
function expectedReferenceNames(question: string, restricted = false): string[] {
	return aiskCitationsFor(question, { restricted }).map((citation) => {
		const named = (citation.web_link ?? citation.local_drive ?? citation.vod ?? citation.video ?? citation.aod ?? {}) as Record<string, string>;
		return named.title ?? named.file_name ?? named.name ?? '';
	});
}

describe('AiSK Ask in a workflow (simulator)', () => {
	test('several items at concurrency 3: answers in input order, one prompt token and one init for the chatbot', async () => {
		const questions = ['One? [delay:20]', 'Two 二? [delay:20]', 'Three 🚀? [delay:20]', 'Four? [delay:20]', 'Five? [delay:20]'];
		const result = await run(askNode({ options: { concurrency: 3 } }), { inputItems: questions.map((chatInput) => ({ chatInput })) });
		expect(result.run.status).toBe('success');
		const items = result.outputOf('AiSK');
		const ownKbs = aiskKnowledgeBasesFor(CHATBOT).map((kb) => kb.id);
		items.forEach((item, index) => {
			expect(item.pairedItem).toEqual({ item: index });
			expect(item.json.reply).toBe(aiskAnswerFor(questions[index]));
			expect(item.json.chatbotId).toBe(CHATBOT);
			expect(item.json.knowledgeBaseIds).toEqual(ownKbs);
			expect(item.json.conversationId).toMatch(UUID);
			expect((item.json.references as IDataObject[]).map((reference) => reference.name)).toEqual(expectedReferenceNames(questions[index]));
			expect(Object.keys(item.json).sort()).toEqual(['chatbotId', 'conversationId', 'knowledgeBaseIds', 'references', 'reply']);
		});
		expect(new Set(items.map((item) => item.json.conversationId)).size).toBe(questions.length);
		expect(sim.aiskCounts()).toMatchObject({ promptTokens: 1, init: 1, prompts: 5, answered: 5 });
		expect(sim.peakInFlight('aiskStream')).toBeGreaterThan(1);
		for (const request of streamRequests()) {
			expect(request.headers.authorization).toMatch(/^Bearer sim-prompt-/);
			expect(requestField(request, 'kb_ids')).toEqual(ownKbs);
		}
		const tokenRequest = sim.requests.find((request) => request.route === 'aiskPromptToken')!;
		expect(tokenRequest.json).toEqual({ source: { type: 'PROMPT_TOKEN_SOURCE_TYPE_CHATBOT_ID', chatbot_id: CHATBOT }, setting: { citation: { mode: 'PROMPT_CITATION_MODE_ALL' } } });
		expect(tokenRequest.headers['x-bv-org-id']).toBe('org-42');
		expectNoSecrets(result);
	});

	test('two chatbots: one token and one init each', async () => {
		const result = await run(askNode({ chatbotId: '={{ $json.bot }}', options: { concurrency: 4 } }), {
			inputItems: [CHATBOT, OTHER_CHATBOT, CHATBOT, OTHER_CHATBOT].map((bot, i) => ({ bot, chatInput: `q${i}` })),
		});
		expect(result.outputOf('AiSK').map((item) => item.json.reply)).toEqual([0, 1, 2, 3].map((i) => aiskAnswerFor(`q${i}`)));
		expect(sim.aiskCounts()).toMatchObject({ promptTokens: 2, init: 2, prompts: 4 });
	});

	const framingCases = AISK_FRAMINGS.flatMap((framing) => ['delta', 'cumulative'].map((mode) => [framing, mode]));
	test.each(framingCases)('framing %s, messages %s: the whole answer once, the references de-duplicated', async (framing, mode) => {
		const question = `Framing [framing:${framing}][mode:${mode}][citations:each][split][done][pieces:9] 問題`;
		const result = await run(askNode(), { inputItems: [{ chatInput: question }] });
		const [item] = result.outputOf('AiSK');
		expect(item.json.reply).toBe(aiskAnswerFor(question));
		expect((item.json.references as IDataObject[]).map((reference) => reference.name)).toEqual(expectedReferenceNames(question));
	});

	test('a long cumulative answer in JSON lines', async () => {
		const question = 'Long [framing:jsonl-result][long:4000][pieces:150]';
		const [item] = (await run(askNode(), { inputItems: [{ chatInput: question }] })).outputOf('AiSK');
		expect(item.json.reply).toBe(aiskAnswerFor(question));
	});

	test('conversationId: returned, and passed on by the next turn', async () => {
		const first = (await run(askNode())).outputOf('AiSK')[0].json;
		const second = (await run(askNode({ conversationId: '={{ $json.previous }}' }), { inputItems: [{ chatInput: 'And then?', previous: first.conversationId }] })).outputOf('AiSK')[0].json;
		expect(second.conversationId).toBe(first.conversationId);
		expect(streamRequests().map((request) => requestField(request, 'metadata'))).toMatchObject([{ conversation_id: first.conversationId }, { conversation_id: first.conversationId }]);
	});

	test('named knowledge bases, a language, restricted citations for a user: sent as asked, no init call', async () => {
		const [kb] = aiskKnowledgeBasesFor(CHATBOT);
		const result = await run(askNode({ options: { knowledgeBaseIds: kb.id, language: 'zh-TW', citationMode: 'restricted', userId: 'user-7' } }));
		const [item] = result.outputOf('AiSK');
		expect(item.json.reply).toBe(aiskAnswerFor('What is AiSK?', 'zh-TW'));
		expect(item.json.knowledgeBaseIds).toEqual([kb.id]);
		expect((item.json.references as IDataObject[]).map((reference) => reference.name)).toEqual(expectedReferenceNames('What is AiSK?', true));
		expect(sim.aiskCounts()).toMatchObject({ promptTokens: 1, init: 0 });
		expect(requestField(sim.requests.find((request) => request.route === 'aiskPromptToken'), 'setting')).toEqual({
			citation: { mode: 'PROMPT_CITATION_MODE_RESTRICTED', user_id: 'user-7' },
		});
		expect(streamRequests()[0].json).toMatchObject({ kb_ids: [kb.id], metadata: { language: 'zh-TW' } });
	});

	test('a chatbot without knowledge bases is asked with an empty kb_ids', async () => {
		const [item] = (await run(askNode({ chatbotId: AISK_CHATBOT_WITHOUT_KB }))).outputOf('AiSK');
		expect(item.json).toMatchObject({ reply: aiskAnswerFor('What is AiSK?'), knowledgeBaseIds: [] });
	});

	test('a prompt token refused mid-execution (401): renewed once, the item answered', async () => {
		const result = await run(askNode({ options: { concurrency: 2 } }), { inputItems: [{ chatInput: 'Expire [expire-token]' }, { chatInput: 'Plain' }] });
		expect(result.run.status).toBe('success');
		expect(result.outputOf('AiSK').map((item) => item.json.reply)).toEqual([aiskAnswerFor('Expire [expire-token]'), aiskAnswerFor('Plain')]);
		expect(sim.aiskCounts().promptTokens).toBe(2);
		expectNoSecrets(result);
	});

	test('a stream that answers 401 every time: one renewal, then UNAUTHENTICATED', async () => {
		const result = await run(askNode({ options: { maxRetries: 3 } }), { inputItems: [{ chatInput: 'Never [status:401]' }] });
		const error = result.errorOf('AiSK')!;
		expect(error.message).toMatch(/^AiSK error 16 UNAUTHENTICATED/);
		expect(sim.aiskCounts().promptTokens).toBe(2);
		expect(streamRequests()).toHaveLength(2);
		expectNoSecrets(result);
	});

	test('an error that repeats the prompt token: the token is masked in the error like the API token', async () => {
		const promptToken = 'prompt-token-echoed-0d4e';
		// The whole exchange is scripted: the simulator's own handlers would refuse a token they did not issue.
		sim.enqueue('aiskPromptToken', { steps: [JSON.stringify({ token: promptToken, expires_in: 600 })] });
		sim.enqueue('aiskInit', { steps: ['{"knowledge_base_infos":[]}'] });
		sim.enqueue('aiskStream', { status: 400, steps: [JSON.stringify({ code: 3, message: `token ${promptToken} (Bearer ${promptToken}) is not valid for this chatbot` })] });
		const result = await run(askNode());
		const error = result.errorOf('AiSK')!;
		expect(error.message).toMatch(/^AiSK error 3 INVALID_ARGUMENT/);
		expect(error.message).toContain('is not valid for this chatbot');
		expect(streamRequests()[0].headers.authorization).toBe(`Bearer ${promptToken}`);
		expectNoSecrets(result);
	});

	test('throttling: waited out as ErrorInfo wait_sec asks, then answered', async () => {
		const question = 'Busy [throttle:2][throttle-wait:0.05]';
		const result = await run(askNode({ options: { maxRetries: 3 } }), { inputItems: [{ chatInput: question }] });
		expect(result.outputOf('AiSK')[0].json.reply).toBe(aiskAnswerFor(question));
		expect(streamRequests()).toHaveLength(3);
		const retries = result.logs.map((log) => log.message).filter((message) => message.startsWith('AiSK: retry'));
		expect(retries).toEqual(['AiSK: retry 1 of item 0 in 50 ms after RESOURCE_EXHAUSTED', 'AiSK: retry 2 of item 0 in 50 ms after RESOURCE_EXHAUSTED']);
		expect(sim.aiskCounts().promptTokens).toBe(1);
	});

	test('throttling with Retry-After: the longer of the two waits', async () => {
		const result = await run(askNode(), { inputItems: [{ chatInput: 'Busy [throttle:1][throttle-wait:0][retry-after:0.1]' }] });
		expect(result.run.status).toBe('success');
		expect(result.logs.map((log) => log.message)).toContain('AiSK: retry 1 of item 0 in 100 ms after RESOURCE_EXHAUSTED');
	});

	test('throttling that asks for a longer wait than the Timeout leaves: fails at once instead of waiting', async () => {
		const result = await run(askNode({ options: { maxRetries: 3, timeout: 10000 } }), { inputItems: [{ chatInput: 'Slow down [throttle:1][throttle-wait:9999]' }] });
		const error = result.errorOf('AiSK')!;
		expect(error.message).toBe('AiSK error 8 RESOURCE_EXHAUSTED (rate limit or quota exhausted): throttle');
		expect(String(error.description)).toContain('reason ERROR_REASON_PROMPT_THROTTLING');
		expect(streamRequests()).toHaveLength(1);
	});

	test('a stream that goes silent after its first message: IDLE_TIMEOUT, the first piece kept, not sent again', async () => {
		const question = 'Silent [stall][pieces:4]';
		const result = await run(askNode({ options: { idleTimeout: 300, maxRetries: 2 } }, { continueOnFail: true }), { inputItems: [{ chatInput: question }] });
		const [item] = result.outputOf('AiSK');
		expect(item.json.code).toBe('IDLE_TIMEOUT');
		expect(String(item.json.reply).length).toBeGreaterThan(0);
		expect(aiskAnswerFor(question).startsWith(String(item.json.reply))).toBe(true);
		expect(streamRequests()).toHaveLength(1);
	});

	test('out of quota: fails at once, naming the quota and reset_at', async () => {
		const resetAt = (aiskOutOfQuotaStatus().details[0].metadata as Record<string, string>).reset_at;
		const result = await run(askNode({ options: { maxRetries: 5 } }), { inputItems: [{ chatInput: 'Daily [quota]' }] });
		const error = result.errorOf('AiSK')!;
		expect(error.name).toBe('NodeApiError');
		expect(error.message).toBe(`AiSK error 8 RESOURCE_EXHAUSTED (out of quota): the chatbot's daily quota of 100 messages is used up; it resets at ${resetAt}`);
		expect(String(error.description)).toContain('ERROR_REASON_PROMPT_OUT_OF_QUOTA');
		expect(streamRequests()).toHaveLength(1);
		expectNoSecrets(result);
	});

	test.each([
		['[error-mid]', 'INTERNAL'],
		['[error-mid:503]', 'UNAVAILABLE'],
		['[reset]', 'CONNECTION_RESET'],
	])('%s with Continue On Fail: the reply so far is kept, not retried, the other items go on', async (marker, code) => {
		const broken = `Broken ${marker}[pieces:6][delay:20]`;
		const result = await run(askNode({ options: { maxRetries: 3 } }, { continueOnFail: true }), { inputItems: [{ chatInput: broken }, { chatInput: 'Fine' }] });
		expect(result.run.status).toBe('success');
		const [failed, fine] = result.outputOf('AiSK');
		expect(failed.json).toMatchObject({ code, chatbotId: CHATBOT });
		const partial = String(failed.json.reply);
		expect(partial.length).toBeGreaterThan(0);
		expect(aiskAnswerFor(broken).startsWith(partial)).toBe(true);
		expect(partial.length).toBeLessThan(aiskAnswerFor(broken).length);
		expect(failed.json.conversationId).toMatch(UUID);
		expect(fine.json.reply).toBe(aiskAnswerFor('Fine'));
		expect(streamRequests().filter((request) => requestField(request, 'question') === broken)).toHaveLength(1);
		expectNoSecrets(result);
	});

	test.each([
		[{ chatbotId: 'bot-1' }, "Invalid parameter 'chatbotId': must be a UUID"],
		[{ question: '={{ "  " }}' }, "Invalid parameter 'question': must be a non-empty text"],
		[{ options: { citationMode: 'all', userId: 'u' } }, "Invalid parameter 'options.userId': is used only with Citation Mode restricted"],
	])('bad input %j: a NodeOperationError naming the field, before any request', async (parameters, message) => {
		const result = await run(askNode(parameters));
		const error = result.errorOf('AiSK')!;
		expect(error.name).toBe('NodeOperationError');
		expect(error.message.startsWith(message)).toBe(true);
		expect(sim.requests).toHaveLength(0);
	});

	test.each([
		['[status:403]', /^AiSK error 7 PERMISSION_DENIED/],
		['[errors-wrapped][status:403]', /^AiSK error 7 PERMISSION_DENIED/],
		['[errors-wrapped][quota]', /^AiSK error 8 RESOURCE_EXHAUSTED \(out of quota\).*it resets at \d{4}-\d\d-\d\dT00:00:00\+08:00$/],
	])('an error before the stream, %s (bare Status or grpc-gateway\'s {"error": Status}): the gRPC code and its meaning, not retried', async (marker, message) => {
		const error = (await run(askNode({ options: { maxRetries: 2 } }), { inputItems: [{ chatInput: `Denied ${marker}` }] })).errorOf('AiSK')!;
		expect(error.message).toMatch(message);
		expect(streamRequests()).toHaveLength(1);
	});

	test('a knowledge base the chatbot does not have: INVALID_ARGUMENT from the server', async () => {
		const error = (await run(askNode({ options: { knowledgeBaseIds: 'kb-elsewhere' } }))).errorOf('AiSK')!;
		expect(error.message).toMatch(/^AiSK error 3 INVALID_ARGUMENT .*kb-elsewhere/);
	});

	test('a streaming execution gets each item\'s deltas between its begin and end, even from a cumulative stream', async () => {
		const chunks: StructuredChunk[] = [];
		const questions = ['Live one [framing:jsonl-result][pieces:8]', 'Live two [framing:sse][pieces:5]'];
		const result = await run(askNode({ options: { concurrency: 2 } }), { inputItems: questions.map((chatInput) => ({ chatInput })), onChunk: (chunk) => chunks.push(chunk) });
		const items = result.outputOf('AiSK');
		questions.forEach((question, index) => {
			const own = chunks.filter((chunk) => chunk.metadata.itemIndex === index);
			expect(own[0].type).toBe('begin');
			expect(own[own.length - 1].type).toBe('end');
			const texts = own.filter((chunk) => chunk.type === 'item').map((chunk) => chunk.content);
			expect(texts.length).toBeGreaterThan(3);
			expect(texts.join('')).toBe(aiskAnswerFor(question));
			expect(items[index].json.reply).toBe(aiskAnswerFor(question));
		});
	});

	test('Enable Streaming off, or the node as an AI Agent tool: nothing goes out live, the output is the same', async () => {
		const chunks: StructuredChunk[] = [];
		const off = await run(askNode({ options: { enableStreaming: false } }), { onChunk: (chunk) => chunks.push(chunk) });
		const tool = await run(askNode(), { onChunk: (chunk) => chunks.push(chunk), nodeType: `${NODE_TYPE}Tool` });
		expect(chunks).toEqual([]);
		expect(off.outputOf('AiSK')[0].json.reply).toBe(aiskAnswerFor('What is AiSK?'));
		expect(tool.outputOf('AiSK')[0].json.reply).toBe(aiskAnswerFor('What is AiSK?'));
	});
});

describe('AiSK Ask client: the prompt token renewed when its time is up', () => {
	test('a token past its expires_in is replaced before the next question; the init is kept', async () => {
		let clock = Date.now();
		const session = createAskSession({ now: () => clock });
		const request = (question: string) =>
			buildAiskAskRequest({ chatbotId: CHATBOT, question, conversationId: '' }, { apiToken: SIMULATOR_DEFAULTS.aiskToken, baseUrl: sim.url });
		expect((await askAisk(request('First'), session)).reply).toBe(aiskAnswerFor('First'));
		expect((await askAisk(request('Second'), session)).reply).toBe(aiskAnswerFor('Second'));
		expect(sim.aiskCounts()).toMatchObject({ promptTokens: 1, init: 1 });
		clock += 3600 * 1000;
		expect((await askAisk(request('Third'), session)).reply).toBe(aiskAnswerFor('Third'));
		expect(sim.aiskCounts()).toMatchObject({ promptTokens: 2, init: 1 });
		const tokens = streamRequests().map((r) => r.headers.authorization);
		expect(tokens[0]).toBe(tokens[1]);
		expect(tokens[2]).not.toBe(tokens[1]);
	});
});

describe('AiSK Ask client: answers that are not what the API documents (scripted on the simulator)', () => {
	const request = (question = 'What is AiSK?') =>
		buildAiskAskRequest({ chatbotId: CHATBOT, question, conversationId: '', options: { maxRetries: 0 } }, { apiToken: SIMULATOR_DEFAULTS.aiskToken, baseUrl: sim.url });
	async function failureOf(question?: string): Promise<AgentChatError> {
		try {
			await askAisk(request(question), createAskSession());
		} catch (error) {
			expect(error).toBeInstanceOf(AgentChatError);
			return error as AgentChatError;
		}
		throw new Error('expected an AgentChatError');
	}
	const streamBody = (route: string) => sim.requests.filter((entry) => entry.route === route).map((entry) => entry.json as IDataObject);

	test('a prompt token answer without a token: UNEXPECTED_RESPONSE naming the fields it had', async () => {
		sim.enqueue('aiskPromptToken', { steps: ['{"tokn":"x","expires_in":60}'] });
		expect(await failureOf()).toMatchObject({
			kind: 'protocol',
			code: 'UNEXPECTED_RESPONSE',
			message: 'AiSK answered the prompt token request without a token',
			description: 'The answer had the fields: tokn, expires_in.',
		});
		sim.enqueue('aiskPromptToken', { steps: ['{}'] });
		expect(await failureOf()).toMatchObject({ description: 'The answer had the fields: none.' });
	});

	test("the chatbot's knowledge bases: the IDs that are non-empty texts, from either spelling; not a list fails", async () => {
		// The streams are scripted too: the simulator would refuse knowledge bases that are not the chatbot's.
		const answer = { headers: { 'content-type': 'application/json' }, steps: ['{"result":{"message":"ok"}}\n'] };
		sim.enqueue('aiskInit', { steps: [JSON.stringify({ knowledge_base_infos: [{ id: 'kb-1' }, { id: '' }, { id: 5 }, null, 'kb-x', { name: 'no id' }, { id: 'kb-2' }] })] });
		sim.enqueue('aiskStream', answer);
		expect((await askAisk(request('q1'), createAskSession())).reply).toBe('ok');
		sim.enqueue('aiskInit', { steps: [JSON.stringify({ knowledgeBaseInfos: [{ id: 'kb-3' }] })] });
		sim.enqueue('aiskStream', answer);
		await askAisk(request('q2'), createAskSession());
		sim.enqueue('aiskInit', { steps: ['{}'] });
		sim.enqueue('aiskStream', answer);
		await askAisk(request('q3'), createAskSession());
		expect(streamBody('aiskStream').map((body) => body.kb_ids)).toEqual([['kb-1', 'kb-2'], ['kb-3'], []]);

		sim.enqueue('aiskInit', { steps: ['{"knowledge_base_infos":"kb-1"}'] });
		expect(await failureOf()).toMatchObject({ code: 'UNEXPECTED_RESPONSE', message: 'AiSK answered the chatbot init with knowledge_base_infos that is not a list' });
	});

	test('a stream that closes with no answer text: EMPTY_ANSWER, retryable', async () => {
		sim.enqueue('aiskStream', { steps: ['{}\n', '{"result":{}}\n'] });
		expect(await failureOf()).toMatchObject({
			kind: 'protocol',
			code: 'EMPTY_ANSWER',
			retryable: true,
			message: 'AiSK ended the stream without any answer text',
			description: 'The stream closed before a message with text arrived.',
		});
	});

	test('a stream answered with HTTP 300 is an error by its status; any 2xx is read', async () => {
		sim.enqueue('aiskStream', { status: 300, steps: ['{"message":"x"}'] });
		expect(await failureOf()).toMatchObject({ kind: 'http', code: 300 });
		sim.enqueue('aiskStream', { status: 299, headers: { 'content-type': 'application/json' }, steps: ['{"result":{"message":"two"}}\n', '{"result":{"message":"nine"}}\n'] });
		expect((await askAisk(request(), createAskSession())).reply).toBe('twonine');
	});

	test('a refused prompt token (HTTP 401, or gRPC UNAUTHENTICATED on another status) is renewed once, then the refusal stands', async () => {
		sim.enqueue('aiskStream', { status: 401, steps: ['<html>expired</html>'] });
		expect((await askAisk(request('after 401'), createAskSession())).reply).toBe(aiskAnswerFor('after 401'));
		expect(sim.aiskCounts().promptTokens).toBe(2);

		sim.reset();
		sim.enqueue('aiskStream', { status: 400, steps: [JSON.stringify({ code: 16, message: 'token expired' })] });
		expect((await askAisk(request('after 16'), createAskSession())).reply).toBe(aiskAnswerFor('after 16'));
		expect(sim.aiskCounts().promptTokens).toBe(2);

		sim.reset();
		sim.enqueue('aiskStream', { status: 403, steps: [JSON.stringify({ code: 7, message: 'no' })] });
		expect(await failureOf()).toMatchObject({ code: 'PERMISSION_DENIED' });
		expect(sim.aiskCounts().promptTokens).toBe(1);
	});
});
