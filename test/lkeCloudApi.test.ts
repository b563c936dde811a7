import { createHash } from 'crypto';
import type { IDataObject, INode } from 'n8n-workflow';
import { TencentLkeApi } from '../credentials/TencentLkeApi.credentials';
import { AgentChatError } from '../nodes/shared/errors';
import { callGetWsToken } from '../nodes/TencentLke/getWsTokenClient';
import { testTencentLkeCredential } from '../nodes/TencentLke/credentialTest';
import { parseCloudApiResponse } from '../nodes/TencentLke/errors';
import {
	buildCloudApiRequest,
	planGetWsToken,
	type GetWsTokenInput,
} from '../nodes/TencentLke/getWsTokenRequest';
import { TencentLke } from '../nodes/TencentLke/TencentLke.node';
import { manualTriggerNode, runWorkflow, type WorkflowRunResult } from './helpers/workflowRunner';
import { requestField, SIMULATOR_DEFAULTS, type Simulator } from '../testkit/simulator';
import { computeTc3, parseTc3Authorization, tc3ScopeDate } from '../testkit/simulator/tc3Verification';
import { sdkAuthorization } from './helpers/tencentCloudSdkSigner';
import { startEchoServer } from './helpers/hardening';
import { useSimulator } from './helpers/useSimulator';
import { getWsTokenInput } from './helpers/getWsTokenInput';

const NODE_TYPE = 'n8n-nodes-agent-chat.tencentLke';
const KEYS = [SIMULATOR_DEFAULTS.lkeAppKey, SIMULATOR_DEFAULTS.secretKey];

let sim: Simulator;
useSimulator((started) => (sim = started));

function credentials(overrides: IDataObject = {}): IDataObject {
	return {
		appKey: SIMULATOR_DEFAULTS.lkeAppKey,
		secretId: SIMULATOR_DEFAULTS.secretId,
		secretKey: SIMULATOR_DEFAULTS.secretKey,
		site: 'custom',
		chatBaseUrl: sim.url,
		apiEndpoint: sim.url,
		region: 'ap-jakarta',
		...overrides,
	};
}

function tokenNode(parameters: IDataObject = {}, extra: Partial<INode> = {}): INode {
	return {
		id: 'lke',
		name: 'LKE',
		type: NODE_TYPE,
		typeVersion: 1,
		position: [200, 0],
		parameters: { operation: 'getWsToken', ...parameters },
		...extra,
	} as INode;
}

async function run(
	node: INode,
	options: { credentials?: IDataObject; inputItems?: IDataObject[] } = {},
): Promise<WorkflowRunResult> {
	return await runWorkflow({
		nodeTypes: { [NODE_TYPE]: new TencentLke() },
		credentialTypes: { tencentLkeApi: new TencentLkeApi() },
		credentials: { tencentLkeApi: (options.credentials ?? credentials()) as never },
		inputItems: options.inputItems,
		workflow: {
			nodes: [manualTriggerNode('Start'), node],
			connections: { Start: { main: [[{ node: node.name, type: 'main', index: 0 }]] } },
		},
	});
}

/** Every Authorization value the simulator saw, plus the keys. */
function secretsSeen(): string[] {
	const values = sim.requests.map((request) => String(request.headers.authorization ?? '')).filter(Boolean);
	return [...KEYS, ...values];
}

/** No secret in any output item, the node error (message, description), or a log line. */
function expectNoSecrets(result: WorkflowRunResult, nodeName = 'LKE', alsoSent: string[] = []): void {
	const texts: string[] = [];
	const runData = result.run.data.resultData.runData[nodeName] ?? [];
	texts.push(JSON.stringify(runData.map((task) => task.data ?? null)));
	const error = result.errorOf(nodeName);
	if (error) texts.push(String(error.message), String(error.description ?? ''), JSON.stringify(error));
	texts.push(JSON.stringify(result.logs));
	for (const secret of [...secretsSeen(), ...alsoSent]) {
		for (const text of texts) expect(text).not.toContain(secret);
	}
}


/** A GetWsToken plan for the simulator, with its keys. */
function simulatorPlan(visitorBizId: string): ReturnType<typeof planGetWsToken> {
	return planGetWsToken({
		secretId: SIMULATOR_DEFAULTS.secretId,
		secretKey: SIMULATOR_DEFAULTS.secretKey,
		appKey: SIMULATOR_DEFAULTS.lkeAppKey,
		visitorBizId,
		apiEndpoint: sim.url,
		region: 'ap-jakarta',
		defaultVisitorBizId: 'd',
	});
}

describe('lkeCloudApi (pure)', () => {
	test('builds the GetWsToken request: body, headers, TC3 with service lke', () => {
		const plan = planGetWsToken(getWsTokenInput());
		const request = buildCloudApiRequest(plan, 1_700_000_000);
		expect(request.body).toBe('{"Type":5,"BotAppKey":"example-app-key","VisitorBizId":"visitor-1"}');
		expect(request.url).toBe('https://lke.intl.tencentcloudapi.com');
		const { Authorization, ...rest } = request.headers;
		expect(rest).toEqual({
			'Content-Type': 'application/json',
			Host: 'lke.intl.tencentcloudapi.com',
			'X-TC-Action': 'GetWsToken',
			'X-TC-Version': '2023-11-30',
			'X-TC-Timestamp': '1700000000',
			'X-TC-Region': 'ap-jakarta',
		});
		// Written out (computed outside the repository with an independent HMAC-SHA256 implementation),
		// and Tencent's SDK signer agrees.
		const expected =
			'TC3-HMAC-SHA256 Credential=AKIDexample/2023-11-14/lke/tc3_request, SignedHeaders=content-type;host, ' +
			'Signature=804a4db7cc4ce4ac86067d0405c956d1dccbfc7c42a8ded0fb08d41caa53ab2d';
		expect(Authorization).toBe(expected);
		expect(
			sdkAuthorization({
				url: request.url,
				headers: request.headers,
				body: request.body,
				timestamp: 1_700_000_000,
				service: 'lke',
				secretId: 'AKIDexample',
				secretKey: 'example-secret',
			}),
		).toBe(expected);
	});

	test('Host carries a non-default port; the service stays lke for any host; empty visitor takes the default', () => {
		const plan = planGetWsToken(getWsTokenInput({ apiEndpoint: 'http://127.0.0.1:8080', visitorBizId: '' }));
		expect(plan.host).toBe('127.0.0.1:8080');
		expect(JSON.parse(plan.body).VisitorBizId).toBe('n8n-wf');
		expect(planGetWsToken(getWsTokenInput({ apiEndpoint: 'https://proxy.example.com:443' })).host).toBe('proxy.example.com');
		// The signature covers host:127.0.0.1:8080, the Host header sent (written out as above).
		expect(buildCloudApiRequest(plan, 1_700_000_000).authorization).toBe(
			'TC3-HMAC-SHA256 Credential=AKIDexample/2023-11-14/lke/tc3_request, SignedHeaders=content-type;host, ' +
				'Signature=2f8fc504f041bdd5f903fca9bfb2f864dafdfd053f0ddae4cf5cdd347143ef72',
		);
	});

	test.each([
		['secretId', { secretId: '' }],
		['secretKey', { secretKey: '  ' }],
		['appKey', { appKey: undefined }],
		['visitorBizId', { visitorBizId: 'v'.repeat(65) }],
	])('input error naming %s', (field, overrides) => {
		try {
			planGetWsToken(getWsTokenInput(overrides as Partial<GetWsTokenInput>));
			throw new Error('no error');
		} catch (error) {
			expect(error).toBeInstanceOf(AgentChatError);
			expect((error as AgentChatError).kind).toBe('input');
			expect((error as AgentChatError).field).toBe(field);
			expect((error as AgentChatError).message).toContain(`'${field}'`);
		}
	});

	test('a 64-character visitor is fine', () => {
		expect(() => planGetWsToken(getWsTokenInput({ visitorBizId: 'v'.repeat(64) }))).not.toThrow();
	});

	test('success: the Response fields as sent', () => {
		const body = JSON.stringify({ Response: { Token: 't', Balance: 1.5, InputLenLimit: 10, Pattern: 'agent', SingleWorkflow: { WorkflowId: 'w' }, RequestId: 'r' } });
		expect(parseCloudApiResponse(200, body)).toEqual({ Token: 't', Balance: 1.5, InputLenLimit: 10, Pattern: 'agent', SingleWorkflow: { WorkflowId: 'w' }, RequestId: 'r' });
	});

	const errorBody = (code: string, message = 'msg') => JSON.stringify({ Response: { Error: { Code: code, Message: message }, RequestId: 'req-123' } });
	const failureOf = (status: number, body: string): AgentChatError => {
		try {
			parseCloudApiResponse(status, body);
		} catch (error) {
			return error as AgentChatError;
		}
		throw new Error('no error');
	};

	test.each([
		['AuthFailure.SignatureExpire', /check the n8n host's clock/],
		['AuthFailure.SecretIdNotFound', /SecretId field/],
		['AuthFailure.SignatureFailure', /SecretKey field/],
	])('%s: message with code and text, description with the hint and the RequestId', (code, hint) => {
		const failure = failureOf(200, errorBody(code, 'Some text.'));
		expect(failure.kind).toBe('vendor');
		expect(failure.code).toBe(code);
		expect(failure.message).toBe(`Tencent Cloud API error ${code}: Some text.`);
		expect(failure.description).toMatch(hint);
		expect(failure.description).toContain('req-123');
		expect(failure.retryable).toBe(false);
	});

	test('RequestLimitExceeded(.*), InternalError and 5xx are retryable; FailedOperation is not', () => {
		expect(failureOf(200, errorBody('RequestLimitExceeded')).retryable).toBe(true);
		expect(failureOf(200, errorBody('RequestLimitExceeded.UinLimitExceeded')).retryable).toBe(true);
		expect(failureOf(200, errorBody('InternalError')).retryable).toBe(true);
		expect(failureOf(200, errorBody('FailedOperation')).retryable).toBe(false);
		const http = failureOf(503, '<html>busy</html>');
		expect(http.kind).toBe('http');
		expect(http.retryable).toBe(true);
		expect(failureOf(502, errorBody('FailedOperation')).retryable).toBe(true);
		expect(failureOf(200, 'not json').code).toBe('UNEXPECTED_RESPONSE');
	});
});

describe('Tencent LKE Get WS Token in a workflow (simulator)', () => {
	test('success: the Response fields as sent, pairedItem kept', async () => {
		const result = await run(tokenNode({ visitorBizId: '={{ $json.user }}' }), { inputItems: [{ user: 'alice' }, { user: 'bob' }] });
		expect(result.run.status).toBe('success');
		const items = result.outputOf('LKE');
		expect(items).toHaveLength(2);
		for (const [index, item] of items.entries()) {
			expect(Object.keys(item.json).sort()).toEqual(['Balance', 'InputLenLimit', 'Pattern', 'RequestId', 'SingleWorkflow', 'Token']);
			expect(item.json).toMatchObject({ Balance: 1000.5, InputLenLimit: 12000, Pattern: 'standard', SingleWorkflow: null });
			expect(item.pairedItem).toEqual({ item: index });
		}
		expect(sim.requests.map((request) => requestField(request, 'VisitorBizId'))).toEqual(['alice', 'bob']);
		expectNoSecrets(result);
	});

	test('the request is signed over the exact bytes and headers sent', async () => {
		const result = await run(tokenNode({ visitorBizId: 'visitor-sig' }));
		expect(result.run.status).toBe('success');
		expect(sim.requests).toHaveLength(1);
		const request = sim.requests[0];
		const headers = request.headers;
		expect(request.method).toBe('POST');
		expect(request.path).toBe('/');
		expect(headers['content-type']).toBe('application/json');
		expect(headers.host).toBe(new URL(sim.url).host);
		expect(headers['x-tc-action']).toBe('GetWsToken');
		expect(headers['x-tc-version']).toBe('2023-11-30');
		expect(headers['x-tc-region']).toBe('ap-jakarta');
		expect(request.body).toBe(JSON.stringify({ Type: 5, BotAppKey: SIMULATOR_DEFAULTS.lkeAppKey, VisitorBizId: 'visitor-sig' }));
		const timestamp = Number(headers['x-tc-timestamp']);
		expect(Math.abs(timestamp - Date.now() / 1000)).toBeLessThan(30);
		// Recompute the signature from what arrived on the wire, with the simulator's own TC3 check.
		const bytes = Buffer.from(request.body, 'utf8');
		const recomputed = computeTc3({
			secretKey: SIMULATOR_DEFAULTS.secretKey,
			service: 'lke',
			timestamp,
			method: request.method,
			signedHeaders: [
				['content-type', String(headers['content-type'])],
				['host', String(headers.host)],
			],
			body: bytes,
		});
		expect(recomputed.canonicalRequest).toContain(`\nhost:${new URL(sim.url).host}\n`);
		expect(recomputed.canonicalRequest.endsWith(createHash('sha256').update(bytes).digest('hex'))).toBe(true);
		expect(parseTc3Authorization(String(headers.authorization))).toEqual({
			secretId: SIMULATOR_DEFAULTS.secretId,
			date: tc3ScopeDate(timestamp),
			service: 'lke',
			signedHeaders: ['content-type', 'host'],
			signature: recomputed.signature,
		});
	});

	test('the simulator verifies host with its port: the node\'s request passes, a signature over the hostname alone is refused', async () => {
		const plan = simulatorPlan('访客-😀');
		const timestamp = Math.floor(Date.now() / 1000);
		const request = buildCloudApiRequest(plan, timestamp);
		// fetch sets Host itself, from the URL: 127.0.0.1:<port>, as the node sends it.
		const { Host: _host, ...headers } = request.headers;
		const body = request.body;
		const send = async (authorization: string) => {
			const response = await fetch(sim.url, { method: 'POST', headers: { ...headers, Authorization: authorization }, body });
			return ((await response.json()) as { Response: IDataObject }).Response;
		};
		expect(await send(headers.Authorization)).toMatchObject({ Token: expect.any(String) });
		// Tencent's Node.js SDK signer leaves the port out of the canonical host.
		const hostnameOnly = sdkAuthorization({
			url: sim.url,
			headers,
			body,
			timestamp,
			service: 'lke',
			secretId: SIMULATOR_DEFAULTS.secretId,
			secretKey: SIMULATOR_DEFAULTS.secretKey,
		});
		expect(hostnameOnly).not.toBe(headers.Authorization);
		expect(await send(hostnameOnly)).toMatchObject({ Error: { Code: 'AuthFailure.SignatureFailure' } });
		expect(sim.requests.map((request) => request.headers.host)).toEqual([new URL(sim.url).host, new URL(sim.url).host]);
	});

	test.each([
		['AuthFailure.SecretIdNotFound', { secretId: 'AKIDunknown' }, /SecretId field/],
		['AuthFailure.SignatureFailure', { secretKey: 'wrong-secret-key' }, /SecretKey field/],
		['FailedOperation', { appKey: 'wrong-app-key' }, /AppKey/],
	])('Cloud API error %s fails the node with the code, message, hint and RequestId', async (code, overrides, hint) => {
		const result = await run(tokenNode({ visitorBizId: 'v1' }), { credentials: credentials(overrides) });
		expect(result.run.status).toBe('error');
		const error = result.errorOf('LKE')!;
		expect(error.name).toBe('NodeApiError');
		expect(error.message).toMatch(new RegExp(`^Tencent Cloud API error ${code.replace('.', '\\.')}: `));
		expect(String(error.description)).toMatch(hint);
		expect(String(error.description)).toMatch(/RequestId: [0-9a-f-]{36}/);
		expect(sim.requests).toHaveLength(1);
		expectNoSecrets(result);
		for (const text of [error.message, String(error.description)]) {
			expect(text).not.toContain('wrong-secret-key');
			expect(text).not.toContain('wrong-app-key');
		}
	});

	test('AuthFailure.SignatureExpire (a clock 20 minutes off) asks to check the host clock', async () => {
		const plan = simulatorPlan('v');
		const failure = await callGetWsToken(plan, { nowSeconds: () => Math.floor(Date.now() / 1000) - 1200 }).then(
			() => undefined,
			(error: AgentChatError) => error,
		);
		expect(failure?.code).toBe('AuthFailure.SignatureExpire');
		expect(failure?.message).toMatch(/^Tencent Cloud API error AuthFailure\.SignatureExpire: Signature expired/);
		expect(failure?.description).toMatch(/check the n8n host's clock/);
		// Through the node too (the simulator's error marker)
		const result = await run(tokenNode({ visitorBizId: 'sim-error-AuthFailure.SignatureExpire' }));
		expect(result.errorOf('LKE')?.description).toMatch(/check the n8n host's clock/);
	});

	test('HTTP 503 then success: retried, signed anew', async () => {
		sim.enqueue('cloudApi', {
			status: 503,
			headers: { 'retry-after': '0' },
			steps: [JSON.stringify({ Response: { Error: { Code: 'InternalError', Message: 'busy' }, RequestId: 'x' } })],
		});
		const result = await run(tokenNode({ visitorBizId: 'v503' }));
		expect(result.run.status).toBe('success');
		expect(result.outputOf('LKE')[0].json.Token).toEqual(expect.any(String));
		expect(sim.requests).toHaveLength(2);
		expect(result.logs.some((log) => /retry 1 of item 0 .* after InternalError/.test(log.message))).toBe(true);
	});

	test('RequestLimitExceeded then success: retried; FailedOperation is not retried', async () => {
		sim.enqueue('cloudApi', {
			steps: [JSON.stringify({ Response: { Error: { Code: 'RequestLimitExceeded', Message: 'too fast' }, RequestId: 'x' } })],
		});
		const ok = await run(tokenNode({ visitorBizId: 'vlimit' }));
		expect(ok.run.status).toBe('success');
		expect(sim.requests).toHaveLength(2);

		sim.reset();
		const failed = await run(tokenNode({ visitorBizId: 'sim-error-FailedOperation' }));
		expect(failed.run.status).toBe('error');
		expect(sim.requests).toHaveLength(1);
	});

	test('RequestLimitExceeded every time: gives up after Max Retries', async () => {
		const result = await run(tokenNode({ visitorBizId: 'sim-error-RequestLimitExceeded', options: { maxRetries: 1 } }));
		expect(result.errorOf('LKE')?.message).toMatch(/^Tencent Cloud API error RequestLimitExceeded: /);
		expect(sim.requests).toHaveLength(2);
	});

	test.each([
		['secretId', { secretId: '' }, {}],
		['secretKey', { secretKey: '' }, {}],
		['visitorBizId', {}, { visitorBizId: 'x'.repeat(65) }],
	])('input check for %s fails before any request', async (field, credentialOverrides, parameters) => {
		const result = await run(tokenNode(parameters), { credentials: credentials(credentialOverrides) });
		expect(result.run.status).toBe('error');
		const error = result.errorOf('LKE')!;
		expect(error.name).toBe('NodeOperationError');
		expect(error.message).toContain(`'${field}'`);
		expect(sim.requests).toHaveLength(0);
		expectNoSecrets(result);
	});

	test('Continue On Fail: the failed item is {error, code, ...} with pairedItem; the others go on', async () => {
		const result = await run(tokenNode({ visitorBizId: '={{ $json.user }}' }, { continueOnFail: true }), {
			inputItems: [{ user: 'ok-1' }, { user: 'y'.repeat(70) }, { user: 'sim-error-AuthFailure.SignatureFailure' }, { user: 'ok-2' }],
		});
		expect(result.run.status).toBe('success');
		const items = result.outputOf('LKE');
		expect(items.map((item) => item.pairedItem)).toEqual([{ item: 0 }, { item: 1 }, { item: 2 }, { item: 3 }]);
		expect(items[0].json.Token).toEqual(expect.any(String));
		expect(items[1].json).toMatchObject({ code: 'INVALID_INPUT', error: expect.stringContaining("'visitorBizId'") });
		expect(items[2].json).toMatchObject({
			code: 'AuthFailure.SignatureFailure',
			error: expect.stringMatching(/^Tencent Cloud API error AuthFailure\.SignatureFailure/),
			errorDescription: expect.stringMatching(/SecretKey field/),
		});
		expect(items[3].json.Token).toEqual(expect.any(String));
		expect(sim.requests).toHaveLength(3);
		expectNoSecrets(result);
	});
});

describe('Tencent LKE Get WS Token: every Authorization value sent is masked', () => {
	test('an error page that repeats the Authorization it received: the value is in no error, output or log', async () => {
		// The Authorization carries the time of each attempt, so only a server that echoes it can repeat it.
		const echo = await startEchoServer();
		try {
			const result = await run(tokenNode({ options: { maxRetries: 0 } }), { credentials: credentials({ apiEndpoint: echo.url }) });
			expect(result.errorOf('LKE')?.message).toMatch(/500/);
			expect(echo.requests).toHaveLength(1);
			const sent = String(echo.requests[0].headers.authorization);
			expect(sent).toMatch(/^TC3-HMAC-SHA256 Credential=/);
			expectNoSecrets(result, 'LKE', [sent, sent.slice(sent.indexOf('Signature='))]);
		} finally {
			await echo.close();
		}
	});
});

describe('tencentLkeApi credential test', () => {
	const testFn = new TencentLke().methods.credentialTest.tencentLkeApiTest;
	const call = async (data: IDataObject) =>
		await testFn.call({} as never, { id: '1', name: 'LKE', type: 'tencentLkeApi', data: data as never });

	test('the node declares it for the credential, and the credential has no declarative test', () => {
		expect(new TencentLke().description.credentials).toEqual([{ name: 'tencentLkeApi', required: true, testedBy: 'tencentLkeApiTest' }]);
		expect((new TencentLkeApi() as { test?: unknown }).test).toBeUndefined();
	});

	test('valid keys: OK after a GetWsToken call', async () => {
		await expect(call(credentials())).resolves.toEqual({ status: 'OK', message: expect.stringContaining('accepted') });
		expect(sim.requests).toHaveLength(1);
	});

	test('a wrong SecretKey: Error naming the field, no secret in the message', async () => {
		const result = await call(credentials({ secretKey: 'wrong-secret-key' }));
		expect(result.status).toBe('Error');
		expect(result.message).toMatch(/AuthFailure\.SignatureFailure.*SecretKey field/);
		expect(result.message).not.toContain('wrong-secret-key');
	});

	test('no Cloud API keys: OK with a note, nothing sent', async () => {
		const result = await testTencentLkeCredential(credentials({ secretId: '', secretKey: '' }) as never);
		expect(result).toEqual({ status: 'OK', message: expect.stringMatching(/set SecretId and SecretKey/) });
		expect(sim.requests).toHaveLength(0);
	});

	test.each([[''], ['   '], [undefined]])('an AppKey of %j: Error "The AppKey is empty", nothing sent', async (appKey) => {
		expect(await testTencentLkeCredential(credentials({ appKey }) as never)).toEqual({ status: 'Error', message: 'The AppKey is empty' });
		expect(sim.requests).toHaveLength(0);
	});

	test('keys with spaces around them are used trimmed; the test visitor is n8n-credential-test', async () => {
		const result = await testTencentLkeCredential(
			credentials({ appKey: ` ${SIMULATOR_DEFAULTS.lkeAppKey} `, secretId: `${SIMULATOR_DEFAULTS.secretId} `, secretKey: ` ${SIMULATOR_DEFAULTS.secretKey}` }) as never,
		);
		expect(result).toEqual({ status: 'OK', message: 'The Cloud API keys and the AppKey were accepted (GetWsToken succeeded)' });
		expect(sim.requests).toHaveLength(1);
		expect(JSON.parse(sim.requests[0].body)).toEqual({ Type: 5, BotAppKey: SIMULATOR_DEFAULTS.lkeAppKey, VisitorBizId: 'n8n-credential-test' });
	});

	test('a server error is tried once more, then reported', async () => {
		sim.enqueue('cloudApi', { status: 503, steps: ['busy'] });
		sim.enqueue('cloudApi', { status: 503, steps: ['busy'] });
		sim.enqueue('cloudApi', { status: 503, steps: ['busy'] });
		const result = await testTencentLkeCredential(credentials() as never);
		expect(result.status).toBe('Error');
		expect(result.message).toContain('503');
		expect(sim.requests).toHaveLength(2);
	});

	test('an error page that repeats the Authorization it received: the value is not in the message', async () => {
		// The Authorization carries the time of the request, so only a server that echoes it can repeat it.
		const echo = await startEchoServer();
		try {
			const result = await testTencentLkeCredential(credentials({ apiEndpoint: echo.url }) as never);
			expect(result.status).toBe('Error');
			expect(echo.requests.length).toBeGreaterThan(0);
			for (const request of echo.requests) {
				const sent = String(request.headers.authorization);
				expect(sent).toMatch(/^TC3-HMAC-SHA256 Credential=/);
				expect(result.message).not.toContain(sent);
				expect(result.message).not.toContain(sent.slice(sent.indexOf('Signature=')));
			}
		} finally {
			await echo.close();
		}
	});

	test('only one of the two keys: Error naming the missing one, nothing sent', async () => {
		const result = await testTencentLkeCredential(credentials({ secretKey: '' }) as never);
		expect(result.status).toBe('Error');
		expect(result.message).toContain("'secretKey'");
		expect(sim.requests).toHaveLength(0);
	});
});
