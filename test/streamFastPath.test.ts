/**
 * The fast stream path must give exactly what the straightforward path gave:
 * - the LKE byte reader (readRawSseEvents) against readSseEvents (TextDecoder + eventsource-parser),
 *   on tricky and on random streams, at random chunkings;
 * - LkeEventReader + the aggregator's hint against parseLkeEvent on the decoded data, including
 *   the edges where the fast path must step aside (rewritten content, a character or an escape cut
 *   where the previous content ended, a "content" key elsewhere, invalid JSON, cut-off events);
 * - a whole turn over HTTP, and connection reuse between sequential turns.
 */
import { buildLkeChatRequest } from '../nodes/TencentLke/chatRequest';
import { runLkeChatTurn } from '../nodes/TencentLke/chatClient';
import { LkeEventReader } from '../nodes/TencentLke/stream/fastEventReader';
import { AdpV2TurnAggregator } from '../nodes/TencentLke/chatAggregatorV2';
import { buildAdpV2ChatRequest } from '../nodes/TencentLke/chatRequestV2';
import { type AdpV2Event } from '../nodes/TencentLke/stream/adpV2Event';
import { AdpV2EventReader } from '../nodes/TencentLke/stream/adpV2Reader';
import { LkeTurnAggregator } from '../nodes/TencentLke/chatAggregator';
import { parseLkeEvent, type LkeEvent } from '../nodes/TencentLke/stream/lkeEvent';
import { PreviousContentBytes } from '../nodes/TencentLke/stream/previousContent';
import { decodeUtf8Flat, readRawSseEvents, SseData } from '../nodes/TencentLke/stream/sseByteReader';
import { readSseEvents, type SseEvent } from '../nodes/shared/sse';
import { asyncChunks as chunksOf, mulberry32 as prng } from './helpers/prng';
import { adpV2AnswerFor, lkeAnswerFor, type Simulator } from '../testkit/simulator';
import { useSimulator } from './helpers/useSimulator';

/* ---------- the byte reader, seen as string events, against readSseEvents (eventsource-parser) ---------- */

async function* byteReaderEvents(chunks: AsyncIterable<Uint8Array>, maxEventChars?: number): AsyncGenerator<SseEvent> {
	for await (const raw of readRawSseEvents(chunks, maxEventChars)) {
		const event: SseEvent = { event: raw.event, data: raw.data.text() };
		if (raw.unterminated) event.unterminated = true;
		yield event;
	}
}


interface Outcome {
	events: unknown[];
	error?: string;
}

async function collect<T>(iterable: AsyncIterable<T>, map: (value: T) => unknown = (value) => value): Promise<Outcome> {
	const events: unknown[] = [];
	try {
		for await (const value of iterable) events.push(map(value));
	} catch (error) {
		return { events, error: error instanceof Error ? `${error.name}: ${error.message}` : String(error) };
	}
	return { events };
}


function randomCuts(bytes: Buffer, random: () => number, maxPieces: number): Buffer[] {
	const count = 1 + Math.floor(random() * maxPieces);
	const cuts = new Set<number>();
	for (let i = 1; i < count; i++) cuts.add(Math.floor(random() * (bytes.length + 1)));
	const sorted = [0, ...[...cuts].sort((a, b) => a - b), bytes.length];
	const parts: Buffer[] = [];
	for (let i = 1; i < sorted.length; i++) parts.push(bytes.subarray(sorted[i - 1], sorted[i]));
	return parts;
}

async function expectSameAsReference(parts: Buffer[], maxEventChars?: number): Promise<void> {
	const actual = await collect(byteReaderEvents(chunksOf(parts), maxEventChars));
	const expected = await collect(readSseEvents(chunksOf(parts), maxEventChars));
	expect(actual).toEqual(expected);
}

const TRICKY = [
	'event:reply\ndata:{"content":"你好，世界 🌏"}\n\n: a comment\n\nevent:reply\r\ndata:{"content":"第二"}\r\n\r\ndata:line one\ndata:line two\n\n',
	'\uFEFFdata:after a BOM\n\n',
	'\u00ef\u00bb\u00bfdata:after a latin-1 BOM\n\n',
	'data: leading space kept once\ndata:  two spaces\n\n',
	'data\n\ndata:\n\ndata\ndata:x\n\n',
	'event\ndata:no type\n\nevent:\ndata:empty type\n\n',
	'event:first\n\ndata:type reset by the blank line\n\n',
	'id:1\nretry:100\nretry:x\nfoo:bar\nbaz\n:comment\ndata:fields\n\n',
	'data:cr only\r\rdata:mixed\r\n\n\rdata:end\r',
	'data:\uFEFFa BOM inside the data\n\n',
	'data:ends without a blank line',
	'data:ends with one newline\n',
	'data:ends with CR\r',
	'data:a\r\n\r',
	'\r\n\r\n\n\ndata:after blank lines\n\n',
	'event:reply\ndata:{"a":1}\n\nevent:reply\ndata:{"b":\n\n',
].map((text) => Buffer.from(text));

const INVALID_UTF8 = [
	Buffer.concat([Buffer.from('data:bad '), Buffer.from([0xe4, 0xbd]), Buffer.from('\n\ndata:ok\n\n')]),
	Buffer.concat([Buffer.from('data:'), Buffer.from([0xff, 0x80, 0xc3]), Buffer.from('\r\n\r\n')]),
	Buffer.concat([Buffer.from('data:end in a cut character '), Buffer.from([0xf0, 0x9f, 0x8c])]),
	Buffer.from([0xef, 0xbb]),
	Buffer.concat([Buffer.from([0xef]), Buffer.from('data:x\n\n')]),
];

describe('the byte reader against readSseEvents (eventsource-parser)', () => {
	it.each(TRICKY.concat(INVALID_UTF8).map((bytes, index) => [index, bytes] as const))('stream %i: same events at every two-chunk split', async (_index, bytes) => {
		await expectSameAsReference([bytes]);
		for (let cut = 0; cut <= bytes.length; cut++) await expectSameAsReference([bytes.subarray(0, cut), bytes.subarray(cut)]);
	});

	it('same events for every byte alone and for random chunkings', async () => {
		const random = prng(5);
		for (const bytes of TRICKY.concat(INVALID_UTF8)) {
			await expectSameAsReference(Array.from(bytes, (byte) => Buffer.of(byte)));
			for (let round = 0; round < 20; round++) await expectSameAsReference(randomCuts(bytes, random, 6));
		}
	});

	it('same events on random streams of lines, separators and characters', async () => {
		const random = prng(42);
		const atoms = ['data:', 'data: ', 'event:', 'event: ', 'id:', ':', 'x', '你', '🌏', ' ', '\n', '\n', '\r', '\r\n', 'data', 'reply', '\uFEFF', '{"a":1}'];
		for (let round = 0; round < 400; round++) {
			let text = '';
			const length = Math.floor(random() * 40);
			for (let i = 0; i < length; i++) text += atoms[Math.floor(random() * atoms.length)];
			await expectSameAsReference(randomCuts(Buffer.from(text), random, 5));
		}
	});

	it('applies the size limit in decoded characters, like before', async () => {
		// 400 CJK characters are 1200 bytes: under a 1000-character limit as text, over it as bytes.
		const cjk = Buffer.from(`data:${'你'.repeat(400)}\n\ndata:${'你'.repeat(1100)}\n\n`);
		for (const parts of [[cjk], randomCuts(cjk, prng(7), 8)]) await expectSameAsReference(parts, 1000);
		// Checked after each chunk on what is still pending: byte by byte, the second event trips it.
		const bytewise = Array.from(cjk, (byte) => Buffer.of(byte));
		await expectSameAsReference(bytewise, 1000);
		const outcome = await collect(byteReaderEvents(chunksOf(bytewise), 1000));
		expect(outcome.events).toHaveLength(1);
		expect(outcome.error).toMatch(/longer than 1000 characters/);
		const random = prng(11);
		for (let round = 0; round < 100; round++) {
			const text = Array.from({ length: 1 + Math.floor(random() * 4) }, () => `data:${'ab你🌏'.repeat(Math.floor(random() * 30))}\n${random() < 0.5 ? '\n' : ''}`).join('');
			await expectSameAsReference(randomCuts(Buffer.from(text), random, 6), 20 + Math.floor(random() * 60));
		}
	});

	it('keeps data as the received chunks, without copying them', async () => {
		const parts = [Buffer.from('data:{"content":"'), Buffer.from('x'.repeat(100)), Buffer.from('"}\n\n')];
		const events = (await collect(readRawSseEvents(chunksOf(parts)))).events as Array<{ data: { parts: Buffer[] } }>;
		expect(events).toHaveLength(1);
		expect(events[0].data.parts[1].buffer).toBe(parts[1].buffer);
	});
});

/* ---------- the LKE reader against parseLkeEvent on decoded data ---------- */

function sse(type: string | undefined, json: string): string {
	return `${type === undefined ? '' : `event:${type}\n`}data:${json}\n\n`;
}

function replyJson(content: string, extra: Record<string, unknown> = {}): string {
	return JSON.stringify({
		type: 'reply',
		payload: { can_feedback: false, content, is_final: false, is_from_self: false, record_id: 'bot-1', request_id: 'r', session_id: 's', ...extra },
		message_id: 'm',
	});
}

interface Folded {
	result?: unknown;
	deltas: string[];
	error?: string;
}

async function foldReference(parts: Buffer[], incremental: boolean): Promise<Folded> {
	const aggregator = new LkeTurnAggregator(incremental, { sessionId: 's0', requestId: 'r0' });
	const deltas: string[] = [];
	try {
		for await (const event of readSseEvents(chunksOf(parts))) {
			const parsed = parseLkeEvent(event);
			if (parsed) deltas.push(aggregator.accept(parsed));
		}
	} catch (error) {
		return { deltas, error: String(error), result: aggregator.result() };
	}
	return { deltas, result: aggregator.result() };
}

async function foldFast(parts: Buffer[], incremental: boolean, stats?: { hinted: number }): Promise<Folded> {
	const aggregator = new LkeTurnAggregator(incremental, { sessionId: 's0', requestId: 'r0' });
	const reader = new LkeEventReader();
	const deltas: string[] = [];
	try {
		for await (const raw of readRawSseEvents(chunksOf(parts), undefined, reader.repeats)) {
			const parsed = reader.read(raw);
			if (!parsed) continue;
			if (parsed.hint && stats) stats.hinted++;
			deltas.push(aggregator.accept(parsed.event, parsed.hint));
		}
	} catch (error) {
		return { deltas, error: String(error), result: aggregator.result() };
	}
	return { deltas, result: aggregator.result() };
}

async function expectSameFold(stream: Buffer, incremental: boolean, random = prng(1), rounds = 3): Promise<{ hinted: number }> {
	const stats = { hinted: 0 };
	const expected = await foldReference([stream], incremental);
	expect(await foldFast([stream], incremental, stats)).toEqual(expected);
	for (let round = 0; round < rounds; round++) {
		const parts = randomCuts(stream, random, 40);
		expect(await foldFast(parts, incremental)).toEqual(expected);
	}
	return stats;
}

/** A cumulative stream: each reply carries all pieces so far. */
function cumulativeStream(pieces: string[], options: { json?: (content: string, index: number, final: boolean) => string } = {}): Buffer {
	const json = options.json ?? ((content, _index, final) => replyJson(content, { is_final: final }));
	let text = sse('reply', replyJson('the question', { is_from_self: true, is_final: true, record_id: 'echo' }));
	let soFar = '';
	pieces.forEach((piece, index) => {
		soFar += piece;
		text += sse('reply', json(soFar, index, index === pieces.length - 1));
		if (index === 1) text += sse('reference', JSON.stringify({ type: 'reference', payload: { references: [{ id: '1', name: '文档' }] } }));
	});
	text += sse('token_stat', JSON.stringify({ type: 'token_stat', payload: { token_count: 7, status_summary: 'success' } }));
	return Buffer.from(text);
}

const LONG = 'Streaming text 你好，世界！🚀 "quoted" back\\slash\nnew line\ttab \u2028 '.repeat(60);

describe('LkeEventReader: the same events, results and deltas as parsing every event whole', () => {
	it('takes the fast path on long cumulative replies and gives identical results', async () => {
		const pieces = Array.from({ length: 12 }, (_, index) => LONG.slice(0, 300 + index * 37));
		const stats = await expectSameFold(cumulativeStream(pieces), false);
		expect(stats.hinted).toBeGreaterThan(5);
	});

	it('surrogate pairs and escapes cut exactly where the previous content ended', async () => {
		// JSON.stringify writes lone surrogates as \ud83d escapes: the pair is split between events.
		const base = LONG.slice(0, 3000);
		const pieces = [base, '\ud83d', '\ude80 after the pair', '\\', 'n is not a newline', '"', 'end'];
		const stats = await expectSameFold(cumulativeStream(pieces), false);
		expect(stats.hinted).toBeGreaterThan(3);
	});

	it('steps aside when the previous content ended inside a UTF-8 character (invalid bytes completed later)', async () => {
		const prefix = Buffer.from(`data:{"type":"reply","payload":{"record_id":"b","content":"${'a'.repeat(3000)}`);
		const events = [
			Buffer.concat([prefix, Buffer.from([0xe4, 0xbd]), Buffer.from('","is_final":false}}\n\n')]),
			Buffer.concat([prefix, Buffer.from([0xe4, 0xbd, 0xa0]), Buffer.from('好","is_final":false}}\n\n')]),
			Buffer.concat([prefix, Buffer.from([0xe4, 0xbd, 0xa0]), Buffer.from('好 world","is_final":true}}\n\n')]),
		];
		await expectSameFold(Buffer.concat(events), false);
	});

	it('content rewritten instead of extended, and a reply for another record', async () => {
		const a = LONG.slice(0, 2500);
		const stream = Buffer.from(
			sse('reply', replyJson(a)) +
				sse('reply', replyJson(a + ' more')) +
				sse('reply', replyJson('Rewritten: ' + a)) +
				sse('reply', replyJson(a + ' more and more', { record_id: 'bot-2' })) +
				sse('reply', replyJson(a + ' more and more!', { record_id: 'bot-2', is_final: true })),
		);
		await expectSameFold(stream, false);
	});

	it('a "content" key elsewhere, before payload.content, and Python-style spacing', async () => {
		const pieces = [LONG.slice(0, 2200), LONG.slice(2200, 2600), LONG.slice(2600, 2700)];
		const nested = cumulativeStream(pieces, {
			json: (content, index, final) =>
				JSON.stringify({ type: 'reply', payload: { quote: { content: `quote ${index}` }, content, is_final: final, record_id: 'b' } }),
		});
		await expectSameFold(nested, false);
		const spaced = cumulativeStream(pieces, {
			json: (content, _index, final) => JSON.stringify({ type: 'reply', payload: { content, is_final: final, record_id: 'b' } }, null, 1).replace(/\n\s*/g, ' '),
		});
		expect(await expectSameFold(spaced, false)).toEqual({ hinted: 2 });
		const duplicateKey = Buffer.from(
			sse('reply', `{"type":"reply","payload":{"record_id":"b","content":"${'x'.repeat(3000)}","content":"the last one wins"}}`) +
				sse('reply', `{"type":"reply","payload":{"record_id":"b","content":"${'x'.repeat(3000)}y","content":"the last one wins!","is_final":true}}`),
		);
		await expectSameFold(duplicateKey, false);
	});

	it('long thought events (a "content" key deeper down), under their own name and under "reply"', async () => {
		const thought = (content: string) =>
			JSON.stringify({ type: 'thought', payload: { procedures: [{ index: 0, name: 'thought', debugging: { content }, status: 'processing' }], record_id: 'b' } });
		const stream = Buffer.from(
			sse('thought', thought(LONG.slice(0, 2500))) +
				sse('reply', thought(LONG.slice(0, 2600))) +
				sse('thought', thought(LONG.slice(0, 2700))) +
				sse('reply', replyJson(LONG.slice(0, 2100))) +
				sse('reply', replyJson(LONG.slice(0, 2200), { is_final: true })),
		);
		await expectSameFold(stream, false);
		await expectSameFold(stream, true);
	});

	it('long cumulative thoughts (reasoning models) take the fast path too, then the replies', async () => {
		const procedure = (content: string, index: number, status = 'processing') => ({
			debugging: { content },
			elapsed: 12,
			icon: 'https://example.com/think.png',
			index,
			name: 'thought',
			status,
			title: '思考',
		});
		const thought = (procedures: object[]) => JSON.stringify({ type: 'thought', payload: { elapsed: 30, is_workflow: false, procedures, record_id: 'b' } });
		const reasoning = LONG.repeat(3).slice(0, 9000);
		let text = sse('reply', replyJson('the question', { is_from_self: true, is_final: true, record_id: 'echo' }));
		for (let end = 2500; end <= reasoning.length; end += 700) text += sse('thought', thought([procedure(reasoning.slice(0, end), 0)]));
		// A search step before the thinking: the first "content" key is not the long one.
		for (let end = 2500; end <= 5000; end += 900) text += sse('thought', thought([procedure('searched 3 pages', 0, 'success'), procedure(reasoning.slice(0, end), 1)]));
		const pieces = Array.from({ length: 6 }, (_, index) => LONG.slice(index * 500, index * 500 + 2500));
		let soFar = '';
		pieces.forEach((piece, index) => {
			soFar += piece;
			text += sse('reply', replyJson(soFar, { is_final: index === pieces.length - 1 }));
		});
		const stream = Buffer.from(text);
		await expectSameFold(stream, false, prng(12), 4);
		const reader = new LkeEventReader();
		const fastTypes: Array<string | undefined> = [];
		for await (const raw of readRawSseEvents(chunksOf(randomCuts(stream, prng(13), 60)), undefined, reader.repeats)) {
			const before = reader.fastReads;
			const type = reader.read(raw)?.event.type;
			if (reader.fastReads > before) fastTypes.push(type);
		}
		// The 10 one-procedure thoughts, the 3 two-procedure ones (on their first, short content) and 6 replies.
		expect(fastTypes).toEqual([...Array(13).fill('thought'), ...Array(6).fill('reply')]);
	});

	it('the type taken from the SSE event name when the JSON has none', async () => {
		const stream = Buffer.from(
			sse('reply', JSON.stringify({ payload: { content: LONG.slice(0, 2100), record_id: 'b' } })) +
				sse('reply', JSON.stringify({ payload: { content: LONG.slice(0, 2300), record_id: 'b', is_final: true } })),
		);
		await expectSameFold(stream, false);
	});

	it('invalid JSON in the new part fails the same way (raw control character)', async () => {
		const a = 'x'.repeat(3000);
		const stream = Buffer.from(sse('reply', replyJson(a)) + sse('reply', replyJson(a).replace(a, a + 'bad\u0001char')));
		const fast = await foldFast([stream], false);
		expect(fast).toEqual(await foldReference([stream], false));
		expect(fast.error).toMatch(/not valid JSON/);
	});

	it('a long last event cut off without its end is dropped, like before', async () => {
		const a = LONG.slice(0, 2500);
		const whole = sse('reply', replyJson(a)) + sse('reply', replyJson(a + ' and more', { is_final: true }));
		const cut = Buffer.from(whole.slice(0, whole.length - 40));
		const fast = await foldFast([cut], false);
		expect(fast).toEqual(await foldReference([cut], false));
		expect((fast.result as { isFinal: boolean }).isFinal).toBe(false);
	});

	it('long incremental pieces with escapes around the 32 KB decoding slices', async () => {
		const random = prng(3);
		const pieces = Array.from({ length: 4 }, () => {
			let text = '';
			while (text.length < 40_000) {
				const r = random();
				text += r < 0.05 ? '\n' : r < 0.08 ? '"' : r < 0.1 ? '\\' : r < 0.12 ? '\u0007' : r < 0.14 ? '🚀' : r < 0.5 ? '你' : 'a';
			}
			return text;
		});
		let stream = '';
		pieces.forEach((piece, index) => {
			stream += sse('reply', replyJson(piece, { is_final: index === pieces.length - 1 }));
		});
		await expectSameFold(Buffer.from(stream), true, random, 2);
	});

	it('parses escapes cut by a 32 KB decoding slice on the fast path', async () => {
		// In JSON these are written as escapes: backslash-backslash, backslash-n, backslash-u0007, backslash-quote, backslash-ud83d.
		for (const escaped of ['\\', '\n', '\u0007', '"', '\ud83d', '\ud83d\ude80']) {
			for (let before = 32_768 - 7; before <= 32_768 + 1; before++) {
				const piece = 'a'.repeat(before) + escaped + 'b'.repeat(100);
				const stream = Buffer.from(sse('reply', replyJson(piece, { is_final: true })));
				const reader = new LkeEventReader();
				let event: LkeEvent | undefined;
				for await (const raw of readRawSseEvents(chunksOf([stream]))) event = reader.read(raw)?.event;
				expect(reader.fastReads).toBe(1);
				expect(event?.payload?.content).toBe(piece);
			}
		}
	});

	it('random cumulative streams with escapes, multi-byte text and random chunking', async () => {
		const random = prng(99);
		const alphabet = ['a', ' ', '你', '🚀', '\n', '"', '\\', '/', '\u00e9', '\ud83d', '\ude80', '\u2028', '\t'];
		for (let round = 0; round < 25; round++) {
			let answer = '';
			while (answer.length < 2500 + random() * 3000) answer += alphabet[Math.floor(random() * alphabet.length)];
			const count = 2 + Math.floor(random() * 8);
			const cuts = Array.from({ length: count - 1 }, () => Math.floor(random() * answer.length)).sort((a, b) => a - b);
			const pieces = [0, ...cuts, answer.length].slice(1).map((end, index, ends) => answer.slice(index === 0 ? 0 : ends[index - 1], end));
			await expectSameFold(cumulativeStream(pieces), false, random, 2);
			await expectSameFold(cumulativeStream(pieces), true, random, 1);
		}
	});

	it('the event objects are the ones parseLkeEvent gives', async () => {
		const a = LONG.slice(0, 2600);
		const stream = Buffer.from(sse('reply', replyJson(a, { knowledge: [{ id: '1' }] })) + sse('reply', replyJson(a + '!', { quote_infos: [{ index: 1 }] })));
		const expected: LkeEvent[] = [];
		for await (const event of readSseEvents(chunksOf([stream]))) expected.push(parseLkeEvent(event)!);
		const reader = new LkeEventReader();
		const actual: LkeEvent[] = [];
		for await (const raw of readRawSseEvents(chunksOf(randomCuts(stream, prng(8), 10)))) actual.push(reader.read(raw)!.event);
		expect(actual).toEqual(expected);
		expect(JSON.stringify(actual)).toBe(JSON.stringify(expected));
	});
});

/* ---------- one flat decode of a long text: the same text as the WHATWG decoder ---------- */

describe('decodeUtf8Flat and SseData.flatText: the same text as TextDecoder (WHATWG UTF-8, BOM kept)', () => {
	const reference = (bytes: Buffer) => new TextDecoder('utf-8', { ignoreBOM: true }).decode(bytes);
	const cases: Array<[string, Buffer]> = [
		['empty', Buffer.alloc(0)],
		['ASCII, control characters included', Buffer.from('plain text\u0000\t\u001f "quoted" \\ end')],
		['Latin-1 beyond ASCII', Buffer.from('café, naïve, ß, ÿ')],
		['CJK and an emoji (4-byte sequences)', Buffer.from('你好，世界！🚀 mixed with ASCII')],
		['a BOM at the start and inside', Buffer.from('\uFEFFstart \uFEFF inside')],
		['a lone continuation byte', Buffer.from([0x41, 0x80, 0x42])],
		['a 3-byte sequence cut short', Buffer.from([0x41, 0xe4, 0xbd])],
		['a 4-byte sequence cut short, then ASCII', Buffer.from([0xf0, 0x9f, 0x8c, 0x41])],
		['an overlong encoding', Buffer.from([0xc0, 0x80])],
		['an encoded surrogate', Buffer.from([0xed, 0xa0, 0x80])],
		['bytes that never start a sequence', Buffer.from([0xf5, 0x80, 0xff, 0xfe])],
	];

	it.each(cases)('%s', (_name, bytes) => {
		expect(decodeUtf8Flat(bytes)).toBe(reference(bytes));
	});

	it('random bytes and random valid text, short and long (over 64 KB)', () => {
		const random = prng(21);
		const alphabet = ['a', 'Z', ' ', 'é', 'ß', '你', '好', '🚀', '\uFEFF', '\u0001'];
		for (let round = 0; round < 60; round++) {
			const length = round % 10 === 0 ? 70_000 + Math.floor(random() * 30_000) : Math.floor(random() * 300);
			const raw = Buffer.from(Array.from({ length }, () => Math.floor(random() * 256)));
			expect(decodeUtf8Flat(raw)).toBe(reference(raw));
			const text = Array.from({ length }, () => alphabet[Math.floor(random() * alphabet.length)]).join('');
			expect(decodeUtf8Flat(Buffer.from(text))).toBe(text);
		}
	});

	it('flatText reads across the buffers the bytes arrived in, characters cut between them included', () => {
		const random = prng(22);
		const bytes = Buffer.from('前言 ' + 'é你🚀x'.repeat(20_000) + ' end');
		for (let round = 0; round < 10; round++) {
			const data = new SseData(randomCuts(bytes, random, 12), bytes.length);
			const start = Math.floor(random() * 20);
			const end = bytes.length - Math.floor(random() * 20);
			expect(data.flatText(start, end)).toBe(reference(bytes.subarray(start, end)));
			expect(data.flatText()).toBe(reference(bytes));
		}
	});
});

describe('SseData.matchLength (how many bytes, from the start of a chunk, repeat the data from an offset)', () => {
	const whole = Buffer.from('abcdefghijklmnopqrstuvwxyz');
	const data = new SseData([whole.subarray(0, 5), whole.subarray(5, 6), whole.subarray(6, 20), whole.subarray(20)], whole.length);

	it.each([
		['all of it, across every part', 0, 'abcdefghijklmnopqrstuvwxyz', 26],
		['from inside a part, across parts', 4, 'efghij', 6],
		['a chunk longer than the data: up to its end', 20, 'uvwxyz and more', 6],
		['the first byte differs', 3, 'xyz', 0],
		['differs inside a later part', 2, 'cdefgh!', 6],
		['differs right at a part boundary', 4, 'e!', 1],
		['an empty chunk', 3, '', 0],
		['an offset at the end', 26, 'a', 0],
		['an offset past the end', 30, 'a', 0],
		['a negative offset', -1, 'a', 0],
	])('%s', (_name, offset, chunk, expected) => {
		expect(data.matchLength(offset, Buffer.from(chunk))).toBe(expected);
	});
});

/* ---------- repeated bytes: the reader's own copy of the previous content takes the network bytes' place ---------- */

describe('PreviousContentBytes (the previous content the next cumulative reply repeats)', () => {
	const text = (store: PreviousContentBytes) => store.data().copy().toString('latin1');
	const bytes = (value: string) => Buffer.from(value, 'latin1');

	it('offers nothing to match until a content was extended (incremental pieces are never copied)', () => {
		const store = new PreviousContentBytes();
		const piece = bytes('x'.repeat(5000));
		store.reset(SseData.of(piece));
		expect(store.data().parts[0]).toBe(piece);
		expect(store.matchLength(0, piece)).toBe(0);
		expect(store.startIn(SseData.of(bytes('data:{"payload":{"content":"xx')), 0)).toBe(-1);
	});

	it('appends into segments of its own, and matches across them up to the first differing byte', () => {
		const store = new PreviousContentBytes();
		const random = prng(5);
		let expected = '';
		const first = 'a'.repeat(3000);
		store.reset(SseData.of(bytes(first)));
		expected += first;
		while (expected.length < 150_000) {
			let added = '';
			while (added.length < 2000 + random() * 9000) added += String.fromCharCode(32 + Math.floor(random() * 90));
			expect(store.extend(SseData.of(bytes(added)))).toBe(true);
			expected += added;
		}
		expect(store.data().parts.length).toBeGreaterThan(2);
		expect(text(store)).toBe(expected);
		for (let round = 0; round < 200; round++) {
			const offset = Math.floor(random() * expected.length);
			const length = 1 + Math.floor(random() * 70_000);
			const same = bytes(expected.slice(offset, offset + length));
			expect(store.matchLength(offset, same)).toBe(same.length);
			const differ = Math.floor(random() * same.length);
			const changed = Buffer.from(same);
			changed[differ] = changed[differ] === 0x21 ? 0x22 : 0x21;
			expect(store.matchLength(offset, changed)).toBe(differ);
			// Past the end of the known bytes, only what they hold matches.
			if (offset + length >= expected.length) expect(store.matchLength(offset, Buffer.concat([same, bytes('tail')]))).toBe(same.length);
		}
		expect(store.matchLength(expected.length, bytes('more'))).toBe(0);
	});

	it('never takes bytes holding a line end, and never changes bytes once handed out', () => {
		const store = new PreviousContentBytes();
		store.reset(SseData.of(bytes('b'.repeat(3000))));
		expect(store.extend(SseData.of(bytes('c'.repeat(100))))).toBe(true);
		const handedOut = store.pieces(0, 3100).map((piece) => Buffer.from(piece));
		const views = store.pieces(0, 3100);
		// JSON's escapes are fine; a raw CR or LF would be a line end the parser no longer looks for.
		expect(store.extend(SseData.of(bytes(String.raw`line\nend\r`)))).toBe(true);
		expect(store.extend(SseData.of(bytes('raw\nline')))).toBe(false);
		expect(store.extend(SseData.of(bytes('raw\rline')))).toBe(false);
		expect(text(store)).toBe('b'.repeat(3000) + 'c'.repeat(100) + String.raw`line\nend\r`);
		store.reset(SseData.of(bytes('d'.repeat(3000))));
		store.extend(SseData.of(bytes('e'.repeat(40_000))));
		expect(views.map((piece) => Buffer.from(piece))).toEqual(handedOut);
	});

	it('finds where a data line repeats it: after "content":" (spaces allowed), not in other lines', () => {
		const store = new PreviousContentBytes();
		store.reset(SseData.of(bytes('z'.repeat(3000))));
		store.extend(SseData.of(bytes('z')));
		expect(store.startIn(SseData.of(bytes('data:{"type":"reply","payload":{"content":"zz')), 0)).toBe(43);
		expect(store.startIn(SseData.of(bytes('data: {"payload": {"content":  "')), 0)).toBe(32);
		expect(store.startIn(SseData.of(bytes('event: reply')), 0)).toBe(-1);
		expect(store.startIn(SseData.of(bytes('data:{"payload":{"content":')), 0)).toBe(-1);
		expect(store.startIn(SseData.of(bytes(': "content":"zz')), 0)).toBe(-1);
		// one content per line: nothing after a first repeated part
		expect(store.startIn(SseData.of(bytes('data:{"type":"reply","payload":{"content":"zz')), 1)).toBe(-1);
	});
});

describe('LKE reply lines repeating the previous content', () => {
	/** The bytes of each event's data that are the reader's own, not the chunks it was given. */
	async function ownBytesPerEvent(stream: Buffer, parts: Buffer[]): Promise<Array<{ own: number; total: number }>> {
		const reader = new LkeEventReader();
		const out: Array<{ own: number; total: number }> = [];
		for await (const raw of readRawSseEvents(chunksOf(parts), undefined, reader.repeats)) {
			const own = raw.data.parts.filter((part) => part.buffer !== stream.buffer).reduce((sum, part) => sum + part.length, 0);
			out.push({ own, total: raw.data.length });
			reader.read(raw);
		}
		return out;
	}

	it('take the repeated part from the reader, so the chunks it came in can go before the event ends', async () => {
		const answer = LONG.repeat(8).slice(0, 60_000);
		const pieces = Array.from({ length: 24 }, (_, index) => answer.slice(index * 2500, index * 2500 + 2500));
		const stream = cumulativeStream(pieces);
		for (const seed of [1, 2, 3]) {
			const parts = randomCuts(stream, prng(seed), 300);
			const events = await ownBytesPerEvent(stream, parts);
			// The echo, then replies; from the third long reply on, the repeated content is the reader's.
			const replies = events.slice(1).filter((event) => event.total > 3000);
			const late = replies.slice(4);
			expect(late.length).toBeGreaterThan(10);
			for (const event of late) expect(event.own).toBeGreaterThan(0);
			const sum = (key: 'own' | 'total') => late.reduce((total, event) => total + event[key], 0);
			expect(sum('own') / sum('total')).toBeGreaterThan(0.7);
			// And nothing changes in what is read.
			expect(await foldFast(parts, false)).toEqual(await foldReference([stream], false));
		}
	});

	it('lines of other events, incremental pieces and rewritten content are left as they came', async () => {
		const a = LONG.slice(0, 4000);
		const stream = Buffer.from(
			sse('reply', replyJson(a)) +
				sse('reply', replyJson(a + ' more')) +
				sse('reply', replyJson(a + ' more and more')) +
				sse('reply', replyJson('Rewritten: ' + a)) +
				sse('reply', replyJson('Rewritten: ' + a + '!', { is_final: true })),
		);
		const events = await ownBytesPerEvent(stream, randomCuts(stream, prng(4), 200));
		expect(events[0].own).toBe(0);
		expect(events[1].own).toBe(0);
		expect(events[2].own).toBeGreaterThan(0);
		expect(events[3].own).toBe(0);
		expect(events[4].own).toBe(0);
		await expectSameFold(stream, false, prng(5), 6);
	});
});

/* ---------- ADP v2: text.replace repeats its slot's whole text ---------- */

/** The plain reading of one v2 event, written out here: `[DONE]`, else JSON.parse of the whole data. */
function parseV2Whole(event: SseEvent): AdpV2Event {
	if (event.data.trim() === '[DONE]') return { Type: 'done' };
	const parsed = JSON.parse(event.data) as AdpV2Event;
	return typeof parsed.Type === 'string' ? parsed : { ...parsed, Type: event.event };
}

async function foldV2(parts: Buffer[], fast: boolean): Promise<Folded & { fastReads: number; reusedTexts: number }> {
	const aggregator = new AdpV2TurnAggregator({ sessionId: 's0', requestId: 'r0' });
	const deltas: string[] = [];
	const reader = new AdpV2EventReader();
	const outcome = () => ({ deltas, result: aggregator.result(), fastReads: reader.fastReads, reusedTexts: reader.reusedTexts });
	try {
		if (fast) {
			for await (const raw of readRawSseEvents(chunksOf(parts), undefined, reader.repeats)) {
				const parsed = reader.read(raw);
				if (parsed) deltas.push(aggregator.accept(parsed.event, parsed.hint));
			}
		} else {
			for await (const event of readSseEvents(chunksOf(parts))) deltas.push(aggregator.accept(parseV2Whole(event)));
		}
	} catch (error) {
		return { ...outcome(), error: String(error) };
	}
	return outcome();
}

function v2Event(type: string, fields: Record<string, unknown>): string {
	return `event: ${type}\ndata: ${JSON.stringify({ Type: type, ...fields, Timestamp: '1700000000000' })}\n\n`;
}

/** A v2 turn whose reply slot grows by `pieces` through text.replace, with a thought before it. */
function v2CumulativeStream(pieces: string[], options: { rewriteAt?: number } = {}): Buffer {
	let text = v2Event('message.added', { Message: { MessageId: 't1', Type: 'thought', Name: 'think' } });
	text += v2Event('content.added', { MessageId: 't1', ContentIndex: 0, Content: { Type: 'text', Text: '' } });
	text += v2Event('text.replace', { MessageId: 't1', ContentIndex: 0, Text: LONG.slice(0, 2500) });
	text += v2Event('message.added', { Message: { MessageId: 'r1', Type: 'reply', Name: 'reply' } });
	text += v2Event('content.added', { MessageId: 'r1', ContentIndex: 0, Content: { Type: 'text', Text: '' } });
	let soFar = '';
	pieces.forEach((piece, index) => {
		soFar += piece;
		if (index === options.rewriteAt) text += v2Event('text.replace', { MessageId: 'r1', ContentIndex: 0, Text: `Rewritten ${soFar}` });
		text += v2Event('text.replace', { MessageId: 'r1', ContentIndex: 0, Text: soFar });
	});
	text += v2Event('message.done', { MessageId: 'r1', Message: { MessageId: 'r1', Type: 'reply', Status: 'success', Contents: [{ Type: 'text', Text: soFar }] } });
	text += v2Event('response.completed', { Response: { RecordId: 'b', Messages: [{ MessageId: 'r1', Type: 'reply', Contents: [{ Type: 'text', Text: soFar }] }], ExtraInfo: { ReplyMethod: 1 } } });
	text += 'event: done\ndata: [DONE]\n\n';
	return Buffer.from(text);
}

describe('the v2 reader: the same results and live text as parsing every event whole', () => {
	it('takes the fast path on long text.replace events, at random chunkings', async () => {
		const pieces = Array.from({ length: 12 }, (_, index) => LONG.slice(index * 300, index * 300 + 300 + (index === 0 ? 2000 : 0)));
		const stream = v2CumulativeStream(pieces);
		const expected = await foldV2([stream], false);
		const whole = await foldV2([stream], true);
		expect(whole.result).toEqual(expected.result);
		expect(whole.deltas).toEqual(expected.deltas);
		expect(whole.fastReads).toBeGreaterThanOrEqual(12);
		const random = prng(31);
		for (let round = 0; round < 3; round++) {
			const chunked = await foldV2(randomCuts(stream, random, 40), true);
			expect(chunked.result).toEqual(expected.result);
			expect(chunked.deltas).toEqual(expected.deltas);
		}
		expect((expected.result as { reply: string }).reply).toBe(pieces.join(''));
	});

	it('a rewrite in the middle steps aside from the fast path and gives the same result', async () => {
		const pieces = Array.from({ length: 8 }, (_, index) => LONG.slice(index * 300, index * 300 + 300 + (index === 0 ? 2000 : 0)));
		const stream = v2CumulativeStream(pieces, { rewriteAt: 4 });
		const expected = await foldV2([stream], false);
		expect(await foldV2(randomCuts(stream, prng(32), 30), true)).toMatchObject({ result: expected.result, deltas: expected.deltas });
	});
});

/** One v2 message streamed as `texts` (text.delta pieces, or text.replace with the text so far), and its message.done. */
interface V2Message {
	id: string;
	type: 'reply' | 'thought';
	pieces: string[];
	/** What message.done and response.completed say the text is (default: the pieces joined). */
	finalText?: string;
}

function v2MessagesStream(messages: V2Message[], incremental: boolean): Buffer {
	let text = v2Event('response.created', { Response: { RecordId: 'b', ConversationId: 'c1' } });
	for (const message of messages) {
		text += v2Event('message.added', { MessageId: message.id, Message: { MessageId: message.id, Type: message.type, Name: message.type } });
		text += v2Event('content.added', { MessageId: message.id, ContentIndex: 0, Content: { Type: 'text', Text: '' } });
		let soFar = '';
		for (const piece of message.pieces) {
			soFar += piece;
			text += incremental
				? v2Event('text.delta', { MessageId: message.id, ContentIndex: 0, Text: piece })
				: v2Event('text.replace', { MessageId: message.id, ContentIndex: 0, Text: soFar });
		}
		const contents = [{ Type: 'text', Text: message.finalText ?? soFar }];
		text += v2Event('message.done', { MessageId: message.id, Message: { MessageId: message.id, Type: message.type, Status: 'success', Contents: contents } });
	}
	const all = messages.map((message) => ({ MessageId: message.id, Type: message.type, Contents: [{ Type: 'text', Text: message.finalText ?? message.pieces.join('') }] }));
	text += v2Event('response.completed', { Response: { RecordId: 'b', ConversationId: 'c1', Messages: all, ExtraInfo: { ReplyMethod: 1 } } });
	text += 'event: done\ndata: [DONE]\n\n';
	return Buffer.from(text);
}

/** `count` pieces of LONG (cut anywhere, also inside a surrogate pair), `size` characters each from `offset`. */
function longPieces(count: number, size: number, offset = 0): string[] {
	return Array.from({ length: count }, (_, index) => (LONG + LONG).slice(offset + index * size, offset + index * size + size));
}

describe('the v2 final events: the texts they repeat are taken from the stream only where the bytes are the same', () => {
	const messages = (): V2Message[] => [
		{ id: 't1', type: 'thought', pieces: longPieces(5, 700) },
		{ id: 'r1', type: 'reply', pieces: longPieces(9, 500, 11) },
		{ id: 'r2', type: 'reply', pieces: longPieces(4, 3000, 3) },
	];

	it.each([true, false])('several replies and a thought (Incremental %s): the same result and live text at random chunkings', async (incremental) => {
		const stream = v2MessagesStream(messages(), incremental);
		const expected = await foldV2([stream], false);
		expect(expected.error).toBeUndefined();
		expect((expected.result as { reply: string }).reply).toBe(`${longPieces(9, 500, 11).join('')}\n\n${longPieces(4, 3000, 3).join('')}`);
		const whole = await foldV2([stream], true);
		expect(whole).toMatchObject({ result: expected.result, deltas: expected.deltas });
		// every message.done and the response.completed
		expect(whole.reusedTexts).toBe(4);
		const random = prng(41);
		for (let round = 0; round < 4; round++) {
			expect(await foldV2(randomCuts(stream, random, 60), true)).toMatchObject({ result: expected.result, deltas: expected.deltas });
		}
	});

	it.each([true, false])('a message.done that revises the streamed text (Incremental %s): the revised text, as parsing every event whole gives', async (incremental) => {
		const list = messages();
		const streamed = list[1].pieces.join('');
		// the same length, one character changed in the middle; the other message's text not at all
		const revised = `${streamed.slice(0, 2000)}X${streamed.slice(2001)}`;
		list[1].finalText = revised;
		list[2].finalText = `${list[2].pieces.join('')} (revised)`;
		const stream = v2MessagesStream(list, incremental);
		const expected = await foldV2([stream], false);
		expect((expected.result as { reply: string }).reply).toBe(`${revised}\n\n${list[2].pieces.join('')} (revised)`);
		const random = prng(42);
		for (let round = 0; round < 3; round++) {
			const chunked = await foldV2(randomCuts(stream, random, 60), true);
			expect(chunked).toMatchObject({ result: expected.result, deltas: expected.deltas });
			// the thought's texts are still taken from the stream
			expect(chunked.reusedTexts).toBe(2);
		}
	});

	it.each([true, false])('the final events keep none of their own network buffers for the texts they repeat, each text in turn (Incremental %s)', async (incremental) => {
		const stream = v2MessagesStream(messages(), incremental);
		const size = 512;
		// every chunk its own memory, as from the network
		const chunks = Array.from({ length: Math.ceil(stream.length / size) }, (_, index) => new Uint8Array(stream.subarray(index * size, (index + 1) * size)));
		const reader = new AdpV2EventReader();
		const aggregator = new AdpV2TurnAggregator({ sessionId: 's0', requestId: 'r0' });
		const finals: Array<{ name: string; bytes: number; own: number }> = [];
		let searchFrom = 0;
		for await (const raw of readRawSseEvents(chunksOf(chunks), undefined, reader.repeats)) {
			if (raw.event === 'message.done' || raw.event === 'response.completed') {
				const start = stream.indexOf(`event: ${raw.event}`, searchFrom);
				const end = stream.indexOf('\n\n', start);
				searchFrom = end;
				const ownChunks = new Set<ArrayBufferLike>(chunks.slice(Math.floor(start / size), Math.floor(end / size) + 1).map((chunk) => chunk.buffer));
				const own = raw.data.parts.filter((part) => ownChunks.has(part.buffer)).reduce((sum, part) => sum + part.length, 0);
				finals.push({ name: raw.event, bytes: raw.data.length, own });
			}
			const parsed = reader.read(raw);
			if (parsed) aggregator.accept(parsed.event, parsed.hint);
		}
		const expected = await foldV2([stream], false);
		expect(aggregator.result()).toEqual(expected.result);
		expect(finals.map((final) => final.name)).toEqual(['message.done', 'message.done', 'message.done', 'response.completed']);
		for (const final of finals) {
			expect(final.bytes).toBeGreaterThan(3000);
			// the event's own JSON around the texts, and the first bytes of each text (in the chunk where its key is)
			expect(final.own).toBeLessThan(final.name === 'response.completed' ? 4 * size : 2 * size);
		}
		expect(reader.reusedTexts).toBe(4);
	});

	it('a final event with a "Text" that only looks like a streamed text inside another string is parsed as sent', async () => {
		const list = messages().slice(1, 2);
		const streamed = list[0].pieces.join('');
		let text = v2MessagesStream(list, true).toString();
		const note = v2Event('message.done', { MessageId: 'n1', Message: { MessageId: 'n1', Type: 'reply', Contents: [{ Type: 'text', Text: `"Text":${JSON.stringify(streamed)}` }] } });
		text = text.replace('event: response.completed', `${note}event: response.completed`);
		const stream = Buffer.from(text);
		const expected = await foldV2([stream], false);
		expect((expected.result as { reply: string }).reply).toContain(`"Text":${JSON.stringify(streamed)}`);
		expect(await foldV2(randomCuts(stream, prng(43), 40), true)).toMatchObject({ result: expected.result, deltas: expected.deltas });
	});
});

/* ---------- over HTTP ---------- */

describe('the stream path over HTTP', () => {
	let sim: Simulator;
	useSimulator((started) => (sim = started));

	let ids = 0;
	const request = (content: string, incremental = false) =>
		buildLkeChatRequest(
			{ content, sessionId: '', visitorBizId: 'visitor-1', options: { incremental } },
			{ appKey: 'sim-app-key', chatBaseUrl: sim.url, newId: () => `fast-${++ids}`, defaultVisitorBizId: 'unused' },
		);

	it.each([false, true])('a long answer (incremental: %s): the reply, and deltas that add up to it', async (incremental) => {
		const content = 'long one [long:60000] [pieces:40]';
		const deltas: string[] = [];
		const turn = await runLkeChatTurn(request(content, incremental), { onReplyDelta: (delta) => deltas.push(delta) });
		expect(turn.reply).toBe(lkeAnswerFor(content));
		expect(deltas.join('')).toBe(turn.reply);
		expect(deltas.length).toBeGreaterThanOrEqual(39);
	});

	it('a scripted cumulative stream in odd chunks: the same result and deltas as the reference fold', async () => {
		const pieces = Array.from({ length: 8 }, (_, index) => LONG.slice(index * 400, index * 400 + 400));
		const stream = cumulativeStream(pieces);
		const expected = await foldReference([stream], false);
		const steps = randomCuts(stream, prng(21), 30).flatMap((part) => [part, { delayMs: 0 }]);
		sim.enqueue('lke', { steps });
		const deltas: string[] = [];
		const turn = await runLkeChatTurn(request('scripted'), { onReplyDelta: (delta) => deltas.push(delta) });
		expect(turn).toEqual(expected.result);
		expect(deltas).toEqual(expected.deltas.filter((delta) => delta !== ''));
	});

	it.each([false, true])('a long ADP v2 answer (Incremental %s): the reply, and live text that adds up to it', async (incremental) => {
		const question = 'long one [long:60000] [pieces:40]';
		const v2Request = buildAdpV2ChatRequest(
			{ content: question, sessionId: '', visitorBizId: 'visitor-1', options: { incremental } },
			{ appKey: 'sim-app-key', chatBaseUrl: sim.url, newId: () => `fast-v2-request-${String(++ids).padStart(20, '0')}`, defaultVisitorBizId: 'unused' },
		);
		const deltas: string[] = [];
		const turn = await runLkeChatTurn(v2Request, { onReplyDelta: (delta) => deltas.push(delta) });
		expect(turn.reply).toBe(adpV2AnswerFor(question));
		expect(deltas.join('')).toBe(turn.reply);
		expect(deltas.length).toBeGreaterThanOrEqual(39);
	});

	it.each([false, true])('a long ADP v2 answer from the simulator (Incremental %s): the final events take the streamed texts, the fold as parsing every event whole', async (incremental) => {
		const question = 'long one [long:200000] [pieces:30]';
		const v2Request = buildAdpV2ChatRequest(
			{ content: question, sessionId: '', visitorBizId: 'visitor-1', options: { incremental } },
			{ appKey: 'sim-app-key', chatBaseUrl: sim.url, newId: () => `fast-v2-request-${String(++ids).padStart(20, '0')}`, defaultVisitorBizId: 'unused' },
		);
		const response = await fetch(v2Request.url, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(v2Request.body) });
		expect(response.status).toBe(200);
		const stream = Buffer.from(await response.arrayBuffer());
		const expected = await foldV2([stream], false);
		expect((expected.result as { reply: string }).reply).toBe(adpV2AnswerFor(question));
		const chunked = await foldV2(randomCuts(stream, prng(44), 200), true);
		expect(chunked).toMatchObject({ result: expected.result, deltas: expected.deltas });
		expect(chunked.reusedTexts).toBe(2);
	});

	it('an ADP v2 answer longer than the general event limit: its message.done and response.completed, which repeat it whole, are read', async () => {
		// 33 554 432 characters is the SSE readers' general limit for one event.
		const question = 'very long [long:33600000] [pieces:8]';
		const v2Request = buildAdpV2ChatRequest(
			{ content: question, sessionId: '', visitorBizId: 'visitor-1', options: { incremental: true } },
			{ appKey: 'sim-app-key', chatBaseUrl: sim.url, newId: () => `fast-v2-request-${String(++ids).padStart(20, '0')}`, defaultVisitorBizId: 'unused' },
		);
		const turn = await runLkeChatTurn(v2Request);
		expect(turn.reply.length).toBeGreaterThan(33_554_432);
		expect(turn.reply === adpV2AnswerFor(question)).toBe(true);
	}, 120_000);

	it('sequential turns reuse keep-alive connections', async () => {
		// undici hands a connection back one event-loop turn after the response, so a turn that
		// follows at once takes the pool's other idle connection: two at most, whatever the count.
		for (let i = 0; i < 8; i++) await runLkeChatTurn(request(`turn ${i}`));
		expect(sim.connectionsOpened()).toBeLessThanOrEqual(2);
		expect(sim.requests).toHaveLength(8);
	});
});
