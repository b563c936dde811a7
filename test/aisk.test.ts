import type { IDataObject, INode } from 'n8n-workflow';
import { AiskApi } from '../credentials/AiskApi.credentials';
import { Aisk } from '../nodes/Aisk/Aisk.node';
import { GRPC_CODES, aiskErrorFromResponse, detailsWaitMs } from '../nodes/Aisk/errors';
import { buildAiskTokenRequest } from '../nodes/Aisk/tokenRequest';
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
