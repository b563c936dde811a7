import type { IDataObject } from 'n8n-workflow';
import type { SseEvent } from '../../shared/sse';
import { parseEventObject } from './lkeEvent';

/** The events of an ADP v2 dialog stream, as the API sends them, and how one is parsed. */

/** One v2 event: its JSON object (`Type` repeats the SSE event name); `[DONE]` is `{ Type: 'done' }`. */
export interface AdpV2Event extends IDataObject {
	Type?: string;
}

export const ADP_V2_DONE = 'done';

const ADP_V2_EVENT_TYPES = new Set([
	'request_ack',
	'response.created',
	'response.processing',
	'response.completed',
	'message.added',
	'message.processing',
	'message.done',
	'content.added',
	'text.delta',
	'text.replace',
	'quote_info.added',
	'reference.added',
	'error',
]);

/** Parses one SSE event; undefined for a cut-off last event and for unknown events that are not JSON. */
export function parseAdpV2Event(sse: SseEvent): AdpV2Event | undefined {
	if (sse.data.trim() === '[DONE]') return { Type: ADP_V2_DONE };
	const parsed = parseEventObject(sse, ADP_V2_EVENT_TYPES, 'Tencent ADP');
	return parsed && toAdpV2Event(parsed, sse.event);
}

export function toAdpV2Event(parsed: IDataObject, eventName: string | undefined): AdpV2Event {
	return typeof parsed.Type === 'string' ? parsed : { ...parsed, Type: eventName };
}

/**
 * Where v2's long text is: `Text` of a `text.replace` event, the whole text so far of one content
 * slot (with Incremental off, every text event is one; the aggregator's hint is about it), or of a
 * long `text.delta` (whose bytes the final events repeat).
 */
export const adpV2LongText = {
	key: Buffer.from('"Text":'),
	field: 'Text',
	carriesLongText: (eventName: string | undefined) => eventName === 'text.replace' || eventName === 'text.delta',
	parse: parseAdpV2Event,
	locate(parsed: IDataObject, markers: string): { holder: IDataObject; hinted: boolean } | undefined {
		if (parsed.Text !== markers) return undefined;
		if (parsed.Type === 'text.delta') return { holder: parsed, hinted: false };
		return parsed.Type === undefined || parsed.Type === 'text.replace' ? { holder: parsed, hinted: true } : undefined;
	},
	toEvent: toAdpV2Event,
};
