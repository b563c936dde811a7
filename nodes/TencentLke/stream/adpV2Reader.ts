import type { IDataObject } from 'n8n-workflow';
import { adpV2LongText, toAdpV2Event, type AdpV2Event } from './adpV2Event';
import { FAST_PARSE_MIN_BYTES, FastEventReader, closingQuote, isObject, newTextMarkers, type ParsedEvent } from './fastEventReader';
import { contentStringAt } from './previousContent';
import { SseData, type RawSseEvent, type RepeatedBytes } from './sseByteReader';

/** A text slot as streamed: its JSON string body bytes, and the string they parse to. */
class StreamedSlot {
	private readonly parts: Buffer[];
	private view: SseData | undefined;
	length: number;

	constructor(
		body: SseData,
		public text: string,
	) {
		this.parts = [...body.parts];
		this.length = body.length;
	}

	/** The slot's whole text anew (`text.replace`); the same object, so a line being matched against it sees the new bytes. */
	replace(body: SseData, text: string): void {
		this.parts.length = 0;
		this.length = 0;
		this.text = '';
		this.append(body, text);
	}

	append(body: SseData, text: string): void {
		this.parts.push(...body.parts);
		this.length += body.length;
		this.text += text;
		this.view = undefined;
	}

	/** The bytes so far; a view taken earlier stays as it was (a line being read may point into it). */
	data(): SseData {
		return (this.view ??= new SseData([...this.parts], this.length));
	}
}

const QUOTE = 0x22;
/** Below this, a final event's text is simply parsed. */
const REUSE_MIN_BYTES = 1024;
const TEXT_KEY = adpV2LongText.key;

/** The events that repeat every message's whole text. */
function isFinalEvent(eventName: string | undefined): boolean {
	return eventName === 'message.done' || eventName === 'response.completed';
}

/**
 * What a v2 line may repeat, for the SSE parser: a cumulative `text.replace` line the previous
 * content (as in v1); a final event each streamed text, one after another. Then the network
 * buffers of a final event, which is as long as the whole answer, go as they arrive instead of
 * staying until it ends, and the texts it repeats are found equal without comparing them again.
 * A part's candidates are the streamed texts whose first bytes are the ones that followed its key
 * so far; the first that goes on matching is the one taken.
 */
export class StreamedTexts implements RepeatedBytes {
	private candidates: Array<{ data(): SseData }> = [];

	/** `texts`: the streamed texts, each asked for its bytes as they are when needed (a text may grow between two chunks). */
	constructor(
		private readonly previous: RepeatedBytes,
		private readonly texts: () => Array<{ data(): SseData }>,
	) {}

	startIn(line: SseData, from: number, eventName: string | undefined): number {
		this.candidates = [];
		if (!isFinalEvent(eventName)) return this.previous.startIn(line, from, eventName);
		for (let key = line.indexOfBytes(TEXT_KEY, from); key !== -1; key = line.indexOfBytes(TEXT_KEY, key + 1)) {
			const bodyStart = contentStringAt(line, key, TEXT_KEY);
			if (bodyStart === -1) continue;
			const already = line.slice(bodyStart);
			this.candidates = this.texts().filter((text) => text.data().length > already.length && text.data().matchesAt(0, already));
			if (this.candidates.length > 0) return bodyStart;
		}
		return -1;
	}

	matchLength(offset: number, bytes: Buffer): number {
		if (this.candidates.length === 0) return this.previous.matchLength(offset, bytes);
		let best = 0;
		let matching: Array<{ data(): SseData }> = [];
		for (const text of this.candidates) {
			const count = text.data().matchLength(offset, bytes);
			if (count > best) {
				best = count;
				matching = [];
			}
			if (count === best) matching.push(text);
			if (count === bytes.length) break;
		}
		this.candidates = matching;
		return best;
	}

	pieces(start: number, end: number): Buffer[] {
		return this.candidates.length === 0 ? this.previous.pieces(start, end) : this.candidates[0].data().pieces(start, end);
	}
}

/**
 * Reads ADP v2 events. Besides the fast path of long `text.replace` and `text.delta` events
 * (FastEventReader), `message.done` and `response.completed` repeat every message's whole text:
 * each of their "Text" values whose bytes are exactly the bytes a text slot was streamed in is
 * swapped for a random marker before the event is parsed, and the marker for the slot's text
 * afterwards. Equal bytes parse to equal strings, so the event is what a whole parse gives; a text
 * the server revised has other bytes and is parsed as sent.
 *
 * Soundness: each marker must come back as a whole string value, and no other string may contain
 * one (the markers cannot occur in the data by chance); anything else falls back to the whole parse.
 * A slot's bytes are only ever concatenations of complete string bodies whose parse is its text.
 */
export class AdpV2EventReader {
	private readonly reader = new FastEventReader<AdpV2Event>(adpV2LongText);
	/** Slots by MessageId and ContentIndex; null: a text whose bytes are not known, until replaced. */
	private readonly slots = new Map<string, StreamedSlot | null>();
	private readonly streamedTexts = new StreamedTexts(this.reader.repeats, () => this.longSlots());
	private markers = '';
	private markersValue = '';
	/** How many final events had a text taken from the stream (for tests and diagnostics). */
	reusedTexts = 0;

	get repeats(): RepeatedBytes {
		return this.streamedTexts;
	}

	/** The slots whose texts a final event may take from the stream. */
	private longSlots(): StreamedSlot[] {
		const long: StreamedSlot[] = [];
		for (const slot of this.slots.values()) if (slot && slot.length >= REUSE_MIN_BYTES) long.push(slot);
		return long;
	}

	get fastReads(): number {
		return this.reader.fastReads;
	}

	read(raw: RawSseEvent): ParsedEvent<AdpV2Event> | undefined {
		if (isFinalEvent(raw.event) && raw.data.length >= FAST_PARSE_MIN_BYTES && !raw.unterminated) {
			const event = this.readFinal(raw);
			if (event) return { event };
		}
		const parsed = this.reader.read(raw);
		if (parsed) this.track(raw, parsed.event);
		return parsed;
	}

	private track(raw: RawSseEvent, event: AdpV2Event): void {
		const replaces = event.Type === 'text.replace' || event.Type === 'content.added';
		if (!replaces && event.Type !== 'text.delta') return;
		const value = event.Type === 'content.added' ? (isObject(event.Content) ? event.Content.Text : undefined) : event.Text;
		const key = `${String(event.MessageId)}\u0000${String(event.ContentIndex ?? 0)}`;
		const body = typeof value === 'string' ? this.bodyOf(raw, value) : undefined;
		const slot = this.slots.get(key);
		if (!body) this.slots.set(key, null);
		else if (slot && replaces) slot.replace(body, value as string);
		else if (slot) slot.append(body, value as string);
		else if (slot === undefined || replaces) this.slots.set(key, new StreamedSlot(body, value as string));
	}

	/** The bytes of the event's text string body: where the fast path found it, else a "Text" body that parses to it. */
	private bodyOf(raw: RawSseEvent, value: string): SseData | undefined {
		const found = this.reader.lastBody;
		if (found) return raw.data.slice(found.start, found.end);
		if (value === '') return SseData.EMPTY;
		if (raw.data.length >= FAST_PARSE_MIN_BYTES) return undefined;
		const data = raw.data;
		for (let key = data.indexOfBytes(TEXT_KEY); key !== -1; key = data.indexOfBytes(TEXT_KEY, key + 1)) {
			const start = contentStringAt(data, key, TEXT_KEY);
			const end = start === -1 ? -1 : closingQuote(data, start);
			if (end === -1) continue;
			try {
				if (JSON.parse(`"${data.text(start, end)}"`) === value) return data.slice(start, end);
			} catch {
				// not a string body: look further
			}
		}
		return undefined;
	}

	private readFinal(raw: RawSseEvent): AdpV2Event | undefined {
		const slots = this.longSlots();
		if (slots.length === 0) return undefined;
		if (this.markers === '') ({ escaped: this.markers, value: this.markersValue } = newTextMarkers());

		const data = raw.data;
		const reused: StreamedSlot[] = [];
		let json = '';
		let copiedTo = 0;
		for (let key = data.indexOfBytes(TEXT_KEY); key !== -1; ) {
			const start = contentStringAt(data, key, TEXT_KEY);
			// A slot's bytes are a whole string body: followed by a quote, they are the whole string (no
			// need to look for its closing quote through a text as long as the answer).
			const slot = start === -1 ? undefined : slots.find((candidate) => data.byteAt(start + candidate.length) === QUOTE && data.matchesAt(start, candidate.data()));
			if (!slot) {
				key = data.indexOfBytes(TEXT_KEY, key + 1);
				continue;
			}
			const end = start + slot.length;
			json += data.text(copiedTo, start) + this.markers + String(reused.length);
			reused.push(slot);
			copiedTo = end;
			key = data.indexOfBytes(TEXT_KEY, end);
		}
		if (reused.length === 0) return undefined;
		json += data.text(copiedTo);

		let parsed: unknown;
		try {
			parsed = JSON.parse(json);
		} catch {
			return undefined;
		}
		if (!isObject(parsed) || !this.restore(parsed, reused)) return undefined;
		this.reusedTexts++;
		return toAdpV2Event(parsed, raw.event);
	}

	/** Puts the slots' texts where their markers are; false when a marker is anywhere but a whole string value. */
	private restore(value: IDataObject | unknown[], reused: StreamedSlot[]): boolean {
		const entries: Array<[string | number, unknown]> = Array.isArray(value) ? value.map((item, index) => [index, item]) : Object.entries(value);
		for (const [key, item] of entries) {
			if (typeof key === 'string' && key.includes(this.markersValue)) return false;
			if (typeof item === 'string') {
				if (!item.includes(this.markersValue)) continue;
				const index = item.slice(this.markersValue.length);
				const slot = item.startsWith(this.markersValue) && /^(0|[1-9][0-9]*)$/.test(index) ? reused[Number(index)] : undefined;
				if (!slot) return false;
				(value as Record<string | number, unknown>)[key] = slot.text;
			} else if (typeof item === 'object' && item !== null && !this.restore(item as IDataObject | unknown[], reused)) {
				return false;
			}
		}
		return true;
	}
}
