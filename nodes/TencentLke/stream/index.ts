import { LkeEventReader } from './fastEventReader';
import type { ParsedLkeEvent } from './lkeEvent';
import { readRawSseEvents } from './sseByteReader';

export type { LkeContentHint, LkeEvent, ParsedLkeEvent } from './lkeEvent';

/**
 * The events of one LKE dialog stream, parsed, from the response body's chunks.
 *
 * Long answers in cumulative mode repeat the whole text so far in every event, so the events stay
 * bytes until read (sseByteReader), the part of a line that repeats the previous content is taken
 * from the reader's own copy as it arrives (previousContent), and only the new part of a long
 * content is decoded and parsed (fastEventReader). `hint` says how the content extends the
 * previous one, so the aggregator need not compare long texts. A cut-off last event that is not
 * complete JSON is left out: the turn then misses what it would have said.
 */
export async function* readLkeEvents(chunks: AsyncIterable<Uint8Array>): AsyncGenerator<ParsedLkeEvent> {
	const reader = new LkeEventReader();
	for await (const raw of readRawSseEvents(chunks, undefined, reader.repeats)) {
		const parsed = reader.read(raw);
		if (parsed) yield parsed;
	}
}
