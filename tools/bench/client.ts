/**
 * The measuring side of `npm run bench`, run as a child process (`fork`, `--expose-gc`) so each
 * measurement starts from a clean process. One JSON message goes back to the parent over IPC.
 *
 *   stream-timing <url> <reps> <naiveReps> <case…>   the stream methods side by side, interleaved, each after
 *                                        a full GC (not with env BENCH_NO_FORCED_GC=1), in a random
 *                                        order per repetition; with the controls "scan" and "again"
 *                                        (the slow naive read only in the first naiveReps repetitions;
 *                                        with env BENCH_BEFORE_ROOT, a compiled tree's build/ folder, also
 *                                        "before": that tree's runLkeChatTurn, in the same repetitions)
 *   stream-steady <url> <warmup> <reps> <case> <method>   one method alone: <warmup> untimed turns, then <reps>
 *                                        timed turns back to back, no forced GC (a batch of identical questions)
 *   stream-memory <url> <case> <method>  one turn with memory sampling against a post-gc baseline
 *   stream-retained <url> <case> <reps> <method,…>  the same with a full GC before every sample (live
 *                                        memory only), the methods taking turns in one process <reps> times
 *   batch <url> <questions> <concurrency> <latencyMs>   mapInOrder + runLkeChatTurn, order check
 *
 * Besides the node path (runLkeChatTurn, transport included), the LKE readers are measured on their
 * own, each on the same undici read as the bare method and feeding the version's aggregator:
 * "reader" the production one (readLkeEvents / readAdpV2Events), "reader-nostore" the same with its
 * previous-content store not handed to the byte-level SSE parser, "reader-text" the simpler
 * text-level reader (TextDecoder + eventsource-parser, tools/bench/textEventReader.ts).
 */
import { transcode } from 'buffer';
import { randomInt, randomUUID } from 'crypto';
import * as path from 'path';
import { constants as perfConstants, performance, PerformanceObserver, type PerformanceEntry } from 'perf_hooks';
import { Agent, request } from 'undici';
import { mapInOrder } from '../../nodes/shared/orderedBatch';
import { runLkeChatTurn } from '../../nodes/TencentLke/chatClient';
import { LkeTurnAggregator } from '../../nodes/TencentLke/chatAggregator';
import { AdpV2TurnAggregator } from '../../nodes/TencentLke/chatAggregatorV2';
import { buildLkeChatRequest, type LkeApiVersion, type LkeChatRequest } from '../../nodes/TencentLke/chatRequest';
import { buildAdpV2ChatRequest } from '../../nodes/TencentLke/chatRequestV2';
import { ADP_V2_MAX_EVENT_CHARS, readAdpV2Events, readLkeEvents, type LkeContentHint, type ParsedEvent } from '../../nodes/TencentLke/stream';
import { AdpV2EventReader } from '../../nodes/TencentLke/stream/adpV2Reader';
import { LkeEventReader } from '../../nodes/TencentLke/stream/fastEventReader';
import { readRawSseEvents } from '../../nodes/TencentLke/stream/sseByteReader';
import { readAdpV2EventsAsText, readLkeEventsAsText } from './textEventReader';
import { adpV2AnswerFor } from '../../testkit/simulator/adpV2';
import { lkeAnswerFor } from '../../testkit/simulator/lke';

export type ReaderMethod = 'reader' | 'reader-nostore' | 'reader-text';
export type StreamMethod = 'bare' | 'node' | 'naive' | 'before' | 'keep' | 'answer' | 'scan' | 'again' | ReaderMethod;
export const STREAM_METHODS: StreamMethod[] = ['bare', 'node', 'naive'];
export const READER_METHODS: ReaderMethod[] = ['reader', 'reader-nostore', 'reader-text'];

type TurnRunner = typeof runLkeChatTurn;
type RequestBuilder = typeof buildLkeChatRequest;
/**
 * The node path of another compiled tree (the code before a change), measured in the same process:
 * that tree's own request builder and turn (v1 only), from where that tree kept them.
 */
const before = process.env.BENCH_BEFORE_ROOT ? loadBefore(process.env.BENCH_BEFORE_ROOT) : undefined;

function loadBefore(root: string): { turn: TurnRunner; build: RequestBuilder } {
	const folder = path.join(root, 'nodes', 'TencentLke');
	/* eslint-disable @typescript-eslint/no-require-imports */
	const load = (names: string[]) => require(path.join(folder, names.find((name) => exists(path.join(folder, `${name}.js`))) ?? names[0])) as Record<string, unknown>;
	/* eslint-enable @typescript-eslint/no-require-imports */
	return {
		turn: load(['chatClient', 'lkeChatTurn']).runLkeChatTurn as TurnRunner,
		build: load(['chatRequest', 'lkeChatRequest']).buildLkeChatRequest as RequestBuilder,
	};
}

function exists(file: string): boolean {
	try {
		require.resolve(file);
		return true;
	} catch {
		return false;
	}
}

export interface StreamCase {
	name: string;
	codePoints: number;
	incremental: boolean;
	/** Reply events for the answer (the simulator's default is 200). */
	pieces?: number;
	apiVersion: LkeApiVersion;
}

export const STREAM_CASES: Record<string, StreamCase> = {
	'cumulative-1M': { name: 'cumulative-1M', codePoints: 1_000_000, incremental: false, apiVersion: 'v1' },
	'cumulative-250k': { name: 'cumulative-250k', codePoints: 250_000, incremental: false, apiVersion: 'v1' },
	'cumulative-1M-x1000': { name: 'cumulative-1M-x1000', codePoints: 1_000_000, incremental: false, pieces: 1000, apiVersion: 'v1' },
	'incremental-50M': { name: 'incremental-50M', codePoints: 50_000_000, incremental: true, apiVersion: 'v1' },
	'v2-cumulative-1M': { name: 'v2-cumulative-1M', codePoints: 1_000_000, incremental: false, apiVersion: 'v2' },
	'v2-incremental-50M': { name: 'v2-incremental-50M', codePoints: 50_000_000, incremental: true, apiVersion: 'v2' },
	warmup: { name: 'warmup', codePoints: 20_000, incremental: false, apiVersion: 'v1' },
};

/** The warm-up stream of a case's API version, cumulative and incremental. */
function warmups(apiVersion: LkeApiVersion): StreamCase[] {
	const warm = { ...STREAM_CASES.warmup, apiVersion };
	return [warm, { ...warm, incremental: true }];
}

export interface MethodRun {
	ms: number;
	/** CPU time of this (client) process during the run, user + system. */
	cpuMs: number;
	/** Bytes of the response body (bare method only; the same stream for the others). */
	bytes?: number;
	replyChars: number;
	/** stream-timing and stream-steady: V8's full (mark-compact) collections that ended during the run. */
	fullGcs?: number;
	/** stream-timing and stream-steady: the main thread's GC pauses during the run, every kind, summed (ms). */
	gcPauseMs?: number;
}

export interface MemoryRun {
	method: StreamMethod;
	caseName: string;
	ms: number;
	replyChars: number;
	replyUtf8Bytes: number;
	peakHeapGrowth: number;
	peakRssGrowth: number;
	peakExternalGrowth: number;
	samples: number;
}

/** What a turn keeps: sampled right after a full GC, so garbage not yet collected is not counted. */
export interface RetainedMemoryRun {
	method: StreamMethod;
	caseName: string;
	replyUtf8Bytes: number;
	/** Heap plus buffers outside it (network chunks), live objects only. */
	peakRetainedGrowth: number;
	peakRetainedHeapGrowth: number;
	peakRetainedExternalGrowth: number;
	samples: number;
}

export interface BatchRun {
	questions: number;
	concurrency: number;
	latencyMs: number;
	ms: number;
	inOrder: boolean;
	failures: number;
	/** CPU time of this (client) process per question. */
	cpuMsPerQuestion: number;
}

function chatRequest(url: string, streamCase: StreamCase, build: RequestBuilder = buildLkeChatRequest): LkeChatRequest {
	const builder = streamCase.apiVersion === 'v2' ? buildAdpV2ChatRequest : build;
	// v2 ids are 32 to 64 characters; a UUID fits both versions.
	return builder(
		{ content: contentFor(streamCase), sessionId: '', visitorBizId: 'bench-visitor', options: { incremental: streamCase.incremental } },
		{ appKey: 'sim-app-key', chatBaseUrl: url, newId: () => randomUUID(), defaultVisitorBizId: 'bench' },
	);
}

function answerFor(streamCase: StreamCase): string {
	return streamCase.apiVersion === 'v2' ? adpV2AnswerFor(contentFor(streamCase)) : lkeAnswerFor(contentFor(streamCase));
}

function contentFor(streamCase: StreamCase): string {
	return `bench ${streamCase.name} [long:${streamCase.codePoints}]${streamCase.pieces ? ` [pieces:${streamCase.pieces}]` : ''}`;
}

/**
 * A fresh connection for every raw run (a loopback connect costs well under a millisecond): the
 * methods take turns for seconds, longer than the simulator's 5 s keep-alive, and a POST sent on a
 * socket the server is closing fails instead of being retried.
 */
async function rawRequest(chat: LkeChatRequest) {
	const agent = new Agent({ pipelining: 1 });
	const response = await request(chat.url, {
		method: 'POST',
		headers: { 'content-type': 'application/json', accept: 'text/event-stream' },
		body: JSON.stringify(chat.body),
		dispatcher: agent,
	});
	response.body.once('close', () => void agent.close());
	if (response.statusCode !== 200) throw new Error(`HTTP ${response.statusCode}`);
	return response;
}

/** The limit: undici's request() reading the same bytes and throwing them away. */
async function bareRead(chat: LkeChatRequest): Promise<{ bytes: number; replyChars: number }> {
	const response = await rawRequest(chat);
	let bytes = 0;
	for await (const chunk of response.body as AsyncIterable<Buffer>) bytes += chunk.length;
	return { bytes, replyChars: 0 };
}

/**
 * A loose floor for a reader that returns the answer as text in incremental mode: the whole stream
 * decoded (TextDecoder) and kept as strings, nothing parsed. Building that much new text costs fresh
 * memory whatever the parser, which the bare read never needs. decodeAnswerOnce is the tight one.
 */
async function decodeAndKeep(chat: LkeChatRequest): Promise<{ kept: string[] }> {
	const response = await rawRequest(chat);
	const decoder = new TextDecoder();
	const kept: string[] = [];
	for await (const chunk of response.body as AsyncIterable<Buffer>) kept.push(decoder.decode(chunk, { stream: true }));
	kept.push(decoder.decode());
	return { kept };
}

/** Per API version, the events that carry the answer's pieces in incremental mode (v2: the first may come with its content), and the text's JSON key. */
const ANSWER_PIECES: Record<LkeApiVersion, { events: string[]; key: Buffer }> = {
	v1: { events: ['reply'], key: Buffer.from('"content":"') },
	v2: { events: ['content.added', 'text.delta'], key: Buffer.from('"Text":"') },
};

/**
 * The floor for a reader that returns the answer as text when the answer arrives in pieces
 * (incremental mode), tighter than decoding the whole stream: the bare read, every line end found,
 * and only the answer's pieces decoded, each once, into strings that are kept. Nothing is parsed as
 * JSON and the other events (ADP v2's final events repeat the whole answer twice) are not looked
 * at. Each piece is copied into one buffer and decoded by ICU's transcoder to UTF-16, the fastest
 * decoding of valid UTF-8 into a string found on Node 20. A lower bound only: it takes the text to
 * end at the next quote, which holds for the simulator's long answers (no escapes).
 */
async function decodeAnswerOnce(chat: LkeChatRequest): Promise<{ kept: string[] }> {
	const response = await rawRequest(chat);
	const { events: answerEvents, key } = ANSWER_PIECES[chat.apiVersion];
	const kept: string[] = [];
	let line: Buffer[] = [];
	let eventName = '';
	const endLine = (): void => {
		// The field name from the line's first bytes only: a final event's line is as long as the answer.
		const field = Buffer.concat(line, Math.min(6, line.reduce((sum, piece) => sum + piece.length, 0))).toString('latin1');
		if (line.length === 0) eventName = '';
		else if (field === 'event:') eventName = Buffer.concat(line).subarray(6).toString('latin1').trim();
		else if (field.startsWith('data:') && answerEvents.includes(eventName)) {
			const data = line.length === 1 ? line[0] : Buffer.concat(line);
			const start = data.indexOf(key);
			const end = start === -1 ? -1 : data.indexOf(0x22, start + key.length);
			if (end !== -1) kept.push(transcode(data.subarray(start + key.length, end), 'utf8', 'utf16le').toString('utf16le'));
		}
		line = [];
	};
	for await (const chunk of response.body as AsyncIterable<Buffer>) {
		let at = 0;
		for (let lf = chunk.indexOf(0x0a); lf !== -1; lf = chunk.indexOf(0x0a, at)) {
			if (lf > at) line.push(chunk.subarray(at, lf));
			endLine();
			at = lf + 1;
		}
		if (at < chunk.length) line.push(at === 0 ? chunk : chunk.subarray(at));
	}
	return { kept };
}

/**
 * The floor for any SSE reader of a cumulative stream, where the answer is a small part of it: the
 * bare read plus one look at every byte, finding each line end (memchr, through Buffer#indexOf).
 * Knowing where events end needs that pass, or an equal one comparing the bytes with known ones.
 */
async function scanLines(chat: LkeChatRequest): Promise<{ bytes: number; lines: number }> {
	const response = await rawRequest(chat);
	let bytes = 0;
	let lines = 0;
	for await (const chunk of response.body as AsyncIterable<Buffer>) {
		bytes += chunk.length;
		for (let at = chunk.indexOf(0x0a); at !== -1; at = chunk.indexOf(0x0a, at + 1)) lines++;
	}
	return { bytes, lines };
}

/** The naive way: the whole body as text, split into lines, JSON.parse every data line. */
async function naiveRead(chat: LkeChatRequest): Promise<{ reply: string }> {
	const response = await rawRequest(chat);
	const text = await response.body.text();
	return chat.apiVersion === 'v2' ? naiveV2Reply(text) : naiveV1Reply(text, chat.incremental);
}

function naiveV1Reply(text: string, incremental: boolean): { reply: string } {
	let reply = '';
	let final = false;
	for (const line of text.split('\n')) {
		if (!line.startsWith('data:')) continue;
		const event = JSON.parse(line.slice(5)) as { type?: string; payload?: { content?: string; is_from_self?: boolean; is_final?: boolean } };
		if (final || event.type !== 'reply' || !event.payload || event.payload.is_from_self) continue;
		reply = incremental ? reply + (event.payload.content ?? '') : event.payload.content ?? '';
		if (event.payload.is_final) final = true;
	}
	return { reply };
}

/** v2: each message's text from its text.delta (appended) and text.replace (the whole text) events. */
function naiveV2Reply(text: string): { reply: string } {
	const texts = new Map<string, string>();
	for (const line of text.split('\n')) {
		if (!line.startsWith('data:') || line.slice(5).trim() === '[DONE]') continue;
		const event = JSON.parse(line.slice(5)) as { Type?: string; MessageId?: string; Text?: string };
		if (event.Type !== 'text.delta' && event.Type !== 'text.replace') continue;
		const id = event.MessageId ?? '';
		texts.set(id, event.Type === 'text.delta' ? (texts.get(id) ?? '') + (event.Text ?? '') : event.Text ?? '');
	}
	return { reply: [...texts.values()].join('\n\n') };
}

type EventReader = (chunks: AsyncIterable<Uint8Array>) => AsyncIterable<ParsedEvent<unknown>>;

/** The production reader without its previous-content store handed to the byte-level SSE parser. */
function readWithoutStore(apiVersion: LkeApiVersion): EventReader {
	return async function* (chunks) {
		const reader = apiVersion === 'v2' ? new AdpV2EventReader() : new LkeEventReader();
		const maxEventChars = apiVersion === 'v2' ? ADP_V2_MAX_EVENT_CHARS : undefined;
		for await (const raw of readRawSseEvents(chunks, maxEventChars)) {
			const parsed = reader.read(raw);
			if (parsed) yield parsed;
		}
	};
}

function eventReader(method: ReaderMethod, apiVersion: LkeApiVersion): EventReader {
	if (method === 'reader-nostore') return readWithoutStore(apiVersion);
	if (method === 'reader-text') return (apiVersion === 'v2' ? readAdpV2EventsAsText : readLkeEventsAsText) as EventReader;
	return (apiVersion === 'v2' ? readAdpV2Events : readLkeEvents) as EventReader;
}

/** One turn read by `method`'s reader into the version's aggregator, on the bare read's transport. */
async function readerTurn(method: ReaderMethod, chat: LkeChatRequest): Promise<{ reply: string }> {
	const response = await rawRequest(chat);
	const requested = { sessionId: chat.sessionId, requestId: chat.requestId };
	const aggregator = chat.apiVersion === 'v2' ? new AdpV2TurnAggregator({ ...requested, live: false }) : new LkeTurnAggregator(chat.incremental, requested);
	for await (const parsed of eventReader(method, chat.apiVersion)(response.body as AsyncIterable<Uint8Array>)) {
		(aggregator.accept as (event: unknown, hint?: LkeContentHint) => string).call(aggregator, parsed.event, parsed.hint);
		if ((aggregator as { ended?: boolean }).ended) break;
	}
	if (!response.body.destroyed) response.body.destroy();
	if (!aggregator.isFinal) throw new Error(`${method}: the stream ended before the final reply`);
	return { reply: aggregator.result().reply };
}

function cpuSince(start: NodeJS.CpuUsage): number {
	const used = process.cpuUsage(start);
	return (used.user + used.system) / 1000;
}

async function runMethod(method: StreamMethod, chat: LkeChatRequest): Promise<MethodRun & { reply?: string }> {
	const started = performance.now();
	const cpu = process.cpuUsage();
	if (method === 'bare' || method === 'again') {
		const { bytes } = await bareRead(chat);
		return { ms: performance.now() - started, cpuMs: cpuSince(cpu), bytes, replyChars: 0 };
	}
	if (method === 'scan') {
		const { bytes } = await scanLines(chat);
		return { ms: performance.now() - started, cpuMs: cpuSince(cpu), bytes, replyChars: 0 };
	}
	if (method === 'keep' || method === 'answer') {
		const { kept } = await (method === 'keep' ? decodeAndKeep : decodeAnswerOnce)(chat);
		const ms = performance.now() - started;
		return { ms, cpuMs: cpuSince(cpu), replyChars: kept.reduce((sum, text) => sum + text.length, 0) };
	}
	let reply: string;
	if (method === 'reader' || method === 'reader-nostore' || method === 'reader-text') {
		reply = (await readerTurn(method, chat)).reply;
	} else if (method === 'node' || method === 'before') {
		// A retry (a pooled socket the server closed while other methods ran) costs no backoff here, and is logged.
		const onRetry = (info: { code: string | number }) => process.stderr.write(`[bench client] ${method} path retried after ${info.code}\n`);
		const turn = method === 'node' ? runLkeChatTurn : before!.turn;
		reply = (await turn(chat, { random: () => 0, onRetry })).reply;
	} else {
		reply = (await naiveRead(chat)).reply;
	}
	const ms = performance.now() - started;
	return { ms, cpuMs: cpuSince(cpu), replyChars: reply.length, reply };
}

/** The request for `method`: the code before the change gets one from its own builder. */
function requestFor(url: string, streamCase: StreamCase, method: StreamMethod): LkeChatRequest {
	return chatRequest(url, streamCase, method === 'before' ? before!.build : buildLkeChatRequest);
}

/** Whether each timed stream method starts after a full GC (the default; the bench's --no-forced-gc turns it off). */
const gcBeforeEachMethod = process.env.BENCH_NO_FORCED_GC !== '1';
/**
 * Controls of the measure itself, timed with the others: the line-end scan (the floor for any SSE
 * reader), and the bare read again under another name, which does exactly what the bare read does:
 * how far it lands from 1.0× says how precise that run's ratios are.
 */
const CONTROL_METHODS = ['scan', 'again'] as const;
/** The floors of an incremental case: the whole stream decoded and kept, and the answer's pieces decoded once. */
const FLOOR_METHODS = ['keep', 'answer'] as const;
const NO_REPLY_METHODS = new Set<StreamMethod>(['bare', 'again', 'keep', 'answer', 'scan']);

function gc(): void {
	const collect = (global as { gc?: () => void }).gc;
	if (collect) {
		collect();
		collect();
	}
}

type GcEntry = PerformanceEntry & { detail?: { kind?: number } };

/**
 * The GCs V8 reports (perf_hooks 'gc' entries), kept so each timed run can say which collections
 * fell inside it: a full collection inside a turn costs it tens of milliseconds, and whether V8
 * starts one depends on the heap's state as much as on the method.
 */
class GcLog {
	private readonly entries: PerformanceEntry[] = [];
	private readonly observer = new PerformanceObserver((list) => this.entries.push(...list.getEntries()));

	constructor() {
		this.observer.observe({ entryTypes: ['gc'] });
	}

	/** The collections that ended in [from, to]; waits one macrotask first, as entries are delivered after the fact. */
	async between(from: number, to: number): Promise<{ fullGcs: number; gcPauseMs: number }> {
		await new Promise((resolve) => setImmediate(resolve));
		const inside = this.entries.filter((entry) => entry.startTime >= from && entry.startTime + entry.duration <= to);
		this.entries.length = 0;
		return {
			fullGcs: inside.filter((entry) => (entry as GcEntry).detail?.kind === perfConstants.NODE_PERFORMANCE_GC_MAJOR).length,
			gcPauseMs: inside.reduce((sum, entry) => sum + entry.duration, 0),
		};
	}

	stop(): void {
		this.observer.disconnect();
	}
}

/** The methods in a random order (Fisher–Yates). */
function shuffled<T>(items: readonly T[]): T[] {
	const out = [...items];
	for (let last = out.length - 1; last > 0; last--) {
		const pick = randomInt(last + 1);
		[out[last], out[pick]] = [out[pick], out[last]];
	}
	return out;
}

async function streamTiming(url: string, reps: number, naiveReps: number, caseNames: string[]): Promise<Record<string, Record<StreamMethod, MethodRun[]>>> {
	const out: Record<string, Record<StreamMethod, MethodRun[]>> = {};
	const expected = new Map<string, string>();
	for (const name of caseNames) {
		out[name] = { bare: [], node: [], naive: [], before: [], keep: [], answer: [], scan: [], again: [], reader: [], 'reader-nostore': [], 'reader-text': [] };
		expected.set(name, answerFor(STREAM_CASES[name]));
	}
	const versions = new Set(caseNames.map((name) => STREAM_CASES[name].apiVersion));
	const methodsOf = (streamCase: StreamCase): StreamMethod[] => [
		...STREAM_METHODS,
		...READER_METHODS,
		// The code before the change reads v1 only.
		...(before && streamCase.apiVersion === 'v1' ? (['before'] as const) : []),
	];
	// Warm-up: JIT, the connection pools, the simulator's code paths.
	for (const apiVersion of versions) {
		for (const warm of warmups(apiVersion)) {
			for (const method of [...methodsOf(warm), ...FLOOR_METHODS, ...CONTROL_METHODS] as StreamMethod[]) await runMethod(method, requestFor(url, warm, method));
		}
	}
	const gcLog = new GcLog();
	for (let rep = 0; rep < reps; rep++) {
		for (const name of caseNames) {
			const streamCase = STREAM_CASES[name];
			// A fresh random order every repetition. Rotating one fixed order left every method right
			// after the same other method in every repetition (the node path always after the bare read,
			// the bare read always after the last reader), and what ran just before changes a method's
			// time by tens of percent; the control methods (--control) show it.
			const all = methodsOf(streamCase);
			const timed = rep < naiveReps ? all : all.filter((method) => method !== 'naive' && method !== 'before');
			const methods: StreamMethod[] = [...timed, ...(streamCase.incremental ? FLOOR_METHODS : []), ...CONTROL_METHODS];
			const order = shuffled(methods);
			for (const method of order) {
				const chat = requestFor(url, streamCase, method);
				if (gcBeforeEachMethod) gc();
				out[name][method].push(await checkedRun(method, name, chat, expected.get(name)!, gcLog));
			}
		}
	}
	gcLog.stop();
	return out;
}

/** One timed run of `method`, with the collections inside it, checked against the simulator's answer. */
async function checkedRun(method: StreamMethod, caseName: string, chat: LkeChatRequest, expected: string, gcLog: GcLog): Promise<MethodRun> {
	const from = performance.now();
	const run = await runMethod(method, chat);
	Object.assign(run, await gcLog.between(from, from + run.ms));
	if (!NO_REPLY_METHODS.has(method) && run.reply !== expected) {
		throw new Error(`${method} ${caseName}: wrong reply (${run.replyChars} characters, expected ${expected.length})`);
	}
	// The floor must have decoded at least the answer (v1 also decodes the echoed question).
	if (method === 'answer' && run.replyChars < expected.length) {
		throw new Error(`answer ${caseName}: decoded ${run.replyChars} characters, the answer has ${expected.length}`);
	}
	delete run.reply;
	return run;
}

/**
 * One method alone in this process, turn after turn with no forced GC, as a batch of identical
 * questions runs: each method pays for its own garbage and meets the heap its own turns leave.
 */
async function streamSteady(url: string, warmup: number, reps: number, caseName: string, method: StreamMethod): Promise<MethodRun[]> {
	const streamCase = STREAM_CASES[caseName];
	const expected = answerFor(streamCase);
	const gcLog = new GcLog();
	const runs: MethodRun[] = [];
	for (let turn = -warmup; turn < reps; turn++) {
		const run = await checkedRun(method, caseName, requestFor(url, streamCase, method), expected, gcLog);
		if (turn >= 0) runs.push(run);
	}
	gcLog.stop();
	return runs;
}

interface TurnMemory {
	reply: string;
	ms: number;
	samples: number;
	/** Peak growth over the post-gc baseline, each figure on its own and heap + external together. */
	heap: number;
	rss: number;
	external: number;
	heapPlusExternal: number;
}

/**
 * One turn of `method` with `process.memoryUsage()` sampled during it. With `forcedGc` every sample
 * first runs a full GC: the peak of what is still referenced (the reply being built, the event
 * being read, the previous content), which is what the code decides, not when V8 gets round to
 * collecting; that turn runs slower, and only memory is taken from it.
 */
async function sampleTurnMemory(url: string, caseName: string, method: StreamMethod, forcedGc: boolean, warmUp = true): Promise<TurnMemory> {
	const streamCase = STREAM_CASES[caseName];
	const warm = { ...STREAM_CASES.warmup, apiVersion: streamCase.apiVersion, incremental: streamCase.incremental };
	if (warmUp) await runMethod(method, requestFor(url, warm, method));
	const chat = requestFor(url, streamCase, method);
	const collect = (global as { gc?: () => void }).gc;
	if (forcedGc && !collect) throw new Error('forced-GC sampling needs --expose-gc');
	gc();
	const base = process.memoryUsage();
	const peak = { heap: 0, rss: 0, external: 0, heapPlusExternal: 0 };
	let samples = 0;
	const sample = () => {
		if (forcedGc) collect!();
		const now = process.memoryUsage();
		samples++;
		const heap = now.heapUsed - base.heapUsed;
		const external = now.external - base.external;
		peak.heap = Math.max(peak.heap, heap);
		peak.rss = Math.max(peak.rss, now.rss - base.rss);
		peak.external = Math.max(peak.external, external);
		peak.heapPlusExternal = Math.max(peak.heapPlusExternal, heap + external);
	};
	// Forced GCs every millisecond: rarer samples let the socket's data pile up during the turn, on any reader.
	const timer = setInterval(sample, forcedGc ? 1 : 2);
	let run: MethodRun & { reply?: string };
	try {
		run = await runMethod(method, chat);
		if (!forcedGc) sample();
	} finally {
		clearInterval(timer);
	}
	return { reply: run.reply ?? '', ms: run.ms, samples, ...peak };
}

async function streamMemory(url: string, caseName: string, method: StreamMethod): Promise<MemoryRun> {
	const turn = await sampleTurnMemory(url, caseName, method, false);
	return {
		method,
		caseName,
		ms: turn.ms,
		replyChars: turn.reply.length,
		replyUtf8Bytes: Buffer.byteLength(turn.reply),
		peakHeapGrowth: turn.heap,
		peakRssGrowth: turn.rss,
		peakExternalGrowth: turn.external,
		samples: turn.samples,
	};
}

/**
 * What each method keeps, the methods taking turns in this one process: how much socket data piles
 * up while the forced GCs hold the event loop depends on the process's state, so a reader is
 * compared with the bare read of the same repetition.
 */
async function streamRetained(url: string, caseName: string, reps: number, methods: StreamMethod[]): Promise<Record<string, RetainedMemoryRun[]>> {
	const streamCase = STREAM_CASES[caseName];
	const warm = { ...STREAM_CASES.warmup, apiVersion: streamCase.apiVersion, incremental: streamCase.incremental };
	for (const method of methods) await runMethod(method, requestFor(url, warm, method));
	const out: Record<string, RetainedMemoryRun[]> = {};
	for (const method of methods) out[method] = [];
	for (let rep = 0; rep < reps; rep++) {
		for (let k = 0; k < methods.length; k++) {
			const method = methods[(k + rep) % methods.length];
			const turn = await sampleTurnMemory(url, caseName, method, true, false);
			out[method].push({
				method,
				caseName,
				replyUtf8Bytes: Buffer.byteLength(turn.reply),
				peakRetainedGrowth: turn.heapPlusExternal,
				peakRetainedHeapGrowth: turn.heap,
				peakRetainedExternalGrowth: turn.external,
				samples: turn.samples,
			});
		}
	}
	return out;
}

function batchRequest(url: string, content: string): LkeChatRequest {
	return buildLkeChatRequest(
		{ content, sessionId: '', visitorBizId: 'bench-visitor', options: { incremental: false } },
		{ appKey: 'sim-app-key', chatBaseUrl: url, newId: () => randomUUID(), defaultVisitorBizId: 'bench' },
	);
}

async function batch(url: string, questions: number, concurrency: number, latencyMs: number): Promise<BatchRun> {
	const contents = Array.from({ length: questions }, (_, index) => `question ${index} [latency:${latencyMs}]`);
	let failures = 0;
	const started = performance.now();
	const cpu = process.cpuUsage();
	const results = await mapInOrder(questions, concurrency, async (index) => {
		try {
			return await runLkeChatTurn(batchRequest(url, contents[index]));
		} catch (error) {
			failures++;
			throw error;
		}
	});
	const ms = performance.now() - started;
	const cpuMsPerQuestion = cpuSince(cpu) / questions;
	const inOrder = results.every((turn, index) => turn.reply === lkeAnswerFor(contents[index]));
	return { questions, concurrency, latencyMs, ms, inOrder, failures, cpuMsPerQuestion };
}

async function main(): Promise<void> {
	const [mode, url, ...rest] = process.argv.slice(2);
	let result: unknown;
	if (mode === 'stream-timing') result = await streamTiming(url, Number(rest[0]), Number(rest[1]), rest.slice(2));
	else if (mode === 'stream-steady') result = await streamSteady(url, Number(rest[0]), Number(rest[1]), rest[2], rest[3] as StreamMethod);
	else if (mode === 'stream-memory') result = await streamMemory(url, rest[0], rest[1] as StreamMethod);
	else if (mode === 'stream-retained') result = await streamRetained(url, rest[0], Number(rest[1]), rest[2].split(',') as StreamMethod[]);
	else if (mode === 'batch') result = await batch(url, Number(rest[0]), Number(rest[1]), Number(rest[2]));
	else throw new Error(`unknown mode ${mode}`);
	await new Promise<void>((resolve) => process.send!(result, () => resolve()));
	process.exit(0);
}

if (require.main === module) {
	main().catch((error: unknown) => {
		process.stderr.write(`bench client failed: ${error instanceof Error ? error.stack : String(error)}\n`);
		process.exit(1);
	});
}
