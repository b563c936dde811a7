/**
 * How the simulated `POST /bv/aisk-stream/v1/prompts` frames its stream. The vendor documents the
 * message (`{message, citations}`) and lists text/event-stream among the produced types, but not
 * the framing; a client has to cope with each plausible one:
 *
 * | framing        | content-type         | one event                         | `message` by default |
 * |----------------|----------------------|-----------------------------------|----------------------|
 * | `sse`          | text/event-stream    | `data: {"message",…}\n\n`          | the new piece        |
 * | `sse-result`   | text/event-stream    | `data: {"result":{…}}\n\n`         | the new piece        |
 * | `jsonl-result` | application/json     | `{"result":{…}}\n` (grpc-gateway)  | the whole answer so far |
 * | `ndjson`       | application/x-ndjson | `{"message",…}\n`                  | the new piece        |
 * | `array`        | application/json     | one JSON array, elements streamed  | the new piece        |
 *
 * An error in the middle of a stream is `{"error": google.rpc.Status}` in the same framing.
 */

export const AISK_FRAMINGS = ['sse', 'sse-result', 'jsonl-result', 'ndjson', 'array'] as const;
export type AiskFraming = (typeof AISK_FRAMINGS)[number];
export type AiskMessageMode = 'delta' | 'cumulative';

export function isAiskFraming(value: string): value is AiskFraming {
	return (AISK_FRAMINGS as readonly string[]).includes(value);
}

export const AISK_FRAMING_CONTENT_TYPES: Record<AiskFraming, string> = {
	sse: 'text/event-stream',
	'sse-result': 'text/event-stream',
	'jsonl-result': 'application/json',
	ndjson: 'application/x-ndjson',
	array: 'application/json',
};

export function defaultMessageMode(framing: AiskFraming): AiskMessageMode {
	return framing === 'jsonl-result' ? 'cumulative' : 'delta';
}

/** Writes one stream's events in a framing; `first` tracks the array's commas. */
export class AiskFrameWriter {
	private first = true;

	constructor(readonly framing: AiskFraming) {}

	/** Bytes before the first event. */
	open(): string {
		return this.framing === 'array' ? '[' : '';
	}

	/** One response message (`{message, citations}`). */
	message(payload: unknown): string {
		const wrapped = this.framing === 'sse-result' || this.framing === 'jsonl-result' ? { result: payload } : payload;
		return this.frame(JSON.stringify(wrapped));
	}

	/** A google.rpc.Status sent in place of the next message. */
	error(status: unknown): string {
		return this.frame(JSON.stringify({ error: status }));
	}

	/** Bytes after the last event (also after an error). */
	close(): string {
		return this.framing === 'array' ? ']' : '';
	}

	private frame(json: string): string {
		switch (this.framing) {
			case 'sse':
			case 'sse-result':
				return `data: ${json}\n\n`;
			case 'array': {
				const sep = this.first ? '' : ',';
				this.first = false;
				return `${sep}${json}`;
			}
			default:
				return `${json}\n`;
		}
	}
}
