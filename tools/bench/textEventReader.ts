import { readSseEvents, type SseEvent } from '../../nodes/shared/sse';
import { adpV2LongText, type AdpV2Event } from '../../nodes/TencentLke/stream/adpV2Event';
import { FAST_PARSE_MIN_BYTES, isObject, newTextMarkers, type LongTextShape, type ParsedEvent } from '../../nodes/TencentLke/stream/fastEventReader';
import { ADP_V2_MAX_EVENT_CHARS } from '../../nodes/TencentLke/stream';
import { lkeV1LongText, type LkeEvent } from '../../nodes/TencentLke/stream/lkeEvent';

/**
 * A simpler reader of LKE dialog streams, kept beside the byte-level one so the benchmark can
 * measure what the byte level buys: the body is decoded to text as it comes (TextDecoder in stream
 * mode), eventsource-parser cuts the events, and a long cumulative content is not parsed again
 * where it starts with the previous content's JSON text: only what follows is. Nothing is kept as
 * bytes, so the repeated part of every event is decoded, which the byte-level reader skips.
 *
 * Soundness as in FastEventReader: the text taken for the content is checked by parsing the event
 * with it replaced by two random markers, which must come back exactly where the shape expects the
 * long text; anything else is parsed whole.
 */
export class TextEventReader<Event> {
	private markers = '';
	private markersValue = '';
	/** The previous long content as the JSON string body it arrived in, and its value. */
	private previousBody = '';
	private previousContent = '';
	private readonly key: string;

	constructor(private readonly shape: LongTextShape<Event>) {
		this.key = shape.key.toString('latin1');
	}

	read(sse: SseEvent): ParsedEvent<Event> | undefined {
		if (sse.data.length >= FAST_PARSE_MIN_BYTES && this.shape.carriesLongText(sse.event)) {
			const fast = this.readFast(sse);
			if (fast) return fast;
		}
		const event = this.shape.parse(sse);
		return event && { event };
	}

	private readFast(sse: SseEvent): ParsedEvent<Event> | undefined {
		if (this.markers === '') ({ escaped: this.markers, value: this.markersValue } = newTextMarkers());
		const data = sse.data;
		let key = data.indexOf(this.key);
		for (let tries = 0; key !== -1 && tries < 3; tries++) {
			let start = key + this.key.length;
			while (data[start] === ' ' || data[start] === '\t') start++;
			if (data[start] === '"') {
				const parsed = this.readContentAt(sse, start + 1);
				if (parsed) return parsed;
			}
			key = data.indexOf(this.key, key + 1);
		}
		return undefined;
	}

	private readContentAt(sse: SseEvent, bodyStart: number): ParsedEvent<Event> | undefined {
		const data = sse.data;
		const repeats = this.previousBody !== '' && data.startsWith(this.previousBody, bodyStart);
		const base = repeats ? this.previousContent : '';
		const newStart = repeats ? bodyStart + this.previousBody.length : bodyStart;
		const bodyEnd = closingQuote(data, newStart);
		if (bodyEnd === -1) return undefined;
		let appended: string;
		let parsed: unknown;
		try {
			appended = JSON.parse(`"${data.slice(newStart, bodyEnd)}"`) as string;
			parsed = JSON.parse(data.slice(0, bodyStart) + this.markers + data.slice(bodyEnd));
		} catch {
			return undefined;
		}
		if (!isObject(parsed)) return undefined;
		const slot = this.shape.locate(parsed, this.markersValue);
		if (!slot) return undefined;
		const content = base + appended;
		slot.holder[this.shape.field] = content;
		this.previousBody = data.slice(bodyStart, bodyEnd);
		this.previousContent = content;
		return {
			event: this.shape.toEvent(parsed, sse.event),
			hint: base === '' || !slot.hinted ? undefined : { base, appended },
		};
	}
}

/** The first unescaped `"` at or after `from`, or -1. */
function closingQuote(data: string, from: number): number {
	for (let at = from; ; ) {
		const quote = data.indexOf('"', at);
		if (quote === -1) return -1;
		let backslashes = 0;
		while (data.charCodeAt(quote - 1 - backslashes) === 0x5c) backslashes++;
		if (backslashes % 2 === 0) return quote;
		at = quote + 1;
	}
}

async function* readTextEvents<Event>(
	chunks: AsyncIterable<Uint8Array>,
	shape: LongTextShape<Event>,
	maxEventChars?: number,
): AsyncGenerator<ParsedEvent<Event>> {
	const reader = new TextEventReader(shape);
	for await (const sse of readSseEvents(chunks, maxEventChars)) {
		const parsed = reader.read(sse);
		if (parsed) yield parsed;
	}
}

/** LKE v1 events, read the simpler way. */
export function readLkeEventsAsText(chunks: AsyncIterable<Uint8Array>): AsyncGenerator<ParsedEvent<LkeEvent>> {
	return readTextEvents(chunks, lkeV1LongText);
}

/** ADP v2 events, read the simpler way. */
export function readAdpV2EventsAsText(chunks: AsyncIterable<Uint8Array>): AsyncGenerator<ParsedEvent<AdpV2Event>> {
	return readTextEvents(chunks, adpV2LongText, ADP_V2_MAX_EVENT_CHARS);
}
