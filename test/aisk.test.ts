import type { IDataObject, INode } from 'n8n-workflow';
import { AiskApi } from '../credentials/AiskApi.credentials';
import { Aisk } from '../nodes/Aisk/Aisk.node';
import { GRPC_CODES, aiskErrorFromResponse, aiskErrorFromStatus, detailsWaitMs } from '../nodes/Aisk/errors';
import { buildAiskTokenRequest } from '../nodes/Aisk/tokenRequest';
import { createChatbotToken } from '../nodes/Aisk/client';
import { AgentChatError } from '../nodes/shared/errors';
import { manualTriggerNode, runWorkflow, type WorkflowRunResult } from './helpers/workflowRunner';
import { SIMULATOR_DEFAULTS, type Simulator } from '../testkit/simulator';
import { useSimulator } from './helpers/useSimulator';

const NODE_TYPE = 'n8n-nodes-agent-chat.aisk';
const CHATBOT = '3f2c1d7e-8a4b-4c6d-9e0f-1a2b3c4d5e6f';
const failing = (status: number) => `00000000-0000-4000-8000-000000000${status}`;
const failingOnce = (status: number) => `00000000-0000-4000-8000-000000f00${status}`;

let sim: Simulator;
useSimulator((started) => (sim = started));

function credentials(overrides: IDataObject = {}): IDataObject {
	return { apiToken: SIMULATOR_DEFAULTS.aiskToken, orgId: 'org-42', baseUrl: sim.url, ...overrides };
}

function aiskNode(parameters: IDataObject = {}, extra: Partial<INode> = {}): INode {
	return {
		id: 'aisk',
		name: 'AiSK',
		type: NODE_TYPE,
		typeVersion: 1,
		position: [200, 0],
		parameters: { operation: 'createChatbotToken', chatbotId: CHATBOT, ...parameters },
		...extra,
	} as INode;
}

async function run(node: INode, options: { credentials?: IDataObject; inputItems?: IDataObject[] } = {}): Promise<WorkflowRunResult> {
	return await runWorkflow({
		nodeTypes: { [NODE_TYPE]: new Aisk() },
		credentialTypes: { aiskApi: new AiskApi() },
		credentials: { aiskApi: (options.credentials ?? credentials()) as never },
		inputItems: options.inputItems,
		workflow: {
			nodes: [manualTriggerNode('Start'), node],
			connections: { Start: { main: [[{ node: node.name, type: 'main', index: 0 }]] } },
		},
	});
}

function expectNoSecrets(result: WorkflowRunResult, extra: string[] = []): void {
	const secrets = [SIMULATOR_DEFAULTS.aiskToken, ...extra, ...sim.requests.map((r) => String(r.headers.authorization ?? '')).filter(Boolean)];
	const texts = [JSON.stringify(result.run.data.resultData.runData.AiSK ?? []), JSON.stringify(result.logs)];
	const error = result.errorOf('AiSK');
	if (error) texts.push(error.message, String(error.description ?? ''), JSON.stringify(error));
	for (const secret of secrets) for (const text of texts) expect(text).not.toContain(secret);
}

const grpcBody = (code: number, message: string, details: unknown[] = []) => JSON.stringify({ code, message, details });

/**
 * The 17 gRPC status codes, their names and grpc-gateway's HTTP status for each (docs/vendors/aisk.md,
 * "Errors"), and the meaning the node shows for each, written out here.
 */
const GRPC_TABLE: Array<[code: number, name: string, httpStatus: number, meaning: string]> = [
	[0, 'OK', 200, 'not an error'],
	[1, 'CANCELLED', 499, 'the request was cancelled'],
	[2, 'UNKNOWN', 500, 'unknown server error'],
	[3, 'INVALID_ARGUMENT', 400, 'the request is invalid'],
	[4, 'DEADLINE_EXCEEDED', 504, 'the server did not finish in time'],
	[5, 'NOT_FOUND', 404, 'the chatbot or resource was not found'],
	[6, 'ALREADY_EXISTS', 409, 'the resource already exists'],
	[7, 'PERMISSION_DENIED', 403, 'the API token may not do this'],
	[8, 'RESOURCE_EXHAUSTED', 429, 'rate limit or quota exhausted'],
	[9, 'FAILED_PRECONDITION', 400, 'the resource is not in a state that allows this'],
	[10, 'ABORTED', 409, 'aborted by a conflicting operation'],
	[11, 'OUT_OF_RANGE', 400, 'a value is out of range'],
	[12, 'UNIMPLEMENTED', 501, 'the operation is not implemented'],
	[13, 'INTERNAL', 500, 'internal server error'],
	[14, 'UNAVAILABLE', 503, 'the service is temporarily unavailable'],
	[15, 'DATA_LOSS', 500, 'unrecoverable data loss'],
	[16, 'UNAUTHENTICATED', 401, 'the API token is missing or invalid'],
];

describe('aiskErrors (pure)', () => {
	test('all 17 gRPC codes: the name, the HTTP status and the meaning', () => {
		expect(Object.entries(GRPC_CODES).map(([code, info]) => [Number(code), info.name, info.httpStatus, info.meaning])).toEqual(GRPC_TABLE);
	});

	test.each(GRPC_TABLE.filter(([code]) => code !== 0))('code %i %s (HTTP %i): the message names the code, its name and its meaning', (code, name, status, meaning) => {
		const failure = aiskErrorFromResponse(status, grpcBody(code, 'server says so'));
		expect(failure.kind).toBe('vendor');
		expect(failure.code).toBe(name);
		expect(failure.httpStatus).toBe(status);
		expect(failure.message).toBe(`AiSK error ${code} ${name} (${meaning}): server says so`);
		expect(failure.description).toContain(`HTTP ${status}, gRPC code ${code} ${name}`);
	});

	test.each([
		[400, 3, false],
		[404, 5, false],
		[403, 7, false],
		[429, 8, true],
		[500, 13, false],
		[503, 14, true],
		[401, 16, false],
	])('HTTP %i code %i: retryable %s (only RESOURCE_EXHAUSTED and UNAVAILABLE)', (status, code, retryable) => {
		expect(aiskErrorFromResponse(status, grpcBody(code, 'server says so')).retryable).toBe(retryable);
	});

	test('the wait: ErrorInfo wait_sec, RetryInfo retryDelay, Retry-After; the longest wins', () => {
		const errorInfo = { '@type': 'type.googleapis.com/google.rpc.ErrorInfo', reason: 'RATE_LIMITED', metadata: { wait_sec: '3' } };
		expect(detailsWaitMs([errorInfo])).toBe(3000);
		expect(detailsWaitMs([{ '@type': 'type.googleapis.com/google.rpc.RetryInfo', retryDelay: '1.5s' }])).toBe(1500);
		expect(detailsWaitMs([])).toBeUndefined();
		expect(aiskErrorFromResponse(429, grpcBody(8, 'slow down', [errorInfo])).retryAfterMs).toBe(3000);
		expect(aiskErrorFromResponse(429, grpcBody(8, 'slow down', [errorInfo]), '5').retryAfterMs).toBe(5000);
		expect(aiskErrorFromResponse(429, grpcBody(8, 'slow down'), '2').retryAfterMs).toBe(2000);
		expect(aiskErrorFromResponse(429, grpcBody(8, 'slow down')).retryAfterMs).toBeUndefined();
		expect(aiskErrorFromResponse(429, grpcBody(8, 'slow down', [errorInfo])).description).toContain('reason RATE_LIMITED');
	});

	test('a body that is not grpc-gateway JSON is reported by HTTP status', () => {
		const failure = aiskErrorFromResponse(502, '<html><body>Bad gateway</body></html>');
		expect(failure.kind).toBe('http');
		expect(failure.code).toBe(502);
		expect(failure.retryable).toBe(true);
		expect(failure.message).toContain('Bad gateway');
	});

	test('request building: a UUID is required, headers carry the token and the org', () => {
		const request = buildAiskTokenRequest(CHATBOT, { apiToken: 't0ken', orgId: 'org', baseUrl: 'https://api.example.com/' });
		expect(request.url).toBe(`https://api.example.com/bv/aisk/v1/chatbots/${CHATBOT}/token`);
		expect(request.headers).toMatchObject({ authorization: 'Bearer t0ken', 'x-bv-org-id': 'org', 'content-type': 'application/json' });
		expect(buildAiskTokenRequest(CHATBOT, { apiToken: 't' }).headers['x-bv-org-id']).toBeUndefined();
		for (const bad of ['', 'not-a-uuid', `${CHATBOT}x`, '3f2c1d7e8a4b4c6d9e0f1a2b3c4d5e6f', 42]) {
			expect(() => buildAiskTokenRequest(bad, { apiToken: 't' })).toThrow(AgentChatError);
			expect(() => buildAiskTokenRequest(bad, { apiToken: 't' })).toThrow(/'chatbotId': must be a UUID/);
		}
	});
});

describe('aiskErrors: details, wrapped and cut statuses, the quota (pure, expectations written out by hand)', () => {
	const ERROR_INFO = 'type.googleapis.com/google.rpc.ErrorInfo';
	const RETRY_INFO = 'type.googleapis.com/google.rpc.RetryInfo';

	test('ErrorInfo wait_sec: seconds as a number or a numeric string, never negative or blank', () => {
		expect(detailsWaitMs([{ '@type': ERROR_INFO, metadata: { wait_sec: 2.5 } }])).toBe(2500);
		expect(detailsWaitMs([{ '@type': ERROR_INFO, metadata: { wait_sec: ' 4 ' } }])).toBe(4000);
		expect(detailsWaitMs([{ '@type': ERROR_INFO, metadata: { wait_sec: 0 } }])).toBe(0);
		for (const bad of ['', '   ', '-1', -1, 'soon', null, {}]) {
			expect(detailsWaitMs([{ '@type': ERROR_INFO, metadata: { wait_sec: bad } }])).toBeUndefined();
		}
		// Metadata without a type still says how long to wait.
		expect(detailsWaitMs([{ metadata: { wait_sec: '2' } }])).toBe(2000);
	});

	test('RetryInfo retryDelay: a google.protobuf.Duration in JSON ("1.5s"), nothing else', () => {
		expect(detailsWaitMs([{ '@type': RETRY_INFO, retryDelay: '12.25s' }])).toBe(12250);
		expect(detailsWaitMs([{ '@type': RETRY_INFO, retryDelay: ' 2s ' }])).toBe(2000);
		for (const bad of ['2', 'x2s', '2sx', '2.s', 's', '', 2]) {
			expect(detailsWaitMs([{ '@type': RETRY_INFO, retryDelay: bad }])).toBeUndefined();
		}
		// Only the type named RetryInfo: another type's retryDelay means nothing.
		expect(detailsWaitMs([{ '@type': 'type.googleapis.com/google.rpc.RetryInfoX', retryDelay: '3s' }])).toBeUndefined();
		expect(detailsWaitMs([{ '@type': 'google.rpc.RetryInfo.Other', retryDelay: '3s' }])).toBeUndefined();
	});

	test('several details: the longest wait; entries that are not objects are skipped; not a list: no wait', () => {
		const details = [null, 'text', 7, { '@type': ERROR_INFO, metadata: { wait_sec: '1' } }, { '@type': RETRY_INFO, retryDelay: '4s' }];
		expect(detailsWaitMs(details)).toBe(4000);
		expect(detailsWaitMs([{ '@type': RETRY_INFO, retryDelay: '1s' }, { '@type': ERROR_INFO, metadata: { wait_sec: 6 } }])).toBe(6000);
		expect(detailsWaitMs({ '@type': RETRY_INFO, retryDelay: '4s' })).toBeUndefined();
		expect(detailsWaitMs(undefined)).toBeUndefined();
		// A RetryInfo whose metadata has no wait falls back to its retryDelay.
		expect(detailsWaitMs([{ '@type': RETRY_INFO, metadata: {}, retryDelay: '3s' }])).toBe(3000);
	});

	test('the description: code, meaning, hint and every ErrorInfo reason with its domain', () => {
		const failure = aiskErrorFromResponse(
			404,
			grpcBody(5, '  chatbot not found  ', [
				{ '@type': ERROR_INFO, reason: 'CHATBOT_NOT_FOUND', domain: 'aisk.blendvision.com' },
				{ '@type': ERROR_INFO, reason: 'SECOND', domain: '' },
				{ '@type': ERROR_INFO, reason: '' },
				{ '@type': RETRY_INFO, reason: 'NOT_AN_ERROR_INFO' },
				null,
			]),
		);
		expect(failure.message).toBe('AiSK error 5 NOT_FOUND (the chatbot or resource was not found): chatbot not found');
		expect(failure.description).toBe(
			"HTTP 404, gRPC code 5 NOT_FOUND: the chatbot or resource was not found. Check the Chatbot ID and that the chatbot belongs to the credential's organization. Error info: reason CHATBOT_NOT_FOUND (aisk.blendvision.com), reason SECOND.",
		);
		expect(failure).toMatchObject({ kind: 'vendor', code: 'NOT_FOUND', httpStatus: 404, retryable: false, retryAfterMs: undefined });
	});

	test('no server message, no hint, no details: the code and its meaning alone', () => {
		const failure = aiskErrorFromResponse(409, JSON.stringify({ code: 6 }));
		expect(failure.message).toBe('AiSK error 6 ALREADY_EXISTS: the resource already exists');
		expect(failure.description).toBe('HTTP 409, gRPC code 6 ALREADY_EXISTS: the resource already exists.');
		// A code given as a string is read as the number.
		expect(aiskErrorFromResponse(401, JSON.stringify({ code: '16', message: 'bad token' })).message).toBe(
			'AiSK error 16 UNAUTHENTICATED (the API token is missing or invalid): bad token',
		);
	});

	test('a stream handler\'s {"error": Status}, alone or as the first line of more', () => {
		const wrapped = aiskErrorFromResponse(503, JSON.stringify({ error: { code: 14, message: 'restarting' } }));
		expect(wrapped).toMatchObject({ code: 'UNAVAILABLE', httpStatus: 503, retryable: true, message: 'AiSK error 14 UNAVAILABLE (the service is temporarily unavailable): restarting' });
		const firstLine = aiskErrorFromResponse(429, `${JSON.stringify({ error: { code: 8, message: 'slow down' } })}\n{"result":{"content":"x"}}\n`);
		expect(firstLine).toMatchObject({ code: 'RESOURCE_EXHAUSTED', httpStatus: 429, retryable: true });
		// A body with a code of its own is the status, whatever its "error" field holds.
		expect(aiskErrorFromResponse(400, JSON.stringify({ code: 3, message: 'bad', error: { code: 14 } })).code).toBe('INVALID_ARGUMENT');
	});

	test('not a gRPC status (no code, a fractional code, a list, a first line that is no object): by HTTP status', () => {
		for (const body of [JSON.stringify({ message: 'no code' }), JSON.stringify({ code: 2.5 }), '[{"code":5}]', '[1]\n{"code":5}', 'null', JSON.stringify({ error: 'text' })]) {
			const failure = aiskErrorFromResponse(500, body);
			expect(failure.kind).toBe('http');
			expect(failure.code).toBe(500);
			expect(failure.message).toMatch(/^AiSK answered HTTP 500/);
		}
	});

	test('a code not in the table: named by its number; a Status with no HTTP status takes the one grpc-gateway maps it to', () => {
		expect(aiskErrorFromResponse(500, grpcBody(42, 'odd'))).toMatchObject({ code: 'CODE_42', message: 'AiSK error 42 CODE_42 (unrecognised gRPC code): odd' });
		expect(aiskErrorFromStatus({ code: 42 })).toMatchObject({ httpStatus: 500, retryable: false });
		expect(aiskErrorFromStatus({ code: 7, message: 'no' })).toMatchObject({ httpStatus: 403, retryable: false, code: 'PERMISSION_DENIED' });
		expect(aiskErrorFromStatus({ code: 'x' })).toMatchObject({ code: 'UNKNOWN', httpStatus: 500 });
		// A non-retryable code on a retryable HTTP status is retried for the status.
		expect(aiskErrorFromStatus({ code: 3 }, 503).retryable).toBe(true);
	});

	test('a used-up daily quota fails at once, naming the quota and when it resets', () => {
		const quota = (metadata?: Record<string, unknown>) => ({ '@type': ERROR_INFO, reason: 'ERROR_REASON_PROMPT_OUT_OF_QUOTA', ...(metadata ? { metadata } : {}) });
		const full = aiskErrorFromResponse(429, grpcBody(8, 'quota', [quota({ limit: '100', reset_at: '2026-12-01T00:00:00Z', wait_sec: '60' })]), '30');
		expect(full.message).toBe("AiSK error 8 RESOURCE_EXHAUSTED (out of quota): the chatbot's daily quota of 100 messages is used up; it resets at 2026-12-01T00:00:00Z");
		expect(full.description).toBe(
			"HTTP 429, gRPC code 8 RESOURCE_EXHAUSTED (quota): reason ERROR_REASON_PROMPT_OUT_OF_QUOTA. No message can be answered before 2026-12-01T00:00:00Z (reset_at). Raise the chatbot's quota in BlendVision One or run the workflow after the reset.",
		);
		expect(full).toMatchObject({ kind: 'vendor', code: 'RESOURCE_EXHAUSTED', httpStatus: 429, retryable: false, retryAfterMs: undefined });

		const bare = aiskErrorFromResponse(429, JSON.stringify({ code: 8, details: [quota({ limit: 50 })] }));
		expect(bare.message).toBe("AiSK error 8 RESOURCE_EXHAUSTED (out of quota): the chatbot's daily quota of 50 messages is used up");
		expect(bare.description).toBe(
			"HTTP 429, gRPC code 8 RESOURCE_EXHAUSTED: reason ERROR_REASON_PROMPT_OUT_OF_QUOTA. No message can be answered before the quota resets. Raise the chatbot's quota in BlendVision One or run the workflow after the reset.",
		);
		for (const metadata of [undefined, { limit: { value: 1 }, reset_at: ['x'] }]) {
			expect(aiskErrorFromResponse(429, grpcBody(8, '', [quota(metadata)])).message).toBe(
				"AiSK error 8 RESOURCE_EXHAUSTED (out of quota): the chatbot's daily quota of messages is used up",
			);
		}
	});
});

describe('buildAiskTokenRequest: the credential and the options (pure)', () => {
	test('the default host, the token and the org trimmed, the chatbot id trimmed', () => {
		const request = buildAiskTokenRequest(`  ${CHATBOT} `, { apiToken: '  t0ken ', orgId: '  org-1 ' });
		expect(request).toEqual({
			url: `https://api.one.blendvision.com/bv/aisk/v1/chatbots/${CHATBOT}/token`,
			headers: { authorization: 'Bearer t0ken', 'content-type': 'application/json', accept: 'application/json', 'x-bv-org-id': 'org-1' },
			chatbotId: CHATBOT,
			timeoutMs: 30000,
			maxRetries: 2,
		});
		expect(buildAiskTokenRequest(CHATBOT, { apiToken: 't', orgId: '   ' }).headers).not.toHaveProperty('x-bv-org-id');
	});

	test('no API token, or only spaces: an input error naming the field, before anything is sent', () => {
		for (const apiToken of [undefined, '', '   ', 42]) {
			expect(() => buildAiskTokenRequest(CHATBOT, { apiToken } as never)).toThrow("'apiToken': the AiSK credential has no API token");
		}
	});

	test('timeout and retries: checked against their ranges', () => {
		expect(buildAiskTokenRequest(CHATBOT, { apiToken: 't' }, { timeout: 5000, maxRetries: 0 })).toMatchObject({ timeoutMs: 5000, maxRetries: 0 });
		expect(() => buildAiskTokenRequest(CHATBOT, { apiToken: 't' }, { timeout: 0 })).toThrow(/options\.timeout/);
		expect(() => buildAiskTokenRequest(CHATBOT, { apiToken: 't' }, { maxRetries: 11 })).toThrow(/options\.maxRetries/);
	});

	test('a bad Chatbot ID names what it got', () => {
		expect(() => buildAiskTokenRequest('nope', { apiToken: 't' })).toThrow('(got "nope")');
		expect(() => buildAiskTokenRequest(undefined, { apiToken: 't' })).toThrow('(got null)');
		expect(() => buildAiskTokenRequest('x'.repeat(100), { apiToken: 't' })).toThrow(`(got "${'x'.repeat(80)}")`);
	});
});

describe('AiSK node in a workflow (simulator)', () => {
	test('success: { token, chatbotId } with the bearer token and org header sent', async () => {
		const result = await run(aiskNode({ chatbotId: '={{ $json.bot }}' }), { inputItems: [{ bot: CHATBOT }] });
		expect(result.run.status).toBe('success');
		const [item] = result.outputOf('AiSK');
		expect(item.json).toEqual({ token: expect.stringMatching(/^[\w-]+\.[\w-]+\.[\w-]+$/), chatbotId: CHATBOT });
		expect(item.pairedItem).toEqual({ item: 0 });
		expect(sim.requests).toHaveLength(1);
		expect(sim.requests[0].path).toBe(`/bv/aisk/v1/chatbots/${CHATBOT}/token`);
		expect(sim.requests[0].headers.authorization).toBe(`Bearer ${SIMULATOR_DEFAULTS.aiskToken}`);
		expect(sim.requests[0].headers['x-bv-org-id']).toBe('org-42');
		expect(sim.requests[0].body).toBe('{}');
		expectNoSecrets(result);
	});

	test.each([
		[400, 3, 'INVALID_ARGUMENT'],
		[404, 5, 'NOT_FOUND'],
		[403, 7, 'PERMISSION_DENIED'],
		[429, 8, 'RESOURCE_EXHAUSTED'],
		[500, 13, 'INTERNAL'],
		[503, 14, 'UNAVAILABLE'],
	])('HTTP %i: a NodeApiError naming gRPC code %i %s', async (status, code, name) => {
		const result = await run(aiskNode({ chatbotId: failing(status), options: { maxRetries: 0 } }));
		expect(result.run.status).toBe('error');
		const error = result.errorOf('AiSK')!;
		expect(error.name).toBe('NodeApiError');
		expect(error.message).toMatch(new RegExp(`^AiSK error ${code} ${name} \\(`));
		expect(String(error.description)).toContain(`HTTP ${status}, gRPC code ${code} ${name}`);
		expect(sim.requests).toHaveLength(1);
		expectNoSecrets(result);
	});

	test('a wrong API token: UNAUTHENTICATED (16), not retried, the token never shown', async () => {
		const result = await run(aiskNode(), { credentials: credentials({ apiToken: 'wrong-aisk-token' }) });
		const error = result.errorOf('AiSK')!;
		expect(error.message).toMatch(/^AiSK error 16 UNAUTHENTICATED \(the API token is missing or invalid\): invalid API token$/);
		expect(String(error.description)).toMatch(/Check the API Token/);
		expect(sim.requests).toHaveLength(1);
		expectNoSecrets(result, ['wrong-aisk-token']);
	});

	test.each([429, 503])('HTTP %i once, then success: retried (2 requests)', async (status) => {
		const result = await run(aiskNode({ chatbotId: failingOnce(status) }));
		expect(result.run.status).toBe('success');
		expect(result.outputOf('AiSK')[0].json.chatbotId).toBe(failingOnce(status));
		expect(sim.requests).toHaveLength(2);
		expect(result.logs.some((log) => log.message.startsWith('AiSK: retry 1 of item 0'))).toBe(true);
	});

	const rateLimited = (waitSec: string, headers: Record<string, string>) => ({
		status: 429,
		headers,
		steps: [
			grpcBody(8, 'rate limit exceeded, retry later', [
				{ '@type': 'type.googleapis.com/google.rpc.ErrorInfo', reason: 'RATE_LIMITED', domain: 'aisk.blendvision.com', metadata: { wait_sec: waitSec } },
			]),
		],
	});

	test.each([
		['ErrorInfo wait_sec', rateLimited('1', {})],
		['Retry-After', rateLimited('0', { 'retry-after': '1' })],
	])('429 with %s: waits as asked (the wait said in the retry log), then succeeds', async (_label, script) => {
		sim.enqueue('aisk', script);
		const result = await run(aiskNode());
		expect(result.run.status).toBe('success');
		expect(sim.requests).toHaveLength(2);
		const retryLines = result.logs.map((log) => log.message).filter((message) => message.startsWith('AiSK: retry'));
		expect(retryLines).toEqual(['AiSK: retry 1 of item 0 in 1000 ms after RESOURCE_EXHAUSTED']);
	});

	test('always 503: gives up after Max Retries with UNAVAILABLE', async () => {
		const result = await run(aiskNode({ chatbotId: failing(503), options: { maxRetries: 2 } }));
		expect(result.errorOf('AiSK')?.message).toMatch(/^AiSK error 14 UNAVAILABLE/);
		expect(sim.requests).toHaveLength(3);
	});

	test('a chatbot ID that is not a UUID fails before any request', async () => {
		const result = await run(aiskNode({ chatbotId: 'my-chatbot' }));
		expect(result.run.status).toBe('error');
		const error = result.errorOf('AiSK')!;
		expect(error.name).toBe('NodeOperationError');
		expect(error.message).toMatch(/^Invalid parameter 'chatbotId': must be a UUID/);
		expect(sim.requests).toHaveLength(0);
	});

	test('Continue On Fail: failed items are {error, code, ...} with pairedItem, the others go on', async () => {
		const result = await run(aiskNode({ chatbotId: '={{ $json.bot }}', options: { maxRetries: 0 } }, { continueOnFail: true }), {
			inputItems: [{ bot: CHATBOT }, { bot: 'nope' }, { bot: failing(403) }, { bot: CHATBOT }],
		});
		expect(result.run.status).toBe('success');
		const items = result.outputOf('AiSK');
		expect(items.map((item) => item.pairedItem)).toEqual([{ item: 0 }, { item: 1 }, { item: 2 }, { item: 3 }]);
		expect(items[0].json.token).toEqual(expect.any(String));
		expect(items[1].json).toMatchObject({ code: 'INVALID_INPUT', error: expect.stringContaining("'chatbotId'") });
		expect(items[2].json).toMatchObject({ code: 'PERMISSION_DENIED', httpStatus: 403, error: expect.stringMatching(/^AiSK error 7 PERMISSION_DENIED/) });
		expect(items[3].json.token).toEqual(expect.any(String));
		expect(sim.requests).toHaveLength(3);
		expectNoSecrets(result);
	});
});

describe('aiskApi credential test', () => {
	const testFn = new Aisk().methods.credentialTest.aiskApiTest;
	const call = async (data: IDataObject) => await testFn.call({} as never, { id: '1', name: 'AiSK', type: 'aiskApi', data: data as never });

	test('the node declares it', () => {
		expect(new Aisk().description.credentials).toEqual([{ name: 'aiskApi', required: true, testedBy: 'aiskApiTest' }]);
	});

	test('an accepted token: OK', async () => {
		await expect(call(credentials())).resolves.toMatchObject({ status: 'OK' });
		expect(sim.requests).toHaveLength(1);
	});

	test('a refused token: Error with UNAUTHENTICATED, the token not shown', async () => {
		const result = await call(credentials({ apiToken: 'wrong-aisk-token' }));
		expect(result.status).toBe('Error');
		expect(result.message).toMatch(/UNAUTHENTICATED/);
		expect(result.message).not.toContain('wrong-aisk-token');
	});

	test('the token is accepted but the probe chatbot does not exist: OK', async () => {
		sim.enqueue('aisk', { status: 404, steps: [grpcBody(5, 'chatbot not found')] });
		await expect(call(credentials())).resolves.toMatchObject({ status: 'OK', message: expect.stringContaining('NOT_FOUND') });
	});
});

describe('createChatbotToken against the simulator: answers that are not what the API documents', () => {
	const request = () => buildAiskTokenRequest(CHATBOT, { apiToken: 't0ken', baseUrl: sim.url }, { maxRetries: 0 });
	async function failureOf(script: { status?: number; steps: string[] }): Promise<AgentChatError> {
		sim.enqueue('aisk', script);
		try {
			await createChatbotToken(request());
		} catch (error) {
			expect(error).toBeInstanceOf(AgentChatError);
			return error as AgentChatError;
		}
		throw new Error('expected an AgentChatError');
	}

	test('a 2xx answer that is not a JSON object: UNEXPECTED_RESPONSE with the status', async () => {
		for (const [status, body] of [
			[200, 'not json'],
			[200, '[{"token":"x"}]'],
			[200, 'null'],
			[201, '"token"'],
		] as const) {
			expect(await failureOf({ status, steps: [body] })).toMatchObject({
				kind: 'protocol',
				code: 'UNEXPECTED_RESPONSE',
				httpStatus: status,
				message: 'AiSK answered with something that is not a JSON object',
			});
		}
	});

	test('an object without a token: UNEXPECTED_RESPONSE naming the fields it had', async () => {
		expect(await failureOf({ steps: ['{"tokn":"x","expires":1}'] })).toMatchObject({
			code: 'UNEXPECTED_RESPONSE',
			message: 'AiSK answered without a token',
			description: 'The answer had the fields: tokn, expires.',
		});
		expect(await failureOf({ steps: ['{}'] })).toMatchObject({ description: 'The answer had the fields: none.' });
		expect(await failureOf({ steps: ['{"token":""}'] })).toMatchObject({ message: 'AiSK answered without a token' });
		expect(await failureOf({ steps: ['{"token":42}'] })).toMatchObject({ message: 'AiSK answered without a token' });
	});

	test('any 2xx with a token is a token; 300 is an error by its status', async () => {
		sim.enqueue('aisk', { status: 299, steps: ['{"token":"tok-299"}'] });
		await expect(createChatbotToken(request())).resolves.toEqual({ token: 'tok-299', chatbotId: CHATBOT });
		expect(await failureOf({ status: 300, steps: ['{"token":"x"}'] })).toMatchObject({ kind: 'http', code: 300 });
	});
});
