import type { AgentChatError } from '../nodes/shared/errors';
import { thrownBy } from './helpers/failureOf';
import { buildLkeChatRequest, type LkeChatInput } from '../nodes/TencentLke/chatRequest';

let counter = 0;
const context = {
	appKey: 'app-key-secret',
	chatBaseUrl: 'http://127.0.0.1:9/',
	newId: () => `generated-${++counter}`,
	defaultVisitorBizId: 'n8n-wf',
};

function build(input: Partial<LkeChatInput>) {
	return buildLkeChatRequest({ content: 'hello', sessionId: '', visitorBizId: '', options: {}, ...input }, context);
}

function inputFailure(input: Partial<LkeChatInput>): AgentChatError {
	return thrownBy(() => build(input));
}

describe('buildLkeChatRequest', () => {
	it('builds the documented body with generated ids and only the options that were set', () => {
		const request = build({});
		expect(request.url).toBe('http://127.0.0.1:9/v1/qbot/chat/sse');
		expect(request.body).toEqual({
			request_id: request.requestId,
			content: 'hello',
			session_id: request.sessionId,
			bot_app_key: 'app-key-secret',
			visitor_biz_id: 'n8n-wf',
		});
		expect(request.sessionId).toMatch(/^generated-/);
		expect(request.requestId).toMatch(/^generated-/);
		expect(request.sessionId).not.toBe(request.requestId);
	});

	it('sends custom variables as strings, JSON text for anything else', () => {
		const request = build({
			options: {
				customVariables: {
					variables: [
						{ key: 'UserID', value: 10220022 },
						{ key: 'Data', value: { Score: { Math: 98 } } },
						{ key: 'Scope', value: 'user1|user2' },
						{ key: 'Flag', value: true },
					],
				},
			},
		});
		expect(request.body.custom_variables).toEqual({
			UserID: '10220022',
			Data: '{"Score":{"Math":98}}',
			Scope: 'user1|user2',
			Flag: 'true',
		});
	});

	it('passes the optional fields under their API names', () => {
		const request = build({
			options: {
				systemRole: 'You are terse',
				modelName: 'Deepseek/deepseek-r1-0528',
				searchNetwork: 'disable',
				workflowStatus: 'enable',
				stream: 'enable',
				streamingThrottle: 10,
				incremental: true,
				requestId: 'my-request',
				fileInfos: '[{"file_name":"a.pdf","file_size":12,"file_url":"https://x/a.pdf","file_type":"pdf","doc_id":"9"}]',
			},
		});
		expect(request.body).toMatchObject({
			system_role: 'You are terse',
			model_name: 'Deepseek/deepseek-r1-0528',
			search_network: 'disable',
			workflow_status: 'enable',
			stream: 'enable',
			streaming_throttle: 10,
			incremental: true,
			request_id: 'my-request',
			file_infos: [{ file_name: 'a.pdf', file_size: '12', file_url: 'https://x/a.pdf', file_type: 'pdf', doc_id: '9' }],
		});
		expect(request.incremental).toBe(true);
	});

	it('allows empty content when files are given', () => {
		const request = build({
			content: '',
			options: { fileInfos: [{ file_name: 'a', file_size: '1', file_url: 'u', file_type: 'pdf', doc_id: 'd' }] },
		});
		expect(request.body.content).toBe('');
	});

	it.each([
		[{ sessionId: 'a' }, 'sessionId', /2 to 64/],
		[{ sessionId: 'has space' }, 'sessionId', /\^\[a-zA-Z0-9_-\]\{2,64\}\$/],
		[{ sessionId: 'x'.repeat(65) }, 'sessionId', /2 to 64/],
		[{ visitorBizId: 'v'.repeat(65) }, 'visitorBizId', /at most 64/],
		[{ content: '' }, 'content', /must not be empty/],
		[{ content: '   ' }, 'content', /must not be empty/],
		[{ content: { a: 1 } }, 'content', /must be text/],
		[{ options: { fileInfos: '{not json' } }, 'options.fileInfos', /JSON array/],
		[{ options: { fileInfos: [{ file_name: 'a' }] } }, 'options.fileInfos', /lacks file_size, file_url, file_type, doc_id/],
		[{ options: { searchNetwork: 'yes' } }, 'options.searchNetwork', /enable/],
		[{ options: { timeout: 0 } }, 'options.timeout', /whole number from 1/],
		[{ options: { idleTimeout: -5 } }, 'options.idleTimeout', /whole number/],
		[{ options: { maxRetries: 11 } }, 'options.maxRetries', /from 0 to 10/],
		[{ options: { streamingThrottle: 1.5 } }, 'options.streamingThrottle', /whole number/],
		[{ options: { customVariables: { variables: [{ key: '', value: 'x' }] } } }, 'options.customVariables', /needs a name/],
	])('rejects %j naming %s', (input, field, rule) => {
		const failure = inputFailure(input as Partial<LkeChatInput>);
		expect(failure.kind).toBe('input');
		expect(failure.field).toBe(field);
		expect(failure.message).toContain(`'${field}'`);
		expect(failure.message).toMatch(rule);
	});

	it('rejects a malformed chat base URL', () => {
		expect(() =>
			buildLkeChatRequest({ content: 'x', sessionId: '', visitorBizId: '', options: {} }, { ...context, chatBaseUrl: 'wss.lke' }),
		).toThrow(/'chatBaseUrl'.*http/);
	});
});
