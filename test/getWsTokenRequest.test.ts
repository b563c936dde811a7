/**
 * The GetWsToken plan (pure, nothing sent): which input it accepts and what it makes of it. The body
 * follows docs/vendors/tencent-lke.md, section 5.1 (Type 5, BotAppKey, VisitorBizId of at most 64
 * characters); the defaults are the operation's (Timeout 30 s, Max Retries 2). The signed request
 * itself is checked in lkeCloudApi.test.ts and tc3Sdk.test.ts.
 */
import { planGetWsToken, type GetWsTokenInput } from '../nodes/TencentLke/getWsTokenRequest';
import type { AgentChatError } from '../nodes/shared/errors';
import { thrownAgentChatError } from './helpers/failureOf';
import { getWsTokenInput } from './helpers/getWsTokenInput';


function plan(overrides: Partial<GetWsTokenInput>) {
	return planGetWsToken(getWsTokenInput(overrides));
}

function inputFailure(overrides: Partial<GetWsTokenInput>): AgentChatError {
	return thrownAgentChatError(() => plan(overrides));
}

describe('planGetWsToken', () => {
	it('plans the documented call: Type 5, the AppKey and the visitor in the body; Timeout 30 s and Max Retries 2 by default', () => {
		expect(plan({})).toEqual({
			url: 'https://lke.intl.tencentcloudapi.com',
			host: 'lke.intl.tencentcloudapi.com',
			region: 'ap-jakarta',
			secretId: 'AKIDexample',
			secretKey: 'example-secret',
			body: '{"Type":5,"BotAppKey":"example-app-key","VisitorBizId":"visitor-1"}',
			timeoutMs: 30_000,
			maxRetries: 2,
		});
	});

	it('takes the endpoint, the region, the keys and the visitor without surrounding spaces', () => {
		const trimmed = plan({
			secretId: ' AKIDexample ',
			secretKey: '\texample-secret\n',
			appKey: ' example-app-key ',
			visitorBizId: '  visitor-7 ',
			apiEndpoint: ' https://lke.intl.tencentcloudapi.com ',
			region: ' ap-jakarta ',
		});
		expect(trimmed).toMatchObject({
			url: 'https://lke.intl.tencentcloudapi.com',
			region: 'ap-jakarta',
			secretId: 'AKIDexample',
			secretKey: 'example-secret',
			body: '{"Type":5,"BotAppKey":"example-app-key","VisitorBizId":"visitor-7"}',
		});
	});

	it.each([[undefined], [null], [''], ['   ']])('asks for the default visitor when the Visitor ID is %j', (visitorBizId) => {
		expect(plan({ visitorBizId }).body).toBe('{"Type":5,"BotAppKey":"example-app-key","VisitorBizId":"n8n-wf"}');
	});

	it('sends a numeric Visitor ID as text', () => {
		expect(plan({ visitorBizId: 1001 }).body).toBe('{"Type":5,"BotAppKey":"example-app-key","VisitorBizId":"1001"}');
	});

	it('accepts a Visitor ID of 64 characters and rejects one of 65, saying how long it was', () => {
		expect(plan({ visitorBizId: 'v'.repeat(64) }).body).toBe(`{"Type":5,"BotAppKey":"example-app-key","VisitorBizId":"${'v'.repeat(64)}"}`);
		expect(inputFailure({ visitorBizId: 'v'.repeat(65) })).toMatchObject({
			kind: 'input',
			field: 'visitorBizId',
			message: "Invalid parameter 'visitorBizId': must be at most 64 characters (got 65)",
		});
	});

	it.each([[{ id: 'visitor-1' }], [['visitor-1']], [true]])('rejects the Visitor ID %j: it must be text', (visitorBizId) => {
		expect(inputFailure({ visitorBizId })).toMatchObject({ kind: 'input', field: 'visitorBizId', message: "Invalid parameter 'visitorBizId': must be text" });
	});

	// Get WS Token is the one operation that needs the Cloud API keys; the messages say so.
	it.each([
		[{ secretId: '' }, 'secretId', 'the Tencent LKE credential has no SecretId; Get WS Token needs the Cloud API keys (SecretId and SecretKey)'],
		[{ secretId: null }, 'secretId', 'the Tencent LKE credential has no SecretId; Get WS Token needs the Cloud API keys (SecretId and SecretKey)'],
		[{ secretKey: '  ' }, 'secretKey', 'the Tencent LKE credential has no SecretKey; Get WS Token needs the Cloud API keys (SecretId and SecretKey)'],
		[{ appKey: '' }, 'appKey', 'the Tencent LKE credential has no AppKey'],
		[{ region: '' }, 'region', 'is required for Cloud API requests'],
		[{ region: '   ' }, 'region', 'is required for Cloud API requests'],
	])('rejects %j naming %s: %s', (overrides, field, rule) => {
		expect(inputFailure(overrides)).toMatchObject({ kind: 'input', field, message: `Invalid parameter '${field}': ${rule}` });
	});

	it('rejects an endpoint that is not an http(s) URL, naming apiEndpoint', () => {
		expect(inputFailure({ apiEndpoint: 'lke.intl.tencentcloudapi.com' })).toMatchObject({
			kind: 'input',
			field: 'apiEndpoint',
			message: 'Invalid parameter \'apiEndpoint\': must be an http:// or https:// URL (got "lke.intl.tencentcloudapi.com")',
		});
	});

	it('takes Timeout and Max Retries from the options, within 1 ms to 1 hour and 0 to 10', () => {
		expect(plan({ options: { timeout: 3_600_000, maxRetries: 0 } })).toMatchObject({ timeoutMs: 3_600_000, maxRetries: 0 });
		expect(inputFailure({ options: { timeout: 0 } })).toMatchObject({
			field: 'options.timeout',
			message: "Invalid parameter 'options.timeout': must be a whole number from 1 to 3600000 (got 0)",
		});
		expect(inputFailure({ options: { maxRetries: 11 } })).toMatchObject({
			field: 'options.maxRetries',
			message: "Invalid parameter 'options.maxRetries': must be a whole number from 0 to 10 (got 11)",
		});
	});
});
