import type { IDataObject } from 'n8n-workflow';
import { AgentChatError } from '../../shared/errors';
import type { SseEvent } from '../../shared/sse';
import { isObject } from '../../shared/validation';

/** The events of an LKE dialog stream, as the dialog API sends them, and how one is parsed. */

export interface LkeEvent {
	type?: string;
	payload?: IDataObject;
	error?: IDataObject;
	message_id?: string;
}

const LKE_EVENT_TYPES = new Set(['reply', 'thought', 'reference', 'token_stat', 'error']);

/**
 * The JSON object of one SSE event's data: undefined for a cut-off last event and for an unknown
 * event type whose data is not JSON (a gateway's `event:ping` / `data:ping`), `{}` for JSON that
 * is not an object; invalid JSON in a known event type fails the turn.
 */
export function parseEventObject(sse: SseEvent, knownTypes: ReadonlySet<string>, sender: string): IDataObject | undefined {
	let parsed: unknown;
	try {
		parsed = JSON.parse(sse.data);
	} catch {
		if (sse.unterminated) return undefined;
		if (sse.event && !knownTypes.has(sse.event)) return undefined;
		throw new AgentChatError(
			`${sender} sent an event whose data is not valid JSON (event "${sse.event ?? 'message'}", ${sse.data.length} characters)`,
			{ kind: 'protocol', code: 'INVALID_EVENT' },
		);
	}
	return parsed && typeof parsed === 'object' && !Array.isArray(parsed) ? (parsed as IDataObject) : {};
}

/** Parses one SSE event; undefined for a cut-off last event, which the turn then treats as missing. */
export function parseLkeEvent(sse: SseEvent): LkeEvent | undefined {
	const event = parseEventObject(sse, LKE_EVENT_TYPES, 'Tencent LKE') as LkeEvent | undefined;
	if (!event) return undefined;
	return event.type === undefined ? { ...event, type: sse.event } : event;
}

/**
 * A reply's content given as what it extends: `content === base + appended`. Lets the aggregator
 * take the delta without comparing the whole answer so far.
 */
export interface LkeContentHint {
	base: string;
	appended: string;
}

export interface ParsedLkeEvent {
	event: LkeEvent;
	hint?: LkeContentHint;
}

/**
 * Where v1's long text is: `payload.content` of a reply (the aggregator's hint is about it) or a
 * thought procedure's `debugging.content` (cumulative reasoning), in `reply` and `thought` events.
 */
export const lkeV1LongText = {
	key: Buffer.from('"content":'),
	field: 'content',
	carriesLongText: (eventName: string | undefined) => eventName === undefined || eventName === 'reply' || eventName === 'thought',
	parse: parseLkeEvent,
	locate(parsed: IDataObject, markers: string): { holder: IDataObject; hinted: boolean } | undefined {
		const payload = parsed.payload;
		if (!isObject(payload)) return undefined;
		if (payload.content === markers) return { holder: payload, hinted: true };
		if (!Array.isArray(payload.procedures)) return undefined;
		for (const procedure of payload.procedures as unknown[]) {
			if (isObject(procedure) && isObject(procedure.debugging) && procedure.debugging.content === markers) return { holder: procedure.debugging, hinted: false };
		}
		return undefined;
	},
	toEvent(parsed: IDataObject, eventName: string | undefined): LkeEvent {
		const event = parsed as LkeEvent;
		return event.type === undefined ? { ...event, type: eventName } : event;
	},
};
