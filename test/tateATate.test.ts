import type { IConnections, IDataObject, INode } from 'n8n-workflow';
import { TateATateApi } from '../credentials/TateATateApi.credentials';
import { AgentChatError } from '../nodes/shared/errors';
import { buildTateSendRequest, type TateSendInput } from '../nodes/TateATate/sendRequest';
import { sendTateMessage } from '../nodes/TateATate/client';
import { buildTateAuthorization } from '../nodes/TateATate/authorization';
import { TateStreamAggregator, isTateMessageEvent, looksLikeEventStream } from '../nodes/TateATate/streamAggregator';
import { parseTateJsonAnswer, tateObjectFrom } from '../nodes/TateATate/response';
import { incompleteStreamError, invalidLineError, tateHttpError } from '../nodes/TateATate/errors';
import { TateATate } from '../nodes/TateATate/TateATate.node';
import { manualTriggerNode, runWorkflow, type WorkflowRunResult } from './helpers/workflowRunner';
import { requestField, SIMULATOR_DEFAULTS, tateReplyFor, type Simulator } from '../testkit/simulator';
import { useSimulator } from './helpers/useSimulator';
import { failureOf, thrownAgentChatError } from './helpers/failureOf';
import { startEchoServer } from './helpers/hardening';

const NODE_TYPE = 'n8n-nodes-agent-chat.tateATate';
const SECRET = SIMULATOR_DEFAULTS.tateSecretKey;
const BOT = 'a1cc0e70-6264-49bd-9356-a2da46849dae';

let sim: Simulator;
useSimulator((started) => (sim = started));

function credentials(overrides: IDataObject = {}): IDataObject {
	return { secretKey: SECRET, baseUrl: `${sim.url}/im`, ...overrides };
}

function tateNode(parameters: IDataObject = {}, extra: Partial<INode> = {}): INode {
	return {
		id: `tate-${extra.name ?? 'Tate'}`,
		name: 'Tate',
		type: NODE_TYPE,
		typeVersion: 1,
		position: [200, 0],
		parameters: { operation: 'sendMessage', botId: BOT, ...parameters },
		...extra,
	} as INode;
}

async function run(
	nodes: INode[],
	options: { credentials?: IDataObject; inputItems?: IDataObject[] } = {},
): Promise<WorkflowRunResult> {
	const all = [manualTriggerNode('Start'), ...nodes];
	const connections: IConnections = {};
	for (let i = 0; i < all.length - 1; i++) {
		connections[all[i].name] = { main: [[{ node: all[i + 1].name, type: 'main', index: 0 }]] };
	}
	return await runWorkflow({
		nodeTypes: { [NODE_TYPE]: new TateATate() },
		credentialTypes: { tateATateApi: new TateATateApi() },
		credentials: { tateATateApi: (options.credentials ?? credentials()) as never },
		inputItems: options.inputItems ?? [{ chatInput: 'Hello' }],
		workflow: { nodes: all, connections },
	});
}

function decodeAuthorization(value: unknown): { timestamp: number; secretKey: string; signature: string; alg: string } {
	return JSON.parse(Buffer.from(String(value), 'base64').toString('utf8'));
}

/** The secret, every Authorization value sent (base64), and the decoded secret: in no output, error or log. */
function expectNoSecrets(result: WorkflowRunResult, nodeNames = ['Tate'], extra: string[] = []): void {
	const authorizations = sim.requests.map((request) => String(request.headers.authorization ?? '')).filter(Boolean);
	const decoded = authorizations.map((value) => decodeAuthorization(value).secretKey);
	const secrets = [SECRET, ...authorizations, ...decoded, ...extra];
	const texts = [JSON.stringify(result.logs)];
	for (const name of nodeNames) {
		texts.push(JSON.stringify(result.run.data.resultData.runData[name] ?? []));
		const error = result.errorOf(name);
		if (error) texts.push(error.message, String(error.description ?? ''), JSON.stringify(error));
	}
	for (const secret of secrets) for (const text of texts) expect(text).not.toContain(secret);
}

const OBJECT_KEYS = [
	'conversationId', 'dialogTitle', 'isFinal', 'msgContent', 'msgDeveloperInfo', 'msgId', 'msgSource', 'msgType',
	'parentMsgId', 'predictQuestion', 'reply', 'timestamp',
];

describe('tate-a-tate pure modules', () => {
	test('Authorization: base64 of {timestamp, secretKey, signature = secretKey, alg simple}', () => {
		const value = buildTateAuthorization('k-123', 1_716_884_882_999);
		expect(Buffer.from(value, 'base64').toString('utf8')).toBe('{"timestamp":1716884882,"secretKey":"k-123","signature":"k-123","alg":"simple"}');
		expect(buildTateAuthorization('k-123', 1_716_884_890_000)).not.toBe(value);
	});

	test('envelope and bare object; a failure envelope is a vendor error with code and message', () => {
		const object = { msgId: '2', msgContent: 'Hi', isFinal: 1 };
		expect(tateObjectFrom({ success: true, message: 'OK', object, code: '1' })).toEqual(object);
		expect(tateObjectFrom(object)).toEqual(object);
		expect(parseTateJsonAnswer(JSON.stringify({ success: true, object }))).toEqual({ ...object, reply: 'Hi' });
		try {
			tateObjectFrom({ success: false, message: 'Quota used up', object: null, code: 'E42', request_id: 'rid-1' });
			throw new Error('no error');
		} catch (error) {
			expect(error).toBeInstanceOf(AgentChatError);
			expect((error as AgentChatError).message).toBe('tate-a-tate error E42: Quota used up');
			expect((error as AgentChatError).code).toBe('E42');
			expect((error as AgentChatError).description).toContain('rid-1');
		}
		expect(() => tateObjectFrom({ success: true, object: null, code: '1' })).toThrow(/without a message object/);
	});

	test('HTTP errors: envelope code and message with the documented meaning; otherwise the status', () => {
		const unauthorized = tateHttpError(401, JSON.stringify({ success: false, message: 'Unauthorized: timestamp expired', object: null, code: '401' }));
		expect(unauthorized.message).toBe('tate-a-tate error 401 (Unauthorized): Unauthorized: timestamp expired');
		expect(unauthorized.description).toMatch(/Secret Key.*clock/);
		expect(unauthorized.retryable).toBe(false);
		const busy = tateHttpError(503, 'Service Unavailable', '2');
		expect(busy.kind).toBe('http');
		expect(busy.retryable).toBe(true);
		expect(busy.retryAfterMs).toBe(2000);
	});

	test('stream aggregation: cumulative lines replace, delta lines append, envelope or bare, until isFinal 1', () => {
		const line = (msgContent: string, isFinal: number, bare = false) => {
			const object = { msgId: '9', msgContent, isFinal, conversationId: 'c1' };
			return JSON.stringify(bare ? object : { success: true, message: 'OK', object, code: '1' });
		};
		const cumulative = new TateStreamAggregator();
		expect([line('你好', 0), line('你好，世', 0, true), line('你好，世界', 1)].map((data) => cumulative.accept(data))).toEqual(['你好', '，世', '界']);
		expect(cumulative.isFinal).toBe(true);
		expect(cumulative.result()).toEqual({ msgId: '9', msgContent: '你好，世界', reply: '你好，世界', isFinal: 1, conversationId: 'c1' });

		const delta = new TateStreamAggregator();
		expect([line('Hel', 0), line('lo ', 0), line('world', 1)].map((data) => delta.accept(data))).toEqual(['Hel', 'lo ', 'world']);
		expect(delta.reply).toBe('Hello world');
		expect(delta.accept('[DONE]')).toBe('');

		const failing = new TateStreamAggregator();
		failing.accept(line('part', 0));
		expect(() => failing.accept(JSON.stringify({ success: false, message: 'boom', code: '500' }))).toThrow('tate-a-tate error 500: boom');
		expect(failing.partial()).toMatchObject({ reply: 'part', isFinal: 0 });
	});

	const input = (overrides: Partial<TateSendInput> = {}): TateSendInput => ({
		botId: BOT,
		msg: 'Hi',
		conversationId: '',
		parentMsgId: '0',
		userAction: 'new',
		reqModel: 'sync',
		...overrides,
	});

	test('request body as documented', () => {
		const request = buildTateSendRequest(input({ parentMsgId: 1704724844387651584n as unknown as string, userAction: 'edit' }), { secretKey: 's3cret', baseUrl: 'https://x.example/im/' });
		expect(request.url).toBe('https://x.example/im/admin/v1/msg/send');
		expect(request.body).toBe('{"conversationId":"","msg":"Hi","msgType":1,"parentMsgId":"1704724844387651584","reqModel":"sync","userAction":"edit"}');
	});

	test.each([
		['edit', '0', 'parentMsgId'],
		['retry', '000', 'parentMsgId'],
		['new', 'abc', 'parentMsgId'],
		['sideways', '0', 'userAction'],
	])('userAction %s with parentMsgId %s: input error on %s', (userAction, parentMsgId, field) => {
		expect(() => buildTateSendRequest(input({ userAction, parentMsgId }), { secretKey: 's' })).toThrow(`Invalid parameter '${field}'`);
	});

	test('botId, msg and reqModel are checked', () => {
		expect(() => buildTateSendRequest(input({ botId: ' ' }), { secretKey: 's' })).toThrow("Invalid parameter 'botId'");
		expect(() => buildTateSendRequest(input({ msg: '' }), { secretKey: 's' })).toThrow("Invalid parameter 'msg'");
		expect(() => buildTateSendRequest(input({ reqModel: 'batch' }), { secretKey: 's' })).toThrow("Invalid parameter 'reqModel'");
		expect(() => buildTateSendRequest(input(), { secretKey: '' })).toThrow("Invalid parameter 'secretKey'");
	});
});

describe('tate-a-tate errors (pure, expectations written out by hand after the documented codes)', () => {
	test('each documented code: its meaning in the message, the hint in the description, not retried', () => {
		const cases: Array<[string, string, string]> = [
			['401', 'Unauthorized', "Check the Secret Key in the tate-a-tate credential and the n8n host's clock: the Authorization carries the current time and must be within 30 seconds of the server's."],
			['403', 'Forbidden', 'The secret key may not use this agent: check the Bot ID and the key.'],
			['404', 'Not Found', 'Check the Bot ID, and the Conversation ID when one is given (it must be a conversation of this agent).'],
		];
		for (const [code, meaning, hint] of cases) {
			const failure = tateHttpError(Number(code), JSON.stringify({ success: false, message: 'server text', object: null, code, request_id: 'rid-9' }));
			expect(failure).toMatchObject({
				kind: 'vendor',
				code,
				httpStatus: Number(code),
				message: `tate-a-tate error ${code} (${meaning}): server text`,
				description: `HTTP ${code}. ${hint} request_id: rid-9.`,
				retryable: false,
				retryAfterMs: undefined,
			});
		}
	});

	test('a message that only repeats the meaning (any case) is said once; no message: the meaning; nothing known: "no message"', () => {
		expect(tateHttpError(401, JSON.stringify({ success: false, message: 'UNAUTHORIZED', code: '401' })).message).toBe('tate-a-tate error 401: UNAUTHORIZED');
		expect(tateHttpError(403, JSON.stringify({ success: false, message: '  ', code: '403' })).message).toBe('tate-a-tate error 403: Forbidden');
		expect(tateHttpError(418, JSON.stringify({ success: false, code: 'E7' })).message).toBe('tate-a-tate error E7: no message');
		expect(tateHttpError(418, JSON.stringify({ success: false, code: 'E7' })).description).toBe('HTTP 418.');
	});

	test('no code in the envelope: the HTTP status is the code, and its hint applies', () => {
		const failure = tateHttpError(401, JSON.stringify({ success: false, message: 'expired' }));
		expect(failure).toMatchObject({ code: '401', message: 'tate-a-tate error 401 (Unauthorized): expired' });
		expect(failure.description).toMatch(/^HTTP 401\. Check the Secret Key/);
		// An envelope code without a hint of its own takes the HTTP status's hint.
		expect(tateHttpError(404, JSON.stringify({ success: false, message: 'gone', code: 'E404' })).description).toBe(
			'HTTP 404. Check the Bot ID, and the Conversation ID when one is given (it must be a conversation of this agent).',
		);
		// A numeric code is read as its text.
		expect(tateHttpError(400, JSON.stringify({ success: false, message: 'bad', code: 4001 })).code).toBe('4001');
	});

	test('busy statuses are retried after Retry-After, with or without an envelope', () => {
		expect(tateHttpError(503, JSON.stringify({ success: false, message: 'busy', code: '503' }), '3')).toMatchObject({ kind: 'vendor', retryable: true, retryAfterMs: 3000 });
		expect(tateHttpError(429, 'slow down')).toMatchObject({ kind: 'http', code: 429, retryable: true });
		expect(tateHttpError(500, '{"error":"not an envelope"}')).toMatchObject({ kind: 'http', code: 500, retryable: false });
	});

	test('an envelope told by success, or by object with code or message', () => {
		expect(tateHttpError(400, JSON.stringify({ object: null, code: 'E1' })).kind).toBe('vendor');
		expect(tateHttpError(400, JSON.stringify({ object: null, message: 'm' })).kind).toBe('vendor');
		expect(tateHttpError(400, JSON.stringify({ object: null })).kind).toBe('http');
		expect(tateHttpError(400, JSON.stringify({ code: 'E1', message: 'm' })).kind).toBe('http');
		expect(tateHttpError(400, '[1,2]').kind).toBe('http');
	});

	test('the protocol errors: a line that is not JSON, an incomplete stream', () => {
		expect(invalidLineError(`{broken ${'x'.repeat(400)}`)).toMatchObject({
			kind: 'protocol',
			code: 'UNEXPECTED_RESPONSE',
			message: 'A tate-a-tate stream line is not JSON',
			description: `Line: {broken ${'x'.repeat(400)}`.slice(0, 306),
		});
		expect(incompleteStreamError(true)).toMatchObject({
			kind: 'protocol',
			code: 'INCOMPLETE_STREAM',
			retryable: true,
			message: 'The tate-a-tate stream ended before the final message (isFinal 1): the answer is incomplete',
		});
		expect(incompleteStreamError(false).retryable).toBe(false);
	});
});

describe('tate-a-tate request, answers and stream lines: edges (pure)', () => {
	const base = (overrides: Partial<TateSendInput> = {}): TateSendInput => ({ botId: BOT, msg: 'Hi', conversationId: '', parentMsgId: '0', userAction: 'new', reqModel: 'sync', ...overrides });
	const body = (overrides: Partial<TateSendInput> = {}) => JSON.parse(buildTateSendRequest(base(overrides), { secretKey: 's' }).body) as IDataObject;

	test('defaults: the public host, new, sync, parent 0; the timeout and retries', () => {
		const request = buildTateSendRequest(base({ userAction: '', reqModel: undefined, parentMsgId: '  ' }), { secretKey: '  s3cret ' });
		expect(request).toEqual({
			url: 'https://chat.tate-a-tate.com/im/admin/v1/msg/send',
			botId: BOT,
			secretKey: 's3cret',
			body: '{"conversationId":"","msg":"Hi","msgType":1,"parentMsgId":"0","reqModel":"sync","userAction":"new"}',
			stream: false,
			timeoutMs: 300000,
			maxRetries: 2,
		});
		expect(buildTateSendRequest(base({ reqModel: 'stream', options: { timeout: 1000, maxRetries: 0 } }), { secretKey: 's' })).toMatchObject({ stream: true, timeoutMs: 1000, maxRetries: 0 });
	});

	test('numbers are text; a list or an object is refused, naming what it was', () => {
		expect(body({ msg: 42, parentMsgId: 7 })).toMatchObject({ msg: '42', parentMsgId: '7' });
		expect(() => buildTateSendRequest(base({ msg: ['a'] }), { secretKey: 's' })).toThrow("Invalid parameter 'msg': must be text, got a list");
		expect(() => buildTateSendRequest(base({ botId: { id: 1 } }), { secretKey: 's' })).toThrow("Invalid parameter 'botId': must be text, got object");
	});

	test('parentMsgId: up to 64 digits; retry of message 0 is refused with its own reason; a bad one is quoted, cut to 80', () => {
		expect(body({ parentMsgId: '9'.repeat(64), userAction: 'retry' }).parentMsgId).toBe('9'.repeat(64));
		expect(() => buildTateSendRequest(base({ parentMsgId: '9'.repeat(65) }), { secretKey: 's' })).toThrow("Invalid parameter 'parentMsgId'");
		expect(() => buildTateSendRequest(base({ parentMsgId: '00', userAction: 'retry' }), { secretKey: 's' })).toThrow(
			'must not be 0 when User Action is retry: give the ID of the message to regenerate',
		);
		expect(() => buildTateSendRequest(base({ parentMsgId: '0', userAction: 'edit' }), { secretKey: 's' })).toThrow(
			'must not be 0 when User Action is edit: give the ID of the message being edited',
		);
		expect(() => buildTateSendRequest(base({ parentMsgId: `x${'1'.repeat(99)}` }), { secretKey: 's' })).toThrow(`(got "x${'1'.repeat(79)}")`);
	});

	test('conversationId: trimmed, up to 256 characters', () => {
		expect(body({ conversationId: `  ${'c'.repeat(256)}  ` }).conversationId).toBe('c'.repeat(256));
		expect(() => buildTateSendRequest(base({ conversationId: 'c'.repeat(257) }), { secretKey: 's' })).toThrow("Invalid parameter 'conversationId': must be at most 256 characters");
	});

	test('a sync answer that is not JSON, or JSON that is not an object, or a success without an object', () => {
		expect(() => parseTateJsonAnswer('<html>')).toThrow('tate-a-tate answered with something that is not JSON');
		expect(() => parseTateJsonAnswer('')).toThrow(expect.objectContaining({ description: 'Response body: (empty)' }));
		expect(() => parseTateJsonAnswer('[1]')).toThrow('tate-a-tate answered with something that is not a JSON object');
		expect(() => tateObjectFrom({ success: true, object: 'text' })).toThrow(expect.objectContaining({ description: 'code (none), message (none)' }));
		expect(parseTateJsonAnswer(JSON.stringify({ success: true, object: { msgId: '1', msgContent: 5 } }))).toEqual({ msgId: '1', msgContent: '5', reply: '5' });
	});

	test('stream lines: blank lines and [DONE] add nothing; a line that is not JSON fails naming it; isFinal true counts; fields of earlier lines stay', () => {
		const aggregator = new TateStreamAggregator();
		expect(aggregator.partial()).toEqual({});
		expect(aggregator.accept('   ')).toBe('');
		expect(aggregator.hasContent).toBe(false);
		expect(aggregator.accept(JSON.stringify({ msgId: '1', conversationId: 'c', msgContent: '' }))).toBe('');
		expect(aggregator.hasContent).toBe(false);
		expect(aggregator.accept(JSON.stringify({ msgContent: 'Hi', isFinal: true }))).toBe('Hi');
		expect(aggregator.isFinal).toBe(true);
		expect(aggregator.result()).toEqual({ msgId: '1', conversationId: 'c', msgContent: 'Hi', reply: 'Hi', isFinal: true });
		expect(() => new TateStreamAggregator().accept('{not json')).toThrow(expect.objectContaining({ code: 'UNEXPECTED_RESPONSE', description: 'Line: {not json' }));
		const notFinal = new TateStreamAggregator();
		notFinal.accept(JSON.stringify({ msgContent: 'a', isFinal: '0' }));
		expect(notFinal.isFinal).toBe(false);
		notFinal.accept(JSON.stringify({ msgContent: 'ab', isFinal: '1' }));
		expect(notFinal.isFinal).toBe(true);
	});

	test('which SSE events are message lines', () => {
		expect(isTateMessageEvent({ data: 'anything' })).toBe(true);
		expect(isTateMessageEvent({ event: 'message', data: '{"msgContent":"x"}' })).toBe(true);
		expect(isTateMessageEvent({ event: '', data: 'x' })).toBe(true);
		expect(isTateMessageEvent({ data: '{"msgCont', unterminated: true })).toBe(false);
		expect(isTateMessageEvent({ data: ' {"msgContent":"x"} ', unterminated: true })).toBe(true);
		expect(isTateMessageEvent({ event: 'ping', data: '{}' })).toBe(false);
		expect(isTateMessageEvent({ event: 'ping', data: 'not json' })).toBe(false);
		expect(isTateMessageEvent({ event: 'ping', data: '[1]' })).toBe(false);
		for (const data of ['{"msgContent":"x"}', '{"msgId":"1"}', '{"isFinal":1}', '{"success":true,"object":{}}']) expect(isTateMessageEvent({ event: 'update', data })).toBe(true);
	});

	test('a body that is an event stream without saying so', () => {
		for (const text of ['data: {}', '  event: x\ndata: {}', 'id: 1', 'retry: 5', ': comment', 'data : x']) expect(looksLikeEventStream(text)).toBe(true);
		for (const text of ['{"data": 1}', 'metadata: x', '']) expect(looksLikeEventStream(text)).toBe(false);
	});
});

describe('tate-a-tate node in a workflow (simulator)', () => {
	test('sync: the object fields as sent plus reply; Authorization and bot_id sent', async () => {
		const result = await run([tateNode()]);
		expect(result.run.status).toBe('success');
		const [item] = result.outputOf('Tate');
		expect(Object.keys(item.json).sort()).toEqual(OBJECT_KEYS);
		const conversationId = String(item.json.conversationId);
		expect(item.json.reply).toBe(tateReplyFor('Hello', 1, conversationId));
		expect(item.json.msgContent).toBe(item.json.reply);
		expect(item.json.isFinal).toBe(1);
		expect(item.pairedItem).toEqual({ item: 0 });

		const [request] = sim.requests;
		expect(request.path).toBe('/im/admin/v1/msg/send');
		expect(request.headers.bot_id).toBe(BOT);
		const auth = decodeAuthorization(request.headers.authorization);
		expect(auth).toEqual({ timestamp: expect.any(Number), secretKey: SECRET, signature: SECRET, alg: 'simple' });
		expect(Math.abs(auth.timestamp - Date.now() / 1000)).toBeLessThan(10);
		expect(request.json).toEqual({ conversationId: '', msg: 'Hello', msgType: 1, parentMsgId: '0', reqModel: 'sync', userAction: 'new' });
		expectNoSecrets(result);
	});

	test.each([
		['envelope, cumulative', 'Stream me'],
		['bare objects', 'Stream me [stream-bare]'],
		['delta lines', 'Stream me [stream-delta]'],
		['a plain JSON answer', 'Stream me [stream-as-json]'],
	])('stream (%s) gives the same output as sync', async (_label, msg) => {
		const result = await run([
			tateNode({ reqModel: 'sync' }, { name: 'Sync' }),
			tateNode({ reqModel: 'stream', msg: '={{ $("Start").item.json.chatInput }}' }, { name: 'Stream' }),
		], { inputItems: [{ chatInput: msg }] });
		expect(result.run.status).toBe('success');
		const sync = result.outputOf('Sync')[0].json;
		const stream = result.outputOf('Stream')[0].json;
		expect(Object.keys(stream).sort()).toEqual(Object.keys(sync).sort());
		for (const json of [sync, stream]) {
			expect(json.reply).toBe(tateReplyFor(msg, 1, String(json.conversationId)));
			expect(json.msgContent).toBe(json.reply);
			expect(json.isFinal).toBe(1);
		}
		const { conversationId: _c1, reply: _r1, msgContent: _m1, msgId: _i1, parentMsgId: _p1, timestamp: _t1, ...syncRest } = sync;
		const { conversationId: _c2, reply: _r2, msgContent: _m2, msgId: _i2, parentMsgId: _p2, timestamp: _t2, ...streamRest } = stream;
		expect(streamRest).toEqual(syncRest);
		expect(requestField(sim.requests[1], 'reqModel')).toBe('stream');
		expectNoSecrets(result, ['Sync', 'Stream']);
	});

	test('the conversationId of turn 1 passed to the next node gives turn 2', async () => {
		const result = await run([
			tateNode({ msg: 'first' }, { name: 'Turn1' }),
			tateNode({ msg: 'second', conversationId: '={{ $json.conversationId }}', reqModel: 'stream' }, { name: 'Turn2' }),
		]);
		expect(result.run.status).toBe('success');
		const first = result.outputOf('Turn1')[0].json;
		const second = result.outputOf('Turn2')[0].json;
		expect(second.conversationId).toBe(first.conversationId);
		expect(first.reply).toBe(tateReplyFor('first', 1, String(first.conversationId)));
		expect(second.reply).toBe(tateReplyFor('second', 2, String(first.conversationId)));
		expect(requestField(sim.requests[1], 'conversationId')).toBe(first.conversationId);
	});

	test('retry of a message: userAction retry with its msgId', async () => {
		const result = await run([
			tateNode({ msg: 'question' }, { name: 'Ask' }),
			tateNode({ msg: 'question', conversationId: '={{ $json.conversationId }}', userAction: 'retry', parentMsgId: '={{ $json.msgId }}' }, { name: 'Again' }),
		]);
		expect(result.run.status).toBe('success');
		const asked = result.outputOf('Ask')[0].json;
		expect(sim.requests[1].json).toMatchObject({ userAction: 'retry', parentMsgId: asked.msgId });
		expect(result.outputOf('Again')[0].json.reply).toBe(tateReplyFor('question', 1, String(asked.conversationId), 'retry'));
	});

	test('success:false fails the item with a NodeApiError carrying code and message', async () => {
		const result = await run([tateNode({ msg: 'please [fail:E1001]' })]);
		expect(result.run.status).toBe('error');
		const error = result.errorOf('Tate')!;
		expect(error.name).toBe('NodeApiError');
		expect(error.message).toBe('tate-a-tate error E1001: Simulated failure E1001');
		expect(String(error.description)).toMatch(/request_id: [0-9a-f]{32}/);
		expect(sim.requests).toHaveLength(1);
		expectNoSecrets(result);
	});

	test('401 (wrong secret key): code, meaning and a hint about the key and the clock; not retried', async () => {
		const result = await run([tateNode()], { credentials: credentials({ secretKey: 'wrong-tate-secret' }) });
		const error = result.errorOf('Tate')!;
		expect(error.name).toBe('NodeApiError');
		expect(error.message).toBe('tate-a-tate error 401: Unauthorized');
		expect(String(error.description)).toMatch(/HTTP 401\. Check the Secret Key .* clock/);
		expect(sim.requests).toHaveLength(1);
		expectNoSecrets(result, ['Tate'], ['wrong-tate-secret']);
	});

	test.each([
		[404, /^tate-a-tate error 404 \(Not Found\): Simulated HTTP 404$/],
		[500, /^tate-a-tate error 500: Simulated HTTP 500$/],
	])('HTTP %i fails the item', async (status, message) => {
		const result = await run([tateNode({ msg: `x [http:${status}]`, options: { maxRetries: 0 } })]);
		const error = result.errorOf('Tate')!;
		expect(error.name).toBe('NodeApiError');
		expect(error.message).toMatch(message);
		expect((error as { httpCode?: string }).httpCode).toBe(String(status));
	});

	test('a non-JSON 502: reported by HTTP status', async () => {
		sim.enqueue('tate', { status: 502, headers: { 'content-type': 'text/html' }, steps: ['<html><h1>502 Bad Gateway</h1></html>'] });
		const result = await run([tateNode({ options: { maxRetries: 0 } })]);
		expect(result.errorOf('Tate')?.message).toBe('tate-a-tate answered HTTP 502: 502 Bad Gateway');
	});

	test('503 then success: retried with a fresh Authorization (a later timestamp)', async () => {
		sim.enqueue('tate', {
			status: 503,
			headers: { 'retry-after': '1' },
			steps: [JSON.stringify({ success: false, message: 'busy', object: null, code: '503' })],
		});
		const result = await run([tateNode({ reqModel: 'stream' })]);
		expect(result.run.status).toBe('success');
		expect(sim.requests).toHaveLength(2);
		const [first, second] = sim.requests.map((request) => decodeAuthorization(request.headers.authorization));
		expect(second.timestamp).toBeGreaterThan(first.timestamp);
		expect(sim.requests[1].headers.authorization).not.toBe(sim.requests[0].headers.authorization);
		expect(result.logs.some((log) => log.message.startsWith('tate-a-tate: retry 1 of item 0'))).toBe(true);
		expectNoSecrets(result);
	});

	test('the Authorization is rebuilt from the clock for every attempt', async () => {
		sim.enqueue('tate', { status: 503, headers: { 'retry-after': '0' }, steps: ['{}'] });
		let clock = Date.now();
		const request = buildTateSendRequest(
			{ botId: BOT, msg: 'Hi', conversationId: '', parentMsgId: '0', userAction: 'new', reqModel: 'sync' },
			credentials() as never,
		);
		const sent: string[] = [];
		await sendTateMessage(request, { now: () => (clock += 5_000), onAuthorization: (value) => sent.push(value) });
		expect(sent).toHaveLength(2);
		expect(sent.map((value) => decodeAuthorization(value).timestamp)).toEqual([
			decodeAuthorization(sim.requests[0].headers.authorization).timestamp,
			decodeAuthorization(sim.requests[1].headers.authorization).timestamp,
		]);
		expect(decodeAuthorization(sent[1]).timestamp - decodeAuthorization(sent[0]).timestamp).toBe(5);
	});

	test('always 503: gives up after Max Retries', async () => {
		const result = await run([tateNode({ msg: 'x [http:503]', options: { maxRetries: 1 } })]);
		expect(result.errorOf('Tate')?.message).toMatch(/^tate-a-tate error 503: /);
		expect(sim.requests).toHaveLength(2);
	});

	test('live deltas in stream mode add up to the reply (cumulative and delta lines)', async () => {
		for (const msg of ['Live one', 'Live two [stream-delta]', 'Live three [stream-bare]']) {
			const request = buildTateSendRequest(
				{ botId: BOT, msg, conversationId: '', parentMsgId: '0', userAction: 'new', reqModel: 'stream' },
				credentials() as never,
			);
			const deltas: string[] = [];
			const result = await sendTateMessage(request, { onReplyDelta: (delta) => deltas.push(delta) });
			expect(deltas.length).toBeGreaterThan(3);
			expect(deltas.join('')).toBe(result.reply);
			expect(result.reply).toBe(tateReplyFor(msg, 1, String(result.conversationId)));
		}
	});

	test('in a streaming execution the node forwards the deltas (begin, items, end per item)', async () => {
		const chunks: Array<{ type: string; itemIndex: number; content?: string }> = [];
		const parameters: IDataObject = { operation: 'sendMessage', botId: BOT, msg: 'Live [stream-delta]', conversationId: '', parentMsgId: '0', userAction: 'new', reqModel: 'stream', options: {} };
		const node = tateNode();
		const context = {
			getCredentials: async () => credentials(),
			getNodeParameter: (name: string, _itemIndex: number, fallback?: unknown) => parameters[name] ?? fallback,
			getInputData: () => [{ json: {} }],
			continueOnFail: () => false,
			getNode: () => node,
			getExecutionCancelSignal: () => undefined,
			logger: { info: () => undefined },
			isStreaming: () => true,
			sendChunk: (type: string, itemIndex: number, content?: string) => {
				chunks.push({ type, itemIndex, content });
			},
		};
		const [[item]] = await new TateATate().execute.call(context as never);
		expect(chunks[0]).toEqual({ type: 'begin', itemIndex: 0, content: undefined });
		expect(chunks[chunks.length - 1]).toEqual({ type: 'end', itemIndex: 0, content: undefined });
		const items = chunks.filter((chunk) => chunk.type === 'item');
		expect(items.length).toBeGreaterThan(3);
		expect(items.map((chunk) => chunk.content).join('')).toBe(item.json.reply);
	});

	test('a stream that ends before isFinal 1: INCOMPLETE_STREAM, the text so far kept under Continue On Fail', async () => {
		const line = (msgContent: string) => `data:${JSON.stringify({ success: true, message: 'OK', object: { msgId: '7', msgContent, isFinal: 0, conversationId: 'c' }, code: '1' })}\n\n`;
		sim.enqueue('tate', { headers: { 'content-type': 'text/event-stream' }, steps: [line('Half'), line('Half an answer')] });
		const result = await run([tateNode({ reqModel: 'stream' }, { continueOnFail: true })]);
		expect(result.run.status).toBe('success');
		expect(result.outputOf('Tate')[0].json).toMatchObject({ code: 'INCOMPLETE_STREAM', reply: 'Half an answer', isFinal: 0, msgId: '7' });
		expect(sim.requests).toHaveLength(1);
	});

	test.each([
		['edit', '0'],
		['retry', '0'],
	])('userAction %s with parentMsgId %s fails before any request', async (userAction, parentMsgId) => {
		const result = await run([tateNode({ userAction, parentMsgId })]);
		expect(result.run.status).toBe('error');
		const error = result.errorOf('Tate')!;
		expect(error.name).toBe('NodeOperationError');
		expect(error.message).toMatch(new RegExp(`^Invalid parameter 'parentMsgId': must not be 0 when User Action is ${userAction}`));
		expect(sim.requests).toHaveLength(0);
	});

	test('Continue On Fail: failed items are {error, code, ...} with pairedItem, the others go on', async () => {
		const result = await run([tateNode({ options: { maxRetries: 0 } }, { continueOnFail: true })], {
			inputItems: [{ chatInput: 'one' }, { chatInput: '' }, { chatInput: 'three [fail:E9]' }, { chatInput: 'four [http:401]' }, { chatInput: 'five' }],
		});
		expect(result.run.status).toBe('success');
		const items = result.outputOf('Tate');
		expect(items.map((item) => item.pairedItem)).toEqual([0, 1, 2, 3, 4].map((item) => ({ item })));
		expect(items[0].json.reply).toBe(tateReplyFor('one', 1, String(items[0].json.conversationId)));
		expect(items[1].json).toMatchObject({ code: 'INVALID_INPUT', error: expect.stringContaining("'msg'") });
		expect(items[2].json).toMatchObject({ code: 'E9', error: 'tate-a-tate error E9: Simulated failure E9' });
		expect(items[3].json).toMatchObject({ code: '401', httpStatus: 401, error: expect.stringMatching(/^tate-a-tate error 401/) });
		expect(items[4].json.reply).toBe(tateReplyFor('five', 1, String(items[4].json.conversationId)));
		expect(sim.requests).toHaveLength(4);
		expectNoSecrets(result);
	});
});

describe('tateATateApi credential test', () => {
	const testFn = new TateATate().methods.credentialTest.tateATateApiTest;
	const call = async (data: IDataObject) => await testFn.call({} as never, { id: '1', name: 'tate', type: 'tateATateApi', data: data as never });

	test('the node declares it', () => {
		expect(new TateATate().description.credentials).toEqual([{ name: 'tateATateApi', required: true, testedBy: 'tateATateApiTest' }]);
	});

	test('an accepted key: OK, and no message was sent', async () => {
		await expect(call(credentials())).resolves.toMatchObject({ status: 'OK' });
		expect(sim.requests).toHaveLength(1);
		expect(sim.requests[0].headers.bot_id).toBeUndefined();
	});

	test('a refused key: Error with 401, the key not shown', async () => {
		const result = await call(credentials({ secretKey: 'wrong-tate-secret' }));
		expect(result.status).toBe('Error');
		expect(result.message).toMatch(/tate-a-tate error 401/);
		expect(result.message).not.toContain('wrong-tate-secret');
	});
});

/** One stream data line carrying the success envelope around `object`. */
function envelopeLine(object: IDataObject): string {
	return `data:${JSON.stringify({ success: true, message: 'OK', object, code: '1' })}\n\n`;
}

/** A checked Send Message request to the simulator (stream unless told otherwise). */
function simulatorRequest(overrides: Partial<TateSendInput> = {}): ReturnType<typeof buildTateSendRequest> {
	return buildTateSendRequest(
		{ botId: BOT, msg: 'Hi', conversationId: '', parentMsgId: '0', userAction: 'new', reqModel: 'stream', ...overrides },
		credentials() as never,
	);
}

describe('tate-a-tate request builder: each refusal names its field and its rule', () => {
	const valid: TateSendInput = { botId: BOT, msg: 'Hi', conversationId: '', parentMsgId: '0', userAction: 'new', reqModel: 'sync' };
	const refusal = (overrides: Partial<TateSendInput>, credentials: IDataObject = { secretKey: 's' }) =>
		thrownAgentChatError(() => buildTateSendRequest({ ...valid, ...overrides }, credentials as never));

	test.each<[string, Partial<TateSendInput>, string]>([
		['a blank Bot ID', { botId: '  ' }, "Invalid parameter 'botId': is required: the agent's unique ID from its API publishing page"],
		['a message of spaces only', { msg: '   ' }, "Invalid parameter 'msg': must not be empty (the default reads $json.chatInput)"],
		['an unknown User Action', { userAction: 'sideways' }, "Invalid parameter 'userAction': must be new, edit or retry"],
		['an unknown Request Mode', { reqModel: 'batch' }, "Invalid parameter 'reqModel': must be sync or stream"],
		['a User Action that is a list', { userAction: ['new'] }, "Invalid parameter 'userAction': must be text, got a list"],
		['a Request Mode that is an object', { reqModel: { mode: 'sync' } }, "Invalid parameter 'reqModel': must be text, got object"],
		['a Parent Message ID that is a flag', { parentMsgId: true }, "Invalid parameter 'parentMsgId': must be text, got boolean"],
		['a Conversation ID that is a list', { conversationId: ['c1'] }, "Invalid parameter 'conversationId': must be text, got a list"],
		['a Timeout of zero', { options: { timeout: 0 } }, "Invalid parameter 'options.timeout': must be a whole number from 1 to 86400000 (got 0)"],
		['too many retries', { options: { maxRetries: 11 } }, "Invalid parameter 'options.maxRetries': must be a whole number from 0 to 10 (got 11)"],
	])('%s', (_label, overrides, message) => {
		const error = refusal(overrides);
		expect(error.message).toBe(message);
		expect(error.code).toBe('INVALID_INPUT');
	});

	test('the credential: a missing or blank Secret Key, a base URL that is not http(s)', () => {
		for (const credentials of [{}, { secretKey: '   ' }, { secretKey: 42 }]) {
			expect(refusal({}, credentials).message).toBe("Invalid parameter 'secretKey': the tate-a-tate credential has no Secret Key");
		}
		expect(refusal({}, { secretKey: 's', baseUrl: 'ftp://chat.example/im' }).message).toBe(
			'Invalid parameter \'baseUrl\': must be an http:// or https:// URL (got "ftp://chat.example/im")',
		);
	});

	test('parameters left null take the documented defaults', () => {
		const request = buildTateSendRequest(
			{ botId: BOT, msg: 'Hi', conversationId: null, parentMsgId: null, userAction: null, reqModel: null, options: { timeout: undefined, maxRetries: undefined } },
			{ secretKey: 's' },
		);
		expect(request.body).toBe('{"conversationId":"","msg":"Hi","msgType":1,"parentMsgId":"0","reqModel":"sync","userAction":"new"}');
		expect(request.url).toBe('https://chat.tate-a-tate.com/im/admin/v1/msg/send');
		expect(request.timeoutMs).toBe(300000);
		expect(request.maxRetries).toBe(2);
	});
});

describe('tate-a-tate errors and stream lines: the remaining rules (pure)', () => {
	test('a failure envelope without a code or HTTP status: code UNKNOWN, no "HTTP" in the description', () => {
		const error = thrownAgentChatError(() => tateObjectFrom({ success: false, message: 'Quota used up', object: null, request_id: 'rid-3' }));
		expect(error.message).toBe('tate-a-tate error UNKNOWN: Quota used up');
		expect(error.code).toBe('UNKNOWN');
		expect(error.description).toBe('request_id: rid-3.');
	});

	test('a failure envelope whose message is null: "no message", not the text null', () => {
		expect(thrownAgentChatError(() => tateObjectFrom({ success: false, message: null, object: null, code: 'E2' })).message).toBe('tate-a-tate error E2: no message');
	});

	test('the incomplete stream error explains itself', () => {
		expect(incompleteStreamError(true).description).toBe(
			'The server closed the stream without a line marked isFinal 1. What arrived is kept on the item under "Continue On Fail".',
		);
	});

	test('message events: any data of a named message event, an unterminated JSON value of any kind, whitespace outside JSON trimmed', () => {
		expect(isTateMessageEvent({ event: 'message', data: '[DONE]' })).toBe(true);
		expect(isTateMessageEvent({ data: '[1]', unterminated: true })).toBe(true);
		// A no-break space is whitespace to trim() but not to JSON.parse.
		expect(isTateMessageEvent({ data: '\u00a0{"msgContent":"x"}\u00a0', unterminated: true })).toBe(true);
	});

	test('isFinal false is not the final line', () => {
		const aggregator = new TateStreamAggregator();
		aggregator.accept(JSON.stringify({ msgContent: 'a', isFinal: false }));
		expect(aggregator.isFinal).toBe(false);
	});

	test('a line without msgContent adds no text', () => {
		const aggregator = new TateStreamAggregator();
		expect(aggregator.accept(JSON.stringify({ msgId: '4', isFinal: 0 }))).toBe('');
		expect(aggregator.reply).toBe('');
	});

	test('an empty msgContent between cumulative lines adds nothing and keeps them cumulative', () => {
		const aggregator = new TateStreamAggregator();
		expect([{ msgContent: 'Hel' }, { msgContent: '' }, { msgContent: 'Hello', isFinal: 1 }].map((object) => aggregator.accept(JSON.stringify(object)))).toEqual(['Hel', '', 'lo']);
		expect(aggregator.reply).toBe('Hello');
	});

	test('once lines are deltas they stay deltas, even when one happens to repeat the text so far', () => {
		const aggregator = new TateStreamAggregator();
		expect(['ab', 'x', 'abxy'].map((msgContent) => aggregator.accept(JSON.stringify({ msgContent })))).toEqual(['ab', 'x', 'abxy']);
		expect(aggregator.reply).toBe('abxabxy');
	});
});

describe('tate-a-tate node description', () => {
	test('names, group, subtitle, defaults and one main input and output', () => {
		const { description } = new TateATate();
		expect(description).toMatchObject({
			displayName: 'tate-a-tate',
			name: 'tateATate',
			group: ['transform'],
			subtitle: '={{ $parameter["reqModel"] === "stream" ? "Send Message (stream)" : "Send Message" }}',
			description: 'Send messages to a tate-a-tate agent published as an API service',
			defaults: { name: 'tate-a-tate' },
			inputs: ['main'],
			outputs: ['main'],
		});
	});
});

describe('tate-a-tate client over HTTP (simulator)', () => {
	test('headers: JSON content; Accept application/json for sync, event stream first for stream', async () => {
		await sendTateMessage(simulatorRequest({ reqModel: 'sync' }));
		await sendTateMessage(simulatorRequest({ reqModel: 'stream' }));
		expect(sim.requests.map((request) => [request.headers['content-type'], request.headers.accept])).toEqual([
			['application/json', 'application/json'],
			['application/json', 'text/event-stream, application/json'],
		]);
	});

	test('a 5xx answer that is not JSON fails by its status', async () => {
		sim.enqueue('tate', { status: 500, headers: { 'content-type': 'text/plain' }, steps: ['Internal trouble'] });
		const error = await failureOf(sendTateMessage(simulatorRequest({ options: { maxRetries: 0 } })));
		expect(error).toMatchObject({ message: 'tate-a-tate answered HTTP 500: Internal trouble', httpStatus: 500 });
	});

	test('HTTP 300 is not a success, even with a success envelope', async () => {
		sim.enqueue('tate', { status: 300, steps: [JSON.stringify({ success: true, message: 'OK', object: { msgContent: 'Hi', isFinal: 1 }, code: '1' })] });
		const error = await failureOf(sendTateMessage(simulatorRequest({ options: { maxRetries: 0 } })));
		// Not "error 1: OK": the envelope says success, so the status is what the user needs to see.
		expect(error.message).toMatch(/^tate-a-tate answered HTTP 300: \{"success":true/);
		expect(error).toMatchObject({ httpStatus: 300 });
	});

	test('an event stream is read as it arrives: the final line ends the answer though the server keeps the connection open', async () => {
		sim.enqueue('tate', {
			headers: { 'content-type': 'text/event-stream' },
			// A first line that is no SSE field of interest: only the content type says this is a stream.
			steps: ['note\n\n', envelopeLine({ msgId: '5', msgContent: 'Hel', isFinal: 0 }), envelopeLine({ msgId: '5', msgContent: 'Hello', isFinal: 1 })],
			end: false,
		});
		const deltas: string[] = [];
		const result = await sendTateMessage(simulatorRequest({ options: { timeout: 5000, maxRetries: 0 } }), { onReplyDelta: (delta) => deltas.push(delta) });
		expect(result).toEqual({ msgId: '5', msgContent: 'Hello', reply: 'Hello', isFinal: 1 });
		expect(deltas).toEqual(['Hel', 'lo']);
	});

	test('a final line that adds no text passes on no empty delta', async () => {
		sim.enqueue('tate', {
			headers: { 'content-type': 'text/event-stream' },
			steps: [envelopeLine({ msgContent: 'Hi', isFinal: 0 }), envelopeLine({ msgContent: 'Hi', isFinal: 1 })],
		});
		const deltas: string[] = [];
		await sendTateMessage(simulatorRequest(), { onReplyDelta: (delta) => deltas.push(delta) });
		expect(deltas).toEqual(['Hi']);
	});

	test('an event stream sent as text/plain is still read as a stream', async () => {
		sim.enqueue('tate', { headers: { 'content-type': 'text/plain' }, steps: [envelopeLine({ msgId: '6', msgContent: 'Plain', isFinal: 1 })] });
		const deltas: string[] = [];
		const result = await sendTateMessage(simulatorRequest(), { onReplyDelta: (delta) => deltas.push(delta) });
		expect(result).toEqual({ msgId: '6', msgContent: 'Plain', reply: 'Plain', isFinal: 1 });
		expect(deltas).toEqual(['Plain']);
	});

	test.each([
		['text/event-stream', 'an event stream'],
		['text/plain', 'a stream sent as text/plain'],
	])('a failure line in %s fails with the vendor error (%s)', async (contentType) => {
		sim.enqueue('tate', {
			headers: { 'content-type': contentType },
			steps: [envelopeLine({ msgContent: 'part', isFinal: 0 }), `data:${JSON.stringify({ success: false, message: 'nope', object: null, code: 'E5' })}\n\n`],
		});
		const error = await failureOf(sendTateMessage(simulatorRequest({ options: { maxRetries: 0 } })));
		expect(error).toBeInstanceOf(AgentChatError);
		expect(error).toMatchObject({ message: 'tate-a-tate error E5: nope', code: 'E5' });
	});

	test('events of another type (pings) are skipped', async () => {
		sim.enqueue('tate', {
			headers: { 'content-type': 'text/event-stream' },
			steps: ['event: ping\ndata: keep-alive\n\n', envelopeLine({ msgContent: 'After ping', isFinal: 1 })],
		});
		expect((await sendTateMessage(simulatorRequest())).reply).toBe('After ping');
	});

	test('a stream that ends before any text and without the final line is incomplete and retried', async () => {
		sim.enqueue('tate', { headers: { 'content-type': 'text/event-stream' }, steps: [envelopeLine({ msgId: '8', msgContent: '', isFinal: 0 })] });
		sim.enqueue('tate', { headers: { 'content-type': 'text/event-stream' }, steps: [envelopeLine({ msgId: '9', msgContent: 'Second try', isFinal: 1 })] });
		const result = await sendTateMessage(simulatorRequest({ options: { maxRetries: 1 } }), { random: () => 0 });
		expect(result.reply).toBe('Second try');
		expect(sim.requests).toHaveLength(2);
	});

	test('a stream that ends after some text without the final line: INCOMPLETE_STREAM, not retried', async () => {
		sim.enqueue('tate', { headers: { 'content-type': 'text/event-stream' }, steps: [envelopeLine({ msgContent: 'Half', isFinal: 0 })] });
		const error = await failureOf(sendTateMessage(simulatorRequest({ options: { maxRetries: 1 } })));
		expect(error).toMatchObject({
			code: 'INCOMPLETE_STREAM',
			message: 'The tate-a-tate stream ended before the final message (isFinal 1): the answer is incomplete',
			retryable: false,
		});
		expect(sim.requests).toHaveLength(1);
	});
});

describe('tate-a-tate credential test: messages and the request it sends', () => {
	const call = async (data: IDataObject) =>
		await new TateATate().methods.credentialTest.tateATateApiTest.call({} as never, { id: '1', name: 'tate', type: 'tateATateApi', data: data as never });

	test.each([
		['missing', {}],
		['blank', { secretKey: '   ' }],
	])('a %s Secret Key: "The Secret Key is empty", nothing sent', async (_label, data) => {
		await expect(call({ baseUrl: `${sim.url}/im`, ...data })).resolves.toEqual({ status: 'Error', message: 'The Secret Key is empty' });
		expect(sim.requests).toHaveLength(0);
	});

	test('an accepted key (spaces around it trimmed): OK; one POST without bot_id, JSON headers, body {}', async () => {
		await expect(call(credentials({ secretKey: `  ${SECRET}  ` }))).resolves.toEqual({ status: 'OK', message: 'The secret key was accepted' });
		expect(sim.requests).toHaveLength(1);
		const [request] = sim.requests;
		expect(request).toMatchObject({ method: 'POST', path: '/im/admin/v1/msg/send', body: '{}' });
		expect(request.headers.bot_id).toBeUndefined();
		expect(request.headers['content-type']).toBe('application/json');
		expect(request.headers.accept).toBe('application/json');
		expect(decodeAuthorization(request.headers.authorization)).toMatchObject({ secretKey: SECRET, signature: SECRET, alg: 'simple' });
	});

	test('403 is a refused key too, with the documented meaning and hint', async () => {
		sim.enqueue('tate', { status: 403, steps: [JSON.stringify({ success: false, message: 'not yours', object: null, code: '403' })] });
		await expect(call(credentials())).resolves.toEqual({
			status: 'Error',
			message: 'tate-a-tate error 403 (Forbidden): not yours. HTTP 403. The secret key may not use this agent: check the Bot ID and the key.',
		});
	});

	test('a base URL that is not a URL: the field is named', async () => {
		const result = await call(credentials({ baseUrl: 'chat.example/im' }));
		expect(result).toEqual({ status: 'Error', message: 'Invalid parameter \'baseUrl\': must be an http:// or https:// URL (got "chat.example/im")' });
	});
});

describe('tate-a-tate: every Authorization value sent is masked', () => {
	test('an error page that repeats the Authorization it received: the value is in no error, output or log', async () => {
		// The Authorization carries the time of each attempt, so only a server that echoes it can repeat it.
		const echo = await startEchoServer();
		try {
			const result = await run([tateNode({ options: { maxRetries: 0 } })], { credentials: credentials({ baseUrl: echo.url }) });
			const error = result.errorOf('Tate')!;
			expect(error.message).toMatch(/^tate-a-tate answered HTTP 500: 500 auth=\S/);
			expect(echo.requests).toHaveLength(1);
			const sent = String(echo.requests[0].headers.authorization);
			expect(decodeAuthorization(sent).secretKey).toBe(SECRET);
			expectNoSecrets(result, ['Tate'], [sent]);
		} finally {
			await echo.close();
		}
	});
});
