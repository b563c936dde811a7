import { randomBytes } from 'crypto';
import type { IDataObject } from 'n8n-workflow';
import { AgentChatError } from '../shared/errors';
import type { RawSseEvent, RepeatedBytes, SseData } from '../shared/sseByteReader';
import type { SseEvent } from '../shared/sseReader';
import { LKE_ERROR_HINTS, LKE_ERROR_MEANINGS, LKE_RETRYABLE_CODES } from './lkeErrorCodes';
import { CONTENT_KEY, PreviousContentBytes, contentStringAt } from './lkePreviousContent';

/** One LKE dialog turn's events folded into the answer, as a pure state machine (no I/O). */

export interface LkeEvent {
	type?: string;
	payload?: IDataObject;
	error?: IDataObject;
	message_id?: string;
}

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

/** Parses one SSE event; undefined for a cut-off last event, which the turn then treats as missing. */
const LKE_EVENT_TYPES = new Set(['reply', 'thought', 'reference', 'token_stat', 'error']);

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

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const CONTROL_CHARACTER = /[\u0000-\u001f]/;
/** Below this, an event is simply decoded and parsed whole. */
export const FAST_PARSE_MIN_BYTES = 2048;

function isObject(value: unknown): value is IDataObject {
	return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isContinuationByte(byte: number): boolean {
	return byte >= 0x80 && byte <= 0xbf;
}

/** The first unescaped `"` at or after `from`, or -1. */
function closingQuote(data: SseData, from: number): number {
	for (let at = from; ; ) {
		const quote = data.indexOf(QUOTE, at);
		if (quote === -1) return -1;
		let backslashes = 0;
		while (data.byteAt(quote - 1 - backslashes) === BACKSLASH) backslashes++;
		if (backslashes % 2 === 0) return quote;
		at = quote + 1;
	}
}

/** Where an escape sequence cut short at the end of `text` begins, or text.length when none is. */
function safeCut(text: string): number {
	for (let at = text.length - 1; at >= 0 && at >= text.length - 6; at--) {
		if (text.charCodeAt(at) !== BACKSLASH) continue;
		let run = 1;
		while (at - run >= 0 && text.charCodeAt(at - run) === BACKSLASH) run++;
		if (run % 2 === 0) return text.length; // the last backslash closes a complete "\\"
		const length = text.charCodeAt(at + 1) === 0x75 /* u */ ? 6 : 2;
		return at + length > text.length ? at : text.length;
	}
	return text.length;
}

/**
 * The JSON string body in bytes [start, end) as its value, parsed in small pieces cut between
 * escape sequences; undefined when it is not a valid JSON string body. A long value is made one
 * flat string at once (reading a character flattens it) while its pieces are still young: they
 * die cheaply instead of being copied into the old generation one by one.
 */
function parseStringBody(data: SseData, start: number, end: number): string | undefined {
	let value = '';
	let carry = '';
	const slices = data.textSlices(start, end);
	const backslash = data.indexOf(BACKSLASH, start);
	if (backslash === -1 || backslash >= end) {
		// No escapes: the text is the value, provided it has no raw control character.
		for (const slice of slices) {
			if (CONTROL_CHARACTER.test(slice)) return undefined;
			value += slice;
		}
		if (slices.length > 1) value.charCodeAt(0);
		return value;
	}
	try {
		for (const slice of slices) {
			const text = carry + slice;
			const cut = safeCut(text);
			if (cut > 0) value += JSON.parse(`"${text.slice(0, cut)}"`) as string;
			carry = text.slice(cut);
		}
		if (carry !== '') value += JSON.parse(`"${carry}"`) as string;
	} catch {
		return undefined;
	}
	if (slices.length > 1) value.charCodeAt(0);
	return value;
}

/**
 * Reads LKE events from raw SSE events, giving the same LkeEvent as parseLkeEvent on the decoded
 * data. Long replies and thoughts take a fast path: in cumulative mode every event repeats the
 * whole text so far, so when its content begins with the exact bytes of the previous long content,
 * only the new bytes are decoded and parsed, and the event is parsed with its content cut out.
 *
 * Soundness: the bytes [p, q) taken for the content are checked by parsing the event with them
 * replaced by two random markers; the markers must come back as exactly `payload.content` or a
 * procedure's `debugging.content` (a thought), which proves p and q are where that string begins
 * and ends (the markers cannot occur in the data by chance). The earlier bytes are a complete
 * string body that was parsed before, and the new bytes start on a character boundary and parse
 * on their own, so the content is the previous content followed by the new text. Anything else
 * falls back to parsing the whole event.
 */
export class LkeEventReader {
	/** The two markers as JSON string text, and what they parse to; made when first needed. */
	private markers = '';
	private markersValue = '';
	private readonly previousBody = new PreviousContentBytes();
	private previousContent = '';
	/** How many events took the fast path (for tests and diagnostics). */
	fastReads = 0;

	/** For readRawSseEvents: the previous content, which the next cumulative reply or thought line repeats. */
	get repeats(): RepeatedBytes {
		return this.previousBody;
	}

	read(raw: RawSseEvent): ParsedLkeEvent | undefined {
		// Replies, and the thoughts of reasoning models (cumulative too); other events are short.
		if (raw.data.length >= FAST_PARSE_MIN_BYTES && (raw.event === undefined || raw.event === 'reply' || raw.event === 'thought')) {
			const fast = this.readFast(raw);
			if (fast) return fast;
		}
		const event = parseLkeEvent({ event: raw.event, data: raw.data.text(), unterminated: raw.unterminated });
		return event && { event };
	}

	private readFast(raw: RawSseEvent): ParsedLkeEvent | undefined {
		if (this.markers === '') {
			const nonce = randomBytes(12).toString('hex');
			this.markers = `\\u0000<${nonce}\\u0000>${nonce}`;
			this.markersValue = `\u0000<${nonce}\u0000>${nonce}`;
		}
		const data = raw.data;
		// The first few occurrences of the key; the one that is the content passes the check.
		let key = data.indexOfBytes(CONTENT_KEY);
		for (let tries = 0; key !== -1 && tries < 3; tries++) {
			const bodyStart = contentStringAt(data, key);
			if (bodyStart !== -1) {
				const parsed = this.readContentAt(raw, bodyStart);
				if (parsed) return parsed;
			}
			key = data.indexOfBytes(CONTENT_KEY, key + 1);
		}
		return undefined;
	}

	private readContentAt(raw: RawSseEvent, bodyStart: number): ParsedLkeEvent | undefined {
		const data = raw.data;
		let base = '';
		let newStart = bodyStart;
		const previous = this.previousBody.data();
		if (previous.length > 0 && data.matchesAt(bodyStart, previous)) {
			const next = data.byteAt(bodyStart + previous.length);
			if (next !== -1 && !isContinuationByte(next)) {
				base = this.previousContent;
				newStart = bodyStart + previous.length;
			}
		}
		const bodyEnd = closingQuote(data, newStart);
		if (bodyEnd === -1) return undefined;
		const appended = parseStringBody(data, newStart, bodyEnd);
		if (appended === undefined) return undefined;

		let parsed: unknown;
		try {
			parsed = JSON.parse(data.text(0, bodyStart) + this.markers + data.text(bodyEnd));
		} catch {
			return undefined;
		}
		if (!isObject(parsed) || !isObject(parsed.payload)) return undefined;
		const slot = markedContent(parsed.payload, this.markersValue);
		if (!slot) return undefined;

		const content = base + appended;
		slot.holder.content = content;
		if (base === '' || !this.previousBody.extend(data.slice(newStart, bodyEnd))) this.previousBody.reset(data.slice(bodyStart, bodyEnd));
		this.previousContent = content;
		this.fastReads++;
		const event = parsed as LkeEvent;
		return {
			event: event.type === undefined ? { ...event, type: raw.event } : event,
			// The aggregator's hint is about payload.content; a thought's content needs none.
			hint: base === '' || slot.holder !== parsed.payload ? undefined : { base, appended },
		};
	}
}

/** The object whose `content` holds the markers: the payload (a reply) or a procedure's `debugging` (a thought). */
function markedContent(payload: IDataObject, markers: string): { holder: IDataObject } | undefined {
	if (payload.content === markers) return { holder: payload };
	if (!Array.isArray(payload.procedures)) return undefined;
	for (const procedure of payload.procedures as unknown[]) {
		if (isObject(procedure) && isObject(procedure.debugging) && procedure.debugging.content === markers) return { holder: procedure.debugging };
	}
	return undefined;
}

export function lkeErrorFromEvent(error: IDataObject): AgentChatError {
	const code = Number(error.code);
	const serverMessage = typeof error.message === 'string' ? error.message : '';
	const meaning = LKE_ERROR_MEANINGS[code] ?? (serverMessage || 'Unknown error');
	const details = [
		serverMessage && serverMessage !== meaning ? `The server said: ${serverMessage}` : '',
		LKE_ERROR_HINTS[code] ?? '',
	].filter(Boolean);
	return new AgentChatError(`Tencent LKE error ${Number.isFinite(code) ? code : String(error.code)}: ${meaning}`, {
		kind: 'vendor',
		code: Number.isFinite(code) ? code : String(error.code),
		description: details.length > 0 ? details.join(' ') : undefined,
		retryable: LKE_RETRYABLE_CODES.has(code),
	});
}

function text(value: unknown): string {
	return typeof value === 'string' ? value : value === undefined || value === null ? '' : String(value);
}

export class LkeTurnAggregator {
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

	/**
	 * Folds one event in. Returns the new reply text it added (for live streaming), '' when none.
	 * Throws an AgentChatError for error events and sensitive-content refusals. `hint` (from
	 * LkeEventReader) must describe this event's content; it only saves comparing long texts.
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
				throw new AgentChatError(
					'Tencent LKE refused the message: it hit sensitive content (is_evil)',
					{
						kind: 'vendor',
						code: 'SENSITIVE_CONTENT',
						description: 'The content safety check rejected the question before the bot answered. Rephrase the content.',
					},
				);
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
}
