import { signTc3 } from '../nodes/TencentLke/tc3Signer';
import { lkeAnswerFor, LKE_REFERENCES, parseSse, requestField, SIMULATOR_DEFAULTS, startSimulator, tateReplyFor, type Simulator } from '../testkit/simulator';
import { useSimulator } from './helpers/useSimulator';

let sim: Simulator;

/** The fields of the simulator's answers these tests read, named as the vendors name them. */
interface LkeWireEvent {
	message_id?: string;
	payload: {
		is_from_self?: boolean;
		is_final?: boolean;
		content: string;
		record_id?: string;
		related_record_id?: string;
		quote_infos?: unknown[];
		references: Array<{ id: string }>;
		status_summary?: string;
		procedures: Array<{ status: string }>;
		error?: unknown;
	};
	error?: { code: number; message: string };
}

interface CloudApiAnswer {
	Response: { Token?: string; RequestId?: string; Error?: { Code: string } };
}

interface TateAnswer {
	object: { conversationId: string; msgId: string; msgContent: string; isFinal: number };
}

/** Each event's JSON, as the caller says the vendor shapes it; fails the test on an event without JSON. */
function wireEvents<T>(text: string): Array<{ event: string; json: T }> {
	return parseSse(text).map((e) => {
		if (e.json === undefined) throw new Error(`event ${e.event} has no JSON data: ${e.data}`);
		return { event: e.event, json: e.json as T };
	});
}

useSimulator((started) => (sim = started), { quiet: true });

function lkeBody(content: string, extra: Record<string, unknown> = {}) {
	return JSON.stringify({
		bot_app_key: SIMULATOR_DEFAULTS.lkeAppKey,
		session_id: 'sim-session-1',
		visitor_biz_id: 'visitor-1',
		request_id: 'req-1',
		content,
		...extra,
	});
}

async function lkeTurn(content: string, extra: Record<string, unknown> = {}) {
	const res = await fetch(`${sim.url}/v1/qbot/chat/sse`, {
		method: 'POST',
		headers: { 'content-type': 'application/json' },
		body: lkeBody(content, extra),
	});
	return { res, events: wireEvents<LkeWireEvent>(await res.text()) };
}

const bot = (events: Array<{ event: string; json: LkeWireEvent }>) =>
	events.filter((e) => e.event === 'reply' && e.json.payload.is_from_self === false).map((e) => e.json.payload);

describe('LKE dialog (SSE)', () => {
	it('streams echo, cumulative replies, final, references and token stats', async () => {
		const q = 'What is n8n? 你好';
		const { res, events } = await lkeTurn(q);
		expect(res.status).toBe(200);
		expect(res.headers.get('content-type')).toContain('text/event-stream');

		const echo = events[0].json;
		expect(events[0].event).toBe('reply');
		expect(echo.payload).toMatchObject({ is_from_self: true, is_final: true, content: q, request_id: 'req-1', session_id: 'sim-session-1' });
		expect(typeof echo.message_id).toBe('string');

		const replies = bot(events);
		expect(replies.length).toBeGreaterThan(5);
		for (let i = 1; i < replies.length; i++) expect(replies[i].content.startsWith(replies[i - 1].content)).toBe(true);
		const final = replies[replies.length - 1];
		expect(final.is_final).toBe(true);
		expect(final.content).toBe('Answer to "What is n8n? 你好": This is the simulated agent speaking. 你好，世界！这是一个模拟的回答。🙂 Have a nice day.');
		expect(lkeAnswerFor(q)).toBe(final.content);
		expect(final.related_record_id).toBe(echo.payload.record_id);
		expect(final.quote_infos).toHaveLength(1);
		expect(replies.filter((r) => r.is_final)).toHaveLength(1);
		expect(new Set(replies.map((r) => r.record_id)).size).toBe(1);

		const refs = events.filter((e) => e.event === 'reference').flatMap((e) => e.json.payload.references);
		expect(refs.map((r) => r.id)).toEqual(['sim-ref-1', 'sim-ref-2', 'sim-ref-2', '3']);
		expect(refs[0]).toEqual(LKE_REFERENCES[0]);

		const stats = events.filter((e) => e.event === 'token_stat').map((e) => e.json.payload);
		expect(stats.map((s) => s.status_summary)).toEqual(['processing', 'success']);
		expect(events[events.length - 1].event).toBe('token_stat');
		expect(stats[1]).toMatchObject({ record_id: final.record_id, session_id: 'sim-session-1', request_id: 'req-1' });

		expect(sim.requests).toHaveLength(1);
		expect(sim.requests[0]).toMatchObject({ route: 'lke', method: 'POST', path: '/v1/qbot/chat/sse' });
		expect(requestField(sim.requests[0], 'content')).toBe(q);
		expect(sim.lkeAnswered(q)).toBe(1);
	});

	it('sends only the new pieces with incremental: true, streaming_throttle code points each', async () => {
		const q = 'pieces 🙂 [think]';
		const { events } = await lkeTurn(q, { incremental: true, streaming_throttle: 3 });
		const replies = bot(events);
		expect(replies.map((r) => r.content).join('')).toBe(lkeAnswerFor(q));
		for (const r of replies) expect(Array.from(r.content).length).toBeLessThanOrEqual(3);
		const thoughts = events.filter((e) => e.event === 'thought').map((e) => e.json.payload.procedures[0]);
		expect(thoughts.length).toBeGreaterThan(1);
		expect(thoughts[thoughts.length - 1].status).toBe('success');
	});

	it('answers a wrong app key, a bad session id and error markers with error events', async () => {
		const wrongKey = await lkeTurn('hi', { bot_app_key: 'nope' });
		expect(wrongKey.res.status).toBe(200);
		expect(wrongKey.events).toHaveLength(1);
		expect(wrongKey.events[0].json.error).toEqual({ code: 4505004, message: expect.stringMatching(/^APPKEY is invalid/) });

		const badSession = await lkeTurn('hi', { session_id: 'x' });
		expect(badSession.events[0].json.error).toMatchObject({ code: 400 });

		const err = await lkeTurn('boom [error-payload:460011]');
		expect(err.events.map((e) => e.event)).toEqual(['reply', 'error']);
		expect(err.events[1].json.payload.error).toEqual({ code: 460011, message: 'Exceed the concurrency limit' });

		const http = await fetch(`${sim.url}/v1/qbot/chat/sse`, { method: 'POST', body: lkeBody('x [http:503]') });
		expect(http.status).toBe(503);
		expect(http.headers.get('retry-after')).toBe('0');
		expect(await http.json()).toMatchObject({ code: 503 });
	});

	it('streams a long answer with backpressure', async () => {
		const q = '[long:300000]';
		const { events } = await lkeTurn(q, { incremental: true });
		const text = bot(events).map((r) => r.content).join('');
		expect(Array.from(text)).toHaveLength(300000);
		const pattern = 'Streaming simulator text: 你好，世界！长回答测试。🚀 The quick brown fox jumps over the lazy dog. ';
		const patternLength = Array.from(pattern).length;
		const expected = pattern.repeat(Math.ceil(300000 / patternLength));
		expect(text).toBe(Array.from(expected).slice(0, 300000).join(''));
		expect(text).toBe(lkeAnswerFor(q));
	});
});

describe('Tencent Cloud API (GetWsToken)', () => {
	function signed(body: string, timestamp = Math.floor(Date.now() / 1000)) {
		const contentType = 'application/json; charset=utf-8';
		const { authorization } = signTc3({
			secretId: SIMULATOR_DEFAULTS.secretId,
			secretKey: SIMULATOR_DEFAULTS.secretKey,
			service: 'lke',
			host: `127.0.0.1:${sim.port}`,
			contentType,
			body,
			timestamp,
		});
		return {
			'content-type': contentType,
			authorization,
			'x-tc-action': 'GetWsToken',
			'x-tc-version': '2023-11-30',
			'x-tc-timestamp': String(timestamp),
			'x-tc-region': 'ap-jakarta',
		};
	}
	const body = JSON.stringify({ Type: 5, BotAppKey: SIMULATOR_DEFAULTS.lkeAppKey, VisitorBizId: 'visitor-1' });

	it('accepts a request signed with signTc3', async () => {
		const res = await fetch(`${sim.url}/`, { method: 'POST', headers: signed(body), body });
		expect(res.status).toBe(200);
		const json = await res.json() as CloudApiAnswer;
		expect(json.Response).toMatchObject({ Pattern: 'standard', SingleWorkflow: null });
		expect(json.Response.Token).toMatch(/^[0-9a-f-]{36}$/);
		expect(json.Response.Error).toBeUndefined();
	});

	it('rejects a tampered body, an expired timestamp and a wrong action', async () => {
		const tampered = await fetch(`${sim.url}/`, { method: 'POST', headers: signed(body), body: body.replace('visitor-1', 'visitor-2') });
		expect(await tampered.json()).toMatchObject({ Response: { Error: { Code: 'AuthFailure.SignatureFailure' } } });

		const old = Math.floor(Date.now() / 1000) - 400;
		const expired = await fetch(`${sim.url}/`, { method: 'POST', headers: signed(body, old), body });
		expect(await expired.json()).toMatchObject({ Response: { Error: { Code: 'AuthFailure.SignatureExpire' } } });

		const wrongAction = await fetch(`${sim.url}/`, { method: 'POST', headers: { ...signed(body), 'x-tc-action': 'DescribeApp' }, body });
		const json = await wrongAction.json() as CloudApiAnswer;
		expect(json.Response.Error?.Code).toBe('InvalidAction');
		expect(typeof json.Response.RequestId).toBe('string');
	});
});

describe('AiSK', () => {
	const url = (id: string) => `${sim.url}/bv/aisk/v1/chatbots/${id}/token`;
	const auth = { authorization: `Bearer ${SIMULATOR_DEFAULTS.aiskToken}`, 'x-bv-org-id': 'org-1', 'content-type': 'application/json' };

	it('returns a token for the right bearer token and 401 code 16 otherwise', async () => {
		const ok = await fetch(url('0f8fad5b-d9cb-469f-a165-70867728950e'), { method: 'POST', headers: auth, body: '{}' });
		expect(ok.status).toBe(200);
		expect(await ok.json()).toMatchObject({ token: expect.any(String) });
		expect(sim.requests[0].headers['x-bv-org-id']).toBe('org-1');

		const bad = await fetch(url('0f8fad5b-d9cb-469f-a165-70867728950e'), { method: 'POST', headers: { ...auth, authorization: 'Bearer nope' }, body: '{}' });
		expect(bad.status).toBe(401);
		expect(await bad.json()).toMatchObject({ code: 16, details: [] });
	});

	it('maps marker ids to grpc-gateway errors, and fail-once ids succeed the second time', async () => {
		const limited = await fetch(url('00000000-0000-4000-8000-000000000429'), { method: 'POST', headers: auth, body: '{}' });
		expect(limited.status).toBe(429);
		expect(limited.headers.get('retry-after')).toBe('0');
		expect(await limited.json()).toMatchObject({ details: [{ reason: 'RATE_LIMITED', metadata: { wait_sec: '0' } }] });

		const once = '00000000-0000-4000-8000-000000f00503';
		expect((await fetch(url(once), { method: 'POST', headers: auth, body: '{}' })).status).toBe(503);
		expect((await fetch(url(once), { method: 'POST', headers: auth, body: '{}' })).status).toBe(200);

		const notUuid = await fetch(url('not-a-uuid'), { method: 'POST', headers: auth, body: '{}' });
		expect(notUuid.status).toBe(400);
		expect(await notUuid.json()).toMatchObject({ code: 3 });
	});
});

describe('tate-a-tate', () => {
	const headers = (secretKey: string = SIMULATOR_DEFAULTS.tateSecretKey) => ({
		'content-type': 'application/json',
		bot_id: 'bot-1',
		authorization: Buffer.from(JSON.stringify({ timestamp: Math.floor(Date.now() / 1000), secretKey, signature: secretKey, alg: 'simple' })).toString('base64'),
	});
	const send = (body: Record<string, unknown>, h = headers()) =>
		fetch(`${sim.url}/im/admin/v1/msg/send`, {
			method: 'POST',
			headers: h,
			body: JSON.stringify({ conversationId: '', msgType: 1, parentMsgId: '0', reqModel: 'sync', userAction: 'new', ...body }),
		});

	it('answers sync turns and carries the conversation', async () => {
		const first = await (await send({ msg: 'Hello' })).json() as TateAnswer;
		expect(first).toMatchObject({ success: true, message: 'OK', code: '1', method: null });
		const conversationId = first.object.conversationId;
		expect(conversationId).toMatch(/^01_\d+_\d+$/);
		expect(first.object).toMatchObject({ isFinal: 1, msgType: 1, msgContent: `Turn 1 of conversation ${conversationId}: you said "Hello". 收到，谢谢！👍` });
		expect(tateReplyFor('Hello', 1, conversationId)).toBe(first.object.msgContent);

		const second = await (await send({ msg: 'Again', conversationId, parentMsgId: first.object.msgId })).json() as TateAnswer;
		expect(second.object.msgContent).toBe(`Turn 2 of conversation ${conversationId}: you said "Again". 收到，谢谢！👍`);
		expect(BigInt(second.object.msgId)).toBeGreaterThan(BigInt(first.object.msgId));

		const unknown = await (await send({ msg: 'x', conversationId: '01_1_1' })).json();
		expect(unknown).toMatchObject({ success: false, code: '404' });

		const unauthorized = await send({ msg: 'x' }, headers('wrong'));
		expect(unauthorized.status).toBe(401);
		expect(await unauthorized.json()).toEqual({ success: false, message: 'Unauthorized', object: null, code: '401' });
	});

	it('streams growing msgContent until isFinal 1', async () => {
		const res = await send({ msg: 'Stream me', reqModel: 'stream' });
		expect(res.headers.get('content-type')).toContain('text/event-stream');
		const objects = wireEvents<TateAnswer>(await res.text()).map((e) => e.json.object);
		expect(objects.length).toBeGreaterThan(2);
		expect(objects.slice(0, -1).every((o) => o.isFinal === 0)).toBe(true);
		const last = objects[objects.length - 1];
		expect(last.isFinal).toBe(1);
		expect(last.msgContent).toBe(tateReplyFor('Stream me', 1, last.conversationId));
	});
});

describe('harness', () => {
	it('plays a queued script step by step, splitting a multi-byte character', async () => {
		const bytes = Buffer.from('event:reply\ndata:{"x":"你"}\n\n');
		const cut = bytes.indexOf(Buffer.from('你')) + 1;
		sim.enqueue('lke', { steps: [bytes.subarray(0, cut), { delayMs: 40 }, bytes.subarray(cut)] });
		const res = await fetch(`${sim.url}/v1/qbot/chat/sse`, { method: 'POST', body: lkeBody('scripted') });
		const reader = res.body!.getReader();
		const chunks: Uint8Array[] = [];
		for (;;) {
			const { done, value } = await reader.read();
			if (done) break;
			chunks.push(value);
		}
		expect(chunks.length).toBeGreaterThanOrEqual(2);
		expect(Buffer.from(chunks[0])).toEqual(bytes.subarray(0, cut));
		expect(Buffer.concat(chunks).toString('utf8')).toBe(bytes.toString('utf8'));
		expect(requestField(sim.requests[0], 'content')).toBe('scripted');

		// the queue is FIFO and one-shot: the next request behaves normally
		const normal = await lkeTurn('after script');
		expect(bot(normal.events).pop()?.content).toBe(lkeAnswerFor('after script'));
	});

	it('counts requests in flight and the peak', async () => {
		await Promise.all([lkeTurn('a [latency:60]'), lkeTurn('b [latency:60]'), lkeTurn('c [latency:60]')]);
		expect(sim.peakInFlight('lke')).toBe(3);
		expect(sim.inFlight()).toBe(0);
		expect(sim.lkeAnswered('b [latency:60]')).toBe(1);
	});

	it('answers unknown routes with 404 JSON', async () => {
		const res = await fetch(`${sim.url}/nope`, { method: 'POST' });
		expect(res.status).toBe(404);
		expect(await res.json()).toMatchObject({ code: 404 });
		expect(sim.requests[0].route).toBe('unknown');
	});

	it('close() ends a stalled connection instead of waiting for it', async () => {
		const own = await startSimulator();
		const res = await fetch(`${own.url}/v1/qbot/chat/sse`, { method: 'POST', body: lkeBody('wait [stall]') });
		const reader = res.body!.getReader();
		const first = await reader.read();
		expect(Buffer.from(first.value!).toString()).toContain('"is_from_self":true');
		expect(own.openConnections()).toBe(1);
		expect(own.connectionsOpened()).toBe(1);
		// The stall never ends by itself: close() resolving at all (within the test's timeout) shows it
		// destroyed the socket rather than waiting for the client to leave.
		await own.close();
		expect(own.openConnections()).toBe(0);
		await expect(reader.read()).rejects.toThrow();
	});
});
