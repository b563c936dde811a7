import type { IDataObject } from 'n8n-workflow';
import type { TurnAggregator } from '../shared/streamedTurn';
import {
	BUSY_REPLY_METHOD,
	CLIENT_TOOLS_REPLY_METHOD,
	busyReplyError,
	clientToolsRequiredError,
	lkeErrorFromEvent,
	sensitiveContentError,
} from './errors';
import {
	QuoteInfoList,
	ReferenceList,
	isObject,
	normalizeV1Reference,
	normalizeV1TokenStats,
	numberOrNull,
	text,
	type LkeThought,
	type LkeTurnResult,
} from './chatResult';
import type { LkeContentHint, LkeEvent } from './stream';
import { commonPrefixLength } from './liveReplyText';

/** One LKE v1 dialog turn's events folded into the answer, as a pure state machine (no I/O). */

export type { LkeThought, LkeTurnResult } from './chatResult';

interface ReplyRecord {
	content: string;
	payload: IDataObject;
	/** The text that went out live in full (cumulative mode): a rewrite is compared with it, not with `content`. */
	sent: string;
}

/** The parts of a v1 work_flow object that are not node inputs and outputs (those are debugging). */
const WORKFLOW_FIELDS = ['workflow_id', 'workflow_name', 'workflow_run_id', 'option_cards', 'outputs'];
const WORKFLOW_NODE_FIELDS = ['NodeID', 'NodeType', 'NodeName', 'Status', 'FailMessage', 'CostMilliSeconds', 'BelongNodeID'];

function pick(source: IDataObject, keys: string[]): IDataObject {
	const picked: IDataObject = {};
	for (const key of keys) if (source[key] !== undefined) picked[key] = source[key];
	return picked;
}

function workflowWithoutDebugging(workflow: IDataObject): IDataObject {
	const kept = pick(workflow, WORKFLOW_FIELDS);
	if (isObject(workflow.current_node)) kept.current_node = pick(workflow.current_node, WORKFLOW_NODE_FIELDS);
	return kept;
}

/** A thought procedure's text: `display_content` when the API gives it, else `debugging.content`. */
function thoughtText(procedure: IDataObject): string {
	const debugging = isObject(procedure.debugging) ? procedure.debugging : {};
	if (typeof debugging.display_content === 'string') return debugging.display_content;
	if (typeof procedure.display_content === 'string') return procedure.display_content;
	return text(debugging.content);
}

export class LkeTurnAggregator implements TurnAggregator<LkeTurnResult> {
	private readonly records = new Map<string, ReplyRecord>();
	private latestRecordId: string | undefined;
	private finalRecordId: string | undefined;
	private echoPayload: IDataObject | undefined;
	private readonly references = new ReferenceList();
	private tokenStat: IDataObject | undefined;
	private readonly thoughts: LkeThought[] = [];
	private readonly rawProcedures: IDataObject[] = [];
	private traceId = '';
	private botContentArrived = false;

	constructor(
		private readonly incremental: boolean,
		private readonly requested: { sessionId: string; requestId: string; includeDebug?: boolean },
	) {}

	get isFinal(): boolean {
		return this.finalRecordId !== undefined;
	}

	/** True once any of the bot's answer arrived: from then on a retry could duplicate or lose text. */
	get hasBotContent(): boolean {
		return this.botContentArrived;
	}

	/** The echo of the user's message is not answer content, nor is the canned "too busy" reply: only the bot's text counts. */
	get hasContent(): boolean {
		return this.botContentArrived;
	}

	/**
	 * Folds one event in. Returns the new reply text it added (for live streaming), '' when none.
	 * Throws an AgentChatError for error events, sensitive-content refusals, the canned "too busy"
	 * reply and a turn that waits for client tools. `hint` (from the stream reader) must describe
	 * this event's content; it only saves comparing long texts.
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
				this.tokenStat = payload;
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
		const replyMethod = numberOrNull(payload.reply_method);
		if (replyMethod === CLIENT_TOOLS_REPLY_METHOD) {
			const interrupt = isObject(payload.interrupt_info) ? payload.interrupt_info : {};
			const calls = (Array.isArray(interrupt.tool_calls) ? interrupt.tool_calls : []).filter(isObject);
			throw clientToolsRequiredError(calls.map((call) => text(isObject(call.function) ? call.function.name : call.name)).filter(Boolean));
		}
		if (replyMethod === BUSY_REPLY_METHOD) {
			// The canned answer is neither content nor live text; a retry may still get the real one.
			if (payload.is_final === true) throw busyReplyError();
			return '';
		}
		// Late non-final replies are ignored; a later final reply replaces the earlier one (the last one wins).
		const afterFinal = this.isFinal;
		if (afterFinal && payload.is_final !== true) return '';

		const recordId = text(payload.record_id);
		const content = text(payload.content);
		const record = this.records.get(recordId);
		let added: string;
		if (!record) {
			added = content;
			this.records.set(recordId, { content, payload, sent: content });
		} else if (this.incremental) {
			added = content;
			record.content += content;
			record.payload = payload;
		} else {
			added = cumulativeDelta(record, content, hint);
			record.content = content;
			record.payload = payload;
		}
		if (content.length > 0) this.botContentArrived = true;
		this.latestRecordId = recordId;
		if (payload.is_final === true) this.finalRecordId = recordId;
		// What went out live ended with the first final reply; a later one changes the item only.
		return afterFinal ? '' : added;
	}

	private acceptThought(payload: IDataObject): void {
		if (payload.trace_id && !this.traceId) this.traceId = text(payload.trace_id);
		const procedures = Array.isArray(payload.procedures) ? (payload.procedures as IDataObject[]) : [];
		procedures.forEach((procedure, position) => {
			const index = typeof procedure.index === 'number' ? procedure.index : position;
			const piece = thoughtText(procedure);
			const existing = this.thoughts[index];
			const elapsed = numberOrNull(procedure.elapsed);
			this.rawProcedures[index] = procedure;
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
			if (!this.incremental) existing.content = piece;
			// Incremental events repeat the whole procedure list: only the last one carries a new piece.
			else if (position === procedures.length - 1) existing.content += piece;
			if (procedure.name !== undefined) existing.name = text(procedure.name);
			if (procedure.title !== undefined) existing.title = text(procedure.title);
			if (procedure.status !== undefined) existing.status = text(procedure.status);
			if (elapsed !== null) existing.elapsed = elapsed;
		});
	}

	private acceptReference(payload: IDataObject): void {
		if (payload.trace_id && !this.traceId) this.traceId = text(payload.trace_id);
		const references = Array.isArray(payload.references) ? (payload.references as IDataObject[]) : [];
		for (const reference of references) if (isObject(reference)) this.references.add(normalizeV1Reference(reference));
	}

	/** The turn as the node outputs it; `isFinal` false when the final reply has not (yet) arrived. */
	result(): LkeTurnResult {
		const recordId = this.finalRecordId ?? this.latestRecordId;
		const record = recordId === undefined ? undefined : this.records.get(recordId);
		const payload = record?.payload ?? {};
		const quoteInfos = new QuoteInfoList();
		for (const quote of Array.isArray(payload.quote_infos) ? payload.quote_infos : []) quoteInfos.add(quote);
		const result: LkeTurnResult = {
			reply: record?.content ?? '',
			sessionId: text(payload.session_id) || text(this.echoPayload?.session_id) || this.requested.sessionId,
			requestId: text(payload.request_id) || text(this.echoPayload?.request_id) || this.requested.requestId,
			recordId: recordId ?? '',
			relatedRecordId: text(payload.related_record_id),
			traceId: this.traceId,
			isFinal: this.isFinal,
			isEvil: payload.is_evil === true || this.echoPayload?.is_evil === true,
			replyMethod: numberOrNull(payload.reply_method),
			references: this.references.values(),
			tokenStats: this.tokenStat ? normalizeV1TokenStats(this.tokenStat) : null,
			thoughts: this.thoughts.filter((thought) => thought !== undefined).map((thought) => ({ ...thought })),
			toolCalls: [],
			quoteInfos: quoteInfos.values(),
		};
		if (Array.isArray(payload.knowledge)) result.knowledge = payload.knowledge;
		if (Array.isArray(payload.option_cards) && payload.option_cards.length > 0) result.optionCards = payload.option_cards;
		if (isObject(payload.work_flow)) result.workflow = workflowWithoutDebugging(payload.work_flow);
		if (this.requested.includeDebug) {
			result.debug = {
				tokenStat: this.tokenStat ?? null,
				procedures: this.rawProcedures.filter((procedure) => procedure !== undefined),
				workFlow: payload.work_flow ?? null,
				taskFlow: payload.task_flow ?? null,
			};
		}
		return result;
	}

	/** What a failed item keeps: the turn so far, never final. */
	partial(): LkeTurnResult {
		return { ...this.result(), isFinal: false };
	}
}

/**
 * The live text a cumulative reply event adds. The live stream can only append, and the server may
 * rewrite text already out: the event sends what follows the longest start (in whole characters) it
 * shares with the text out in full, and nothing when it only repeats or cuts back that text. So no
 * text goes out twice and none of a new version is left out. `hint` (from the fast reader) says the
 * content is its base plus the appended piece, which spares comparing long texts.
 */
function cumulativeDelta(record: ReplyRecord, content: string, hint?: LkeContentHint): string {
	const sent = record.sent;
	if (hint && hint.base === sent && content.length === hint.base.length + hint.appended.length) {
		record.sent = content;
		return hint.appended;
	}
	const shared = content.startsWith(sent) ? sent.length : commonPrefixLength(sent, content);
	const added = content.slice(shared);
	if (added !== '') record.sent = content;
	return added;
}
