/**
 * The Tencent LKE stream's event shapes and the fast path's edges, one function at a time: how an
 * event's data becomes an event (v1 and ADP v2), where each version's long text is, the end of a
 * JSON string body, a previous content that ended inside a character, and the v2 final events
 * taking their texts from what was streamed. Expected values are written out by hand or come from
 * Node's own UTF-8 decoding and JSON.parse of the same bytes.
 */
import { readLkeEvents } from '../nodes/TencentLke/stream';
import { adpV2LongText, parseAdpV2Event } from '../nodes/TencentLke/stream/adpV2Event';
import { AdpV2EventReader } from '../nodes/TencentLke/stream/adpV2Reader';
import { closingQuote, FAST_PARSE_MIN_BYTES, LkeEventReader } from '../nodes/TencentLke/stream/fastEventReader';
import { lkeV1LongText, parseEventObject, parseLkeEvent } from '../nodes/TencentLke/stream/lkeEvent';
import { SseData } from '../nodes/TencentLke/stream/sseByteReader';
import { thrownAgentChatError } from './helpers/failureOf';

const KNOWN = new Set(['reply']);

describe('an event\'s data as an object', () => {
	it.each([
		['an array', '[1,2]'],
		['a number', '42'],
		['a text', '"hello"'],
		['null', 'null'],
		['false', 'false'],
	])('JSON that is %s gives an empty object', (_, data) => {
		expect(parseEventObject({ event: 'reply', data }, KNOWN, 'Tencent LKE')).toEqual({});
	});

	it('an object is kept as it is', () => {
		expect(parseEventObject({ event: 'reply', data: '{"a":[1],"b":{"c":null}}' }, KNOWN, 'Tencent LKE')).toEqual({ a: [1], b: { c: null } });
	});

	it('invalid JSON in an event without a name names the SSE default event, "message", and the length', () => {
		const failure = thrownAgentChatError(() => parseEventObject({ data: '{"cut' }, KNOWN, 'Tencent LKE'));
		expect(failure.message).toBe('Tencent LKE sent an event whose data is not valid JSON (event "message", 5 characters)');
		expect(failure.code).toBe('INVALID_EVENT');
	});

	it('v1: the SSE event name is the type when the data has none, and the data\'s own type wins', () => {
		expect(parseLkeEvent({ event: 'reply', data: '{"payload":{"content":"a"}}' })).toEqual({ type: 'reply', payload: { content: 'a' } });
		expect(parseLkeEvent({ event: 'reply', data: '{"type":"thought","payload":{}}' })).toEqual({ type: 'thought', payload: {} });
	});

	it('v2: "[DONE]" with spaces around it ends the stream; the SSE name stands in for a missing or non-text Type', () => {
		expect(parseAdpV2Event({ event: 'done', data: ' [DONE] ' })).toEqual({ Type: 'done' });
		expect(parseAdpV2Event({ event: 'text.delta', data: '{"Text":"a"}' })).toEqual({ Type: 'text.delta', Text: 'a' });
		expect(parseAdpV2Event({ event: 'text.delta', data: '{"Type":7,"Text":"a"}' })).toEqual({ Type: 'text.delta', Text: 'a' });
		expect(parseAdpV2Event({ event: 'text.delta', data: '{"Type":"text.replace","Text":"a"}' })).toEqual({ Type: 'text.replace', Text: 'a' });
	});

	it('v2: invalid JSON in a known event names Tencent ADP', () => {
		expect(() => parseAdpV2Event({ event: 'text.delta', data: '{"Text":' })).toThrow('Tencent ADP sent an event whose data is not valid JSON (event "text.delta", 8 characters)');
	});
});

describe('where each version\'s long text is', () => {
	const MARK = '\u0000<m>';

	it('v1: replies, thoughts and nameless events may carry it; nothing else does', () => {
		expect([undefined, 'reply', 'thought', 'token_stat', 'reference', 'error'].map((name) => lkeV1LongText.carriesLongText(name))).toEqual([true, true, true, false, false, false]);
	});

	it('v1: a reply\'s content (hinted) or a thought procedure\'s debugging content (not hinted), nothing else', () => {
		const reply = { payload: { content: MARK } };
		expect(lkeV1LongText.locate(reply, MARK)).toEqual({ holder: reply.payload, hinted: true });
		const debugging = { content: MARK };
		const thought = { payload: { procedures: [null, ['x'], { debugging: null }, { debugging: ['x'] }, { debugging }] } };
		expect(lkeV1LongText.locate(thought, MARK)).toEqual({ holder: debugging, hinted: false });
		expect(lkeV1LongText.locate({ payload: { procedures: [{ debugging: { content: 'other' } }] } }, MARK)).toBeUndefined();
		expect(lkeV1LongText.locate({ payload: { procedures: 'none' } }, MARK)).toBeUndefined();
		expect(lkeV1LongText.locate({ payload: [MARK] }, MARK)).toBeUndefined();
		expect(lkeV1LongText.locate({ payload: null }, MARK)).toBeUndefined();
		expect(lkeV1LongText.locate({ content: MARK }, MARK)).toBeUndefined();
	});

	it('v2: only text.replace and text.delta events carry it', () => {
		expect(['text.replace', 'text.delta', 'message.done', 'response.completed', 'content.added', undefined].map((name) => adpV2LongText.carriesLongText(name))).toEqual([
			true,
			true,
			false,
			false,
			false,
			false,
		]);
	});

	it('v2: the event\'s own Text; hinted for text.replace and a nameless one, not for text.delta, never for other types', () => {
		expect(adpV2LongText.locate({ Type: 'text.replace', Text: MARK }, MARK)).toEqual({ holder: { Type: 'text.replace', Text: MARK }, hinted: true });
		expect(adpV2LongText.locate({ Text: MARK }, MARK)).toEqual({ holder: { Text: MARK }, hinted: true });
		expect(adpV2LongText.locate({ Type: 'text.delta', Text: MARK }, MARK)).toEqual({ holder: { Type: 'text.delta', Text: MARK }, hinted: false });
		expect(adpV2LongText.locate({ Type: 'message.done', Text: MARK }, MARK)).toBeUndefined();
		expect(adpV2LongText.locate({ Type: 'text.replace', Text: 'other' }, MARK)).toBeUndefined();
		expect(adpV2LongText.locate({ Type: 'text.delta', Text: 'other' }, MARK)).toBeUndefined();
	});
});

describe('the end of a JSON string body', () => {
	const data = (text: string) => SseData.of(Buffer.from(text, 'latin1'));

	it.each([
		['no escape', 'abc"', 0, 3],
		['an escaped quote is skipped', 'a\\"b"', 0, 4],
		['two backslashes end in a real quote', 'a\\\\"b"', 0, 3],
		['three backslashes escape the quote', 'a\\\\\\"b"', 0, 6],
		['from an offset past a quote', '"x"yz"', 1, 2],
		['no closing quote', 'abc\\"', 0, -1],
		['nothing at all', '', 0, -1],
	])('%s', (_, text, from, expected) => {
		expect(closingQuote(data(text), from)).toBe(expected);
	});
});

/** A v1 reply event whose content is these bytes, raw, as its JSON string body. */
function replyEvent(body: Buffer): { event: string; data: SseData } {
	return { event: 'reply', data: SseData.of(Buffer.concat([Buffer.from('{"type":"reply","payload":{"content":"'), body, Buffer.from('","is_final":false}}')])) };
}

/** What the data of a raw event is as Node decodes and parses it whole. */
function wholeContent(raw: { data: SseData }): string {
	return (JSON.parse(raw.data.text()) as { payload: { content: string } }).payload.content;
}

describe('a cumulative reply whose previous content ended inside a character', () => {
	// The previous event's content ends with a lead byte whose character the next event completes: taking the previous
	// text and decoding only the new bytes would give two replacement characters instead of the character.
	const prefix = Buffer.from('x'.repeat(FAST_PARSE_MIN_BYTES));
	it.each([
		['U+07C0 (DF 80)', [0xdf], [0x80]],
		['U+07FF (DF BF)', [0xdf], [0xbf]],
		['U+20AC (E2 82 AC)', [0xe2], [0x82, 0xac]],
	])('%s: the content is the whole body decoded', (_, lead, rest) => {
		const reader = new LkeEventReader();
		const first = replyEvent(Buffer.concat([prefix, Buffer.from(lead)]));
		const second = replyEvent(Buffer.concat([prefix, Buffer.from(lead), Buffer.from(rest), Buffer.from(' end')]));
		expect((reader.read(first)?.event.payload as { content: string }).content).toBe(wholeContent(first));
		const parsed = reader.read(second);
		expect((parsed?.event.payload as { content: string }).content).toBe(wholeContent(second));
		expect(wholeContent(second).endsWith(`${Buffer.from([...lead, ...rest]).toString('utf8')} end`)).toBe(true);
	});

	it('a character that starts right after the previous content is taken from the previous text (the fast path)', () => {
		const reader = new LkeEventReader();
		const first = replyEvent(prefix);
		const second = replyEvent(Buffer.concat([prefix, Buffer.from('߀ end')]));
		reader.read(first);
		const parsed = reader.read(second);
		expect((parsed?.event.payload as { content: string }).content).toBe(`${'x'.repeat(FAST_PARSE_MIN_BYTES)}߀ end`);
		expect(parsed?.hint).toEqual({ base: 'x'.repeat(FAST_PARSE_MIN_BYTES), appended: '߀ end' });
	});
});

describe('the fast path\'s size threshold', () => {
	it(`an event of exactly ${FAST_PARSE_MIN_BYTES} bytes takes it, one byte less does not`, () => {
		const frame = Buffer.byteLength('{"type":"reply","payload":{"content":"","is_final":false}}');
		const at = (size: number) => {
			const reader = new LkeEventReader();
			const raw = replyEvent(Buffer.from('y'.repeat(size - frame)));
			expect(raw.data.length).toBe(size);
			expect((reader.read(raw)?.event.payload as { content: string }).content).toBe('y'.repeat(size - frame));
			return reader.fastReads;
		};
		expect(at(FAST_PARSE_MIN_BYTES)).toBe(1);
		expect(at(FAST_PARSE_MIN_BYTES - 1)).toBe(0);
	});
});

describe('reading the events of a stream', () => {
	it('a reader that stops early gives the network stream back (its return is called)', async () => {
		let returned = false;
		let pulled = 0;
		const body: AsyncIterable<Uint8Array> = {
			[Symbol.asyncIterator]() {
				return {
					next: async () => {
						pulled++;
						return { done: false, value: Buffer.from(`event:reply\ndata:{"type":"reply","payload":{"content":"${pulled}"}}\n\n`) };
					},
					return: async () => {
						returned = true;
						return { done: true, value: undefined };
					},
				};
			},
		};
		for await (const parsed of readLkeEvents(body)) {
			expect(parsed.event.payload).toEqual({ content: '1' });
			break;
		}
		expect(returned).toBe(true);
	});
});

/** The raw events of an ADP v2 stream, from its events' JSON (SSE name = Type). */
function v2Raw(type: string, fields: Record<string, unknown>): { event: string; data: SseData } {
	return { event: type, data: SseData.of(Buffer.from(JSON.stringify({ Type: type, ...fields }))) };
}

function messageDone(id: string, text: string): { event: string; data: SseData } {
	return v2Raw('message.done', { MessageId: id, Message: { MessageId: id, Type: 'reply', Contents: [{ Type: 'text', Text: text }], Padding: 'p'.repeat(FAST_PARSE_MIN_BYTES) } });
}

/** A fresh v2 reader fed `streamed`, then `final`: the final event as read, as a whole parse gives it, and how many texts were reused. */
function readFinalAfter(streamed: Array<{ event: string; data: SseData }>, final: { event: string; data: SseData }) {
	const reader = new AdpV2EventReader();
	for (const raw of streamed) reader.read(raw);
	return { event: reader.read(final)?.event, wholeParse: JSON.parse(final.data.text()) as unknown, reusedTexts: reader.reusedTexts };
}

describe('the v2 final events take a text from the stream only when it is long enough and its bytes are the same', () => {
	it.each([
		[1024, 1],
		[1023, 0],
	])('a slot of %i bytes streamed in short deltas: reused %i times, the same event either way', (size, reused) => {
		const text = 'z'.repeat(size);
		// short deltas (below the fast path), the slot's index left out the first time: 0 is the default
		const read = readFinalAfter(
			[v2Raw('text.delta', { MessageId: 'r1', Text: text.slice(0, 500) }), v2Raw('text.delta', { MessageId: 'r1', ContentIndex: 0, Text: text.slice(500) })],
			messageDone('r1', text),
		);
		expect(read.event).toEqual(read.wholeParse);
		expect(read.reusedTexts).toBe(reused);
	});

	it('a short event whose first "Text" key is another object\'s is matched by the value it parses to', () => {
		const text = 'w'.repeat(1500);
		const read = readFinalAfter([v2Raw('text.replace', { MessageId: 'r1', ContentIndex: 0, Extra: { Text: 'other' }, Text: text })], messageDone('r1', text));
		expect(read.event).toEqual(read.wholeParse);
		expect(read.reusedTexts).toBe(1);
	});

	it('content.added with text starts the slot, and a text.delta after it extends it', () => {
		const start = 'c'.repeat(700);
		const more = 'd'.repeat(700);
		const read = readFinalAfter(
			[
				v2Raw('content.added', { MessageId: 'r1', ContentIndex: 0, Content: { Type: 'text', Text: start } }),
				v2Raw('text.delta', { MessageId: 'r1', ContentIndex: 0, Text: more }),
			],
			messageDone('r1', start + more),
		);
		expect(read.event).toEqual(read.wholeParse);
		expect(read.reusedTexts).toBe(1);
	});

	it('an empty delta keeps the slot\'s bytes known', () => {
		const text = 'e'.repeat(1200);
		const read = readFinalAfter(
			[v2Raw('text.delta', { MessageId: 'r1', ContentIndex: 0, Text: text }), v2Raw('text.delta', { MessageId: 'r1', ContentIndex: 0, Text: '' })],
			messageDone('r1', text),
		);
		expect(read.event).toEqual(read.wholeParse);
		expect(read.reusedTexts).toBe(1);
	});

	it('a final event shorter than the fast path\'s threshold is parsed as sent', () => {
		const text = 's'.repeat(1100);
		const final = v2Raw('message.done', { MessageId: 'r1', Message: { MessageId: 'r1', Contents: [{ Type: 'text', Text: text }] } });
		expect(final.data.length).toBeLessThan(FAST_PARSE_MIN_BYTES);
		const read = readFinalAfter([v2Raw('text.delta', { MessageId: 'r1', ContentIndex: 0, Text: text })], final);
		expect(read.event).toEqual(read.wholeParse);
		expect(read.reusedTexts).toBe(0);
	});
});
