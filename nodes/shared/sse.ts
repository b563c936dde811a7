import type { EventSourceMessage } from 'eventsource-parser';

type EventSourceParser = typeof import('eventsource-parser');
let parserModule: EventSourceParser | undefined;

/** Loaded on the first stream read, so that loading the nodes at n8n's start-up does not pay for it. */
function eventSourceParser(): EventSourceParser {
	parserModule ??= require('eventsource-parser') as EventSourceParser;
	return parserModule;
}

/** Longest single SSE event accepted; a bigger one means a broken or hostile stream. */
export const MAX_SSE_EVENT_CHARS = 32 * 1024 * 1024;

export class SseFormatError extends Error {
	constructor(message: string) {
		super(message);
		this.name = 'SseFormatError';
	}
}

export interface SseEvent {
	event?: string;
	data: string;
	/** The stream ended before this event's closing blank line: it may be cut short. */
	unterminated?: boolean;
}

/**
 * Turns a byte stream into SSE events. Bytes are decoded as one stream so that a multi-byte
 * character split across network chunks survives.
 */
export async function* readSseEvents(
	chunks: AsyncIterable<Uint8Array>,
	maxEventChars = MAX_SSE_EVENT_CHARS,
): AsyncGenerator<SseEvent> {
	const decoder = new TextDecoder('utf-8');
	const ready: SseEvent[] = [];
	let failure: Error | undefined;
	const parser = eventSourceParser().createParser({
		onEvent: (message: EventSourceMessage) => ready.push({ event: message.event, data: message.data }),
		onError: (error) => {
			if ((error as { type?: string }).type === 'max-buffer-size-exceeded') {
				failure = new SseFormatError(`An event of the stream is longer than ${maxEventChars} characters`);
			}
		},
		maxBufferSize: maxEventChars,
	});

	for await (const chunk of chunks) {
		parser.feed(decoder.decode(chunk, { stream: true }));
		if (failure) throw failure;
		while (ready.length > 0) yield ready.shift()!;
	}
	// Some servers close right after the last data line, without the blank line: that event is
	// still delivered, marked, so the reader can tell a complete one from a truncated one.
	parser.feed(decoder.decode() + '\n\n');
	if (failure) throw failure;
	for (const event of ready) yield { ...event, unterminated: true };
}
