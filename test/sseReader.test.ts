import { readSseEvents, type SseEvent } from '../nodes/shared/sse';

async function* chunksOf(parts: Uint8Array[]): AsyncGenerator<Uint8Array> {
	for (const part of parts) yield part;
}

async function collect(parts: Uint8Array[], maxEventChars?: number): Promise<SseEvent[]> {
	const events: SseEvent[] = [];
	for await (const event of readSseEvents(chunksOf(parts), maxEventChars)) events.push(event);
	return events;
}

const stream = Buffer.from(
	'event:reply\ndata:{"content":"你好，世界 🌏"}\n\n' +
		': a comment\n\n' +
		'event:reply\r\ndata:{"content":"第二"}\r\n\r\n' +
		'data:line one\ndata:line two\n\n',
);

/** The events in `stream`, written out. */
const streamEvents: SseEvent[] = [
	{ event: 'reply', data: '{"content":"你好，世界 🌏"}' },
	{ event: 'reply', data: '{"content":"第二"}' },
	{ event: undefined, data: 'line one\nline two' },
];

describe('readSseEvents', () => {
	it('parses events, comments and CRLF framing', async () => {
		expect(await collect([stream])).toEqual(streamEvents);
	});

	it('gives the same events for every split point, including inside multi-byte characters', async () => {
		for (let cut = 1; cut < stream.length; cut++) {
			expect(await collect([stream.subarray(0, cut), stream.subarray(cut)])).toEqual(streamEvents);
		}
	});

	it('gives the same events when every byte arrives alone', async () => {
		const bytes = Array.from(stream, (byte) => Uint8Array.of(byte));
		expect(await collect(bytes)).toEqual(streamEvents);
	});

	it('delivers a last event without its blank line, marked as unterminated', async () => {
		expect(await collect([Buffer.from('data:{"a":1}\n\ndata:{"b":')])).toEqual([
			{ event: undefined, data: '{"a":1}' },
			{ event: undefined, data: '{"b":', unterminated: true },
		]);
	});

	it('fails on an event longer than the limit instead of buffering without end', async () => {
		await expect(collect([Buffer.from('data:' + 'x'.repeat(2000))], 1000)).rejects.toThrow(/longer than 1000 characters/);
	});
});
