/**
 * Hardening, part 2 (run from hardening.test.ts): bad input. Every parameter rule of every node, and malformed values
 * in each credential, fail the item with a NodeOperationError that names the field and the rule,
 * and send NO request (checked on the simulator and on the echo server). Table-driven, through real
 * n8n-core executions. Figures: build/reliability/hardening.json.
 */
import type { ICredentialDataDecryptedObject, IDataObject } from 'n8n-workflow';
import type { Hardening } from '../helpers/hardening';
import type { NodeKind } from '../../testkit/profiles';
import { lkeAnswerFor, requestField } from '../../testkit/simulator';

interface BadInput {
	node: NodeKind;
	/** The field the error must name, as in `Invalid parameter '<field>'`. */
	field: string;
	/** A few words of the rule the message must state. */
	rule: RegExp;
	label: string;
	parameters?: IDataObject;
	credentials?: ICredentialDataDecryptedObject;
	inputItems?: IDataObject[];
}

const rows: BadInput[] = [];
const add = (node: NodeKind, field: string, rule: RegExp, label: string, change: Omit<BadInput, 'node' | 'field' | 'rule' | 'label'>) =>
	rows.push({ node, field, rule, label, ...change });

const SESSION_RULE = /2 to 64 characters of letters, digits, "_" or "-"/;
const WHOLE = (min: number, max: number) => new RegExp(`must be a whole number from ${min} to ${max}`);
const DAY_MS = 24 * 3_600_000;
const HOUR_MS = 3_600_000;

/* ---- Tencent LKE chat, ADP v2 (the default) ------------------------- */
/** ADP v2's rule for ConversationId and RequestId: ^[a-zA-Z0-9_-]{32,64}$. */
const V2_ID_RULE = /must be 32 to 64 letters, digits, "_" or "-"/;
for (const [label, sessionId] of [
	['31 characters', 's'.repeat(31)],
	['65 characters', 's'.repeat(65)],
	['a v1-style short id', 'session-1'],
	['a space', `${'a'.repeat(20)} ${'b'.repeat(20)}`],
	['Chinese', '会话编号'.repeat(10)],
	['a dot', `${'a'.repeat(20)}.${'b'.repeat(20)}`],
] as const) {
	add('lke-chat-v2', 'sessionId', V2_ID_RULE, `session id with ${label}`, { parameters: { sessionId } });
}
add('lke-chat-v2', 'options.requestId', V2_ID_RULE, 'request id of 31 characters', { parameters: { options: { requestId: 'r'.repeat(31) } } });
add('lke-chat-v2', 'options.requestId', V2_ID_RULE, 'request id of 65 characters', { parameters: { options: { requestId: 'r'.repeat(65) } } });
add('lke-chat-v2', 'options.imageUrls', /entry 0 must be an http:\/\/ or https:\/\/ URL/, 'image URL with ftp://', { parameters: { options: { imageUrls: 'ftp://example.com/a.png' } } });
add('lke-chat-v2', 'options.imageUrls', /entry 1 must be an http:\/\/ or https:\/\/ URL/, 'second image URL not a URL', { parameters: { options: { imageUrls: 'https://example.com/a.png, not a url' } } });
add('lke-chat-v2', 'content', /must not be empty unless File Infos or Image URLs are given/, 'empty content without files or images', { inputItems: [{ chatInput: '' }] });
add('lke-chat-v2', 'visitorBizId', /at most 64 characters \(got 65\)/, 'visitor id of 65 characters', { parameters: { visitorBizId: 'v'.repeat(65) } });
add('lke-chat-v2', 'options.enableMultiIntent', /must be true or false/, 'enable multi-intent "yes"', { parameters: { options: { enableMultiIntent: 'yes' } } });
add('lke-chat-v2', 'options.generateAgain', /must be true or false/, 'generate again "no"', { parameters: { options: { generateAgain: 'no' } } });
add('lke-chat-v2', 'options.fileInfos', /must be a JSON array of file objects/, 'file infos that are not JSON', { parameters: { options: { fileInfos: '[{file_name:' } } });

/* ---- Tencent LKE chat, LKE v1 --------------------------------------- */
for (const [label, sessionId] of [
	['one character', 'a'],
	['65 characters', 's'.repeat(65)],
	['a space', 'has space'],
	['Chinese', '会话编号'],
	['a semicolon', 'abc;def'],
	['a slash', 'abc/def'],
] as const) {
	add('lke-chat', 'sessionId', SESSION_RULE, `session id with ${label}`, { parameters: { sessionId } });
}
add('lke-chat', 'visitorBizId', /at most 64 characters \(got 65\)/, 'visitor id of 65 characters', { parameters: { visitorBizId: 'v'.repeat(65) } });
add('lke-chat', 'options.customVariables', /every variable needs a name/, 'custom variable without a name', {
	parameters: { options: { customVariables: { variables: [{ key: 'UserID', value: '1' }, { key: '', value: 'x' }] } } },
});
add('lke-chat', 'options.customVariables', /every variable needs a name/, 'custom variable named only by spaces', {
	parameters: { options: { customVariables: { variables: [{ key: '   ', value: 'x' }] } } },
});
add('lke-chat', 'options.fileInfos', /must be a JSON array of file objects/, 'file infos that are not JSON', { parameters: { options: { fileInfos: '[{file_name:' } } });
add('lke-chat', 'options.fileInfos', /must be an array of file objects/, 'file infos as one object', { parameters: { options: { fileInfos: '{"file_name":"a.pdf"}' } } });
add('lke-chat', 'options.fileInfos', /entry 0 must be an object/, 'file infos with a number', { parameters: { options: { fileInfos: '[1]' } } });
add('lke-chat', 'options.fileInfos', /entry 0 lacks file_size, file_url, file_type, doc_id/, 'file infos missing fields', {
	parameters: { options: { fileInfos: '[{"file_name":"a.pdf"}]' } },
});
add('lke-chat', 'content', /must not be empty unless File Infos are given/, 'empty content without files', { inputItems: [{ chatInput: '' }] });
add('lke-chat', 'content', /must not be empty unless File Infos are given/, 'blank content without files', { inputItems: [{ chatInput: ' \n\t ' }] });
add('lke-chat', 'content', /must not be empty/, 'no chatInput field at all', { inputItems: [{ question: 'wrong field' }] });
add('lke-chat', 'content', /must be text, got object/, 'content that is an object', { inputItems: [{ chatInput: { text: 'hi' } }] });
add('lke-chat', 'options.requestId', /at most 255 characters/, 'request id of 256 characters', { parameters: { options: { requestId: 'r'.repeat(256) } } });
add('lke-chat', 'options.searchNetwork', /must be one of '' \(application default\), 'enable' or 'disable'/, 'search network "maybe"', { parameters: { options: { searchNetwork: 'maybe' } } });
add('lke-chat', 'options.stream', /must be one of/, 'stream "yes"', { parameters: { options: { stream: 'yes' } } });
add('lke-chat', 'options.workflowStatus', /must be one of/, 'workflow status "on"', { parameters: { options: { workflowStatus: 'on' } } });
add('lke-chat', 'options.incremental', /must be true or false/, 'incremental "yes"', { parameters: { options: { incremental: 'yes' } } });
add('lke-chat', 'options.systemRole', /must be text, got object/, 'system role that is an object', { parameters: { options: { systemRole: '={{ { role: "x" } }}' } } });
for (const [option, min, max] of [
	['timeout', 1, DAY_MS],
	['idleTimeout', 1, DAY_MS],
	['maxRetries', 0, 10],
	['concurrency', 1, 100],
	['streamingThrottle', 0, 10_000],
] as const) {
	for (const value of [min - 1, max + 1, 1.5, 'abc']) {
		add('lke-chat', `options.${option}`, WHOLE(min, max), `${option} ${JSON.stringify(value)}`, { parameters: { options: { [option]: value } } });
	}
}

/* ---- Tencent LKE credential (chat and Get WS Token) ---------------- */
for (const kind of ['lke-chat', 'lke-ws-token'] as const) {
	for (const [label, chatBaseUrl] of [
		['not a URL', 'not a url'],
		['ftp://', 'ftp://lke.example.com'],
		['empty', ''],
	] as const) {
		if (kind === 'lke-chat') add(kind, 'chatBaseUrl', /must be an http:\/\/ or https:\/\/ URL/, `chat base URL ${label}`, { credentials: { chatBaseUrl } });
	}
	if (kind === 'lke-chat') {
		add(kind, 'chatBaseUrl', /must not contain a query string or fragment/, 'chat base URL with a query', { credentials: { chatBaseUrl: 'https://lke.example.com/?x=1' } });
		add(kind, 'chatBaseUrl', /must not contain a query string or fragment/, 'chat base URL with a fragment', { credentials: { chatBaseUrl: 'https://lke.example.com/#top' } });
	}
	add(kind, 'apiEndpoint', /must be an http:\/\/ or https:\/\/ URL/, 'API endpoint not a URL', { credentials: { apiEndpoint: 'lke.example.com' } });
	add(kind, 'apiEndpoint', /must be an http:\/\/ or https:\/\/ URL/, 'API endpoint ws://', { credentials: { apiEndpoint: 'ws://lke.example.com/' } });
	add(kind, 'region', /is required when the site is custom/, 'custom site without a region', { credentials: { region: ' ' } });
	add(kind, 'site', /must be international, china or custom/, 'unknown site', { credentials: { site: 'mars' } });
	add(kind, 'appKey', /has no AppKey/, 'empty AppKey', { credentials: { appKey: '' } });
}

/* ---- Get WS Token ---------------------------------------------------- */
add('lke-ws-token', 'visitorBizId', /at most 64 characters \(got 65\)/, 'visitor id of 65 characters', { parameters: { visitorBizId: 'v'.repeat(65) } });
add('lke-ws-token', 'secretId', /has no SecretId/, 'no SecretId', { credentials: { secretId: '' } });
add('lke-ws-token', 'secretKey', /has no SecretKey/, 'no SecretKey', { credentials: { secretKey: '  ' } });
// Get WS Token has no Concurrency option (one call per item, one at a time)
for (const [option, min, max] of [
	['timeout', 1, HOUR_MS],
	['maxRetries', 0, 10],
] as const) {
	for (const value of [min - 1, max + 1, 2.5]) {
		add('lke-ws-token', `options.${option}`, WHOLE(min, max), `${option} ${JSON.stringify(value)}`, { parameters: { options: { [option]: value } } });
	}
}

/* ---- AiSK -------------------------------------------------------------- */
for (const [label, chatbotId] of [
	['not a UUID', 'not-a-uuid'],
	['blank', '   '],
	['without dashes', '3f2c1d7e8a4b4c6d9e0f1a2b3c4d5e6f'],
	['with a path after it', '3f2c1d7e-8a4b-4c6d-9e0f-1a2b3c4d5e6f/../../admin'],
	['one digit short', '3f2c1d7e-8a4b-4c6d-9e0f-1a2b3c4d5e6'],
	['with non-hex letters', 'zf2c1d7e-8a4b-4c6d-9e0f-1a2b3c4d5e6f'],
] as const) {
	add('aisk', 'chatbotId', /must be a UUID like 123e4567-e89b-12d3-a456-426614174000/, `chatbot id ${label}`, { parameters: { chatbotId } });
}
add('aisk', 'apiToken', /has no API token/, 'empty API token', { credentials: { apiToken: ' ' } });
for (const [label, baseUrl] of [
	['not a URL', 'api.one.blendvision.com'],
	['file://', 'file:///etc/passwd'],
	['with a query', 'https://api.example.com?x=1'],
] as const) {
	add('aisk', 'baseUrl', /must (be an http:\/\/ or https:\/\/ URL|not contain a query string or fragment)/, `base URL ${label}`, { credentials: { baseUrl } });
}
for (const [option, min, max] of [
	['timeout', 1, HOUR_MS],
	['maxRetries', 0, 10],
	['concurrency', 1, 100],
] as const) {
	for (const value of [min - 1, max + 1, 0.5]) {
		add('aisk', `options.${option}`, WHOLE(min, max), `${option} ${JSON.stringify(value)}`, { parameters: { options: { [option]: value } } });
	}
}

/* ---- AiSK Ask ------------------------------------------------------------ */
add('aisk-ask', 'chatbotId', /must be a UUID like 123e4567-e89b-12d3-a456-426614174000/, 'chatbot id not a UUID', { parameters: { chatbotId: 'my-bot' } });
add('aisk-ask', 'question', /must be a non-empty text/, 'empty question', { inputItems: [{ chatInput: '' }] });
add('aisk-ask', 'question', /must be a non-empty text/, 'blank question', { inputItems: [{ chatInput: ' \n ' }] });
add('aisk-ask', 'question', /must be a non-empty text/, 'no chatInput field at all', { inputItems: [{ text: 'wrong field' }] });
add('aisk-ask', 'question', /must be at most 32000 characters \(got 32001\)/, 'question of 32001 characters', { inputItems: [{ chatInput: 'q'.repeat(32_001) }] });
add('aisk-ask', 'conversationId', /without spaces of at most 256 characters/, 'conversation id with a space', { parameters: { conversationId: 'two words' } });
add('aisk-ask', 'conversationId', /without spaces of at most 256 characters/, 'conversation id of 257 characters', { parameters: { conversationId: 'c'.repeat(257) } });
add('aisk-ask', 'options.language', /must be a language tag such as en, zh-TW or ja/, 'language "English!"', { parameters: { options: { language: 'English!' } } });
add('aisk-ask', 'options.citationMode', /must be all or restricted/, 'citation mode "some"', { parameters: { options: { citationMode: 'some' } } });
add('aisk-ask', 'options.userId', /is used only with Citation Mode restricted/, 'user id with citation mode all', { parameters: { options: { userId: 'user-1' } } });
add('aisk-ask', 'options.knowledgeBaseIds', /each ID must be a text without spaces/, 'knowledge base id with a space', { parameters: { options: { knowledgeBaseIds: 'kb 1, kb-2' } } });
add('aisk-ask', 'apiToken', /has no API token/, 'empty API token', { credentials: { apiToken: '' } });
add('aisk-ask', 'baseUrl', /must be an http:\/\/ or https:\/\/ URL/, 'base URL not a URL', { credentials: { baseUrl: 'api.one.blendvision.com' } });
for (const [option, min, max] of [
	['timeout', 1, DAY_MS],
	['idleTimeout', 1, DAY_MS],
	['maxRetries', 0, 10],
	['concurrency', 1, 100],
] as const) {
	for (const value of [min - 1, max + 1, 2.5]) {
		add('aisk-ask', `options.${option}`, WHOLE(min, max), `${option} ${JSON.stringify(value)}`, { parameters: { options: { [option]: value } } });
	}
}

/* ---- tate-a-tate --------------------------------------------------------- */
add('tate-sync', 'botId', /is required/, 'empty bot id', { parameters: { botId: '  ' } });
add('tate-sync', 'msg', /must not be empty/, 'empty message', { inputItems: [{ chatInput: '' }] });
add('tate-sync', 'msg', /must not be empty/, 'blank message', { inputItems: [{ chatInput: '   ' }] });
add('tate-sync', 'userAction', /must be new, edit or retry/, 'user action "sideways"', { parameters: { userAction: 'sideways' } });
add('tate-sync', 'reqModel', /must be sync or stream/, 'request mode "batch"', { parameters: { reqModel: 'batch' } });
for (const [label, parentMsgId] of [
	['letters', 'abc'],
	['negative', '-1'],
	['decimal', '1.5'],
	['65 digits', '1'.repeat(65)],
] as const) {
	add('tate-sync', 'parentMsgId', /must be a message ID made of digits/, `parent message id ${label}`, { parameters: { parentMsgId } });
}
add('tate-sync', 'parentMsgId', /must not be 0 when User Action is edit/, 'edit with parent message id 0', { parameters: { userAction: 'edit', parentMsgId: '0' } });
add('tate-sync', 'parentMsgId', /must not be 0 when User Action is retry/, 'retry with parent message id 000', { parameters: { userAction: 'retry', parentMsgId: '000' } });
add('tate-sync', 'conversationId', /at most 256 characters/, 'conversation id of 257 characters', { parameters: { conversationId: 'c'.repeat(257) } });
add('tate-sync', 'secretKey', /has no Secret Key/, 'empty secret key', { credentials: { secretKey: '' } });
for (const [label, baseUrl] of [
	['not a URL', 'chat.tate-a-tate.com/im'],
	['ftp://', 'ftp://chat.example.com/im'],
	['with a fragment', 'https://chat.example.com/im#x'],
] as const) {
	add('tate-sync', 'baseUrl', /must (be an http:\/\/ or https:\/\/ URL|not contain a query string or fragment)/, `base URL ${label}`, { credentials: { baseUrl } });
}
for (const [option, min, max] of [
	['timeout', 1, DAY_MS],
	['maxRetries', 0, 10],
	['concurrency', 1, 100],
] as const) {
	for (const value of [min - 1, max + 1, 'ten']) {
		add('tate-sync', `options.${option}`, WHOLE(min, max), `${option} ${JSON.stringify(value)}`, { parameters: { options: { [option]: value } } });
	}
}

export function badInputSuite(h: Hardening): void {
	describe('bad input fails before any request, naming the field', () => {
		it.each(rows.map((row) => [`${row.node}: ${row.label} → '${row.field}'`, row] as const))('%s', async (_name, row) => {
			const outcome = await h.runCase({ kind: row.node, parameters: row.parameters, credentials: row.credentials, inputItems: row.inputItems });
			expect(outcome.error?.name).toBe('NodeOperationError');
			const message = String(outcome.error?.message);
			expect(message.startsWith(`Invalid parameter '${row.field}': `)).toBe(true);
			expect(message).toMatch(row.rule);
			expect(h.sim.requests).toHaveLength(0);
			expect(h.echo.requests).toHaveLength(0);
			h.record({ group: 'bad-input', node: row.node, case: row.label, expected: `'${row.field}'`, outcome: `'${/'([^']+)'/.exec(message)?.[1]}'`, elapsedMs: outcome.elapsedMs });
		});
	});

	describe('with Continue On Fail a bad item fails alone, the others are answered', () => {
		it('LKE chat: items with a bad session id, empty content and bad file infos among good ones', async () => {
			const outcome = await h.runCase({
				kind: 'lke-chat',
				continueOnFail: true,
				parameters: { sessionId: '={{ $json.session }}', options: { fileInfos: '={{ $json.files }}' } },
				inputItems: [
					{ chatInput: 'first', session: 'good-session_1', files: '' },
					{ chatInput: 'second', session: 'bad session!', files: '' },
					{ chatInput: '', session: 'good-session_3', files: '' },
					{ chatInput: 'fourth', session: 'good-session_4', files: '[{"file_name":"x"}]' },
					{ chatInput: '', session: 'good-session_5', files: JSON.stringify([{ file_name: 'a.pdf', file_size: '10', file_url: 'https://example.com/a.pdf', file_type: 'pdf', doc_id: '42' }]) },
				],
			});
			const items = outcome.items;
			expect(items.map((item) => item.pairedItem)).toEqual([0, 1, 2, 3, 4].map((item) => ({ item })));
			expect(items[0].json.reply).toBe(lkeAnswerFor('first'));
			expect(items[1].json).toMatchObject({ code: 'INVALID_INPUT', error: expect.stringMatching(/^Invalid parameter 'sessionId'/) });
			expect(items[2].json).toMatchObject({ code: 'INVALID_INPUT', error: expect.stringMatching(/^Invalid parameter 'content'/) });
			expect(items[3].json).toMatchObject({ code: 'INVALID_INPUT', error: expect.stringMatching(/^Invalid parameter 'options.fileInfos'/) });
			// empty content with files is allowed
			expect(items[4].json.reply).toBe(lkeAnswerFor(''));
			expect(h.sim.requests.map((request) => requestField(request, 'session_id'))).toEqual(['good-session_1', 'good-session_5']);
			expect(requestField(h.sim.requests[1], 'file_infos')).toEqual([{ file_name: 'a.pdf', file_size: '10', file_url: 'https://example.com/a.pdf', file_type: 'pdf', doc_id: '42' }]);
			h.record({ group: 'bad-input', node: 'lke-chat', case: '5 items, 3 bad, Continue On Fail', expected: '2 answered, 3 INVALID_INPUT', outcome: '2 answered, 3 INVALID_INPUT', elapsedMs: outcome.elapsedMs });
		});

		it('tate-a-tate and AiSK: a bad item among good ones', async () => {
			const tate = await h.runCase({
				kind: 'tate-sync',
				continueOnFail: true,
				parameters: { userAction: '={{ $json.action }}' },
				inputItems: [
					{ chatInput: 'one', action: 'new' },
					{ chatInput: 'two', action: 'undo' },
					{ chatInput: 'three', action: 'new' },
				],
			});
			expect(tate.items.map((item) => item.json.code ?? 'ok')).toEqual(['ok', 'INVALID_INPUT', 'ok']);
			expect(h.sim.requests).toHaveLength(2);
			const aisk = await h.runCase({
				kind: 'aisk',
				continueOnFail: true,
				parameters: { chatbotId: '={{ $json.id }}' },
				inputItems: [{ id: '3f2c1d7e-8a4b-4c6d-9e0f-1a2b3c4d5e6f' }, { id: 'nope' }],
			});
			expect(aisk.items.map((item) => item.json.code ?? 'ok')).toEqual(['ok', 'INVALID_INPUT']);
			expect(h.sim.requests).toHaveLength(1);
		});
	});

	it('covers every node and every numeric option', () => {
		const fields = new Set(rows.map((row) => `${row.node}:${row.field}`));
		for (const option of ['timeout', 'idleTimeout', 'maxRetries', 'concurrency', 'streamingThrottle']) expect(fields.has(`lke-chat:options.${option}`)).toBe(true);
		for (const option of ['timeout', 'idleTimeout', 'maxRetries', 'concurrency']) expect(fields.has(`aisk-ask:options.${option}`)).toBe(true);
		for (const node of ['lke-ws-token', 'aisk', 'tate-sync']) {
			for (const option of ['timeout', 'maxRetries', ...(node === 'lke-ws-token' ? [] : ['concurrency'])]) expect(fields.has(`${node}:options.${option}`)).toBe(true);
		}
		for (const field of ['sessionId', 'options.requestId', 'options.imageUrls', 'content']) expect(fields.has(`lke-chat-v2:${field}`)).toBe(true);
		for (const field of ['lke-chat:chatBaseUrl', 'lke-ws-token:apiEndpoint', 'aisk:baseUrl', 'aisk-ask:baseUrl', 'tate-sync:baseUrl']) expect(fields.has(field)).toBe(true);
	});
}
