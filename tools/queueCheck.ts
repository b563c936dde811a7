/**
 * The nodes in n8n queue mode, on a real cluster on loopback.
 *
 *   npm run test:queue                 n8n 1.123.81 (Node 20), then n8n 2.41.1 (Node 24)
 *   npm run test:queue -- --host v2    one of them
 *
 * Brings up, all on 127.0.0.1 and as this tool's own processes (each in its own process group):
 *   - Redis and PostgreSQL from Debian's packages (installed with apt-get when missing), on free
 *     ports, with their data in a temp folder; PostgreSQL runs as the `postgres` user;
 *   - the project's vendor simulator (in this process);
 *   - per host (tools/lib/n8nHost.ts 'v1' and 'v2', one cluster after the other, each with its own
 *     Redis and PostgreSQL): `n8n start` as main with EXECUTIONS_MODE=queue, and two
 *     `n8n worker --concurrency=5`, all with the same encryption key, database and Redis.
 *     Each process has its own N8N_USER_FOLDER holding the same copy of the packed package in
 *     .n8n/nodes (n8n keeps per-process files there: crash.journal, the event log, .n8n/config).
 *
 * Imports examples/queue-batch-webhook.json (Webhook → Split Out → Tencent LKE chat, concurrency 5
 * → Aggregate, answering when the last node is done) and examples/queue-streaming-webhook.json
 * (Webhook responding with a stream → Tencent LKE chat), activates them, then:
 *   0. Live answers through a worker: a slowly answered question to the streaming webhook; the
 *      client reads the node's item chunks, relayed by main from the worker that runs the
 *      execution, as they arrive (several, well before the end), and they add up to the answer.
 *   1. 50 requests × 10 unique questions, 4 at a time: every question asked and answered exactly
 *      once (simulator log), each response has its 10 answers in order, the executions ran on both
 *      workers (workers' "Worker started execution <id>" log lines), none failed (execution_entity).
 *   2. Throughput (questions/s) with 2 workers, then — after SIGTERM of worker B during a run —
 *      with 1 worker, on the same load.
 *   3. Worker B stopped with SIGTERM, and later (restarted) with SIGKILL, in the middle of a run:
 *      what happens to its executions, to the webhook clients, to the questions. After SIGKILL,
 *      n8n 1.x re-runs the killed worker's executions on the other worker (at least once); n8n 2.x
 *      fails them (Bull's maxStalledCount is fixed at 0 there: at most once).
 *
 * Prints one line per check, figures, and `N passed, M failed`; exits non-zero on failure.
 * Stops every process it started (also on failure, Ctrl-C and after a deadline, default 15 min per
 * host: QUEUE_CHECK_DEADLINE_S). QUEUE_CHECK_KEEP=1 keeps the temp folder (logs) for inspection.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { adpV2AnswerFor, startSimulator, type Simulator } from '../testkit/simulator';
import { seconds, sleep } from '../testkit/time';
import { Checks } from './lib/checks';
import { hostsFromArgs } from './lib/args';
import { REPO_ROOT, readWorkflow, simulatorCredentialImports } from './lib/exampleRig';
import { createInstance, ensureHost, freePort, hostVersion, packPackage, type HostKind, type Instance } from './lib/n8nHost';
import { startN8n, waitForWebhook, type RunningN8n } from './lib/n8nServer';
import { addCleanup, interrupt, makeTempDir, runProcess, runTool, type ManagedProcess } from './lib/processes';
import { CLK_TCK, machineCpu, treeCpuSeconds } from './queue/cpu';
import { rerunsOnlyFinishedBookkeeping } from './queue/interruption';
import { answerProblem, fire, makeLoad, simulatorCounts, type LoadResponse, type SimulatorCounts } from './queue/load';
import { ensureServicePackages, startPostgres, startRedis, type Postgres, type Redis } from './queue/services';
import { postAndReadLines } from './queue/streamedResponse';

const EXAMPLE = 'examples/queue-batch-webhook.json';
const WEBHOOK_PATH = 'agent-chat-batch';
const STREAMING_EXAMPLE = 'examples/queue-streaming-webhook.json';
const STREAMING_PATH = 'agent-chat-live';
const STREAMING_NODE = 'Ask Tencent LKE';
/** Answered in 12 pieces, 150 ms apart: about 2 s of streaming. */
const LIVE_QUESTIONS = ['Which worker answers this? [delay:150] [pieces:12]', 'And this one, live? [delay:150] [pieces:12]', 'One more, streamed through main? [delay:150] [pieces:12]'];
const HOSTS = hostsFromArgs(process.argv.slice(2), ['v1', 'v2']);
const WORKER_CONCURRENCY = 5;
const DEADLINE_MS = (Number(process.env.QUEUE_CHECK_DEADLINE_S) || 15 * 60 * HOSTS.length) * 1000;
const KEEP = process.env.QUEUE_CHECK_KEEP === '1';
/**
 * Bull lock settings for the workers, shorter than n8n's defaults (lock 60 s, renewed every 10 s,
 * stalled-job check every 30 s) so that the SIGKILL experiment recovers within the run.
 */
const LOCK_ENV = {
	QUEUE_WORKER_LOCK_DURATION: '20000',
	QUEUE_WORKER_LOCK_RENEW_TIME: '5000',
	QUEUE_WORKER_STALLED_INTERVAL: '10000',
};
/** Throughput runs: each answer waits this long, this many requests at a time. */
const TP_LATENCY = 1000;
const TP_PARALLEL = 10;

const checks = new Checks();
/** The n8n version the checks of the current cluster are about, in front of each check's name. */
let hostLabel = '';
const check = (name: string, ok: boolean, detail = ''): void => checks.record(`${hostLabel}${name}`, ok, detail);
const info = (line: string): void => checks.info(line);

// ---------------------------------------------------------------------------------------------
// The cluster

interface Worker {
	name: string;
	folder: string;
	process: ManagedProcess;
	/** execution id → ms timestamps of "Worker started/finished execution" lines. */
	started: Map<string, number>;
	finished: Map<string, number>;
	/** "Worker errored while running execution <id>". */
	errored: Map<string, number>;
	readyMs: number;
}

interface Cluster {
	kind: HostKind;
	tmp: string;
	redis: Redis;
	pg: Postgres;
	sim: Simulator;
	instance: Instance;
	main: RunningN8n;
	workerA: Worker;
	workerB: Worker;
	folderB: string;
	/** The webhook of the batch example. */
	url: string;
	/** The webhook of the streaming example. */
	streamingUrl: string;
}

async function startWorker(instance: Instance, name: string, folder: string, tmp: string): Promise<Worker> {
	const began = Date.now();
	const child = instance.spawn(
		name,
		['worker', `--concurrency=${WORKER_CONCURRENCY}`],
		{
			N8N_USER_FOLDER: folder,
			// "Worker started execution <id>" and "n8n worker is now ready" are logged at level info.
			N8N_LOG_LEVEL: 'info',
			N8N_RUNNERS_BROKER_PORT: String(await freePort()),
			...LOCK_ENV,
		},
		{ logFile: path.join(tmp, `${name}-${began}.log`) },
	);
	const worker: Worker = { name, folder, process: child, started: new Map(), finished: new Map(), errored: new Map(), readyMs: 0 };
	child.onLine((line) => {
		for (const [pattern, map] of [
			[/Worker started execution (\d+)/, worker.started],
			[/Worker finished execution (\d+)/, worker.finished],
			[/Worker errored while running execution (\d+)/, worker.errored],
		] as const) {
			const match = pattern.exec(line);
			if (match) map.set(match[1], Date.now());
		}
	});
	await child.waitForLine(/n8n worker is now ready/, 180_000);
	worker.readyMs = Date.now() - began;
	return worker;
}

/** A user folder for another process: the same installed package, nothing else (n8n keeps per-process files there). */
function cloneUserFolder(instance: Instance, dest: string): string {
	fs.mkdirSync(path.join(dest, '.n8n'), { recursive: true });
	fs.cpSync(path.join(instance.userFolder, '.n8n', 'nodes'), path.join(dest, '.n8n', 'nodes'), { recursive: true });
	return dest;
}

/**
 * What every process of the cluster shares. n8n 2.x needs nothing more for queue mode (no license):
 * its task runners cannot be turned off, and each process gets its own broker port (freePort).
 */
function clusterEnvironment(redis: Redis, pg: Postgres): Record<string, string> {
	return {
		EXECUTIONS_MODE: 'queue',
		QUEUE_BULL_REDIS_HOST: '127.0.0.1',
		QUEUE_BULL_REDIS_PORT: String(redis.port),
		DB_TYPE: 'postgresdb',
		DB_POSTGRESDB_HOST: '127.0.0.1',
		DB_POSTGRESDB_PORT: String(pg.port),
		DB_POSTGRESDB_DATABASE: 'n8n',
		DB_POSTGRESDB_USER: 'n8n',
		DB_POSTGRESDB_PASSWORD: 'n8n',
		QUEUE_HEALTH_CHECK_ACTIVE: 'false',
		N8N_GRACEFUL_SHUTDOWN_TIMEOUT: '30',
		N8N_VERIFIED_PACKAGES_ENABLED: 'false',
		NO_PROXY: '127.0.0.1,localhost',
	};
}

/**
 * n8n 1.x activates an imported workflow with `update:workflow --active=true`; n8n 2.x publishes it
 * (`publish:workflow`), which makes its production webhook live.
 */
async function activate(instance: Instance, kind: HostKind, workflowId: string): Promise<void> {
	const args = kind === 'v1' ? ['update:workflow', `--id=${workflowId}`, '--active=true'] : ['publish:workflow', `--id=${workflowId}`];
	const res = await instance.run(args);
	if (res.exitCode !== 0) throw new Error(`${args[0]} failed:\n${res.stdout}\n${res.stderr}`);
}

/** Redis, PostgreSQL, the packed package in n8n's database, n8n main and two workers of host `kind`. */
async function startCluster(kind: HostKind, sim: Simulator, tarball: string): Promise<Cluster> {
	const host = await ensureHost(kind);
	const nodeVersion = (await runProcess(host.nodePath, ['--version'])).stdout.trim();
	process.stdout.write(`\n== n8n ${host.version} on Node ${nodeVersion}, ${os.cpus().length} cores\n`);
	const tmp = makeTempDir(`queue-check-${kind}`, { keep: KEEP });
	fs.chmodSync(tmp, 0o755); // PostgreSQL (user postgres) must reach its data folder inside

	const clusterStart = Date.now();
	const [redis, pg] = await Promise.all([startRedis(tmp), startPostgres(tmp)]);
	const infraMs = Date.now() - clusterStart;
	info(`redis on 127.0.0.1:${redis.port} (pid ${redis.process.pid}), postgres on 127.0.0.1:${pg.port} (pid ${pg.process.pid}), simulator ${sim.url}`);

	const clusterEnv = clusterEnvironment(redis, pg);
	// The user folder is made inside tmp, removed with it at the end.
	const installStart = Date.now();
	const instance = await createInstance(host, { packageTarball: tarball, tmpRoot: tmp, env: clusterEnv });
	const installMs = Date.now() - installStart;
	// Nothing may leave the machine: no proxy for n8n's (and the node's) requests.
	for (const key of ['HTTP_PROXY', 'HTTPS_PROXY', 'http_proxy', 'https_proxy', 'ALL_PROXY', 'all_proxy']) delete instance.env[key];

	const importStart = Date.now();
	await instance.importCredentials(simulatorCredentialImports(sim.url));
	const workflowIds = await instance.importWorkflows([readWorkflow(EXAMPLE), readWorkflow(STREAMING_EXAMPLE)]);
	for (const workflowId of workflowIds) await activate(instance, kind, workflowId);
	const importMs = Date.now() - importStart;

	const n8nStart = Date.now();
	const folderA = cloneUserFolder(instance, path.join(tmp, 'worker-a'));
	const folderB = cloneUserFolder(instance, path.join(tmp, 'worker-b'));
	const [main, workerA, workerB] = await Promise.all([
		startN8n(instance, { ...clusterEnv }),
		startWorker(instance, 'worker-a', folderA, tmp),
		startWorker(instance, 'worker-b', folderB, tmp),
	]);
	addCleanup(() => fs.writeFileSync(path.join(tmp, 'main.log'), main.output()));
	const hookMs = await waitForWebhook(main.baseUrl, WEBHOOK_PATH);
	await waitForWebhook(main.baseUrl, STREAMING_PATH);
	const n8nMs = Date.now() - n8nStart;
	check(
		'cluster up: redis, postgres, n8n main (queue mode), 2 workers, webhooks registered',
		true,
		`${seconds(Date.now() - clusterStart)}: redis+postgres ${seconds(infraMs)}, package install (README command) and load check ${seconds(installMs)}, imports+activation ${seconds(importMs)}, main+workers ${seconds(n8nMs)} (workers ready in ${seconds(workerA.readyMs)} / ${seconds(workerB.readyMs)}, webhook ${seconds(hookMs)} after main)`,
	);
	return {
		kind,
		tmp,
		redis,
		pg,
		sim,
		instance,
		main,
		workerA,
		workerB,
		folderB,
		url: `${main.baseUrl}/webhook/${WEBHOOK_PATH}`,
		streamingUrl: `${main.baseUrl}/webhook/${STREAMING_PATH}`,
	};
}

/** Stops the cluster's n8n processes, then its databases (the next host gets its own). */
async function stopCluster(cluster: Cluster): Promise<void> {
	await Promise.all([cluster.main.stop(), cluster.workerA.process.stop(), cluster.workerB.process.stop()]);
	await Promise.all([cluster.redis.process.stop(), cluster.pg.process.stop()]);
	await cluster.instance.dispose();
}

// ---------------------------------------------------------------------------------------------
// What execution_entity says

async function maxExecutionId(pg: Postgres): Promise<number> {
	return Number((await pg.sql('SELECT coalesce(max(id::bigint),0) FROM execution_entity'))[0][0]);
}

async function statusCounts(pg: Postgres, from: number, to: number): Promise<Record<string, number>> {
	const rows = await pg.sql(`SELECT status, count(*) FROM execution_entity WHERE id::bigint > ${from} AND id::bigint <= ${to} GROUP BY status ORDER BY status`);
	return Object.fromEntries(rows.map(([status, n]) => [status, Number(n)]));
}

function formatCounts(counts: Record<string, number>): string {
	return (
		Object.entries(counts)
			.map(([status, n]) => `${status} ${n}`)
			.join(', ') || 'none'
	);
}

/** Exactly `n` executions, all successful. */
function allSucceeded(counts: Record<string, number>, n: number): boolean {
	return counts.success === n && Object.keys(counts).length === 1;
}

function idRange(before: number, after: number): string[] {
	return Array.from({ length: after - before }, (_, i) => String(before + 1 + i));
}

// ---------------------------------------------------------------------------------------------
// The phases

/** The first execution on each worker loads the nodes. */
async function warmUp(cluster: Cluster): Promise<void> {
	const { results } = await fire(cluster.url, makeLoad('warm', 4, 2, 20), 4);
	const bad = results.map(answerProblem).filter(Boolean);
	check('warm-up: 4 requests answered', bad.length === 0, bad[0] ?? `${results.map((r) => r.ms).join(', ')} ms`);
}

/**
 * Live answers through a worker: the streaming webhook's execution runs on a worker, whose
 * sendChunk calls n8n relays through Redis to main, which writes them to the held response.
 */
async function liveAnswersThroughAWorker(cluster: Cluster): Promise<void> {
	const { pg, workerA, workerB } = cluster;
	for (const [i, question] of LIVE_QUESTIONS.entries()) {
		const before = await maxExecutionId(pg);
		const r = await postAndReadLines(cluster.streamingUrl, { question });
		const after = await maxExecutionId(pg);
		const label = `live answer ${i + 1}/${LIVE_QUESTIONS.length} through a worker`;
		const mine = r.lines.filter((line) => line.nodeName === STREAMING_NODE);
		const items = mine.filter((line) => line.type === 'item');
		const text = items.map((line) => line.content ?? '').join('');
		const ids = idRange(before, after);
		const ranOn = ids.map((id) => (workerA.started.has(id) ? 'worker A' : workerB.started.has(id) ? 'worker B' : 'no worker'));
		const rows = ids.length ? await pg.sql(`SELECT id, mode, status FROM execution_entity WHERE id IN (${ids.map((id) => `'${id}'`).join(',')})`) : [];
		check(
			`${label}: one execution, run by a worker (its "Worker started execution" line), mode webhook, success`,
			ids.length === 1 && ranOn[0] !== 'no worker' && rows.length === 1 && rows[0][1] === 'webhook' && rows[0][2] === 'success',
			`executions ${ids.join(', ') || 'none'} on ${ranOn.join(', ') || '-'}; rows ${rows.map((row) => row.join(' ')).join('; ') || 'none'}`,
		);
		const types = mine.map((line) => line.type);
		check(
			`${label}: HTTP 200, JSON lines begin, items, end from "${STREAMING_NODE}"`,
			r.status === 200 && r.unreadable.length === 0 && types[0] === 'begin' && types[types.length - 1] === 'end' && types.slice(1, -1).every((type) => type === 'item'),
			`HTTP ${r.status}, ${r.lines.length} lines (${mine.length} from the node: ${items.length} items), ${r.unreadable.length} unreadable${r.status === 200 ? '' : `: ${r.head.slice(0, 300)}`}`,
		);
		check(`${label}: the items put together are the answer`, text === adpV2AnswerFor(question), `${[...text].length} chars, ${items.length} items`);
		const endAt = mine.find((line) => line.type === 'end')?.at ?? r.totalMs;
		const itemTimes = items.map((line) => line.at);
		const arrivals = new Set(itemTimes.map((at) => Math.round(at / 20))).size;
		const earlyItems = itemTimes.filter((at) => at < endAt - 500).length;
		const firstAt = itemTimes[0] ?? NaN;
		check(
			`${label}: the items arrive live, several before the end`,
			// The answer streams for about 1.8 s: items more than 0.5 s before the end were relayed live,
			// not held back and sent in one burst. When the first one comes depends on start-up costs.
			items.length >= 5 && earlyItems >= 3 && arrivals >= 5,
			`first item after ${firstAt.toFixed(0)} ms of ${r.totalMs.toFixed(0)} ms (${((firstAt / r.totalMs) * 100).toFixed(0)} %), ${earlyItems}/${items.length} items more than 0.5 s before the end, ${arrivals} distinct arrival times`,
		);
	}
}

/** 50 requests × 10 unique questions, 4 at a time. */
async function fiveHundredQuestions(cluster: Cluster): Promise<void> {
	const { sim, pg, workerA, workerB } = cluster;
	sim.reset();
	const before = await maxExecutionId(pg);
	const startedA = workerA.started.size;
	const startedB = workerB.started.size;
	const load = makeLoad('main', 50, 10, 50);
	const { results, ms } = await fire(cluster.url, load, 4);
	const after = await maxExecutionId(pg);
	const problems = results.map((r) => [r.request.id, answerProblem(r)] as const).filter(([, problem]) => problem);
	check(
		'500 questions: 50 HTTP responses, each with its 10 answers in order',
		problems.length === 0,
		problems.length
			? `${problems.length} bad, e.g. req ${problems[0][0]}: ${problems[0][1]}`
			: `${seconds(ms)}, ${(500 / (ms / 1000)).toFixed(1)} questions/s, response ${Math.min(...results.map((r) => r.ms))}–${Math.max(...results.map((r) => r.ms))} ms`,
	);
	const counts = simulatorCounts(sim, load);
	check(
		'500 questions: each asked exactly once at the LKE API (simulator log)',
		counts.notOnce.length === 0,
		counts.notOnce.length
			? `${counts.notOnce.length} not once, e.g. ${JSON.stringify(counts.notOnce[0])} × ${counts.asked.get(counts.notOnce[0]) ?? 0}`
			: `${[...counts.asked.values()].reduce((a, b) => a + b, 0)} LKE requests, peak ${sim.peakInFlight('adpV2')} in flight`,
	);
	check('500 questions: each answered through to the final reply exactly once (adpV2Answered)', counts.notAnsweredOnce.length === 0, counts.notAnsweredOnce.length ? `${counts.notAnsweredOnce.length} not once` : '');
	const ids = idRange(before, after);
	const onA = ids.filter((id) => workerA.started.has(id));
	const onB = ids.filter((id) => workerB.started.has(id));
	const both = ids.filter((id) => workerA.started.has(id) && workerB.started.has(id));
	const none = ids.filter((id) => !workerA.started.has(id) && !workerB.started.has(id));
	check(
		'500 questions: 50 executions, each started by exactly one worker',
		ids.length === 50 && both.length === 0 && none.length === 0,
		`${ids.length} executions (ids ${before + 1}–${after}); worker A ${onA.length}, worker B ${onB.length}, on both ${both.length}, on none ${none.length}`,
	);
	check(
		'500 questions: executions spread over both workers',
		onA.length > 0 && onB.length > 0,
		`A ${onA.length} / B ${onB.length} (log lines since start: A ${workerA.started.size - startedA}, B ${workerB.started.size - startedB})`,
	);
	const statuses = await statusCounts(pg, before, after);
	check('500 questions: no failed execution (execution_entity.status)', allSucceeded(statuses, 50), formatCounts(statuses));
	const modes = await pg.sql(`SELECT mode, count(*) FROM execution_entity WHERE id::bigint > ${before} AND id::bigint <= ${after} GROUP BY mode`);
	info(`execution modes: ${modes.map(([mode, n]) => `${mode} ${n}`).join(', ')}`);
}

/** The CPU each part of the cluster used while `work` ran, as an info line. */
async function withCpuFigures<T extends { ms: number }>(cluster: Cluster, label: string, work: () => Promise<T>): Promise<T> {
	const pids: Record<string, number | undefined> = {
		main: cluster.main.process.pid,
		'worker A': cluster.workerA.process.pid,
		'worker B': cluster.workerB.process.exited ? undefined : cluster.workerB.process.pid,
		postgres: cluster.pg.process.pid,
		redis: cluster.redis.process.pid,
	};
	const cpuBefore = Object.fromEntries(Object.entries(pids).map(([name, pid]) => [name, treeCpuSeconds(pid)]));
	const machineBefore = machineCpu();
	const selfBefore = process.cpuUsage();
	const result = await work();
	const machineAfter = machineCpu();
	const self = process.cpuUsage(selfBefore);
	const usedBy = Object.entries(pids)
		.filter(([, pid]) => pid)
		.map(([name, pid]) => [name, treeCpuSeconds(pid) - cpuBefore[name]] as const);
	const selfSeconds = (self.user + self.system) / 1e6;
	const ours = usedBy.reduce((sum, [, used]) => sum + used, selfSeconds);
	const busySeconds = (machineAfter.busy - machineBefore.busy) / CLK_TCK;
	const busyPercent = machineAfter.total > machineBefore.total ? ((machineAfter.busy - machineBefore.busy) / (machineAfter.total - machineBefore.total)) * 100 : NaN;
	info(
		`CPU during ${label} (${seconds(result.ms)}): machine ${busyPercent.toFixed(0)} % busy on ${os.cpus().length} cores = ${busySeconds.toFixed(1)} CPU-s, of which the cluster ${ours.toFixed(1)} CPU-s (${usedBy.map(([name, used]) => `${name} ${used.toFixed(1)}`).join(', ')}, client + simulator ${selfSeconds.toFixed(1)}); the rest is other users`,
	);
	return result;
}

/** 500 questions at TP_PARALLEL requests at a time; returns questions per second. */
async function throughput(cluster: Cluster, label: string, tag: string): Promise<number> {
	const { sim, pg } = cluster;
	sim.reset();
	const before = await maxExecutionId(pg);
	const load = makeLoad(tag, 50, 10, TP_LATENCY);
	const { results, ms } = await withCpuFigures(cluster, label, () => fire(cluster.url, load, TP_PARALLEL));
	const after = await maxExecutionId(pg);
	const bad = results.map(answerProblem).filter(Boolean);
	const counts = simulatorCounts(sim, load);
	const statuses = await statusCounts(pg, before, after);
	const qps = 500 / (ms / 1000);
	check(
		`throughput, ${label}: 500 questions answered right, each once, no failed execution`,
		bad.length === 0 && counts.notOnce.length === 0 && allSucceeded(statuses, 50),
		`${seconds(ms)} → ${qps.toFixed(1)} questions/s; ${bad.length} bad responses${bad[0] ? ` (${bad[0]})` : ''}, ${counts.notOnce.length} questions not asked once, executions: ${formatCounts(statuses)}, peak ${sim.peakInFlight('adpV2')} LKE calls in flight`,
	);
	return qps;
}

interface InterruptedRun {
	victimIds: string[];
	finishedByVictim: string[];
	rerunByA: string[];
	takenAfter: string[];
	erroredIds: string[];
	bad: Array<readonly [number, string]>;
	twice: string[];
	statuses: Record<string, number>;
	/** execution_entity.status of each of victimIds. */
	victimStatuses: string[];
	/** Seconds from startedAt to stoppedAt of each of victimIds (a re-run restarts the clock). */
	victimSeconds: Map<string, number>;
	/** The simulator's delay before each answer in this run. */
	answerLatencyMs: number;
	exitMs: number;
	results: LoadResponse[];
	counts: SimulatorCounts;
}

/** Worker B gets `signal` in the middle of a run: what happens to its executions, to the clients, to the questions. */
async function interruptWorkerMidRun(cluster: Cluster, signal: 'SIGTERM' | 'SIGKILL', tag: string): Promise<InterruptedRun> {
	const { sim, pg, main, workerA } = cluster;
	const victim = cluster.workerB;
	sim.reset();
	const before = await maxExecutionId(pg);
	const startedBefore = new Set(victim.started.keys());
	const answerLatencyMs = 1500;
	const load = makeLoad(tag, 10, 10, answerLatencyMs);
	const running = fire(cluster.url, load, 10, 180_000);
	// Wait until the victim is running executions of this run.
	const waitStart = Date.now();
	while ([...victim.started.keys()].filter((id) => !startedBefore.has(id)).length < 2 && Date.now() - waitStart < 30_000) await sleep(100);
	// Let its first wave of LKE calls go out (each waits 1.5 s for its first byte): signal mid-call.
	await sleep(1200);
	const mainOutputAt = main.output().length;
	const sentAt = Date.now();
	victim.process.signal(signal);
	const exited = victim.process.exitPromise.then(() => Date.now() - sentAt);
	const { results, ms } = await running;
	const exitMs = await Promise.race([exited, sleep(60_000).then(() => -1)]);
	// Everything it took in this run, also what it took after the signal.
	const victimIds = [...victim.started.keys()].filter((id) => !startedBefore.has(id));
	const takenAfter = victimIds.filter((id) => (victim.started.get(id) ?? 0) > sentAt);
	const erroredIds = victimIds.filter((id) => victim.errored.has(id));
	const mainFailed = [...main.output().slice(mainOutputAt).matchAll(/Execution (\d+) \(job \d+\) failed/g)].map((match) => match[1]);
	const after = await maxExecutionId(pg);
	const finishedByVictim = victimIds.filter((id) => victim.finished.has(id));
	const rerunByA = victimIds.filter((id) => workerA.started.has(id));
	const bad = results.map((r) => [r.request.id, answerProblem(r)] as const).filter(([, problem]) => problem);
	const counts = simulatorCounts(sim, load);
	const twice = counts.notOnce.filter((question) => (counts.asked.get(question) ?? 0) > 1);
	const statuses = await statusCounts(pg, before, after);
	const victimRows = victimIds.length
		? await pg.sql(`SELECT id, status, round(extract(epoch FROM "stoppedAt" - "startedAt")::numeric, 3) FROM execution_entity WHERE id IN (${victimIds.map((id) => `'${id}'`).join(',')}) ORDER BY id::bigint`)
		: [];
	const times = results.map((r) => r.ms).sort((a, b) => a - b);
	info(
		`${signal} to worker B ${seconds(sentAt - waitStart)} into the run; in this run it started executions ${victimIds.join(', ') || 'none'}; it exited ${exitMs >= 0 ? `${seconds(exitMs)} after the signal (code ${victim.process.exitCode}, signal ${victim.process.exitSignal})` : 'not within 60 s'}`,
	);
	info(
		`of these it took ${takenAfter.length} after the signal (${takenAfter.join(', ') || '-'}); it logged "finished" for ${finishedByVictim.length}/${victimIds.length}, "errored" for ${erroredIds.length} (${erroredIds.join(', ') || '-'}); worker A re-ran ${rerunByA.length} (${rerunByA.join(', ') || '-'}); main logged "failed" for ${mainFailed.length} (${mainFailed.join(', ') || '-'})`,
	);
	info(`their rows: ${victimRows.map(([id, status, duration]) => `${id} ${status} ${duration ?? ''}s`).join('; ') || '-'}`);
	info(
		`clients: ${results.filter((r) => r.status === 200).length}/10 HTTP 200 in ${seconds(ms)} (response times ${times.map((t) => (t / 1000).toFixed(1)).join(' ')} s), statuses ${[...new Set(results.map((r) => r.status))].join(',')}; ${bad.length} wrong/missing answers${bad[0] ? ` (req ${bad[0][0]}: ${bad[0][1]})` : ''}`,
	);
	info(`questions: ${counts.asked.size}/100 reached the API, ${twice.length} asked twice, ${counts.notOnce.length - twice.length} never; executions ${after - before}: ${formatCounts(statuses)}`);
	const victimStatuses = victimRows.map(([, status]) => status);
	const victimSeconds = new Map(victimRows.map(([id, , duration]) => [id, duration ? Number(duration) : Number.NaN]));
	return { victimIds, finishedByVictim, rerunByA, takenAfter, erroredIds, bad, twice, statuses, victimStatuses, victimSeconds, answerLatencyMs, exitMs, results, counts };
}

async function sigtermOfABusyWorker(cluster: Cluster): Promise<void> {
	const r = await interruptWorkerMidRun(cluster, 'SIGTERM', 'term');
	// A re-run elsewhere fails the check unless it only ended what had already run (n8n 1.x).
	const doneBeforeExit = rerunsOnlyFinishedBookkeeping({
		kind: cluster.kind,
		askedTwice: r.twice.length,
		statuses: r.victimStatuses,
		rerunSeconds: r.rerunByA.map((id) => r.victimSeconds.get(id) ?? Number.NaN),
		answerLatencyMs: r.answerLatencyMs,
	});
	check(
		'SIGTERM of a busy worker: it runs the executions it has to their end, then exits',
		r.victimIds.length > 0 && r.exitMs >= 0 && r.erroredIds.length === 0 && (r.rerunByA.length === 0 || doneBeforeExit),
		`${r.victimIds.length} executions, ${r.takenAfter.length} of them taken after the signal, ${r.finishedByVictim.length} logged finished, ${r.erroredIds.length} errored, ${
			r.rerunByA.length === 0 ? 'none re-run elsewhere' : `${r.rerunByA.length} taken up again by worker A after the stall check${doneBeforeExit ? ', which asked nothing again' : ''}`
		}; exit after ${seconds(r.exitMs)}`,
	);
	check(
		'SIGTERM of a busy worker: every client gets its 10 answers, each question asked once, no failed execution',
		r.bad.length === 0 && r.counts.notOnce.length === 0 && allSucceeded(r.statuses, 10),
		`${r.bad.length} bad responses, ${r.counts.notOnce.length} questions not asked once, ${formatCounts(r.statuses)}`,
	);
}

async function sigkillOfABusyWorker(cluster: Cluster): Promise<void> {
	cluster.workerB = await startWorker(cluster.instance, 'worker-b', cluster.folderB, cluster.tmp);
	info(`worker B restarted, ready in ${seconds(cluster.workerB.readyMs)}`);
	const r = await interruptWorkerMidRun(cluster, 'SIGKILL', 'kill');
	const slowest = seconds(Math.max(...r.results.map((x) => x.ms)));
	if (cluster.kind === 'v1') {
		const allAnswered = r.results.every((response) => response.status === 200);
		check(
			'SIGKILL of a busy worker: its executions are taken over by the other worker (Bull stalled-job recovery)',
			r.victimIds.length > 0 && r.rerunByA.length === r.victimIds.length,
			`${r.rerunByA.length}/${r.victimIds.length} re-run by worker A; lock ${LOCK_ENV.QUEUE_WORKER_LOCK_DURATION} ms, stalled check every ${LOCK_ENV.QUEUE_WORKER_STALLED_INTERVAL} ms`,
		);
		check(
			'SIGKILL of a busy worker: every client still gets its 10 answers in order, no failed execution',
			allAnswered && r.bad.length === 0 && (r.statuses.success ?? 0) === 10,
			`${r.bad.length} bad, ${formatCounts(r.statuses)}, slowest ${slowest}`,
		);
		info(`SIGKILL: ${r.twice.length} questions were asked twice: a killed execution runs again from the start (the webhook's data), so its questions are asked at least once, not exactly once`);
		return;
	}
	// n8n 2.x runs Bull with maxStalledCount 0: a job whose worker died is failed, never run again.
	const failedClients = r.results.filter((response) => response.status === 500);
	const answeredRight = r.results.filter((response) => response.status === 200 && !answerProblem(response));
	check(
		'SIGKILL of a busy worker (n8n 2.x does not re-run stalled jobs): its executions end as failed, none re-run by the other worker',
		r.victimIds.length > 0 && r.rerunByA.length === 0 && r.victimStatuses.length === r.victimIds.length && r.victimStatuses.every((status) => status === 'error'),
		`${r.victimIds.length} executions of the killed worker: ${r.victimStatuses.join(', ')}; ${r.rerunByA.length} re-run by worker A; stalled check every ${LOCK_ENV.QUEUE_WORKER_STALLED_INTERVAL} ms`,
	);
	check(
		'SIGKILL of a busy worker (n8n 2.x): every client gets a response, its 10 answers or HTTP 500 for a failed execution; no question asked twice',
		answeredRight.length + failedClients.length === 10 && failedClients.length === (r.statuses.error ?? 0) && (r.statuses.success ?? 0) === answeredRight.length && r.twice.length === 0,
		`${answeredRight.length} × 200 with the right answers, ${failedClients.length} × 500, ${formatCounts(r.statuses)}, ${r.twice.length} asked twice, slowest ${slowest}`,
	);
	info(`SIGKILL: the questions of the killed executions were asked at most once: ${r.counts.asked.size}/100 reached the API; the webhook clients of those executions must retry`);
}

async function overall(cluster: Cluster): Promise<void> {
	info(`all executions in execution_entity: ${formatCounts(await statusCounts(cluster.pg, 0, await maxExecutionId(cluster.pg)))}`);
	const errors = cluster.main
		.output()
		.split('\n')
		.filter((line) => /\b(error|unhandled)\b/i.test(line) && !/deprecat|api\.n8n\.io|ENOTFOUND|License/i.test(line));
	info(`main log: ${errors.length} error lines${errors.length ? `, e.g. ${errors[0].slice(0, 200)}` : ''}`);
}

/** All phases on one host's cluster; the cluster is stopped afterwards. */
async function checkHost(kind: HostKind, sim: Simulator, tarball: string): Promise<void> {
	const started = Date.now();
	hostLabel = `[n8n ${hostVersion(kind)}] `;
	const cluster = await startCluster(kind, sim, tarball);
	await warmUp(cluster);
	await liveAnswersThroughAWorker(cluster);
	await fiveHundredQuestions(cluster);
	const twoWorkers = await throughput(cluster, '2 workers', 'tp2');
	await sigtermOfABusyWorker(cluster);
	// Worker B is gone now: the same load on one worker.
	const oneWorker = await throughput(cluster, '1 worker', 'tp1');
	const ratio = twoWorkers / oneWorker;
	info(
		`throughput: 1 worker ${oneWorker.toFixed(1)} q/s, 2 workers ${twoWorkers.toFixed(1)} q/s, ratio ${ratio.toFixed(2)} (50 requests × 10 questions, ${TP_PARALLEL} requests at a time, [latency:${TP_LATENCY}], worker concurrency ${WORKER_CONCURRENCY}, node concurrency 5)`,
	);
	check('throughput: 2 workers answer faster than 1', ratio > 1.2, `ratio ${ratio.toFixed(2)}`);
	await sigkillOfABusyWorker(cluster);
	await overall(cluster);
	await stopCluster(cluster);
	info(`n8n ${hostVersion(kind)}: ${seconds(Date.now() - started)}`);
}

async function main(): Promise<number> {
	const started = Date.now();
	setTimeout(() => interrupt(`overall deadline of ${seconds(DEADLINE_MS)} reached`, 1), DEADLINE_MS).unref();
	return checks.runAll(async () => {
		if (!fs.existsSync(path.join(REPO_ROOT, 'dist', 'nodes', 'TencentLke', 'TencentLke.node.js'))) {
			throw new Error('dist/ is missing: run `npm run build` first (npm run test:queue does)');
		}
		await ensureServicePackages();
		const [tarball, sim] = await Promise.all([packPackage(REPO_ROOT, makeTempDir('queue-pack')), startSimulator({ quiet: true })]);
		addCleanup(() => sim.close());
		info(`simulator ${sim.url}; hosts ${HOSTS.map(hostVersion).join(', ')}`);
		for (const kind of HOSTS) await checkHost(kind, sim, tarball);
		info(`total ${seconds(Date.now() - started)}`);
	});
}

runTool('queue check', main);
