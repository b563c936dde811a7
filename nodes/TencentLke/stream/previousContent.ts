import { SseData, type RepeatedBytes } from './sseByteReader';

const CR = 0x0d;
const LF = 0x0a;
const QUOTE = 0x22;
/** The key of the long text in LKE v1 reply and thought events. */
export const CONTENT_KEY = Buffer.from('"content":');
const DATA_FIELD = Buffer.from('data:');
/** Segments grow with the content: few for a long answer, little spare room for a short one. */
const MIN_SEGMENT = 16 * 1024;
const MAX_SEGMENT = 256 * 1024;

/** Where the string body of the key (`"content":` by default) found at `key` begins (after its quote), or -1 when no string follows. */
export function contentStringAt(data: SseData, key: number, keyBytes: Buffer = CONTENT_KEY): number {
	let start = key + keyBytes.length;
	let byte = data.byteAt(start);
	// JSON whitespace between the colon and the value.
	while (byte === 0x20 || byte === 0x09 || byte === 0x0a || byte === 0x0d) byte = data.byteAt(++start);
	return byte === QUOTE ? start + 1 : -1;
}

/**
 * The previous long content of an LKE stream (a reply's or a thought's), as the JSON string body
 * it arrived in (bytes).
 *
 * A content that is not extended (incremental mode, rewrites) stays as the slices of the event it
 * came in: no copy. Once one is extended (cumulative mode), its bytes move to segments of our own,
 * and new bytes are appended there. Then, as RepeatedBytes, it lets the SSE parser swap the part of
 * the next line that repeats it for these bytes while the line arrives: the network buffers
 * go at once instead of staying until the event ends (over 1 MB for a 1 MB answer), and the parser
 * skips looking for line ends in them.
 *
 * Bytes once written are never changed (lines being read point into them): appending writes after
 * them, and a new content starts new segments.
 */
export class PreviousContentBytes implements RepeatedBytes {
	private segments: Buffer[] = [];
	private used: number[] = [];
	private borrowed: SseData = SseData.EMPTY;
	private owned = false;
	private view: SseData | undefined;

	/** `key`: the JSON key whose string value the next line repeats (`"content":` in v1, `"Text":` in v2). */
	constructor(private readonly key: Buffer = CONTENT_KEY) {}

	data(): SseData {
		if (!this.owned) return this.borrowed;
		this.view ??= new SseData(
			this.segments.map((segment, index) => (segment.length === this.used[index] ? segment : segment.subarray(0, this.used[index]))),
			this.used.reduce((sum, used) => sum + used, 0),
		);
		return this.view;
	}

	/** Starts over with these bytes, kept as they are (not copied). */
	reset(bytes: SseData): void {
		this.segments = [];
		this.used = [];
		this.owned = false;
		this.borrowed = bytes;
		this.view = undefined;
	}

	/** Appends these bytes, copied; false (and nothing changed) when they hold a CR or LF. */
	extend(bytes: SseData): boolean {
		const added = bytes.pieces();
		const adding = this.owned ? added : [...this.borrowed.pieces(), ...added];
		// The parser skips looking for line ends in these bytes: a JSON string body has none anyway.
		if (adding.some((piece) => piece.indexOf(LF) !== -1 || piece.indexOf(CR) !== -1)) return false;
		if (!this.owned) {
			this.owned = true;
			this.borrowed = SseData.EMPTY;
		}
		for (const piece of adding) this.copyIn(piece);
		this.view = undefined;
		return true;
	}

	private copyIn(piece: Buffer): void {
		let at = 0;
		while (at < piece.length) {
			let last = this.segments.length - 1;
			if (last === -1 || this.used[last] === this.segments[last].length) {
				const total = this.used.reduce((sum, used) => sum + used, 0);
				this.segments.push(Buffer.allocUnsafeSlow(Math.max(piece.length - at, Math.min(MAX_SEGMENT, Math.max(MIN_SEGMENT, total >> 2)))));
				this.used.push(0);
				last++;
			}
			const copied = piece.copy(this.segments[last], this.used[last], at);
			this.used[last] += copied;
			at += copied;
		}
	}

	/** A line repeats the content from just after its first key (`"content":"`), once; only our own bytes are offered. */
	startIn(line: SseData, from: number): number {
		if (from > 0 || !this.owned || line.length < DATA_FIELD.length || !line.copy(0, DATA_FIELD.length).equals(DATA_FIELD)) return -1;
		const key = line.indexOfBytes(this.key);
		return key === -1 ? -1 : contentStringAt(line, key, this.key);
	}

	matchLength(offset: number, bytes: Buffer): number {
		return this.owned ? this.data().matchLength(offset, bytes) : 0;
	}

	pieces(start: number, end: number): Buffer[] {
		return this.data().pieces(start, end);
	}
}
