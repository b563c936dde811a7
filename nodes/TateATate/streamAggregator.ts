import type { IDataObject } from 'n8n-workflow';
import type { TurnAggregator } from '../shared/streamedTurn';
import { isObject, isTateEnvelope } from './envelope';
import { invalidLineError } from './errors';
import { tateObjectFrom, tateOutput } from './response';

/**
 * A tate-a-tate stream: data lines carry the sync answer's envelope or its bare object, with
 * `msgContent` growing (each line the whole text so far) or, with some deployments, each line only
 * the new piece, until `isFinal` is 1.
 */

/**
 * Whether an SSE event is a message line for the aggregator. Skipped: a last event cut off by the
 * end of the stream whose data is not complete JSON (the answer is then incomplete, not malformed),
 * and events of another type (`event: ping`, a heartbeat) whose data is not a message object.
 */
export function isTateMessageEvent(event: { event?: string; data: string; unterminated?: boolean }): boolean {
	const otherType = event.event !== undefined && event.event !== '' && event.event !== 'message';
	if (!otherType && !event.unterminated) return true;
	let parsed: unknown;
	try {
		parsed = JSON.parse(event.data.trim());
	} catch {
		return false;
	}
	if (!otherType) return true;
	return isObject(parsed) && (isTateEnvelope(parsed) || 'msgContent' in parsed || 'msgId' in parsed || 'isFinal' in parsed);
}

/** True when a body that did not say text/event-stream still is one (`data:` lines). */
export function looksLikeEventStream(body: string): boolean {
	return /^\s*(data|event|id|retry)\s*:/.test(body) || /^\s*:/.test(body);
}

/**
 * Merges stream data lines. `msgContent` replaces the text while each line extends the text so far
 * (cumulative lines); the first line that does not extend it switches to appending (delta lines).
 */
export class TateStreamAggregator implements TurnAggregator<IDataObject> {
	private text = '';
	private last: IDataObject | undefined;
	private mode: 'cumulative' | 'delta' = 'cumulative';
	private final = false;

	get isFinal(): boolean {
		return this.final;
	}

	/** Whether any message text has arrived (then a retry would repeat it). */
	get hasContent(): boolean {
		return this.text.length > 0;
	}

	get reply(): string {
		return this.text;
	}

	/** Takes one data line; returns the new piece of text (empty when none). Throws for failure envelopes. */
	accept(data: string): string {
		const trimmed = data.trim();
		if (trimmed === '' || trimmed === '[DONE]') return '';
		let parsed: unknown;
		try {
			parsed = JSON.parse(trimmed);
		} catch {
			throw invalidLineError(trimmed);
		}
		const object = tateObjectFrom(parsed);
		this.last = { ...(this.last ?? {}), ...object };
		let delta = '';
		if (typeof object.msgContent === 'string') delta = this.merge(object.msgContent);
		if (Number(object.isFinal) === 1 || object.isFinal === true) this.final = true;
		return delta;
	}

	private merge(content: string): string {
		if (content === '') return '';
		if (this.mode === 'cumulative') {
			if (content.startsWith(this.text)) {
				const delta = content.slice(this.text.length);
				this.text = content;
				return delta;
			}
			this.mode = 'delta';
		}
		this.text += content;
		return content;
	}

	/** The output so far: the last line's fields, the merged text as msgContent, and reply. */
	result(): IDataObject {
		return tateOutput(this.last ?? {}, this.text);
	}

	/** What a failed item keeps: the same, or nothing when nothing arrived. */
	partial(): IDataObject {
		return this.last ? this.result() : {};
	}
}
