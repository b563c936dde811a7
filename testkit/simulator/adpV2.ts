/**
 * Tencent ADP v2 chat over HTTP SSE: `POST /adp/v2/chat` (appended to the site's chat host, like v1).
 *
 * Request: a JSON object with PascalCase fields. Checked in this order, each failure answered like the
 * service answers a bad AppKey: HTTP 200, `text/event-stream`, one `error` event (no request_ack, no
 * [DONE]). Code 400 with a message naming the field and the rule, except a wrong AppKey (4505004).
 *   body a JSON object · AppKey a non-empty string, equal to the configured key (4505004) ·
 *   ConversationId required and RequestId when present: ^[a-zA-Z0-9_-]{32,64}$ · VisitorId a non-empty
 *   string · UserId, UserName strings when present · Contents a non-empty array of items with a known
 *   Type: text (Text string), image (Image.Url), file (File.FileName, FileUrl, FileType strings,
 *   FileSize a string when present), custom_variables (CustomVariables: string → string),
 *   widget_action (WidgetAction object); at least one text, image or file item ·
 *   Incremental, EnableMultiIntent, GenerateAgain booleans · StreamingThrottle a non-negative
 *   integer · SystemRole, ModelName strings · SearchNetwork, Stream, WorkflowStatus '', enable or disable.
 *
 * The question is the Text of the `text` items joined by "\n" (adpV2QuestionOf); markers go there.
 * A normal turn, framed `event: <name>\ndata: <json>\n\n`, every JSON `{"Type": <name>, …, "Timestamp": "<ms>"}`:
 *   request_ack (user record, Contents echoed) → response.created → response.processing →
 *   per message: message.added → content.added → message.processing → text events → message.done →
 *   response.completed (all Messages, Procedures, StatInfo, ExtraInfo) → `event: done` / `data: [DONE]`.
 * Text events per (MessageId, ContentIndex 0), pieces of StreamingThrottle code points (default 5, at
 * most 200 events per message: pieces grow for long texts): Incremental false (the default) →
 * text.replace with the whole text so far; true → text.delta with the new piece. Stream "disable" →
 * one text event per message. Numbers the service sends as strings are strings here: Elapsed,
 * StartTime, EndTime, StatInfo.TotalCost, Timestamp. Final texts: adpV2TurnFor / adpV2AnswerFor.
 *
 * Scenario markers inside the question (combinable):
 * | marker                   | effect                                                                                  |
 * |--------------------------|-----------------------------------------------------------------------------------------|
 * | [think] / [think:K]      | K (default 1) thought messages before the reply (reasoning model)                       |
 * | [agent]                  | thought, tool_call (json_text, whole in content.added), thought, reply; ReplyMethod 18   |
 * | [multi-reply:K]          | K (default 2) reply messages in one turn; ReplyMethod 19                                 |
 * | [refs]                   | reference.added (Types 1, 2, 4, 5; one repeated) and quote_info.added in the first reply |
 * | [replace-midway]         | halfway through each streamed text a bogus piece, then text.replace with the text so far |
 * | [content-seed]           | content.added already carries the first piece (text events continue after it)           |
 * | [string-numbers]         | token counts (StatInfo, Procedures[].StatInfos) and FirstTokenCost as strings too        |
 * | [busy-reply]             | the canned concurrency answer ADP_V2_BUSY_REPLY, ReplyMethod 7, IsLlmGenerated false     |
 * | [error:CODE]             | one error event first (no request_ack: the request was refused), then the end           |
 * | [error-after-ack:CODE]   | request_ack, response.created, response.processing, then the error event, end           |
 * | [error-after-text:CODE]  | about half of the first reply's text events, then the error event, end                  |
 * | [done-after-error]       | an error event is followed by `event: done` / `data: [DONE]`                             |
 * | [no-completed]           | every message done, no response.completed; [DONE] still ends the stream                 |
 * | [cut]                    | the stream ends halfway through the first reply: no message.done, completed or [DONE]    |
 * | [unknown-event]          | an event type no client knows (`future.event`) after response.created                   |
 * | [long:N]                 | each reply is N code points of ADP_V2_LONG_PATTERN, sent from bytes (benchmarks)        |
 * | [pieces:K]               | about K text events per message (overrides StreamingThrottle and the cap)                |
 * | [http:STATUS]            | HTTP STATUS with JSON `{"Code","Message"}` (429/503 add Retry-After: 0)                  |
 * | [retry-after:S]          | with [http:…] or [flaky-http:…]: Retry-After: S instead                                 |
 * | [flaky:N]                | the first N requests with this question get error 460011 (as [error:460011])            |
 * | [flaky-http:N]           | the first N requests with this question get HTTP 503 (Retry-After: 0)                    |
 * | [latency:MS] [delay:MS]  | wait MS before the response head / between events                                       |
 * | [stall]                  | request_ack, response.created, then silence with the socket open                        |
 */
import { randomBytes } from 'crypto';
import {
	isJsonObject,
	markerNum,
	parseMarkers,
	pieceBounds,
	repeatingSource,
	retryHeaders,
	sendJson,
	textSource,
	type JsonObject,
	type RequestContext,
	type TextSource,
} from './core';
import { LKE_ANSWER_SENTENCE } from './lke';
import { needsNoJsonEscaping, RAW_TEXT, spliceRawText } from './rawJson';

/** RequestId and ConversationId must match this. */
export const ADP_V2_ID_PATTERN = /^[a-zA-Z0-9_-]{32,64}$/;

/** The error table of the v2 dialog document, in our words. */
export const ADP_V2_ERROR_MESSAGES: Record<number, string> = {
	400: 'Bad request parameters',
	403: 'Access denied',
	500: 'Internal server error',
	460001: 'Token check failed',
	460002: 'Event handler does not exist',
	460004: 'The app does not exist',
	460006: 'The message does not exist or there is no permission',
	460007: 'Conversation creation failed',
	460008: 'Prompt rendering failed',
	460009: 'The visitor does not exist',
	460010: 'The conversation does not exist or there is no permission',
	460011: "The app's model exceeded its QPM concurrency limit",
	460020: 'The model request timed out',
	460021: 'The knowledge base is not published',
	460022: 'Visitor creation failed',
	460025: 'Image recognition failed',
	460026: 'The app is disabled or the account is in arrears',
	460030: 'This app type does not support the current request',
	460031: "The app's QPS concurrency limit was exceeded",
	460032: "The app's model balance is insufficient",
	460033: 'The app does not exist or there is no permission',
	460034: 'The input is too long',
	460035: 'The computation took too long and was stopped',
	460037: 'Search resources are exhausted',
	460038: 'Abnormal behaviour from this AppID',
	460048: 'The app is not published',
	460301: 'Internal exception',
	460401: 'Request processing timed out',
	460501: 'The input content is not allowed',
	460502: 'The output content is not allowed',
	460701: 'The dedicated model exceeded its concurrency',
	460711: 'Workspace TPM exceeded',
	460712: 'Workspace QPM exceeded',
	460713: 'Workspace daily token quota exceeded',
	460721: 'App TPM exceeded',
	460722: 'App QPM exceeded',
	460723: 'App daily token quota exceeded',
	460919: 'The ConversationId already exists; use another one',
	4505004: 'Invalid AppKey',
};

export function adpV2ErrorMessage(code: number): string {
	return ADP_V2_ERROR_MESSAGES[code] ?? `Simulated error ${code}`;
}

/** The reply of a `[busy-reply]` turn (ReplyMethod 7: the service answers instead of failing). */
export const ADP_V2_BUSY_REPLY = 'The service is busy right now. Please try again later. 当前访问人数较多，请稍后再试。';

/** The pattern that `[long:N]` replies repeat (needs no JSON escaping). */
export const ADP_V2_LONG_PATTERN = 'ADP v2 streaming text: 你好，世界！长回答测试。🚀 Pack my box with five dozen liquor jugs. ';

const MAX_TEXT_EVENTS = 200;
const BOGUS_PIECE = ' [a draft the service revises]';

export interface AdpV2Reference {
	Index: number;
	Type: number;
	Name: string;
	DocRefer?: { ReferenceId: string; DocId: string; DocName: string; KnowledgeId: string; KnowledgeName?: string; Url: string };
	QaRefer?: { ReferenceId: string; QaId: string; KnowledgeId: string; KnowledgeName?: string };
	WebSearchRefer?: { Url: string };
	GraphRAGRefer?: { ReferenceId: string; KnowledgeId: string; KnowledgeName?: string };
}

/** `[refs]`: sent as reference.added in this order: 1, 2 (halfway), then 3, 4 and 2 again (at the end). */
export const ADP_V2_REFERENCES: readonly AdpV2Reference[] = [
	{
		Index: 1,
		Type: 2,
		Name: 'Simulator handbook',
		DocRefer: {
			ReferenceId: 'sim-v2-ref-1',
			DocId: '1001',
			DocName: 'simulator-handbook.pdf',
			KnowledgeId: 'sim-kb-1',
			KnowledgeName: 'Simulator knowledge',
			Url: 'https://example.com/docs/simulator-handbook.pdf',
		},
	},
	{ Index: 2, Type: 1, Name: 'FAQ: 你好，世界', QaRefer: { ReferenceId: 'sim-v2-ref-2', QaId: '1770000000000002', KnowledgeId: 'sim-kb-1' } },
	{ Index: 3, Type: 4, Name: 'Web result about the simulator', WebSearchRefer: { Url: 'https://example.com/search/3' } },
	{ Index: 4, Type: 5, Name: 'Knowledge graph: simulator', GraphRAGRefer: { ReferenceId: 'sim-v2-ref-4', KnowledgeId: 'sim-kb-2', KnowledgeName: 'Simulator graph' } },
];

export interface AdpV2QuoteInfo {
	Position: number;
	Index: number;
}

export interface AdpV2StatInfo {
	InputTokens: number;
	OutputTokens: number;
	TotalTokens: number;
	/** Model time in ms (the service sends it as a string). */
	TotalCost: number;
}

export interface AdpV2ExpectedMessage {
	type: 'thought' | 'tool_call' | 'reply';
	name: string;
	title: string;
	contentType: 'text' | 'json_text';
	text: string;
}

export interface AdpV2ExpectedTurn {
	replyMethod: number;
	isLlmGenerated: boolean;
	/** Every message in stream order, with its whole final text. */
	messages: AdpV2ExpectedMessage[];
	/** The reply messages' texts in order. */
	replies: string[];
	thoughts: string[];
	toolCalls: Array<{ name: string; title: string; text: string }>;
	/** Distinct references of the first reply, by Index ([] without [refs]). */
	references: AdpV2Reference[];
	quoteInfos: AdpV2QuoteInfo[];
	/** response.completed's StatInfo as numbers (the wire has TotalCost as a string). */
	statInfo: AdpV2StatInfo;
	procedures: Array<{ Name: string; Title: string; StatInfos?: Array<{ InputTokens: number; OutputTokens: number; TotalTokens: number }> }>;
}

interface PlannedMessage {
	type: AdpV2ExpectedMessage['type'];
	name: string;
	title: string;
	contentType: AdpV2ExpectedMessage['contentType'];
	src: TextSource;
	/** The text needs no JSON escaping: events are spliced from bytes. */
	rawSafe: boolean;
	/** False: the whole text comes in content.added (tool calls). */
	streamed: boolean;
	references: boolean;
}

interface Plan {
	replyMethod: number;
	isLlmGenerated: boolean;
	messages: PlannedMessage[];
}

/** The question of a request: the Text of its `text` Contents items joined by "\n". */
export function adpV2QuestionOf(contents: unknown): string {
	if (!Array.isArray(contents)) return '';
	const texts: string[] = [];
	for (const item of contents) {
		if (isJsonObject(item) && item.Type === 'text' && typeof item.Text === 'string') texts.push(item.Text);
	}
	return texts.join('\n');
}

function thoughtText(question: string, index: number): string {
	return `Thinking step ${index + 1} about "${question}": 先理解问题，再组织回答。🤔 Keep it short.`;
}

function toolCallText(question: string): string {
	return JSON.stringify({ tool: 'sim_search', arguments: { query: question }, result: { hits: 2, top: 'Simulator handbook' } });
}

function replySource(question: string, index: number, count: number): { src: TextSource; rawSafe: boolean } {
	const long = markerNum(parseMarkers(question), 'long');
	if (long !== undefined) {
		return { src: repeatingSource(ADP_V2_LONG_PATTERN, Math.max(0, Math.floor(long))), rawSafe: needsNoJsonEscaping(ADP_V2_LONG_PATTERN) };
	}
	const lead = count > 1 ? `Reply ${index + 1} of ${count} to` : 'ADP v2 answer to';
	return { src: textSource(`${lead} "${question}": ${LKE_ANSWER_SENTENCE}`), rawSafe: false };
}

function planFor(question: string): Plan {
	const m = parseMarkers(question);
	const text = (type: PlannedMessage['type'], name: string, title: string, value: string): PlannedMessage => ({
		type,
		name,
		title,
		contentType: 'text',
		src: textSource(value),
		rawSafe: false,
		streamed: true,
		references: false,
	});
	const reply = (index: number, count: number): PlannedMessage => ({
		...text('reply', 'reply', 'Reply', ''),
		...replySource(question, index, count),
		references: index === 0 && m.has('refs'),
	});
	if (m.has('busy-reply')) {
		return { replyMethod: 7, isLlmGenerated: false, messages: [{ ...text('reply', 'reply', 'Reply', ADP_V2_BUSY_REPLY), references: false }] };
	}
	const messages: PlannedMessage[] = [];
	let replyMethod = 1;
	if (m.has('agent')) {
		replyMethod = 18;
		messages.push(text('thought', 'thinking_model', 'Thinking', thoughtText(question, 0)));
		messages.push({ ...text('tool_call', 'sim_search', 'Searching the simulator', toolCallText(question)), contentType: 'json_text', streamed: false });
		messages.push(text('thought', 'thinking_model', 'Thinking', thoughtText(question, 1)));
	} else if (m.has('think')) {
		const count = Math.max(1, markerNum(m, 'think') ?? 1);
		for (let i = 0; i < count; i++) messages.push(text('thought', 'thinking_model', 'Thinking', thoughtText(question, i)));
	}
	const replies = m.has('multi-reply') ? Math.max(1, markerNum(m, 'multi-reply') ?? 2) : 1;
	if (replies > 1) replyMethod = 19;
	for (let i = 0; i < replies; i++) messages.push(reply(i, replies));
	return { replyMethod, isLlmGenerated: true, messages };
}

function quoteInfosFor(length: number): AdpV2QuoteInfo[] {
	return [
		{ Position: Math.min(length, 16), Index: 1 },
		{ Position: length, Index: 3 },
	];
}

function statsFor(question: string, plan: Plan): Pick<AdpV2ExpectedTurn, 'statInfo' | 'procedures'> {
	if (plan.replyMethod === 7) return { statInfo: { InputTokens: 0, OutputTokens: 0, TotalTokens: 0, TotalCost: 0 }, procedures: [] };
	const input = Array.from(question).length + 120;
	const agentic = plan.messages.some((msg) => msg.type !== 'reply');
	const procedures: AdpV2ExpectedTurn['procedures'] = [];
	let inputTokens = 0;
	let outputTokens = 0;
	for (const msg of plan.messages) {
		if (msg.type === 'tool_call') {
			procedures.push({ Name: 'tool_call', Title: msg.title });
			continue;
		}
		const output = msg.src.length;
		inputTokens += input;
		outputTokens += output;
		const procedure = { Name: msg.type === 'thought' ? 'thinking_model' : 'large_language_model', Title: msg.type === 'thought' ? 'Thinking' : 'Model reply' };
		// A plain reply's procedure carries no StatInfos and its totals only a TotalTokens, as the document's example shows.
		procedures.push(agentic ? { ...procedure, StatInfos: [{ InputTokens: input, OutputTokens: output, TotalTokens: input + output }] } : procedure);
	}
	const total = inputTokens + outputTokens;
	const statInfo = agentic
		? { InputTokens: inputTokens, OutputTokens: outputTokens, TotalTokens: total, TotalCost: 300 + outputTokens }
		: { InputTokens: 0, OutputTokens: 0, TotalTokens: total, TotalCost: 300 + outputTokens };
	return { statInfo, procedures };
}

/** What a turn with this question delivers once complete (markers included verbatim in the question). */
export function adpV2TurnFor(question: string): AdpV2ExpectedTurn {
	const plan = planFor(question);
	const messages = plan.messages.map((msg) => ({ type: msg.type, name: msg.name, title: msg.title, contentType: msg.contentType, text: msg.src.slice(0, msg.src.length) }));
	const firstReply = plan.messages.find((msg) => msg.type === 'reply');
	return {
		replyMethod: plan.replyMethod,
		isLlmGenerated: plan.isLlmGenerated,
		messages,
		replies: messages.filter((msg) => msg.type === 'reply').map((msg) => msg.text),
		thoughts: messages.filter((msg) => msg.type === 'thought').map((msg) => msg.text),
		toolCalls: messages.filter((msg) => msg.type === 'tool_call').map(({ name, title, text }) => ({ name, title, text })),
		references: firstReply?.references ? [...ADP_V2_REFERENCES] : [],
		quoteInfos: firstReply?.references ? quoteInfosFor(firstReply.src.length) : [],
		...statsFor(question, plan),
	};
}

/** The reply messages' final texts, in order. */
export function adpV2RepliesFor(question: string): string[] {
	return adpV2TurnFor(question).replies;
}

/** The whole answer: the reply messages' texts joined by a blank line (one reply: its text). */
export function adpV2AnswerFor(question: string): string {
	return adpV2RepliesFor(question).join('\n\n');
}

export function adpV2ThoughtsFor(question: string): string[] {
	return adpV2TurnFor(question).thoughts;
}

export function adpV2ToolCallsFor(question: string): AdpV2ExpectedTurn['toolCalls'] {
	return adpV2TurnFor(question).toolCalls;
}

// ---------------------------------------------------------------------------------------------
// request checks

interface Refusal {
	code: number;
	message: string;
}

const bad = (message: string): Refusal => ({ code: 400, message: `${ADP_V2_ERROR_MESSAGES[400]}: ${message}` });
const ID_RULE = 'must match ^[a-zA-Z0-9_-]{32,64}$';
const SWITCH_VALUES = ['', 'enable', 'disable'];

function checkContentItem(item: unknown, i: number): string | undefined {
	const at = `Contents[${i}]`;
	if (!isJsonObject(item) || typeof item.Type !== 'string') return `${at} must be an object with a string Type`;
	switch (item.Type) {
		case 'text':
			return typeof item.Text === 'string' ? undefined : `${at}.Text must be a string`;
		case 'image':
			return isJsonObject(item.Image) && typeof item.Image.Url === 'string' && item.Image.Url !== '' ? undefined : `${at}.Image.Url must be a non-empty string`;
		case 'file': {
			if (!isJsonObject(item.File)) return `${at}.File must be an object`;
			for (const key of ['FileName', 'FileUrl', 'FileType']) {
				if (typeof item.File[key] !== 'string') return `${at}.File.${key} must be a string`;
			}
			if (item.File.FileSize !== undefined && typeof item.File.FileSize !== 'string') return `${at}.File.FileSize must be a string`;
			return undefined;
		}
		case 'custom_variables': {
			if (!isJsonObject(item.CustomVariables)) return `${at}.CustomVariables must be an object`;
			for (const [key, value] of Object.entries(item.CustomVariables)) {
				if (typeof value !== 'string') return `${at}.CustomVariables.${key} must be a string`;
			}
			return undefined;
		}
		case 'widget_action':
			return isJsonObject(item.WidgetAction) ? undefined : `${at}.WidgetAction must be an object`;
		default:
			return `${at}.Type "${item.Type}" is not a request content type`;
	}
}

/** Why the service would refuse this body, or undefined. */
function refusalOf(body: JsonObject, appKey: string): Refusal | undefined {
	if (typeof body.AppKey !== 'string' || body.AppKey === '') return bad('AppKey is required');
	if (body.AppKey !== appKey) return { code: 4505004, message: ADP_V2_ERROR_MESSAGES[4505004] };
	if (typeof body.ConversationId !== 'string' || !ADP_V2_ID_PATTERN.test(body.ConversationId)) return bad(`ConversationId is required and ${ID_RULE}`);
	if (body.RequestId !== undefined && (typeof body.RequestId !== 'string' || !ADP_V2_ID_PATTERN.test(body.RequestId))) return bad(`RequestId ${ID_RULE}`);
	if (typeof body.VisitorId !== 'string' || body.VisitorId === '') return bad('VisitorId is required');
	for (const key of ['UserId', 'UserName', 'SystemRole', 'ModelName']) {
		if (body[key] !== undefined && typeof body[key] !== 'string') return bad(`${key} must be a string`);
	}
	if (!Array.isArray(body.Contents) || body.Contents.length === 0) return bad('Contents is required (a non-empty array)');
	for (let i = 0; i < body.Contents.length; i++) {
		const problem = checkContentItem(body.Contents[i], i);
		if (problem) return bad(problem);
	}
	if (!body.Contents.some((item: { Type: string }) => ['text', 'image', 'file'].includes(item.Type))) {
		return bad('Contents needs a text, image or file item');
	}
	for (const key of ['Incremental', 'EnableMultiIntent', 'GenerateAgain']) {
		if (body[key] !== undefined && typeof body[key] !== 'boolean') return bad(`${key} must be a boolean`);
	}
	const throttle = body.StreamingThrottle;
	if (throttle !== undefined && (typeof throttle !== 'number' || !Number.isInteger(throttle) || throttle < 0)) {
		return bad('StreamingThrottle must be a non-negative integer');
	}
	for (const key of ['SearchNetwork', 'Stream', 'WorkflowStatus']) {
		const value = body[key];
		if (value !== undefined && !(typeof value === 'string' && SWITCH_VALUES.includes(value))) return bad(`${key} must be "", "enable" or "disable"`);
	}
	return undefined;
}

// ---------------------------------------------------------------------------------------------
// the stream

const SSE_HEADERS = {
	'content-type': 'text/event-stream',
	'cache-control': 'no-cache',
	'x-accel-buffering': 'no',
};

const DONE_EVENT = 'event: done\ndata: [DONE]\n\n';

function eventJson(type: string, fields: Record<string, unknown>): string {
	return JSON.stringify({ Type: type, ...fields, Timestamp: String(Date.now()) });
}

/** One event; a `raw` text replaces every RAW_TEXT placeholder in the fields. */
function adpEvent(type: string, fields: Record<string, unknown>, raw?: Buffer[]): string | Buffer {
	const json = eventJson(type, fields);
	const head = `event: ${type}\ndata: `;
	return raw ? spliceRawText(json, raw, head, '\n\n') : `${head}${json}\n\n`;
}

function recordIdNow(): string {
	const d = new Date();
	const pad = (n: number, w = 2) => String(n).padStart(w, '0');
	const stamp = `${d.getUTCFullYear()}${pad(d.getUTCMonth() + 1)}${pad(d.getUTCDate())}_${pad(d.getUTCHours())}${pad(d.getUTCMinutes())}${pad(d.getUTCSeconds())}_${pad(d.getUTCMilliseconds(), 3)}`;
	return `Sim_${stamp}_${randomBytes(6).toString('base64url')}`;
}

/**
 * A text's UTF-8 bytes, piece by piece, each piece encoded when it is first sent, as a service
 * sends what it has generated so far: the first event goes out without waiting for the whole text.
 */
export class RawPieces {
	private readonly encoded: Buffer[] = [];
	/** Code point offset of each piece boundary → the number of pieces before it. */
	private readonly piecesBefore = new Map<number, number>([[0, 0]]);

	constructor(
		private readonly src: TextSource,
		private readonly bounds: Array<[number, number]>,
	) {
		bounds.forEach(([, end], index) => this.piecesBefore.set(end, index + 1));
	}

	/** The bytes of the code points from `start` to `end`, both piece boundaries. */
	between(start: number, end: number): Buffer[] {
		const from = this.piecesBefore.get(start);
		const to = this.piecesBefore.get(end);
		if (from === undefined || to === undefined) throw new Error(`simulator: ${start}..${end} is not between piece boundaries`);
		for (let k = this.encoded.length; k < to; k++) this.encoded.push(Buffer.from(this.src.slice(this.bounds[k][0], this.bounds[k][1])));
		return this.encoded.slice(from, to);
	}
}

function startSse(ctx: RequestContext): void {
	if (ctx.res.headersSent) return;
	ctx.res.writeHead(200, SSE_HEADERS);
	ctx.res.flushHeaders();
}

export async function handleAdpV2(ctx: RequestContext): Promise<void> {
	const { r, core } = ctx;
	const body = ctx.json;
	const question = isJsonObject(body) ? adpV2QuestionOf(body.Contents) : '';
	const m = parseMarkers(question);

	const latency = markerNum(m, 'latency');
	if (latency && !(await r.sleep(latency))) return;

	const retryAfter = markerNum(m, 'retry-after');
	const httpFailure = (status: number) => {
		const headers = retryAfter === undefined ? retryHeaders(status) : { 'retry-after': String(retryAfter) };
		sendJson(r, status, { Code: status, Message: `Simulated HTTP ${status}` }, headers);
	};
	const httpStatus = markerNum(m, 'http');
	if (httpStatus !== undefined) return httpFailure(httpStatus);
	const flakyHttp = markerNum(m, 'flaky-http');
	if (flakyHttp !== undefined && core.bump(`adpV2-flaky-http:${question}`) <= flakyHttp) return httpFailure(503);

	const started = Date.now();
	const elapsed = () => String(Date.now() - started);
	const requestId: string = isJsonObject(body) && typeof body.RequestId === 'string' ? body.RequestId : '';
	const traceHex = randomBytes(16).toString('hex');
	const delay = markerNum(m, 'delay') ?? 0;
	let sentEvents = 0;
	const send = async (chunk: string | Buffer): Promise<boolean> => {
		if (sentEvents > 0 && delay > 0 && !(await r.sleep(delay))) return false;
		sentEvents++;
		return r.write(chunk);
	};
	const errorEvent = (code: number, message = adpV2ErrorMessage(code)) =>
		adpEvent('error', {
			Error: { Code: code, Message: message, RequestId: requestId || `Sim${traceHex.slice(0, 7)}-${started}`, TraceId: traceHex, Elapsed: elapsed(), StartTime: String(started) },
		});
	const fail = async (code: number, message?: string): Promise<void> => {
		startSse(ctx);
		if (!(await send(errorEvent(code, message)))) return;
		if (m.has('done-after-error') && !(await send(DONE_EVENT))) return;
		r.end();
	};

	if (!isJsonObject(body)) return fail(400, bad('the body must be a JSON object').message);
	const refusal = refusalOf(body, core.opts.lkeAppKey);
	if (refusal) return fail(refusal.code, refusal.message);

	const flaky = markerNum(m, 'flaky');
	if (flaky !== undefined && core.bump(`adpV2-flaky:${question}`) <= flaky) return fail(460011);
	const refusedWith = markerNum(m, 'error');
	if (refusedWith !== undefined) return fail(refusedWith);

	const plan = planFor(question);
	const stats = statsFor(question, plan);
	const incremental = body.Incremental === true;
	const throttle = typeof body.StreamingThrottle === 'number' && body.StreamingThrottle > 0 ? body.StreamingThrottle : 5;
	const oneShot = body.Stream === 'disable';
	const pieces = markerNum(m, 'pieces');
	const stringNumbers = m.has('string-numbers');
	const tokens = (n: number) => (stringNumbers ? String(n) : n);
	const modelName = typeof body.ModelName === 'string' && body.ModelName !== '' ? body.ModelName : 'TCADP/sim-model';
	const userRecordId = recordIdNow();
	const recordId = recordIdNow();
	const conversationId = String(body.ConversationId);

	const extraInfo = (replyMethod: number, end?: number) => ({
		TraceId: `${traceHex} / ${recordId}`,
		RequestId: `Sim${traceHex.slice(0, 7)}-${started}`,
		ReplyMethod: replyMethod,
		IsLlmGenerated: plan.isLlmGenerated,
		CanRating: true,
		FromName: 'sim-agent',
		FromAvatar: 'https://example.com/avatar.png',
		StartTime: String(started),
		Elapsed: elapsed(),
		...(end === undefined ? {} : { EndTime: String(end) }),
	});
	const record = (status: string, statusDesc: string, replyMethod: number, extra: Record<string, unknown> = {}, end?: number) => ({
		RecordId: recordId,
		RelatedRecordId: userRecordId,
		ConversationId: conversationId,
		Role: 'assistant',
		Status: status,
		StatusDesc: statusDesc,
		...extra,
		ExtraInfo: extraInfo(replyMethod, end),
	});

	startSse(ctx);

	// 1. the user's record, 2. the assistant's record
	const ack = {
		RecordId: userRecordId,
		ConversationId: conversationId,
		Role: 'user',
		Status: 'success',
		Messages: [{ Type: 'question', MessageId: `rpl_${userRecordId}`, Status: 'success', Contents: body.Contents }],
	};
	if (!(await send(adpEvent('request_ack', { RequestAck: ack })))) return;
	if (!(await send(adpEvent('response.created', { Response: record('processing', '', 0, { Messages: [] }) })))) return;
	if (m.has('unknown-event') && !(await send(adpEvent('future.event', { Note: 'an event type this client does not know' })))) return;
	if (m.has('stall')) return r.waitUntilGone();
	if (!(await send(adpEvent('response.processing', { Response: record('processing', 'Calling the model', 0) })))) return;
	const errorAfterAck = markerNum(m, 'error-after-ack');
	if (errorAfterAck !== undefined) return fail(errorAfterAck);

	// 3. the messages
	const errorAfterText = markerNum(m, 'error-after-text');
	const cut = m.has('cut');
	const doneMessages: Array<{ done: Record<string, unknown>; bytes?: Buffer[] }> = [];
	let procedureSeq = 0;
	let replySeq = 0;
	for (const msg of plan.messages) {
		const messageId = msg.type === 'reply' ? `rpl_${recordId}${replySeq++ === 0 ? '' : `_${replySeq}`}` : `prc_${recordId}_${++procedureSeq}`;
		const isFirstReply = msg.type === 'reply' && replySeq === 1;
		const interruptHere = isFirstReply && (errorAfterText !== undefined || cut);
		const messageExtra = {
			StartTime: String(started),
			Elapsed: elapsed(),
			...(msg.type === 'tool_call' ? { ToolName: msg.name, ToolIcon: 'https://example.com/icon/tool.png' } : {}),
		};
		const message = (status: string, contents: unknown[]) => ({
			Type: msg.type,
			MessageId: messageId,
			Name: msg.name,
			Title: msg.title,
			Icon: `https://example.com/icon/${msg.type}.png`,
			Status: status,
			StatusDesc: status === 'success' ? 'Done' : msg.title,
			Contents: contents,
			ExtraInfo: messageExtra,
		});
		if (!(await send(adpEvent('message.added', { Message: message('processing', []) })))) return;

		const total = msg.src.length;
		let size: number;
		if (!msg.streamed || oneShot) size = Math.max(1, total);
		else if (pieces !== undefined && pieces > 0) size = Math.max(1, Math.ceil(total / pieces));
		else size = Math.max(throttle, Math.ceil(total / MAX_TEXT_EVENTS));
		if (interruptHere && Math.ceil(total / size) < 2 && total >= 2) size = Math.ceil(total / 2);
		const bounds = pieceBounds(total, size);
		const seeded = !msg.streamed || m.has('content-seed');
		const firstEvent = seeded ? 1 : 0;
		const half = Math.max(firstEvent, Math.floor(bounds.length / 2));

		// a text that needs no escaping is encoded once, piece by piece as it is sent; its events carry these bytes
		const raw = msg.rawSafe ? new RawPieces(msg.src, bounds) : undefined;
		const bytesOf = (start: number, end: number): Buffer[] => raw!.between(start, end);
		const textEvent = (type: 'text.delta' | 'text.replace', start: number, end: number) => {
			const fields = { MessageId: messageId, ContentIndex: 0 };
			if (msg.rawSafe) return adpEvent(type, { ...fields, Text: RAW_TEXT }, bytesOf(start, end));
			return adpEvent(type, { ...fields, Text: msg.src.slice(start, end) });
		};
		const contentItem = (text: string, extra: Record<string, unknown> = {}) => ({ Type: msg.contentType, Text: text, ...extra });
		const seedEnd = seeded ? bounds[0][1] : 0;
		const seedText = msg.rawSafe && seedEnd > 0 ? RAW_TEXT : msg.src.slice(0, seedEnd);
		const contentAdded = adpEvent(
			'content.added',
			{ MessageId: messageId, ContentIndex: 0, Content: contentItem(seedText) },
			msg.rawSafe && seedEnd > 0 ? bytesOf(0, seedEnd) : undefined,
		);
		if (!(await send(contentAdded))) return;
		if (!(await send(adpEvent('message.processing', { MessageId: messageId, Message: message('processing', []) })))) return;

		const sentRefs: AdpV2Reference[] = [];
		const sentQuotes: AdpV2QuoteInfo[] = [];
		const annotate = async (refs: AdpV2Reference[], quote: AdpV2QuoteInfo): Promise<boolean> => {
			for (const ref of refs) {
				if (!(await send(adpEvent('reference.added', { MessageId: messageId, ContentIndex: 0, Reference: ref })))) return false;
				if (!sentRefs.some((known) => known.Index === ref.Index)) sentRefs.push(ref);
			}
			sentQuotes.push(quote);
			return send(adpEvent('quote_info.added', { MessageId: messageId, ContentIndex: 0, QuoteInfo: quote }));
		};
		const quotes = quoteInfosFor(total);

		for (let k = firstEvent; k < bounds.length; k++) {
			const [start, end] = bounds[k];
			if (interruptHere && k === half) {
				if (errorAfterText !== undefined) return fail(errorAfterText);
				return r.end();
			}
			if (msg.references && k === half && !(await annotate([ADP_V2_REFERENCES[0], ADP_V2_REFERENCES[1]], quotes[0]))) return;
			if (m.has('replace-midway') && k === half && k > 0) {
				const bogus = incremental
					? adpEvent('text.delta', { MessageId: messageId, ContentIndex: 0, Text: BOGUS_PIECE })
					: adpEvent('text.replace', { MessageId: messageId, ContentIndex: 0, Text: msg.src.slice(0, start) + BOGUS_PIECE });
				if (!(await send(bogus))) return;
				if (!(await send(textEvent('text.replace', 0, start)))) return;
			}
			if (k > 0 && k % 16 === 0 && !(await send(adpEvent('message.processing', { MessageId: messageId, Message: message('processing', []) })))) return;
			const event = incremental ? textEvent('text.delta', start, end) : textEvent('text.replace', 0, end);
			if (!(await send(event))) return;
		}
		if (msg.references) {
			if (!(await annotate([ADP_V2_REFERENCES[2], ADP_V2_REFERENCES[3], ADP_V2_REFERENCES[1]], quotes[1]))) return;
		}
		const annotations = msg.references ? { QuoteInfos: sentQuotes, References: sentRefs } : {};
		const done = message('success', [contentItem(msg.rawSafe ? RAW_TEXT : msg.src.slice(0, total), annotations)]);
		if (!(await send(adpEvent('message.done', { MessageId: messageId, Message: done }, msg.rawSafe ? bytesOf(0, total) : undefined)))) return;
		doneMessages.push({ done, bytes: raw?.between(0, total) });
		if (msg.type !== 'reply' && !(await send(adpEvent('response.processing', { Response: record('processing', 'Thinking', 0) })))) return;
	}

	// 4. the whole record, 5. the end
	if (!m.has('no-completed')) {
		const procedures = stats.procedures.map((p) => ({
			Name: p.Name,
			Title: p.Title,
			Status: 'success',
			ResourceStatus: 1,
			Type: plan.replyMethod === 18 ? 'agent' : 'llm',
			...(p.StatInfos
				? { StatInfos: p.StatInfos.map((s) => ({ InputTokens: tokens(s.InputTokens), OutputTokens: tokens(s.OutputTokens), TotalTokens: tokens(s.TotalTokens), ModelName: modelName })) }
				: {}),
		}));
		const statInfo = {
			InputTokens: tokens(stats.statInfo.InputTokens),
			OutputTokens: tokens(stats.statInfo.OutputTokens),
			TotalTokens: tokens(stats.statInfo.TotalTokens),
			TotalCost: String(stats.statInfo.TotalCost),
			FirstTokenCost: tokens(120),
			Elapsed: elapsed(),
			StartTime: String(started),
			ModelName: modelName,
		};
		const completed = record('success', 'Done', plan.replyMethod, { Messages: doneMessages.map((d) => d.done), Procedures: procedures, StatInfo: statInfo }, Date.now());
		// every raw text of a turn is the same [long:N] text
		const rawBytes = doneMessages.find((d) => d.bytes)?.bytes;
		if (!(await send(adpEvent('response.completed', { Response: completed }, rawBytes)))) return;
		core.bump(`adpV2-answered:${question}`);
	}
	if (await send(DONE_EVENT)) r.end();
}
