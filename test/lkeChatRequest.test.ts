import type { AgentChatError } from '../nodes/shared/errors';
import { thrownBy } from './helpers/failureOf';
import { buildLkeChatRequest, defaultVisitorBizId, type LkeChatInput, type LkeChatOptions } from '../nodes/TencentLke/chatRequest';

let counter = 0;
const context = {
	appKey: 'app-key-secret',
	chatBaseUrl: 'http://127.0.0.1:9/',
	newId: () => `generated-${++counter}`,
	defaultVisitorBizId: 'n8n-wf',
};

/** A file as the real-time document parsing API describes it: all five fields, all text. */
const FILE = { file_name: 'a.pdf', file_size: '12', file_url: 'https://x/a.pdf', file_type: 'pdf', doc_id: '9' };

function build(input: Partial<LkeChatInput>) {
	return buildLkeChatRequest({ content: 'hello', sessionId: '', visitorBizId: '', options: {}, ...input }, context);
}

/** The body of a turn with no option set: the ids it generated, the AppKey, the default visitor and the text. */
function minimalBody(request: { requestId: string; sessionId: string }) {
	return { request_id: request.requestId, content: 'hello', session_id: request.sessionId, bot_app_key: 'app-key-secret', visitor_biz_id: 'n8n-wf' };
}

function inputFailure(input: Partial<LkeChatInput>): AgentChatError {
	return thrownBy(() => build(input));
}

describe('buildLkeChatRequest', () => {
	it('builds the documented body with generated ids and only the options that were set', () => {
		const request = build({});
		expect(request.url).toBe('http://127.0.0.1:9/v1/qbot/chat/sse');
		// Strict: an option that was not set is not in the body at all, not even as an undefined key.
		expect(request.body).toStrictEqual(minimalBody(request));
		expect(request.sessionId).toMatch(/^generated-/);
		expect(request.requestId).toMatch(/^generated-/);
		expect(request.sessionId).not.toBe(request.requestId);
		// The defaults the README gives: Timeout 10 min, Idle Timeout 2 min, Max Retries 2.
		expect(request).toMatchObject({ apiVersion: 'v1', incremental: false, includeDebug: false, timeoutMs: 600_000, idleTimeoutMs: 120_000, maxRetries: 2 });
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
		[{ options: { fileInfos: [{ file_name: 'a' }] } }, 'options.fileInfos', /entry 0 lacks file_size, file_url, file_type, doc_id \(each file needs file_name, file_size, file_url, file_type, doc_id\)$/],
		[{ options: { searchNetwork: 'yes' } }, 'options.searchNetwork', /enable/],
		[{ options: { timeout: 0 } }, 'options.timeout', /whole number from 1/],
		[{ options: { idleTimeout: -5 } }, 'options.idleTimeout', /whole number/],
		[{ options: { maxRetries: 11 } }, 'options.maxRetries', /from 0 to 10/],
		[{ options: { streamingThrottle: 1.5 } }, 'options.streamingThrottle', /whole number/],
		[{ options: { customVariables: { variables: [{ key: '', value: 'x' }] } } }, 'options.customVariables', /needs a name/],
		[{ options: { customVariables: { variables: [{ key: '   ', value: 'x' }] } } }, 'options.customVariables', /every variable needs a name/],
		[{ options: { customVariables: { variables: [{ value: 'x' }] } } }, 'options.customVariables', /every variable needs a name/],
		// Only JSON or an expression can put these in the list: an input error, not a crash.
		[{ options: { customVariables: { variables: [{ key: 'a', value: '1' }, null] } } }, 'options.customVariables', /variable 1 must be a name and value pair$/],
		[{ options: { customVariables: { variables: ['UserID=7'] } } }, 'options.customVariables', /variable 0 must be a name and value pair$/],
		[{ content: ['hello'] }, 'content', /must be text, got a list$/],
		[{ sessionId: { id: 'ab' } }, 'sessionId', /must be text, got object$/],
		[{ visitorBizId: { id: 'user-7' } }, 'visitorBizId', /must be text, got object$/],
		[{ options: { requestId: ['r-1'] } }, 'options.requestId', /must be text, got a list$/],
		[{ options: { systemRole: { role: 'terse' } } }, 'options.systemRole', /must be text, got object$/],
		[{ options: { modelName: ['Deepseek/deepseek-r1-0528'] } }, 'options.modelName', /must be text, got a list$/],
		[{ options: { workflowStatus: 'on' } }, 'options.workflowStatus', /must be one of '' \(application default\), 'enable' or 'disable'$/],
		[{ options: { stream: 'yes' } }, 'options.stream', /must be one of '' \(application default\), 'enable' or 'disable'$/],
		[{ options: { incremental: 'yes' } }, 'options.incremental', /must be true or false$/],
		[{ options: { includeDebug: 1 } }, 'options.includeDebug', /must be true or false$/],
		[{ options: { fileInfos: '{"file_name":"a.pdf"}' } }, 'options.fileInfos', /must be an array of file objects$/],
		[{ options: { fileInfos: [FILE, null] } }, 'options.fileInfos', /entry 1 must be an object$/],
		[{ options: { fileInfos: ['a.pdf'] } }, 'options.fileInfos', /entry 0 must be an object$/],
		[{ options: { fileInfos: [42] } }, 'options.fileInfos', /entry 0 must be an object$/],
		[{ options: { fileInfos: [[FILE]] } }, 'options.fileInfos', /entry 0 must be an object$/],
		// Null and empty text count as missing, like an absent field.
		[{ options: { fileInfos: [{ ...FILE, file_url: null }] } }, 'options.fileInfos', /entry 0 lacks file_url \(/],
		[{ options: { fileInfos: [FILE, { ...FILE, doc_id: '' }] } }, 'options.fileInfos', /entry 1 lacks doc_id \(/],
	])('rejects %j naming %s', (input, field, rule) => {
		const failure = inputFailure(input as Partial<LkeChatInput>);
		expect(failure.kind).toBe('input');
		expect(failure.field).toBe(field);
		expect(failure.message).toContain(`'${field}'`);
		expect(failure.message).toMatch(rule);
	});

	it('needs the AppKey of the credential', () => {
		const failure = thrownBy(() => buildLkeChatRequest({ content: 'x', sessionId: '', visitorBizId: '', options: {} }, { ...context, appKey: '' }));
		expect(failure).toMatchObject({ kind: 'input', field: 'appKey', message: "Invalid parameter 'appKey': the Tencent LKE credential has no AppKey" });
	});

	it('sends a given session ID of 2 to 64 letters, digits, "_" and "-", without surrounding spaces', () => {
		expect(build({ sessionId: 'ab' }).body.session_id).toBe('ab');
		const longest = 'Az09_-'.repeat(10) + 'bY8-';
		expect(longest).toHaveLength(64);
		const request = build({ sessionId: longest });
		expect(request.sessionId).toBe(longest);
		expect(request.body.session_id).toBe(longest);
		expect(build({ sessionId: '  my-session\n' }).body.session_id).toBe('my-session');
	});

	it('sends a given visitor ID of up to 64 characters and a request ID of up to 255, without surrounding spaces', () => {
		expect(build({ visitorBizId: ' user-7 ' }).body.visitor_biz_id).toBe('user-7');
		expect(build({ visitorBizId: 'v'.repeat(64) }).body.visitor_biz_id).toBe('v'.repeat(64));
		expect(build({ options: { requestId: ' my-request ' } }).body.request_id).toBe('my-request');
		expect(build({ options: { requestId: 'r'.repeat(255) } }).requestId).toBe('r'.repeat(255));
	});

	it('rejects a request ID of 256 characters, naming the field and the limit', () => {
		const failure = inputFailure({ options: { requestId: 'r'.repeat(256) } });
		expect(failure).toMatchObject({ kind: 'input', field: 'options.requestId', message: "Invalid parameter 'options.requestId': must be at most 255 characters" });
	});

	it.each([
		[42, '42'],
		[true, 'true'],
		[false, 'false'],
	])('sends the content %j as the text %j', (content, text) => {
		expect(build({ content }).body.content).toBe(text);
	});

	it('sends a numeric visitor ID as text', () => {
		expect(build({ visitorBizId: 1001 }).body.visitor_biz_id).toBe('1001');
	});

	it('treats parameters that are null like empty ones: new ids, the default visitor, no files, no variables', () => {
		const request = build({
			sessionId: null,
			visitorBizId: null,
			options: { requestId: null, fileInfos: null, customVariables: null } as unknown as LkeChatOptions,
		});
		expect(request.body).toStrictEqual(minimalBody(request));
		expect(request.sessionId).toMatch(/^generated-/);
		expect(request.requestId).toMatch(/^generated-/);
	});

	// The node's File Infos default is the text '[]'.
	it.each([[''], ['[]'], [[]]])('sends no file_infos for File Infos %j', (fileInfos) => {
		expect(build({ options: { fileInfos } }).body).not.toHaveProperty('file_infos');
	});

	it('takes Custom Variables given as one object of names and values', () => {
		const request = build({ options: { customVariables: { UserID: 7, Scope: 'user1|user2' } } });
		expect(request.body.custom_variables).toEqual({ UserID: '7', Scope: 'user1|user2' });
	});

	it('sends a variable without a value as empty text', () => {
		const request = build({ options: { customVariables: { variables: [{ key: 'Empty' }, { key: 'Zero', value: 0 }] } } });
		expect(request.body.custom_variables).toEqual({ Empty: '', Zero: '0' });
	});

	// "variables" is the collection's own key (its list of entries), never the name of a variable.
	it.each([[{}], [{ variables: [] }], [{ variables: {} }]])('sends no custom_variables for the empty collection %j', (customVariables) => {
		expect(build({ options: { customVariables } }).body).not.toHaveProperty('custom_variables');
	});

	it('rejects a malformed chat base URL', () => {
		expect(() =>
			buildLkeChatRequest({ content: 'x', sessionId: '', visitorBizId: '', options: {} }, { ...context, chatBaseUrl: 'wss.lke' }),
		).toThrow(/'chatBaseUrl'.*http/);
	});
});

describe('defaultVisitorBizId', () => {
	it('is "n8n-" and the workflow ID, or "n8n-workflow" when the workflow has none', () => {
		expect(defaultVisitorBizId('wf42')).toBe('n8n-wf42');
		expect(defaultVisitorBizId(undefined)).toBe('n8n-workflow');
		expect(defaultVisitorBizId('')).toBe('n8n-workflow');
	});

	it('is cut to the 64 characters a visitor ID may have', () => {
		expect(defaultVisitorBizId('w'.repeat(100))).toBe('n8n-' + 'w'.repeat(60));
	});
});
