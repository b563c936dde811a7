/**
 * JSON values from a byte stream, as they complete: newline-delimited JSON, objects written one
 * after the other, or one JSON array whose elements arrive over time (each element comes out on
 * its own). Bytes are decoded as one stream, so a multi-byte character split across chunks
 * survives. Pure: no I/O beyond the iterable it reads.
 */

export const MAX_JSON_VALUE_CHARS = 32 * 1024 * 1024;

export class JsonStreamFormatError extends Error {
	constructor(
		message: string,
		/** The stream ended inside a value or before the array's closing bracket. */
		readonly truncated = false,
	) {
		super(message);
		this.name = 'JsonStreamFormatError';
	}
}

const WHITESPACE = new Set([' ', '\t', '\n', '\r', '\ufeff']);

/** The scanner's state between chunks. */
class JsonValueScanner {
	private pending = '';
	private depth = 0;
	private inString = false;
	private escaped = false;
	private array: 'none' | 'open' | 'closed' = 'none';
	private seenAny = false;

	constructor(private readonly maxChars: number) {}

	/** Takes more text; returns the values it completed, in order. */
	feed(text: string): unknown[] {
		const values: unknown[] = [];
		const input = this.pending + text;
		const resumeAt = this.pending.length;
		let start = this.depth > 0 ? 0 : -1;
		for (let i = resumeAt; i < input.length; i++) {
			const char = input[i];
			if (this.depth > 0) {
				if (this.inString) {
					if (this.escaped) this.escaped = false;
					else if (char === '\\') this.escaped = true;
					else if (char === '"') this.inString = false;
					continue;
				}
				if (char === '"') this.inString = true;
				else if (char === '{' || char === '[') this.depth++;
				else if (char === '}' || char === ']') {
					this.depth--;
					if (this.depth === 0) {
						if (i + 1 - start > this.maxChars) throw this.tooLong();
						values.push(parse(input.slice(start, i + 1)));
						start = -1;
					}
				}
				continue;
			}
			if (WHITESPACE.has(char)) continue;
			if (char === '[' && !this.seenAny) {
				this.array = 'open';
				this.seenAny = true;
				continue;
			}
			if (this.array === 'open' && (char === ',' || char === ']')) {
				if (char === ']') this.array = 'closed';
				continue;
			}
			if (char === '{' && this.array !== 'closed') {
				this.seenAny = true;
				this.depth = 1;
				start = i;
				continue;
			}
			throw new JsonStreamFormatError(`Unexpected ${JSON.stringify(char)} between the JSON objects of the stream`);
		}
		this.pending = start >= 0 ? input.slice(start) : '';
		if (this.pending.length > this.maxChars) throw this.tooLong();
		return values;
	}

	private tooLong(): JsonStreamFormatError {
		return new JsonStreamFormatError(`A JSON value of the stream is longer than ${this.maxChars} characters`);
	}

	/** The stream ended: fails when it stopped inside a value or an open array. */
	end(): void {
		if (this.depth > 0) throw new JsonStreamFormatError('The stream ended in the middle of a JSON value', true);
		if (this.array === 'open') throw new JsonStreamFormatError('The stream ended before the JSON array was closed', true);
	}
}

function parse(text: string): unknown {
	try {
		return JSON.parse(text) as unknown;
	} catch {
		throw new JsonStreamFormatError(`The stream holds a value that is not valid JSON: ${text.slice(0, 200)}`);
	}
}

export async function* readJsonValues(chunks: AsyncIterable<Uint8Array>, maxChars = MAX_JSON_VALUE_CHARS): AsyncGenerator<unknown> {
	const decoder = new TextDecoder('utf-8');
	const scanner = new JsonValueScanner(maxChars);
	for await (const chunk of chunks) {
		yield* scanner.feed(decoder.decode(chunk, { stream: true }));
	}
	yield* scanner.feed(decoder.decode());
	scanner.end();
}
