import { MAX_SSE_EVENT_CHARS, readSseEvents, SseFormatError, type SseEvent } from '../nodes/shared/sse';

async function* chunksOf(parts: string[]): AsyncGenerator<Uint8Array> {
	for (const part of parts) yield Buffer.from(part, 'utf8');
}

async function collect(parts: string[], maxEventChars?: number): Promise<SseEvent[]> {
	const events: SseEvent[] = [];
	for await (const event of readSseEvents(chunksOf(parts), maxEventChars)) events.push(event);
	return events;
}

describe('readSseEvents, shared SSE reading', () => {
	it('accepts events of up to 32 MiB by default', () => {
		expect(MAX_SSE_EVENT_CHARS).toBe(33_554_432);
	});

	it('gives every event of one chunk, in order, with only its name and data', async () => {
		const events = await collect(['event:a\ndata:1\nid:7\n\nevent:b\ndata:2\n\ndata:3\n\n']);
		expect(events).toStrictEqual([
			{ event: 'a', data: '1' },
			{ event: 'b', data: '2' },
			{ event: undefined, data: '3' },
		]);
	});

	it('yields an event as soon as its chunk arrives, before the stream ends', async () => {
		const seen: string[] = [];
		async function* slow(): AsyncGenerator<Uint8Array> {
			yield Buffer.from('data:first\n\n');
			seen.push('second chunk asked for');
			yield Buffer.from('data:second\n\n');
		}
		for await (const event of readSseEvents(slow())) seen.push(event.data);
		expect(seen).toEqual(['first', 'second chunk asked for', 'second']);
	});

	it('marks only the events still open at the end of the stream as unterminated', async () => {
		expect(await collect(['data:done\n\n', 'event:last\ndata:cut'])).toStrictEqual([
			{ event: undefined, data: 'done' },
			{ event: 'last', data: 'cut', unterminated: true },
		]);
	});

	it('gives nothing for an empty stream or one holding only comments', async () => {
		expect(await collect([])).toEqual([]);
		expect(await collect([': keep-alive\n\n', ': again\n\n'])).toEqual([]);
	});

	it('ignores a malformed retry field and unknown fields instead of failing', async () => {
		expect(await collect(['retry:soon\nfoo:bar\ndata:kept\n\n'])).toStrictEqual([{ event: undefined, data: 'kept' }]);
	});

	it('accepts an event under the limit and fails, naming the limit, on one over it', async () => {
		expect(await collect([`data:${'x'.repeat(900)}\n\n`], 1000)).toHaveLength(1);
		const failure = await collect([`data:${'x'.repeat(600)}`, 'x'.repeat(600)], 1000).catch((error: unknown) => error);
		expect(failure).toBeInstanceOf(SseFormatError);
		expect((failure as SseFormatError).name).toBe('SseFormatError');
		expect((failure as SseFormatError).message).toBe('An event of the stream is longer than 1000 characters');
	});
});
