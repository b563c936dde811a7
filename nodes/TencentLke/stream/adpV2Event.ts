import type { IDataObject } from 'n8n-workflow';
import { AgentChatError } from '../../shared/errors';
import type { SseEvent } from '../../shared/sse';

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

function isObject(value: unknown): value is IDataObject {
	return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Parses one SSE event; undefined for a cut-off last event and for unknown events that are not JSON. */
export function parseAdpV2Event(sse: SseEvent): AdpV2Event | undefined {
	if (sse.data.trim() === '[DONE]') return { Type: ADP_V2_DONE };
	let parsed: unknown;
	try {
		parsed = JSON.parse(sse.data);
	} catch {
		if (sse.unterminated) return undefined;
		if (sse.event && !ADP_V2_EVENT_TYPES.has(sse.event)) return undefined;
		throw new AgentChatError(
			`Tencent ADP sent an event whose data is not valid JSON (event "${sse.event ?? 'message'}", ${sse.data.length} characters)`,
			{ kind: 'protocol', code: 'INVALID_EVENT' },
		);
	}
	if (!isObject(parsed)) return { Type: sse.event };
	return toAdpV2Event(parsed, sse.event);
}

function toAdpV2Event(parsed: IDataObject, eventName: string | undefined): AdpV2Event {
	return typeof parsed.Type === 'string' ? parsed : { ...parsed, Type: eventName };
}

/**
 * Where v2's long text is: `Text` of a `text.replace` event, the whole text so far of one content
 * slot (with Incremental off, every text event is one). The aggregator's hint is about it.
 */
export const adpV2LongText = {
	key: Buffer.from('"Text":'),
	field: 'Text',
	carriesLongText: (eventName: string | undefined) => eventName === 'text.replace',
	parse: parseAdpV2Event,
	locate(parsed: IDataObject, markers: string): { holder: IDataObject; hinted: boolean } | undefined {
		return parsed.Text === markers && (parsed.Type === undefined || parsed.Type === 'text.replace') ? { holder: parsed, hinted: true } : undefined;
	},
	toEvent: toAdpV2Event,
};
