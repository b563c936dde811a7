/**
 * Hardening, part 4 (run from hardening.test.ts): load. 200 chat turns at once in one process against the simulator
 * (two workflows run in parallel, 100 items each at Concurrency 100, every turn held 1.5 s before
 * its answer so that all 200 are in flight at once): every reply correct and in input order, no request
 * left open, no socket outside the pool, and the heap back within 10% of where it started once
 * garbage is collected. Then 100 AiSK Ask questions at once: all answered exactly, one prompt token and
 * one knowledge-base lookup shared by all of them; and 100 ADP v2 chat turns at once, every item exactly the simulator's turn. GC is reached without jest flags (v8.setFlagsFromString + a fresh context).
 * Figures: build/reliability/hardening.json.
 */
import * as v8 from 'v8';
import * as vm from 'vm';
import { packagePoolStats, type Hardening } from '../helpers/hardening';
import { sleep } from '../../testkit/time';
import type { WorkflowRunResult } from '../helpers/workflowRunner';
import { PROFILES, parametersOf } from '../../testkit/profiles';
import { lkeAnswerFor } from '../../testkit/simulator';

const TURNS = 200;
const WORKFLOWS = 2;
const CONCURRENCY = 100;
/** Each measured turn waits this long before its answer starts, so that all of them are in flight at once even on a busy machine. */
const LATENCY_MS = 1500;
const WARM_LATENCY_MS = 100;
const MEMORY_TOLERANCE = 0.1;
const ASK_QUESTIONS = 100;
const V2_TURNS = 100;

v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc') as () => void;

let h: Hardening;
const load: Record<string, number> = {};

async function collectedHeap(): Promise<number> {
	for (let i = 0; i < 4; i++) {
		gc();
		await sleep(20);
	}
	return process.memoryUsage().heapUsed;
}

function questions(round: string, workflow: number): string[] {
	const perWorkflow = TURNS / WORKFLOWS;
	const latency = round === 'warm' ? WARM_LATENCY_MS : LATENCY_MS;
	return Array.from({ length: perWorkflow }, (_, index) => `${round} w${workflow} q${index} 你好 🙂 [latency:${latency}] [think]`);
}

/** TURNS turns: WORKFLOWS workflows in parallel, CONCURRENCY items in flight in each. */
async function burst(round: string): Promise<{ elapsedMs: number; results: WorkflowRunResult[] }> {
	const started = Date.now();
	const results = await Promise.all(
		Array.from({ length: WORKFLOWS }, (_, workflow) =>
			h.run({
				kind: 'lke-chat',
				parameters: { options: { concurrency: CONCURRENCY, incremental: workflow % 2 === 1, maxRetries: 0 } },
				inputItems: questions(round, workflow).map((chatInput) => ({ chatInput })),
			}),
		),
	);
	return { elapsedMs: Date.now() - started, results };
}

function checkReplies(round: string, results: WorkflowRunResult[]): void {
	results.forEach((result, workflow) => {
		expect(result.run.status).toBe('success');
		const items = result.outputOf('Node');
		const asked = questions(round, workflow);
		expect(items).toHaveLength(asked.length);
		items.forEach((item, index) => {
			expect(item.pairedItem).toEqual({ item: index });
			expect(item.json.error).toBeUndefined();
			expect(item.json.reply).toBe(lkeAnswerFor(asked[index]));
			expect(item.json.isFinal).toBe(true);
		});
	});
}

export function loadSuite(harness: Hardening): void {
	h = harness;
	h.extra.load = load;

	it(`${TURNS} concurrent chat turns: all correct, no leak, memory back within ${MEMORY_TOLERANCE * 100}%`, async () => {
		// warm-up: loads the code, grows the pools and the JIT to their working size
		h.sim.reset();
		const warm = await burst('warm');
		checkReplies('warm', warm.results);
		await h.expectClean();
		for (const result of warm.results) h.expectNoSecrets(result);
		warm.results.length = 0;
		h.sim.reset();

		const heapBefore = await collectedHeap();
		const rssBefore = process.memoryUsage().rss;
		const opensBefore = h.sim.connectionsOpened();

		let measured: { elapsedMs: number; results: WorkflowRunResult[] } | undefined = await burst('load');
		const peakInFlight = h.sim.peakInFlight('lke');
		const requests = h.sim.requests.filter((request) => request.route === 'lke').length;
		const heapPeak = process.memoryUsage().heapUsed;
		const rssPeak = process.memoryUsage().rss;
		checkReplies('load', measured.results);
		for (const result of measured.results) h.expectNoSecrets(result);
		const elapsedMs = measured.elapsedMs;
		measured = undefined;

		await h.expectClean();
		const pool = packagePoolStats();
		const newConnections = h.sim.connectionsOpened() - opensBefore;
		// the simulator keeps every request it saw: test bookkeeping, not the package's memory
		h.sim.reset();
		const heapAfter = await collectedHeap();
		const rssAfter = process.memoryUsage().rss;

		Object.assign(load, {
			turns: TURNS,
			workflows: WORKFLOWS,
			concurrencyPerWorkflow: CONCURRENCY,
			latencyPerTurnMs: LATENCY_MS,
			elapsedMs,
			turnsPerSecond: Math.round((TURNS / elapsedMs) * 1000),
			peakInFlight,
			requests,
			newConnectionsDuringBurst: newConnections,
			idlePooledSocketsAfter: pool.connected,
			heapBeforeMB: +(heapBefore / 2 ** 20).toFixed(1),
			heapPeakMB: +(heapPeak / 2 ** 20).toFixed(1),
			heapAfterMB: +(heapAfter / 2 ** 20).toFixed(1),
			heapChangePercent: +(((heapAfter - heapBefore) / heapBefore) * 100).toFixed(2),
			rssBeforeMB: +(rssBefore / 2 ** 20).toFixed(1),
			rssPeakMB: +(rssPeak / 2 ** 20).toFixed(1),
			rssAfterMB: +(rssAfter / 2 ** 20).toFixed(1),
			unhandledRejections: h.unhandled.length,
		});
		h.record({
			group: 'load',
			node: 'lke-chat',
			case: `${TURNS} turns at once (${WORKFLOWS} workflows × ${TURNS / WORKFLOWS} items, Concurrency ${CONCURRENCY})`,
			expected: 'all answered',
			outcome: 'all answered',
			elapsedMs,
			note: `peak ${peakInFlight} in flight; heap ${load.heapBeforeMB} → ${load.heapAfterMB} MB after GC`,
		});

		expect(requests).toBe(TURNS);
		expect(peakInFlight).toBe(TURNS);
		expect(pool.connected).toBeLessThanOrEqual(TURNS);
		expect(heapAfter).toBeLessThanOrEqual(heapBefore * (1 + MEMORY_TOLERANCE));
	}, 60_000);

	it(`${V2_TURNS} ADP v2 chat turns at once: every item exactly the simulator's turn, no leak`, async () => {
		const questions = Array.from({ length: V2_TURNS }, (_, index) => `v2 q${index} 你好 🙂 [latency:${LATENCY_MS}]${index % 2 === 0 ? ' [refs]' : ' [think]'}`);
		h.sim.reset();
		const started = Date.now();
		const result = await h.run({
			kind: 'lke-chat-v2',
			parameters: { options: { concurrency: V2_TURNS, maxRetries: 0 } },
			inputItems: questions.map((chatInput) => ({ chatInput })),
		});
		const elapsedMs = Date.now() - started;
		expect(result.run.status).toBe('success');
		const items = result.outputOf('Node');
		expect(items).toHaveLength(V2_TURNS);
		items.forEach((item, index) => {
			expect(item.pairedItem).toEqual({ item: index });
			expect(PROFILES['lke-chat-v2'].checkSuccess(item.json, { question: questions[index], parameters: parametersOf('lke-chat-v2') })).toBeUndefined();
		});
		const peakInFlight = h.sim.peakInFlight('adpV2');
		const requests = h.sim.requests.filter((request) => request.route === 'adpV2').length;
		h.expectNoSecrets(result);
		await h.expectClean();
		Object.assign(load, { v2Turns: V2_TURNS, v2ElapsedMs: elapsedMs, v2PeakInFlight: peakInFlight });
		h.record({
			group: 'load',
			node: 'lke-chat-v2',
			case: `${V2_TURNS} turns at once (one workflow, Concurrency ${V2_TURNS}, half with references, half with a thought)`,
			expected: 'all answered exactly',
			outcome: `${items.filter((item) => item.json.error === undefined).length} answered`,
			elapsedMs,
			note: `peak ${peakInFlight} in flight`,
		});
		expect(requests).toBe(V2_TURNS);
		expect(peakInFlight).toBe(V2_TURNS);
	}, 60_000);

	it(`${ASK_QUESTIONS} AiSK Ask questions at once: all answered exactly, one prompt token and one init for all, no leak`, async () => {
		const questions = Array.from({ length: ASK_QUESTIONS }, (_, index) => `ask q${index} 你好 🙂 [latency:${LATENCY_MS}]`);
		h.sim.reset();
		const started = Date.now();
		const result = await h.run({ kind: 'aisk-ask', parameters: { options: { concurrency: ASK_QUESTIONS, maxRetries: 0 } }, inputItems: questions.map((chatInput) => ({ chatInput })) });
		const elapsedMs = Date.now() - started;
		expect(result.run.status).toBe('success');
		const items = result.outputOf('Node');
		expect(items).toHaveLength(ASK_QUESTIONS);
		items.forEach((item, index) => {
			expect(item.pairedItem).toEqual({ item: index });
			expect(PROFILES['aisk-ask'].checkSuccess(item.json, { question: questions[index], parameters: parametersOf('aisk-ask') })).toBeUndefined();
		});
		const counts = h.sim.aiskCounts();
		const peakInFlight = h.sim.peakInFlight('aiskStream');
		h.expectNoSecrets(result);
		await h.expectClean();
		Object.assign(load, { askQuestions: ASK_QUESTIONS, askElapsedMs: elapsedMs, askPeakInFlight: peakInFlight, askPromptTokens: counts.promptTokens, askInit: counts.init });
		h.record({
			group: 'load',
			node: 'aisk-ask',
			case: `${ASK_QUESTIONS} questions at once (one workflow, Concurrency ${ASK_QUESTIONS})`,
			expected: 'all answered, 1 prompt token, 1 init',
			outcome: `${counts.answered} answered, ${counts.promptTokens} prompt token, ${counts.init} init`,
			elapsedMs,
			note: `peak ${peakInFlight} in flight`,
		});
		expect(counts).toEqual({ promptTokens: 1, init: 1, prompts: ASK_QUESTIONS, answered: ASK_QUESTIONS });
		expect(peakInFlight).toBe(ASK_QUESTIONS);
	}, 60_000);
}
