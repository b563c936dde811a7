import { AgentChatError } from '../nodes/shared/errors';
import { readAiskStream, type AiskStreamEvent } from '../nodes/Aisk/askStream';
import { JsonStreamFormatError, readJsonValues } from '../nodes/Aisk/jsonStreamReader';
import { AISK_FRAMINGS, AISK_FRAMING_CONTENT_TYPES, AiskFrameWriter, type AiskFraming } from '../testkit/simulator/aiskFraming';

/** The body's bytes cut into the given pieces (each a separate network chunk). */
async function* chunksOf(bytes: Buffer, cuts: number[]): AsyncGenerator<Uint8Array> {
	let start = 0;
	for (const cut of [...cuts, bytes.length]) {
		yield bytes.subarray(start, cut);
		start = cut;
	}
}

async function collect<T>(events: AsyncIterable<T>): Promise<T[]> {
	const out: T[] = [];
	for await (const event of events) out.push(event);
	return out;
}

const CITATION = { type: 'SOURCE_TYPE_WEBSITE', source_id: 's1', web_link: { title: '說明 📘', url: 'https://example.com' } };
/** Written by hand: three messages, with multi-byte text in and across them. */
const MESSAGES = [
	{ message: 'Hello, ', citations: [] },
	{ message: '世界 🌏 "quoted" \\ back{slash}', citations: [] },
	{ message: ' [brackets], {braces}', citations: [CITATION] },
];
const EXPECTED: AiskStreamEvent[] = MESSAGES.map((m) => ({ type: 'message', message: m.message, citations: m.citations }));

function body(framing: AiskFraming): Buffer {
	const writer = new AiskFrameWriter(framing);
	return Buffer.from(writer.open() + MESSAGES.map((m) => writer.message(m)).join('') + writer.close());
}

describe('readAiskStream: every framing, cut at every byte', () => {
	test.each(AISK_FRAMINGS.map((framing) => [framing]))('%s: the same events at every split point and byte by byte', async (framing) => {
		const bytes = body(framing);
		const contentType = AISK_FRAMING_CONTENT_TYPES[framing];
		expect(await collect(readAiskStream(chunksOf(bytes, []), contentType))).toEqual(EXPECTED);
		for (let cut = 1; cut < bytes.length; cut++) {
			expect(await collect(readAiskStream(chunksOf(bytes, [cut]), contentType))).toEqual(EXPECTED);
		}
		const everyByte = Array.from({ length: bytes.length - 1 }, (_, i) => i + 1);
		expect(await collect(readAiskStream(chunksOf(bytes, everyByte), contentType))).toEqual(EXPECTED);
	});

	test.each(AISK_FRAMINGS.map((framing) => [framing]))('%s: read by its first bytes when the content type says nothing useful', async (framing) => {
		expect(await collect(readAiskStream(chunksOf(body(framing), [3]), 'application/octet-stream'))).toEqual(EXPECTED);
	});

	test('a text/event-stream whose body is JSON lines is read as JSON', async () => {
		const bytes = Buffer.from('{"message":"a"}\n{"message":"b"}\n');
		expect(await collect(readAiskStream(chunksOf(bytes, [5]), 'text/event-stream'))).toEqual([
			{ type: 'message', message: 'a', citations: [] },
			{ type: 'message', message: 'b', citations: [] },
		]);
	});

	test('SSE: [DONE] ends the answer, comments and empty data are skipped, CRLF lines work', async () => {
		const bytes = Buffer.from(': keep-alive\r\n\r\ndata: {"message":"x"}\r\n\r\ndata:\r\n\r\ndata: [DONE]\r\n\r\ndata: {"message":"after"}\r\n\r\n');
		expect(await collect(readAiskStream(chunksOf(bytes, []), 'text/event-stream; charset=utf-8'))).toEqual([{ type: 'message', message: 'x', citations: [] }]);
	});

	test('{"error": Status} in any framing is an error event; a bare Status too', async () => {
		const status = { code: 13, message: 'internal', details: [] };
		for (const framing of AISK_FRAMINGS) {
			const writer = new AiskFrameWriter(framing);
			const bytes = Buffer.from(writer.open() + writer.message({ message: 'part', citations: [] }) + writer.error(status) + writer.close());
			expect(await collect(readAiskStream(chunksOf(bytes, []), AISK_FRAMING_CONTENT_TYPES[framing]))).toEqual([
				{ type: 'message', message: 'part', citations: [] },
				{ type: 'error', status },
			]);
		}
		expect(await collect(readAiskStream(chunksOf(Buffer.from('{"code":14,"message":"unavailable","details":[]}\n'), []), 'application/json'))).toEqual([
			{ type: 'error', status: { code: 14, message: 'unavailable', details: [] } },
		]);
	});

	test('an array cut before its closing bracket and a line cut inside a value are INCOMPLETE_STREAM (retryable), after the complete events', async () => {
		for (const [text, contentType] of [
			['[{"message":"a"},{"message":"b"}', 'application/json'],
			['{"message":"a"}\n{"message":"b', 'application/json'],
			['data: {"message":"a"}\n\ndata: {"message":"b', 'text/event-stream'],
		]) {
			const seen: AiskStreamEvent[] = [];
			const failure = await (async () => {
				try {
					for await (const event of readAiskStream(chunksOf(Buffer.from(text), []), contentType)) seen.push(event);
				} catch (error) {
					return error;
				}
				return undefined;
			})();
			expect(seen[0]).toEqual({ type: 'message', message: 'a', citations: [] });
			expect(failure).toBeInstanceOf(AgentChatError);
			expect((failure as AgentChatError).code).toBe('INCOMPLETE_STREAM');
			expect((failure as AgentChatError).retryable).toBe(true);
		}
	});

	test.each([
		['not JSON in SSE data', 'data: hello\n\n', 'text/event-stream'],
		['a number between objects', '{"message":"a"}\n42\n', 'application/json'],
		['an element that is not an object', '["text"]', 'application/json'],
	])('%s: PROTOCOL_ERROR', async (_label, text, contentType) => {
		await expect(collect(readAiskStream(chunksOf(Buffer.from(text), []), contentType))).rejects.toMatchObject({ code: 'PROTOCOL_ERROR' });
	});
});

describe('readJsonValues', () => {
	test('objects back to back, on lines, in an array, with strings holding brackets and escaped quotes', async () => {
		const text = '{"a":"}{"}{"b":"\\"]"}\n [ {"c":[1,{"d":2}]} , {"e":"中"} ]';
		const bytes = Buffer.from(text);
		const expected = [{ a: '}{' }, { b: '"]' }];
		// a second array after values is not a framing the reader accepts; the first part is read on its own
		expect(await collect(readJsonValues(chunksOf(Buffer.from('{"a":"}{"}{"b":"\\"]"}'), [])))).toEqual(expected);
		await expect(collect(readJsonValues(chunksOf(bytes, [])))).rejects.toBeInstanceOf(JsonStreamFormatError);
		const array = Buffer.from('[ {"c":[1,{"d":2}]} , {"e":"中"} ]');
		for (let cut = 1; cut < array.length; cut++) {
			expect(await collect(readJsonValues(chunksOf(array, [cut])))).toEqual([{ c: [1, { d: 2 }] }, { e: '中' }]);
		}
	});

	test('a value longer than the limit fails instead of growing without end', async () => {
		await expect(collect(readJsonValues(chunksOf(Buffer.from(`{"m":"${'x'.repeat(100)}"}`), [20]), 50))).rejects.toThrow(/longer than 50 characters/);
	});
});
