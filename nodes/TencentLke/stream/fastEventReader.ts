import { randomBytes } from 'crypto';
import type { IDataObject } from 'n8n-workflow';
import type { SseEvent } from '../../shared/sse';
import { lkeV1LongText, type LkeContentHint, type LkeEvent } from './lkeEvent';
import { PreviousContentBytes, contentStringAt } from './previousContent';
import type { RawSseEvent, RepeatedBytes, SseData } from './sseByteReader';
import { isObject } from '../../shared/validation';

/**
 * Markers that stand in for the text before and after the new part of a long string while the rest
 * of the event is parsed: random per reader, so no text the server sends can fake them. `escaped`
 * is how they are written inside the JSON, `value` what JSON.parse makes of them.
 */
export function newTextMarkers(): { escaped: string; value: string } {
	const nonce = randomBytes(12).toString('hex');
	return { escaped: `\\u0000<${nonce}\\u0000>${nonce}`, value: `\u0000<${nonce}\u0000>${nonce}` };
}

export type { LkeContentHint, LkeEvent, ParsedLkeEvent } from './lkeEvent';

/**
 * Where a dialog version's long, cumulative text is: the JSON key, the events that carry it, and
 * the object that holds it once the event is parsed.
 */
export interface LongTextShape<Event> {
	/** The key whose string value is the long text, with its quotes and colon (`"content":`). */
	key: Buffer;
	/** Whether an event of this SSE name may carry the long text. */
	carriesLongText(eventName: string | undefined): boolean;
	/** The plain parse of one event (undefined: a cut-off last event, or one to skip). */
	parse(sse: SseEvent): Event | undefined;
	/** The object whose `field` equals `markers` in the parsed event, and whether the aggregator's hint is about it. */
	locate(parsed: IDataObject, markers: string): { holder: IDataObject; hinted: boolean } | undefined;
	/** The event from the parsed object and the SSE event name. */
	toEvent(parsed: IDataObject, eventName: string | undefined): Event;
	/** The holder's field that is the long text. */
	field: string;
}

export interface ParsedEvent<Event> {
	event: Event;
	hint?: LkeContentHint;
}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const CONTROL_CHARACTER = /[\u0000-\u001f]/;
/** Below this, an event is simply decoded and parsed whole. */
export const FAST_PARSE_MIN_BYTES = 2048;


function isContinuationByte(byte: number): boolean {
	return byte >= 0x80 && byte <= 0xbf;
}

/** The first unescaped `"` at or after `from`, or -1. */
export function closingQuote(data: SseData, from: number): number {
	for (let at = from; ; ) {
		const quote = data.indexOf(QUOTE, at);
		if (quote === -1) return -1;
		let backslashes = 0;
		while (data.byteAt(quote - 1 - backslashes) === BACKSLASH) backslashes++;
		if (backslashes % 2 === 0) return quote;
		at = quote + 1;
	}
}

/** Where an escape sequence cut short at the end of `text` begins, or text.length when none is. */
function safeCut(text: string): number {
	for (let at = text.length - 1; at >= 0 && at >= text.length - 6; at--) {
		if (text.charCodeAt(at) !== BACKSLASH) continue;
		let run = 1;
		while (at - run >= 0 && text.charCodeAt(at - run) === BACKSLASH) run++;
		if (run % 2 === 0) return text.length; // the last backslash closes a complete "\\"
		const length = text.charCodeAt(at + 1) === 0x75 /* u */ ? 6 : 2;
		return at + length > text.length ? at : text.length;
	}
	return text.length;
}

/**
 * The JSON string body in bytes [start, end) as its value; undefined when it is not a valid JSON
 * string body. Without escapes the text is the value: decoded in one go (decodeUtf8Flat). With
 * escapes it is parsed in small pieces cut between escape sequences, and a long value is made one
 * flat string at once (reading a character flattens it) while its pieces are still young: they die
 * cheaply instead of being copied into the old generation one by one.
 */
function parseStringBody(data: SseData, start: number, end: number): string | undefined {
	const backslash = data.indexOf(BACKSLASH, start);
	if (backslash === -1 || backslash >= end) {
		// No escapes: the text is the value, provided it has no raw control character.
		const value = data.flatText(start, end);
		return CONTROL_CHARACTER.test(value) ? undefined : value;
	}
	let value = '';
	let carry = '';
	const slices = data.textSlices(start, end);
	try {
		for (const slice of slices) {
			const text = carry + slice;
			const cut = safeCut(text);
			if (cut > 0) value += JSON.parse(`"${text.slice(0, cut)}"`) as string;
			carry = text.slice(cut);
		}
		if (carry !== '') value += JSON.parse(`"${carry}"`) as string;
	} catch {
		return undefined;
	}
	if (slices.length > 1) value.charCodeAt(0);
	return value;
}

/**
 * Reads LKE events from raw SSE events, giving the same LkeEvent as parseLkeEvent on the decoded
 * data. Long replies and thoughts take a fast path: in cumulative mode every event repeats the
 * whole text so far, so when its content begins with the exact bytes of the previous long content,
 * only the new bytes are decoded and parsed, and the event is parsed with its content cut out.
 *
 * Soundness: the bytes [p, q) taken for the content are checked by parsing the event with them
 * replaced by two random markers; the markers must come back as exactly `payload.content` or a
 * procedure's `debugging.content` (a thought), which proves p and q are where that string begins
 * and ends (the markers cannot occur in the data by chance). The earlier bytes are a complete
 * string body that was parsed before, and the new bytes start on a character boundary and parse
 * on their own, so the content is the previous content followed by the new text. Anything else
 * falls back to parsing the whole event.
 */
export class FastEventReader<Event> {
	/** The two markers as JSON string text, and what they parse to; made when first needed. */
	private markers = '';
	private markersValue = '';
	private readonly previousBody: PreviousContentBytes;
	private previousContent = '';
	/** How many events took the fast path (for tests and diagnostics). */
	fastReads = 0;
	/** Where the long text's string body is in the event just read, when it took the fast path. */
	lastBody: { start: number; end: number } | undefined;

	constructor(private readonly shape: LongTextShape<Event>) {
		this.previousBody = new PreviousContentBytes(shape.key);
	}

	/** For readRawSseEvents: the previous content, which the next cumulative reply or thought line repeats. */
	get repeats(): RepeatedBytes {
		return this.previousBody;
	}

	read(raw: RawSseEvent): ParsedEvent<Event> | undefined {
		this.lastBody = undefined;
		if (raw.data.length >= FAST_PARSE_MIN_BYTES && this.shape.carriesLongText(raw.event)) {
			const fast = this.readFast(raw);
			if (fast) return fast;
		}
		const event = this.shape.parse({ event: raw.event, data: raw.data.text(), unterminated: raw.unterminated });
		return event && { event };
	}

	private readFast(raw: RawSseEvent): ParsedEvent<Event> | undefined {
		if (this.markers === '') ({ escaped: this.markers, value: this.markersValue } = newTextMarkers());
		const data = raw.data;
		// The first few occurrences of the key; the one that is the content passes the check.
		const keyBytes = this.shape.key;
		let key = data.indexOfBytes(keyBytes);
		for (let tries = 0; key !== -1 && tries < 3; tries++) {
			const bodyStart = contentStringAt(data, key, keyBytes);
			if (bodyStart !== -1) {
				const parsed = this.readContentAt(raw, bodyStart);
				if (parsed) return parsed;
			}
			key = data.indexOfBytes(keyBytes, key + 1);
		}
		return undefined;
	}

	private readContentAt(raw: RawSseEvent, bodyStart: number): ParsedEvent<Event> | undefined {
		const data = raw.data;
		let base = '';
		let newStart = bodyStart;
		const previous = this.previousBody.data();
		if (previous.length > 0 && data.matchesAt(bodyStart, previous)) {
			const next = data.byteAt(bodyStart + previous.length);
			if (next !== -1 && !isContinuationByte(next)) {
				base = this.previousContent;
				newStart = bodyStart + previous.length;
			}
		}
		const bodyEnd = closingQuote(data, newStart);
		if (bodyEnd === -1) return undefined;
		const appended = parseStringBody(data, newStart, bodyEnd);
		if (appended === undefined) return undefined;

		let parsed: unknown;
		try {
			parsed = JSON.parse(data.text(0, bodyStart) + this.markers + data.text(bodyEnd));
		} catch {
			return undefined;
		}
		if (!isObject(parsed)) return undefined;
		const slot = this.shape.locate(parsed, this.markersValue);
		if (!slot) return undefined;

		const content = base + appended;
		slot.holder[this.shape.field] = content;
		if (base === '' || !this.previousBody.extend(data.slice(newStart, bodyEnd))) this.previousBody.reset(data.slice(bodyStart, bodyEnd));
		this.previousContent = content;
		this.fastReads++;
		this.lastBody = { start: bodyStart, end: bodyEnd };
		return {
			event: this.shape.toEvent(parsed, raw.event),
			hint: base === '' || !slot.hinted ? undefined : { base, appended },
		};
	}
}

/** The v1 reader: long reply and thought contents take the fast path. */
export class LkeEventReader extends FastEventReader<LkeEvent> {
	constructor() {
		super(lkeV1LongText);
	}
}

export { isObject };
