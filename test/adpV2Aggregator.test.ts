import { thrownBy } from './helpers/failureOf';
import { AdpV2TurnAggregator } from '../nodes/TencentLke/chatAggregatorV2';
import { parseAdpV2Event, type AdpV2Event } from '../nodes/TencentLke/stream/adpV2Event';

/** Events written out by hand after the v2 dialog document's examples. */

const requested = { sessionId: 'conv-0123456789abcdef0123456789abcdef', requestId: 'req-0123456789abcdef0123456789abcdef' };

const ack: AdpV2Event = { Type: 'request_ack', RequestAck: { RecordId: 'user-rec', ConversationId: requested.sessionId, Status: 'success' } };
const created: AdpV2Event = {
	Type: 'response.created',
	Response: { RecordId: 'bot-rec', RelatedRecordId: 'user-rec', ConversationId: requested.sessionId, Status: 'processing', ExtraInfo: { TraceId: 'abc123 / bot-rec', ReplyMethod: 0 } },
};
const added = (messageId: string, type: string, extra: Record<string, unknown> = {}): AdpV2Event => ({
	Type: 'message.added',
	Message: { MessageId: messageId, Type: type, Name: `${type}-name`, Title: `${type} title`, Status: 'processing', ExtraInfo: { Elapsed: '12' }, ...extra },
});
const content = (messageId: string, text = '', contentIndex = 0, type = 'text'): AdpV2Event => ({ Type: 'content.added', MessageId: messageId, ContentIndex: contentIndex, Content: { Type: type, Text: text } });
const delta = (messageId: string, text: string, contentIndex = 0): AdpV2Event => ({ Type: 'text.delta', MessageId: messageId, ContentIndex: contentIndex, Text: text });
const replace = (messageId: string, text: string, contentIndex = 0): AdpV2Event => ({ Type: 'text.replace', MessageId: messageId, ContentIndex: contentIndex, Text: text });
const done = (messageId: string, type: string, texts: string[], extra: Record<string, unknown> = {}): AdpV2Event => ({
	Type: 'message.done',
	MessageId: messageId,
	Message: { MessageId: messageId, Type: type, Status: 'success', Contents: texts.map((text) => ({ Type: 'text', Text: text })), ...extra },
});
const completed = (messages: unknown[], extra: Record<string, unknown> = {}): AdpV2Event => ({
	Type: 'response.completed',
	Response: {
		RecordId: 'bot-rec',
		RelatedRecordId: 'user-rec',
		ConversationId: requested.sessionId,
		Status: 'success',
		Messages: messages,
		ExtraInfo: { TraceId: 'abc123 / bot-rec', ReplyMethod: 1 },
		...extra,
	},
});

function fold(events: AdpV2Event[], includeDebug = false, live?: boolean) {
	const aggregator = new AdpV2TurnAggregator({ ...requested, includeDebug, live });
	const deltas: string[] = [];
	for (const event of events) deltas.push(aggregator.accept(event));
	return { aggregator, deltas, result: aggregator.result() };
}

describe('AdpV2TurnAggregator', () => {
	it('a plain cumulative answer: text.replace, message.done, response.completed, [DONE]', () => {
		const { aggregator, deltas, result } = fold([
			ack,
			created,
			added('r1', 'reply'),
			content('r1'),
			replace('r1', '你好'),
			replace('r1', '你好，世界'),
			replace('r1', '你好，世界！'),
			done('r1', 'reply', ['你好，世界！']),
			completed([{ MessageId: 'r1', Type: 'reply', Contents: [{ Type: 'text', Text: '你好，世界！' }] }]),
			{ Type: 'done' },
		]);
		expect(result).toMatchObject({
			reply: '你好，世界！',
			sessionId: requested.sessionId,
			requestId: requested.requestId,
			recordId: 'bot-rec',
			relatedRecordId: 'user-rec',
			traceId: 'abc123',
			isFinal: true,
			isEvil: false,
			replyMethod: 1,
			tokenStats: null,
		});
		expect(aggregator.ended).toBe(true);
		expect(deltas.join('')).toBe('你好，世界！');
	});

	it('the final text comes from response.completed, then message.done, then the streamed slots', () => {
		const base = [ack, created, added('r1', 'reply'), content('r1'), replace('r1', 'streamed')];
		expect(fold([...base, done('r1', 'reply', ['from done'])]).result.reply).toBe('from done');
		expect(fold([...base, done('r1', 'reply', ['from done']), completed([{ MessageId: 'r1', Type: 'reply', Contents: [{ Type: 'text', Text: 'from completed' }] }])]).result.reply).toBe('from completed');
		expect(fold(base).result).toMatchObject({ reply: 'streamed', isFinal: false });
	});

	it('content.added may already hold text; text.delta appends to it', () => {
		const { result, deltas } = fold([added('r1', 'reply'), content('r1', 'Hel'), delta('r1', 'lo '), delta('r1', 'there'), done('r1', 'reply', ['Hello there'])]);
		expect(result.reply).toBe('Hello there');
		expect(deltas.join('')).toBe('Hello there');
	});

	it('text.replace overwrites a slot in incremental mode too, and the revised draft is never sent live', () => {
		const { result, deltas } = fold([
			added('r1', 'reply'),
			content('r1'),
			delta('r1', 'The answer '),
			delta('r1', 'is 41'),
			replace('r1', 'The answer '),
			delta('r1', 'is 42.'),
			done('r1', 'reply', ['The answer is 42.']),
		]);
		expect(result.reply).toBe('The answer is 42.');
		expect(deltas.join('')).toBe('The answer is 42.');
	});

	it('a revision of text already sent live stops the live text; the item has the final text', () => {
		const { result, deltas } = fold([
			added('r1', 'reply'),
			content('r1'),
			delta('r1', 'first draft'),
			delta('r1', ' continues'),
			replace('r1', 'A new beginning'),
			delta('r1', ' and more'),
			done('r1', 'reply', ['A new beginning and more']),
		]);
		expect(result.reply).toBe('A new beginning and more');
		expect(deltas.join('')).toBe('first draft');
	});

	it('with nobody taking the text live (live: false) nothing is sent, and the item is the same', () => {
		const events = [
			ack,
			created,
			added('t1', 'thought'),
			content('t1'),
			delta('t1', 'Let me think'),
			done('t1', 'thought', ['Let me think.']),
			added('r1', 'reply'),
			content('r1', 'The '),
			replace('r1', 'The answer'),
			delta('r1', ' is 42.'),
			done('r1', 'reply', ['The answer is 42.']),
			added('r2', 'reply'),
			content('r2'),
			delta('r2', 'Bye.'),
			completed([
				{ MessageId: 'r1', Type: 'reply', Contents: [{ Type: 'text', Text: 'The answer is 42.' }] },
				{ MessageId: 'r2', Type: 'reply', Contents: [{ Type: 'text', Text: 'Bye.' }] },
			]),
		];
		const quiet = fold(events, false, false);
		expect(quiet.deltas.every((sent) => sent === '')).toBe(true);
		expect(quiet.aggregator.hasContent).toBe(true);
		expect(quiet.result).toMatchObject({
			reply: 'The answer is 42.\n\nBye.',
			recordId: 'bot-rec',
			isFinal: true,
			thoughts: [{ name: 'thought-name', title: 'thought title', status: 'success', content: 'Let me think.', elapsed: 12 }],
		});
		const live = fold(events);
		expect(live.deltas.join('')).toBe('The answer is 42.\n\nBye.');
		expect(quiet.result).toEqual(live.result);
	});

	it('only reply messages make the answer; thoughts and tool calls are listed, their text never sent live', () => {
		const { result, deltas } = fold([
			added('t1', 'thought'),
			content('t1'),
			delta('t1', 'Let me think'),
			added('c1', 'tool_call', { Name: 'search', Title: 'Searching' }),
			content('c1', '{"q":"x"}', 0, 'json_text'),
			done('t1', 'thought', ['Let me think.']),
			added('r1', 'reply'),
			content('r1'),
			delta('r1', 'Answer.'),
			done('c1', 'tool_call', [], { Contents: [{ Type: 'json_text', Text: '{"q":"x"}' }] }),
			done('r1', 'reply', ['Answer.']),
		]);
		expect(result.reply).toBe('Answer.');
		expect(deltas.join('')).toBe('Answer.');
		expect(result.thoughts).toEqual([{ name: 'thought-name', title: 'thought title', status: 'success', content: 'Let me think.', elapsed: 12 }]);
		expect(result.toolCalls).toEqual([{ name: 'search', title: 'Searching', status: 'success', content: '{"q":"x"}' }]);
	});

	it('several reply messages: their texts in order, joined by a blank line, live too', () => {
		const { result, deltas } = fold([
			added('r1', 'reply'),
			content('r1'),
			replace('r1', 'First'),
			replace('r1', 'First answer'),
			done('r1', 'reply', ['First answer']),
			added('r2', 'reply'),
			content('r2'),
			replace('r2', 'Second'),
			replace('r2', 'Second answer'),
			done('r2', 'reply', ['Second answer']),
		]);
		expect(result.reply).toBe('First answer\n\nSecond answer');
		expect(deltas.join('')).toBe('First answer\n\nSecond answer');
	});

	it('a reply message with two text contents: joined by a line break, live too; other content types are skipped', () => {
		const { result, deltas } = fold([
			added('r1', 'reply'),
			content('r1', 'Part'),
			replace('r1', 'Part one'),
			content('r1', '', 1, 'widget'),
			content('r1', 'Part', 2),
			delta('r1', ' two', 2),
			done('r1', 'reply', [], { Contents: [{ Type: 'text', Text: 'Part one' }, { Type: 'widget', Widget: {} }, { Type: 'text', Text: 'Part two' }] }),
		]);
		expect(result.reply).toBe('Part one\nPart two');
		expect(deltas.join('')).toBe('Part one\nPart two');
	});

	it('references (de-duplicated, from reference.added and the final Contents) and quote infos', () => {
		const docRef = { Index: 1, Type: 2, Name: 'Doc', DocRefer: { ReferenceId: 'ref-1', DocId: '10', DocName: 'd.pdf', KnowledgeId: 'kb', Url: 'https://example.com/d' } };
		const webRef = { Index: 2, Type: 4, Name: 'Web', WebSearchRefer: { Url: 'https://example.com/w' } };
		const legacyQa = { Index: 3, Type: 1, Name: 'QA', QaRefer: { ReferBizId: 'ref-3', QaBizId: '33', KnowledgeBizId: 'kb2' } };
		const { result } = fold([
			added('r1', 'reply'),
			content('r1'),
			replace('r1', 'Text with notes'),
			{ Type: 'reference.added', MessageId: 'r1', ContentIndex: 0, Reference: docRef },
			{ Type: 'quote_info.added', MessageId: 'r1', ContentIndex: 0, QuoteInfo: { Position: 4, Index: 1 } },
			{ Type: 'reference.added', MessageId: 'r1', ContentIndex: 0, Reference: webRef },
			{ Type: 'reference.added', MessageId: 'r1', ContentIndex: 0, Reference: docRef },
			done('r1', 'reply', [], { Contents: [{ Type: 'text', Text: 'Text with notes', References: [legacyQa], QuoteInfos: [{ Position: 4, Index: 1 }, { Position: 15, Index: 2 }] }] }),
		]);
		expect(result.references).toEqual([
			{ index: 1, id: 'ref-1', type: 2, name: 'Doc', url: 'https://example.com/d', docId: '10', docName: 'd.pdf', knowledgeId: 'kb' },
			{ index: 2, type: 4, name: 'Web', url: 'https://example.com/w' },
			{ index: 3, id: 'ref-3', type: 1, name: 'QA', qaId: '33', knowledgeId: 'kb2' },
		]);
		expect(result.quoteInfos).toEqual([
			{ index: 1, position: 4 },
			{ index: 2, position: 15 },
		]);
	});

	it('quote positions of a second reply count from the start of the whole reply', () => {
		const { result } = fold([
			added('r1', 'reply'),
			done('r1', 'reply', ['abc']),
			added('r2', 'reply'),
			{ Type: 'quote_info.added', MessageId: 'r2', ContentIndex: 0, QuoteInfo: { Position: 2, Index: 7 } },
			done('r2', 'reply', ['de']),
		]);
		expect(result.reply).toBe('abc\n\nde');
		expect(result.quoteInfos).toEqual([{ index: 7, position: 7 }]);
	});

	it('token statistics as numbers where the API sends strings (TotalCost is model time in ms)', () => {
		const { result } = fold([
			added('r1', 'reply'),
			done('r1', 'reply', ['x']),
			completed([{ MessageId: 'r1', Type: 'reply', Contents: [{ Type: 'text', Text: 'x' }] }], {
				StatInfo: { InputTokens: '100', OutputTokens: 20, TotalTokens: '120', TotalCost: '2574' },
				Procedures: [
					{ Name: 'thinking_model', Title: 'Think', Status: 'success', StatInfos: [{ InputTokens: '60', OutputTokens: '5', TotalTokens: '65', ModelName: 'm1' }] },
					{ Name: 'large_language_model', Title: 'Reply', Status: 'success', StatInfos: [{ InputTokens: 40, OutputTokens: 15, TotalTokens: 55, ModelName: 'm2' }] },
					{ Name: 'tool_call', Title: 'Tool', Status: 'success' },
				],
			}),
		]);
		expect(result.tokenStats).toEqual({
			inputTokens: 100,
			outputTokens: 20,
			totalTokens: 120,
			modelTimeMs: 2574,
			procedures: [
				{ name: 'thinking_model', title: 'Think', status: 'success', inputTokens: 60, outputTokens: 5, totalTokens: 65, modelName: 'm1' },
				{ name: 'large_language_model', title: 'Reply', status: 'success', inputTokens: 40, outputTokens: 15, totalTokens: 55, modelName: 'm2' },
				{ name: 'tool_call', title: 'Tool', status: 'success', inputTokens: null, outputTokens: null, totalTokens: null, modelName: '' },
			],
		});
	});

	it('an error event before any text: the code and meaning, retryable for busy codes, nothing kept', () => {
		const aggregator = new AdpV2TurnAggregator(requested);
		const error = thrownBy(() => aggregator.accept({ Type: 'error', Error: { Code: 460011, Message: '并发超限', TraceId: 't' } }));
		expect(error.message).toBe('Tencent LKE error 460011: Exceed the concurrency limit');
		expect(error.retryable).toBe(true);
		expect(error.description).toContain('并发超限');
		expect(aggregator.hasContent).toBe(false);
		expect(thrownBy(() => new AdpV2TurnAggregator(requested).accept({ Type: 'error', Error: { Code: 4505004, Message: 'bad key' } })).retryable).toBe(false);
	});

	it('an error after text: the reply so far stays in partial(), and hasContent forbids a retry', () => {
		const aggregator = new AdpV2TurnAggregator(requested);
		for (const event of [added('r1', 'reply'), content('r1'), replace('r1', 'Half an ans')]) aggregator.accept(event);
		const error = thrownBy(() => aggregator.accept({ Type: 'error', Error: { Code: 460502, Message: 'blocked' } }));
		expect(error.code).toBe(460502);
		expect(aggregator.hasContent).toBe(true);
		expect(aggregator.partial()).toMatchObject({ reply: 'Half an ans', isFinal: false });
	});

	it('ReplyMethod 7 is the canned busy answer: error 460011, retryable, not content', () => {
		const aggregator = new AdpV2TurnAggregator(requested);
		const events = [added('r1', 'reply'), content('r1'), replace('r1', 'Too busy, try later'), done('r1', 'reply', ['Too busy, try later'])];
		for (const event of events) aggregator.accept(event);
		const error = thrownBy(() =>
			aggregator.accept({ ...completed([{ MessageId: 'r1', Type: 'reply', Contents: [{ Type: 'text', Text: 'Too busy, try later' }] }]), Response: { ExtraInfo: { ReplyMethod: 7 }, Messages: [] } }),
		);
		expect(error.code).toBe(460011);
		expect(error.retryable).toBe(true);
		expect(aggregator.hasContent).toBe(false);
	});

	it('ReplyMethod 7 known while streaming: the canned text is not sent live', () => {
		const busyProcessing: AdpV2Event = { Type: 'response.processing', Response: { ExtraInfo: { ReplyMethod: 7 } } };
		const { deltas } = fold([busyProcessing, added('r1', 'reply'), content('r1'), replace('r1', 'Too busy'), replace('r1', 'Too busy!'), done('r1', 'reply', ['Too busy!'])]);
		expect(deltas.join('')).toBe('');
	});

	it('ignores unknown events and message.processing; an error after response.completed changes nothing', () => {
		const { result } = fold([
			added('r1', 'reply'),
			{ Type: 'future.event', Note: 'x' },
			{ Type: 'message.processing', MessageId: 'r1', Message: { Status: 'processing' } },
			done('r1', 'reply', ['ok']),
			completed([{ MessageId: 'r1', Type: 'reply', Contents: [{ Type: 'text', Text: 'ok' }] }]),
			{ Type: 'error', Error: { Code: 500 } },
		]);
		expect(result).toMatchObject({ reply: 'ok', isFinal: true });
	});

	it('keeps the raw procedures out unless includeDebug is on', () => {
		const events = [
			added('r1', 'reply'),
			done('r1', 'reply', ['ok']),
			completed([{ MessageId: 'r1', Type: 'reply', Contents: [{ Type: 'text', Text: 'ok' }] }], {
				StatInfo: { TotalTokens: 5, TotalCost: '10' },
				Procedures: [{ Name: 'large_language_model', Agent: { System: 'SYSTEM PROMPT TEXT', Input: 'HISTORY TEXT' }, Knowledge: [{ Content: 'KNOWLEDGE TEXT' }] }],
			}),
		];
		const plain = fold(events).result;
		for (const secret of ['SYSTEM PROMPT TEXT', 'HISTORY TEXT', 'KNOWLEDGE TEXT']) expect(JSON.stringify(plain)).not.toContain(secret);
		expect(plain).not.toHaveProperty('debug');
		const debug = fold(events, true).result.debug as { procedures: unknown[]; statInfo: unknown };
		expect(JSON.stringify(debug.procedures)).toContain('SYSTEM PROMPT TEXT');
		expect(debug.statInfo).toEqual({ TotalTokens: 5, TotalCost: '10' });
	});

	it('before any response the requested ids stand; the user\'s record id comes from request_ack when no RelatedRecordId came', () => {
		expect(fold([]).result).toMatchObject({
			sessionId: requested.sessionId,
			requestId: requested.requestId,
			recordId: '',
			relatedRecordId: '',
			traceId: '',
			replyMethod: null,
			isFinal: false,
		});
		expect(fold([ack, added('r1', 'reply'), content('r1', 'Hi')]).result).toMatchObject({ relatedRecordId: 'user-rec', recordId: '', reply: 'Hi' });
	});

	it('response.created alone gives the record ids, the trace and the ConversationId as the session id', () => {
		const { result } = fold([
			{
				Type: 'response.created',
				Response: { RecordId: 'bot-rec', RelatedRecordId: 'user-rec', ConversationId: 'conv-named-by-the-server-0123456789', Status: 'processing', ExtraInfo: { TraceId: 'abc123 / bot-rec', ReplyMethod: 0 } },
			},
		]);
		expect(result).toMatchObject({ sessionId: 'conv-named-by-the-server-0123456789', recordId: 'bot-rec', relatedRecordId: 'user-rec', traceId: 'abc123', replyMethod: null, isFinal: false });
	});

	it('a ReplyMethod of 0 (not set) or none at all never replaces a known one', () => {
		const processing = (response: Record<string, unknown>): AdpV2Event => ({ Type: 'response.processing', Response: response });
		const { result } = fold([
			created,
			processing({ ExtraInfo: { ReplyMethod: 16 } }),
			processing({ StatusDesc: 'Generating' }),
			processing({ ExtraInfo: { ReplyMethod: 0 } }),
			processing({ ExtraInfo: { TraceId: 'abc123 / bot-rec' } }),
		]);
		expect(result.replyMethod).toBe(16);
	});

	it('message.processing updates a message\'s status; the fields it leaves out keep their value', () => {
		const { result } = fold([added('t1', 'thought'), content('t1', 'Let me think'), { Type: 'message.processing', MessageId: 't1', Message: { Status: 'success' } }]);
		expect(result.thoughts).toEqual([{ name: 'thought-name', title: 'thought title', status: 'success', content: 'Let me think', elapsed: 12 }]);
	});

	it('response.completed\'s messages keep the name, title and status that earlier events gave', () => {
		const { result } = fold([
			added('t1', 'thought'),
			done('t1', 'thought', ['Thought.']),
			added('r1', 'reply'),
			done('r1', 'reply', ['Answer.']),
			completed([
				{ MessageId: 't1', Type: 'thought', Contents: [{ Type: 'text', Text: 'Thought.' }] },
				{ MessageId: 'r1', Type: 'reply', Contents: [{ Type: 'text', Text: 'Answer.' }] },
			]),
		]);
		expect(result.thoughts).toEqual([{ name: 'thought-name', title: 'thought title', status: 'success', content: 'Thought.', elapsed: 12 }]);
	});

	it('a message announced without name, title or status lists them empty; a tool call without a Name is named by ExtraInfo.ToolName', () => {
		const { result } = fold([
			{ Type: 'message.added', Message: { MessageId: 't1', Type: 'thought' } },
			content('t1', 'Hmm'),
			{ Type: 'message.added', Message: { MessageId: 'c1', Type: 'tool_call', ExtraInfo: { ToolName: 'web_search' } } },
			{ Type: 'message.added', Message: { MessageId: 'c2', Type: 'tool_call', Name: 'search', ExtraInfo: { ToolName: 'web_search' } } },
		]);
		expect(result.thoughts).toEqual([{ name: '', title: '', status: '', content: 'Hmm', elapsed: null }]);
		expect(result.toolCalls).toEqual([
			{ name: 'web_search', title: '', status: '', content: '' },
			{ name: 'search', title: '', status: '', content: '' },
		]);
	});

	it('text that comes before its message.added is kept, and belongs to the message announced later', () => {
		const { result, deltas } = fold([
			delta('r1', 'Early '),
			delta('t1', 'hm'),
			added('r1', 'reply'),
			delta('r1', 'answer.'),
			{ Type: 'message.added', Message: { MessageId: 't1', Type: 'thought' } },
			done('r1', 'reply', ['Early answer.']),
		]);
		expect(result.reply).toBe('Early answer.');
		expect(result.thoughts).toEqual([{ name: '', title: '', status: '', content: 'hm', elapsed: null }]);
		expect(deltas.join('')).toBe('Early answer.');
	});

	it('passes on live text for reply text only; other events, and events without their object, return none', () => {
		const webRef = { Index: 1, Type: 4, Name: 'Web', WebSearchRefer: { Url: 'https://example.com/w' } };
		const { deltas, result } = fold([
			ack,
			created,
			added('r1', 'reply'),
			content('r1'),
			replace('r1', 'Answer'),
			{ Type: 'quote_info.added', MessageId: 'r1', ContentIndex: 0, QuoteInfo: { Position: 6, Index: 1 } },
			{ Type: 'reference.added', MessageId: 'r1', ContentIndex: 0, Reference: webRef },
			{ Type: 'future.event', Note: 'x' },
			{ Type: 'message.done', MessageId: 'r1' },
			{ Type: 'response.completed' },
			done('r1', 'reply', ['Answer.']),
			completed([{ MessageId: 'r1', Type: 'reply', Contents: [{ Type: 'text', Text: 'Answer.' }] }]),
			{ Type: 'error', Error: { Code: 460020, Message: 'late' } },
			{ Type: 'done' },
		]);
		expect(deltas).toEqual(['', '', '', '', '', '', '', '', '', '', 'Answer.', '', '', '']);
		expect(result).toMatchObject({ reply: 'Answer.', isFinal: true, quoteInfos: [{ index: 1, position: 6 }] });
	});

	it('a content without a Type is text; other content types are not part of the reply', () => {
		const streamed = fold([
			added('r1', 'reply'),
			{ Type: 'content.added', MessageId: 'r1', ContentIndex: 0, Content: { Text: 'Plain' } },
			content('r1', 'widget text', 1, 'widget'),
			content('r1', '{"a":1}', 2, 'json_text'),
		]).result;
		expect(streamed.reply).toBe('Plain\n{"a":1}');
		const final = fold([
			added('r1', 'reply'),
			done('r1', 'reply', [], { Contents: [{ Text: 'Plain' }, { Type: 'widget', Text: 'widget text' }, { Type: 'json_text', Text: '{"a":1}' }] }),
		]).result;
		expect(final.reply).toBe('Plain\n{"a":1}');
	});

	it('hasContent: empty reply text and thoughts are not content; a final reply text that never streamed is', () => {
		expect(fold([added('r1', 'reply'), content('r1')]).aggregator.hasContent).toBe(false);
		expect(fold([added('t1', 'thought'), content('t1', 'Hmm')]).aggregator.hasContent).toBe(false);
		expect(fold([added('r1', 'reply'), content('r1', 'Hi')]).aggregator.hasContent).toBe(true);
		expect(fold([added('r1', 'reply'), done('r1', 'reply', [''])]).aggregator.hasContent).toBe(false);
		expect(fold([added('r1', 'reply'), done('r1', 'reply', ['ok'])]).aggregator.hasContent).toBe(true);
		expect(fold([added('r1', 'reply'), done('r1', 'reply', ['ok'])], false, false).aggregator.hasContent).toBe(true);
	});

	it('reply texts that come only with message.done go out live with the reply\'s separators', () => {
		const { result, deltas } = fold([added('r1', 'reply'), done('r1', 'reply', ['A', 'B']), added('r2', 'reply'), done('r2', 'reply', ['C'])]);
		expect(result.reply).toBe('A\nB\n\nC');
		expect(deltas.join('')).toBe('A\nB\n\nC');
	});

	it('empty texts and reply messages without text add no separators, to the reply or live', () => {
		const { result, deltas } = fold([
			added('r1', 'reply'),
			done('r1', 'reply', ['A']),
			added('r2', 'reply'),
			done('r2', 'reply', ['', 'B']),
			added('r3', 'reply'),
			done('r3', 'reply', []),
		]);
		expect(result.reply).toBe('A\n\nB');
		expect(deltas.join('')).toBe('A\n\nB');
	});

	it('without final contents, a message\'s texts are in ContentIndex order', () => {
		expect(fold([added('r1', 'reply'), content('r1', 'second', 1), content('r1', 'first', 0)]).result.reply).toBe('first\nsecond');
	});

	it('a thought\'s empty contents add no line breaks', () => {
		expect(fold([added('t1', 'thought'), done('t1', 'thought', ['', 'Thinking.', ''])]).result.thoughts[0].content).toBe('Thinking.');
	});

	it('quote positions in a later content of a message count the line break before it', () => {
		const { result } = fold([
			added('r1', 'reply'),
			done('r1', 'reply', [], { Contents: [{ Type: 'text', Text: 'ab' }, { Type: 'text', Text: 'cd', QuoteInfos: [{ Position: 1, Index: 1 }] }] }),
		]);
		expect(result.reply).toBe('ab\ncd');
		expect(result.quoteInfos).toEqual([{ index: 1, position: 4 }]);
	});

	it('quote positions count characters (code points), not UTF-16 units', () => {
		// 8 characters: a, 😀, b, 你, 好, ！, then U+10000 and U+10FFFF, the first and the last code point outside the BMP.
		const first = 'a😀b你好！\u{10000}\u{10FFFF}';
		const { result } = fold([
			added('r1', 'reply'),
			done('r1', 'reply', [first]),
			added('r2', 'reply'),
			{ Type: 'quote_info.added', MessageId: 'r2', ContentIndex: 0, QuoteInfo: { Position: 1, Index: 3 } },
			done('r2', 'reply', ['cd']),
		]);
		expect(result.quoteInfos).toEqual([{ index: 3, position: 11 }]);
	});

	it('skips entries of Contents, References and Messages that are not objects', () => {
		const webRef = { Index: 1, Type: 4, Name: 'Web', WebSearchRefer: { Url: 'https://example.com/w' } };
		const { result } = fold([
			added('r1', 'reply'),
			done('r1', 'reply', [], { Contents: [null, { Type: 'text', Text: 'ok', References: [null, webRef] }] }),
			completed([null, { MessageId: 'r1', Type: 'reply', Contents: [{ Type: 'text', Text: 'ok' }] }]),
		]);
		expect(result).toMatchObject({ reply: 'ok', isFinal: true });
		expect(result.references).toEqual([{ index: 1, type: 4, name: 'Web', url: 'https://example.com/w' }]);
	});

	it('uses the stream reader\'s hint on a text.replace only when its base is the slot\'s text', () => {
		const streamed = [added('r1', 'reply'), content('r1'), replace('r1', 'Hello'), replace('r1', 'Hello world')];
		const matching = new AdpV2TurnAggregator(requested);
		const sentWithMatchingHint = streamed.map((event) => matching.accept(event));
		sentWithMatchingHint.push(matching.accept(replace('r1', 'Hello world!'), { base: 'Hello world', appended: '!' }));
		sentWithMatchingHint.push(matching.accept(done('r1', 'reply', ['Hello world!'])));
		expect(sentWithMatchingHint).toEqual(['', '', '', 'Hello', ' world', '!']);
		// The reader's base is the last long text it read, which may have been another slot's.
		const other = new AdpV2TurnAggregator(requested);
		const sentWithOtherHint = streamed.map((event) => other.accept(event));
		sentWithOtherHint.push(other.accept(replace('r1', 'Hello there'), { base: 'Hello', appended: ' there' }));
		sentWithOtherHint.push(other.accept(done('r1', 'reply', ['Hello there'])));
		expect(sentWithOtherHint).toEqual(['', '', '', 'Hello', ' ', 'there']);
	});

	it('under debug, before response.completed there are no procedures and no statInfo', () => {
		expect(fold([added('r1', 'reply'), content('r1', 'Hi')], true).result.debug).toEqual({ procedures: [], statInfo: null });
	});
});

describe('parseAdpV2Event', () => {
	it('[DONE] is the end; the type comes from the JSON, else the SSE event name', () => {
		expect(parseAdpV2Event({ event: 'done', data: '[DONE]' })).toEqual({ Type: 'done' });
		expect(parseAdpV2Event({ event: 'text.delta', data: '{"Type":"text.delta","Text":"a"}' })?.Type).toBe('text.delta');
		expect(parseAdpV2Event({ event: 'text.delta', data: '{"Text":"a"}' })?.Type).toBe('text.delta');
	});

	it('invalid JSON in a known event fails; an unknown event or a cut-off last one is skipped', () => {
		expect(() => parseAdpV2Event({ event: 'text.delta', data: '{"Type":' })).toThrow(/not valid JSON/);
		expect(parseAdpV2Event({ event: 'ping', data: 'ping' })).toBeUndefined();
		expect(parseAdpV2Event({ event: 'text.delta', data: '{"Type":', unterminated: true })).toBeUndefined();
	});
});
