/**
 * Real n8n hosts for the demo and for end-to-end tests.
 *
 * Two host kinds, installed once into a cache outside the repository
 * (env N8N_HOST_CACHE, else ${XDG_CACHE_HOME:-$HOME/.cache}/n8n-nodes-agent-chat):
 *   v1: n8n 1.123.81 on the machine's Node (20)
 *   v2: n8n 2.41.1 on Node 24 (installed from npm's `node` package into <cache>/node24)
 *
 * An instance is a fresh N8N_USER_FOLDER with our packed package installed as a community
 * package; workflows are imported and run headlessly with `n8n execute --rawOutput`.
 *
 * Only Node's standard library is used at run time.
 */
import { execFile } from 'child_process';
import { randomUUID } from 'crypto';
import * as fs from 'fs';
import * as net from 'net';
import * as os from 'os';
import * as path from 'path';
import type { ExecutionError, INode, IWorkflowBase } from 'n8n-workflow';
import { sleep } from '../../testkit/time';
import { makeTempDir, removeOnExit, runProcess, startProcess, type ManagedProcess, type RunResult } from './processes';
import { extractJson, parseRunData, type RunData } from './runData';

export type HostKind = 'v1' | 'v2';

export interface Host {
	kind: HostKind;
	/** n8n version, e.g. "1.123.81". */
	version: string;
	/** The host folder: <cache>/n8n-<version>. */
	dir: string;
	/** The Node binary that runs n8n. */
	nodePath: string;
	/** Folder of that Node binary; put first on PATH for every n8n command (v2). */
	nodeBinDir: string;
	/** <dir>/node_modules/n8n/bin/n8n */
	n8nBin: string;
	/** Host-specific environment, added to every n8n command. */
	env: Record<string, string>;
}

export type { RunResult };

export interface ExecuteResult {
	/**
	 * true when the run data says status "success" with no error, and the process exited 0 or
	 * crashed only after printing it (see crashedOnExit).
	 */
	ok: boolean;
	/** The process's exit code; 128 when it was killed by a signal. */
	exitCode: number;
	signal: NodeJS.Signals | null;
	/**
	 * n8n 2.x on Node 24 with its default expression engine ("vm", isolated-vm) sometimes dies
	 * with SIGSEGV while shutting down, after it printed the complete run data, mostly when the
	 * machine is busy. True when that happened; the run data is then still valid.
	 */
	crashedOnExit: boolean;
	/** The parsed run data, or null. */
	runData: RunData | null;
	/** resultData.error, when the workflow failed (null otherwise). */
	error: ExecutionError | null;
	/**
	 * The failure's message: resultData.error.message, else (no run data, e.g. "Unrecognized node
	 * type: ...", a timeout) the last line n8n printed. null when ok.
	 */
	errorMessage: string | null;
	stdout: string;
	stderr: string;
	durationMs: number;
}

export interface Instance {
	host: Host;
	/** N8N_USER_FOLDER; n8n keeps its data in <userFolder>/.n8n */
	userFolder: string;
	/** Full environment used for n8n commands. */
	env: NodeJS.ProcessEnv;
	/** Node types found in the installed package, e.g. ["n8n-nodes-agent-chat.tencentLke"]. */
	nodeTypes: string[];
	/** Credential types found in the installed package. */
	credentialTypes: string[];
	/** Runs `n8n <args>` with the instance's environment. */
	run(args: string[], opts?: RunOptions): Promise<RunResult>;
	/**
	 * Starts `n8n <args>` (e.g. ['start']) as a managed process named `name`. For `start`, pass
	 * N8N_PORT and a free N8N_RUNNERS_BROKER_PORT (see freePort()): n8n 2.x always starts a task
	 * broker, on 5679 by default.
	 */
	spawn(name: string, args: string[], env?: Record<string, string>, options?: { logFile?: string }): ManagedProcess;
	/** `n8n import:credentials`; ids are generated when missing; returns the ids. */
	importCredentials(creds: CredentialImport[]): Promise<string[]>;
	/** `n8n import:workflow`; an id is generated when missing; returns the id. */
	importWorkflow(workflow: WorkflowImport): Promise<string>;
	/** Several workflows in one `n8n import:workflow` (each n8n command costs ~4 s); returns the ids. */
	importWorkflows(workflows: WorkflowImport[]): Promise<string[]>;
	/** `n8n execute --id=<id> --rawOutput`, parsing the run data out of the output. */
	execute(workflowId: string, opts?: RunOptions): Promise<ExecuteResult>;
	/** Removes the temp folder. */
	dispose(): Promise<void>;
}

/** A credential in n8n's import format. */
export interface CredentialImport {
	id?: string;
	name: string;
	type: string;
	data: Record<string, string | number | boolean>;
}

/** A node as workflows in files write it: n8n's node, with what n8n fills in left optional. */
export type NodeImport = Omit<INode, 'id' | 'position' | 'typeVersion' | 'parameters'> & Partial<Pick<INode, 'id' | 'position' | 'typeVersion' | 'parameters'>>;

/** A workflow in n8n's import format; what n8n fills in may be left out. */
export type WorkflowImport = Partial<Omit<IWorkflowBase, 'nodes'>> & { nodes: NodeImport[] };

export interface RunOptions {
	/** Kill the command after this many ms (default 180000). */
	timeoutMs?: number;
	/** Extra environment for this command only. */
	env?: Record<string, string>;
}

export interface CreateInstanceOptions {
	/** Path of the tarball made by `npm pack`. */
	packageTarball: string;
	/** Extra environment for every n8n command of this instance. */
	env?: Record<string, string>;
	/** Where to make the temp user folder (default os.tmpdir()). */
	tmpRoot?: string;
	/** Check with the host's Node that the package's nodes and credentials load (default true). */
	verifyLoad?: boolean;
}

export interface EnsureOptions {
	/** Progress/log sink (default: console.error with a prefix). */
	log?: (line: string) => void;
}

/**
 * The flags of the README's install-by-hand command (section "Install in n8n"), which reproduces
 * n8n's own installer. Every instance installs the packed package with exactly this command in its
 * nodes folder, and a unit test compares it with the README's text, so the two cannot drift apart.
 */
export const COMMUNITY_INSTALL_FLAGS: readonly string[] = [
	'--audit=false',
	'--fund=false',
	'--bin-links=false',
	'--install-strategy=shallow',
	'--omit=dev',
	'--omit=optional',
	'--omit=peer',
	'--ignore-scripts',
];

/**
 * What n8n writes as the nodes folder's package.json before it installs a community package when
 * there is none. Without it npm installs into the nearest folder above that has a package.json or a
 * node_modules folder (a home folder often has one), where n8n does not look. The README's command
 * writes the same file first, as one line of shell (NODES_FOLDER_MANIFEST_LINE).
 */
export const NODES_FOLDER_MANIFEST = { name: 'installed-nodes', private: true, dependencies: {} } as const;
export const NODES_FOLDER_MANIFEST_LINE = `[ -f package.json ] || echo '${JSON.stringify(NODES_FOLDER_MANIFEST)}' > package.json`;

/** `npm <these arguments>` in the nodes folder installs `spec` (a name, name@version or a tarball). */
export function communityInstallArgs(spec: string): string[] {
	return ['install', spec, ...COMMUNITY_INSTALL_FLAGS];
}

const V1_VERSION = '1.123.81';
const V2_VERSION = '2.41.1';
const NODE24_SPEC = 'node@24';
const MARKER = '.installed-ok';
const PROGRESS_EVERY_MS = 15_000;
export const TEST_ENCRYPTION_KEY = 'n8n-nodes-agent-chat-e2e-test-key-0123456789';

export function cacheRoot(): string {
	if (process.env.N8N_HOST_CACHE) return path.resolve(process.env.N8N_HOST_CACHE);
	const xdg = process.env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache');
	return path.join(xdg, 'n8n-nodes-agent-chat');
}

export function hostVersion(kind: HostKind): string {
	return kind === 'v1' ? V1_VERSION : V2_VERSION;
}

function defaultLog(line: string): void {
	process.stderr.write(`[n8n-host] ${line}\n`);
}

function tail(text: string, lines = 30): string {
	return text.split('\n').slice(-lines).join('\n');
}

function formatElapsed(ms: number): string {
	const s = Math.round(ms / 1000);
	return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
}

/** Size of a folder in MB via `du -sm` (null when unavailable / too slow). */
function folderSizeMb(dir: string): Promise<number | null> {
	return new Promise((resolve) => {
		if (!fs.existsSync(dir)) return resolve(0);
		execFile('du', ['-sm', dir], { timeout: 10_000 }, (err, out) => {
			if (err) return resolve(null);
			const n = parseInt(String(out), 10);
			resolve(Number.isFinite(n) ? n : null);
		});
	});
}

/**
 * The environment for npm commands in a host folder: without the npm_config_* settings that
 * `npm run` hands down from this project's .npmrc (ignore-scripts would make `npm rebuild sqlite3`
 * build nothing, and skip Node 24's postinstall).
 */
function hostNpmEnv(env: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
	const clean: NodeJS.ProcessEnv = {};
	for (const [key, value] of Object.entries(env)) {
		if (!/^npm_config_(ignore_scripts|legacy_peer_deps)$/i.test(key)) clean[key] = value;
	}
	return clean;
}

/**
 * Runs a long command, printing a progress line every ~15 s (elapsed, node_modules size,
 * last output line). Output goes to <logFile>. Throws on a non-zero exit.
 */
async function runStep(
	title: string,
	cmd: string,
	args: string[],
	opts: { cwd: string; env?: NodeJS.ProcessEnv; logFile: string; log: (l: string) => void },
): Promise<void> {
	const started = Date.now();
	let last = '';
	const logStream = fs.createWriteStream(opts.logFile, { flags: 'a' });
	logStream.write(`\n$ ${cmd} ${args.join(' ')}   (cwd ${opts.cwd})\n`);
	opts.log(`${title}: ${cmd} ${args.join(' ')}`);
	let busy = false;
	const ticker = setInterval(async () => {
		if (busy) return;
		busy = true;
		const mb = await folderSizeMb(path.join(opts.cwd, 'node_modules'));
		const size = mb === null ? '' : `, node_modules ${mb} MB`;
		const lastShort = last.length > 120 ? last.slice(0, 117) + '...' : last;
		opts.log(`${title}: ${formatElapsed(Date.now() - started)} elapsed${size}${lastShort ? `, last: ${lastShort}` : ''}`);
		busy = false;
	}, PROGRESS_EVERY_MS);
	try {
		const res = await runProcess(cmd, args, {
			cwd: opts.cwd,
			env: hostNpmEnv(opts.env),
			maxCapture: 200_000,
			onLine: (l: string) => {
				last = l.trim();
				logStream.write(l + '\n');
			},
		});
		if (res.exitCode !== 0) {
			throw new Error(
				`${title} failed (exit ${res.exitCode}) after ${formatElapsed(Date.now() - started)}; ` +
					`log: ${opts.logFile}\n${tail(res.stderr || res.stdout)}`,
			);
		}
		opts.log(`${title}: done in ${formatElapsed(Date.now() - started)}`);
	} finally {
		clearInterval(ticker);
		await new Promise<void>((r) => logStream.end(() => r()));
	}
}

// ---------------------------------------------------------------------------------------------
// Lock (mkdir-based, with the owner's pid inside; a lock whose owner is dead is taken over)

function pidAlive(pid: number): boolean {
	try {
		process.kill(pid, 0);
		return true;
	} catch (e) {
		return (e as NodeJS.ErrnoException).code === 'EPERM';
	}
}

async function withLock<T>(name: string, log: (l: string) => void, fn: () => Promise<T>): Promise<T> {
	const root = cacheRoot();
	fs.mkdirSync(root, { recursive: true });
	const lockDir = path.join(root, `.lock-${name}`);
	const ownerFile = path.join(lockDir, 'owner');
	const started = Date.now();
	let lastNotice = 0;
	let release: () => void;
	for (;;) {
		try {
			fs.mkdirSync(lockDir);
			release = removeOnExit(lockDir);
			fs.writeFileSync(ownerFile, `${process.pid}\n${os.hostname()}\n${new Date().toISOString()}\n`);
			break;
		} catch (e) {
			if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
			let ownerPid = NaN;
			let ownerHost = '';
			try {
				const [p, h] = fs.readFileSync(ownerFile, 'utf8').split('\n');
				ownerPid = parseInt(p, 10);
				ownerHost = h ?? '';
			} catch {
				/* owner file not written yet, or lock being removed */
			}
			let stale = false;
			if (Number.isFinite(ownerPid)) {
				stale = ownerHost === os.hostname() && !pidAlive(ownerPid);
			} else {
				// No owner file: stale if the lock dir is older than a minute.
				try {
					stale = Date.now() - fs.statSync(lockDir).mtimeMs > 60_000;
				} catch {
					/* gone meanwhile */
				}
			}
			if (stale) {
				log(`removing stale lock ${lockDir} (owner pid ${Number.isFinite(ownerPid) ? ownerPid : '?'} is gone)`);
				fs.rmSync(lockDir, { recursive: true, force: true });
				continue;
			}
			if (Date.now() - lastNotice > PROGRESS_EVERY_MS) {
				lastNotice = Date.now();
				log(
					`waiting for ${name}: another process (pid ${Number.isFinite(ownerPid) ? ownerPid : '?'}) is installing it ` +
						`(${formatElapsed(Date.now() - started)})`,
				);
			}
			await sleep(2000);
		}
	}
	try {
		return await fn();
	} finally {
		release();
		fs.rmSync(lockDir, { recursive: true, force: true });
	}
}

// ---------------------------------------------------------------------------------------------
// Installs

function markerOk(dir: string, expect: string): boolean {
	try {
		return fs.readFileSync(path.join(dir, MARKER), 'utf8').trim().split('\n')[0] === expect;
	} catch {
		return false;
	}
}

function writeJson(file: string, value: unknown): void {
	fs.writeFileSync(file, JSON.stringify(value, null, 2) + '\n');
}

/** Starts an install afresh: drops a half-done node_modules and the marker. */
function prepareFolder(dir: string, packageJson: object, log: (l: string) => void): void {
	fs.mkdirSync(dir, { recursive: true });
	fs.rmSync(path.join(dir, MARKER), { force: true });
	const nm = path.join(dir, 'node_modules');
	if (fs.existsSync(nm)) {
		log(`removing unfinished install in ${dir}`);
		fs.rmSync(nm, { recursive: true, force: true });
	}
	writeJson(path.join(dir, 'package.json'), packageJson);
}

function npmCmd(): string {
	return process.platform === 'win32' ? 'npm.cmd' : 'npm';
}

const NPM_QUIET = ['--no-audit', '--no-fund', '--no-update-notifier'];

function node24Dir(): string {
	return path.join(cacheRoot(), 'node24');
}

function node24Bin(): string {
	return path.join(node24Dir(), 'node_modules', 'node', 'bin');
}

function envWithPathFirst(binDir: string, base: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
	return { ...base, PATH: `${binDir}${path.delimiter}${base.PATH ?? ''}` };
}

async function ensureNode24(log: (l: string) => void): Promise<string> {
	const dir = node24Dir();
	const nodePath = path.join(node24Bin(), 'node');
	if (markerOk(dir, NODE24_SPEC) && fs.existsSync(nodePath)) return nodePath;
	return withLock('node24', log, async () => {
		if (markerOk(dir, NODE24_SPEC) && fs.existsSync(nodePath)) return nodePath;
		prepareFolder(dir, { private: true }, log);
		const logFile = path.join(dir, 'install.log');
		// The `node` package downloads its platform binary in a postinstall script: scripts stay on.
		await runStep('install Node 24', npmCmd(), ['install', NODE24_SPEC, ...NPM_QUIET], { cwd: dir, logFile, log });
		const v = await runProcess(nodePath, ['--version']);
		if (v.exitCode !== 0 || !/^v24\./.test(v.stdout.trim())) {
			throw new Error(`Node 24 install in ${dir} is not usable: ${v.stdout}${v.stderr}`);
		}
		fs.writeFileSync(path.join(dir, MARKER), `${NODE24_SPEC}\n${v.stdout.trim()}\n`);
		log(`Node ${v.stdout.trim()} ready at ${nodePath}`);
		return nodePath;
	});
}

function hostFor(kind: HostKind, nodePath: string): Host {
	const version = hostVersion(kind);
	const dir = path.join(cacheRoot(), `n8n-${version}`);
	const env: Record<string, string> =
		kind === 'v1' ? { N8N_EXPRESSION_ENGINE: 'legacy', N8N_RUNNERS_ENABLED: 'false' } : { N8N_RUNNERS_ENABLED: 'false' };
	return {
		kind,
		version,
		dir,
		nodePath,
		nodeBinDir: path.dirname(nodePath),
		n8nBin: path.join(dir, 'node_modules', 'n8n', 'bin', 'n8n'),
		env,
	};
}

/** True when the host is installed completely (no install is started). */
export function isHostInstalled(kind: HostKind): boolean {
	const version = hostVersion(kind);
	const dir = path.join(cacheRoot(), `n8n-${version}`);
	if (!markerOk(dir, version)) return false;
	if (kind === 'v2') return markerOk(node24Dir(), NODE24_SPEC);
	return true;
}

/** Returns the host, installing it first when missing or unfinished. */
export async function ensureHost(kind: HostKind, opts: EnsureOptions = {}): Promise<Host> {
	const log = opts.log ?? defaultLog;
	if (kind !== 'v1' && kind !== 'v2') throw new Error(`unknown host kind ${String(kind)} (v1 or v2)`);
	const nodePath = kind === 'v2' ? await ensureNode24(log) : process.execPath;
	const host = hostFor(kind, nodePath);
	if (markerOk(host.dir, host.version) && fs.existsSync(host.n8nBin)) return host;
	return withLock(`n8n-${host.version}`, log, async () => {
		if (markerOk(host.dir, host.version) && fs.existsSync(host.n8nBin)) return host;
		const started = Date.now();
		log(`installing n8n ${host.version} into ${host.dir} (first time: about 5-8 minutes, ~2.5 GB)`);
		const pkg =
			kind === 'v1'
				? { private: true, dependencies: { n8n: host.version }, overrides: { xlsx: '0.18.5' } }
				: { private: true, dependencies: { n8n: host.version } };
		prepareFolder(host.dir, pkg, log);
		const logFile = path.join(host.dir, 'install.log');
		fs.writeFileSync(logFile, '');
		await runStep(`npm install n8n@${host.version}`, npmCmd(), ['install', '--ignore-scripts', ...NPM_QUIET, '--loglevel=http'], {
			cwd: host.dir,
			logFile,
			log,
		});
		// Native modules: prebuilt downloads are unreachable here, so they are built from source,
		// against the Node that runs n8n (Node 24 first on PATH for v2).
		const rebuild = kind === 'v1' ? ['sqlite3'] : ['sqlite3', 'isolated-vm'];
		await runStep(`npm rebuild ${rebuild.join(' ')}`, npmCmd(), ['rebuild', ...rebuild, ...NPM_QUIET], {
			cwd: host.dir,
			env: envWithPathFirst(host.nodeBinDir),
			logFile,
			log,
		});
		const v = await runProcess(host.nodePath, [host.n8nBin, '--version'], {
			cwd: host.dir,
			env: envWithPathFirst(host.nodeBinDir, { ...process.env, ...host.env }),
			timeoutMs: 120_000,
		});
		if (v.exitCode !== 0 || !v.stdout.includes(host.version)) {
			throw new Error(`n8n ${host.version} does not start: exit ${v.exitCode}\n${tail(v.stdout + v.stderr)}`);
		}
		fs.writeFileSync(path.join(host.dir, MARKER), `${host.version}\n`);
		log(`n8n ${host.version} installed in ${formatElapsed(Date.now() - started)}`);
		return host;
	});
}

// ---------------------------------------------------------------------------------------------
// Instances

/** `npm pack` a package folder; returns the tarball's absolute path. */
export async function packPackage(pkgDir: string, destDir?: string): Promise<string> {
	if (!fs.existsSync(path.join(pkgDir, 'package.json'))) throw new Error(`no package.json in ${pkgDir}`);
	const dest = destDir ?? makeTempDir('n8n-pack');
	fs.mkdirSync(dest, { recursive: true });
	const res = await runProcess(npmCmd(), ['pack', '--json', '--pack-destination', dest, ...NPM_QUIET], { cwd: pkgDir });
	if (res.exitCode !== 0) throw new Error(`npm pack failed in ${pkgDir}:\n${tail(res.stderr)}`);
	const parsed = extractJson(res.stdout, (v) => Array.isArray(v)) as Array<{ filename?: string }> | undefined;
	const filename = parsed?.[0]?.filename;
	if (!filename) throw new Error(`npm pack: no tarball name in output:\n${tail(res.stdout)}`);
	return path.join(dest, String(filename).replace(/^@/, '').replace(/\//g, '-'));
}

/** A TCP port that is free right now on 127.0.0.1. */
export function freePort(): Promise<number> {
	return new Promise((resolve, reject) => {
		const srv = net.createServer();
		srv.unref();
		srv.on('error', reject);
		srv.listen(0, '127.0.0.1', () => {
			const addr = srv.address();
			const port = typeof addr === 'object' && addr ? addr.port : 0;
			srv.close(() => (port ? resolve(port) : reject(new Error('no free port'))));
		});
	});
}

function randomId(len = 16): string {
	const chars = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
	let s = '';
	for (let i = 0; i < len; i++) s += chars[Math.floor(Math.random() * chars.length)];
	return s;
}

/** Reads the installed package's n8n block and checks, with the host's Node, that each file loads. */
async function verifyPackageLoads(host: Host, env: NodeJS.ProcessEnv, pkgDir: string) {
	const script = `
const path = require('path');
const Module = require('module');
// As n8n does: community packages resolve n8n-workflow etc. from n8n's own node_modules.
process.env.NODE_PATH = [path.join(process.argv[2], 'node_modules'), path.join(process.argv[2], 'node_modules', 'n8n', 'node_modules')].join(path.delimiter);
Module._initPaths();
const dir = process.argv[1];
const pkg = require(path.join(dir, 'package.json'));
const out = { name: pkg.name, nodes: [], credentials: [] };
const load = (rel, kind) => {
  const mod = require(path.join(dir, rel));
  const base = path.basename(rel).replace(/\\.(node|credentials)\\.js$/, '');
  const Cls = mod[base] || Object.values(mod).find((v) => typeof v === 'function');
  if (!Cls) throw new Error(rel + ' exports no class');
  const inst = new Cls();
  const name = kind === 'nodes' ? (inst.description && inst.description.name) || (inst.nodeVersions && Object.values(inst.nodeVersions)[0].description.name) : inst.name;
  if (!name) throw new Error(rel + ' has no type name');
  out[kind].push(kind === 'nodes' ? pkg.name + '.' + name : name);
};
for (const rel of (pkg.n8n && pkg.n8n.nodes) || []) load(rel, 'nodes');
for (const rel of (pkg.n8n && pkg.n8n.credentials) || []) load(rel, 'credentials');
process.stdout.write(JSON.stringify(out));
`;
	const res = await runProcess(host.nodePath, ['-e', script, pkgDir, host.dir], { env, timeoutMs: 60_000 });
	const parsed = res.exitCode === 0 ? extractJson(res.stdout, (v) => !!v && typeof v === 'object' && 'nodes' in v) : undefined;
	if (!parsed) {
		throw new Error(`the package in ${pkgDir} does not load on n8n ${host.version}:\n${tail(res.stderr || res.stdout)}`);
	}
	return parsed as { name: string; nodes: string[]; credentials: string[] };
}

/** The environment of every n8n command of an instance: its own user folder, nothing phoning home. */
function instanceEnvironment(host: Host, userFolder: string, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
	const env: NodeJS.ProcessEnv = envWithPathFirst(host.nodeBinDir, {
		...process.env,
		...host.env,
		N8N_USER_FOLDER: userFolder,
		N8N_ENCRYPTION_KEY: TEST_ENCRYPTION_KEY,
		N8N_DIAGNOSTICS_ENABLED: 'false',
		N8N_ENFORCE_SETTINGS_FILE_PERMISSIONS: 'false',
		N8N_RUNNERS_ENABLED: 'false',
		N8N_VERSION_NOTIFICATIONS_ENABLED: 'false',
		N8N_PERSONALIZATION_ENABLED: 'false',
		N8N_TEMPLATES_ENABLED: 'false',
		N8N_HIRING_BANNER_ENABLED: 'false',
		N8N_COMMUNITY_PACKAGES_ENABLED: 'true',
		N8N_REINSTALL_MISSING_PACKAGES: 'false',
		N8N_LOG_LEVEL: 'warn',
		N8N_LOG_OUTPUT: 'console',
		DB_TYPE: 'sqlite',
		NODE_ENV: 'production',
		NO_COLOR: '1',
		...extra,
	});
	// Settings that must not leak in from the caller's environment.
	delete env.N8N_CONFIG_FILES;
	delete env.NODE_OPTIONS;
	return env;
}

/**
 * Installs the tarball into <userFolder>/.n8n/nodes with the README's commands (the nodes folder's
 * package.json when there is none, then communityInstallArgs), run by the host's Node (24 for v2) as
 * a user would run them in that folder, none of this project's npm settings handed down. The user
 * folder holds a package.json and a node_modules folder of its own, as a developer's home folder
 * may: the package must still land in the nodes folder. Peer dependencies (n8n-workflow) are left
 * out: n8n resolves them from its own node_modules (it sets NODE_PATH). Returns the package's folder.
 */
async function installCommunityPackage(host: Host, userFolder: string, tarball: string): Promise<string> {
	const nodesDir = path.join(userFolder, '.n8n', 'nodes');
	fs.mkdirSync(nodesDir, { recursive: true });
	const outerModules = path.join(userFolder, 'node_modules');
	fs.mkdirSync(outerModules);
	fs.writeFileSync(path.join(userFolder, 'package.json'), JSON.stringify({ name: 'home-folder', private: true }));
	const manifestShell = await runProcess('sh', ['-c', NODES_FOLDER_MANIFEST_LINE], { cwd: nodesDir, timeoutMs: 10_000 });
	if (manifestShell.exitCode !== 0) throw new Error(`${NODES_FOLDER_MANIFEST_LINE} failed in ${nodesDir}: ${manifestShell.stderr}`);
	const install = await runProcess(npmCmd(), [...communityInstallArgs(tarball), '--no-update-notifier'], {
		cwd: nodesDir,
		env: envWithPathFirst(host.nodeBinDir, hostNpmEnv()),
		timeoutMs: 300_000,
	});
	if (install.exitCode !== 0) throw new Error(`npm ${communityInstallArgs(tarball).join(' ')} failed in ${nodesDir}:\n${tail(install.stderr || install.stdout)}`);
	if (fs.readdirSync(outerModules).length > 0) throw new Error(`npm install in ${nodesDir} installed into ${outerModules}, a folder above`);
	const manifest = path.join(nodesDir, 'package.json');
	const installed = JSON.parse(fs.readFileSync(manifest, 'utf8')) as { name?: string; dependencies?: Record<string, string> };
	if (installed.name !== NODES_FOLDER_MANIFEST.name) throw new Error(`${manifest} is not the nodes folder's manifest n8n writes (name ${String(installed.name)})`);
	const names = Object.keys(installed.dependencies ?? {});
	if (names.length !== 1) throw new Error(`unexpected dependencies in ${manifest}: ${names.join(', ')}`);
	const pkgDir = path.join(nodesDir, 'node_modules', names[0]);
	if (!fs.existsSync(path.join(pkgDir, 'package.json')) || fs.lstatSync(pkgDir).isSymbolicLink()) {
		throw new Error(`package not installed as a folder at ${pkgDir}`);
	}
	const peer = path.join(nodesDir, 'node_modules', 'n8n-workflow');
	if (fs.existsSync(peer) || fs.existsSync(path.join(pkgDir, 'node_modules', 'n8n-workflow'))) {
		throw new Error(`n8n-workflow was installed beside the package in ${nodesDir}: n8n would load it instead of its own`);
	}
	return pkgDir;
}

/** The run data of an `n8n execute`, and whether the run succeeded. */
function executeResult(res: RunResult, durationMs: number): ExecuteResult {
	const runData = parseRunData(res.stdout) ?? parseRunData(res.stderr) ?? null;
	const error = runData?.data.resultData.error ?? null;
	const succeeded = !!runData && !error && (runData.status === undefined || runData.status === 'success');
	const crashedOnExit = !!res.signal && !res.timedOut && !!runData;
	const ok = succeeded && (res.exitCode === 0 || crashedOnExit);
	let errorMessage: string | null = null;
	if (!ok) {
		const lastLine = (res.stdout + '\n' + res.stderr)
			.split('\n')
			.map((l) => l.trim())
			.filter(Boolean)
			.pop();
		errorMessage = res.timedOut ? `n8n execute timed out` : (error?.message ?? lastLine ?? `n8n execute exited with ${res.exitCode}`);
	}
	return { ok, exitCode: res.exitCode, signal: res.signal, crashedOnExit, runData, error, errorMessage, stdout: res.stdout, stderr: res.stderr, durationMs };
}

/** A workflow as n8n's import wants it: an id, a name, and on every node what terse files leave out. */
function completeWorkflow(workflow: WorkflowImport) {
	const id = workflow.id || randomId();
	return {
		active: false,
		connections: {},
		settings: {},
		...workflow,
		id,
		name: workflow.name || `e2e ${id}`,
		nodes: workflow.nodes.map((node, i) => ({ id: randomUUID(), position: [i * 220, 0], parameters: {}, typeVersion: 1, ...node })),
	};
}

/**
 * A fresh n8n user folder with the packed package installed as a community package in
 * <folder>/.n8n/nodes/node_modules/<name>.
 */
export async function createInstance(host: Host, opts: CreateInstanceOptions): Promise<Instance> {
	const tarball = path.resolve(opts.packageTarball);
	if (!fs.existsSync(tarball)) throw new Error(`package tarball not found: ${tarball}`);
	const userFolder = fs.mkdtempSync(path.join(opts.tmpRoot ?? os.tmpdir(), `n8n-${host.kind}-`));
	const forget = removeOnExit(userFolder);
	const dispose = async () => {
		fs.rmSync(userFolder, { recursive: true, force: true });
		forget();
	};
	const env = instanceEnvironment(host, userFolder, opts.env);
	try {
		const pkgDir = await installCommunityPackage(host, userFolder, tarball);
		const loaded = opts.verifyLoad === false ? { nodes: [], credentials: [] } : await verifyPackageLoads(host, env, pkgDir);
		return instanceOf(host, userFolder, env, loaded.nodes, loaded.credentials, dispose);
	} catch (e) {
		await dispose();
		throw e;
	}
}

function instanceOf(host: Host, userFolder: string, env: NodeJS.ProcessEnv, nodeTypes: string[], credentialTypes: string[], dispose: () => Promise<void>): Instance {
	// n8n 2.x always starts a task broker (N8N_RUNNERS_ENABLED is ignored) on port 5679 by
	// default: each command gets a free port so that instances can run side by side.
	const run = async (args: string[], ro: RunOptions = {}) =>
		runProcess(host.nodePath, [host.n8nBin, ...args], {
			cwd: userFolder,
			env: { ...env, N8N_RUNNERS_BROKER_PORT: String(await freePort()), ...(ro.env ?? {}) },
			timeoutMs: ro.timeoutMs ?? 180_000,
		});
	const runOk = async (what: string, args: string[]) => {
		const res = await run(args);
		if (res.exitCode !== 0) {
			throw new Error(`n8n ${what} failed (exit ${res.exitCode}${res.timedOut ? ', timed out' : ''}):\n${tail(res.stdout + '\n' + res.stderr)}`);
		}
		return res;
	};
	let fileNo = 0;
	const tempJson = (prefix: string, value: unknown) => {
		const file = path.join(userFolder, `${prefix}-${++fileNo}.json`);
		writeJson(file, value);
		return file;
	};
	const instance: Instance = {
		host,
		userFolder,
		env,
		nodeTypes,
		credentialTypes,
		run,
		spawn(name: string, args: string[], extraEnv: Record<string, string> = {}, options: { logFile?: string } = {}) {
			return startProcess(name, host.nodePath, [host.n8nBin, ...args], { cwd: userFolder, env: { ...env, ...extraEnv }, logFile: options.logFile });
		},
		async importCredentials(creds: CredentialImport[]) {
			const list = creds.map((c) => ({ ...c, id: c.id ?? randomId() }));
			await runOk('import:credentials', ['import:credentials', `--input=${tempJson('credentials', list)}`]);
			return list.map((c) => String(c.id));
		},
		async importWorkflows(workflows: WorkflowImport[]) {
			const list = workflows.map(completeWorkflow);
			await runOk('import:workflow', ['import:workflow', `--input=${tempJson('workflows', list)}`]);
			return list.map((wf) => String(wf.id));
		},
		async importWorkflow(workflow: WorkflowImport) {
			return (await instance.importWorkflows([workflow]))[0];
		},
		async execute(workflowId: string, ro: RunOptions = {}) {
			const started = Date.now();
			// Log level info: on a failed run n8n prints the run data through its logger at level
			// info only (on success it prints it with console.log, whatever the level).
			const res = await run(['execute', `--id=${workflowId}`, '--rawOutput'], {
				timeoutMs: ro.timeoutMs,
				env: { N8N_LOG_LEVEL: 'info', ...(ro.env ?? {}) },
			});
			return executeResult(res, Date.now() - started);
		},
		dispose,
	};
	return instance;
}
