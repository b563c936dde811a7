/**
 * The measuring side of `npm run bench`, run as a child process (`fork`, `--expose-gc`) so each
 * measurement starts from a clean process. One JSON message goes back to the parent over IPC.
 *
 *   stream-timing <url> <reps> <naiveReps> <case…>   the stream methods side by side, interleaved
 *                                        (the slow naive read only in the first naiveReps repetitions;
 *                                        with env BENCH_BEFORE_ROOT, a compiled tree's build/ folder, also
 *                                        "before": that tree's runLkeChatTurn, in the same repetitions)
 *   stream-memory <url> <case> <method>  one turn with memory sampling against a post-gc baseline
 *   stream-retained <url> <case> <reps> <method,…>  the same with a full GC before every sample (live
 *                                        memory only), the methods taking turns in one process <reps> times
 *   batch <url> <questions> <concurrency> <latencyMs>   mapInOrder + runLkeChatTurn, order check
 */
import * as path from 'path';
import { performance } from 'perf_hooks';
import { Agent, request } from 'undici';
import { buildLkeChatRequest, type LkeChatRequest } from '../../nodes/TencentLke/chatRequest';
import { runLkeChatTurn } from '../../nodes/TencentLke/chatClient';
import { mapInOrder } from '../../nodes/shared/orderedBatch';
import { lkeAnswerFor } from '../../testkit/simulator/lke';

export type StreamMethod = 'bare' | 'node' | 'naive' | 'before' | 'keep';
export const STREAM_METHODS: StreamMethod[] = ['bare', 'node', 'naive'];

type TurnRunner = typeof runLkeChatTurn;
/** The node path of another compiled tree (the code before a change), measured in the same process. */
const beforeTurn: TurnRunner | undefined = process.env.BENCH_BEFORE_ROOT
	? // eslint-disable-next-line @typescript-eslint/no-require-imports
		(require(path.join(process.env.BENCH_BEFORE_ROOT, 'nodes', 'TencentLke', 'lkeChatTurn')) as { runLkeChatTurn: TurnRunner }).runLkeChatTurn
	: undefined;

export interface StreamCase {
	name: string;
	codePoints: number;
	incremental: boolean;
	/** Reply events for the answer (the simulator's default is 200). */
	pieces?: number;
}

export const STREAM_CASES: Record<string, StreamCase> = {
	'cumulative-1M': { name: 'cumulative-1M', codePoints: 1_000_000, incremental: false },
	'cumulative-250k': { name: 'cumulative-250k', codePoints: 250_000, incremental: false },
	'cumulative-1M-x1000': { name: 'cumulative-1M-x1000', codePoints: 1_000_000, incremental: false, pieces: 1000 },
	'incremental-50M': { name: 'incremental-50M', codePoints: 50_000_000, incremental: true },
	warmup: { name: 'warmup', codePoints: 20_000, incremental: false },
};

export interface MethodRun {
	ms: number;
	/** CPU time of this (client) process during the run, user + system. */
	cpuMs: number;
	/** Bytes of the response body (bare method only; the same stream for the others). */
	bytes?: number;
	replyChars: number;
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

let ids = 0;
function chatRequest(url: string, content: string, incremental: boolean): LkeChatRequest {
	return buildLkeChatRequest(
		{ content, sessionId: '', visitorBizId: 'bench-visitor', options: { incremental } },
		{ appKey: 'sim-app-key', chatBaseUrl: url, newId: () => `bench-${process.pid}-${++ids}`, defaultVisitorBizId: 'bench' },
	);
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
 * The floor for a reader that returns the answer as text, where the answer is most of the stream
 * (incremental mode): the bytes decoded and kept as strings, nothing parsed. Building that much new
 * text costs fresh memory whatever the parser, which the bare read never needs.
 */
async function decodeAndKeep(chat: LkeChatRequest): Promise<{ kept: string[] }> {
	const response = await rawRequest(chat);
	const decoder = new TextDecoder();
	const kept: string[] = [];
	for await (const chunk of response.body as AsyncIterable<Buffer>) kept.push(decoder.decode(chunk, { stream: true }));
	kept.push(decoder.decode());
	return { kept };
}

/** The naive way: the whole body as text, split into lines, JSON.parse every data line. */
async function naiveRead(chat: LkeChatRequest): Promise<{ reply: string }> {
	const response = await rawRequest(chat);
	const text = await response.body.text();
	let reply = '';
	let final = false;
	for (const line of text.split('\n')) {
		if (!line.startsWith('data:')) continue;
		const event = JSON.parse(line.slice(5)) as { type?: string; payload?: { content?: string; is_from_self?: boolean; is_final?: boolean } };
		if (final || event.type !== 'reply' || !event.payload || event.payload.is_from_self) continue;
		reply = chat.incremental ? reply + (event.payload.content ?? '') : event.payload.content ?? '';
		if (event.payload.is_final) final = true;
	}
	return { reply };
}

function cpuSince(start: NodeJS.CpuUsage): number {
	const used = process.cpuUsage(start);
	return (used.user + used.system) / 1000;
}

async function runMethod(method: StreamMethod, chat: LkeChatRequest): Promise<MethodRun & { reply?: string }> {
	const started = performance.now();
	const cpu = process.cpuUsage();
	if (method === 'bare') {
		const { bytes } = await bareRead(chat);
		return { ms: performance.now() - started, cpuMs: cpuSince(cpu), bytes, replyChars: 0 };
	}
	if (method === 'keep') {
		const { kept } = await decodeAndKeep(chat);
		const ms = performance.now() - started;
		return { ms, cpuMs: cpuSince(cpu), replyChars: kept.reduce((sum, text) => sum + text.length, 0) };
	}
	// A retry (a pooled socket the server closed while other methods ran) costs no backoff here, and is logged.
	const onRetry = (info: { code: string | number }) => process.stderr.write(`[bench client] node path retried after ${info.code}\n`);
	const turn = method === 'node' ? runLkeChatTurn : method === 'before' ? beforeTurn : undefined;
	const reply = turn ? (await turn(chat, { random: () => 0, onRetry })).reply : (await naiveRead(chat)).reply;
	const ms = performance.now() - started;
	return { ms, cpuMs: cpuSince(cpu), replyChars: reply.length, reply };
}

function gc(): void {
	const collect = (global as { gc?: () => void }).gc;
	if (collect) {
		collect();
		collect();
	}
}

async function streamTiming(url: string, reps: number, naiveReps: number, caseNames: string[]): Promise<Record<string, Record<StreamMethod, MethodRun[]>>> {
	const out: Record<string, Record<StreamMethod, MethodRun[]>> = {};
	const expected = new Map<string, string>();
	for (const name of caseNames) {
		out[name] = { bare: [], node: [], naive: [], before: [], keep: [] };
		expected.set(name, lkeAnswerFor(contentFor(STREAM_CASES[name])));
	}
	const all: StreamMethod[] = beforeTurn ? [...STREAM_METHODS, 'before'] : STREAM_METHODS;
	// Warm-up: JIT, the connection pools, the simulator's code paths.
	for (const method of [...all, 'keep'] as StreamMethod[]) {
		for (const warm of [STREAM_CASES.warmup, { ...STREAM_CASES.warmup, incremental: true }]) {
			await runMethod(method, chatRequest(url, contentFor(warm), warm.incremental));
		}
	}
	for (let rep = 0; rep < reps; rep++) {
		for (const name of caseNames) {
			const streamCase = STREAM_CASES[name];
			// Rotate the order so no method always runs first (or right after the heaviest one).
			const timed = rep < naiveReps ? all : all.filter((method) => method !== 'naive' && method !== 'before');
			const methods: StreamMethod[] = streamCase.incremental ? [...timed, 'keep'] : timed;
			const order = methods.map((_, k) => methods[(k + rep) % methods.length]);
			for (const method of order) {
				const chat = chatRequest(url, contentFor(streamCase), streamCase.incremental);
				gc();
				const run = await runMethod(method, chat);
				if (method !== 'bare' && method !== 'keep' && run.reply !== expected.get(name)) {
					throw new Error(`${method} ${name}: wrong reply (${run.replyChars} characters, expected ${expected.get(name)!.length})`);
				}
				delete run.reply;
				out[name][method].push(run);
			}
		}
	}
	return out;
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
	const warm = STREAM_CASES.warmup;
	if (warmUp) await runMethod(method, chatRequest(url, contentFor(warm), streamCase.incremental));
	const chat = chatRequest(url, contentFor(streamCase), streamCase.incremental);
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
	for (const method of methods) await runMethod(method, chatRequest(url, contentFor(STREAM_CASES.warmup), streamCase.incremental));
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

async function batch(url: string, questions: number, concurrency: number, latencyMs: number): Promise<BatchRun> {
	const contents = Array.from({ length: questions }, (_, index) => `question ${index} [latency:${latencyMs}]`);
	let failures = 0;
	const started = performance.now();
	const cpu = process.cpuUsage();
	const results = await mapInOrder(questions, concurrency, async (index) => {
		try {
			return await runLkeChatTurn(chatRequest(url, contents[index], false));
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
