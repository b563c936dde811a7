import type { AdpV2Event } from './adpV2Event';
import { AdpV2EventReader } from './adpV2Reader';
import { LkeEventReader, type ParsedEvent } from './fastEventReader';
import type { ParsedLkeEvent } from './lkeEvent';
import { readRawSseEvents, type RawSseEvent, type RepeatedBytes } from './sseByteReader';

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
export function readLkeEvents(chunks: AsyncIterable<Uint8Array>): AsyncGenerator<ParsedLkeEvent> {
	return readParsedEvents(chunks, new LkeEventReader());
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
export function readAdpV2Events(chunks: AsyncIterable<Uint8Array>): AsyncGenerator<ParsedEvent<AdpV2Event>> {
	return readParsedEvents(chunks, new AdpV2EventReader(), ADP_V2_MAX_EVENT_CHARS);
}

/**
 * The raw events read by `reader`. No raw event stays referenced once read: a generator keeps its
 * locals while it waits for the next event, and one event can be as long as the answer (an ADP v2
 * final event), which would otherwise be kept while the whole next one arrives.
 */
async function* readParsedEvents<Event>(
	chunks: AsyncIterable<Uint8Array>,
	reader: { readonly repeats: RepeatedBytes; read(raw: RawSseEvent): ParsedEvent<Event> | undefined },
	maxEventChars?: number,
): AsyncGenerator<ParsedEvent<Event>> {
	const raws = readRawSseEvents(chunks, maxEventChars, reader.repeats);
	try {
		for (;;) {
			let step: IteratorResult<RawSseEvent> | undefined = await raws.next();
			if (step.done) return;
			const parsed = reader.read(step.value);
			step = undefined;
			if (parsed) yield parsed;
		}
	} finally {
		await raws.return(undefined);
	}
}
