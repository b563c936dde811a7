import type { AdpV2Event } from './adpV2Event';
import { AdpV2EventReader } from './adpV2Reader';
import { LkeEventReader, type ParsedEvent } from './fastEventReader';
import type { ParsedLkeEvent } from './lkeEvent';
import { readRawSseEvents } from './sseByteReader';

export type { LkeContentHint, LkeEvent, ParsedLkeEvent } from './lkeEvent';
export type { AdpV2Event } from './adpV2Event';
export type { ParsedEvent } from './fastEventReader';

/**
 * The events of one LKE v1 dialog stream, parsed, from the response body's chunks.
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

/**
 * The longest ADP v2 event read. `message.done` and `response.completed` each carry the whole answer
 * (and `response.completed` every message's), so an event is as long as the answer itself, not one piece.
 */
export const ADP_V2_MAX_EVENT_CHARS = 128 * 1024 * 1024;

/**
 * The events of one ADP v2 dialog stream, the same way: with Incremental off (the API's default),
 * every `text.replace` repeats its slot's whole text so far, and takes the same fast path; the
 * final events take the texts they repeat from what was streamed (AdpV2EventReader).
 */
export async function* readAdpV2Events(chunks: AsyncIterable<Uint8Array>): AsyncGenerator<ParsedEvent<AdpV2Event>> {
	const reader = new AdpV2EventReader();
	for await (const raw of readRawSseEvents(chunks, ADP_V2_MAX_EVENT_CHARS, reader.repeats)) {
		const parsed = reader.read(raw);
		if (parsed) yield parsed;
	}
}
