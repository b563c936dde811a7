import { isAscii, isUtf8, transcode } from 'buffer';
import { MAX_SSE_EVENT_CHARS, SseFormatError } from '../../shared/sse';

/*
 * The LKE chat's reader for long cumulative streams (measured in BENCHMARKS.md): events stay as the
 * bytes they arrived in and only what the aggregator asks for is decoded. Every other stream goes
 * through readSseEvents (eventsource-parser); test/streamFastPath.test.ts holds this reader to
 * exactly what that one gives, at random chunkings.
 */

/** One SSE event whose data is still UTF-8 bytes, for readers that need only part of it decoded. */
export interface RawSseEvent {
	event?: string;
	/** The values of the event's data lines joined with LF, as received (not decoded). */
	data: SseData;
	unterminated?: boolean;
}

/*
 * Why bytes: a long answer in LKE's cumulative mode sends the whole answer so far in every event, so
 * a 1 MB answer is some 130 MB of events. Decoding all of it into strings (and copying each event
 * into one big buffer or string) costs far more than reading it: large strings and buffers are
 * fresh memory every time. Here events stay as the network chunks they arrived in, and only what a
 * reader asks for is decoded, in small pieces.
 */

const LF = 0x0a;
const CR = 0x0d;
const COLON = 0x3a;
const SPACE = 0x20;
const EMPTY = Buffer.alloc(0);
const LF_BYTES = Buffer.from('\n');
/** How far into a line a reader's repeated bytes may begin (see RepeatedBytes). */
const REPEAT_SEARCH_BYTES = 4096;
/** Decoded pieces stay below V8's large-object size (a 32 KB piece is at most 64 KB as a string). */
const DECODE_SLICE = 32 * 1024;

// One decoder for every decode: calls are synchronous and each sequence ends with a flushing call.
// ignoreBOM: a U+FEFF inside the data is text; the stream's own BOM is removed by the parser.
const utf8 = new TextDecoder('utf-8', { ignoreBOM: true });

/** Decodes the pieces as one UTF-8 sequence into strings of at most DECODE_SLICE bytes' worth each. */
function decodeSlices(pieces: readonly Buffer[]): string[] {
	if (pieces.length === 1 && pieces[0].length <= DECODE_SLICE) return [utf8.decode(pieces[0])];
	const out: string[] = [];
	for (const piece of pieces) {
		for (let at = 0; at < piece.length; at += DECODE_SLICE) {
			const text = utf8.decode(piece.subarray(at, Math.min(piece.length, at + DECODE_SLICE)), { stream: true });
			if (text !== '') out.push(text);
		}
	}
	const rest = utf8.decode();
	if (rest !== '') out.push(rest);
	return out;
}

/**
 * UTF-8 bytes as one flat string. V8's own UTF-8 decoding (TextDecoder, Buffer#toString) is most of
 * the cost of a long incremental answer; valid UTF-8 decodes to the same text by any decoder, so
 * ASCII is read as Latin-1 and other valid UTF-8 goes through ICU's transcoder to UTF-16, both about
 * twice as fast here. Only invalid UTF-8 (the WHATWG rules for U+FFFD) takes the TextDecoder.
 * Trade-off: text that is all Latin-1 but not ASCII becomes a two-byte string (V8 would store it in
 * one byte per character).
 */
export function decodeUtf8Flat(bytes: Buffer): string {
	if (isAscii(bytes)) return bytes.toString('latin1');
	if (isUtf8(bytes)) return transcode(bytes, 'utf8', 'utf16le').toString('utf16le');
	return utf8.decode(bytes);
}

/**
 * Bytes kept as the list of buffers they arrived in (no copy). Offsets are over the whole sequence.
 * Decoding is the WHATWG UTF-8 decoding (U+FFFD for invalid sequences), so a piece of the data
 * that starts and ends on character boundaries decodes to the same text as it does inside the whole.
 */
export class SseData {
	static readonly EMPTY = new SseData([], 0);

	private starts: number[] | undefined;

	constructor(
		readonly parts: readonly Buffer[],
		readonly length: number,
	) {}

	static of(bytes: Buffer): SseData {
		return new SseData(bytes.length > 0 ? [bytes] : [], bytes.length);
	}

	private partStarts(): number[] {
		if (!this.starts) {
			const starts: number[] = [];
			let offset = 0;
			for (const part of this.parts) {
				starts.push(offset);
				offset += part.length;
			}
			this.starts = starts;
		}
		return this.starts;
	}

	/** The part holding byte `offset` (offset < length). */
	private partAt(offset: number): number {
		const starts = this.partStarts();
		let low = 0;
		let high = starts.length - 1;
		while (low < high) {
			const middle = (low + high + 1) >> 1;
			if (starts[middle] <= offset) low = middle;
			else high = middle - 1;
		}
		return low;
	}

	/** The byte at `offset`, or -1 outside the data. */
	byteAt(offset: number): number {
		if (offset < 0 || offset >= this.length) return -1;
		const index = this.partAt(offset);
		return this.parts[index][offset - this.partStarts()[index]];
	}

	/** Where `byte` first occurs at or after `from`, or -1. */
	indexOf(byte: number, from = 0): number {
		if (from >= this.length) return -1;
		const starts = this.partStarts();
		for (let index = from <= 0 ? 0 : this.partAt(from); index < this.parts.length; index++) {
			const found = this.parts[index].indexOf(byte, Math.max(0, from - starts[index]));
			if (found !== -1) return starts[index] + found;
		}
		return -1;
	}

	/** Where the (short) byte sequence `needle` first occurs at or after `from`, or -1. */
	indexOfBytes(needle: Buffer, from = 0): number {
		if (needle.length === 0) return Math.min(Math.max(0, from), this.length);
		const starts = this.partStarts();
		for (let index = from <= 0 ? 0 : Math.min(this.partAt(from), this.parts.length); index < this.parts.length; index++) {
			const part = this.parts[index];
			const local = Math.max(0, from - starts[index]);
			const found = part.indexOf(needle, local);
			if (found !== -1) return starts[index] + found;
			// An occurrence that starts in this part and ends in a later one.
			const tailStart = Math.max(local, part.length - needle.length + 1);
			if (tailStart < part.length && index + 1 < this.parts.length) {
				const window = this.copy(starts[index] + tailStart, Math.min(this.length, starts[index] + part.length + needle.length - 1));
				const straddling = window.indexOf(needle);
				if (straddling !== -1) return starts[index] + tailStart + straddling;
			}
		}
		return -1;
	}

	/** True when the bytes from `offset` on begin with all of `other`. */
	matchesAt(offset: number, other: SseData): boolean {
		if (offset < 0 || offset + other.length > this.length) return false;
		if (other.length === 0) return true;
		let index = this.partAt(offset);
		let local = offset - this.partStarts()[index];
		for (const piece of other.parts) {
			let pieceAt = 0;
			while (pieceAt < piece.length) {
				const part = this.parts[index];
				const count = Math.min(part.length - local, piece.length - pieceAt);
				// Bytes a parser took from the reader's own copy (RepeatedBytes) are that very memory.
				const sameMemory = part.buffer === piece.buffer && part.byteOffset + local === piece.byteOffset + pieceAt;
				if (!sameMemory && part.compare(piece, pieceAt, pieceAt + count, local, local + count) !== 0) return false;
				pieceAt += count;
				local += count;
				if (local === part.length) {
					index++;
					local = 0;
				}
			}
		}
		return true;
	}

	/** How many of `bytes`, from its start, equal this data from `offset` on. */
	matchLength(offset: number, bytes: Buffer): number {
		if (offset < 0 || offset >= this.length || bytes.length === 0) return 0;
		let matched = 0;
		const starts = this.partStarts();
		for (let index = this.partAt(offset); index < this.parts.length && matched < bytes.length; index++) {
			const part = this.parts[index];
			const local = Math.max(0, offset + matched - starts[index]);
			const count = Math.min(part.length - local, bytes.length - matched);
			if (part.compare(bytes, matched, matched + count, local, local + count) !== 0) {
				let same = 0;
				while (part[local + same] === bytes[matched + same]) same++;
				return matched + same;
			}
			matched += count;
		}
		return matched;
	}

	/** The bytes [start, end) as a list of pieces of the original buffers. */
	pieces(start = 0, end = this.length): Buffer[] {
		start = Math.max(0, start);
		end = Math.min(this.length, end);
		if (start >= end) return [];
		const starts = this.partStarts();
		const out: Buffer[] = [];
		for (let index = this.partAt(start); index < this.parts.length && starts[index] < end; index++) {
			const part = this.parts[index];
			const from = Math.max(0, start - starts[index]);
			const to = Math.min(part.length, end - starts[index]);
			out.push(from === 0 && to === part.length ? part : part.subarray(from, to));
		}
		return out;
	}

	slice(start: number, end = this.length): SseData {
		const pieces = this.pieces(start, end);
		return new SseData(pieces, Math.max(0, Math.min(this.length, end) - Math.max(0, start)));
	}

	/** The bytes [start, end) in one buffer (a copy only when they span parts). */
	copy(start = 0, end = this.length): Buffer {
		const pieces = this.pieces(start, end);
		if (pieces.length === 0) return EMPTY;
		return pieces.length === 1 ? pieces[0] : Buffer.concat(pieces);
	}

	/** The bytes [start, end) decoded as UTF-8, built from small strings. */
	text(start = 0, end = this.length): string {
		const slices = this.textSlices(start, end);
		if (slices.length === 1) return slices[0];
		let text = '';
		for (const slice of slices) text += slice;
		return text;
	}

	/** The bytes [start, end) decoded as UTF-8 into one flat string at once (decodeUtf8Flat). */
	flatText(start = 0, end = this.length): string {
		return decodeUtf8Flat(this.copy(start, end));
	}

	/** The bytes [start, end) decoded as UTF-8, as consecutive small strings (a character is never split). */
	textSlices(start = 0, end = this.length): string[] {
		const pieces = this.pieces(start, end);
		return pieces.length === 0 ? [] : decodeSlices(pieces);
	}
}

/** Exact UTF-16 length of decoded bytes, counted only near the size limit (see SseByteParser.checkSize). */
function decodedLength(pieces: readonly Buffer[]): number {
	let length = 0;
	const decoder = new TextDecoder('utf-8', { ignoreBOM: true });
	for (const piece of pieces) length += decoder.decode(piece, { stream: true }).length;
	return length + decoder.decode().length;
}

function startsWithAscii(bytes: Buffer, ascii: string): boolean {
	if (bytes.length < ascii.length) return false;
	for (let i = 0; i < ascii.length; i++) if (bytes[i] !== ascii.charCodeAt(i)) return false;
	return true;
}

const BOM = [0xef, 0xbb, 0xbf];
/** "ï»¿": the parser this one replaces (eventsource-parser) drops these three characters at the very start. */
const LATIN1_BOM = [0xc3, 0xaf, 0xc2, 0xbb, 0xc2, 0xbf];

function startsWithBytes(bytes: Buffer, prefix: number[]): boolean {
	if (bytes.length < prefix.length) return false;
	for (let i = 0; i < prefix.length; i++) if (bytes[i] !== prefix[i]) return false;
	return true;
}

/**
 * Bytes a reader already holds that a line of the stream may repeat (LKE's cumulative replies repeat
 * the whole answer so far; ADP v2's final events every streamed text, one after another). While
 * such a line arrives, the parser swaps each repeated part for the reader's identical bytes, so the
 * network buffers that carried it can go at once, and it skips looking for line ends in bytes known
 * to have none. The event read is byte for byte the one sent. The known bytes contain no CR or LF,
 * and bytes once handed out are never changed.
 */
export interface RepeatedBytes {
	/**
	 * Where a repeated part of the line would begin at or after `from` (a line offset ≤ its bytes so
	 * far), or -1. `from` is 0 for the first part of a line, and where the last one ended for the next;
	 * `eventName`: the event's `event:` field so far.
	 */
	startIn(line: SseData, from: number, eventName: string | undefined): number;
	/** How many of `bytes`, from its start, equal the known bytes from `offset` on. */
	matchLength(offset: number, bytes: Buffer): number;
	/** The known bytes [start, end), as pieces of memory that is never changed. */
	pieces(start: number, end: number): Buffer[];
}

/**
 * The SSE line protocol over bytes, with exactly the behaviour of the string parser it replaces
 * (TextDecoder + eventsource-parser 3): lines end at CR, LF or CRLF (a CR that is the last byte so
 * far waits for the next chunk, in case a LF follows); `data` lines join with LF; `event` names the
 * event; comments, `id`, `retry` and unknown fields are ignored; a blank line dispatches an event
 * that has data. Limit: the unfinished line plus the event's data so far, in UTF-16 characters as
 * decoded, checked after each chunk.
 */
export class SseByteParser {
	private line: Buffer[] = [];
	private lineBytes = 0;
	private crPending = false;
	private values: Buffer[] = [];
	private dataBytes = 0;
	private dataLines = 0;
	private eventType: string | undefined;
	private lastTypeBytes: Buffer | undefined;
	private lastType: string | undefined;
	/** Bytes held back while the stream may still begin with a BOM; null once past the start. */
	private head: Buffer | null = EMPTY;
	private firstFeed = true;
	/** Counting state, used only once the bytes pass the limit (characters ≤ bytes before that). */
	private lineCount: { decoder: InstanceType<typeof TextDecoder>; counted: number; chars: number } | undefined;
	private dataChars: number | undefined;
	/** The line's repeated part: undefined while not known, null when none, else the known bytes' offset reached. */
	private repeat: { offset: number } | null | undefined;
	/** Where in the line the next repeated part is looked for: 0, or where the last one ended. */
	private repeatFrom = 0;

	constructor(
		private readonly emit: (event: RawSseEvent) => void,
		private readonly maxEventChars = MAX_SSE_EVENT_CHARS,
		private readonly repeats?: RepeatedBytes,
	) {}

	/** Takes the next chunk; throws SseFormatError when the event being read passes the limit. */
	feed(chunk: Buffer): void {
		if (this.head !== null) {
			const bytes = this.head.length > 0 ? Buffer.concat([this.head, chunk]) : chunk;
			if (bytes.length < BOM.length && bytes.every((byte, index) => byte === BOM[index])) {
				// Maybe the start of a BOM: wait (the decoder this replaces gave nothing for it yet).
				this.head = Buffer.from(bytes);
				this.firstFeed = false;
				return;
			}
			this.head = null;
			chunk = startsWithBytes(bytes, BOM) ? bytes.subarray(BOM.length) : bytes;
		}
		if (this.firstFeed) {
			this.firstFeed = false;
			if (startsWithBytes(chunk, LATIN1_BOM)) chunk = chunk.subarray(LATIN1_BOM.length);
		}
		this.process(chunk);
		this.checkSize();
	}

	/** The stream ended: what is pending is read as if a blank line followed. */
	end(): void {
		if (this.head !== null && this.head.length > 0) {
			const held = this.head;
			this.head = null;
			this.process(held);
		}
		this.head = null;
		this.process(Buffer.from('\n\n'));
	}

	private process(chunk: Buffer): void {
		const length = chunk.length;
		if (length === 0) return;
		let at = 0;
		if (this.crPending) {
			this.crPending = false;
			if (chunk[0] === LF) at = 1;
			this.endLine();
		}
		if (this.repeat && this.lineBytes > 0) {
			at = this.takeRepeated(chunk, at);
			if (at === length) return;
		}
		let cr = chunk.indexOf(CR, at);
		if (cr === -1) {
			for (;;) {
				const lf = chunk.indexOf(LF, at);
				if (lf === -1) break;
				if (lf > at) this.addToLine(chunk.subarray(at, lf));
				this.endLine();
				at = lf + 1;
			}
		} else {
			let lf = chunk.indexOf(LF, at);
			while (at < length) {
				if (cr !== -1 && cr < at) cr = chunk.indexOf(CR, at);
				if (lf !== -1 && lf < at) lf = chunk.indexOf(LF, at);
				if (cr === -1 && lf === -1) break;
				if (cr !== -1 && (lf === -1 || cr < lf)) {
					if (cr > at) this.addToLine(chunk.subarray(at, cr));
					if (cr === length - 1) {
						this.crPending = true;
						at = length;
						break;
					}
					this.endLine();
					at = chunk[cr + 1] === LF ? cr + 2 : cr + 1;
				} else {
					if (lf > at) this.addToLine(chunk.subarray(at, lf));
					this.endLine();
					at = lf + 1;
				}
			}
		}
		if (at < length) {
			this.addToLine(at === 0 ? chunk : chunk.subarray(at));
			if (this.repeat === undefined && this.repeats) this.findRepeat();
		}
	}

	/** Takes the known bytes in place of those of `chunk` from `at` on that equal them; returns where the rest begins. */
	private takeRepeated(chunk: Buffer, at: number): number {
		const repeat = this.repeat!;
		const count = this.repeats!.matchLength(repeat.offset, at === 0 ? chunk : chunk.subarray(at));
		if (count > 0) {
			for (const piece of this.repeats!.pieces(repeat.offset, repeat.offset + count)) this.addToLine(piece);
			repeat.offset += count;
			at += count;
		}
		// Past the known bytes, or something else: the rest of the line is read as it comes, and
		// another repeated part may follow.
		if (at < chunk.length) {
			this.repeat = undefined;
			this.repeatFrom = this.lineBytes;
		}
		return at;
	}

	private findRepeat(): void {
		const start = this.repeats!.startIn(new SseData(this.line, this.lineBytes), this.repeatFrom, this.eventType);
		if (start >= this.repeatFrom && start <= this.lineBytes) this.repeat = { offset: this.lineBytes - start };
		else if (this.lineBytes - this.repeatFrom >= REPEAT_SEARCH_BYTES) this.repeat = null;
	}

	private addToLine(piece: Buffer): void {
		this.line.push(piece);
		this.lineBytes += piece.length;
	}

	private endLine(): void {
		const pieces = this.line;
		const size = this.lineBytes;
		this.line = [];
		this.lineBytes = 0;
		this.lineCount = undefined;
		this.repeat = undefined;
		this.repeatFrom = 0;
		if (size === 0) {
			this.dispatch();
			return;
		}
		// The first bytes decide the kind of line; a field name split across chunks is rare.
		const first = pieces[0].length >= 7 || pieces.length === 1 ? pieces[0] : Buffer.concat(pieces, Math.min(size, 64));
		if (startsWithAscii(first, 'data:')) {
			this.addData(pieces, size, first[5] === SPACE ? 6 : 5);
		} else if (startsWithAscii(first, 'event:')) {
			this.setEventType(pieces, size, first[6] === SPACE ? 7 : 6);
		} else if (first[0] !== COLON) {
			const whole = pieces.length === 1 ? pieces[0] : Buffer.concat(pieces, size);
			const colon = whole.indexOf(COLON);
			const field = colon === -1 ? whole : whole.subarray(0, colon);
			if (field.length === 4 && startsWithAscii(field, 'data')) this.addData([whole], whole.length, whole.length);
			else if (field.length === 5 && startsWithAscii(field, 'event')) {
				this.setEventType([whole], whole.length, colon === -1 ? whole.length : colon + (whole[colon + 1] === SPACE ? 2 : 1));
			}
			// id, retry, unknown fields: nothing a reader here uses.
		}
	}

	private addData(pieces: Buffer[], size: number, valueStart: number): void {
		const value = new SseData(pieces, size).pieces(valueStart);
		if (this.dataLines > 0) {
			this.values.push(LF_BYTES);
			this.dataBytes += 1;
		}
		for (const piece of value) {
			this.values.push(piece);
			this.dataBytes += piece.length;
		}
		if (this.dataChars !== undefined) this.dataChars += (this.dataLines > 0 ? 1 : 0) + decodedLength(value);
		this.dataLines++;
	}

	private setEventType(pieces: Buffer[], size: number, valueStart: number): void {
		const bytes = new SseData(pieces, size).copy(valueStart);
		if (this.lastTypeBytes && bytes.equals(this.lastTypeBytes)) {
			this.eventType = this.lastType;
			return;
		}
		this.eventType = (bytes.length > 0 ? utf8.decode(bytes) : '') || undefined;
		this.lastTypeBytes = Buffer.from(bytes);
		this.lastType = this.eventType;
	}

	private dispatch(): void {
		if (this.dataLines > 0) this.emit({ event: this.eventType, data: new SseData(this.values, this.dataBytes) });
		this.values = [];
		this.dataBytes = 0;
		this.dataLines = 0;
		this.dataChars = undefined;
		this.eventType = undefined;
	}

	private checkSize(): void {
		const limit = this.maxEventChars;
		if (this.lineBytes + (this.crPending ? 1 : 0) + this.dataBytes <= limit) return;
		// Past the limit in bytes: count characters as the string parser did (incrementally, so
		// that an event growing chunk by chunk is not counted over and over).
		this.lineCount ??= { decoder: new TextDecoder('utf-8', { ignoreBOM: true }), counted: 0, chars: 0 };
		const count = this.lineCount;
		for (; count.counted < this.line.length; count.counted++) count.chars += count.decoder.decode(this.line[count.counted], { stream: true }).length;
		this.dataChars ??= decodedLength(this.values);
		if (count.chars + (this.crPending ? 1 : 0) + this.dataChars > limit) {
			throw new SseFormatError(`An event of the stream is longer than ${limit} characters`);
		}
	}
}

function asBuffer(chunk: Uint8Array): Buffer {
	return Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
}

/** SSE events with their data as bytes; see SseByteParser. The last event may be `unterminated`. */
export async function* readRawSseEvents(
	chunks: AsyncIterable<Uint8Array>,
	maxEventChars = MAX_SSE_EVENT_CHARS,
	repeats?: RepeatedBytes,
): AsyncGenerator<RawSseEvent> {
	const ready: RawSseEvent[] = [];
	const parser = new SseByteParser((event) => ready.push(event), maxEventChars, repeats);
	for await (const chunk of chunks) {
		parser.feed(asBuffer(chunk));
		// One at a time, through a variable left empty: a suspended generator keeps what its locals
		// hold, and an event read and handed on must not stay while the next one arrives.
		let event: RawSseEvent | undefined;
		while ((event = ready.shift()) !== undefined) yield event;
	}
	// Some servers close right after the last data line, without the blank line: that event is
	// still delivered, marked, so the reader can tell a complete one from a truncated one.
	parser.end();
	for (const event of ready) yield { ...event, unterminated: true };
}
