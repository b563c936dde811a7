/**
 * The simulator's Tencent ADP v2 chat (`POST /adp/v2/chat`) over real HTTP: the wire format of each
 * scenario against the vendor's v2 dialog document, request checks, and a reference fold written
 * here (eventsource-parser, JSON.parse per event) that must reassemble what adpV2TurnFor says.
 */
import { createParser } from 'eventsource-parser';
import {
	ADP_V2_BUSY_REPLY,
	ADP_V2_LONG_PATTERN,
	ADP_V2_REFERENCES,
	adpV2AnswerFor,
	adpV2QuestionOf,
	adpV2RepliesFor,
	adpV2ThoughtsFor,
	adpV2ToolCallsFor,
	adpV2TurnFor,
	SIMULATOR_DEFAULTS,
	startSimulator,
	type Simulator,
} from '../testkit/simulator';
import { pieceBounds, type TextSource } from '../testkit/simulator/core';
import { RawPieces } from '../testkit/simulator/adpV2';
import { useSimulator } from './helpers/useSimulator';

let sim: Simulator;
useSimulator((started) => (sim = started), { quiet: true });

const CONVERSATION_ID = 'conv_0123456789abcdef0123456789abcdef';
const REQUEST_ID = '0f8c1c2e-6a55-4e0e-9f51-3b1f9d7c2a10';

/**
 * The ADP v2 event fields these tests read, named as the vendor names them. An event carries the
 * fields of its kind only: reading one it lacks fails the test at that line.
 */
interface WireContent {
	Type: string;
	Text: string;
	References?: unknown[];
	QuoteInfos?: unknown[];
}

interface WireMessage {
	MessageId: string;
	Type: string;
	Status: string;
	Contents: WireContent[];
	ExtraInfo: { ToolName?: string };
}

/** The service sends some numbers as strings. */
type WireNumber = number | string;

interface WireStatInfo {
	InputTokens: WireNumber;
	OutputTokens: WireNumber;
	TotalTokens: WireNumber;
	TotalCost: WireNumber;
	Elapsed: WireNumber;
}

interface WireResponse {
	RecordId: string;
	RelatedRecordId: string;
	Messages: WireMessage[];
	Procedures: Array<{ StatInfos?: WireStatInfo[] }>;
	StatInfo: WireStatInfo;
	ExtraInfo: { ReplyMethod: number; TraceId: string; [key: string]: unknown };
}

interface WirePayload {
	Type: string;
	Timestamp: string;
	MessageId: string;
	ContentIndex: number;
	Text: string;
	Message: WireMessage;
	Content: WireContent;
	Response: WireResponse;
	RequestAck: { RecordId: string; Messages: WireMessage[] };
	Error: { Code: number; Message: string; Elapsed: string; StartTime: string };
	Reference: { Index: number; Type: number; DocRefer?: unknown; QaRefer?: unknown; WebSearchRefer: { Url: string }; GraphRAGRefer?: unknown };
	QuoteInfo: unknown;
}

/** What the closing `[DONE]` event holds in place of JSON: reading it fails the test. */
const NO_JSON = new Proxy({} as WirePayload, {
	get(_, key) {
		throw new Error(`the [DONE] event has no JSON data (read ${String(key)})`);
	},
});

interface WireEvent {
	event: string;
	data: string;
	/** Every event's data but the closing `[DONE]` is JSON. */
	json: WirePayload;
}

function body(question: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
	return {
		RequestId: REQUEST_ID,
		ConversationId: CONVERSATION_ID,
		AppKey: SIMULATOR_DEFAULTS.lkeAppKey,
		VisitorId: 'visitor-42',
		UserId: 'visitor-42',
		Contents: [{ Type: 'text', Text: question }],
		...extra,
	};
}

function parseStream(text: string): WireEvent[] {
	const events: WireEvent[] = [];
	const parser = createParser({
		onEvent(e) {
			events.push({ event: e.event ?? 'message', data: e.data, json: e.data === '[DONE]' ? NO_JSON : (JSON.parse(e.data) as WirePayload) });
		},
	});
	parser.feed(text);
	return events;
}

async function post(payload: unknown): Promise<{ res: Response; events: WireEvent[] }> {
	const res = await fetch(`${sim.url}/adp/v2/chat`, {
		method: 'POST',
		headers: { 'content-type': 'application/json', accept: 'text/event-stream' },
		body: typeof payload === 'string' ? payload : JSON.stringify(payload),
	});
	return { res, events: parseStream(await res.text()) };
}

const chat = (question: string, extra: Record<string, unknown> = {}) => post(body(question, extra));
const names = (events: WireEvent[]) => events.map((e) => e.event);
const codePoints = (s: string) => Array.from(s).length;

interface Folded {
	replies: string[];
	thoughts: string[];
	toolCalls: string[];
	completed: boolean;
	done: boolean;
	errorCode?: number;
}

/**
 * The document's rules, independently: message types from message.added; one buffer per
 * (MessageId, ContentIndex) seeded by content.added, text.delta appends, text.replace overwrites.
 */
function fold(events: WireEvent[]): Folded {
	const typeOf = new Map<string, string>();
	const order: string[] = [];
	const buffers = new Map<string, string>();
	const out: Folded = { replies: [], thoughts: [], toolCalls: [], completed: false, done: false };
	for (const e of events) {
		if (e.data === '[DONE]') {
			out.done = true;
			continue;
		}
		const j = e.json;
		const slot = `${j.MessageId}\u0000${j.ContentIndex}`;
		switch (e.event) {
			case 'message.added':
				typeOf.set(j.Message.MessageId, j.Message.Type);
				order.push(j.Message.MessageId);
				break;
			case 'content.added':
				buffers.set(slot, j.Content.Text ?? '');
				break;
			case 'text.delta':
				buffers.set(slot, (buffers.get(slot) ?? '') + j.Text);
				break;
			case 'text.replace':
				buffers.set(slot, j.Text);
				break;
			case 'response.completed':
				out.completed = true;
				break;
			case 'error':
				out.errorCode = j.Error.Code;
				break;
		}
	}
	for (const id of order) {
		const text = buffers.get(`${id}\u00000`) ?? '';
		const type = typeOf.get(id);
		if (type === 'reply') out.replies.push(text);
		else if (type === 'thought') out.thoughts.push(text);
		else if (type === 'tool_call') out.toolCalls.push(text);
	}
	return out;
}

function expectEnvelope(events: WireEvent[]): void {
	for (const e of events) {
		if (e.data === '[DONE]') {
			expect(e.event).toBe('done');
			continue;
		}
		expect(e.json.Type).toBe(e.event);
		expect(e.json.Timestamp).toMatch(/^\d+$/);
	}
}

const completedOf = (events: WireEvent[]) => events.find((e) => e.event === 'response.completed')!.json.Response;

describe('ADP v2 chat: a plain reply', () => {
	it('Incremental false (the default): text.replace with the whole text so far, in the documented order', async () => {
		const q = 'What is n8n? 你好';
		const { res, events } = await chat(q);
		expect(res.status).toBe(200);
		expect(res.headers.get('content-type')).toContain('text/event-stream');
		expectEnvelope(events);

		const head = names(events).slice(0, 6);
		expect(head).toEqual(['request_ack', 'response.created', 'response.processing', 'message.added', 'content.added', 'message.processing']);
		const tail = names(events).slice(-3);
		expect(tail).toEqual(['message.done', 'response.completed', 'done']);
		expect(events[events.length - 1].data).toBe('[DONE]');
		const middle = names(events).slice(6, -3);
		expect(middle.length).toBeGreaterThan(3);
		// progress events may come between the text events
		expect(new Set(middle)).toEqual(new Set(['text.replace', 'message.processing']));

		const replaces = events.filter((e) => e.event === 'text.replace').map((e) => e.json.Text as string);
		for (let i = 1; i < replaces.length; i++) expect(replaces[i].startsWith(replaces[i - 1])).toBe(true);
		expect(replaces[replaces.length - 1]).toBe(adpV2AnswerFor(q));

		const ack = events[0].json.RequestAck;
		expect(ack).toMatchObject({ Role: 'user', Status: 'success', ConversationId: CONVERSATION_ID });
		expect(ack.Messages[0]).toMatchObject({ Type: 'question', Contents: [{ Type: 'text', Text: q }] });
		const created = events[1].json.Response;
		expect(created).toMatchObject({ Role: 'assistant', Status: 'processing', RelatedRecordId: ack.RecordId, ConversationId: CONVERSATION_ID });
		expect(created.RecordId).not.toBe(ack.RecordId);
		expect(created.ExtraInfo.ReplyMethod).toBe(0);

		const added = events[3].json.Message;
		expect(added).toMatchObject({ Type: 'reply', Status: 'processing' });
		expect(events[4].json).toMatchObject({ MessageId: added.MessageId, ContentIndex: 0, Content: { Type: 'text', Text: '' } });
		for (const e of events.filter((x) => x.event === 'text.replace')) expect(e.json).toMatchObject({ MessageId: added.MessageId, ContentIndex: 0 });

		const done = events[events.length - 3].json;
		expect(done.Message).toMatchObject({ MessageId: added.MessageId, Type: 'reply', Status: 'success', Contents: [{ Type: 'text', Text: adpV2AnswerFor(q) }] });

		const completed = completedOf(events);
		expect(completed).toMatchObject({ RecordId: created.RecordId, RelatedRecordId: ack.RecordId, Status: 'success' });
		expect(completed.Messages).toEqual([done.Message]);
		expect(completed.ExtraInfo).toMatchObject({ ReplyMethod: 1, IsLlmGenerated: true });
		for (const key of ['Elapsed', 'StartTime', 'EndTime']) expect(completed.ExtraInfo[key]).toMatch(/^\d+$/);
		expect(completed.ExtraInfo.TraceId).toMatch(new RegExp(`^[0-9a-f]{32} / ${completed.RecordId}$`));

		// A plain reply: tokens only in TotalTokens, no per-procedure StatInfos; TotalCost a string of ms.
		const input = codePoints(q) + 120;
		const output = codePoints(adpV2AnswerFor(q));
		expect(completed.StatInfo).toMatchObject({ InputTokens: 0, OutputTokens: 0, TotalTokens: input + output, TotalCost: String(300 + output) });
		expect(completed.Procedures).toHaveLength(1);
		expect(completed.Procedures[0].StatInfos).toBeUndefined();
		expect(adpV2TurnFor(q).statInfo).toEqual({ InputTokens: 0, OutputTokens: 0, TotalTokens: input + output, TotalCost: 300 + output });

		expect(fold(events)).toEqual({ replies: [adpV2AnswerFor(q)], thoughts: [], toolCalls: [], completed: true, done: true });
		expect(sim.adpV2Answered(q)).toBe(1);
		expect(sim.requests[0]).toMatchObject({ route: 'adpV2', method: 'POST', path: '/adp/v2/chat' });
	});

	it('Incremental true: text.delta pieces of StreamingThrottle code points', async () => {
		const q = 'pieces 🙂 please';
		const { events } = await chat(q, { Incremental: true, StreamingThrottle: 3 });
		expectEnvelope(events);
		const deltas = events.filter((e) => e.event === 'text.delta').map((e) => e.json.Text as string);
		expect(events.some((e) => e.event === 'text.replace')).toBe(false);
		for (const d of deltas) expect(codePoints(d)).toBeLessThanOrEqual(3);
		expect(deltas.join('')).toBe(adpV2AnswerFor(q));
		expect(fold(events).replies).toEqual([adpV2AnswerFor(q)]);
	});

	it('Stream "disable": one text event per message', async () => {
		const q = 'all at once [think]';
		const { events } = await chat(q, { Stream: 'disable' });
		const texts = events.filter((e) => e.event === 'text.replace');
		expect(texts).toHaveLength(2);
		expect(texts.map((e) => e.json.Text)).toEqual([...adpV2ThoughtsFor(q), adpV2AnswerFor(q)]);
	});

	it('takes the question from every text item, and accepts image, file and custom_variables items', async () => {
		const contents = [
			{ Type: 'text', Text: 'first line' },
			{ Type: 'image', Image: { Url: 'https://example.com/a.png' } },
			{ Type: 'file', File: { FileName: 'a.pdf', FileSize: '12345', FileUrl: 'https://example.com/a.pdf', FileType: 'pdf', DocId: '1', CreateTime: 1700000000000 } },
			{ Type: 'custom_variables', CustomVariables: { tier: 'gold' } },
			{ Type: 'text', Text: 'second line' },
		];
		const question = adpV2QuestionOf(contents);
		expect(question).toBe('first line\nsecond line');
		const { events } = await post(body('', { Contents: contents }));
		expect(events[0].json.RequestAck.Messages[0].Contents).toEqual(contents);
		expect(fold(events).replies).toEqual([adpV2AnswerFor(question)]);
		expect(adpV2AnswerFor(question)).toContain('"first line\nsecond line"');
	});
});

describe('ADP v2 chat: agents, several messages, revisions', () => {
	it('[agent]: thought, tool_call, thought, reply; ReplyMethod 18; StatInfo is the sum of the procedures', async () => {
		const q = 'look it up [agent]';
		const { events } = await chat(q, { Incremental: true });
		expectEnvelope(events);
		const types = events.filter((e) => e.event === 'message.added').map((e) => e.json.Message.Type);
		expect(types).toEqual(['thought', 'tool_call', 'thought', 'reply']);

		const toolAdded = events.find((e) => e.event === 'message.added' && e.json.Message.Type === 'tool_call')!.json.Message;
		expect(toolAdded.ExtraInfo.ToolName).toBe(adpV2ToolCallsFor(q)[0].name);
		const toolContent = events.find((e) => e.event === 'content.added' && e.json.MessageId === toolAdded.MessageId)!.json.Content;
		expect(toolContent.Type).toBe('json_text');
		expect(JSON.parse(toolContent.Text)).toMatchObject({ arguments: { query: q } });

		const folded = fold(events);
		expect(folded.thoughts).toEqual(adpV2ThoughtsFor(q));
		expect(folded.thoughts).toHaveLength(2);
		expect(folded.toolCalls).toEqual(adpV2ToolCallsFor(q).map((t) => t.text));
		expect(folded.replies).toEqual([adpV2AnswerFor(q)]);

		const completed = completedOf(events);
		expect(completed.ExtraInfo.ReplyMethod).toBe(18);
		expect(completed.Messages.map((msg) => msg.Type)).toEqual(types);
		const perCall = completed.Procedures.flatMap((p) => p.StatInfos ?? []);
		expect(perCall).toHaveLength(3);
		const sum = (key: keyof WireStatInfo) => perCall.reduce((n, s) => n + (s[key] as number), 0);
		expect(completed.StatInfo.InputTokens).toBe(sum('InputTokens'));
		expect(completed.StatInfo.OutputTokens).toBe(sum('OutputTokens'));
		expect(completed.StatInfo.TotalTokens).toBe(sum('TotalTokens'));
		const turn = adpV2TurnFor(q);
		expect(completed.StatInfo).toMatchObject({ InputTokens: turn.statInfo.InputTokens, TotalCost: String(turn.statInfo.TotalCost) });
	});

	it('[multi-reply:3]: three reply messages with their own MessageIds; ReplyMethod 19', async () => {
		const q = 'two things [multi-reply:3]';
		const { events } = await chat(q);
		const replies = events.filter((e) => e.event === 'message.added').map((e) => e.json.Message);
		expect(replies.map((msg) => msg.Type)).toEqual(['reply', 'reply', 'reply']);
		expect(new Set(replies.map((msg) => msg.MessageId)).size).toBe(3);
		expect(fold(events).replies).toEqual(adpV2RepliesFor(q));
		expect(adpV2RepliesFor(q)).toHaveLength(3);
		expect(adpV2AnswerFor(q)).toBe(adpV2RepliesFor(q).join('\n\n'));
		expect(completedOf(events).ExtraInfo.ReplyMethod).toBe(19);
	});

	it.each([true, false])('[replace-midway] (Incremental %s): a text.replace revises text already sent', async (incremental) => {
		const q = 'revise [replace-midway]';
		const { events } = await chat(q, { Incremental: incremental });
		const texts = events.filter((e) => e.event === 'text.delta' || e.event === 'text.replace');
		const replaceAt = texts.findIndex((e, i) => e.event === 'text.replace' && i > 0 && texts[i - 1].json.Text.includes('draft'));
		expect(replaceAt).toBeGreaterThan(0);
		expect(texts.slice(replaceAt + 1).length).toBeGreaterThan(0);
		if (incremental) {
			expect(texts.filter((e) => e.event === 'text.replace')).toHaveLength(1);
			// appending every piece without honouring the replace leaves the draft in
			const naive = texts.map((e) => e.json.Text).join('');
			expect(naive).not.toBe(adpV2AnswerFor(q));
		}
		expect(fold(events).replies).toEqual([adpV2AnswerFor(q)]);
	});

	it.each([true, false])('[content-seed] (Incremental %s): content.added already carries the first characters', async (incremental) => {
		const q = 'seeded [content-seed] [think]';
		const { events } = await chat(q, { Incremental: incremental });
		const seeds = events.filter((e) => e.event === 'content.added').map((e) => e.json.Content.Text as string);
		expect(seeds).toHaveLength(2);
		for (const seed of seeds) expect(seed.length).toBeGreaterThan(0);
		expect(adpV2AnswerFor(q).startsWith(seeds[1])).toBe(true);
		if (incremental) {
			const replyId = events.find((e) => e.event === 'message.added' && e.json.Message.Type === 'reply')!.json.Message.MessageId;
			const deltas = events.filter((e) => e.event === 'text.delta' && e.json.MessageId === replyId).map((e) => e.json.Text);
			expect(deltas.join('')).toBe(adpV2AnswerFor(q).slice(seeds[1].length));
		}
		expect(fold(events)).toMatchObject({ replies: [adpV2AnswerFor(q)], thoughts: adpV2ThoughtsFor(q) });
	});
});

describe('ADP v2 chat: references, quote infos, numbers', () => {
	it('[refs]: reference.added and quote_info.added among the reply text events; message.done carries them', async () => {
		const q = 'with sources [refs]';
		const { events } = await chat(q, { Incremental: true });
		const replyId = events.find((e) => e.event === 'message.added')!.json.Message.MessageId;
		const refs = events.filter((e) => e.event === 'reference.added').map((e) => e.json);
		expect(refs.map((r) => r.Reference.Index)).toEqual([1, 2, 3, 4, 2]);
		expect(refs.map((r) => r.Reference.Type)).toEqual([2, 1, 4, 5, 1]);
		for (const r of refs) expect(r).toMatchObject({ MessageId: replyId, ContentIndex: 0 });
		expect(refs[0].Reference.DocRefer).toMatchObject({ ReferenceId: expect.any(String), DocId: expect.any(String), DocName: expect.any(String), Url: expect.any(String) });
		expect(refs[1].Reference.QaRefer).toMatchObject({ ReferenceId: expect.any(String), QaId: expect.any(String) });
		expect(refs[2].Reference.WebSearchRefer.Url).toMatch(/^https:/);
		expect(refs[3].Reference.GraphRAGRefer).toMatchObject({ ReferenceId: expect.any(String), KnowledgeId: expect.any(String) });

		const n = names(events);
		const firstRef = n.indexOf('reference.added');
		const textEvents = n.map((name, i) => (name === 'text.delta' ? i : -1)).filter((i) => i >= 0);
		expect(firstRef).toBeGreaterThan(textEvents[0]);
		expect(firstRef).toBeLessThan(textEvents[textEvents.length - 1]);
		expect(n.lastIndexOf('reference.added')).toBeLessThan(n.indexOf('message.done'));

		const answer = adpV2AnswerFor(q);
		const quotes = events.filter((e) => e.event === 'quote_info.added').map((e) => e.json.QuoteInfo);
		expect(quotes).toEqual([
			{ Position: 16, Index: 1 },
			{ Position: codePoints(answer), Index: 3 },
		]);
		// footnote markers are not in the text
		expect(fold(events).replies).toEqual([answer]);

		const doneContent = events.find((e) => e.event === 'message.done')!.json.Message.Contents[0];
		expect(doneContent.References).toEqual(ADP_V2_REFERENCES);
		expect(doneContent.QuoteInfos).toEqual(quotes);
		const turn = adpV2TurnFor(q);
		expect(turn.references).toEqual(ADP_V2_REFERENCES);
		expect(turn.quoteInfos).toEqual(quotes);
		expect(adpV2TurnFor('no sources').references).toEqual([]);
	});

	it('sends strings where the service does, numbers elsewhere; [string-numbers] makes token counts strings', async () => {
		const plain = completedOf((await chat('numbers [agent]')).events);
		expect(typeof plain.StatInfo.TotalCost).toBe('string');
		expect(typeof plain.StatInfo.Elapsed).toBe('string');
		expect(typeof plain.StatInfo.InputTokens).toBe('number');
		expect(typeof plain.ExtraInfo.ReplyMethod).toBe('number');

		const q = 'numbers [agent] [string-numbers]';
		const { events } = await chat(q);
		const completed = completedOf(events);
		const turn = adpV2TurnFor(q);
		expect(completed.StatInfo).toMatchObject({
			InputTokens: String(turn.statInfo.InputTokens),
			OutputTokens: String(turn.statInfo.OutputTokens),
			TotalTokens: String(turn.statInfo.TotalTokens),
			TotalCost: String(turn.statInfo.TotalCost),
			FirstTokenCost: '120',
		});
		for (const s of completed.Procedures.flatMap((p) => p.StatInfos ?? [])) expect(s.InputTokens).toMatch(/^\d+$/);
		expect(typeof completed.ExtraInfo.ReplyMethod).toBe('number');
		for (const e of events.filter((x) => x.event === 'content.added')) expect(e.json.ContentIndex).toBe(0);
	});

	it('[busy-reply]: the canned concurrency answer with ReplyMethod 7', async () => {
		const q = 'hello [busy-reply]';
		const { events } = await chat(q);
		expect(fold(events).replies).toEqual([ADP_V2_BUSY_REPLY]);
		expect(adpV2AnswerFor(q)).toBe(ADP_V2_BUSY_REPLY);
		const completed = completedOf(events);
		expect(completed.ExtraInfo).toMatchObject({ ReplyMethod: 7, IsLlmGenerated: false });
		expect(events.some((e) => e.event === 'error')).toBe(false);
	});
});

describe('ADP v2 chat: errors in the stream', () => {
	const errorOf = (events: WireEvent[]) => events.find((e) => e.event === 'error')!.json.Error;

	it('[error:460011]: one error event, no request_ack, no [DONE]; Code a number, Elapsed and StartTime strings', async () => {
		const { res, events } = await chat('busy [error:460011]');
		expect(res.status).toBe(200);
		expect(names(events)).toEqual(['error']);
		const error = errorOf(events);
		expect(error).toMatchObject({ Code: 460011, RequestId: REQUEST_ID, TraceId: expect.stringMatching(/^[0-9a-f]{32}$/) });
		expect(error.Message).toMatch(/concurrency/i);
		expect(error.Elapsed).toMatch(/^\d+$/);
		expect(error.StartTime).toMatch(/^\d+$/);
		expectEnvelope(events);
	});

	it('[done-after-error] adds [DONE]; [error-after-ack:CODE] comes after the records, before any message', async () => {
		expect(names((await chat('x [error:460501] [done-after-error]')).events)).toEqual(['error', 'done']);
		const { events } = await chat('x [error-after-ack:460020]');
		expect(names(events)).toEqual(['request_ack', 'response.created', 'response.processing', 'error']);
		expect(errorOf(events).Code).toBe(460020);
	});

	it('[error-after-text:460035]: part of the reply, then the error; no message.done or response.completed', async () => {
		const q = 'long thought [error-after-text:460035]';
		const { events } = await chat(q, { Incremental: true });
		const n = names(events);
		expect(n[n.length - 1]).toBe('error');
		expect(n).not.toContain('message.done');
		expect(n).not.toContain('response.completed');
		expect(errorOf(events).Code).toBe(460035);
		const folded = fold(events);
		expect(folded.replies[0].length).toBeGreaterThan(0);
		expect(adpV2AnswerFor(q).startsWith(folded.replies[0])).toBe(true);
		expect(folded.replies[0]).not.toBe(adpV2AnswerFor(q));
		expect(sim.adpV2Answered(q)).toBe(0);
	});

	it('[no-completed] ends with [DONE] but no response.completed; [cut] ends mid-reply', async () => {
		const q = 'incomplete [no-completed]';
		const noCompleted = await chat(q);
		expect(names(noCompleted.events).slice(-2)).toEqual(['message.done', 'done']);
		expect(fold(noCompleted.events)).toMatchObject({ replies: [adpV2AnswerFor(q)], completed: false, done: true });

		const cut = await chat('cut [cut]');
		const n = names(cut.events);
		expect(n[n.length - 1]).toBe('text.replace');
		expect(fold(cut.events)).toMatchObject({ completed: false, done: false });
	});

	it('[unknown-event]: an event type no client knows, after response.created', async () => {
		const q = 'future [unknown-event]';
		const { events } = await chat(q);
		expect(names(events)[2]).toBe('future.event');
		expect(fold(events).replies).toEqual([adpV2AnswerFor(q)]);
	});

	it('[flaky:2]: error 460011 twice, then the answer', async () => {
		const q = 'retry me [flaky:2]';
		for (let i = 0; i < 2; i++) expect(names((await chat(q)).events)).toEqual(['error']);
		expect(fold((await chat(q)).events).replies).toEqual([adpV2AnswerFor(q)]);
		expect(sim.adpV2Answered(q)).toBe(1);
	});
});

describe('ADP v2 chat: HTTP failures', () => {
	it('[http:429] answers 429 with Retry-After: 0; [retry-after:S] sets it; [http:500] a 500', async () => {
		const limited = await fetch(`${sim.url}/adp/v2/chat`, { method: 'POST', body: JSON.stringify(body('x [http:429]')) });
		expect(limited.status).toBe(429);
		expect(limited.headers.get('retry-after')).toBe('0');
		expect(await limited.json()).toMatchObject({ Code: 429 });

		const later = await fetch(`${sim.url}/adp/v2/chat`, { method: 'POST', body: JSON.stringify(body('x [http:429] [retry-after:2]')) });
		expect(later.headers.get('retry-after')).toBe('2');
		await later.text();

		const broken = await fetch(`${sim.url}/adp/v2/chat`, { method: 'POST', body: JSON.stringify(body('x [http:500]')) });
		expect(broken.status).toBe(500);
		expect(broken.headers.get('retry-after')).toBeNull();
		await broken.text();
	});

	it('[flaky-http:1]: 503 once, then the answer', async () => {
		const q = 'retry [flaky-http:1]';
		const first = await fetch(`${sim.url}/adp/v2/chat`, { method: 'POST', body: JSON.stringify(body(q)) });
		expect(first.status).toBe(503);
		expect(first.headers.get('retry-after')).toBe('0');
		await first.text();
		expect(fold((await chat(q)).events).replies).toEqual([adpV2AnswerFor(q)]);
	});

	it('[stall]: request_ack and response.created, then an open, silent connection that close() ends', async () => {
		const own = await startSimulator();
		const res = await fetch(`${own.url}/adp/v2/chat`, { method: 'POST', body: JSON.stringify(body('wait [stall]')) });
		const reader = res.body!.getReader();
		let text = '';
		while (!(text.includes('"Type":"response.created"') && text.endsWith('\n\n'))) text += Buffer.from((await reader.read()).value!).toString();
		expect(own.inFlight('adpV2')).toBe(1);
		await own.close();
		await expect(reader.read()).rejects.toThrow();
		expect(names(parseStream(text))).toEqual(['request_ack', 'response.created']);
	});

	it('plays a queued script as text/event-stream', async () => {
		sim.enqueue('adpV2', { steps: ['event: done\ndata: [DONE]\n\n'] });
		const { res, events } = await chat('scripted');
		expect(res.headers.get('content-type')).toContain('text/event-stream');
		expect(names(events)).toEqual(['done']);
		expect(sim.requests[0].route).toBe('adpV2');
	});
});

describe('ADP v2 chat: request checks (HTTP 200, one error event)', () => {
	const cases: Array<[string, unknown, number, RegExp]> = [
		['a body that is not an object', '[1,2]', 400, /body must be a JSON object/],
		['no AppKey', body('q', { AppKey: undefined }), 400, /AppKey is required/],
		['a wrong AppKey', body('q', { AppKey: 'not-the-key' }), 4505004, /Invalid AppKey/],
		['no ConversationId', body('q', { ConversationId: undefined }), 400, /ConversationId is required and must match \^\[a-zA-Z0-9_-\]\{32,64\}\$/],
		['a 31-character ConversationId', body('q', { ConversationId: 'a'.repeat(31) }), 400, /ConversationId/],
		['a 65-character ConversationId', body('q', { ConversationId: 'a'.repeat(65) }), 400, /ConversationId/],
		['a ConversationId with a dot', body('q', { ConversationId: `${'a'.repeat(32)}.b` }), 400, /ConversationId/],
		['a short RequestId', body('q', { RequestId: 'req-1' }), 400, /RequestId must match/],
		['no VisitorId', body('q', { VisitorId: undefined }), 400, /VisitorId is required/],
		['a numeric UserId', body('q', { UserId: 42 }), 400, /UserId must be a string/],
		['no Contents', body('q', { Contents: undefined }), 400, /Contents is required/],
		['empty Contents', body('q', { Contents: [] }), 400, /Contents is required/],
		['only custom variables', body('q', { Contents: [{ Type: 'custom_variables', CustomVariables: { a: 'b' } }] }), 400, /text, image or file item/],
		['a numeric custom variable', body('q', { Contents: [{ Type: 'text', Text: 'q' }, { Type: 'custom_variables', CustomVariables: { n: 1 } }] }), 400, /Contents\[1\]\.CustomVariables\.n must be a string/],
		['an image without Url', body('q', { Contents: [{ Type: 'image', Image: {} }] }), 400, /Contents\[0\]\.Image\.Url/],
		['a numeric FileSize', body('q', { Contents: [{ Type: 'file', File: { FileName: 'a', FileUrl: 'u', FileType: 'pdf', FileSize: 12 } }] }), 400, /FileSize must be a string/],
		['an unknown content type', body('q', { Contents: [{ Type: 'video' }] }), 400, /Contents\[0\]\.Type "video"/],
		['Incremental as a string', body('q', { Incremental: 'true' }), 400, /Incremental must be a boolean/],
		['a negative StreamingThrottle', body('q', { StreamingThrottle: -1 }), 400, /StreamingThrottle must be a non-negative integer/],
		['Stream "yes"', body('q', { Stream: 'yes' }), 400, /Stream must be "", "enable" or "disable"/],
	];

	it.each(cases)('refuses %s', async (_what, payload, code, message) => {
		const { res, events } = await post(payload);
		expect(res.status).toBe(200);
		expect(res.headers.get('content-type')).toContain('text/event-stream');
		expect(names(events)).toEqual(['error']);
		expect(events[0].json.Error.Code).toBe(code);
		expect(events[0].json.Error.Message).toMatch(message);
	});

	it('accepts ids of 32 and 64 characters and no RequestId', async () => {
		for (const id of ['a'.repeat(32), `${'A1_-'.repeat(16)}`]) {
			const { events } = await chat('ok', { ConversationId: id, RequestId: undefined });
			expect(fold(events).completed).toBe(true);
		}
	});
});

describe('ADP v2 chat: long answers', () => {
	it.each([
		[false, '[long:200000] [pieces:20]'],
		[true, '[long:300000]'],
	])('Incremental %s %s: the repeating text, whole, from the spliced bytes', async (incremental, q) => {
		const { events } = await chat(q, { Incremental: incremental });
		const answer = adpV2AnswerFor(q);
		const n = Number(/long:(\d+)/.exec(q)![1]);
		expect(codePoints(answer)).toBe(n);
		expect(answer.startsWith(ADP_V2_LONG_PATTERN)).toBe(true);
		const texts = events.filter((e) => e.event === (incremental ? 'text.delta' : 'text.replace'));
		expect(texts.length).toBeLessThanOrEqual(200);
		expect(fold(events).replies).toEqual([answer]);
		expect(events.find((e) => e.event === 'message.done')!.json.Message.Contents[0].Text).toBe(answer);
		expect(completedOf(events).Messages[0].Contents[0].Text).toBe(answer);
	});

	it('encodes a long text piece by piece as its events are sent, each piece once', () => {
		const asked: Array<[number, number]> = [];
		const text = 'aé中🙂'.repeat(10);
		const codePointsOf = Array.from(text);
		const src: TextSource = {
			length: codePointsOf.length,
			slice(start, end) {
				asked.push([start, end]);
				return codePointsOf.slice(start, end).join('');
			},
		};
		const pieces = new RawPieces(src, pieceBounds(40, 10));
		const utf8 = (parts: Buffer[]) => Buffer.concat(parts).toString('utf8');

		expect(utf8(pieces.between(0, 10))).toBe(codePointsOf.slice(0, 10).join(''));
		expect(asked).toEqual([[0, 10]]);
		expect(utf8(pieces.between(10, 20))).toBe(codePointsOf.slice(10, 20).join(''));
		expect(utf8(pieces.between(0, 20))).toBe(codePointsOf.slice(0, 20).join(''));
		expect(asked).toEqual([[0, 10], [10, 20]]);
		expect(utf8(pieces.between(0, 40))).toBe(text);
		expect(asked).toEqual([[0, 10], [10, 20], [20, 30], [30, 40]]);
		expect(() => pieces.between(0, 15)).toThrow('not between piece boundaries');
	});
});
