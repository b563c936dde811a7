import type { AgentChatError } from '../nodes/shared/errors';
import { thrownBy } from './helpers/failureOf';
import type { LkeChatInput } from '../nodes/TencentLke/chatRequest';
import { buildAdpV2ChatRequest } from '../nodes/TencentLke/chatRequestV2';

const UUID = '0f8c1c2e-6a55-4e0e-9f51-3b1f9d7c2a10';
const context = {
	appKey: 'app-key-secret',
	chatBaseUrl: 'https://proxy.example.com/lke/',
	newId: () => UUID,
	defaultVisitorBizId: 'n8n-workflow-42',
};

function build(input: Partial<LkeChatInput>) {
	return buildAdpV2ChatRequest({ content: 'hello', sessionId: '', visitorBizId: '', options: {}, ...input }, context);
}

function inputFailure(input: Partial<LkeChatInput>): AgentChatError {
	return thrownBy(() => build(input));
}

describe('buildAdpV2ChatRequest', () => {
	it('builds the documented body: new ids, VisitorId and UserId from the default, one text item', () => {
		const request = build({});
		expect(request).toMatchObject({
			apiVersion: 'v2',
			url: 'https://proxy.example.com/lke/adp/v2/chat',
			sessionId: UUID,
			requestId: UUID,
			incremental: false,
			includeDebug: false,
			maxRetries: 2,
		});
		expect(request.body).toEqual({
			RequestId: UUID,
			ConversationId: UUID,
			AppKey: 'app-key-secret',
			VisitorId: 'n8n-workflow-42',
			UserId: 'n8n-workflow-42',
			Contents: [{ Type: 'text', Text: 'hello' }],
		});
	});

	it('sends every option under its v2 name', () => {
		const sessionId = 'S'.repeat(64);
		const request = build({
			sessionId,
			visitorBizId: 'user-7',
			options: {
				requestId: 'r'.repeat(32),
				customVariables: { variables: [{ key: 'n', value: 5 }, { key: 'o', value: { a: 1 } }, { key: 's', value: 'x|y' }] },
				systemRole: 'Be brief',
				modelName: ' TCADP/glm-5 ',
				searchNetwork: 'enable',
				workflowStatus: 'disable',
				stream: 'enable',
				streamingThrottle: 20,
				incremental: true,
				enableMultiIntent: true,
				generateAgain: true,
				includeDebug: true,
				fileInfos: [{ file_name: 'a.pdf', file_size: 10, file_url: 'https://e.com/a.pdf', file_type: 'pdf', doc_id: 'd', create_time: '1700000000000' }],
				imageUrls: ['https://e.com/1.png', ' https://e.com/2.png '],
			},
		});
		expect(request.body).toEqual({
			RequestId: 'r'.repeat(32),
			ConversationId: sessionId,
			AppKey: 'app-key-secret',
			VisitorId: 'user-7',
			UserId: 'user-7',
			Contents: [
				{ Type: 'text', Text: 'hello' },
				{ Type: 'custom_variables', CustomVariables: { n: '5', o: '{"a":1}', s: 'x|y' } },
				{ Type: 'file', File: { FileName: 'a.pdf', FileSize: '10', FileUrl: 'https://e.com/a.pdf', FileType: 'pdf', DocId: 'd', CreateTime: 1700000000000 } },
				{ Type: 'image', Image: { Url: 'https://e.com/1.png' } },
				{ Type: 'image', Image: { Url: 'https://e.com/2.png' } },
			],
			SystemRole: 'Be brief',
			ModelName: 'TCADP/glm-5',
			SearchNetwork: 'enable',
			WorkflowStatus: 'disable',
			Stream: 'enable',
			StreamingThrottle: 20,
			Incremental: true,
			EnableMultiIntent: true,
			GenerateAgain: true,
		});
		expect(request).toMatchObject({ incremental: true, includeDebug: true });
	});

	it('accepts File Infos under v2 names and image URLs as one text', () => {
		const request = build({
			content: '',
			options: { fileInfos: '[{"FileName":"b.docx","FileUrl":"https://e.com/b","FileType":"docx"}]', imageUrls: 'https://e.com/1.png,\nhttps://e.com/2.png' },
		});
		expect(request.body.Contents).toEqual([
			{ Type: 'text', Text: '' },
			{ Type: 'file', File: { FileName: 'b.docx', FileUrl: 'https://e.com/b', FileType: 'docx' } },
			{ Type: 'image', Image: { Url: 'https://e.com/1.png' } },
			{ Type: 'image', Image: { Url: 'https://e.com/2.png' } },
		]);
	});

	it.each([
		[{ sessionId: 'short-session' }, 'sessionId', /32 to 64.*\^\[a-zA-Z0-9_-\]\{32,64\}\$/],
		[{ sessionId: `${'a'.repeat(31)}!` }, 'sessionId', /32 to 64/],
		[{ sessionId: 'a'.repeat(65) }, 'sessionId', /32 to 64/],
		[{ options: { requestId: 'req-1' } }, 'options.requestId', /32 to 64/],
		[{ content: '   ' }, 'content', /must not be empty unless File Infos or Image URLs/],
		[{ visitorBizId: 'v'.repeat(65) }, 'visitorBizId', /at most 64/],
		[{ options: { imageUrls: 'ftp://e.com/x.png' } }, 'options.imageUrls', /http/],
		[{ options: { fileInfos: [{ file_name: 'a' }] } }, 'options.fileInfos', /file_url, file_type/],
		[{ options: { enableMultiIntent: 'yes' as unknown as boolean } }, 'options.enableMultiIntent', /true or false/],
		[{ options: { searchNetwork: 'on' } }, 'options.searchNetwork', /enable/],
		[{ options: { streamingThrottle: -1 } }, 'options.streamingThrottle', /whole number/],
	])('rejects %j naming %s and the rule, before sending', (input, field, rule) => {
		const failure = inputFailure(input as Partial<LkeChatInput>);
		expect(failure.kind).toBe('input');
		expect(failure.field).toBe(field);
		expect(failure.message).toMatch(rule);
	});

	it('accepts the boundaries: ids of 32 and 64 characters', () => {
		expect(build({ sessionId: 'a'.repeat(32) }).sessionId).toBe('a'.repeat(32));
		expect(build({ sessionId: 'b_-'.repeat(21) + 'c' }).sessionId).toHaveLength(64);
	});

	it('needs an AppKey and a base URL', () => {
		expect(() => buildAdpV2ChatRequest({ content: 'x', sessionId: '', visitorBizId: '', options: {} }, { ...context, appKey: '' })).toThrow(/'appKey'/);
		expect(() => buildAdpV2ChatRequest({ content: 'x', sessionId: '', visitorBizId: '', options: {} }, { ...context, chatBaseUrl: 'nope' })).toThrow(/'chatBaseUrl'/);
	});
});
