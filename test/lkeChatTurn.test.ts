import { AgentChatError } from '../nodes/shared/errors';
import { buildLkeChatRequest, type LkeChatOptions } from '../nodes/TencentLke/chatRequest';
import { buildAdpV2ChatRequest } from '../nodes/TencentLke/chatRequestV2';
import { runLkeChatTurn, type LkeTurnOptions } from '../nodes/TencentLke/chatClient';
import { ADP_V2_BUSY_REPLY, adpV2AnswerFor, adpV2TurnFor, LKE_BUSY_REPLY, LKE_REFERENCES, lkeAnswerFor, lkeDisplayThoughtFor, lkeThoughtFor, lkeTokenStatFor, requestField, startSimulator, type Simulator } from '../testkit/simulator';
import { useSimulator } from './helpers/useSimulator';

let sim: Simulator;
useSimulator((started) => (sim = started));

let ids = 0;
function request(content: string, options: LkeChatOptions = {}, appKey = 'sim-app-key') {
	return buildLkeChatRequest(
		{ content, sessionId: '', visitorBizId: 'visitor-1', options },
		{ appKey, chatBaseUrl: sim.url, newId: () => `id-${++ids}`, defaultVisitorBizId: 'unused' },
	);
}

async function failureOf(promise: Promise<unknown>): Promise<AgentChatError> {
	try {
		await promise;
	} catch (error) {
		return error as AgentChatError;
	}
	throw new Error('expected the turn to fail');
}

const noWait: LkeTurnOptions = { random: () => 0 };

function sse(type: string, payload: Record<string, unknown>): string {
	return `event:${type}\ndata:${JSON.stringify({ type, payload, message_id: 'm' })}\n\n`;
}

describe('runLkeChatTurn against the simulator', () => {
	it('gives the identical reply, references, thoughts and token stats for cumulative and incremental streams', async () => {
		const question = 'What is 你好? [think]';
		const cumulative = await runLkeChatTurn(request(question, { incremental: false }));
		const incremental = await runLkeChatTurn(request(question, { incremental: true }));
		expect(cumulative.reply).toBe(lkeAnswerFor(question));
		expect(incremental.reply).toBe(cumulative.reply);
		expect(cumulative.isFinal).toBe(true);
		expect(cumulative.references.map((reference) => reference.id)).toEqual(LKE_REFERENCES.map((reference) => reference.id));
		expect(incremental.references).toEqual(cumulative.references);
		expect(cumulative.thoughts[0].content).toBe(lkeThoughtFor(question, 0));
		const withoutTimings = (thoughts: typeof cumulative.thoughts) => thoughts.map(({ elapsed: _elapsed, ...rest }) => rest);
		expect(withoutTimings(incremental.thoughts)).toEqual(withoutTimings(cumulative.thoughts));
		expect(cumulative.tokenStats?.totalTokens).toBe(lkeTokenStatFor(question).token_count);
		expect(incremental.tokenStats?.totalTokens).toBe(lkeTokenStatFor(question).token_count);
		expect(sim.requests.map((entry) => requestField(entry, 'incremental'))).toEqual([false, true]);
	});

	it('streams the reply deltas in order', async () => {
		const deltas: string[] = [];
		const turn = await runLkeChatTurn(request('deltas please'), { onReplyDelta: (delta) => deltas.push(delta) });
		expect(deltas.length).toBeGreaterThan(3);
		expect(deltas.join('')).toBe(turn.reply);
	});

	it('ignores heartbeats, unknown events and replies after the final one', async () => {
		const turn = await runLkeChatTurn(request('[heartbeat] [after-final] hello'));
		expect(turn.reply).toBe(lkeAnswerFor('[heartbeat] [after-final] hello'));
	});

	it.each([
		['[error:460004]', 460004, 'The application does not exist'],
		['[error-payload:460034]', 460034, 'Content too long'],
	])('fails on an error event %s with the code and its meaning', async (marker, code, meaning) => {
		const failure = await failureOf(runLkeChatTurn(request(`question ${marker}`)));
		expect(failure.code).toBe(code);
		expect(failure.message).toBe(`Tencent LKE error ${code}: ${meaning}`);
		expect(failure.partial).toMatchObject({ reply: '', isFinal: false });
	});

	it('fails with a sensitive-content error when the echo is_evil', async () => {
		const failure = await failureOf(runLkeChatTurn(request('bad words [evil]')));
		expect(failure.code).toBe('SENSITIVE_CONTENT');
	});

	it('never passes off a stream that ended before the final reply as an answer, and keeps what arrived', async () => {
		const failure = await failureOf(runLkeChatTurn(request('cut short [nofinal]', { maxRetries: 0 })));
		expect(failure.code).toBe('INCOMPLETE_STREAM');
		expect(failure.partial?.isFinal).toBe(false);
		expect(String(failure.partial?.reply).length).toBeGreaterThan(0);
		expect(lkeAnswerFor('cut short [nofinal]').startsWith(String(failure.partial?.reply))).toBe(true);
	});

	it('turns a non-200 answer into an error with the status and body', async () => {
		const failure = await failureOf(runLkeChatTurn(request('[http:401]', { maxRetries: 0 })));
		expect(failure.httpStatus).toBe(401);
		expect(failure.message).toMatch(/HTTP 401/);
		expect(failure.description).toMatch(/Response body: .*401/);
	});

	it('retries 460011 before any content and then succeeds', async () => {
		const content = 'busy at first [flaky:2]';
		const turn = await runLkeChatTurn(request(content, { maxRetries: 2 }), noWait);
		expect(turn.reply).toBe(lkeAnswerFor(content));
		expect(sim.requests.filter((entry) => entry.route === 'lke')).toHaveLength(3);
	});

	it('gives up after maxRetries with the last error', async () => {
		const failure = await failureOf(runLkeChatTurn(request('always busy [flaky:5]', { maxRetries: 1 }), noWait));
		expect(failure.code).toBe(460011);
		expect(sim.requests).toHaveLength(2);
	});

	it('retries HTTP 503 honouring Retry-After, then succeeds', async () => {
		sim.enqueue('lke', { status: 503, headers: { 'content-type': 'text/html', 'retry-after': '0' }, steps: ['<html><body>Service Unavailable</body></html>'] });
		const turn = await runLkeChatTurn(request('after a 503'), noWait);
		expect(turn.reply).toBe(lkeAnswerFor('after a 503'));
		expect(sim.requests).toHaveLength(2);
	});

	it('does not retry once bot content has arrived', async () => {
		const failure = await failureOf(runLkeChatTurn(request('half then busy [error-after-content:460011]', { maxRetries: 3 }), noWait));
		expect(failure.code).toBe(460011);
		expect(String(failure.partial?.reply).length).toBeGreaterThan(0);
		expect(sim.requests).toHaveLength(1);
	});

	it('fails on the idle timeout when the stream goes silent, keeping the echo-only state', async () => {
		const failure = await failureOf(runLkeChatTurn(request('[stall]', { idleTimeout: 300, maxRetries: 0 })));
		expect(failure.code).toBe('IDLE_TIMEOUT');
		expect(failure.message).toMatch(/sent nothing for 300 ms \(idle timeout\)$/);
		expect(failure.partial).toMatchObject({ reply: '', isFinal: false });
	});

	it('fails on the total timeout when events keep dripping in', async () => {
		const content = 'slow drip [delay:100] [pieces:100]';
		const failure = await failureOf(runLkeChatTurn(request(content, { timeout: 600, idleTimeout: 5000, maxRetries: 0 })));
		expect(failure.code).toBe('TIMEOUT');
		expect(failure.message).toMatch(/within the timeout of 600 ms$/);
		expect(failure.partial?.isFinal).toBe(false);
		expect(lkeAnswerFor(content).startsWith(String(failure.partial?.reply))).toBe(true);
	});

	it('stops at once when the cancel signal fires', async () => {
		const controller = new AbortController();
		setTimeout(() => controller.abort(), 200);
		const failure = await failureOf(runLkeChatTurn(request('[stall]', { maxRetries: 3 }), { signal: controller.signal }));
		expect(failure.code).toBe('CANCELLED');
		expect(sim.requests).toHaveLength(1);
	});

	it('a cancel during the wait before a retry is reported as the cancel, naming the failure it waited after', async () => {
		sim.enqueue('lke', { status: 429, headers: { 'content-type': 'application/json', 'retry-after': '5' }, steps: ['{"code":429,"msg":"slow down"}'] });
		const controller = new AbortController();
		const waits: number[] = [];
		// Cancel once the wait of 5 s has begun; a wait that ignored the cancel would outlast the test's 5 s.
		const onRetry = ({ waitMs }: { waitMs: number }) => {
			waits.push(waitMs);
			setTimeout(() => controller.abort(), 0);
		};
		const failure = await failureOf(runLkeChatTurn(request('hello', { maxRetries: 3 }), { signal: controller.signal, onRetry }));
		expect(waits).toEqual([5000]);
		expect(failure.code).toBe('CANCELLED');
		expect(failure.message).toMatch(/^The execution was cancelled while waiting to retry after: .*429/);
		expect(failure.partial).toMatchObject({ isFinal: false, reply: '' });
		expect(sim.requests).toHaveLength(1);
	});

	it('rebuilds the same result for every split point of a stream with multi-byte characters', async () => {
		const stream = Buffer.from(
			sse('reply', { is_from_self: true, is_final: true, content: '问题', record_id: 'e', session_id: 's', request_id: 'r' }) +
				sse('reply', { is_from_self: false, is_final: false, content: '你好，', record_id: 'b', related_record_id: 'e' }) +
				sse('reference', { references: [{ id: '1', name: '文档' }] }) +
				sse('reply', { is_from_self: false, is_final: true, content: '你好，世界 🌏', record_id: 'b', related_record_id: 'e' }) +
				sse('token_stat', { token_count: 7, status_summary: 'success' }),
		);
		sim.enqueue('lke', { steps: [stream] });
		const whole = await runLkeChatTurn(request('split'));
		expect(whole.reply).toBe('你好，世界 🌏');
		for (let cut = 1; cut < stream.length; cut += 1) {
			sim.enqueue('lke', { steps: [stream.subarray(0, cut), { delayMs: 1 }, stream.subarray(cut)] });
			expect(await runLkeChatTurn(request('split'))).toEqual(whole);
		}
	}, 60_000);

	it('rejects an invalid JSON data line in a complete event', async () => {
		sim.enqueue('lke', { steps: ['event:reply\ndata:{"type":"reply",\n\n'] });
		const failure = await failureOf(runLkeChatTurn(request('broken')));
		expect(failure.code).toBe('INVALID_EVENT');
	});

	it('reports a connection reset mid-stream, keeping the reply so far', async () => {
		sim.enqueue('lke', {
			steps: [
				sse('reply', { is_from_self: false, is_final: false, content: 'partial answer', record_id: 'b' }),
				{ delayMs: 20 },
				{ destroy: true },
			],
		});
		const failure = await failureOf(runLkeChatTurn(request('reset', { maxRetries: 2 }), noWait));
		expect(failure.code).toBe('CONNECTION_RESET');
		expect(failure.partial?.reply).toBe('partial answer');
		expect(sim.requests).toHaveLength(1);
	});

	it('retries a refused connection and reports it clearly', async () => {
		const closed = await startSimulator();
		const url = closed.url;
		await closed.close();
		const unreachable = buildLkeChatRequest(
			{ content: 'x', sessionId: '', visitorBizId: '', options: { maxRetries: 1 } },
			{ appKey: 'k', chatBaseUrl: url, newId: () => 'id-x', defaultVisitorBizId: 'v' },
		);
		const failure = await failureOf(runLkeChatTurn(unreachable, noWait));
		expect(failure.code).toBe('CONNECTION_FAILED');
		expect(failure.message).toMatch(/Could not connect to 127\.0\.0\.1:\d+ \(ECONNREFUSED\)/);
	});

	it('reports a 200 answer that is not an event stream', async () => {
		sim.enqueue('lke', { headers: { 'content-type': 'text/html' }, steps: ['<html>login page</html>'] });
		const failure = await failureOf(runLkeChatTurn(request('wrong type')));
		expect(failure.code).toBe('UNEXPECTED_CONTENT_TYPE');
	});

	it('reports an invalid AppKey with the vendor code', async () => {
		const failure = await failureOf(runLkeChatTurn(request('hello', {}, 'wrong-key')));
		expect(failure.code).toBe(4505004);
		expect(failure.message).toContain('APPKEY is invalid');
	});

	it('leaves no connection open after a failed or finished turn', async () => {
		await runLkeChatTurn(request('one'));
		await failureOf(runLkeChatTurn(request('[stall]', { idleTimeout: 200, maxRetries: 0 })));
		await new Promise((resolve) => setTimeout(resolve, 100));
		// Keep-alive may hold finished sockets in the pool; no request may still be open.
		expect(sim.inFlight('lke')).toBe(0);
	});

	it.each([false, true])('incremental %s: a repeated procedure list never duplicates thought text', async (incremental) => {
		const question = 'why? [think:2] [thought-list]';
		const turn = await runLkeChatTurn(request(question, { incremental }));
		expect(turn.thoughts.map((thought) => thought.content)).toEqual([lkeThoughtFor(question, 0), lkeThoughtFor(question, 1)]);
	});

	it.each([false, true])('incremental %s: thoughts take display_content when the service sends it', async (incremental) => {
		const question = 'why? [think:2] [display-content] [thought-list]';
		const turn = await runLkeChatTurn(request(question, { incremental }));
		expect(turn.thoughts.map((thought) => thought.content)).toEqual([lkeDisplayThoughtFor(question, 0), lkeDisplayThoughtFor(question, 1)]);
	});

	it('takes the last of two final replies', async () => {
		const question = 'answer twice [two-finals]';
		const deltas: string[] = [];
		const turn = await runLkeChatTurn(request(question), { onReplyDelta: (delta) => deltas.push(delta) });
		expect(turn.reply).toBe(lkeAnswerFor(question));
		expect(turn.replyMethod).toBe(16);
		expect(deltas.join('')).not.toContain(turn.reply);
	});

	it('fails with CLIENT_TOOLS_REQUIRED when the agent waits for client tools, without retrying', async () => {
		const failure = await failureOf(runLkeChatTurn(request('weather? [client-tools]', { maxRetries: 3 }), noWait));
		expect(failure.code).toBe('CLIENT_TOOLS_REQUIRED');
		expect(failure.description).toContain('sim_weather');
		expect(sim.requests).toHaveLength(1);
	});

	it('retries the canned busy reply (reply_method 7) as 460011, then fails, never passing it off as the answer', async () => {
		const deltas: string[] = [];
		const failure = await failureOf(runLkeChatTurn(request('busy? [busy-reply]', { maxRetries: 2 }), { ...noWait, onReplyDelta: (delta) => deltas.push(delta) }));
		expect(failure.code).toBe(460011);
		expect(failure.message).toBe('Tencent LKE error 460011: Exceed the concurrency limit');
		expect(sim.requests).toHaveLength(3);
		expect(deltas.join('')).not.toContain(LKE_BUSY_REPLY.slice(0, 10));
	});
});

describe('runLkeChatTurn over ADP v2 against the simulator', () => {
	let v2Ids = 0;
	const v2Request = (question: string, options: LkeChatOptions = {}) =>
		buildAdpV2ChatRequest(
			{ content: question, sessionId: '', visitorBizId: 'visitor-1', options },
			{ appKey: 'sim-app-key', chatBaseUrl: sim.url, newId: () => `v2-id-${String(++v2Ids).padStart(30, '0')}`, defaultVisitorBizId: 'unused' },
		);

	it.each([false, true])('content.added already holding text (Incremental %s): the whole reply, live too', async (incremental) => {
		const question = 'seeded [content-seed] [think]';
		const deltas: string[] = [];
		const turn = await runLkeChatTurn(v2Request(question, { incremental }), { onReplyDelta: (delta) => deltas.push(delta) });
		expect(turn.reply).toBe(adpV2AnswerFor(question));
		expect(turn.thoughts.map((thought) => thought.content)).toEqual(adpV2TurnFor(question).thoughts);
		expect(deltas.join('')).toBe(turn.reply);
	});

	it('HTTP 500 is retried once, HTTP 503 up to Max Retries', async () => {
		const failure500 = await failureOf(runLkeChatTurn(v2Request('down [http:500]', { maxRetries: 3 }), noWait));
		expect(failure500.code).toBe(500);
		expect(sim.requests).toHaveLength(2);
		sim.reset();
		const failure503 = await failureOf(runLkeChatTurn(v2Request('down [http:503]', { maxRetries: 3 }), noWait));
		expect(failure503.code).toBe(503);
		expect(sim.requests).toHaveLength(4);
	});

	it('an error event code 500 is retried once', async () => {
		const failure = await failureOf(runLkeChatTurn(v2Request('oops [error:500]', { maxRetries: 3 }), noWait));
		expect(failure.message).toBe('Tencent LKE error 500: Internal server error');
		expect(sim.requests).toHaveLength(2);
	});

	it('[DONE] ends the turn though the server keeps the connection open: without response.completed it is INCOMPLETE_STREAM at once', async () => {
		const question = 'done but open [no-completed]';
		// The simulator's own answer, replayed on a connection it does not close: only [DONE] can end this turn
		// before the (long) idle timeout.
		const recorded = v2Request(question);
		const answer = await fetch(recorded.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(recorded.body) });
		const body = await answer.text();
		expect(body).toContain('data: [DONE]');
		sim.enqueue('adpV2', { steps: [body], end: false });
		const failure = await failureOf(runLkeChatTurn(v2Request(question, { idleTimeout: 600_000, maxRetries: 0 }), noWait));
		expect(failure.code).toBe('INCOMPLETE_STREAM');
		expect(failure.partial?.reply).toBe(adpV2AnswerFor(question));
	});

	it('a stream cut off mid-reply is INCOMPLETE_STREAM with the text so far, not retried', async () => {
		const question = 'cut [cut] [pieces:6]';
		const failure = await failureOf(runLkeChatTurn(v2Request(question, { maxRetries: 2 }), noWait));
		expect(failure.code).toBe('INCOMPLETE_STREAM');
		expect(failure.description).toContain('response.completed');
		const partial = String(failure.partial?.reply);
		expect(partial.length).toBeGreaterThan(0);
		expect(adpV2AnswerFor(question).startsWith(partial)).toBe(true);
		expect(sim.requests).toHaveLength(1);
	});

	it('[DONE] after an error event changes nothing; the canned busy reply is retried and never becomes the answer (its text can go out live when ReplyMethod 7 comes only at the end)', async () => {
		const failure = await failureOf(runLkeChatTurn(v2Request('x [error:460031] [done-after-error]', { maxRetries: 0 })));
		expect(failure.code).toBe(460031);
		sim.reset();
		const deltas: string[] = [];
		const busy = await failureOf(runLkeChatTurn(v2Request('busy [busy-reply]', { maxRetries: 1 }), { ...noWait, onReplyDelta: (delta) => deltas.push(delta) }));
		expect(busy.code).toBe(460011);
		expect(sim.requests).toHaveLength(2);
		// ReplyMethod 7 comes only with response.completed here, so the canned text may have gone out live.
		expect(deltas.join('')).toBe(ADP_V2_BUSY_REPLY.repeat(2));
	});
});
