import type { AgentChatError } from '../nodes/shared/errors';
import { thrownBy } from './helpers/failureOf';
import type { LkeChatInput, LkeChatOptions } from '../nodes/TencentLke/chatRequest';
import { buildAdpV2ChatRequest } from '../nodes/TencentLke/chatRequestV2';

const UUID = '0f8c1c2e-6a55-4e0e-9f51-3b1f9d7c2a10';
/** The body of a turn with no option set: the generated ids, the AppKey, the default visitor and the text. */
const MINIMAL_BODY = {
	RequestId: UUID,
	ConversationId: UUID,
	AppKey: 'app-key-secret',
	VisitorId: 'n8n-workflow-42',
	UserId: 'n8n-workflow-42',
	Contents: [{ Type: 'text', Text: 'hello' }],
};
const context = {
	appKey: 'app-key-secret',
	chatBaseUrl: 'https://proxy.example.com/lke/',
	newId: () => UUID,
	defaultVisitorBizId: 'n8n-workflow-42',
};

/** A file with the three fields v2 requires, under v1's names as the option documents them. */
const FILE = { file_name: 'a.pdf', file_url: 'https://e.com/a.pdf', file_type: 'pdf' };

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
		// Strict: an option that was not set is not in the body at all, not even as an undefined key.
		expect(request.body).toStrictEqual(MINIMAL_BODY);
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
		[{ content: { text: 'hello' } }, 'content', /must be text, got object$/],
		[{ options: { generateAgain: 'yes' as unknown as boolean } }, 'options.generateAgain', /must be true or false$/],
		// Null and empty text count as missing, under either name.
		[{ options: { fileInfos: [{ FileName: 'a.pdf', file_url: null, FileType: 'pdf' }] } }, 'options.fileInfos', /entry 0 lacks file_url \(each file needs file_name, file_url and file_type\)$/],
		[{ options: { fileInfos: [{ file_name: 'a.pdf', file_url: 'https://e.com/a.pdf', file_type: '' }] } }, 'options.fileInfos', /entry 0 lacks file_type \(/],
		[{ options: { fileInfos: [FILE, { ...FILE, create_time: 'yesterday' }] } }, 'options.fileInfos', /entry 1: create_time must be a number of milliseconds$/],
		[{ options: { fileInfos: [{ ...FILE, create_time: true }] } }, 'options.fileInfos', /entry 0: create_time must be a number of milliseconds$/],
		[{ options: { imageUrls: 42 } }, 'options.imageUrls', /must be a list of URLs or a text of URLs separated by commas or new lines$/],
		[{ options: { imageUrls: ['https://e.com/1.png', 'ftp://e.com/2.png'] } }, 'options.imageUrls', /entry 1 must be an http:\/\/ or https:\/\/ URL \(got "ftp:\/\/e.com\/2.png"\)$/],
		// Only a URL that starts with the scheme and has no spaces; a space in a URL must be encoded.
		[{ options: { imageUrls: 'blob:https://e.com/1.png' } }, 'options.imageUrls', /entry 0 must be an http:\/\/ or https:\/\/ URL \(got "blob:https:\/\/e.com\/1.png"\)$/],
		[{ options: { imageUrls: ['https://e.com/my photo.png'] } }, 'options.imageUrls', /entry 0 must be an http:\/\/ or https:\/\/ URL \(got "https:\/\/e.com\/my photo.png"\)$/],
		[{ options: { imageUrls: [['https://e.com/1.png']] } }, 'options.imageUrls', /entry 0 must be an http:\/\/ or https:\/\/ URL \(got \["https:\/\/e.com\/1.png"\]\)$/],
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
		expect(() => buildAdpV2ChatRequest({ content: 'x', sessionId: '', visitorBizId: '', options: {} }, { ...context, appKey: '' })).toThrow(
			"Invalid parameter 'appKey': the Tencent LKE credential has no AppKey",
		);
		expect(() => buildAdpV2ChatRequest({ content: 'x', sessionId: '', visitorBizId: '', options: {} }, { ...context, chatBaseUrl: 'nope' })).toThrow(/'chatBaseUrl'/);
	});

	it('sends given ids without surrounding spaces', () => {
		const sessionId = '3c1d5e7f-0a2b-4c6d-8e9f-112233445566';
		const requestId = 'r'.repeat(40);
		const request = build({ sessionId: ` ${sessionId}\n`, options: { requestId: `\t${requestId} ` } });
		expect(request.body).toMatchObject({ ConversationId: sessionId, RequestId: requestId });
	});

	it('allows empty content with only files, or with only images', () => {
		expect(build({ content: '', options: { fileInfos: [FILE] } }).body.Contents).toEqual([
			{ Type: 'text', Text: '' },
			{ Type: 'file', File: { FileName: 'a.pdf', FileUrl: 'https://e.com/a.pdf', FileType: 'pdf' } },
		]);
		expect(build({ content: '', options: { imageUrls: 'https://e.com/1.png' } }).body.Contents).toEqual([
			{ Type: 'text', Text: '' },
			{ Type: 'image', Image: { Url: 'https://e.com/1.png' } },
		]);
	});

	it('leaves out optional file fields that are null or empty, and a create_time that is null, empty or blank', () => {
		const request = build({
			options: {
				fileInfos: [
					{ ...FILE, file_size: null, doc_id: '', create_time: null },
					{ FileName: 'b.docx', FileUrl: 'https://e.com/b', FileType: 'docx', FileSize: '', DocId: null, CreateTime: '' },
					// Blank text is no time either, not the time 0.
					{ FileName: 'c.txt', FileUrl: 'https://e.com/c', FileType: 'txt', CreateTime: '   ' },
				],
			},
		});
		expect(request.body.Contents).toEqual([
			{ Type: 'text', Text: 'hello' },
			{ Type: 'file', File: { FileName: 'a.pdf', FileUrl: 'https://e.com/a.pdf', FileType: 'pdf' } },
			{ Type: 'file', File: { FileName: 'b.docx', FileUrl: 'https://e.com/b', FileType: 'docx' } },
			{ Type: 'file', File: { FileName: 'c.txt', FileUrl: 'https://e.com/c', FileType: 'txt' } },
		]);
	});

	it('takes http:// image URLs too, and skips blank entries and separators at either end', () => {
		const expected = [
			{ Type: 'text', Text: 'hello' },
			{ Type: 'image', Image: { Url: 'http://e.com/1.png' } },
			{ Type: 'image', Image: { Url: 'https://e.com/2.png' } },
		];
		expect(build({ options: { imageUrls: '\nhttp://e.com/1.png, https://e.com/2.png,\n' } }).body.Contents).toEqual(expected);
		expect(build({ options: { imageUrls: ['', 'http://e.com/1.png', '  ', 'https://e.com/2.png'] } }).body.Contents).toEqual(expected);
	});

	it('treats options that are null like empty ones: new ids, no files, no images, no variables', () => {
		const request = build({
			sessionId: null,
			options: { requestId: null, fileInfos: null, imageUrls: null, customVariables: null } as unknown as LkeChatOptions,
		});
		expect(request.body).toStrictEqual(MINIMAL_BODY);
	});
});
