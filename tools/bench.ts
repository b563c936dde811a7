/**
 * `npm run bench`: the stream path, memory, batching and load cost of the package, measured on
 * loopback against the vendor simulator; prints a table and rewrites BENCHMARKS.md.
 *
 *   node --expose-gc build/tools/bench.js [--reps N] [--baseline] [--skip-build] [--only stream,memory,batch,load]
 *
 * --skip-retained leaves out the forced-GC memory runs (what a turn keeps), which take minutes on a loaded machine.
 * --no-forced-gc times the stream methods without a full GC before each.
 * --skip-back-to-back leaves out the back-to-back runs (each of the bare read, the node path and the bare read
 * again alone in a process, turn after turn without forced GCs).
 * --baseline stores this run as the "before" figures that later runs compare against (kept inside
 * BENCHMARKS.md as JSON). The simulator runs in its own child process; every measurement runs in a
 * fresh child (`--expose-gc`) so a case starts from a clean heap and an empty connection pool.
 */
import { execSync, fork, spawnSync, type ChildProcess } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { performance } from 'perf_hooks';
import type { BatchRun, MemoryRun, MethodRun, ReaderMethod, RetainedMemoryRun, StreamMethod } from './bench/client';
import { NOTES_END, NOTES_START, sectionBetween } from './lib/reportSections';

const ROOT = path.resolve(__dirname, '..', '..');
let CLIENT = path.join(__dirname, 'bench', 'client.js');
const SIM_HOST = path.join(__dirname, 'bench', 'simHost.js');
const LOAD_PROBE = path.join(__dirname, 'bench', 'loadProbe.js');
const REPORT = path.join(ROOT, 'BENCHMARKS.md');
const BASELINE_START = '<!-- baseline-json';
const BASELINE_END = 'baseline-json -->';
const RESULTS_START = '<!-- results-json';
const RESULTS_END = 'results-json -->';

let STREAM_TIMING_CASES = ['cumulative-1M', 'incremental-50M', 'v2-cumulative-1M', 'v2-incremental-50M'];
/** V8 flags for the stream, memory and batch clients besides --expose-gc (--client-v8-flags): to test what the runtime does to a figure. */
let CLIENT_V8_FLAGS: string[] = [];
const READERS: ReaderMethod[] = ['reader', 'reader-nostore', 'reader-text'];
/** The naive read of the 1000-event stream would need a 650 MB body as one string (over V8's limit). */
const MEMORY_CASES: Array<[string, StreamMethod[]]> = [
	['cumulative-250k', ['bare', 'node', 'naive']],
	['cumulative-1M', ['bare', 'node', 'naive']],
	['cumulative-1M-x1000', ['bare', 'node']],
	['incremental-50M', ['bare', 'node', 'naive']],
	['v2-cumulative-1M', ['bare', 'node', 'naive']],
	['v2-incremental-50M', ['bare', 'node', 'naive']],
];
const BATCH_LATENCY_MS = 50;
const BATCH_LEVELS: Array<{ concurrency: number; questions: number }> = [
	{ concurrency: 1, questions: 200 },
	{ concurrency: 5, questions: 1000 },
	{ concurrency: 10, questions: 1000 },
	{ concurrency: 25, questions: 1000 },
];
const BATCH_QUESTIONS = 1000;

interface Args {
	reps: number;
	naiveReps: number;
	memoryReps: number;
	loadRuns: number;
	baseline: boolean;
	skipBuild: boolean;
	only: Set<string>;
	/** Another compiled tree (its build/ folder) whose client measures: to record the "before" of a change. */
	clientRoot?: string;
	/** Another compiled tree (the code before a change) measured in the same run, interleaved: stream and batch. */
	beforeRoot?: string;
	/** What code this run measured, for the report. */
	label?: string;
	/** What the --before-root tree is, for the report. */
	beforeLabel?: string;
	/** Leave out the retained-memory runs (a GC every millisecond: minutes on a loaded machine). */
	skipRetained: boolean;
	/** Time the stream methods without a full GC before each (--no-forced-gc); one method may then pay for another's garbage. */
	forcedGc: boolean;
	/** Re-render BENCHMARKS.md from the figures stored in it, measuring nothing (after changing this report). */
	renderOnly: boolean;
	/** Also time each of BACK_TO_BACK_METHODS alone in its own process, turn after turn (the stream section). */
	backToBack: boolean;
}

interface StreamFigures {
	caseName: string;
	wireBytes: number;
	bareMs: number;
	nodeMs: number;
	naiveMs: number;
	/** Median CPU time of the client process per method (the server runs in another process). */
	cpuMs: Record<MeasuredMethod, number> & { before?: number };
	runs: Record<MeasuredMethod, number[]> & { before?: number[] };
	/** The node path of the code before the change, in the same run (--before-root). */
	beforeMs?: number;
	/** Incremental cases: the stream decoded to text and kept, nothing parsed. */
	keep?: MethodSummary;
	/** Incremental cases: only the answer's pieces decoded, each once, and kept (the floor for building the answer). */
	answer?: MethodSummary;
	/** Control: the bare read finding every line end (the floor for any SSE reader of a cumulative stream). */
	scan?: MethodSummary;
	/** Control: the bare read again under another name (the same work: how precise the ratios are). */
	again?: MethodSummary;
	/** The LKE readers on their own (on the bare read's transport, into the aggregator), same repetitions. */
	readers?: Partial<Record<ReaderMethod, MethodSummary>>;
	/** V8's collections inside each timed run, per method (absent in older results). */
	gc?: Partial<Record<StreamMethod, GcRuns>>;
}

type BackToBackMethod = 'bare' | 'node' | 'again';
/** The bare read, the node path, and the bare read again in a process of its own: how far apart two processes doing the same land. */
const BACK_TO_BACK_METHODS: BackToBackMethod[] = ['bare', 'node', 'again'];
/** Untimed turns before a method's back-to-back runs: the JIT, the connection pool and V8's heap sizing settle. */
const BACK_TO_BACK_WARMUP_TURNS = 3;

/** One stream case timed back to back: each method alone in a fresh process, its turns one after another, no forced GC. */
interface BackToBackFigures {
	caseName: string;
	runs: Record<BackToBackMethod, number[]>;
	cpuMs: Record<BackToBackMethod, number[]>;
	fullGcs: Record<BackToBackMethod, number[]>;
}

/** Per repetition: the full collections that ended inside the run, and the main thread's GC pauses (ms). */
interface GcRuns {
	fullGcs: number[];
	pauseMs: number[];
}

/** One method's runs in a stream case: median time, median client CPU, every run's time. */
interface MethodSummary {
	ms: number;
	cpuMs: number;
	runs: number[];
}

type MeasuredMethod = 'bare' | 'node' | 'naive';

interface MemoryFigures {
	caseName: string;
	method: StreamMethod;
	replyChars: number;
	replyUtf8Bytes: number;
	peakHeapGrowth: number;
	peakRssGrowth: number;
	peakExternalGrowth: number;
	/** Live memory only (full GC before every sample), medians; bare, node and before. */
	retained?: RetainedFigures;
	/** The code before the change (--before-root), same run. */
	retainedBefore?: RetainedFigures;
	/** The readers on their own (node row only), same process as the bare read. */
	retainedReaders?: Partial<Record<ReaderMethod, RetainedFigures>>;
}

interface RetainedFigures {
	total: number;
	heap: number;
	external: number;
	/** Median over the repetitions of (this method's total − the bare read's in the same repetition). */
	beyondBare?: number;
}

interface BatchFigures extends BatchRun {
	/** The same level run right after with the code before the change (--before-root). */
	before?: { ms: number; efficiency: number; connectionsOpened: number; inOrder: boolean };
	/** CPU time of the simulator's process per question (includes answering the client's connects). */
	simCpuMsPerQuestion?: number;
	idealMs: number;
	efficiency: number;
	connectionsOpened: number;
	peakInFlight: number;
	scaledTo?: number;
}

interface LoadFigures {
	pre: 'n8n' | 'none';
	emptyRequireMs: number;
	packageRequireMs: number;
	emptyProcessMs: number;
	packageProcessMs: number;
	undiciLoaded: boolean;
	eventsourceParserLoaded: boolean;
	modules: number;
}

interface Results {
	date: string;
	label?: string;
	/** What the code measured as "before" in the same run was (--before-label). */
	beforeLabel?: string;
	command: string;
	node: string;
	machine: { cpu: string; cores: number; memoryGiB: number; loadAverage: number[]; platform: string };
	reps: number;
	naiveReps?: number;
	/** False when the stream methods were timed without a full GC before each (absent in older results: true). */
	forcedGc?: boolean;
	/** The stream, memory and batch clients' V8 flags besides --expose-gc (--client-v8-flags); absent when none. */
	clientV8Flags?: string[];
	stream: StreamFigures[];
	/** Absent in older results and with --skip-back-to-back. */
	backToBack?: BackToBackFigures[];
	memory: MemoryFigures[];
	batch: BatchFigures[];
	load: LoadFigures[];
}

function parseArgs(argv: string[]): Args {
	const args: Args = {
		reps: 21,
		naiveReps: 3,
		memoryReps: 3,
		loadRuns: 10,
		baseline: false,
		renderOnly: false,
		skipRetained: false,
		forcedGc: true,
		backToBack: true,
		skipBuild: false,
		only: new Set(['stream', 'memory', 'batch', 'load']),
	};
	for (let i = 0; i < argv.length; i++) {
		const arg = argv[i];
		if (arg === '--reps') args.reps = Math.max(1, Number(argv[++i]));
		else if (arg === '--naive-reps') args.naiveReps = Math.max(1, Number(argv[++i]));
		else if (arg === '--memory-reps') args.memoryReps = Math.max(1, Number(argv[++i]));
		else if (arg === '--load-runs') args.loadRuns = Math.max(1, Number(argv[++i]));
		else if (arg === '--baseline') args.baseline = true;
		else if (arg === '--skip-build') args.skipBuild = true;
		else if (arg === '--only') args.only = new Set(argv[++i].split(','));
		else if (arg === '--client-root') args.clientRoot = path.resolve(argv[++i]);
		else if (arg === '--before-root') args.beforeRoot = path.resolve(argv[++i]);
		else if (arg === '--label') args.label = argv[++i];
		else if (arg === '--before-label') args.beforeLabel = argv[++i];
		else if (arg === '--render-only') args.renderOnly = true;
		else if (arg === '--skip-retained') args.skipRetained = true;
		else if (arg === '--no-forced-gc') args.forcedGc = false;
		else if (arg === '--skip-back-to-back') args.backToBack = false;
		else if (arg === '--stream-cases') STREAM_TIMING_CASES = argv[++i].split(',');
		else if (arg === '--client-v8-flags') CLIENT_V8_FLAGS = v8FlagsOf(argv[++i] ?? '');
		else throw new Error(`unknown argument ${arg}`);
	}
	return args;
}

/** The flags of --client-v8-flags, each a `--` option: anything else would be taken as the client's script. */
function v8FlagsOf(value: string): string[] {
	const flags = value.split(/\s+/).filter((flag) => flag !== '');
	const wrong = flags.find((flag) => !flag.startsWith('--'));
	if (flags.length === 0 || wrong !== undefined) throw new Error(`--client-v8-flags takes V8 options, each starting with --, separated by spaces (got '${value}')`);
	return flags;
}

function median(values: number[]): number {
	if (values.length === 0) return NaN;
	const sorted = [...values].sort((a, b) => a - b);
	const middle = Math.floor(sorted.length / 2);
	return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

const benchStarted = performance.now();
const log = (line: string) => process.stderr.write(`[bench ${((performance.now() - benchStarted) / 1000).toFixed(0).padStart(3)} s] ${line}\n`);

/* ---------- children ---------- */

interface SimStats {
	connectionsOpened: number;
	peakInFlight: number;
	cpuMs: number;
}

interface SimHost {
	url: string;
	call(cmd: 'reset' | 'stats'): Promise<SimStats>;
	stop(): void;
}

function startSimHost(): Promise<SimHost> {
	const child = fork(SIM_HOST, [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
	let nextId = 0;
	const waiting = new Map<number, (value: SimStats) => void>();
	return new Promise((resolve, reject) => {
		child.once('error', reject);
		child.once('exit', (code) => reject(new Error(`the simulator exited (${code})`)));
		child.on('message', (message: SimStats & { url?: string; id?: number }) => {
			if (message.url) {
				resolve({
					url: message.url,
					call(cmd) {
						const id = ++nextId;
						return new Promise((done) => {
							waiting.set(id, done);
							child.send({ cmd, id });
						});
					},
					stop() {
						child.removeAllListeners('exit');
						child.disconnect();
					},
				});
			} else if (message.id !== undefined) {
				waiting.get(message.id)?.(message);
				waiting.delete(message.id);
			}
		});
	});
}

function runClient<T>(args: string[], options: { client?: string; env?: NodeJS.ProcessEnv } = {}): Promise<T> {
	return new Promise((resolve, reject) => {
		const child: ChildProcess = fork(options.client ?? CLIENT, args, {
			execArgv: ['--expose-gc', ...CLIENT_V8_FLAGS],
			stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
			env: options.env ? { ...process.env, ...options.env } : process.env,
		});
		let result: T | undefined;
		child.on('message', (message: T) => {
			result = message;
		});
		child.once('error', reject);
		child.once('exit', (code) => {
			if (code === 0 && result !== undefined) resolve(result);
			else reject(new Error(`bench client ${args.join(' ')} failed (exit ${code})`));
		});
	});
}

/* ---------- the four measurements ---------- */

async function measureStream(sim: SimHost, reps: number, naiveReps: number, beforeRoot: string | undefined, forcedGc: boolean): Promise<StreamFigures[]> {
	log(
		`stream path: ${STREAM_TIMING_CASES.join(', ')} × bare/node × ${reps} repetitions, naive${beforeRoot ? ' and the code before' : ''} in the first ${Math.min(reps, naiveReps)}`,
	);
	const figures: StreamFigures[] = [];
	// One client process per case: a case's figures must not depend on which cases ran before it in
	// the same heap (after the 50 M turns, the bare read of the cumulative stream used half the CPU).
	for (const caseName of STREAM_TIMING_CASES) {
		const raw = await runClient<Record<string, Record<StreamMethod, MethodRun[]>>>(
			['stream-timing', sim.url, String(reps), String(naiveReps), caseName],
			{ env: { ...(beforeRoot ? { BENCH_BEFORE_ROOT: beforeRoot } : {}), ...(forcedGc ? {} : { BENCH_NO_FORCED_GC: '1' }) } },
		);
		figures.push(streamFigures(caseName, raw[caseName]));
	}
	return figures;
}

async function measureBackToBack(sim: SimHost, reps: number): Promise<BackToBackFigures[]> {
	log(`back to back: ${STREAM_TIMING_CASES.join(', ')} × ${BACK_TO_BACK_METHODS.join('/')}, each alone in a process, ${reps} turns`);
	const figures: BackToBackFigures[] = [];
	for (const caseName of STREAM_TIMING_CASES) {
		const row: BackToBackFigures = { caseName, runs: { bare: [], node: [], again: [] }, cpuMs: { bare: [], node: [], again: [] }, fullGcs: { bare: [], node: [], again: [] } };
		for (const method of BACK_TO_BACK_METHODS) {
			const runs = await runClient<MethodRun[]>(['stream-steady', sim.url, String(BACK_TO_BACK_WARMUP_TURNS), String(reps), caseName, method]);
			row.runs[method] = runs.map((run) => run.ms);
			row.cpuMs[method] = runs.map((run) => run.cpuMs);
			row.fullGcs[method] = runs.map((run) => run.fullGcs ?? 0);
		}
		figures.push(row);
	}
	return figures;
}

function streamFigures(caseName: string, runs: Record<StreamMethod, MethodRun[]>): StreamFigures {
	const ms = (method: StreamMethod) => runs[method].map((run) => run.ms);
	const ran = (method: StreamMethod) => (runs[method]?.length ?? 0) > 0;
	const summary = (method: StreamMethod): MethodSummary => ({ ms: median(ms(method)), cpuMs: median(runs[method].map((run) => run.cpuMs)), runs: ms(method) });
	return {
		caseName,
		wireBytes: median(runs.bare.map((run) => run.bytes ?? 0)),
		bareMs: median(ms('bare')),
		nodeMs: median(ms('node')),
		naiveMs: median(ms('naive')),
		cpuMs: cpuOf(runs),
		runs: { bare: ms('bare'), node: ms('node'), naive: ms('naive'), ...(runs.before.length > 0 ? { before: ms('before') } : {}) },
		...(runs.before.length > 0
			? { beforeMs: median(ms('before')), cpuMs: { ...cpuOf(runs), before: median(runs.before.map((run) => run.cpuMs)) } }
			: {}),
		...(ran('keep') ? { keep: summary('keep') } : {}),
		...(ran('answer') ? { answer: summary('answer') } : {}),
		...(ran('scan') ? { scan: summary('scan') } : {}),
		...(ran('again') ? { again: summary('again') } : {}),
		readers: Object.fromEntries(READERS.filter(ran).map((method) => [method, summary(method)])),
		gc: Object.fromEntries(
			(Object.keys(runs) as StreamMethod[])
				.filter((method) => ran(method) && runs[method].every((run) => run.fullGcs !== undefined))
				.map((method) => [method, { fullGcs: runs[method].map((run) => run.fullGcs ?? 0), pauseMs: runs[method].map((run) => run.gcPauseMs ?? 0) }]),
		),
	};
}

function cpuOf(runs: Record<StreamMethod, MethodRun[]>): Record<MeasuredMethod, number> {
	const cpu = (method: MeasuredMethod) => median(runs[method].map((run) => run.cpuMs));
	return { bare: cpu('bare'), node: cpu('node'), naive: cpu('naive') };
}

/** Retained memory of the methods, taking turns in one process; `beyondBare`: median of the per-repetition differences. */
async function measureRetained(sim: SimHost, caseName: string, methods: StreamMethod[], reps: number, beforeRoot?: string): Promise<Record<string, RetainedFigures>> {
	const env = beforeRoot ? { BENCH_BEFORE_ROOT: beforeRoot } : undefined;
	const runs = await runClient<Record<string, RetainedMemoryRun[]>>(['stream-retained', sim.url, caseName, String(reps), methods.join(',')], { env });
	const out: Record<string, RetainedFigures> = {};
	for (const method of methods) {
		const own = runs[method];
		out[method] = {
			total: median(own.map((run) => run.peakRetainedGrowth)),
			heap: median(own.map((run) => run.peakRetainedHeapGrowth)),
			external: median(own.map((run) => run.peakRetainedExternalGrowth)),
			beyondBare: method === 'bare' ? undefined : median(own.map((run, rep) => run.peakRetainedGrowth - runs.bare[rep].peakRetainedGrowth)),
		};
	}
	return out;
}

async function measureMemory(sim: SimHost, reps: number, beforeRoot: string | undefined, retainedToo: boolean): Promise<MemoryFigures[]> {
	const out: MemoryFigures[] = [];
	for (const [caseName, methods] of MEMORY_CASES) {
		for (const method of methods) {
			log(`memory: ${caseName} ${method}`);
			const runs: MemoryRun[] = [];
			// The naive read's figures are huge and steady; one run of it is enough.
			const count = method === 'naive' ? 1 : reps;
			for (let rep = 0; rep < count; rep++) runs.push(await runClient<MemoryRun>(['stream-memory', sim.url, caseName, method]));
			const expected = runs.find((run) => run.replyChars > 0) ?? runs[0];
			out.push({
				caseName,
				method,
				replyChars: expected.replyChars,
				replyUtf8Bytes: expected.replyUtf8Bytes,
				peakHeapGrowth: median(runs.map((run) => run.peakHeapGrowth)),
				peakRssGrowth: median(runs.map((run) => run.peakRssGrowth)),
				peakExternalGrowth: median(runs.map((run) => run.peakExternalGrowth)),
			});
		}
		// What is kept (not the garbage awaiting collection); the bare read's is the transport's share.
		// A GC every millisecond slows a turn some 50-fold: the 660 MB stream is left out.
		if (caseName === 'cumulative-1M-x1000' || !retainedToo) continue;
		const cumulative = caseName.includes('cumulative');
		const retainedMethods: StreamMethod[] = [
			'bare',
			'node',
			...(beforeRoot && caseName.startsWith('cumulative') ? (['before'] as const) : []),
			// The store matters only where contents repeat.
			...(cumulative ? (['reader-nostore'] as const) : []),
			'reader-text',
		];
		const retainedReps = caseName === 'cumulative-250k' ? reps : cumulative ? 2 : 1;
		log(`memory: ${caseName} retained, ${retainedMethods.join('/')} × ${retainedReps} in one process`);
		const retained = await measureRetained(sim, caseName, retainedMethods, retainedReps, beforeRoot);
		for (const row of out.filter((other) => other.caseName === caseName)) {
			if (row.method === 'bare' || row.method === 'node') row.retained = retained[row.method];
			if (row.method === 'node' && retained.before) row.retainedBefore = retained.before;
			if (row.method === 'node') row.retainedReaders = Object.fromEntries(READERS.filter((method) => retained[method]).map((method) => [method, retained[method]]));
		}
	}
	// The bare read keeps no reply: give its row the reply size of the same case, for the ratios.
	for (const row of out) {
		if (row.method === 'bare') {
			const same = out.find((other) => other.caseName === row.caseName && other.method === 'node');
			if (same) Object.assign(row, { replyChars: same.replyChars, replyUtf8Bytes: same.replyUtf8Bytes });
		}
	}
	return out;
}

async function measureBatch(sim: SimHost, beforeClient: string | undefined): Promise<BatchFigures[]> {
	const out: BatchFigures[] = [];
	for (const level of BATCH_LEVELS) {
		log(`batch: ${level.questions} questions at concurrency ${level.concurrency}, ${BATCH_LATENCY_MS} ms latency`);
		const batchArgs = ['batch', sim.url, String(level.questions), String(level.concurrency), String(BATCH_LATENCY_MS)];
		const start = await sim.call('reset');
		const run = await runClient<BatchRun>(batchArgs);
		const stats = await sim.call('stats');
		const simCpuMsPerQuestion = (stats.cpuMs - start.cpuMs) / level.questions;
		let before: BatchFigures['before'];
		if (beforeClient) {
			log(`batch: the same with the code before the change`);
			await sim.call('reset');
			const old = await runClient<BatchRun>(batchArgs, { client: beforeClient });
			const oldStats = await sim.call('stats');
			before = {
				ms: old.ms,
				efficiency: (level.questions * BATCH_LATENCY_MS) / level.concurrency / old.ms,
				connectionsOpened: oldStats.connectionsOpened,
				inOrder: old.inOrder && old.failures === 0,
			};
		}
		const idealMs = (level.questions * BATCH_LATENCY_MS) / level.concurrency;
		out.push({
			...run,
			idealMs,
			efficiency: idealMs / run.ms,
			connectionsOpened: stats.connectionsOpened,
			peakInFlight: stats.peakInFlight,
			simCpuMsPerQuestion,
			before,
			scaledTo: level.questions === BATCH_QUESTIONS ? undefined : BATCH_QUESTIONS,
		});
	}
	return out;
}

function packageFiles(): string[] {
	const manifest = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { n8n: { nodes: string[]; credentials: string[] } };
	return [...manifest.n8n.credentials, ...manifest.n8n.nodes].map((file) => path.join(ROOT, file));
}

function probe(pre: 'n8n' | 'none', files: string[]): { wallMs: number; ms: number; undici: boolean; eventsourceParser: boolean; modules: number } {
	const started = performance.now();
	const result = spawnSync(process.execPath, [LOAD_PROBE, ROOT, pre, ...files], { encoding: 'utf8' });
	const wallMs = performance.now() - started;
	if (result.status !== 0) throw new Error(`load probe failed: ${result.stderr}`);
	return { wallMs, ...(JSON.parse(result.stdout.trim().split('\n').pop()!) as { ms: number; undici: boolean; eventsourceParser: boolean; modules: number }) };
}

function measureLoad(runs: number): LoadFigures[] {
	const files = packageFiles();
	const missing = files.filter((file) => !fs.existsSync(file));
	if (missing.length > 0) throw new Error(`not built: ${missing.join(', ')} (run npm run build)`);
	const emptyDir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-empty-package-'));
	const emptyFile = path.join(emptyDir, 'index.js');
	fs.writeFileSync(emptyFile, '');
	const out: LoadFigures[] = [];
	try {
		for (const pre of ['n8n', 'none'] as const) {
			log(`load cost (${pre === 'n8n' ? 'n8n-workflow pre-required' : 'nothing pre-required'}): ${runs} fresh processes each`);
			probe(pre, [emptyFile]);
			probe(pre, files);
			const empty: ReturnType<typeof probe>[] = [];
			const pkg: ReturnType<typeof probe>[] = [];
			for (let i = 0; i < runs; i++) {
				empty.push(probe(pre, [emptyFile]));
				pkg.push(probe(pre, files));
			}
			out.push({
				pre,
				emptyRequireMs: median(empty.map((run) => run.ms)),
				packageRequireMs: median(pkg.map((run) => run.ms)),
				emptyProcessMs: median(empty.map((run) => run.wallMs)),
				packageProcessMs: median(pkg.map((run) => run.wallMs)),
				undiciLoaded: pkg.some((run) => run.undici),
				eventsourceParserLoaded: pkg.some((run) => run.eventsourceParser),
				modules: median(pkg.map((run) => run.modules)),
			});
		}
	} finally {
		fs.rmSync(emptyDir, { recursive: true, force: true });
	}
	return out;
}

/* ---------- report ---------- */

const mb = (bytes: number) => `${(bytes / 1e6).toFixed(1)} MB`;
const ms0 = (ms: number) => `${ms.toFixed(0)} ms`;
const ms1 = (ms: number) => `${ms.toFixed(1)} ms`;
const ratio = (value: number) => `${value.toFixed(2)}×`;
const pct = (value: number) => `${(value * 100).toFixed(0)}%`;
const ok = (pass: boolean) => (pass ? 'yes' : '**no**');

function table(header: string[], rows: string[][]): string {
	return [`| ${header.join(' | ')} |`, `|${header.map(() => '---').join('|')}|`, ...rows.map((row) => `| ${row.join(' | ')} |`)].join('\n');
}

const CASE_LABEL: Record<string, string> = {
	'cumulative-1M': '1 M code points, cumulative (200 events)',
	'cumulative-250k': '250 k code points, cumulative (200 events)',
	'cumulative-1M-x1000': '1 M code points, cumulative (1000 events)',
	'incremental-50M': '50 M code points, incremental (200 events)',
	'v2-cumulative-1M': 'ADP v2: 1 M code points, cumulative (200 text.replace events)',
	'v2-incremental-50M': 'ADP v2: 50 M code points, incremental (200 text.delta events)',
};

/** A floor method's cell: its median, its paired ratio to the bare read, the node path's to it, its client CPU. */
function floorCell(row: StreamFigures, floor: MethodSummary | undefined): string {
	if (!floor) return '–';
	return `${ms0(floor.ms)} / ${ratio(pairedWith(floor.runs, row.runs.bare))} / ${ratio(pairedWith(row.runs.node, floor.runs))} / ${ms0(floor.cpuMs)}`;
}

function pairedWith(numerator: number[], denominator: number[]): number {
	return median(numerator.map((ms, rep) => ms / denominator[rep]));
}

function streamTable(results: Results): string {
	const withBefore = results.stream.some((row) => row.runs.before);
	const withControl = results.stream.some((row) => row.again);
	return table(
		[
			'answer',
			'bytes on the wire',
			'bare undici read',
			'node path (runLkeChatTurn)',
			'naive (text + split + JSON.parse)',
			'node ÷ bare (paired / of medians)',
			'node ÷ naive (paired / of medians)',
			'client CPU: bare / node / naive',
			'floor (incremental: decode the answer\'s pieces once; cumulative: find every line end): median / paired ÷ bare / node ÷ it (paired) / client CPU',
			'runs (ms): bare; node; naive',
			...(withControl ? ['control: the bare read again, median / paired ÷ bare / client CPU'] : []),
			...(withBefore ? ['the code before the change, same run: median / paired ÷ bare / client CPU / runs'] : []),
		],
		results.stream.map((row) => [
			CASE_LABEL[row.caseName] ?? row.caseName,
			mb(row.wireBytes),
			`${ms0(row.bareMs)} (${((row.wireBytes / 1e6) / (row.bareMs / 1000)).toFixed(0)} MB/s)`,
			ms0(row.nodeMs),
			ms0(row.naiveMs),
			`${ratio(streamRatios(row).bare)} / ${ratio(row.nodeMs / row.bareMs)}`,
			`${ratio(streamRatios(row).naive)} / ${ratio(row.nodeMs / row.naiveMs)}`,
			row.cpuMs ? `${ms0(row.cpuMs.bare)} / ${ms0(row.cpuMs.node)} / ${ms0(row.cpuMs.naive)}` : 'not measured',
			floorCell(row, row.answer ?? row.keep ?? row.scan),
			(['bare', 'node', 'naive'] as const).map((method) => row.runs[method].map((value) => value.toFixed(0)).join(', ')).join('; '),
			...(withControl ? [row.again ? `${ms0(row.again.ms)} / ${ratio(pairedWith(row.again.runs, row.runs.bare))} / ${ms0(row.again.cpuMs)}` : '–'] : []),
			...(withBefore
				? [
						row.runs.before
							? `${ms0(row.beforeMs ?? NaN)} / ${ratio(pairedWith(row.runs.before, row.runs.bare))} / ${ms0(row.cpuMs.before ?? NaN)} / ${row.runs.before.map((value) => value.toFixed(0)).join(', ')}`
							: '–',
					]
				: []),
		]),
	);
}

/** For one method: in how many repetitions a full collection fell inside the run, full collections per run and GC pause per run (medians). */
function gcCell(runs: GcRuns | undefined): string {
	if (!runs) return '–';
	const withFull = runs.fullGcs.filter((count) => count > 0).length;
	return `${withFull} of ${runs.fullGcs.length} / ${median(runs.fullGcs)} / ${ms0(median(runs.pauseMs))}`;
}

/** The node path against the bare read over the repetitions in which neither run had a full collection. */
function pairedWithoutFullGc(row: StreamFigures): string {
	const bare = row.gc?.bare;
	const node = row.gc?.node;
	if (!bare || !node) return '–';
	const reps = row.runs.node.map((_, rep) => rep).filter((rep) => bare.fullGcs[rep] === 0 && node.fullGcs[rep] === 0);
	if (reps.length === 0) return 'no such repetition';
	return `${ratio(pairedWith(reps.map((rep) => row.runs.node[rep]), reps.map((rep) => row.runs.bare[rep])))} (${reps.length} ${reps.length === 1 ? 'repetition' : 'repetitions'})`;
}

function gcTable(results: Results): string {
	const rows = results.stream.filter((row) => row.gc && Object.keys(row.gc).length > 0);
	const cell = 'turns with a full collection / full collections per turn / GC pause per turn';
	return table(
		['answer', `bare read: ${cell}`, `the bare read again: ${cell}`, `node path: ${cell}`, `floor: ${cell}`, 'node ÷ bare (paired) where neither turn had a full collection'],
		rows.map((row) => [
			CASE_LABEL[row.caseName] ?? row.caseName,
			gcCell(row.gc?.bare),
			gcCell(row.gc?.again),
			gcCell(row.gc?.node),
			gcCell(row.gc?.answer ?? row.gc?.keep ?? row.gc?.scan),
			pairedWithoutFullGc(row),
		]),
	);
}

/** Back to back, of medians: the node path against the bare read, and the bare read again (another process) against it. */
function backToBackRatios(row: BackToBackFigures): { node: number; again: number } {
	const bare = median(row.runs.bare);
	return { node: median(row.runs.node) / bare, again: median(row.runs.again) / bare };
}

function backToBackTable(results: Results): string {
	const rows = results.backToBack ?? [];
	const cell = (row: BackToBackFigures, method: BackToBackMethod) =>
		`${ms0(median(row.runs[method]))} / ${ms0(median(row.cpuMs[method]))} / ${row.fullGcs[method].filter((count) => count > 0).length} of ${row.fullGcs[method].length}`;
	const columns = 'median / client CPU / turns with a full collection';
	return table(
		['answer', `bare read: ${columns}`, `node path: ${columns}`, `the bare read again (its own process): ${columns}`, 'node ÷ bare (of medians)', 'the bare read again ÷ the bare read (of medians)'],
		rows.map((row) => [
			CASE_LABEL[row.caseName] ?? row.caseName,
			cell(row, 'bare'),
			cell(row, 'node'),
			cell(row, 'again'),
			ratio(backToBackRatios(row).node),
			ratio(backToBackRatios(row).again),
		]),
	);
}

const READER_LABEL: Record<ReaderMethod, string> = {
	reader: 'production reader (bytes + previous-content store)',
	'reader-nostore': 'production reader, store not handed to the SSE parser',
	'reader-text': 'text-level reader (TextDecoder + eventsource-parser)',
};

/** The readers measured side by side: time against the bare read, and what they keep. */
function readersTable(results: Results): string {
	const rows = results.stream.filter((row) => row.readers && Object.keys(row.readers).length > 0);
	return table(
		[
			'answer',
			...READERS.map((method) => `${READER_LABEL[method]}: median / paired ÷ bare / client CPU`),
			'node path (for reference): paired ÷ bare',
			`kept beyond the bare read ÷ reply: node path / ${READERS.filter((method) => method !== 'reader').map((method) => READER_LABEL[method]).join(' / ')}`,
		],
		rows.map((row) => {
			const memory = results.memory.find((other) => other.caseName === row.caseName && other.method === 'node');
			const kept = (figures: RetainedFigures | undefined) => (memory && figures ? ratio(keptRatio(memory, figures)) : '–');
			return [
				CASE_LABEL[row.caseName] ?? row.caseName,
				...READERS.map((method) => {
					const figures = row.readers?.[method];
					return figures ? `${ms0(figures.ms)} / ${ratio(pairedWith(figures.runs, row.runs.bare))} / ${ms0(figures.cpuMs)}` : '–';
				}),
				ratio(streamRatios(row).bare),
				[kept(memory?.retained), ...READERS.filter((method) => method !== 'reader').map((method) => kept(memory?.retainedReaders?.[method]))].join(' / '),
			];
		}),
	);
}

/** Whether the text-level reader meets the stream and memory targets on every case measured. */
function textReaderVerdict(results: Results): { meets: boolean; why: string[] } | undefined {
	const timed = results.stream.filter((row) => row.readers?.['reader-text']);
	if (timed.length === 0) return undefined;
	const why: string[] = [];
	for (const row of timed) {
		const paired = pairedWith(row.readers!['reader-text']!.runs, row.runs.bare);
		if (paired > 1.3) why.push(`${row.caseName}: ${ratio(paired)} the bare read (over 1.3×)`);
	}
	for (const row of results.memory.filter((other) => other.method === 'node' && other.retainedReaders?.['reader-text'])) {
		const kept = keptRatio(row, row.retainedReaders!['reader-text']!);
		if (kept > 4) why.push(`${row.caseName}: keeps ${ratio(kept)} the reply beyond the bare read (over 4×)`);
	}
	return { meets: why.length === 0, why };
}

function memoryTable(results: Results): string {
	return table(
		['answer', 'method', 'final reply (UTF-8 / UTF-16 in memory)', 'peak heap growth', 'peak RSS growth', 'peak external growth', 'heap ÷ reply (UTF-8)', 'RSS ÷ reply (UTF-8)', '(RSS − bare read\'s) ÷ reply'],
		results.memory.map((row) => [
			CASE_LABEL[row.caseName] ?? row.caseName,
			row.method,
			`${mb(row.replyUtf8Bytes)} / ${mb(row.replyChars * 2)}`,
			mb(row.peakHeapGrowth),
			mb(row.peakRssGrowth),
			mb(row.peakExternalGrowth),
			ratio(row.peakHeapGrowth / row.replyUtf8Bytes),
			ratio(row.peakRssGrowth / row.replyUtf8Bytes),
			row.method === 'bare' ? '' : rssBeyondBare(results, row),
		]),
	);
}

function retainedTable(results: Results): string {
	const withBefore = results.memory.some((row) => row.retainedBefore);
	const rows = results.memory.filter((row) => row.retained);
	return table(
		[
			'answer',
			'method',
			'final reply (UTF-8)',
			'retained peak: heap + external (heap / external)',
			'÷ reply',
			'beyond the bare read\'s',
			'beyond the bare read\'s ÷ reply',
			...(withBefore ? ['the code before the change, same run: retained / beyond the bare read\'s ÷ reply'] : []),
		],
		rows.map((row) => {
			const r = row.retained!;
			const before = row.retainedBefore;
			return [
				CASE_LABEL[row.caseName] ?? row.caseName,
				row.method,
				mb(row.replyUtf8Bytes),
				`${mb(r.total)} (${mb(r.heap)} / ${mb(r.external)})`,
				ratio(r.total / row.replyUtf8Bytes),
				r.beyondBare === undefined ? '' : mb(r.beyondBare),
				r.beyondBare === undefined ? '' : ratio(keptRatio(row, r)),
				...(withBefore ? [before ? `${mb(before.total)} / ${ratio(keptRatio(row, before))}` : ''] : []),
			];
		}),
	);
}

/** The judged memory figure: kept beyond the bare read of the same repetition, per byte of the reply (UTF-8). */
function keptRatio(row: MemoryFigures, figures: RetainedFigures): number {
	return Math.max(0, figures.beyondBare ?? 0) / row.replyUtf8Bytes;
}

function batchTable(results: Results): string {
	const withBefore = results.batch.some((row) => row.before);
	return table(
		[
			'concurrency',
			'questions',
			'measured',
			'ideal (questions × 50 ms ÷ concurrency)',
			'of ideal',
			'TCP connections opened',
			'peak in flight',
			'output order = input order',
			'CPU per question: client / simulator',
			...(withBefore ? ['the code before the change, run right after: of ideal / connections / in order'] : []),
		],
		results.batch.map((row) => [
			String(row.concurrency),
			row.scaledTo ? `${row.questions} (scaled to ${row.scaledTo}: ${ms0((row.ms * row.scaledTo) / row.questions)})` : String(row.questions),
			ms0(row.ms),
			ms0(row.idealMs),
			pct(row.efficiency),
			String(row.connectionsOpened),
			String(row.peakInFlight),
			row.inOrder && row.failures === 0 ? 'yes' : `**no** (${row.failures} failures)`,
			row.cpuMsPerQuestion === undefined ? '–' : `${row.cpuMsPerQuestion.toFixed(2)} ms / ${(row.simCpuMsPerQuestion ?? NaN).toFixed(2)} ms`,
			...(withBefore ? [row.before ? `${pct(row.before.efficiency)} / ${row.before.connectionsOpened} / ${row.before.inOrder ? 'yes' : '**no**'}` : '–'] : []),
		]),
	);
}

function loadTable(results: Results): string {
	return table(
		['pre-required', 'empty package: require / whole process', 'this package: require / whole process', 'load cost (require)', 'load cost (whole process)', 'modules loaded', 'undici loaded', 'eventsource-parser loaded'],
		results.load.map((row) => [
			row.pre === 'n8n' ? 'n8n-workflow (as in n8n)' : 'nothing',
			`${ms1(row.emptyRequireMs)} / ${ms1(row.emptyProcessMs)}`,
			`${ms1(row.packageRequireMs)} / ${ms1(row.packageProcessMs)}`,
			ms1(row.packageRequireMs - row.emptyRequireMs),
			ms1(row.packageProcessMs - row.emptyProcessMs),
			String(row.modules),
			row.undiciLoaded ? 'yes' : 'no',
			row.eventsourceParserLoaded ? 'yes' : 'no',
		]),
	);
}

interface Verdicts {
	stream?: boolean;
	memory?: boolean;
	batch?: boolean;
	load?: boolean;
}

function verdicts(results: Results): Verdicts {
	const v: Verdicts = {};
	if (results.stream.length > 0) v.stream = results.stream.every((row) => streamRatios(row).judged <= 1.3 && streamRatios(row).naive <= 1);
	const nodeMemory = results.memory.filter((row) => row.method === 'node' && row.retained);
	if (nodeMemory.length > 0) v.memory = nodeMemory.every((row) => keptRatio(row, row.retained!) <= 4);
	const ten = results.batch.find((row) => row.concurrency === 10);
	// Connections reused: far fewer than questions (at most one in ten).
	if (ten) v.batch = ten.efficiency >= 0.85 && results.batch.every((row) => row.inOrder && row.failures === 0 && row.connectionsOpened * 10 <= row.questions);
	const n8n = results.load.find((row) => row.pre === 'n8n');
	if (n8n) v.load = n8n.packageRequireMs - n8n.emptyRequireMs <= 25 && !n8n.undiciLoaded;
	return v;
}

/** The ratios judged: per-repetition (paired) medians when recorded, else ratios of the medians. */
/**
 * The node path against the bare read and the naive read (paired medians). `judged`: the larger of the node path
 * against the bare read and against the bare read again (the control), so a run where the bare read happened to be
 * slow does not pass on that.
 */
function streamRatios(row: StreamFigures): { bare: number; naive: number; again?: number; judged: number } {
	// The naive read runs in the first repetitions only: pair those.
	const paired = (other: number[]) => (other.length > 0 ? median(other.map((ms, rep) => row.runs.node[rep] / ms)) : undefined);
	const bare = paired(row.runs.bare) ?? row.nodeMs / row.bareMs;
	const again = row.again ? paired(row.again.runs) : undefined;
	return { bare, naive: paired(row.runs.naive) ?? row.nodeMs / row.naiveMs, again, judged: Math.max(bare, again ?? bare) };
}

/** RSS growth of the bare read of the same stream: socket buffers awaiting GC, there whatever the reader. */
function bareRss(results: Results, caseName: string): number | undefined {
	return results.memory.find((row) => row.caseName === caseName && row.method === 'bare')?.peakRssGrowth;
}

function rssBeyondBare(results: Results, row: MemoryFigures): string {
	const added = row.peakRssGrowth - (bareRss(results, row.caseName) ?? 0);
	return added <= 0 ? `≤ 0 (${mb(added)})` : `${ratio(added / row.replyUtf8Bytes)} (${mb(added)})`;
}



function summaryTable(results: Results): string {
	const v = verdicts(results);
	const rows: string[][] = [];
	if (v.stream !== undefined) {
		rows.push([
			'stream path ≤ 1.3× bare read, never slower than naive',
			results.stream
				.map((row) => {
					const judged = streamRatios(row);
					const pass = judged.judged <= 1.3 && judged.naive <= 1;
					const answer = row.answer
						? `; decoding the answer's pieces once (the floor): ${ratio(pairedWith(row.answer.runs, row.runs.bare))} the bare read, the node path ${ratio(pairedWith(row.runs.node, row.answer.runs))} of it`
						: '';
					const floor = row.keep
						? `${answer}; decoding and keeping the whole stream: ${ratio(pairedWith(row.keep.runs, row.runs.bare))} the bare read`
						: row.scan
							? `; finding every line end alone: ${ratio(pairedWith(row.scan.runs, row.runs.bare))} the bare read`
							: '';
					const control = row.again ? `; the bare read again (control): ${ratio(pairedWith(row.again.runs, row.runs.bare))}` : '';
					const steady = results.backToBack?.find((other) => other.caseName === row.caseName);
					const backToBack = steady
						? `; back to back, for information: ${ratio(backToBackRatios(steady).node)} the bare read (the bare read again: ${ratio(backToBackRatios(steady).again)})`
						: '';
					const both = judged.again === undefined ? '' : ` (the larger of ${ratio(judged.bare)} against the bare read and ${ratio(judged.again)} against the bare read again)`;
					return `${row.caseName}: ${ratio(judged.judged)} the bare read${both}, ${ratio(judged.naive)} the naive (paired medians)${pass ? ' (met)' : ' (**not met**)'}${floor}${control}${backToBack}`;
				})
				.join('; '),
			ok(v.stream),
		]);
	}
	if (v.memory !== undefined) {
		const rowsOf = results.memory.filter((row) => row.method === 'node');
		rows.push([
			'peak memory growth ≤ 4× final reply (UTF-8 bytes), whatever the stream\'s bytes: judged on what the turn keeps (heap + buffers, a full GC before every sample) beyond what the bare read of the same stream keeps; the sampled heap without forced GCs (which includes garbage) for information',
			rowsOf
				.map((row) => {
					const judged = row.retained ? keptRatio(row, row.retained) : undefined;
					const verdict = judged === undefined ? '' : judged <= 4 ? ' (met)' : ' (**not met**)';
					return `${row.caseName}: kept ${judged === undefined ? 'not measured' : ratio(judged)}${row.retained ? ` (${mb(row.retained.total)} in all)` : ''}, sampled heap ${ratio(row.peakHeapGrowth / row.replyUtf8Bytes)}${verdict}`;
				})
				.join('; '),
			ok(v.memory),
		]);
	}
	if (v.batch !== undefined) {
		const ten = results.batch.find((row) => row.concurrency === 10)!;
		rows.push([
			'batch at concurrency 10 ≥ 85% of ideal, in order, connections reused',
			`${pct(ten.efficiency)} of ideal, ${ten.connectionsOpened} connections for ${ten.questions} questions`,
			ok(v.batch),
		]);
	}
	if (v.load !== undefined) {
		const n8n = results.load.find((row) => row.pre === 'n8n')!;
		rows.push([
			'load cost ≤ 25 ms over an empty package (n8n-workflow pre-required), no undici',
			`${ms1(n8n.packageRequireMs - n8n.emptyRequireMs)} (require time; whole process ${ms1(n8n.packageProcessMs - n8n.emptyProcessMs)}, within its noise); undici ${n8n.undiciLoaded ? 'loaded' : 'not loaded'}`,
			ok(v.load),
		]);
	}
	return table(['target', 'measured', 'met'], rows);
}

function hasSameRunBefore(results: Results): boolean {
	return results.stream.some((row) => row.runs.before) || results.batch.some((row) => row.before);
}

/** Same-run figures (--before-root) where there are some, else the stored baseline's. */
function beforeAfterTable(stored: Results | undefined, after: Results): string {
	const before: Results = stored ?? { ...after, stream: [], memory: [], batch: [], load: [] };
	const rows: string[][] = [];
	for (const now of after.stream) {
		if (now.runs.before && now.beforeMs !== undefined) {
			// Measured in the same run, interleaved: the fair comparison on a busy machine.
			const beforeBare = pairedWith(now.runs.before, now.runs.bare);
			const nowBare = pairedWith(now.runs.node.slice(0, now.runs.before.length), now.runs.bare);
			rows.push([`${now.caseName}: node path (same run)`, ms0(now.beforeMs), ms0(median(now.runs.node.slice(0, now.runs.before.length))), `${ratio(beforeBare / nowBare)} faster`]);
			rows.push([`${now.caseName}: ÷ bare read (same run, paired)`, ratio(beforeBare), ratio(nowBare), '']);
			rows.push([`${now.caseName}: ÷ naive (same run, paired)`, ratio(pairedWith(now.runs.before, now.runs.naive)), ratio(streamRatios(now).naive), '']);
			rows.push([`${now.caseName}: client CPU (same run)`, ms0(now.cpuMs.before ?? NaN), ms0(now.cpuMs.node), `bare read: ${ms0(now.cpuMs.bare)}`]);
			continue;
		}
		const then = before.stream.find((row) => row.caseName === now.caseName);
		if (!then) continue;
		rows.push([`${now.caseName}: node path`, ms0(then.nodeMs), ms0(now.nodeMs), ratio(then.nodeMs / now.nodeMs) + ' faster']);
		rows.push([`${now.caseName}: node ÷ bare read (paired)`, ratio(streamRatios(then).bare), ratio(streamRatios(now).bare), '']);
		rows.push([`${now.caseName}: node ÷ naive (paired)`, ratio(streamRatios(then).naive), ratio(streamRatios(now).naive), '']);
		if (then.cpuMs && now.cpuMs) rows.push([`${now.caseName}: client CPU of the node path`, ms0(then.cpuMs.node), ms0(now.cpuMs.node), `bare read: ${ms0(now.cpuMs.bare)}`]);
	}
	for (const now of after.memory.filter((row) => row.method === 'node')) {
		const then = before.memory.find((row) => row.caseName === now.caseName && row.method === 'node');
		if (!then) continue;
		rows.push([`${now.caseName}: peak heap growth`, `${mb(then.peakHeapGrowth)} (${ratio(then.peakHeapGrowth / then.replyUtf8Bytes)})`, `${mb(now.peakHeapGrowth)} (${ratio(now.peakHeapGrowth / now.replyUtf8Bytes)})`, '']);
		rows.push([`${now.caseName}: peak RSS growth`, `${mb(then.peakRssGrowth)} (${ratio(then.peakRssGrowth / then.replyUtf8Bytes)})`, `${mb(now.peakRssGrowth)} (${ratio(now.peakRssGrowth / now.replyUtf8Bytes)})`, '']);
	}
	for (const now of after.memory.filter((row) => row.method === 'node' && row.retained && row.retainedBefore)) {
		const kept = (figures: RetainedFigures) => `${mb(figures.beyondBare ?? 0)} (${ratio(keptRatio(now, figures))})`;
		rows.push([`${now.caseName}: retained beyond the bare read (same run)`, kept(now.retainedBefore!), kept(now.retained!), '']);
	}
	for (const now of after.batch) {
		if (now.before) {
			rows.push([
				`batch concurrency ${now.concurrency}: of ideal / connections (same run, one after the other)`,
				`${pct(now.before.efficiency)} / ${now.before.connectionsOpened}`,
				`${pct(now.efficiency)} / ${now.connectionsOpened}`,
				'',
			]);
			continue;
		}
		const then = before.batch.find((row) => row.concurrency === now.concurrency);
		if (!then) continue;
		rows.push([`batch concurrency ${now.concurrency}: of ideal / connections`, `${pct(then.efficiency)} / ${then.connectionsOpened}`, `${pct(now.efficiency)} / ${now.connectionsOpened}`, '']);
	}
	for (const now of after.load) {
		const then = before.load.find((row) => row.pre === now.pre);
		if (!then) continue;
		rows.push([
			`load cost, ${now.pre === 'n8n' ? 'n8n-workflow pre-required' : 'nothing pre-required'} (require / whole process)`,
			`${ms1(then.packageRequireMs - then.emptyRequireMs)} / ${ms1(then.packageProcessMs - then.emptyProcessMs)}`,
			`${ms1(now.packageRequireMs - now.emptyRequireMs)} / ${ms1(now.packageProcessMs - now.emptyProcessMs)}`,
			'',
		]);
	}
	return table(['figure', 'before the change', 'after', ''], rows);
}

function machineLine(results: Results): string {
	const m = results.machine;
	return `${m.cpu}, ${m.cores} cores, ${m.memoryGiB.toFixed(1)} GiB memory, ${m.platform}; load average at start ${m.loadAverage.map((value) => value.toFixed(2)).join(' / ')}`;
}

function figuresMarkdown(results: Results, level: string): string {
	const parts: string[] = [];
	if (results.stream.length > 0) {
		parts.push(
			`${level} 1. Stream path (one chat turn; medians of ${results.reps} repetitions${results.naiveReps ? `, the naive read in the first ${results.naiveReps}` : ''}; ${results.forcedGc === false ? 'no forced GC between the methods' : 'a full GC before each method'}${results.stream.some((row) => row.again) ? ', in a random order per repetition, with the controls' : ''}; "paired": the median of the per-repetition ratios, each repetition running the methods back to back)`,
			'',
			streamTable(results),
			'',
		);
		if (results.backToBack && results.backToBack.length > 0) {
			parts.push(
				`${level}# Back to back (each method alone in a fresh process: ${BACK_TO_BACK_WARMUP_TURNS} untimed turns, then ${results.reps} timed ones one after another, no forced GC, as a batch of identical questions runs; each method pays for its own garbage. Ratios of the medians of processes run one after another, so less precise than the paired ratios above: the bare read again in a process of its own shows how much less)`,
				'',
				backToBackTable(results),
				'',
			);
		}
		if (results.stream.some((row) => row.gc && Object.keys(row.gc).length > 0)) {
			parts.push(
				`${level}# V8's collections inside the timed turns (same runs; perf_hooks 'gc' entries that ended inside each run). A full (mark-compact) collection costs a turn tens of milliseconds of pause and more on V8's helper threads; V8 starts one when the heap's state calls for it, so whether it falls inside a run depends on what ran before as much as on the method. Floor: as in the table above`,
				'',
				gcTable(results),
				'',
			);
		}
		if (results.stream.some((row) => row.readers && Object.keys(row.readers).length > 0)) {
			const verdict = textReaderVerdict(results);
			parts.push(
				`${level}# The LKE readers compared (same processes and repetitions as above): each reads the same undici response as the bare read and feeds the version's aggregator, so they differ only in the reader; memory from the retained-memory runs of section 2`,
				'',
				readersTable(results),
				'',
				verdict
					? `Text-level reader against the targets (≤ 1.3× the bare read on every case, keeps ≤ 4× the reply): ${verdict.meets ? 'met' : `**not met**: ${verdict.why.join('; ')}`}.`
					: '',
				'',
			);
		}
	}
	if (results.memory.length > 0) {
		parts.push(`${level} 2. Memory (one turn per fresh process, gc() before, \`process.memoryUsage()\` every 2 ms; the median of the runs \`--memory-reps\` asks for (3 unless the command says otherwise), the naive read once)`, '', memoryTable(results), '');
		if (results.memory.some((row) => row.retained)) {
			parts.push(
				`${level}# What a turn keeps (the judged figure): the same turns, with a full \`gc()\` before every sample (every 1 ms), so only live memory counts: heap plus buffers outside it (network chunks). The methods take turns in one process (3 repetitions for the 250 k answer, 2 for the 1 M ones, 1 for the incremental ones: a GC every millisecond slows a turn some 50-fold); 'beyond the bare read' is the median of the per-repetition differences`,
				'',
				retainedTable(results),
				'',
			);
		}
	}
	if (results.batch.length > 0) {
		parts.push(`${level} 3. Batch (\`mapInOrder\` + \`runLkeChatTurn\`, [latency:${BATCH_LATENCY_MS}] per question, one fresh process per level)`, '', batchTable(results), '');
	}
	if (results.load.length > 0) {
		parts.push(`${level} 4. Load cost (fresh Node process each, medians)`, '', loadTable(results), '');
	}
	return parts.join('\n');
}

function readExisting(): { baseline?: Results; notes?: string; results?: Results } {
	if (!fs.existsSync(REPORT)) return {};
	const text = fs.readFileSync(REPORT, 'utf8');
	const stored = (start: string, end: string, what: string): Results | undefined => {
		const json = sectionBetween(text, start, end);
		if (json === undefined) return undefined;
		try {
			return JSON.parse(json) as Results;
		} catch {
			log(`${what} stored in BENCHMARKS.md is unreadable; ignored`);
			return undefined;
		}
	};
	return {
		results: stored(RESULTS_START, RESULTS_END, 'the figures'),
		baseline: stored(BASELINE_START, BASELINE_END, 'the baseline'),
		notes: sectionBetween(text, NOTES_START, NOTES_END)?.trim(),
	};
}

function writeReport(results: Results, baseline: Results | undefined, notes: string | undefined): void {
	const lines = [
		'# Benchmarks',
		'',
		'Written by `npm run bench` (`npm run build:tools && node --expose-gc build/tools/bench.js`); do not edit the figures by hand.',
		'',
		`- Run: ${results.date}, \`${results.command}\` (measured: ${results.label ?? 'this working tree'})`,
		`- Node ${results.node}; ${machineLine(results)}`,
		'- Setup: loopback HTTP against the vendor simulator (`testkit/simulator`) running in its own child process, so client and',
		'  server each get a core instead of sharing one event loop. Every measurement runs in a fresh child process started with',
		`  \`--expose-gc\`${results.clientV8Flags ? ` and, in this run, the V8 flags \`${results.clientV8Flags.join(' ')}\` (not the load probe)` : ''}; each stream case has its own process, where the methods run side by side, interleaved in a random order,`,
		'  after a warm-up. The simulator encodes a long incremental answer piece by piece as it sends it (v1 and v2 alike), as a',
		'  service sends what it has generated so far.',
		'- "bare undici read": `undici.request()` reading the same response and discarding the bytes (the limit). "naive": the whole',
		'  body as text, split into lines, `JSON.parse` of every data line. "node path": `runLkeChatTurn` (the node\'s transport,',
		'  SSE reader and aggregator); its reply is checked against the simulator\'s answer on every run. Two floors for the',
		'  incremental cases: "decode and keep the text", the whole body decoded to strings and kept, nothing parsed; and',
		'  "decode the answer\'s pieces once" (the floor in the tables), every line end found and only the events that carry',
		'  the answer\'s pieces decoded, each piece once (ICU\'s transcoder), nothing parsed as JSON, the final events that',
		'  repeat the answer not looked at: the least any reader that returns the answer as text must do. Two controls are',
		'  timed with them: "find every line end" (the bare read plus one look at every byte for the line ends, memchr: the',
		'  least any SSE reader must do) and "the bare read again" (the same work as the bare read under another name: its',
		'  ratio to the bare read shows how precise the ratios of that run are). The methods run in a random order in every',
		'  repetition.',
		'- ADP v2 cases: the same client with API version v2 (`buildAdpV2ChatRequest`, `/adp/v2/chat`); Incremental off sends',
		'  `text.replace` events that repeat the whole text so far (cumulative, like v1), Incremental on sends `text.delta` events.',
		'- Readers: the production LKE reader (byte-level SSE, previous-content store, fast event reader), the same with its store',
		'  not handed to the SSE parser, and a text-level reader (TextDecoder in stream mode, eventsource-parser, and for a long',
		'  cumulative text only the part after the previous text\'s JSON parsed), each on the bare read\'s transport.',
		'- The machine is shared with other work: wall-clock figures swing by tens of percent from run to run (see the Notes).',
		'',
		'## Targets',
		'',
		summaryTable(results),
		'',
		'## Figures',
		'',
		figuresMarkdown(results, '###'),
	];
	const storedBefore = baseline && baseline.date !== results.date ? baseline : undefined;
	if (storedBefore || hasSameRunBefore(results)) {
		// Measured in the same run, the code before is compared with that alone, not with an older stored run.
		const sameRun = hasSameRunBefore(results);
		lines.push(
			sameRun ? `## Before → after (same run; before: ${results.beforeLabel ?? 'the code before the change'})` : '## Before → after',
			'',
			beforeAfterTable(sameRun ? undefined : storedBefore, results),
			'',
		);
	}
	if (storedBefore) {
		lines.push(
			`## Before optimisation (${storedBefore.date}, measured: ${storedBefore.label ?? 'the working tree then'}; Node ${storedBefore.node}; ${machineLine(storedBefore)})`,
			'',
			figuresMarkdown(storedBefore, '###'),
		);
	}
	lines.push('## Notes', '', NOTES_START, notes ?? '', NOTES_END, '');
	if (baseline) lines.push(`${BASELINE_START}\n${JSON.stringify(baseline)}\n${BASELINE_END}`, '');
	lines.push(`${RESULTS_START}\n${JSON.stringify(results)}\n${RESULTS_END}`, '');
	fs.writeFileSync(REPORT, lines.join('\n'));
}

async function main(): Promise<void> {
	const args = parseArgs(process.argv.slice(2));
	const started = performance.now();
	if (args.renderOnly) {
		const existing = readExisting();
		if (!existing.results) throw new Error('BENCHMARKS.md holds no stored figures to render');
		writeReport(existing.results, existing.baseline, existing.notes);
		log('BENCHMARKS.md re-rendered from its stored figures');
		return;
	}
	let beforeClient: string | undefined;
	if (args.beforeRoot) {
		// The other tree's own measuring client for the batch (it loads that tree's modules from where
		// that tree keeps them); the stream and memory clients load its turn themselves.
		beforeClient = [path.join(args.beforeRoot, 'tools', 'bench', 'client.js'), path.join(args.beforeRoot, 'scripts', 'bench', 'client.js')].find((file) => fs.existsSync(file));
		if (!beforeClient) throw new Error(`no compiled bench client in ${args.beforeRoot} (tools/bench/client.js or scripts/bench/client.js)`);
		log(`also measuring, interleaved, the package code compiled in ${args.beforeRoot}`);
	}
	if (args.clientRoot) {
		// The measuring client of this tree, run against the other tree's compiled package code.
		const target = path.join(args.clientRoot, 'tools', 'bench', 'client.js');
		fs.mkdirSync(path.dirname(target), { recursive: true });
		fs.copyFileSync(CLIENT, target);
		CLIENT = target;
		log(`measuring with the package code compiled in ${args.clientRoot}`);
	}
	if (!args.skipBuild && args.only.has('load')) {
		log('npm run build (the load-cost figures use dist/)');
		try {
			execSync('npm run build', { cwd: ROOT, stdio: ['ignore', 'ignore', 'inherit'] });
		} catch {
			log('npm run build failed; measuring the dist/ that is there');
		}
	}
	const cpus = os.cpus();
	const results: Results = {
		date: new Date().toISOString(),
		label: args.label ?? (args.clientRoot ? `package code compiled in ${args.clientRoot}` : 'this working tree'),
		beforeLabel: args.beforeRoot ? (args.beforeLabel ?? `package code compiled in ${args.beforeRoot}`) : undefined,
		command: `node --expose-gc build/tools/bench.js ${process.argv
			.slice(2)
			.map((arg) => (/\s/.test(arg) ? `'${arg}'` : arg))
			.join(' ')}`.trim(),
		node: process.version,
		machine: {
			cpu: cpus[0]?.model ?? 'unknown',
			cores: cpus.length,
			memoryGiB: os.totalmem() / 2 ** 30,
			loadAverage: os.loadavg(),
			platform: `${os.type()} ${os.release()} ${os.arch()}`,
		},
		reps: args.reps,
		naiveReps: Math.min(args.reps, args.naiveReps),
		forcedGc: args.forcedGc,
		clientV8Flags: CLIENT_V8_FLAGS.length > 0 ? CLIENT_V8_FLAGS : undefined,
		stream: [],
		memory: [],
		batch: [],
		load: [],
	};
	const sim = await startSimHost();
	try {
		if (args.only.has('stream')) results.stream = await measureStream(sim, args.reps, args.naiveReps, args.beforeRoot, args.forcedGc);
		if (args.only.has('stream') && args.backToBack) results.backToBack = await measureBackToBack(sim, args.reps);
		if (args.only.has('memory')) results.memory = await measureMemory(sim, args.memoryReps, args.beforeRoot, !args.skipRetained);
		if (args.only.has('batch')) results.batch = await measureBatch(sim, beforeClient);
	} finally {
		sim.stop();
	}
	if (args.only.has('load')) results.load = measureLoad(args.loadRuns);

	const existing = readExisting();
	const baseline = args.baseline ? results : existing.baseline;
	process.stdout.write(`\n${summaryTable(results)}\n\n${figuresMarkdown(results, '##')}\n`);
	const storedBefore = baseline && baseline !== results ? baseline : undefined;
	if (storedBefore || hasSameRunBefore(results)) {
		process.stdout.write(`## Before → after\n\n${beforeAfterTable(hasSameRunBefore(results) ? undefined : storedBefore, results)}\n\n`);
	}
	writeReport(results, baseline, existing.notes);
	log(`done in ${((performance.now() - started) / 1000).toFixed(0)} s; BENCHMARKS.md rewritten`);
}

main().catch((error: unknown) => {
	process.stderr.write(`bench failed: ${error instanceof Error ? error.stack : String(error)}\n`);
	process.exit(1);
});
