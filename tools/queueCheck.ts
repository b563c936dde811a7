/**
 * The nodes in n8n queue mode, on a real cluster on loopback (GitHub issue 8).
 *
 *   npm run test:queue
 *
 * Brings up, all on 127.0.0.1 and as this script's own processes (each in its own process group):
 *   - Redis and PostgreSQL from Debian's packages (installed with apt-get when missing), on free
 *     ports, with their data in a temp folder; PostgreSQL runs as the `postgres` user;
 *   - the project's vendor simulator (in this process);
 *   - n8n 1.123.81 (scripts/n8nHost.ts host 'v1'): `n8n start` as main with EXECUTIONS_MODE=queue,
 *     and two `n8n worker --concurrency=5`, all with the same encryption key, database and Redis.
 *     Each process has its own N8N_USER_FOLDER holding the same copy of the packed package in
 *     .n8n/nodes (n8n keeps per-process files there: crash.journal, the event log, .n8n/config).
 *
 * Imports examples/queue-batch-webhook.json (Webhook → Split Out → Tencent LKE chat, concurrency 5
 * → Aggregate, answering when the last node is done), activates it, then:
 *   1. 50 requests × 10 unique questions, 4 at a time: every question asked and answered exactly
 *      once (simulator log), each response has its 10 answers in order, the executions ran on both
 *      workers (workers' "Worker started execution <id>" log lines), none failed (execution_entity).
 *   2. Throughput (questions/s) with 2 workers, then — after SIGTERM of worker B during a run —
 *      with 1 worker, on the same load.
 *   3. Worker B stopped with SIGTERM, and later (restarted) with SIGKILL, in the middle of a run:
 *      what happens to its executions, to the webhook clients, to the questions.
 *
 * Prints one line per check, figures, and `N passed, M failed`; exits non-zero on failure.
 * Stops every process it started (also on failure, Ctrl-C and after a deadline, default 15 min:
 * QUEUE_CHECK_DEADLINE_S). QUEUE_CHECK_KEEP=1 keeps the temp folder (logs) for inspection.
 */
import { ChildProcess, execFile, spawn, type SpawnOptions } from 'child_process';
import * as fs from 'fs';
import * as net from 'net';
import * as os from 'os';
import * as path from 'path';
import { createInstance, ensureHost, freePort, packPackage, type Instance } from './n8nHost';
import { startN8n, waitForWebhook, type RunningN8n } from './n8nServer';
import { CREDENTIALS, REPO_ROOT, readWorkflow } from './exampleRig';
import { lkeAnswerFor, startSimulator, SIMULATOR_DEFAULTS, type Simulator } from '../testkit/simulator';

const EXAMPLE = 'examples/queue-batch-webhook.json';
const WEBHOOK_PATH = 'agent-chat-batch';
const WORKER_CONCURRENCY = 5;
const DEADLINE_MS = (Number(process.env.QUEUE_CHECK_DEADLINE_S) || 15 * 60) * 1000;
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

let passed = 0;
let failed = 0;
const t0 = Date.now();
/** Set on Ctrl-C / deadline: the run goes on while everything is stopped; its checks no longer count. */
let stopping = false;

function check(name: string, ok: boolean, detail = ''): void {
	if (stopping) return;
	if (ok) passed++;
	else failed++;
	process.stdout.write(`${ok ? 'PASS' : 'FAIL'}  ${name}${detail ? `  (${detail})` : ''}\n`);
}

function info(line: string): void {
	if (stopping) return;
	process.stdout.write(`      ${line}\n`);
}

function sleep(ms: number): Promise<void> {
	return new Promise((r) => setTimeout(r, ms));
}

function secs(ms: number): string {
	return `${(ms / 1000).toFixed(1)} s`;
}

// ---------------------------------------------------------------------------------------------
// Processes: each in its own process group, output to a log file, stopped by group id.

interface Managed {
	name: string;
	child: ChildProcess;
	logFile: string;
	exited: boolean;
	exitCode: number | null;
	exitSignal: NodeJS.Signals | null;
	exitAt: number;
	exitPromise: Promise<void>;
	lines: string[];
	onLine: Array<(line: string) => void>;
	signal(sig: NodeJS.Signals): void;
	stop(sig?: NodeJS.Signals, graceMs?: number): Promise<void>;
}

const managed = new Set<Managed>();

function manage(name: string, child: ChildProcess, logFile: string): Managed {
	const log = fs.createWriteStream(logFile, { flags: 'a' });
	const m: Managed = {
		name,
		child,
		logFile,
		exited: false,
		exitCode: null,
		exitSignal: null,
		exitAt: 0,
		exitPromise: Promise.resolve(),
		lines: [],
		onLine: [],
		signal(sig) {
			if (m.exited || !child.pid) return;
			try {
				process.kill(-child.pid, sig);
			} catch {
				/* gone */
			}
		},
		async stop(sig: NodeJS.Signals = 'SIGTERM', graceMs = 15_000) {
			if (!m.exited) {
				m.signal(sig);
				const timer = setTimeout(() => m.signal('SIGKILL'), graceMs);
				await m.exitPromise;
				clearTimeout(timer);
			}
			// Anything left in the group goes too.
			if (child.pid) {
				try {
					process.kill(-child.pid, 'SIGKILL');
				} catch {
					/* gone */
				}
			}
			managed.delete(m);
		},
	};
	m.exitPromise = new Promise<void>((resolve) => {
		child.once('exit', (code, sig) => {
			m.exited = true;
			m.exitCode = code;
			m.exitSignal = sig;
			m.exitAt = Date.now();
			resolve();
		});
		child.once('error', () => {
			m.exited = true;
			m.exitAt = Date.now();
			resolve();
		});
	});
	const partial = { out: '', err: '' };
	const feed = (key: 'out' | 'err', chunk: Buffer) => {
		const text = chunk.toString('utf8');
		log.write(text);
		const parts = (partial[key] + text).split(/\r?\n/);
		partial[key] = parts.pop() ?? '';
		for (const l of parts) {
			if (!l.trim()) continue;
			m.lines.push(l);
			if (m.lines.length > 20_000) m.lines.splice(0, 5_000);
			for (const f of m.onLine) f(l);
		}
	};
	child.stdout?.on('data', (c: Buffer) => feed('out', c));
	child.stderr?.on('data', (c: Buffer) => feed('err', c));
	child.once('exit', () => log.end());
	managed.add(m);
	return m;
}

function spawnManaged(name: string, cmd: string, args: string[], logFile: string, opts: SpawnOptions = {}): Managed {
	const child = spawn(cmd, args, { ...opts, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
	return manage(name, child, logFile);
}

function waitForLine(m: Managed, re: RegExp, timeoutMs: number): Promise<void> {
	if (m.lines.some((l) => re.test(l))) return Promise.resolve();
	return new Promise((resolve, reject) => {
		const timer = setTimeout(() => done(new Error(`${m.name}: no line matching ${re} within ${secs(timeoutMs)}:\n${tailOf(m)}`)), timeoutMs);
		const onLine = (l: string) => {
			if (re.test(l)) done();
		};
		const onExit = () => done(new Error(`${m.name} exited (code ${m.exitCode}, signal ${m.exitSignal}) before ${re}:\n${tailOf(m)}`));
		const done = (err?: Error) => {
			clearTimeout(timer);
			m.onLine = m.onLine.filter((f) => f !== onLine);
			m.child.removeListener('exit', onExit);
			if (err) reject(err);
			else resolve();
		};
		m.onLine.push(onLine);
		m.child.once('exit', onExit);
	});
}

function tailOf(m: Managed, n = 25): string {
	return m.lines.slice(-n).join('\n');
}

interface CmdResult {
	code: number;
	stdout: string;
	stderr: string;
}

function runCmd(cmd: string, args: string[], opts: { uid?: number; gid?: number; env?: NodeJS.ProcessEnv; cwd?: string; timeoutMs?: number } = {}): Promise<CmdResult> {
	return new Promise((resolve) => {
		execFile(
			cmd,
			args,
			{ uid: opts.uid, gid: opts.gid, env: opts.env ?? process.env, cwd: opts.cwd, timeout: opts.timeoutMs ?? 120_000, maxBuffer: 64 * 1024 * 1024, killSignal: 'SIGKILL' },
			(err, stdout, stderr) => {
				const code = err ? (typeof (err as any).code === 'number' ? (err as any).code : 1) : 0;
				resolve({ code, stdout: String(stdout), stderr: String(stderr) + (err && code === 1 && !stderr ? err.message : '') });
			},
		);
	});
}

// ---------------------------------------------------------------------------------------------
// Redis and PostgreSQL

function which(bin: string): string | null {
	for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
		const p = path.join(dir, bin);
		try {
			fs.accessSync(p, fs.constants.X_OK);
			return p;
		} catch {
			/* next */
		}
	}
	return null;
}

function pgBinDir(): string | null {
	const root = '/usr/lib/postgresql';
	if (!fs.existsSync(root)) return null;
	const versions = fs
		.readdirSync(root)
		.filter((v) => fs.existsSync(path.join(root, v, 'bin', 'postgres')))
		.sort((a, b) => Number(b) - Number(a));
	return versions.length ? path.join(root, versions[0], 'bin') : null;
}

async function ensurePackages(): Promise<void> {
	if (which('redis-server') && pgBinDir()) return;
	if (process.getuid?.() !== 0) throw new Error('redis-server or PostgreSQL is missing; install them: apt-get install -y redis-server postgresql');
	const started = Date.now();
	process.stdout.write('installing redis-server and postgresql with apt-get ...\n');
	const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
	const upd = await runCmd('apt-get', ['update'], { env, timeoutMs: 300_000 });
	if (upd.code !== 0) throw new Error(`apt-get update failed:\n${upd.stderr.slice(-2000)}`);
	const inst = await runCmd('apt-get', ['install', '-y', 'redis-server', 'postgresql'], { env, timeoutMs: 600_000 });
	if (inst.code !== 0) throw new Error(`apt-get install failed:\n${inst.stderr.slice(-2000)}`);
	if (!which('redis-server') || !pgBinDir()) throw new Error('redis-server / postgres still missing after apt-get install');
	process.stdout.write(`installed in ${secs(Date.now() - started)}\n`);
}

function redisPing(port: number): Promise<boolean> {
	return new Promise((resolve) => {
		const sock = net.connect(port, '127.0.0.1');
		let buf = '';
		const done = (ok: boolean) => {
			sock.destroy();
			resolve(ok);
		};
		sock.setTimeout(1000, () => done(false));
		sock.on('error', () => done(false));
		sock.on('connect', () => sock.write('PING\r\n'));
		sock.on('data', (d) => {
			buf += d.toString();
			if (buf.includes('\r\n')) done(buf.startsWith('+PONG'));
		});
	});
}

async function startRedis(tmp: string): Promise<{ proc: Managed; port: number }> {
	const port = await freePort();
	const dir = path.join(tmp, 'redis');
	fs.mkdirSync(dir);
	const proc = spawnManaged(
		'redis',
		which('redis-server')!,
		['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir, '--daemonize', 'no'],
		path.join(tmp, 'redis.log'),
		{ cwd: dir },
	);
	const deadline = Date.now() + 30_000;
	while (!(await redisPing(port))) {
		if (proc.exited) throw new Error(`redis-server exited:\n${tailOf(proc)}`);
		if (Date.now() > deadline) throw new Error(`redis-server not answering on ${port}:\n${tailOf(proc)}`);
		await sleep(200);
	}
	return { proc, port };
}

interface Pg {
	proc: Managed;
	port: number;
	bin: string;
	sql(query: string): Promise<string[][]>;
}

/** The uid/gid to run PostgreSQL as: `postgres` when we are root (it refuses root), else ourselves. */
function pgUser(): { uid?: number; gid?: number } {
	if (process.getuid?.() !== 0) return {};
	const line = fs
		.readFileSync('/etc/passwd', 'utf8')
		.split('\n')
		.find((l) => l.startsWith('postgres:'));
	if (!line) throw new Error('no `postgres` user (it comes with the postgresql package)');
	const [, , uid, gid] = line.split(':');
	return { uid: Number(uid), gid: Number(gid) };
}

async function startPostgres(tmp: string): Promise<Pg> {
	const bin = pgBinDir()!;
	const user = pgUser();
	const dataDir = path.join(tmp, 'pg');
	fs.mkdirSync(dataDir, { mode: 0o700 });
	if (user.uid !== undefined) fs.chownSync(dataDir, user.uid, user.gid!);
	const env = { PATH: process.env.PATH ?? '/usr/bin:/bin', LANG: 'C.UTF-8', LC_ALL: 'C.UTF-8', HOME: tmp };
	const init = await runCmd(path.join(bin, 'initdb'), ['-D', dataDir, '-U', 'n8n', '--auth=trust', '-E', 'UTF8', '--locale=C', '--no-sync'], {
		...user,
		env,
		cwd: tmp,
	});
	if (init.code !== 0) throw new Error(`initdb failed:\n${init.stdout}\n${init.stderr}`);
	const port = await freePort();
	const proc = spawnManaged(
		'postgres',
		path.join(bin, 'postgres'),
		[
			'-D', dataDir,
			'-p', String(port),
			'-k', dataDir,
			'-c', 'listen_addresses=127.0.0.1',
			// A throw-away database: no need to wait for the disk.
			'-c', 'fsync=off',
			'-c', 'synchronous_commit=off',
			'-c', 'full_page_writes=off',
			'-c', 'max_connections=100',
		],
		path.join(tmp, 'postgres.log'),
		{ ...user, env, cwd: tmp },
	);
	const psql = path.join(bin, 'psql');
	const sql = async (query: string, db = 'n8n'): Promise<string[][]> => {
		const r = await runCmd(psql, ['-h', '127.0.0.1', '-p', String(port), '-U', 'n8n', '-d', db, '-X', '-A', '-t', '-F', '\t', '-v', 'ON_ERROR_STOP=1', '-c', query], {
			env: { ...env, PGCONNECT_TIMEOUT: '5' },
			timeoutMs: 30_000,
		});
		if (r.code !== 0) throw new Error(`psql: ${query}: ${r.stderr.trim()}`);
		return r.stdout
			.split('\n')
			.filter((l) => l !== '')
			.map((l) => l.split('\t'));
	};
	const deadline = Date.now() + 60_000;
	for (;;) {
		if (proc.exited) throw new Error(`postgres exited:\n${tailOf(proc)}`);
		try {
			await sql('SELECT 1', 'postgres');
			break;
		} catch (e) {
			if (Date.now() > deadline) throw new Error(`postgres not ready on ${port}: ${(e as Error).message}\n${tailOf(proc)}`);
			await sleep(300);
		}
	}
	await sql('CREATE DATABASE n8n', 'postgres');
	return { proc, port, bin, sql: (q) => sql(q) };
}

// ---------------------------------------------------------------------------------------------
// n8n workers

interface Worker {
	name: string;
	folder: string;
	proc: Managed;
	/** execution id → ms timestamps of "Worker started/finished execution" lines. */
	started: Map<string, number>;
	finished: Map<string, number>;
	/** "Worker errored while running execution <id>". */
	errored: Map<string, number>;
	readyMs: number;
}

async function startWorker(instance: Instance, name: string, folder: string, tmp: string): Promise<Worker> {
	const began = Date.now();
	const child = instance.spawn(['worker', `--concurrency=${WORKER_CONCURRENCY}`], {
		N8N_USER_FOLDER: folder,
		// "Worker started execution <id>" and "n8n worker is now ready" are logged at level info.
		N8N_LOG_LEVEL: 'info',
		N8N_RUNNERS_BROKER_PORT: String(await freePort()),
		...LOCK_ENV,
	});
	const proc = manage(name, child, path.join(tmp, `${name}-${began}.log`));
	const w: Worker = { name, folder, proc, started: new Map(), finished: new Map(), errored: new Map(), readyMs: 0 };
	proc.onLine.push((l) => {
		let m = /Worker started execution (\d+)/.exec(l);
		if (m) w.started.set(m[1], Date.now());
		m = /Worker finished execution (\d+)/.exec(l);
		if (m) w.finished.set(m[1], Date.now());
		m = /Worker errored while running execution (\d+)/.exec(l);
		if (m) w.errored.set(m[1], Date.now());
	});
	await waitForLine(proc, /n8n worker is now ready/, 180_000);
	w.readyMs = Date.now() - began;
	return w;
}

/** A user folder for another process: the same installed package, nothing else. */
function cloneUserFolder(instance: Instance, dest: string): string {
	fs.mkdirSync(path.join(dest, '.n8n'), { recursive: true });
	fs.cpSync(path.join(instance.userFolder, '.n8n', 'nodes'), path.join(dest, '.n8n', 'nodes'), { recursive: true });
	return dest;
}

// ---------------------------------------------------------------------------------------------
// CPU accounting (Linux /proc): where the time goes during a throughput run

const CLK_TCK = 100;

/** CPU seconds (user + system) a process has used so far; 0 when it is gone. */
function cpuSeconds(pid: number | undefined): number {
	if (!pid) return 0;
	try {
		const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
		const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
		return (Number(fields[11]) + Number(fields[12])) / CLK_TCK;
	} catch {
		return 0;
	}
}

/** CPU seconds of a process and its direct children (PostgreSQL's backends are children of the postmaster). */
function treeCpuSeconds(pid: number | undefined): number {
	if (!pid) return 0;
	let total = cpuSeconds(pid);
	for (const entry of fs.readdirSync('/proc')) {
		if (!/^\d+$/.test(entry)) continue;
		try {
			const stat = fs.readFileSync(`/proc/${entry}/stat`, 'utf8');
			const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
			if (Number(fields[1]) === pid) total += (Number(fields[11]) + Number(fields[12])) / CLK_TCK;
		} catch {
			/* gone */
		}
	}
	return total;
}

/** Machine-wide CPU time so far: busy and total, in ticks over all cores. */
function machineCpu(): { busy: number; total: number } {
	try {
		const line = fs.readFileSync('/proc/stat', 'utf8').split('\n')[0];
		const v = line.trim().split(/\s+/).slice(1).map(Number);
		const total = v.slice(0, 8).reduce((a, b) => a + b, 0);
		return { busy: total - v[3] - (v[4] ?? 0), total };
	} catch {
		return { busy: 0, total: 0 };
	}
}

// ---------------------------------------------------------------------------------------------
// Load

interface Req {
	id: number;
	questions: string[];
}

interface Res {
	req: Req;
	status: number;
	body: any;
	text: string;
	error?: string;
	ms: number;
	endAt: number;
}

function makeLoad(tag: string, requests: number, perRequest: number, latencyMs: number): Req[] {
	return Array.from({ length: requests }, (_, r) => ({
		id: r,
		questions: Array.from({ length: perRequest }, (_, q) => `${tag} req ${r} q ${q} [latency:${latencyMs}]`),
	}));
}

async function fire(url: string, reqs: Req[], parallel: number, timeoutMs = 120_000): Promise<{ results: Res[]; ms: number }> {
	const results: Res[] = [];
	let next = 0;
	const started = Date.now();
	const lane = async () => {
		while (next < reqs.length) {
			const req = reqs[next++];
			const t = Date.now();
			try {
				const res = await fetch(url, {
					method: 'POST',
					headers: { 'content-type': 'application/json' },
					body: JSON.stringify({ questions: req.questions }),
					signal: AbortSignal.timeout(timeoutMs),
				});
				const text = await res.text();
				let body: any;
				try {
					body = JSON.parse(text);
				} catch {
					body = undefined;
				}
				results.push({ req, status: res.status, body, text, ms: Date.now() - t, endAt: Date.now() });
			} catch (e) {
				results.push({ req, status: 0, body: undefined, text: '', error: (e as Error).message, ms: Date.now() - t, endAt: Date.now() });
			}
		}
	};
	await Promise.all(Array.from({ length: Math.min(parallel, reqs.length) }, lane));
	results.sort((a, b) => a.req.id - b.req.id);
	return { results, ms: Date.now() - started };
}

/** Why a response is not exactly the request's answers in order ('' when it is). */
function answerProblem(r: Res): string {
	if (r.status !== 200) return `HTTP ${r.status}${r.error ? ` ${r.error}` : ''} ${r.text.slice(0, 200)}`;
	const answers = r.body?.answers;
	if (!Array.isArray(answers)) return `no answers array: ${r.text.slice(0, 200)}`;
	if (answers.length !== r.req.questions.length) return `${answers.length} answers for ${r.req.questions.length} questions`;
	for (let i = 0; i < answers.length; i++) {
		const a = answers[i];
		const q = r.req.questions[i];
		if (a.question !== q) return `answer ${i} is for ${JSON.stringify(a.question)}, not ${JSON.stringify(q)}`;
		if (a.ok !== true || a.reply !== lkeAnswerFor(q)) return `answer ${i} wrong: ok ${a.ok}, error ${JSON.stringify(a.error)}, reply ${JSON.stringify(String(a.reply).slice(0, 80))}`;
	}
	return '';
}

/** How often each question reached the simulator (LKE route), and how often it was answered. */
function simCounts(sim: Simulator, reqs: Req[]): { asked: Map<string, number>; notOnce: string[]; notAnsweredOnce: string[] } {
	const asked = new Map<string, number>();
	for (const r of sim.requests) {
		if (r.route !== 'lke') continue;
		const c = r.json?.content;
		if (typeof c === 'string') asked.set(c, (asked.get(c) ?? 0) + 1);
	}
	const all = reqs.flatMap((r) => r.questions);
	return {
		asked,
		notOnce: all.filter((q) => asked.get(q) !== 1),
		notAnsweredOnce: all.filter((q) => sim.lkeAnswered(q) !== 1),
	};
}

// ---------------------------------------------------------------------------------------------
// Cleanup

const cleanups: Array<() => Promise<void>> = [];
let cleaning: Promise<void> | undefined;

function cleanup(): Promise<void> {
	cleaning ??= (async () => {
		const n8nFirst = [...managed].filter((m) => m.name !== 'redis' && m.name !== 'postgres');
		await Promise.all([...n8nFirst.map((m) => m.stop('SIGTERM', 10_000)), ...cleanups.splice(0).reverse().map((f) => f().catch(() => undefined))]);
		const rest = [...managed];
		// PostgreSQL: SIGINT is its "fast" shutdown.
		await Promise.all(rest.map((m) => m.stop(m.name === 'postgres' ? 'SIGINT' : 'SIGTERM', 10_000)));
		for (const f of finalRemovals.splice(0)) f();
	})();
	return cleaning;
}

const finalRemovals: Array<() => void> = [];

let exitCodeOverride: number | undefined;
let summarized = false;

/** Prints `N passed, M failed` once and exits. */
function finish(code: number): void {
	if (summarized) return;
	summarized = true;
	process.stdout.write(`\n${passed} passed, ${failed} failed\n`);
	process.exit(exitCodeOverride ?? code);
}

/** Ctrl-C, a signal or the deadline: stop the checks, stop every process (bounded), exit. */
function abort(reason: string, code: number): void {
	if (stopping) return;
	failed++;
	process.stdout.write(`\nFAIL  ${reason}: stopping everything\n`);
	stopping = true;
	exitCodeOverride = code;
	const hard = setTimeout(() => finish(code), 60_000);
	hard.unref();
	void cleanup().finally(() => finish(code));
}

function installSignalHandlers(): void {
	for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as NodeJS.Signals[]) {
		process.on(sig, () => abort(sig, 128 + (os.constants.signals[sig] ?? 1)));
	}
	// Last resort (synchronous): kill every group still alive.
	process.on('exit', () => {
		for (const m of managed) {
			if (m.child.pid) {
				try {
					process.kill(-m.child.pid, 'SIGKILL');
				} catch {
					/* gone */
				}
			}
		}
	});
}

// ---------------------------------------------------------------------------------------------

async function main(): Promise<void> {
	if (!fs.existsSync(path.join(REPO_ROOT, 'dist', 'nodes', 'TencentLke', 'TencentLke.node.js'))) {
		throw new Error('dist/ is missing: run `npm run build` first (npm run test:queue does)');
	}
	await ensurePackages();
	const host = await ensureHost('v1');
	process.stdout.write(`n8n ${host.version} on Node ${process.version}, ${os.cpus().length} cores\n`);

	const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'queue-check-'));
	fs.chmodSync(tmp, 0o755); // PostgreSQL (user postgres) must reach its data folder inside
	finalRemovals.push(() => {
		if (KEEP) process.stdout.write(`kept ${tmp}\n`);
		else fs.rmSync(tmp, { recursive: true, force: true });
	});

	// --- infrastructure -------------------------------------------------------------------------
	const clusterStart = Date.now();
	const packDir = path.join(tmp, 'pack');
	const [redis, pg, tarball, sim] = await Promise.all([startRedis(tmp), startPostgres(tmp), packPackage(REPO_ROOT, packDir), startSimulator({ quiet: true })]);
	cleanups.push(() => sim.close());
	const infraMs = Date.now() - clusterStart;
	info(`redis on 127.0.0.1:${redis.port} (pid ${redis.proc.child.pid}), postgres on 127.0.0.1:${pg.port} (pid ${pg.proc.child.pid}), simulator ${sim.url}`);

	const clusterEnv: Record<string, string> = {
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
	// The user folder is made inside tmp, removed with it at the end.
	const instance = await createInstance(host, { packageTarball: tarball, tmpRoot: tmp, env: clusterEnv });
	// Nothing may leave the machine: no proxy for n8n's (and the node's) requests.
	for (const k of ['HTTP_PROXY', 'HTTPS_PROXY', 'http_proxy', 'https_proxy', 'ALL_PROXY', 'all_proxy']) delete instance.env[k];

	const importStart = Date.now();
	await instance.importCredentials([
		{
			...CREDENTIALS.lke,
			data: {
				appKey: SIMULATOR_DEFAULTS.lkeAppKey,
				secretId: SIMULATOR_DEFAULTS.secretId,
				secretKey: SIMULATOR_DEFAULTS.secretKey,
				site: 'custom',
				chatBaseUrl: sim.url,
				apiEndpoint: `${sim.url}/`,
				region: 'ap-jakarta',
			},
		},
	]);
	const workflow = readWorkflow(EXAMPLE);
	const [wfId] = await instance.importWorkflows([workflow]);
	const act = await instance.run(['update:workflow', `--id=${wfId}`, '--active=true']);
	if (act.exitCode !== 0) throw new Error(`update:workflow failed:\n${act.stdout}\n${act.stderr}`);
	const importMs = Date.now() - importStart;

	// --- n8n main and two workers ----------------------------------------------------------------
	const n8nStart = Date.now();
	const folderA = cloneUserFolder(instance, path.join(tmp, 'worker-a'));
	const folderB = cloneUserFolder(instance, path.join(tmp, 'worker-b'));
	let n8n: RunningN8n | undefined;
	cleanups.push(async () => {
		await n8n?.stop();
	});
	const [mainServer, workerA, workerB0] = await Promise.all([
		startN8n(instance, { ...clusterEnv }),
		startWorker(instance, 'worker-a', folderA, tmp),
		startWorker(instance, 'worker-b', folderB, tmp),
	]);
	n8n = mainServer;
	let workerB = workerB0;
	const mainLog = path.join(tmp, 'main.log');
	cleanups.push(async () => fs.writeFileSync(mainLog, n8n?.output() ?? ''));
	const hookMs = await waitForWebhook(n8n.baseUrl, WEBHOOK_PATH);
	const n8nMs = Date.now() - n8nStart;
	const url = `${n8n.baseUrl}/webhook/${WEBHOOK_PATH}`;
	check('cluster up: redis, postgres, n8n main (queue mode), 2 workers, webhook registered', true,
		`${secs(Date.now() - clusterStart)}: redis+postgres+pack ${secs(infraMs)}, imports+activation ${secs(importMs)}, main+workers ${secs(n8nMs)} (workers ready in ${secs(workerA.readyMs)} / ${secs(workerB.readyMs)}, webhook ${secs(hookMs)} after main)`);

	const maxId = async () => Number((await pg.sql('SELECT coalesce(max(id::bigint),0) FROM execution_entity'))[0][0]);
	const statusCounts = async (from: number, to: number): Promise<Record<string, number>> => {
		const rows = await pg.sql(`SELECT status, count(*) FROM execution_entity WHERE id::bigint > ${from} AND id::bigint <= ${to} GROUP BY status ORDER BY status`);
		return Object.fromEntries(rows.map(([s, n]) => [s, Number(n)]));
	};
	const fmtCounts = (c: Record<string, number>) => Object.entries(c).map(([s, n]) => `${s} ${n}`).join(', ') || 'none';

	// --- warm-up: the first execution on each worker loads the nodes ------------------------------
	{
		const warm = makeLoad('warm', 4, 2, 20);
		const { results } = await fire(url, warm, 4);
		const bad = results.map(answerProblem).filter(Boolean);
		check('warm-up: 4 requests answered', bad.length === 0, bad[0] ?? `${results.map((r) => r.ms).join(', ')} ms`);
	}

	// --- 1. 500 questions --------------------------------------------------------------------------
	{
		sim.reset();
		const before = await maxId();
		const startedA = workerA.started.size;
		const startedB = workerB.started.size;
		const load = makeLoad('main', 50, 10, 50);
		const { results, ms } = await fire(url, load, 4);
		const after = await maxId();
		const problems = results.map((r) => [r.req.id, answerProblem(r)] as const).filter(([, p]) => p);
		check('500 questions: 50 HTTP responses, each with its 10 answers in order', problems.length === 0,
			problems.length ? `${problems.length} bad, e.g. req ${problems[0][0]}: ${problems[0][1]}` : `${secs(ms)}, ${(500 / (ms / 1000)).toFixed(1)} questions/s, response ${Math.min(...results.map((r) => r.ms))}–${Math.max(...results.map((r) => r.ms))} ms`);
		const counts = simCounts(sim, load);
		check('500 questions: each asked exactly once at the LKE API (simulator log)', counts.notOnce.length === 0,
			counts.notOnce.length ? `${counts.notOnce.length} not once, e.g. ${JSON.stringify(counts.notOnce[0])} × ${counts.asked.get(counts.notOnce[0]) ?? 0}` : `${[...counts.asked.values()].reduce((a, b) => a + b, 0)} LKE requests, peak ${sim.peakInFlight('lke')} in flight`);
		check('500 questions: each answered through to the final reply exactly once (lkeAnswered)', counts.notAnsweredOnce.length === 0,
			counts.notAnsweredOnce.length ? `${counts.notAnsweredOnce.length} not once` : '');
		const ids = Array.from({ length: after - before }, (_, i) => String(before + 1 + i));
		const onA = ids.filter((id) => workerA.started.has(id));
		const onB = ids.filter((id) => workerB.started.has(id));
		const both = ids.filter((id) => workerA.started.has(id) && workerB.started.has(id));
		const none = ids.filter((id) => !workerA.started.has(id) && !workerB.started.has(id));
		check('500 questions: 50 executions, each started by exactly one worker', ids.length === 50 && both.length === 0 && none.length === 0,
			`${ids.length} executions (ids ${before + 1}–${after}); worker A ${onA.length}, worker B ${onB.length}, on both ${both.length}, on none ${none.length}`);
		check('500 questions: executions spread over both workers', onA.length > 0 && onB.length > 0, `A ${onA.length} / B ${onB.length} (log lines since start: A ${workerA.started.size - startedA}, B ${workerB.started.size - startedB})`);
		const st = await statusCounts(before, after);
		check('500 questions: no failed execution (execution_entity.status)', st.success === 50 && Object.keys(st).length === 1, fmtCounts(st));
		const modes = await pg.sql(`SELECT mode, count(*) FROM execution_entity WHERE id::bigint > ${before} AND id::bigint <= ${after} GROUP BY mode`);
		info(`execution modes: ${modes.map(([m, n]) => `${m} ${n}`).join(', ')}`);
	}

	// --- 2a. throughput with 2 workers --------------------------------------------------------------
	const TP_LATENCY = 1000;
	const TP_PARALLEL = 10;
	const throughput = async (label: string, tag: string): Promise<number> => {
		sim.reset();
		const before = await maxId();
		const load = makeLoad(tag, 50, 10, TP_LATENCY);
		const pids = {
			main: n8n!.child.pid,
			'worker A': workerA.proc.child.pid,
			'worker B': workerB.proc.exited ? undefined : workerB.proc.child.pid,
			postgres: pg.proc.child.pid,
			redis: redis.proc.child.pid,
		};
		const cpu0 = Object.fromEntries(Object.entries(pids).map(([k, pid]) => [k, treeCpuSeconds(pid)]));
		const m0 = machineCpu();
		const selfCpu0 = process.cpuUsage();
		const { results, ms } = await fire(url, load, TP_PARALLEL);
		const m1 = machineCpu();
		const selfCpu = process.cpuUsage(selfCpu0);
		const usedBy = Object.entries(pids)
			.filter(([, pid]) => pid)
			.map(([k, pid]) => [k, treeCpuSeconds(pid) - cpu0[k]] as const);
		const selfS = (selfCpu.user + selfCpu.system) / 1e6;
		const ours = usedBy.reduce((a, [, v]) => a + v, selfS);
		const busyS = (m1.busy - m0.busy) / CLK_TCK;
		const busyPct = m1.total > m0.total ? ((m1.busy - m0.busy) / (m1.total - m0.total)) * 100 : NaN;
		info(`CPU during ${label} (${secs(ms)}): machine ${busyPct.toFixed(0)} % busy on ${os.cpus().length} cores = ${busyS.toFixed(1)} CPU-s, of which the cluster ${ours.toFixed(1)} CPU-s (${usedBy.map(([k, v]) => `${k} ${v.toFixed(1)}`).join(', ')}, client + simulator ${selfS.toFixed(1)}); the rest is other users`);
		const after = await maxId();
		const bad = results.map(answerProblem).filter(Boolean);
		const counts = simCounts(sim, load);
		const st = await statusCounts(before, after);
		const qps = 500 / (ms / 1000);
		check(`throughput, ${label}: 500 questions answered right, each once, no failed execution`,
			bad.length === 0 && counts.notOnce.length === 0 && st.success === 50 && Object.keys(st).length === 1,
			`${secs(ms)} → ${qps.toFixed(1)} questions/s; ${bad.length} bad responses${bad[0] ? ` (${bad[0]})` : ''}, ${counts.notOnce.length} questions not asked once, executions: ${fmtCounts(st)}, peak ${sim.peakInFlight('lke')} LKE calls in flight`);
		return qps;
	};
	const qps2 = await throughput('2 workers', 'tp2');

	// --- 3a. SIGTERM of worker B in the middle of a run ----------------------------------------------
	const interruptRun = async (sig: 'SIGTERM' | 'SIGKILL', tag: string) => {
		sim.reset();
		const before = await maxId();
		const victim = workerB;
		const startedBefore = new Set(victim.started.keys());
		const load = makeLoad(tag, 10, 10, 1500);
		const runP = fire(url, load, 10, 180_000);
		// Wait until the victim is running executions of this run.
		const waitStart = Date.now();
		while ([...victim.started.keys()].filter((id) => !startedBefore.has(id)).length < 2 && Date.now() - waitStart < 30_000) await sleep(100);
		// Let its first wave of LKE calls go out (each waits 1.5 s for its first byte): signal mid-call.
		await sleep(1200);
		const mainOutAt = n8n!.output().length;
		const sentAt = Date.now();
		victim.proc.signal(sig);
		const exitP = victim.proc.exitPromise.then(() => Date.now() - sentAt);
		const { results, ms } = await runP;
		const exitMs = await Promise.race([exitP, sleep(60_000).then(() => -1)]);
		// Everything it took in this run, also what it took after the signal.
		const victimIds = [...victim.started.keys()].filter((id) => !startedBefore.has(id));
		const takenAfter = victimIds.filter((id) => (victim.started.get(id) ?? 0) > sentAt);
		const erroredIds = victimIds.filter((id) => victim.errored.has(id));
		const mainFailed = [...n8n!.output().slice(mainOutAt).matchAll(/Execution (\d+) \(job \d+\) failed/g)].map((m) => m[1]);
		const after = await maxId();
		const ids = Array.from({ length: after - before }, (_, i) => String(before + 1 + i));
		const finishedByVictim = victimIds.filter((id) => victim.finished.has(id));
		const rerunByA = victimIds.filter((id) => workerA.started.has(id));
		const bad = results.map((r) => [r.req.id, answerProblem(r)] as const).filter(([, p]) => p);
		const counts = simCounts(sim, load);
		const twice = counts.notOnce.filter((q) => (counts.asked.get(q) ?? 0) > 1);
		const st = await statusCounts(before, after);
		const victimRows = victimIds.length
			? await pg.sql(`SELECT id, status, to_char("stoppedAt" - "startedAt", 'SS.MS') FROM execution_entity WHERE id IN (${victimIds.map((i) => `'${i}'`).join(',')}) ORDER BY id::bigint`)
			: [];
		const times = results.map((r) => r.ms).sort((a, b) => a - b);
		info(`${sig} to worker B ${secs(sentAt - waitStart)} into the run; in this run it started executions ${victimIds.join(', ') || 'none'}; it exited ${exitMs >= 0 ? `${secs(exitMs)} after the signal (code ${victim.proc.exitCode}, signal ${victim.proc.exitSignal})` : 'not within 60 s'}`);
		info(`of these it took ${takenAfter.length} after the signal (${takenAfter.join(', ') || '-'}); it logged "finished" for ${finishedByVictim.length}/${victimIds.length}, "errored" for ${erroredIds.length} (${erroredIds.join(', ') || '-'}); worker A re-ran ${rerunByA.length} (${rerunByA.join(', ') || '-'}); main logged "failed" for ${mainFailed.length} (${mainFailed.join(', ') || '-'})`);
		info(`their rows: ${victimRows.map(([id, s, d]) => `${id} ${s} ${d ?? ''}s`).join('; ') || '-'}`);
		info(`clients: ${results.filter((r) => r.status === 200).length}/10 HTTP 200 in ${secs(ms)} (response times ${times.map((t) => (t / 1000).toFixed(1)).join(' ')} s), statuses ${[...new Set(results.map((r) => r.status))].join(',')}; ${bad.length} wrong/missing answers${bad[0] ? ` (req ${bad[0][0]}: ${bad[0][1]})` : ''}`);
		info(`questions: ${counts.asked.size}/100 reached the API, ${twice.length} asked twice, ${counts.notOnce.length - twice.length} never; executions ${ids.length}: ${fmtCounts(st)}`);
		return { victimIds, finishedByVictim, rerunByA, takenAfter, erroredIds, mainFailed, bad, twice, st, exitMs, results, counts };
	};

	{
		const r = await interruptRun('SIGTERM', 'term');
		check('SIGTERM of a busy worker: it runs the executions it has to their end, then exits', r.victimIds.length > 0 && r.rerunByA.length === 0 && r.exitMs >= 0,
			`${r.victimIds.length} executions, ${r.takenAfter.length} of them taken after the signal, ${r.finishedByVictim.length} logged finished, ${r.erroredIds.length} errored, none re-run elsewhere; exit after ${secs(r.exitMs)}`);
		check('SIGTERM of a busy worker: every client gets its 10 answers, each question asked once, no failed execution',
			r.bad.length === 0 && r.counts.notOnce.length === 0 && (r.st.success ?? 0) === 10 && Object.keys(r.st).length === 1,
			`${r.bad.length} bad responses, ${r.counts.notOnce.length} questions not asked once, ${fmtCounts(r.st)}`);
	}

	// --- 2b. throughput with 1 worker (B is gone) ------------------------------------------------------
	const qps1 = await throughput('1 worker', 'tp1');
	const ratio = qps2 / qps1;
	info(`throughput: 1 worker ${qps1.toFixed(1)} q/s, 2 workers ${qps2.toFixed(1)} q/s, ratio ${ratio.toFixed(2)} (50 requests × 10 questions, ${TP_PARALLEL} requests at a time, [latency:${TP_LATENCY}], worker concurrency ${WORKER_CONCURRENCY}, node concurrency 5)`);
	check('throughput: 2 workers answer faster than 1', ratio > 1.2, `ratio ${ratio.toFixed(2)}`);

	// --- 3b. SIGKILL of a (restarted) worker B ----------------------------------------------------------
	{
		workerB = await startWorker(instance, 'worker-b', folderB, tmp);
		info(`worker B restarted, ready in ${secs(workerB.readyMs)}`);
		const r = await interruptRun('SIGKILL', 'kill');
		const allAnswered = r.results.every((res) => res.status === 200);
		check('SIGKILL of a busy worker: its executions are taken over by the other worker (Bull stalled-job recovery)', r.victimIds.length > 0 && r.rerunByA.length === r.victimIds.length,
			`${r.rerunByA.length}/${r.victimIds.length} re-run by worker A; lock ${LOCK_ENV.QUEUE_WORKER_LOCK_DURATION} ms, stalled check every ${LOCK_ENV.QUEUE_WORKER_STALLED_INTERVAL} ms`);
		check('SIGKILL of a busy worker: every client still gets its 10 answers in order, no failed execution', allAnswered && r.bad.length === 0 && (r.st.success ?? 0) === 10,
			`${r.bad.length} bad, ${fmtCounts(r.st)}, slowest ${secs(Math.max(...r.results.map((x) => x.ms)))}`);
		info(`SIGKILL: ${r.twice.length} questions were asked twice: a killed execution runs again from the start (the webhook's data), so its questions are asked at least once, not exactly once`);
	}

	// --- overall ------------------------------------------------------------------------------------------
	const all = await statusCounts(0, await maxId());
	info(`all executions in execution_entity: ${fmtCounts(all)}`);
	const n8nErrors = n8n
		.output()
		.split('\n')
		.filter((l) => /\b(error|unhandled)\b/i.test(l) && !/deprecat|api\.n8n\.io|ENOTFOUND|License/i.test(l));
	info(`main log: ${n8nErrors.length} error lines${n8nErrors.length ? `, e.g. ${n8nErrors[0].slice(0, 200)}` : ''}`);
}

const deadline = setTimeout(() => abort(`overall deadline of ${secs(DEADLINE_MS)} reached`, 1), DEADLINE_MS);

installSignalHandlers();
main()
	.catch((e) => {
		if (stopping) return;
		failed++;
		process.stdout.write(`FAIL  ${e instanceof Error ? e.message : String(e)}\n`);
	})
	.then(async () => {
		const stopStart = Date.now();
		await cleanup();
		if (!stopping) info(`everything stopped in ${secs(Date.now() - stopStart)}; total ${secs(Date.now() - t0)}`);
	})
	.finally(() => {
		clearTimeout(deadline);
		finish(failed === 0 ? 0 : 1);
	});
