import type { IDataObject } from 'n8n-workflow';
import { AgentChatError } from '../../shared/errors';
import type { SseEvent } from '../../shared/sse';

/** The events of an LKE dialog stream, as the dialog API sends them, and how one is parsed. */

export interface LkeEvent {
	type?: string;
	payload?: IDataObject;
	error?: IDataObject;
	message_id?: string;
}

const LKE_EVENT_TYPES = new Set(['reply', 'thought', 'reference', 'token_stat', 'error']);

/** Parses one SSE event; undefined for a cut-off last event, which the turn then treats as missing. */
export function parseLkeEvent(sse: SseEvent): LkeEvent | undefined {
	let parsed: unknown;
	try {
		parsed = JSON.parse(sse.data);
	} catch {
		if (sse.unterminated) return undefined;
		// Unknown types are ignored whatever they carry (a gateway's `event:ping` / `data:ping`).
		if (sse.event && !LKE_EVENT_TYPES.has(sse.event)) return undefined;
		throw new AgentChatError(
			`Tencent LKE sent an event whose data is not valid JSON (event "${sse.event ?? 'message'}", ${sse.data.length} characters)`,
			{ kind: 'protocol', code: 'INVALID_EVENT' },
		);
	}
	if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) return { type: sse.event };
	const event = parsed as LkeEvent;
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
