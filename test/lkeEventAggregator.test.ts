import { AgentChatError } from '../nodes/shared/errors';
import { LkeTurnAggregator } from '../nodes/TencentLke/chatAggregator';
import { parseLkeEvent, type LkeEvent } from '../nodes/TencentLke/stream/lkeEvent';

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
		expect(result.references.map((entry) => entry.id)).toEqual(['a', 'b', 'c']);
		expect(result.tokenStats).toEqual({ status_summary: 'success', token_count: 42 });
	});

	it('ignores heartbeats, unknown event types and replies after the final one', () => {
		const { result } = fold(false, [
			echo(),
			{ type: 'heartbeat', payload: {} },
			{ type: 'future_event', payload: { content: 'not a reply' } },
			...replyEvents(['final answer'], false),
			botReply('something after the final reply', { is_final: true }),
		]);
		expect(result.reply).toBe('final answer');
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
