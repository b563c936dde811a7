import {
	AISK_CHATBOT_WITHOUT_KB,
	AISK_FRAMINGS,
	aiskAnswerFor,
	aiskCitationsFor,
	aiskKnowledgeBasesFor,
	isJsonObject,
	requestField,
	SIMULATOR_DEFAULTS,
	type AiskFraming,
	type Simulator,
} from '../testkit/simulator';
import { useSimulator } from './helpers/useSimulator';

let sim: Simulator;

useSimulator((started) => (sim = started), { quiet: true });

const CHATBOT = '0f8fad5b-d9cb-469f-a165-70867728950e';
const API_AUTH = { authorization: `Bearer ${SIMULATOR_DEFAULTS.aiskToken}`, 'x-bv-org-id': 'org-1', 'content-type': 'application/json' };
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/**
 * The fields of AiSK's answers and citations these tests read, named as the vendor's API names them.
 * An answer carries the fields of its kind only: reading one it lacks fails the test at that line.
 */
interface AiskAnswer {
	token: string;
	expires_in: number;
	expired_at: string;
	knowledge_base_infos: Array<{ id: string; name: string }>;
	code: number;
	message: string;
	details: unknown[];
}

interface WireCitation {
	type: string;
	source_id: string;
	web_link: { title: string; url: string };
	local_drive: { file_name: string };
	vod: { name: string; contents: Array<{ period: unknown }> };
	video: { name: string };
	aod: { name: string };
}

async function createPromptToken(body: unknown, headers: Record<string, string> = API_AUTH) {
	const res = await fetch(`${sim.url}/bv/aisk/v1/prompts/tokens`, { method: 'POST', headers, body: JSON.stringify(body) });
	return { res, json: (await res.json()) as AiskAnswer };
}

async function promptTokenFor(chatbotId = CHATBOT, setting?: unknown): Promise<string> {
	const { res, json } = await createPromptToken({ source: { type: 'PROMPT_TOKEN_SOURCE_TYPE_CHATBOT_ID', chatbot_id: chatbotId }, ...(setting ? { setting } : {}) });
	expect(res.status).toBe(200);
	return json.token;
}

async function init(token: string, scheme = 'Bearer ') {
	const res = await fetch(`${sim.url}/bv/aisk/v1/prompts:init`, { headers: { authorization: `${scheme}${token}` } });
	return { res, json: (await res.json()) as AiskAnswer };
}

function streamBody(question: string, kbIds: string[] = aiskKnowledgeBasesFor(CHATBOT).map((kb) => kb.id), metadata: unknown = { conversation_id: 'conv-1' }) {
	return { question, kb_ids: kbIds, metadata };
}

async function ask(token: string, body: unknown) {
	const res = await fetch(`${sim.url}/bv/aisk-stream/v1/prompts`, {
		method: 'POST',
		headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
		body: JSON.stringify(body),
	});
	return { res, text: await res.text() };
}

// ---- a reference reader, written independently of the simulator's framing code ----

type Frame = { kind: 'message'; message: string; citations: WireCitation[] } | { kind: 'error'; status: unknown };

function toFrame(obj: unknown): Frame {
	if (isJsonObject(obj) && 'error' in obj) return { kind: 'error', status: obj.error };
	const inner = isJsonObject(obj) && 'result' in obj ? obj.result : obj;
	if (!isJsonObject(inner) || typeof inner.message !== 'string' || !Array.isArray(inner.citations)) {
		throw new Error(`not a message frame: ${JSON.stringify(obj)}`);
	}
	return { kind: 'message', message: inner.message, citations: inner.citations as WireCitation[] };
}

function framesOf(framing: AiskFraming, text: string): Frame[] {
	if (framing === 'array') return (JSON.parse(text) as unknown[]).map(toFrame);
	if (framing === 'sse' || framing === 'sse-result') {
		const frames: Frame[] = [];
		for (const block of text.split('\n\n')) {
			const data = block
				.split('\n')
				.filter((line) => line.startsWith('data:'))
				.map((line) => line.slice(5).replace(/^ /, ''))
				.join('\n');
			if (data === '' || data === '[DONE]') continue;
			frames.push(toFrame(JSON.parse(data)));
		}
		return frames;
	}
	return text
		.split('\n')
		.filter((line) => line.trim() !== '')
		.map((line) => toFrame(JSON.parse(line)));
}

function messages(frames: Frame[]) {
	return frames.filter((f): f is Extract<Frame, { kind: 'message' }> => f.kind === 'message');
}

function assemble(frames: Frame[], mode: 'delta' | 'cumulative'): string {
	const texts = messages(frames).map((f) => f.message);
	if (mode === 'delta') return texts.join('');
	for (let i = 1; i < texts.length; i++) expect(texts[i].startsWith(texts[i - 1])).toBe(true);
	return texts[texts.length - 1] ?? '';
}

function citationsOf(frames: Frame[]): WireCitation[] {
	const seen = new Map<string, WireCitation>();
	for (const f of messages(frames)) for (const c of f.citations) seen.set(`${c.type}:${c.source_id}`, c);
	return [...seen.values()];
}

// ---------------------------------------------------------------------------------

describe('AiSK prompt tokens', () => {
	it('issues a prompt token for a chatbot id under the API token', async () => {
		const { res, json } = await createPromptToken({ source: { type: 'PROMPT_TOKEN_SOURCE_TYPE_CHATBOT_ID', chatbot_id: CHATBOT } });
		expect(res.status).toBe(200);
		expect(typeof json.token).toBe('string');
		expect(json.token.length).toBeGreaterThan(20);
		expect(json.expires_in).toBe(3600);
		expect(Number.isNaN(Date.parse(json.expired_at))).toBe(false);
		expect(sim.requests[0].headers['x-bv-org-id']).toBe('org-1');
		expect(sim.aiskCounts().promptTokens).toBe(1);
	});

	it('refuses a missing or wrong API token with 401 code 16, and bad sources with 400 code 3', async () => {
		const source = { type: 'PROMPT_TOKEN_SOURCE_TYPE_CHATBOT_ID', chatbot_id: CHATBOT };
		const missing = await createPromptToken({ source }, { 'content-type': 'application/json' });
		expect(missing.res.status).toBe(401);
		expect(missing.json).toMatchObject({ code: 16, details: [] });
		const wrong = await createPromptToken({ source }, { ...API_AUTH, authorization: 'Bearer nope' });
		expect(wrong.res.status).toBe(401);

		for (const body of [{}, { source: { type: 'SOMETHING' } }, { source: { type: 'PROMPT_TOKEN_SOURCE_TYPE_CHATBOT_ID', chatbot_id: 'bot-1' } }]) {
			const bad = await createPromptToken(body);
			expect(bad.res.status).toBe(400);
			expect(bad.json.code).toBe(3);
		}
		const badMode = await createPromptToken({ source, setting: { citation: { mode: 'EVERYTHING' } } });
		expect(badMode.res.status).toBe(400);
		expect(badMode.json.message).toContain('setting.citation.mode');
		expect(sim.aiskCounts().promptTokens).toBe(0);
	});

	it('fails for status marker chatbot ids, and fail-once ids succeed the second time', async () => {
		const denied = await createPromptToken({ source: { type: 'PROMPT_TOKEN_SOURCE_TYPE_CHATBOT_ID', chatbot_id: '00000000-0000-4000-8000-000000000403' } });
		expect(denied.res.status).toBe(403);
		expect(denied.json.code).toBe(7);
		const once = { source: { type: 'PROMPT_TOKEN_SOURCE_TYPE_CHATBOT_ID', chatbot_id: '00000000-0000-4000-8000-000000f00503' } };
		expect((await createPromptToken(once)).res.status).toBe(503);
		expect((await createPromptToken(once)).res.status).toBe(200);
	});

	it('issues a prompt token for a publish token without the API token', async () => {
		const publish = await fetch(`${sim.url}/bv/aisk/v1/chatbots/${CHATBOT}/token`, { method: 'POST', headers: API_AUTH, body: '{}' });
		const publishToken = ((await publish.json()) as AiskAnswer).token;
		const { res, json } = await createPromptToken(
			{ source: { type: 'PROMPT_TOKEN_SOURCE_TYPE_PUBLISH_TOKEN', publish_token: publishToken } },
			{ 'content-type': 'application/json' },
		);
		expect(res.status).toBe(200);
		const info = await init(json.token);
		expect(info.json.knowledge_base_infos).toEqual(aiskKnowledgeBasesFor(CHATBOT));

		const forged = await createPromptToken({ source: { type: 'PROMPT_TOKEN_SOURCE_TYPE_PUBLISH_TOKEN', publish_token: 'not.a.token' } });
		expect(forged.res.status).toBe(401);
		expect(forged.json.code).toBe(16);
	});
});

describe('AiSK init', () => {
	it("lists the chatbot's knowledge bases under the prompt token, Bearer or bare", async () => {
		const token = await promptTokenFor();
		const { res, json } = await init(token);
		expect(res.status).toBe(200);
		const kbs = json.knowledge_base_infos;
		expect(kbs).toHaveLength(2);
		for (const kb of kbs) {
			expect(kb.id).toMatch(UUID);
			expect(typeof kb.name).toBe('string');
		}
		expect((await init(token, '')).json.knowledge_base_infos).toEqual(kbs);
		const other = await init(await promptTokenFor('1b4e28ba-2fa1-41d2-883f-0016d3cca427'));
		expect(other.json.knowledge_base_infos.map((kb) => kb.id)).not.toEqual(kbs.map((kb) => kb.id));
		expect((await init(await promptTokenFor(AISK_CHATBOT_WITHOUT_KB))).json.knowledge_base_infos).toEqual([]);
		expect(sim.aiskCounts().init).toBe(4);
	});

	it('refuses a missing header, the API token and an expired prompt token with 401 code 16', async () => {
		const token = await promptTokenFor();
		const missing = await fetch(`${sim.url}/bv/aisk/v1/prompts:init`);
		expect(missing.status).toBe(401);
		expect(await missing.json()).toMatchObject({ code: 16 });
		expect((await init(SIMULATOR_DEFAULTS.aiskToken)).res.status).toBe(401);
		sim.aiskExpirePromptTokens();
		const expired = await init(token);
		expect(expired.res.status).toBe(401);
		expect(expired.json).toMatchObject({ code: 16, details: [] });
		expect(sim.aiskCounts().init).toBe(0);
		expect((await fetch(`${sim.url}/bv/aisk/v1/prompts:init`, { method: 'POST' })).status).toBe(405);
	});
});

describe('AiSK streamed prompts', () => {
	const defaultMode: Record<AiskFraming, 'delta' | 'cumulative'> = {
		sse: 'delta',
		'sse-result': 'delta',
		'jsonl-result': 'cumulative',
		ndjson: 'delta',
		array: 'delta',
	};
	const contentType: Record<AiskFraming, string> = {
		sse: 'text/event-stream',
		'sse-result': 'text/event-stream',
		'jsonl-result': 'application/json',
		ndjson: 'application/x-ndjson',
		array: 'application/json',
	};

	it.each([...AISK_FRAMINGS])('framing %s: the messages reassemble into the answer, citations on the last one', async (framing) => {
		const token = await promptTokenFor();
		const question = `What is AiSK? 你好 [framing:${framing}]`;
		const { res, text } = await ask(token, streamBody(question));
		expect(res.status).toBe(200);
		expect(res.headers.get('content-type')).toBe(contentType[framing]);
		const frames = framesOf(framing, text);
		expect(messages(frames).length).toBeGreaterThan(3);
		expect(frames.every((f) => f.kind === 'message')).toBe(true);
		expect(assemble(frames, defaultMode[framing])).toBe(aiskAnswerFor(question));
		expect(aiskAnswerFor(question)).toContain(`AiSK answer to "${question}"`);
		const withCitations = messages(frames).map((f) => f.citations.length > 0);
		expect(withCitations.slice(0, -1).every((has) => !has)).toBe(true);
		expect(withCitations[withCitations.length - 1]).toBe(true);
		expect(citationsOf(frames)).toEqual(aiskCitationsFor(question));
		if (framing === 'sse-result' || framing === 'jsonl-result') expect(text.includes('"result":')).toBe(true);
		else expect(text.includes('"result":')).toBe(false);
	});

	it('switches between pieces and the whole answer so far with [mode:…]', async () => {
		const token = await promptTokenFor();
		for (const [framing, mode] of [
			['sse', 'cumulative'],
			['jsonl-result', 'delta'],
		] as const) {
			const question = `Modes [framing:${framing}] [mode:${mode}]`;
			const frames = framesOf(framing, (await ask(token, streamBody(question))).text);
			expect(assemble(frames, mode)).toBe(aiskAnswerFor(question));
			const first = messages(frames)[0].message;
			const second = messages(frames)[1].message;
			expect(second.startsWith(first)).toBe(mode === 'cumulative');
		}
	});

	it('sends a citation of each source type, with names where the type has them', async () => {
		const token = await promptTokenFor();
		const frames = framesOf('sse', (await ask(token, streamBody('Cite everything'))).text);
		const citations = citationsOf(frames);
		expect(citations.map((c) => c.type)).toEqual([
			'SOURCE_TYPE_WEBSITE',
			'SOURCE_TYPE_LOCAL_DRIVE',
			'SOURCE_TYPE_VOD',
			'SOURCE_TYPE_VIDEO',
			'SOURCE_TYPE_AOD',
			'SOURCE_TYPE_TEXT',
		]);
		expect(citations[0].web_link.title).toBe('Getting started — Example Help Center');
		expect(citations[0].web_link.url).toBe('https://example.com/help/getting-started');
		expect(citations[1].local_drive.file_name).toBe('產品手冊.pdf');
		expect(citations[2].vod.name).toBe('Onboarding webinar');
		expect(citations[2].vod.contents[0].period).toEqual({ start_time: '00:00:05', end_time: '00:00:09' });
		expect(citations[3].video.name).toBe('Product tour 🎬');
		expect(citations[4].aod.name).toBe('Podcast episode 12');
		expect(citations[5]).toEqual({ type: 'SOURCE_TYPE_TEXT', source_id: 'sim-src-text' });
		for (const c of citations) expect(typeof c.source_id).toBe('string');
	});

	it('places citations by [citations:…], drops them with [nocitations], restricts them for a restricted token', async () => {
		const token = await promptTokenFor();
		const each = messages(framesOf('sse', (await ask(token, streamBody('Q [citations:each]'))).text));
		expect(each.every((f) => f.citations.length === 6)).toBe(true);
		const first = messages(framesOf('sse', (await ask(token, streamBody('Q [citations:first]'))).text));
		expect(first[0].citations).toHaveLength(6);
		expect(first.slice(1).every((f) => f.citations.length === 0)).toBe(true);
		expect(citationsOf(framesOf('sse', (await ask(token, streamBody('Q [nocitations]'))).text))).toEqual([]);

		const restricted = await promptTokenFor(CHATBOT, { citation: { mode: 'PROMPT_CITATION_MODE_RESTRICTED', user_id: 'user-42' } });
		const limited = citationsOf(framesOf('sse', (await ask(restricted, streamBody('Q restricted'))).text));
		expect(limited.map((c) => c.type)).toEqual(['SOURCE_TYPE_WEBSITE', 'SOURCE_TYPE_TEXT']);
		expect(limited).toEqual(aiskCitationsFor('Q restricted', { restricted: true }));
	});

	it('answers in the requested language and ends SSE with [DONE] on [done]', async () => {
		const token = await promptTokenFor();
		const question = 'Language please [done] [split]';
		const { text } = await ask(token, streamBody(question, undefined, { conversation_id: 'c-2', language: 'zh-TW' }));
		expect(text.endsWith('data: [DONE]\n\n')).toBe(true);
		expect(assemble(framesOf('sse', text), 'delta')).toBe(aiskAnswerFor(question, 'zh-TW'));
		expect(aiskAnswerFor(question, 'zh-TW').endsWith('(language: zh-TW)')).toBe(true);
	});

	it('streams a long answer in at most 200 messages', async () => {
		const token = await promptTokenFor();
		const question = '[long:20000] [framing:jsonl-result]';
		const frames = framesOf('jsonl-result', (await ask(token, streamBody(question))).text);
		expect(messages(frames).length).toBeLessThanOrEqual(200);
		const answer = assemble(frames, 'cumulative');
		expect(Array.from(answer)).toHaveLength(20000);
		expect(answer).toBe(aiskAnswerFor(question));
	});

	it('reuses one prompt token and one init for many prompts (the counters show it)', async () => {
		const token = await promptTokenFor();
		await init(token);
		for (const q of ['one', 'two', 'three']) expect((await ask(token, streamBody(q))).res.status).toBe(200);
		expect(sim.aiskCounts()).toEqual({ promptTokens: 1, init: 1, prompts: 3, answered: 3 });
		const recorded = sim.requests.filter((r) => r.route === 'aiskStream');
		expect(recorded.map((r) => requestField(r, 'question'))).toEqual(['one', 'two', 'three']);
		expect(recorded.every((r) => r.headers.authorization === `Bearer ${token}`)).toBe(true);
	});
});

describe('AiSK stream failures', () => {
	it('refuses missing, unknown and expired prompt tokens with 401 code 16', async () => {
		const noHeader = await fetch(`${sim.url}/bv/aisk-stream/v1/prompts`, { method: 'POST', body: JSON.stringify(streamBody('q')) });
		expect(noHeader.status).toBe(401);
		expect(await noHeader.json()).toMatchObject({ code: 16 });
		expect((await ask('sim-prompt-unknown', streamBody('q'))).res.status).toBe(401);

		const token = await promptTokenFor();
		sim.aiskExpirePromptTokens();
		const expired = await ask(token, streamBody('q'));
		expect(expired.res.status).toBe(401);
		expect(JSON.parse(expired.text)).toMatchObject({ code: 16, message: 'prompt token expired', details: [] });
		expect(sim.aiskCounts().prompts).toBe(0);
	});

	it('[expire-token] revokes the token once; a renewed token gets the answer', async () => {
		const question = 'Renew me [expire-token]';
		const first = await promptTokenFor();
		expect((await ask(first, streamBody(question))).res.status).toBe(401);
		expect((await ask(first, streamBody('another question'))).res.status).toBe(401);
		const renewed = await promptTokenFor();
		const { res, text } = await ask(renewed, streamBody(question));
		expect(res.status).toBe(200);
		expect(assemble(framesOf('sse', text), 'delta')).toBe(aiskAnswerFor(question));
	});

	it('checks the body: question, kb_ids and metadata, with 400 code 3 naming the field', async () => {
		const token = await promptTokenFor();
		const cases: Array<[unknown, string]> = [
			[{ kb_ids: [], metadata: {} }, 'question'],
			[streamBody('q', []), 'kb_ids'],
			[streamBody('q', ['3b241101-e2bb-4255-8caf-4136c566a962']), 'kb_ids'],
			[{ question: 'q', kb_ids: aiskKnowledgeBasesFor(CHATBOT).map((kb) => kb.id) }, 'metadata'],
		];
		for (const [body, field] of cases) {
			const { res, text } = await ask(token, body);
			expect(res.status).toBe(400);
			const status = JSON.parse(text);
			expect(status.code).toBe(3);
			expect(status.message).toContain(field);
		}
		const noKb = await promptTokenFor(AISK_CHATBOT_WITHOUT_KB);
		expect((await ask(noKb, streamBody('no knowledge base', []))).res.status).toBe(200);
	});

	it('throttles the first N prompts with ERROR_REASON_PROMPT_THROTTLING and wait_sec, then answers', async () => {
		const token = await promptTokenFor();
		const question = 'Busy [throttle:2] [throttle-wait:0.25] [retry-after:1]';
		for (let i = 0; i < 2; i++) {
			const { res, text } = await ask(token, streamBody(question));
			expect(res.status).toBe(429);
			expect(res.headers.get('retry-after')).toBe('1');
			const status = JSON.parse(text);
			expect(status).toMatchObject({ code: 8, message: 'throttle' });
			expect(status.details[0]).toMatchObject({
				'@type': 'type.googleapis.com/google.rpc.ErrorInfo',
				reason: 'ERROR_REASON_PROMPT_THROTTLING',
				domain: 'bv.aisk.v1',
				metadata: { wait_sec: '0.25', wait: '0.25s', limit: '5', duration: '1m0s' },
			});
		}
		expect((await ask(token, streamBody(question))).res.status).toBe(200);

		const plain = await ask(token, streamBody('Busy too [throttle:1]'));
		expect(plain.res.headers.get('retry-after')).toBeNull();
		expect(JSON.parse(plain.text).details[0].metadata.wait_sec).toBe('0');
	});

	it('answers out of quota with ERROR_REASON_PROMPT_OUT_OF_QUOTA and reset_at at the next midnight (+08:00)', async () => {
		const token = await promptTokenFor();
		for (let i = 0; i < 2; i++) {
			const { res, text } = await ask(token, streamBody('Too much [quota]'));
			expect(res.status).toBe(429);
			const status = JSON.parse(text);
			expect(status).toMatchObject({ code: 8, message: 'out of quota' });
			const info = status.details[0];
			expect(info.reason).toBe('ERROR_REASON_PROMPT_OUT_OF_QUOTA');
			expect(info.metadata.reset_at).toMatch(/^\d{4}-\d{2}-\d{2}T00:00:00\+08:00$/);
			const resetAt = Date.parse(info.metadata.reset_at);
			expect(resetAt).toBeGreaterThan(Date.now());
			expect(resetAt - Date.now()).toBeLessThanOrEqual(24 * 3600 * 1000);
			expect(Number(info.metadata.reset_in_sec)).toBeGreaterThan(0);
		}
	});

	it('wraps errors before the stream as {"error": Status} with [errors-wrapped]', async () => {
		const token = await promptTokenFor();
		const { res, text } = await ask(token, streamBody('Wrapped [errors-wrapped] [quota]'));
		expect(res.status).toBe(429);
		expect(text.endsWith('\n')).toBe(true);
		const body = JSON.parse(text);
		expect(body.error).toMatchObject({ code: 8, details: [{ reason: 'ERROR_REASON_PROMPT_OUT_OF_QUOTA' }] });

		const unauthorized = await ask('sim-prompt-unknown', streamBody('Wrapped [errors-wrapped]'));
		expect(unauthorized.res.status).toBe(401);
		expect(JSON.parse(unauthorized.text).error.code).toBe(16);
	});

	it('maps [status:SSS] to the gRPC code grpc-gateway uses', async () => {
		const token = await promptTokenFor();
		const expected: Array<[number, number]> = [
			[403, 7],
			[500, 13],
			[503, 14],
		];
		for (const [http, code] of expected) {
			const { res, text } = await ask(token, streamBody(`Fail [status:${http}]`));
			expect(res.status).toBe(http);
			expect(JSON.parse(text).code).toBe(code);
		}
	});

	it.each([...AISK_FRAMINGS])('framing %s: an error in the middle arrives as {"error": Status} after a prefix of the answer', async (framing) => {
		const token = await promptTokenFor();
		const question = `Half [framing:${framing}] [error-mid:503]`;
		const { res, text } = await ask(token, streamBody(question));
		expect(res.status).toBe(200);
		const frames = framesOf(framing, text);
		const last = frames[frames.length - 1];
		expect(last).toEqual({ kind: 'error', status: expect.objectContaining({ code: 14 }) });
		const partial = assemble(frames.slice(0, -1), framing === 'jsonl-result' ? 'cumulative' : 'delta');
		expect(partial.length).toBeGreaterThan(0);
		expect(aiskAnswerFor(question).startsWith(partial)).toBe(true);
		expect(partial).not.toBe(aiskAnswerFor(question));
		expect(sim.aiskCounts()).toMatchObject({ prompts: 1, answered: 0 });
	});

	it('[reset] cuts the connection after a prefix of the answer', async () => {
		const token = await promptTokenFor();
		const res = await fetch(`${sim.url}/bv/aisk-stream/v1/prompts`, {
			method: 'POST',
			headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
			body: JSON.stringify(streamBody('Cut [reset] [framing:ndjson]')),
		});
		expect(res.status).toBe(200);
		const reader = res.body!.getReader();
		let received = '';
		const decoder = new TextDecoder();
		await expect(
			(async () => {
				for (;;) {
					const { done, value } = await reader.read();
					if (done) return;
					received += decoder.decode(value, { stream: true });
				}
			})(),
		).rejects.toThrow();
		const lines = received.split('\n').filter((line) => line.trim() !== '');
		const partial = lines.map((line) => JSON.parse(line).message).join('');
		expect(aiskAnswerFor('Cut [reset] [framing:ndjson]').startsWith(partial)).toBe(true);
		expect(sim.aiskCounts().answered).toBe(0);
	});

	it('plays a queued script on the stream route instead of answering', async () => {
		sim.enqueue('aiskStream', { headers: { 'content-type': 'text/event-stream' }, steps: ['data: {"message":"scripted","citations":[]}\n\n'] });
		const { res, text } = await ask('any', streamBody('q'));
		expect(res.status).toBe(200);
		expect(assemble(framesOf('sse', text), 'delta')).toBe('scripted');
	});
});
