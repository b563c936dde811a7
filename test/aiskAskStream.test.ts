import { AgentChatError } from '../nodes/shared/errors';
import { thrownAgentChatError } from './helpers/failureOf';
import { interpretElement, readAiskStream, type AiskStreamEvent } from '../nodes/Aisk/askStream';
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

describe('readJsonValues: where a value may begin, and the size limit at its edge', () => {
	const read = (pieces: string[], maxChars?: number) => collect(readJsonValues(chunksOf(Buffer.from(pieces.join('')), cutsOf(pieces)), maxChars));
	function cutsOf(pieces: string[]): number[] {
		const cuts: number[] = [];
		let at = 0;
		for (const piece of pieces.slice(0, -1)) cuts.push((at += Buffer.byteLength(piece)));
		return cuts;
	}
	async function failure(pieces: string[], maxChars?: number): Promise<JsonStreamFormatError> {
		try {
			await read(pieces, maxChars);
		} catch (error) {
			expect(error).toBeInstanceOf(JsonStreamFormatError);
			expect((error as Error).name).toBe('JsonStreamFormatError');
			return error as JsonStreamFormatError;
		}
		throw new Error('expected a JsonStreamFormatError');
	}

	test('a value of exactly the limit is read, one character more fails; a cut value under the limit is cut, not too long', async () => {
		expect(await read(['{"a":"12"}'], 10)).toEqual([{ a: '12' }]);
		expect((await failure(['{"a":"123"}'], 10)).message).toBe('A JSON value of the stream is longer than 10 characters');
		expect((await failure(['{"a":"1234', '5678"}'], 10)).message).toBe('A JSON value of the stream is longer than 10 characters');
		const cut = await failure(['{"a":"1234'], 10);
		expect(cut.message).toBe('The stream ended in the middle of a JSON value');
		expect(cut.truncated).toBe(true);
	});

	test('what lies between values is not kept: many chunks of whitespace and small values stay under a small limit', async () => {
		const pieces = [...Array.from({ length: 30 }, () => ' \n'), '{"a":1}', ...Array.from({ length: 30 }, () => '\r\n'), '{"b":2}'];
		expect(await read(pieces, 20)).toEqual([{ a: 1 }, { b: 2 }]);
		expect(await read(['[', ' ', '{"a":', '1}', ',', ' ', '{"b":2}', ']'], 20)).toEqual([{ a: 1 }, { b: 2 }]);
	});

	test('an empty key and a value split right after its opening quote', async () => {
		expect(await read(['{"":1}'])).toEqual([{ '': 1 }]);
		expect(await read(['{"', '":"x\\"', '"}'])).toEqual([{ '': 'x"' }]);
	});

	test('only one array, only at the start; commas only inside it; nothing but objects', async () => {
		expect((await failure(['[{"a":1}][{"a":2}]'])).message).toBe('Unexpected "[" between the JSON objects of the stream');
		expect((await failure(['[{"a":1}]{"b":2}'])).message).toBe('Unexpected "{" between the JSON objects of the stream');
		expect((await failure(['{"a":1},{"a":2}'])).message).toBe('Unexpected "," between the JSON objects of the stream');
		expect((await failure(['x'])).message).toBe('Unexpected "x" between the JSON objects of the stream');
		const open = await failure(['[{"a":1}']);
		expect(open.message).toBe('The stream ended before the JSON array was closed');
		expect(open.truncated).toBe(true);
	});

	test('a balanced value that is not JSON is named, cut to 200 characters', async () => {
		expect((await failure(['{"a":01}'])).message).toBe('The stream holds a value that is not valid JSON: {"a":01}');
		const long = `{"a":0${'1'.repeat(300)}}`;
		expect((await failure([long])).message).toBe(`The stream holds a value that is not valid JSON: ${long.slice(0, 200)}`);
	});
});

describe('interpretElement: what one element of the AiSK stream means', () => {
	test('a message, bare or wrapped in "result"; a code of 0 or with citations is still a message', () => {
		expect(interpretElement({ message: 'hi', citations: [CITATION] })).toEqual({ type: 'message', message: 'hi', citations: [CITATION] });
		expect(interpretElement({ result: { message: 'hi' } })).toEqual({ type: 'message', message: 'hi', citations: [] });
		expect(interpretElement({ code: 0, message: 'ok' })).toEqual({ type: 'message', message: 'ok', citations: [] });
		expect(interpretElement({ code: 3, citations: [CITATION] })).toEqual({ type: 'message', message: '', citations: [CITATION] });
		expect(interpretElement({ code: 3, citations: [] })).toBeUndefined();
		expect(interpretElement({ code: '5a', message: 'not a code' })).toEqual({ type: 'message', message: 'not a code', citations: [] });
		expect(interpretElement({ message: 5 })).toEqual({ type: 'message', message: '', citations: [] });
		expect(interpretElement({ citations: [CITATION] })).toEqual({ type: 'message', message: '', citations: [CITATION] });
	});

	test('nothing to say (a heartbeat) is no event', () => {
		expect(interpretElement({})).toBeUndefined();
		expect(interpretElement({ result: {} })).toBeUndefined();
		expect(interpretElement({ citations: 'none' })).toBeUndefined();
	});

	test('a Status with a numeric code (a number or digits) and no citations is an error', () => {
		expect(interpretElement({ code: 14, message: 'busy' })).toEqual({ type: 'error', status: { code: 14, message: 'busy' } });
		expect(interpretElement({ result: { code: '8', message: 'slow' } })).toEqual({ type: 'error', status: { code: '8', message: 'slow' } });
		expect(interpretElement({ error: { code: 13 } })).toEqual({ type: 'error', status: { code: 13 } });
		for (const notDigits of ['8x', 'x8', '']) expect(interpretElement({ code: notDigits, message: 'm' })?.type).toBe('message');
	});

	test('an element that is not an object is a protocol error naming it', () => {
		for (const [value, shown] of [
			[[1], '[1]'],
			[7, '7'],
			[null, 'null'],
			['text', '"text"'],
		] as const) {
			expect(thrownAgentChatError(() => interpretElement(value))).toMatchObject({
				kind: 'protocol',
				code: 'PROTOCOL_ERROR',
				retryable: false,
				message: `AiSK sent a stream element that is not a JSON object: ${shown}`,
				description: 'AiSK sent a stream element the node cannot read.',
			});
		}
		expect(thrownAgentChatError(() => interpretElement(['x'.repeat(300)])).message).toBe(`AiSK sent a stream element that is not a JSON object: ${JSON.stringify(['x'.repeat(300)]).slice(0, 200)}`);
	});

});

describe('readAiskStream: telling the framing from the first characters', () => {
	test('leading whitespace and a BOM before SSE fields, spread over many small chunks', async () => {
		const text = '\ufeff \n\n\r\ndata: {"message":"a"}\n\ndata: {"message":"b"}\n\ndata: [DONE]\n\n';
		const bytes = Buffer.from(text);
		const cuts = Array.from({ length: bytes.length - 1 }, (_, index) => index + 1);
		expect(await collect(readAiskStream(chunksOf(bytes, cuts), 'application/octet-stream'))).toEqual([
			{ type: 'message', message: 'a', citations: [] },
			{ type: 'message', message: 'b', citations: [] },
		]);
	});

	test('SSE: data with spaces around is trimmed; data that is not JSON is a protocol error naming it', async () => {
		const ok = Buffer.from('data:   {"message":"x"}   \n\n');
		expect(await collect(readAiskStream(chunksOf(ok, []), 'text/event-stream'))).toEqual([{ type: 'message', message: 'x', citations: [] }]);
		const bad = Buffer.from(`data: not json ${'z'.repeat(300)}\n\n`);
		await expect(collect(readAiskStream(chunksOf(bad, []), 'text/event-stream'))).rejects.toMatchObject({
			code: 'PROTOCOL_ERROR',
			message: `AiSK sent an event whose data is not JSON: ${`not json ${'z'.repeat(300)}`.slice(0, 200)}`,
		});
		const cut = Buffer.from('data: {"message":"x"}\n\ndata: {"mess');
		await expect(collect(readAiskStream(chunksOf(cut, []), 'text/event-stream'))).rejects.toMatchObject({
			code: 'INCOMPLETE_STREAM',
			retryable: true,
			message: 'The answer stream ended in the middle of an event',
			description: 'The answer stream was cut off.',
		});
	});
});
