import type { IDataObject } from 'n8n-workflow';
import type { TurnAggregator } from '../shared/streamedTurn';
import { lkeErrorFromEvent, sensitiveContentError } from './errors';
import type { LkeContentHint, LkeEvent } from './stream';

/** One LKE dialog turn's events folded into the answer, as a pure state machine (no I/O). */

export interface LkeThought {
	name: string;
	title: string;
	status: string;
	content: string;
	elapsed: number | null;
}

export interface LkeTurnResult extends IDataObject {
	reply: string;
	sessionId: string;
	requestId: string;
	recordId: string;
	relatedRecordId: string;
	traceId: string;
	isFinal: boolean;
	isEvil: boolean;
	replyMethod: number | null;
	references: IDataObject[];
	tokenStats: IDataObject | null;
	thoughts: LkeThought[];
}

interface ReplyRecord {
	content: string;
	payload: IDataObject;
}

function text(value: unknown): string {
	return typeof value === 'string' ? value : value === undefined || value === null ? '' : String(value);
}

export class LkeTurnAggregator implements TurnAggregator<LkeTurnResult> {
	private readonly records = new Map<string, ReplyRecord>();
	private latestRecordId: string | undefined;
	private finalRecordId: string | undefined;
	private echoPayload: IDataObject | undefined;
	private readonly referencesById = new Map<string, IDataObject>();
	private tokenStats: IDataObject | null = null;
	private readonly thoughts: LkeThought[] = [];
	private traceId = '';
	private botContentArrived = false;

	constructor(
		private readonly incremental: boolean,
		private readonly requested: { sessionId: string; requestId: string },
	) {}

	get isFinal(): boolean {
		return this.finalRecordId !== undefined;
	}

	/** True once any of the bot's answer arrived: from then on a retry could duplicate or lose text. */
	get hasBotContent(): boolean {
		return this.botContentArrived;
	}

	/** The echo of the user's message is not answer content: only the bot's text counts. */
	get hasContent(): boolean {
		return this.botContentArrived;
	}

	/**
	 * Folds one event in. Returns the new reply text it added (for live streaming), '' when none.
	 * Throws an AgentChatError for error events and sensitive-content refusals. `hint` (from the
	 * stream reader) must describe this event's content; it only saves comparing long texts.
	 */
	accept(event: LkeEvent, hint?: LkeContentHint): string {
		const payload = (event.payload ?? {}) as IDataObject;
		switch (event.type) {
			case 'reply':
				return this.acceptReply(payload, hint);
			case 'thought':
				this.acceptThought(payload);
				return '';
			case 'reference':
				this.acceptReference(payload);
				return '';
			case 'token_stat':
				this.tokenStats = payload;
				return '';
			case 'error': {
				if (this.isFinal) return '';
				const error = (event.error ?? (payload.error as IDataObject | undefined) ?? payload) as IDataObject;
				throw lkeErrorFromEvent(error);
			}
			default:
				return '';
		}
	}

	private acceptReply(payload: IDataObject, hint?: LkeContentHint): string {
		if (payload.trace_id) this.traceId = text(payload.trace_id);
		if (payload.is_from_self === true) {
			this.echoPayload = payload;
			if (payload.is_evil === true) {
				throw sensitiveContentError();
			}
			return '';
		}
		if (this.isFinal) return '';

		const recordId = text(payload.record_id);
		const content = text(payload.content);
		const record = this.records.get(recordId);
		let added: string;
		if (!record) {
			added = content;
			this.records.set(recordId, { content, payload });
		} else if (this.incremental) {
			added = content;
			record.content += content;
			record.payload = payload;
		} else if (hint && hint.base === record.content && content.length === hint.base.length + hint.appended.length) {
			added = hint.appended;
			record.content = content;
			record.payload = payload;
		} else {
			added = content.startsWith(record.content) ? content.slice(record.content.length) : content;
			record.content = content;
			record.payload = payload;
		}
		if (content.length > 0) this.botContentArrived = true;
		this.latestRecordId = recordId;
		if (payload.is_final === true) this.finalRecordId = recordId;
		return added;
	}

	private acceptThought(payload: IDataObject): void {
		if (payload.trace_id && !this.traceId) this.traceId = text(payload.trace_id);
		const procedures = Array.isArray(payload.procedures) ? (payload.procedures as IDataObject[]) : [];
		procedures.forEach((procedure, position) => {
			const index = typeof procedure.index === 'number' ? procedure.index : position;
			const piece = text((procedure.debugging as IDataObject | undefined)?.content);
			const existing = this.thoughts[index];
			const elapsed = typeof procedure.elapsed === 'number' ? procedure.elapsed : null;
			if (!existing) {
				this.thoughts[index] = {
					name: text(procedure.name),
					title: text(procedure.title),
					status: text(procedure.status),
					content: piece,
					elapsed,
				};
				return;
			}
			existing.content = this.incremental ? existing.content + piece : piece;
			if (procedure.name !== undefined) existing.name = text(procedure.name);
			if (procedure.title !== undefined) existing.title = text(procedure.title);
			if (procedure.status !== undefined) existing.status = text(procedure.status);
			if (elapsed !== null) existing.elapsed = elapsed;
		});
	}

	private acceptReference(payload: IDataObject): void {
		if (payload.trace_id && !this.traceId) this.traceId = text(payload.trace_id);
		const references = Array.isArray(payload.references) ? (payload.references as IDataObject[]) : [];
		for (const reference of references) {
			const key =
				reference.id !== undefined && reference.id !== null && reference.id !== ''
					? `id:${String(reference.id)}`
					: `doc:${JSON.stringify([reference.type, reference.url, reference.name, reference.doc_id])}`;
			if (!this.referencesById.has(key)) this.referencesById.set(key, reference);
		}
	}

	/** The turn as the node outputs it; `isFinal` false when the final reply has not (yet) arrived. */
	result(): LkeTurnResult {
		const recordId = this.finalRecordId ?? this.latestRecordId;
		const record = recordId === undefined ? undefined : this.records.get(recordId);
		const payload = record?.payload ?? {};
		const result: LkeTurnResult = {
			reply: record?.content ?? '',
			sessionId: text(payload.session_id) || text(this.echoPayload?.session_id) || this.requested.sessionId,
			requestId: text(payload.request_id) || text(this.echoPayload?.request_id) || this.requested.requestId,
			recordId: recordId ?? '',
			relatedRecordId: text(payload.related_record_id),
			traceId: this.traceId,
			isFinal: this.isFinal,
			isEvil: payload.is_evil === true || this.echoPayload?.is_evil === true,
			replyMethod: typeof payload.reply_method === 'number' ? payload.reply_method : null,
			references: [...this.referencesById.values()],
			tokenStats: this.tokenStats,
			thoughts: this.thoughts.filter((thought) => thought !== undefined),
		};
		const optional: Array<[string, string]> = [
			['quote_infos', 'quoteInfos'],
			['knowledge', 'knowledge'],
			['option_cards', 'optionCards'],
			['work_flow', 'workflow'],
		];
		for (const [apiName, outputName] of optional) {
			if (payload[apiName] !== undefined && payload[apiName] !== null) result[outputName] = payload[apiName];
		}
		return result;
	}

	/** What a failed item keeps: the turn so far, never final. */
	partial(): LkeTurnResult {
		return { ...this.result(), isFinal: false };
	}
}
