import type { IDataObject } from 'n8n-workflow';
import type { TurnAggregator } from '../shared/streamedTurn';
import {
	QuoteInfoList,
	ReferenceList,
	isObject,
	normalizeV2Reference,
	normalizeV2TokenStats,
	numberOrNull,
	text,
	type LkeThought,
	type LkeToolCall,
	type LkeTurnResult,
} from './chatResult';
import { BUSY_REPLY_METHOD, adpV2ErrorFromEvent, busyReplyError } from './errors';
import { LiveReplyText } from './liveReplyText';
import { ADP_V2_DONE, type AdpV2Event } from './stream/adpV2Event';
import type { LkeContentHint } from './stream';

/**
 * One ADP v2 dialog turn's events folded into the answer, as a pure state machine (no I/O).
 *
 * Text events name only a MessageId and a ContentIndex, so `message.added` tells which message is
 * what; only `reply` messages make the answer, `thought` and `tool_call` messages become
 * `thoughts` and `toolCalls`. Each (MessageId, ContentIndex) is a text slot: `content.added` may
 * already hold text, `text.delta` appends, `text.replace` overwrites. The final texts come from
 * `response.completed`, else each message's `message.done`, else the slots.
 */

const REPLY_SEPARATOR = '\n\n';
const CONTENT_SEPARATOR = '\n';
const TEXT_CONTENT_TYPES = new Set(['text', 'json_text']);

interface MessageState {
	id: string;
	type: string;
	name: string;
	title: string;
	status: string;
	elapsed: number | null;
	/** ContentIndex → streamed text, in order of first appearance. */
	slots: Map<number, string>;
	/** The message's final Contents (message.done, then response.completed). */
	finalContents?: IDataObject[];
}

function slotKey(messageId: string, contentIndex: number): string {
	return `${messageId}\u0000${contentIndex}`;
}

function contentIndexOf(event: IDataObject): number {
	return numberOrNull(event.ContentIndex) ?? 0;
}

/** Length in characters (code points), the unit quote positions count in. */
function characterCount(value: string): number {
	let count = 0;
	for (let at = 0; at < value.length; at++) {
		const code = value.charCodeAt(at);
		if (code < 0xd800 || code > 0xdbff) count++;
	}
	return count;
}

export class AdpV2TurnAggregator implements TurnAggregator<LkeTurnResult> {
	private readonly messages = new Map<string, MessageState>();
	private readonly references = new ReferenceList();
	/** Raw quote infos per text slot; positions are within that slot's text. */
	private readonly quotes = new Map<string, unknown[]>();
	private readonly live = new LiveReplyText();
	private liveMessageId: string | undefined;
	private userRecordId = '';
	private response: IDataObject = {};
	private completed: IDataObject | undefined;
	private replyMethod: number | null = null;
	private replyTextArrived = false;
	private busy = false;
	private streamEnded = false;

	/**
	 * `live: false` when nobody takes the text live: the live text is then not worked out at all
	 * (accept returns ''), which saves comparing every revision of a long answer.
	 */
	constructor(private readonly requested: { sessionId: string; requestId: string; includeDebug?: boolean; live?: boolean }) {}

	/** response.completed arrived. */
	get isFinal(): boolean {
		return this.completed !== undefined;
	}

	/** `[DONE]` arrived: nothing more follows. */
	get ended(): boolean {
		return this.streamEnded;
	}

	/** True once reply text arrived (thoughts and the canned "too busy" reply do not count). */
	get hasContent(): boolean {
		return this.replyTextArrived && !this.busy;
	}

	/**
	 * Folds one event in. Returns the reply text to send live now ('' when none; see LiveReplyText).
	 * Throws an AgentChatError for an error event and for the canned "too busy" reply. `hint` (from
	 * the stream reader) describes a text.replace's Text as its previous text plus a new part.
	 */
	accept(event: AdpV2Event, hint?: LkeContentHint): string {
		switch (event.Type) {
			case 'request_ack':
				if (isObject(event.RequestAck)) this.userRecordId = text(event.RequestAck.RecordId) || this.userRecordId;
				return '';
			case 'response.created':
			case 'response.processing':
				if (isObject(event.Response)) this.acceptResponse(event.Response);
				return '';
			case 'message.added':
			case 'message.processing':
				if (isObject(event.Message)) this.acceptMessage(event.Message, text(event.MessageId));
				return '';
			case 'content.added':
				return this.acceptContentAdded(event);
			case 'text.delta':
				return this.acceptText(event, false);
			case 'text.replace':
				return this.acceptText(event, true, hint);
			case 'quote_info.added':
				this.addQuote(text(event.MessageId), contentIndexOf(event), event.QuoteInfo);
				return '';
			case 'reference.added':
				if (isObject(event.Reference)) this.references.add(normalizeV2Reference(event.Reference));
				return '';
			case 'message.done':
				return isObject(event.Message) ? this.acceptMessageDone(event.Message, text(event.MessageId)) : '';
			case 'response.completed':
				return isObject(event.Response) ? this.acceptCompleted(event.Response) : '';
			case 'error':
				if (this.isFinal) return '';
				throw adpV2ErrorFromEvent(isObject(event.Error) ? event.Error : event);
			case ADP_V2_DONE:
				this.streamEnded = true;
				return '';
			default:
				return '';
		}
	}

	private acceptResponse(response: IDataObject): void {
		this.response = { ...this.response, ...response };
		const replyMethod = isObject(response.ExtraInfo) ? numberOrNull(response.ExtraInfo.ReplyMethod) : null;
		if (replyMethod !== null && replyMethod !== 0) this.replyMethod = replyMethod;
		if (this.replyMethod === BUSY_REPLY_METHOD) this.busy = true;
	}

	private messageFor(message: IDataObject, messageId: string): MessageState {
		const id = text(message.MessageId) || messageId;
		let state = this.messages.get(id);
		if (!state) {
			state = { id, type: '', name: '', title: '', status: '', elapsed: null, slots: new Map() };
			this.messages.set(id, state);
		}
		if (message.Type !== undefined) state.type = text(message.Type);
		if (message.Name !== undefined) state.name = text(message.Name);
		if (message.Title !== undefined) state.title = text(message.Title);
		if (message.Status !== undefined) state.status = text(message.Status);
		const extra = isObject(message.ExtraInfo) ? message.ExtraInfo : {};
		if (!state.name && extra.ToolName !== undefined) state.name = text(extra.ToolName);
		const elapsed = numberOrNull(extra.Elapsed);
		if (elapsed !== null) state.elapsed = elapsed;
		return state;
	}

	private acceptMessage(message: IDataObject, messageId: string): void {
		this.messageFor(message, messageId);
	}

	private acceptContentAdded(event: IDataObject): string {
		const content = isObject(event.Content) ? event.Content : {};
		if (content.Type !== undefined && !TEXT_CONTENT_TYPES.has(text(content.Type))) return '';
		return this.setSlot(text(event.MessageId), contentIndexOf(event), text(content.Text));
	}

	private acceptText(event: IDataObject, replaces: boolean, hint?: LkeContentHint): string {
		const messageId = text(event.MessageId);
		const contentIndex = contentIndexOf(event);
		const piece = text(event.Text);
		const before = this.messages.get(messageId)?.slots.get(contentIndex) ?? '';
		if (!replaces) return this.setSlot(messageId, contentIndex, before + piece, piece);
		const appended = hint && hint.base === before && piece.length === hint.base.length + hint.appended.length ? hint.appended : undefined;
		return this.setSlot(messageId, contentIndex, piece, appended);
	}

	/** A slot's new text; `appended` promises `next === previous + appended`. */
	private setSlot(messageId: string, contentIndex: number, next: string, appended?: string): string {
		let state = this.messages.get(messageId);
		if (!state) {
			// Text for a message never announced: kept, but it is not known to be a reply.
			state = { id: messageId, type: '', name: '', title: '', status: '', elapsed: null, slots: new Map() };
			this.messages.set(messageId, state);
		}
		state.slots.set(contentIndex, next);
		if (state.type !== 'reply') return '';
		if (next !== '') this.replyTextArrived = true;
		if (this.busy || this.requested.live === false) return '';
		const separator = this.liveMessageId === undefined || this.liveMessageId === messageId ? CONTENT_SEPARATOR : REPLY_SEPARATOR;
		this.liveMessageId = messageId;
		return this.live.update(slotKey(messageId, contentIndex), separator, next, appended);
	}

	private addQuote(messageId: string, contentIndex: number, quote: unknown): void {
		const key = slotKey(messageId, contentIndex);
		const list = this.quotes.get(key) ?? [];
		list.push(quote);
		this.quotes.set(key, list);
	}

	private acceptFinalContents(state: MessageState, contents: unknown): void {
		if (!Array.isArray(contents)) return;
		state.finalContents = contents.filter(isObject);
		state.finalContents.forEach((content, contentIndex) => {
			for (const reference of Array.isArray(content.References) ? content.References : []) {
				if (isObject(reference)) this.references.add(normalizeV2Reference(reference));
			}
			for (const quote of Array.isArray(content.QuoteInfos) ? content.QuoteInfos : []) this.addQuote(state.id, contentIndex, quote);
		});
	}

	private acceptMessageDone(message: IDataObject, messageId: string): string {
		const state = this.messageFor(message, messageId);
		this.acceptFinalContents(state, message.Contents);
		return this.finishLive(state);
	}

	private acceptCompleted(response: IDataObject): string {
		this.acceptResponse(response);
		this.completed = response;
		let out = '';
		for (const message of Array.isArray(response.Messages) ? response.Messages : []) {
			if (!isObject(message)) continue;
			const state = this.messageFor(message, '');
			this.acceptFinalContents(state, message.Contents);
			out += this.finishLive(state);
		}
		if (this.busy) throw busyReplyError();
		return out;
	}

	/** Sends what a reply message's final texts add to what went out live. */
	private finishLive(state: MessageState): string {
		if (state.type !== 'reply' || this.busy) return '';
		let out = '';
		for (const [contentIndex, value] of this.textsOf(state)) {
			if (value !== '') this.replyTextArrived = true;
			if (this.requested.live === false) continue;
			const separator = this.liveMessageId === undefined || this.liveMessageId === state.id ? CONTENT_SEPARATOR : REPLY_SEPARATOR;
			const sent = this.live.finish(slotKey(state.id, contentIndex), separator, value);
			if (sent !== '') this.liveMessageId = state.id;
			out += sent;
		}
		return out;
	}

	/** A message's text contents, final where known: [ContentIndex, text] in order. */
	private textsOf(state: MessageState): Array<[number, string]> {
		if (state.finalContents) {
			const texts: Array<[number, string]> = [];
			state.finalContents.forEach((content, contentIndex) => {
				if (content.Type === undefined || TEXT_CONTENT_TYPES.has(text(content.Type))) texts.push([contentIndex, text(content.Text)]);
			});
			return texts;
		}
		return [...state.slots.entries()].sort((a, b) => a[0] - b[0]);
	}

	private messageText(state: MessageState): string {
		return this.textsOf(state)
			.map(([, value]) => value)
			.filter((value) => value !== '')
			.join(CONTENT_SEPARATOR);
	}

	private replyAndQuotes(): { reply: string; quoteInfos: ReturnType<QuoteInfoList['values']> } {
		const quoteInfos = new QuoteInfoList();
		const parts: string[] = [];
		let offset = 0;
		for (const state of this.messages.values()) {
			if (state.type !== 'reply') continue;
			const texts = this.textsOf(state).filter(([, value]) => value !== '');
			if (texts.length === 0) continue;
			if (parts.length > 0) offset += characterCount(REPLY_SEPARATOR);
			texts.forEach(([contentIndex, value], position) => {
				if (position > 0) offset += characterCount(CONTENT_SEPARATOR);
				for (const quote of this.quotes.get(slotKey(state.id, contentIndex)) ?? []) quoteInfos.add(quote, offset);
				if (this.quotes.size > 0) offset += characterCount(value);
			});
			parts.push(texts.map(([, value]) => value).join(CONTENT_SEPARATOR));
		}
		return { reply: parts.join(REPLY_SEPARATOR), quoteInfos: quoteInfos.values() };
	}

	/** The turn as the node outputs it; `isFinal` false until response.completed arrived. */
	result(): LkeTurnResult {
		const response = this.response;
		const extra = isObject(response.ExtraInfo) ? response.ExtraInfo : {};
		const thoughts: LkeThought[] = [];
		const toolCalls: LkeToolCall[] = [];
		for (const state of this.messages.values()) {
			if (state.type === 'thought') {
				thoughts.push({ name: state.name, title: state.title, status: state.status, content: this.messageText(state), elapsed: state.elapsed });
			} else if (state.type === 'tool_call') {
				toolCalls.push({ name: state.name, title: state.title, status: state.status, content: this.messageText(state) });
			}
		}
		const { reply, quoteInfos } = this.replyAndQuotes();
		const traceId = text(extra.TraceId);
		const statInfo = this.completed && isObject(this.completed.StatInfo) ? this.completed.StatInfo : undefined;
		const result: LkeTurnResult = {
			reply,
			sessionId: text(response.ConversationId) || this.requested.sessionId,
			requestId: this.requested.requestId,
			recordId: text(response.RecordId),
			relatedRecordId: text(response.RelatedRecordId) || this.userRecordId,
			// The record's TraceId reads "<trace> / <RecordId>"; the trace is the first part.
			traceId: traceId.split(' / ')[0],
			isFinal: this.isFinal,
			isEvil: false,
			replyMethod: this.replyMethod,
			references: this.references.values(),
			tokenStats: statInfo ? normalizeV2TokenStats(statInfo, this.completed?.Procedures) : null,
			thoughts,
			toolCalls,
			quoteInfos,
		};
		if (this.requested.includeDebug) {
			result.debug = { procedures: this.completed?.Procedures ?? [], statInfo: statInfo ?? null };
		}
		return result;
	}

	/** What a failed item keeps: the turn so far, never final. */
	partial(): LkeTurnResult {
		return { ...this.result(), isFinal: false };
	}
}
