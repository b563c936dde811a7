import { AgentChatError } from '../nodes/shared/errors';
import { LkeTurnAggregator } from '../nodes/TencentLke/chatAggregator';
import { parseLkeEvent, type LkeContentHint, type LkeEvent } from '../nodes/TencentLke/stream/lkeEvent';
import { thrownAgentChatError } from './helpers/failureOf';

const requested = { sessionId: 'session-1', requestId: 'request-1' };

function echo(extra: Record<string, unknown> = {}): LkeEvent {
	return {
		type: 'reply',
		payload: { is_from_self: true, is_final: true, content: 'question', record_id: 'echo-1', session_id: 'session-1', request_id: 'request-1', ...extra },
	};
}

function botReply(content: string, extra: Record<string, unknown> = {}): LkeEvent {
	return {
		type: 'reply',
		payload: {
			is_from_self: false,
			is_final: false,
			content,
			record_id: 'bot-1',
			related_record_id: 'echo-1',
			session_id: 'session-1',
			request_id: 'request-1',
			reply_method: 1,
			trace_id: 'trace-1',
			...extra,
		},
	};
}

/** The same answer as the API sends it in both modes. */
function replyEvents(pieces: string[], incremental: boolean, finalExtra: Record<string, unknown> = {}): LkeEvent[] {
	let soFar = '';
	return pieces.map((piece, index) => {
		soFar += piece;
		const last = index === pieces.length - 1;
		return botReply(incremental ? piece : soFar, last ? { is_final: true, ...finalExtra } : {});
	});
}

function thoughtWithTrace(traceId: string): LkeEvent {
	return { type: 'thought', payload: { trace_id: traceId, procedures: [{ index: 0, name: 'thought', title: 'Think', status: 'success', debugging: { content: 'hm' } }] } };
}

function referenceWithTrace(traceId: string): LkeEvent {
	return { type: 'reference', payload: { trace_id: traceId, references: [{ id: 'r1', type: 2, name: 'Doc' }] } };
}

function fold(incremental: boolean, events: LkeEvent[]) {
	const aggregator = new LkeTurnAggregator(incremental, requested);
	const deltas: string[] = [];
	for (const event of events) deltas.push(aggregator.accept(event));
	return { aggregator, result: aggregator.result(), deltas };
}

describe('LkeTurnAggregator', () => {
	const pieces = ['你好，', '世界！', ' The answer ', 'is 42 🎉'];

	it('gives the same reply for cumulative and incremental events', () => {
		const cumulative = fold(false, [echo(), ...replyEvents(pieces, false)]);
		const incremental = fold(true, [echo(), ...replyEvents(pieces, true)]);
		expect(cumulative.result.reply).toBe(pieces.join(''));
		expect(incremental.result.reply).toBe(pieces.join(''));
		expect(cumulative.result).toEqual(incremental.result);
		expect(cumulative.result.isFinal).toBe(true);
	});

	it('reports the new text of every event as a delta in both modes', () => {
		const cumulative = fold(false, [echo(), ...replyEvents(pieces, false)]);
		const incremental = fold(true, [echo(), ...replyEvents(pieces, true)]);
		expect(cumulative.deltas.join('')).toBe(pieces.join(''));
		expect(cumulative.deltas.slice(1)).toEqual(pieces);
		expect(incremental.deltas.slice(1)).toEqual(pieces);
	});

	it('skips the echo of the user message and takes ids from the final reply', () => {
		const { result } = fold(false, [echo(), ...replyEvents(['only'], false)]);
		expect(result).toMatchObject({
			reply: 'only',
			recordId: 'bot-1',
			relatedRecordId: 'echo-1',
			sessionId: 'session-1',
			requestId: 'request-1',
			traceId: 'trace-1',
			replyMethod: 1,
			isEvil: false,
		});
	});

	it('fails the turn with a sensitive-content error when the echo is_evil', () => {
		const aggregator = new LkeTurnAggregator(false, requested);
		let thrown: unknown;
		try {
			aggregator.accept(echo({ is_evil: true }));
		} catch (error) {
			thrown = error;
		}
		expect(thrown).toBeInstanceOf(AgentChatError);
		expect((thrown as AgentChatError).message).toMatch(/sensitive content/);
		expect((thrown as AgentChatError).code).toBe('SENSITIVE_CONTENT');
	});

	it('merges thought procedures by index, cumulative and incremental alike', () => {
		const thought = (content: string, status: string, index = 0): LkeEvent => ({
			type: 'thought',
			payload: { procedures: [{ index, name: 'thought', title: 'Think', status, elapsed: 10, debugging: { content } }] },
		});
		const cumulative = fold(false, [echo(), thought('I think', 'processing'), thought('I think hard', 'success'), thought('second', 'success', 1), ...replyEvents(['x'], false)]);
		const incremental = fold(true, [echo(), thought('I think', 'processing'), thought(' hard', 'success'), thought('second', 'success', 1), ...replyEvents(['x'], true)]);
		const expected = [
			{ name: 'thought', title: 'Think', status: 'success', content: 'I think hard', elapsed: 10 },
			{ name: 'thought', title: 'Think', status: 'success', content: 'second', elapsed: 10 },
		];
		expect(cumulative.result.thoughts).toEqual(expected);
		expect(incremental.result.thoughts).toEqual(expected);
	});

	it('collects references de-duplicated by id and keeps the last token_stat', () => {
		const reference = (ids: string[]): LkeEvent => ({
			type: 'reference',
			payload: { record_id: 'bot-1', references: ids.map((id) => ({ id, name: `doc ${id}`, type: 2 })) },
		});
		const { result } = fold(false, [
			echo(),
			{ type: 'token_stat', payload: { status_summary: 'processing', token_count: 1 } },
			reference(['a', 'b']),
			...replyEvents(['done'], false),
			reference(['b', 'c']),
			{ type: 'token_stat', payload: { status_summary: 'success', token_count: 42 } },
		]);
		expect(result.references).toEqual([
			{ id: 'a', type: 2, name: 'doc a' },
			{ id: 'b', type: 2, name: 'doc b' },
			{ id: 'c', type: 2, name: 'doc c' },
		]);
		expect(result.tokenStats).toEqual({ inputTokens: null, outputTokens: null, totalTokens: 42, modelTimeMs: null, procedures: [] });
	});

	it('ignores heartbeats, unknown event types and non-final replies after the final one', () => {
		const { result, deltas } = fold(false, [
			echo(),
			{ type: 'heartbeat', payload: {} },
			{ type: 'future_event', payload: { content: 'not a reply' } },
			...replyEvents(['final answer'], false),
			botReply('a late piece', { is_final: false }),
		]);
		expect(result.reply).toBe('final answer');
		expect(deltas.join('')).toBe('final answer');
	});

	it('when several final replies arrive, the last one wins (the live text ends with the first)', () => {
		const { result, deltas } = fold(false, [
			echo(),
			...replyEvents(['first ', 'answer'], false),
			botReply('the revised answer', { is_final: true, record_id: 'bot-2', reply_method: 16 }),
		]);
		expect(result).toMatchObject({ reply: 'the revised answer', recordId: 'bot-2', replyMethod: 16, isFinal: true });
		expect(deltas.join('')).toBe('first answer');
	});

	it('normalizes token_stat: token_count is the total, input and output are the procedures\' sums', () => {
		const { result } = fold(false, [
			echo(),
			...replyEvents(['x'], false),
			{
				type: 'token_stat',
				payload: {
					elapsed: 1234,
					token_count: 450,
					procedures: [
						{ name: 'knowledge', title: 'Search', status: 'success', input_count: 100, output_count: 20, count: 120 },
						{
							name: 'large_language_model',
							title: 'Reply',
							status: 'success',
							input_count: '300',
							output_count: 30,
							count: 330,
							token_usage_details: [{ model_name: 'm-1' }, { model_name: 'm-1' }, { model_name: 'm-2' }],
						},
					],
				},
			},
		]);
		expect(result.tokenStats).toEqual({
			inputTokens: 400,
			outputTokens: 50,
			totalTokens: 450,
			modelTimeMs: 1234,
			procedures: [
				{ name: 'knowledge', title: 'Search', status: 'success', inputTokens: 100, outputTokens: 20, totalTokens: 120, modelName: '' },
				{ name: 'large_language_model', title: 'Reply', status: 'success', inputTokens: 300, outputTokens: 30, totalTokens: 330, modelName: 'm-1, m-2' },
			],
		});
	});

	it('normalizes references: ids of 0 and empty fields are left out, duplicates dropped', () => {
		const { result } = fold(false, [
			echo(),
			{
				type: 'reference',
				payload: {
					references: [
						{ id: 'r1', type: 2, name: 'Handbook', url: 'https://example.com/h.pdf', doc_id: '11', doc_biz_id: '900', doc_name: 'h.pdf', qa_biz_id: '0' },
						{ id: 'r2', type: 1, name: 'FAQ', url: '', doc_id: '0', doc_biz_id: '0', doc_name: '', qa_biz_id: '777' },
						{ id: 'r1', type: 2, name: 'Handbook again' },
					],
				},
			},
			...replyEvents(['x'], false),
		]);
		expect(result.references).toEqual([
			{ id: 'r1', type: 2, name: 'Handbook', url: 'https://example.com/h.pdf', docId: '900', docName: 'h.pdf' },
			{ id: 'r2', type: 1, name: 'FAQ', qaId: '777' },
		]);
	});

	it('takes a thought\'s display_content when present, else debugging.content', () => {
		const { result } = fold(false, [
			echo(),
			{
				type: 'thought',
				payload: {
					procedures: [
						{ index: 0, name: 'thought', title: 'Think', status: 'success', debugging: { content: 'raw reasoning', display_content: 'shown reasoning' } },
						{ index: 1, name: 'thought', title: 'Think', status: 'success', debugging: { content: 'only raw' } },
					],
				},
			},
			...replyEvents(['x'], false),
		]);
		expect(result.thoughts.map((thought) => thought.content)).toEqual(['shown reasoning', 'only raw']);
	});

	it('in incremental mode appends only to the last procedure of a repeated procedure list', () => {
		const procedure = (index: number, content: string, status: string) => ({ index, name: 'thought', title: 'Think', status, debugging: { content } });
		const { result } = fold(true, [
			echo(),
			{ type: 'thought', payload: { procedures: [procedure(0, 'First ', 'processing')] } },
			{ type: 'thought', payload: { procedures: [procedure(0, 'step.', 'processing')] } },
			{ type: 'thought', payload: { procedures: [procedure(0, 'step.', 'success'), procedure(1, 'Second ', 'processing')] } },
			{ type: 'thought', payload: { procedures: [procedure(0, 'step.', 'success'), procedure(1, 'step.', 'success')] } },
			...replyEvents(['x'], true),
		]);
		expect(result.thoughts.map((thought) => [thought.content, thought.status])).toEqual([
			['First step.', 'success'],
			['Second step.', 'success'],
		]);
	});

	it('fails with CLIENT_TOOLS_REQUIRED when the agent waits for client tools (reply_method 20)', () => {
		const aggregator = new LkeTurnAggregator(false, requested);
		aggregator.accept(echo());
		let thrown: AgentChatError | undefined;
		try {
			aggregator.accept(botReply('', { is_final: true, reply_method: 20, interrupt_info: { tool_calls: [{ function: { name: 'get_weather' } }] } }));
		} catch (error) {
			thrown = error as AgentChatError;
		}
		expect(thrown?.code).toBe('CLIENT_TOOLS_REQUIRED');
		expect(thrown?.message).toMatch(/client-side tools/);
		expect(thrown?.description).toContain('get_weather');
		expect(thrown?.retryable).toBe(false);
	});

	it('treats the canned busy reply (reply_method 7) as error 460011, retryable, with no content or live text', () => {
		const aggregator = new LkeTurnAggregator(false, requested);
		aggregator.accept(echo());
		expect(aggregator.accept(botReply('Too many people', { reply_method: 7 }))).toBe('');
		let thrown: AgentChatError | undefined;
		try {
			aggregator.accept(botReply('Too many people, try later', { reply_method: 7, is_final: true }));
		} catch (error) {
			thrown = error as AgentChatError;
		}
		expect(thrown?.message).toBe('Tencent LKE error 460011: Exceed the concurrency limit');
		expect(thrown?.retryable).toBe(true);
		expect(aggregator.hasContent).toBe(false);
	});

	it('keeps the debugging blocks out of the output unless includeDebug is on', () => {
		const events: LkeEvent[] = [
			echo(),
			{ type: 'thought', payload: { procedures: [{ index: 0, name: 'knowledge', title: 'Search', status: 'success', debugging: { content: 'found 2', system: 'SECRET SYSTEM PROMPT', histories: ['OLD TURN'], knowledge: ['KNOWLEDGE TEXT'] } }] } },
			...replyEvents(['x'], false, {
				work_flow: { workflow_name: 'wf', workflow_id: 'w1', current_node: { NodeID: 'n1', NodeName: 'LLM', Status: 'success', Input: 'NODE INPUT', Output: 'NODE OUTPUT', TaskOutput: 'TASK OUTPUT' } },
			}),
			{ type: 'token_stat', payload: { token_count: 3, procedures: [{ name: 'llm', count: 3, debugging: { system: 'SECRET SYSTEM PROMPT' } }] } },
		];
		const plain = fold(false, events).result;
		const visible = JSON.stringify(plain);
		for (const secret of ['SECRET SYSTEM PROMPT', 'OLD TURN', 'KNOWLEDGE TEXT', 'NODE INPUT', 'NODE OUTPUT', 'TASK OUTPUT']) expect(visible).not.toContain(secret);
		expect(plain.workflow).toEqual({ workflow_name: 'wf', workflow_id: 'w1', current_node: { NodeID: 'n1', NodeName: 'LLM', Status: 'success' } });
		expect(plain).not.toHaveProperty('debug');
		const aggregator = new LkeTurnAggregator(false, { ...requested, includeDebug: true });
		for (const event of events) aggregator.accept(event);
		const debug = aggregator.result().debug as Record<string, unknown>;
		expect(JSON.stringify(debug)).toContain('SECRET SYSTEM PROMPT');
		expect(JSON.stringify(debug)).toContain('NODE INPUT');
		expect(debug.tokenStat).toEqual(events[3].payload);
	});

	it.each([
		['error at top level', { type: 'error', error: { code: 460011, message: 'busy' } }],
		['error in the payload', { type: 'error', payload: { error: { code: 460011, message: 'busy' } } }],
	])('fails with the code and its documented meaning (%s)', (_name, event) => {
		const aggregator = new LkeTurnAggregator(false, requested);
		aggregator.accept(echo());
		expect(() => aggregator.accept(event as LkeEvent)).toThrow('Tencent LKE error 460011: Exceed the concurrency limit');
		try {
			aggregator.accept(event as LkeEvent);
		} catch (error) {
			expect((error as AgentChatError).retryable).toBe(true);
			expect((error as AgentChatError).code).toBe(460011);
		}
	});

	it('marks codes outside the busy set as not retryable and keeps the server message', () => {
		const aggregator = new LkeTurnAggregator(false, requested);
		try {
			aggregator.accept({ type: 'error', error: { code: 4505004, message: 'appkey bad' } });
			throw new Error('no error');
		} catch (error) {
			expect((error as AgentChatError).message).toBe('Tencent LKE error 4505004: APPKEY is invalid, please verify the source of APPKEY');
			expect((error as AgentChatError).retryable).toBe(false);
			expect((error as AgentChatError).description).toContain('appkey bad');
		}
	});

	it('says whether bot content arrived, which decides if a retry is safe', () => {
		const aggregator = new LkeTurnAggregator(false, requested);
		aggregator.accept(echo());
		expect(aggregator.hasBotContent).toBe(false);
		aggregator.accept(botReply('a'));
		expect(aggregator.hasBotContent).toBe(true);
		expect(aggregator.result()).toMatchObject({ reply: 'a', isFinal: false });
	});

	it('copies quote infos, knowledge, option cards and workflow from the final reply', () => {
		const { result } = fold(false, [
			echo(),
			...replyEvents(['x'], false, {
				quote_infos: [{ index: 1, position: 1 }],
				knowledge: [{ id: 'k', type: 1 }],
				option_cards: ['yes', 'no'],
				work_flow: { workflow_name: 'wf' },
			}),
		]);
		expect(result.quoteInfos).toEqual([{ index: 1, position: 1 }]);
		expect(result.knowledge).toEqual([{ id: 'k', type: 1 }]);
		expect(result.optionCards).toEqual(['yes', 'no']);
		expect(result.workflow).toEqual({ workflow_name: 'wf' });
		expect(result.toolCalls).toEqual([]);
	});

	it('leaves knowledge and option cards out when the final reply has none, and the workflow keeps only the fields sent', () => {
		const outputKeys = ['isEvil', 'isFinal', 'quoteInfos', 'recordId', 'references', 'relatedRecordId', 'reply', 'replyMethod', 'requestId', 'sessionId', 'thoughts', 'tokenStats', 'toolCalls', 'traceId'];
		const withNulls = fold(false, [echo(), ...replyEvents(['x'], false, { knowledge: null, option_cards: [], quote_infos: null })]).result;
		expect(Object.keys(withNulls).sort()).toEqual(outputKeys);
		const withoutThem = fold(false, [echo(), ...replyEvents(['x'], false)]).result;
		expect(Object.keys(withoutThem).sort()).toEqual(outputKeys);
		const withWorkflow = fold(false, [echo(), ...replyEvents(['x'], false, { work_flow: { workflow_name: 'wf', current_node: { NodeID: 'n1', Input: 'NODE INPUT' } } })]).result;
		expect(withWorkflow.workflow).toStrictEqual({ workflow_name: 'wf', current_node: { NodeID: 'n1' } });
	});

	it('passes on live text for reply events only', () => {
		const { deltas } = fold(false, [
			echo(),
			{ type: 'thought', payload: { procedures: [{ index: 0, name: 'thought', title: 'Think', status: 'success', debugging: { content: 'thinking' } }] } },
			{ type: 'reference', payload: { references: [{ id: 'r1', type: 2, name: 'Doc' }] } },
			{ type: 'token_stat', payload: { token_count: 3 } },
			{ type: 'heartbeat', payload: {} },
			...replyEvents(['answer'], false),
		]);
		expect(deltas).toEqual(['', '', '', '', '', 'answer']);
	});

	it('ignores an error event after the final reply', () => {
		const { result, deltas } = fold(false, [echo(), ...replyEvents(['final answer'], false), { type: 'error', error: { code: 460020, message: 'Model request timeout' } }]);
		expect(deltas).toEqual(['', 'final answer', '']);
		expect(result).toMatchObject({ reply: 'final answer', isFinal: true });
	});

	it.each([
		['the echo', [echo({ trace_id: 'trace-echo' }), thoughtWithTrace('trace-thought'), referenceWithTrace('trace-reference')], 'trace-echo'],
		['a thought, when the echo has none', [echo(), thoughtWithTrace('trace-thought'), referenceWithTrace('trace-reference')], 'trace-thought'],
		['a reference, when nothing before had one', [echo(), referenceWithTrace('trace-reference'), thoughtWithTrace('trace-thought')], 'trace-reference'],
		['no event (empty)', [echo()], ''],
	])('when the bot replies carry no trace id, takes it from %s', (_name, events, expected) => {
		const { result } = fold(false, [...events, ...replyEvents(['x'], false, { trace_id: undefined })]);
		expect(result.traceId).toBe(expected);
	});

	it('a bot reply\'s trace id replaces an earlier one', () => {
		const { result } = fold(false, [echo({ trace_id: 'trace-echo' }), thoughtWithTrace('trace-thought'), ...replyEvents(['x'], false, { trace_id: 'trace-reply' })]);
		expect(result.traceId).toBe('trace-reply');
	});

	it('a later event for a thought procedure updates its name, title, status and elapsed time', () => {
		const { result } = fold(false, [
			echo(),
			{ type: 'thought', payload: { procedures: [{ index: 0, name: 'thought', title: 'Think', status: 'processing', elapsed: 10, debugging: { content: 'Looking' } }] } },
			{ type: 'thought', payload: { procedures: [{ index: 0, name: 'knowledge', title: 'Search', status: 'success', elapsed: 25, debugging: { content: 'Looking it up' } }] } },
			...replyEvents(['x'], false),
		]);
		expect(result.thoughts).toEqual([{ name: 'knowledge', title: 'Search', status: 'success', content: 'Looking it up', elapsed: 25 }]);
	});

	it('a later event for a thought procedure that leaves fields out keeps their earlier values', () => {
		const { result } = fold(false, [
			echo(),
			{ type: 'thought', payload: { procedures: [{ index: 0, name: 'thought', title: 'Think', status: 'success', elapsed: 10, debugging: { content: 'Looking' } }] } },
			{ type: 'thought', payload: { procedures: [{ index: 0, debugging: { content: 'Looking it up' } }] } },
			...replyEvents(['x'], false),
		]);
		expect(result.thoughts).toEqual([{ name: 'thought', title: 'Think', status: 'success', content: 'Looking it up', elapsed: 10 }]);
	});

	it('lists thought procedures in index order without gaps, in the output and under debug', () => {
		const first = { index: 1, name: 'knowledge', title: 'Search', status: 'success', elapsed: 5, debugging: { content: 'found 2' } };
		const second = { index: 3, name: 'thought', title: 'Think', status: 'success', elapsed: 7, debugging: { content: 'so the answer is x' } };
		const aggregator = new LkeTurnAggregator(false, { ...requested, includeDebug: true });
		for (const event of [echo(), { type: 'thought', payload: { procedures: [second] } }, { type: 'thought', payload: { procedures: [first] } }, ...replyEvents(['x'], false)]) aggregator.accept(event);
		const result = aggregator.result();
		expect(result.thoughts).toEqual([
			{ name: 'knowledge', title: 'Search', status: 'success', content: 'found 2', elapsed: 5 },
			{ name: 'thought', title: 'Think', status: 'success', content: 'so the answer is x', elapsed: 7 },
		]);
		expect((result.debug as { procedures: unknown[] }).procedures).toEqual([first, second]);
	});

	it('under debug, gives the task flow as sent, and null for what did not come', () => {
		const run = (finalExtra: Record<string, unknown>) => {
			const aggregator = new LkeTurnAggregator(false, { ...requested, includeDebug: true });
			for (const event of [echo(), ...replyEvents(['x'], false, finalExtra)]) aggregator.accept(event);
			return aggregator.result().debug as Record<string, unknown>;
		};
		expect(run({ task_flow: { task_flow_name: 'Order lookup', task_flow_id: 'tf-1' } })).toEqual({
			tokenStat: null,
			procedures: [],
			workFlow: null,
			taskFlow: { task_flow_name: 'Order lookup', task_flow_id: 'tf-1' },
		});
		expect(run({}).taskFlow).toBeNull();
	});

	it('names the client tools the agent waits for; entries without a name or not objects are skipped', () => {
		const aggregator = new LkeTurnAggregator(false, requested);
		aggregator.accept(echo());
		const toolCalls = [null, { function: { name: 'get_weather' } }, { type: 'function' }, { name: 'lookup_order' }];
		const error = thrownAgentChatError(() => aggregator.accept(botReply('', { is_final: true, reply_method: 20, interrupt_info: { tool_calls: toolCalls } })));
		expect(error.code).toBe('CLIENT_TOOLS_REQUIRED');
		expect(error.description).toContain('client tools (get_weather, lookup_order) and');
	});

	it('counts only non-empty bot text as content', () => {
		const aggregator = new LkeTurnAggregator(false, requested);
		aggregator.accept(echo());
		aggregator.accept(botReply(''));
		expect(aggregator.hasBotContent).toBe(false);
		aggregator.accept(botReply('a'));
		expect(aggregator.hasBotContent).toBe(true);
	});

	it('skips reference entries that are not objects', () => {
		const { result } = fold(false, [echo(), { type: 'reference', payload: { references: [null, 'ref-0', { id: 'r1', type: 2, name: 'Doc' }] } }, ...replyEvents(['x'], false)]);
		expect(result.references).toEqual([{ id: 'r1', type: 2, name: 'Doc' }]);
	});

	it('has no record id before any bot reply', () => {
		const aggregator = new LkeTurnAggregator(false, requested);
		aggregator.accept(echo());
		expect(aggregator.partial()).toMatchObject({ reply: '', recordId: '', sessionId: 'session-1', requestId: 'request-1', isFinal: false });
	});

	it('isEvil: true when the bot reply or the echo says so, false when both say false', () => {
		const clean = fold(false, [echo({ is_evil: false }), ...replyEvents(['x'], false, { is_evil: false })]).result;
		expect(clean.isEvil).toBe(false);
		const flaggedReply = fold(false, [echo({ is_evil: false }), ...replyEvents(['x'], false, { is_evil: true })]).result;
		expect(flaggedReply.isEvil).toBe(true);
		const aggregator = new LkeTurnAggregator(false, requested);
		expect(thrownAgentChatError(() => aggregator.accept(echo({ is_evil: true }))).code).toBe('SENSITIVE_CONTENT');
		// What a failed item keeps says why it failed.
		expect(aggregator.partial().isEvil).toBe(true);
	});
});

describe('LkeTurnAggregator live text of cumulative replies the server rewrites', () => {
	function liveTexts(contents: string[], hints: Array<LkeContentHint | undefined> = []): string[] {
		const aggregator = new LkeTurnAggregator(false, requested);
		aggregator.accept(echo());
		return contents.map((content, index) => aggregator.accept(botReply(content), hints[index]));
	}

	it('sends the whole new version when the rewrite changes its start', () => {
		expect(liveTexts(['world', 'Hello world'])).toEqual(['world', 'Hello world']);
	});

	it('sends nothing for a cut-back version, and then only what goes beyond the text out in full', () => {
		expect(liveTexts(['Hello world', 'Hello', 'Hello world!'])).toEqual(['Hello world', '', '!']);
	});

	it('uses the stream reader\'s hint only when its base is the text out in full', () => {
		expect(liveTexts(['Hello world', 'Hello world!'], [undefined, { base: 'Hello world', appended: '!' }])).toEqual(['Hello world', '!']);
		// After a cut-back the reader's base is the shorter text, not the one out in full.
		expect(liveTexts(['Hello world', 'Hello', 'Hello there'], [undefined, undefined, { base: 'Hello', appended: ' there' }])).toEqual(['Hello world', '', 'there']);
	});
});

describe('parseLkeEvent', () => {
	it('takes the type from the JSON, else from the SSE event name', () => {
		expect(parseLkeEvent({ event: 'reply', data: '{"type":"token_stat","payload":{}}' })?.type).toBe('token_stat');
		expect(parseLkeEvent({ event: 'reply', data: '{"payload":{}}' })?.type).toBe('reply');
	});

	it('rejects invalid JSON in a complete event, and drops a cut-off last event', () => {
		expect(() => parseLkeEvent({ event: 'reply', data: '{"type":' })).toThrow(/not valid JSON/);
		expect(parseLkeEvent({ event: 'reply', data: '{"type":', unterminated: true })).toBeUndefined();
	});
});
