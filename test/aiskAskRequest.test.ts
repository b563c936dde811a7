import { AgentChatError } from '../nodes/shared/errors';
import { buildAiskAskRequest, initCall, promptSessionKey, promptTokenCall, streamCall, type AiskAskParameters } from '../nodes/Aisk/askRequest';

const CHATBOT = '3f2c1d7e-8a4b-4c6d-9e0f-1a2b3c4d5e6f';
const credentials = { apiToken: 'api-t0ken', orgId: 'org-7', baseUrl: 'https://api.example.com/' };

function build(parameters: Partial<AiskAskParameters> = {}, creds: Record<string, unknown> = credentials) {
	return buildAiskAskRequest({ chatbotId: CHATBOT, question: 'What is AiSK?', conversationId: '', ...parameters }, creds as never, () => 'new-conversation-1');
}

function inputFailure(parameters: Partial<AiskAskParameters>, creds?: Record<string, unknown>): AgentChatError {
	try {
		build(parameters, creds);
	} catch (error) {
		expect(error).toBeInstanceOf(AgentChatError);
		expect((error as AgentChatError).kind).toBe('input');
		return error as AgentChatError;
	}
	throw new Error('expected an input error');
}

describe('buildAiskAskRequest', () => {
	test('defaults: a new conversation, the chatbot\'s own knowledge bases, citation mode all', () => {
		expect(build()).toEqual({
			baseUrl: 'https://api.example.com',
			apiToken: 'api-t0ken',
			orgId: 'org-7',
			chatbotId: CHATBOT,
			question: 'What is AiSK?',
			conversationId: 'new-conversation-1',
			knowledgeBaseIds: undefined,
			language: undefined,
			citationMode: 'all',
			userId: undefined,
			timeoutMs: 300000,
			idleTimeoutMs: 120000,
			maxRetries: 2,
		});
	});

	test('given values are kept; knowledge base IDs split on commas and newlines, blanks and repeats dropped', () => {
		const request = build({
			conversationId: ' conv-42 ',
			options: { knowledgeBaseIds: 'kb-1, kb-2\nkb-1,,', language: 'zh-TW', citationMode: 'restricted', userId: 'user-9', timeout: 1000, idleTimeout: '500', maxRetries: 0 },
		});
		expect(request).toMatchObject({
			conversationId: 'conv-42',
			knowledgeBaseIds: ['kb-1', 'kb-2'],
			language: 'zh-TW',
			citationMode: 'restricted',
			userId: 'user-9',
			timeoutMs: 1000,
			idleTimeoutMs: 500,
			maxRetries: 0,
		});
		expect(build({ options: { knowledgeBaseIds: ['kb-a', ' kb-b '] } }).knowledgeBaseIds).toEqual(['kb-a', 'kb-b']);
		expect(build({ options: { knowledgeBaseIds: ' , ' } }).knowledgeBaseIds).toBeUndefined();
	});

	test.each<[string, Partial<AiskAskParameters>, string]>([
		['chatbotId', { chatbotId: 'not-a-uuid' }, "Invalid parameter 'chatbotId': must be a UUID"],
		['chatbotId', { chatbotId: '' }, "Invalid parameter 'chatbotId': must be a UUID"],
		['question', { question: '   ' }, "Invalid parameter 'question': must be a non-empty text"],
		['question', { question: undefined }, "Invalid parameter 'question': must be a non-empty text"],
		['question', { question: 'x'.repeat(32001) }, "Invalid parameter 'question': must be at most 32000 characters"],
		['conversationId', { conversationId: 'has space' }, "Invalid parameter 'conversationId': must be a text without spaces"],
		['options.knowledgeBaseIds', { options: { knowledgeBaseIds: 'kb 1' } }, "Invalid parameter 'options.knowledgeBaseIds': each ID must be a text without spaces"],
		['options.knowledgeBaseIds', { options: { knowledgeBaseIds: 42 } }, "Invalid parameter 'options.knowledgeBaseIds': must be knowledge base IDs separated by commas"],
		['options.language', { options: { language: 'english please' } }, "Invalid parameter 'options.language': must be a language tag"],
		['options.citationMode', { options: { citationMode: 'some' } }, "Invalid parameter 'options.citationMode': must be all or restricted"],
		['options.userId', { options: { userId: 'u1' } }, "Invalid parameter 'options.userId': is used only with Citation Mode restricted"],
		['options.timeout', { options: { timeout: 0 } }, "Invalid parameter 'options.timeout': must be a whole number"],
		['options.idleTimeout', { options: { idleTimeout: 1.5 } }, "Invalid parameter 'options.idleTimeout': must be a whole number"],
		['options.maxRetries', { options: { maxRetries: 11 } }, "Invalid parameter 'options.maxRetries': must be a whole number from 0 to 10"],
	])('%s: an input error naming the field and the rule', (field, parameters, message) => {
		const failure = inputFailure(parameters);
		expect(failure.field).toBe(field);
		expect(failure.message.startsWith(message)).toBe(true);
	});

	test('a credential without an API token or with a bad base URL fails before any request', () => {
		expect(inputFailure({}, { apiToken: ' ' }).field).toBe('apiToken');
		expect(inputFailure({}, { apiToken: 't', baseUrl: 'ftp://x' }).field).toBe('baseUrl');
	});
});

describe('the three calls', () => {
	test('the prompt token: CHATBOT_ID source under the API token, the citation setting, the org header', () => {
		const call = promptTokenCall(build({ options: { citationMode: 'restricted', userId: 'user-9' } }));
		expect(call).toEqual({
			url: 'https://api.example.com/bv/aisk/v1/prompts/tokens',
			method: 'POST',
			headers: { authorization: 'Bearer api-t0ken', 'content-type': 'application/json', accept: 'application/json', 'x-bv-org-id': 'org-7' },
			body: JSON.stringify({
				source: { type: 'PROMPT_TOKEN_SOURCE_TYPE_CHATBOT_ID', chatbot_id: CHATBOT },
				setting: { citation: { mode: 'PROMPT_CITATION_MODE_RESTRICTED', user_id: 'user-9' } },
			}),
		});
		expect(JSON.parse(promptTokenCall(build()).body!).setting).toEqual({ citation: { mode: 'PROMPT_CITATION_MODE_ALL' } });
		expect(promptTokenCall(build({}, { apiToken: 'x' })).headers['x-bv-org-id']).toBeUndefined();
	});

	test('init and stream carry the prompt token, never the API token', () => {
		const request = build({ conversationId: 'conv-1', options: { language: 'ja' } });
		expect(initCall(request, 'prompt-tok')).toEqual({
			url: 'https://api.example.com/bv/aisk/v1/prompts:init',
			method: 'GET',
			headers: { authorization: 'Bearer prompt-tok', accept: 'application/json' },
		});
		const stream = streamCall(request, 'prompt-tok', ['kb-1']);
		expect(stream.url).toBe('https://api.example.com/bv/aisk-stream/v1/prompts');
		expect(stream.headers.authorization).toBe('Bearer prompt-tok');
		expect(JSON.parse(stream.body!)).toEqual({ question: 'What is AiSK?', kb_ids: ['kb-1'], parent_ids: [], metadata: { conversation_id: 'conv-1', language: 'ja' } });
		expect(JSON.stringify(stream)).not.toContain('api-t0ken');
	});

	test('the session key separates chatbots and citation settings, not questions or conversations', () => {
		const base = promptSessionKey(build());
		expect(promptSessionKey(build({ question: 'other', conversationId: 'c2' }))).toBe(base);
		expect(promptSessionKey(build({ chatbotId: CHATBOT.toUpperCase() }))).toBe(base);
		expect(promptSessionKey(build({ chatbotId: '00000000-0000-4000-8000-000000000001' }))).not.toBe(base);
		expect(promptSessionKey(build({ options: { citationMode: 'restricted' } }))).not.toBe(base);
		expect(promptSessionKey(build({ options: { citationMode: 'restricted', userId: 'a' } }))).not.toBe(promptSessionKey(build({ options: { citationMode: 'restricted', userId: 'b' } })));
	});
});

describe('buildAiskAskRequest: the limits, at and just past each one (the node\'s own limits, written out here)', () => {
	test('a question of 32000 characters is sent; 32001 fails, naming the length', () => {
		expect(build({ question: 'q'.repeat(32000) }).question).toHaveLength(32000);
		expect(inputFailure({ question: 'q'.repeat(32001) }).message).toContain("'question': must be at most 32000 characters (got 32001)");
	});

	test('a Conversation ID of 256 characters is kept; 257, a space or a control character fails', () => {
		expect(build({ conversationId: 'c'.repeat(256) }).conversationId).toBe('c'.repeat(256));
		for (const conversationId of ['c'.repeat(257), 'two words', 'tab\there']) {
			expect(inputFailure({ conversationId }).message).toContain("'conversationId': must be a text without spaces of at most 256 characters");
		}
		// A number is read as its digits.
		expect(build({ conversationId: 12345 as never }).conversationId).toBe('12345');
	});

	test('a User ID of 256 characters is sent (restricted citations); 257 fails', () => {
		expect(build({ options: { citationMode: 'restricted', userId: 'u'.repeat(256) } }).userId).toBe('u'.repeat(256));
		expect(inputFailure({ options: { citationMode: 'restricted', userId: 'u'.repeat(257) } }).message).toContain("'options.userId': must be at most 256 characters");
	});

	test('knowledge bases: up to 100 distinct IDs, blanks and repeats dropped', () => {
		const hundred = Array.from({ length: 100 }, (_, index) => `kb-${index}`);
		expect(build({ options: { knowledgeBaseIds: hundred.join(',') } }).knowledgeBaseIds).toEqual(hundred);
		expect(inputFailure({ options: { knowledgeBaseIds: [...hundred, 'kb-100'].join('\n') } }).message).toContain("'options.knowledgeBaseIds': at most 100 IDs (got 101)");
		expect(build({ options: { knowledgeBaseIds: 'a, ,a,b' } }).knowledgeBaseIds).toEqual(['a', 'b']);
		expect(build({ options: { knowledgeBaseIds: ['a', ' b '] } }).knowledgeBaseIds).toEqual(['a', 'b']);
		for (const none of ['', null, ' , ']) expect(build({ options: { knowledgeBaseIds: none as never } }).knowledgeBaseIds).toBeUndefined();
		expect(inputFailure({ options: { knowledgeBaseIds: [1] as never } }).message).toContain('(got 1)');
		expect(inputFailure({ options: { knowledgeBaseIds: `x${'k'.repeat(256)}` } }).message).toContain('at most 256 characters');
		expect(inputFailure({ options: { knowledgeBaseIds: { id: 'a' } as never } }).message).toContain(
			`'options.knowledgeBaseIds': must be knowledge base IDs separated by commas (got {"id":"a"})`,
		);
	});

	test('what a bad value was is quoted, cut to 80 characters', () => {
		expect(inputFailure({ question: 42 as never }).message).toContain('(got 42)');
		expect(inputFailure({ question: undefined as never }).message).toContain('(got null)');
		expect(inputFailure({ options: { language: `x${'y'.repeat(99)}` } }).message).toContain(`(got "x${'y'.repeat(79)}")`);
	});

	test('citation mode: empty means all; no API token fails naming the field', () => {
		expect(build({ options: { citationMode: '' as never } }).citationMode).toBe('all');
		expect(inputFailure({}, { apiToken: '  ' }).message).toContain("'apiToken': the AiSK credential has no API token");
	});

	test('the prompt-token session key: base URL, organization, chatbot (any case), citation mode and user', () => {
		expect(promptSessionKey(build({ chatbotId: CHATBOT.toUpperCase() }))).toBe(JSON.stringify(['https://api.example.com', 'org-7', CHATBOT, 'all', '']));
		expect(promptSessionKey(build({}, { apiToken: 't' }))).toBe(JSON.stringify(['https://api.one.blendvision.com', '', CHATBOT, 'all', '']));
		expect(promptSessionKey(build({ options: { citationMode: 'restricted', userId: 'u1' } }))).toBe(
			JSON.stringify(['https://api.example.com', 'org-7', CHATBOT, 'restricted', 'u1']),
		);
	});

	test('the streamed question asks for SSE or JSON', () => {
		expect(streamCall(build(), 'prompt-tok', []).headers).toEqual({
			authorization: 'Bearer prompt-tok',
			'content-type': 'application/json',
			accept: 'text/event-stream, application/json',
		});
	});
});
