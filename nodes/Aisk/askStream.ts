import { AgentChatError } from '../shared/errors';
import { readSseEvents } from '../shared/sse';
import type { GrpcErrorBody } from './errors';
import { JsonStreamFormatError, readJsonValues } from './jsonStreamReader';

/**
 * The events of one AiSK answer stream, whatever its framing. The vendor documents the message
 * (`{message, citations}`) and two media types, not the bytes, so every framing a grpc-gateway or
 * SSE server could send is read:
 *
 * - SSE (`text/event-stream`, or a body starting with an SSE field): each `data:` is one JSON
 *   element; `data: [DONE]` ends the answer.
 * - JSON: objects one per line (grpc-gateway's default), objects one after the other, or one array
 *   whose elements arrive as they are written.
 *
 * Each element is the message bare, or wrapped as `{"result": message}`; `{"error": Status}` (or a
 * bare Status, which carries a numeric `code`) is a failure in the middle of the stream.
 */

export type AiskStreamEvent =
	| { type: 'message'; message: string; citations: unknown[] }
	| { type: 'error'; status: GrpcErrorBody };

const SSE_START = /^(data|event|id|retry)\s*:|^:/;
/** How much of the start is looked at to tell SSE from JSON. */
const SNIFF_CHARS = 16;

function isObject(value: unknown): value is Record<string, unknown> {
	return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function protocolError(message: string, truncated = false): AgentChatError {
	return new AgentChatError(message, {
		kind: 'protocol',
		code: truncated ? 'INCOMPLETE_STREAM' : 'PROTOCOL_ERROR',
		description: truncated ? 'The answer stream was cut off.' : 'AiSK sent a stream element the node cannot read.',
		// A cut-off stream may come whole on the next attempt (the turn retries only while no text arrived).
		retryable: truncated,
	});
}

/** One element of the stream, unwrapped; undefined for an element that carries nothing (a heartbeat `{}`). */
export function interpretElement(value: unknown): AiskStreamEvent | undefined {
	if (!isObject(value)) throw protocolError(`AiSK sent a stream element that is not a JSON object: ${JSON.stringify(value)?.slice(0, 200)}`);
	if (isObject(value.error)) return { type: 'error', status: value.error as GrpcErrorBody };
	const inner = isObject(value.result) ? value.result : value;
	const code = typeof inner.code === 'number' ? inner.code : typeof inner.code === 'string' && /^\d+$/.test(inner.code) ? Number(inner.code) : undefined;
	if (code !== undefined && code !== 0 && !('citations' in inner)) return { type: 'error', status: inner as GrpcErrorBody };
	const message = typeof inner.message === 'string' ? inner.message : '';
	const citations = Array.isArray(inner.citations) ? inner.citations : [];
	if (message === '' && citations.length === 0 && !('message' in inner)) return undefined;
	return { type: 'message', message, citations };
}

/** Splits the first chunks off until the framing shows, and gives them back in front of the rest. */
async function sniff(chunks: AsyncIterable<Uint8Array>): Promise<{ start: string; all: AsyncIterable<Uint8Array> }> {
	const iterator = chunks[Symbol.asyncIterator]();
	const head: Uint8Array[] = [];
	const decoder = new TextDecoder('utf-8');
	let start = '';
	while (start.replace(/^[\s\ufeff]+/, '').length < SNIFF_CHARS) {
		const next = await iterator.next();
		if (next.done) break;
		head.push(next.value);
		start += decoder.decode(next.value, { stream: true });
	}
	const all = (async function* () {
		yield* head;
		for (;;) {
			const next = await iterator.next();
			if (next.done) return;
			yield next.value;
		}
	})();
	return { start: start.replace(/^[\s\ufeff]+/, ''), all };
}

export async function* readAiskStream(chunks: AsyncIterable<Uint8Array>, contentType: string): AsyncGenerator<AiskStreamEvent> {
	const { start, all } = await sniff(chunks);
	const sse = /text\/event-stream/i.test(contentType) ? !/^[[{]/.test(start) : SSE_START.test(start);
	try {
		if (sse) {
			for await (const event of readSseEvents(all)) {
				const data = event.data.trim();
				if (data === '') continue;
				if (data === '[DONE]') return;
				let value: unknown;
				try {
					value = JSON.parse(data) as unknown;
				} catch {
					if (event.unterminated) throw protocolError('The answer stream ended in the middle of an event', true);
					throw protocolError(`AiSK sent an event whose data is not JSON: ${data.slice(0, 200)}`);
				}
				const element = interpretElement(value);
				if (element) yield element;
			}
			return;
		}
		for await (const value of readJsonValues(all)) {
			const element = interpretElement(value);
			if (element) yield element;
		}
	} catch (error) {
		if (error instanceof JsonStreamFormatError) throw protocolError(error.message, error.truncated);
		throw error;
	}
}
