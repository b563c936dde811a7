/**
 * The tools' child processes and what happens when a tool ends or is interrupted.
 *
 * Every child runs in its own process group, so that stopping it also stops what it started (n8n
 * starts task runners, PostgreSQL its backends). Whatever a tool started goes away with it: on
 * Ctrl-C, SIGTERM or SIGHUP (`interrupt`), at a deadline, when `main` returns or throws, and, as a
 * last resort, on process exit. A clean stop runs in this order: processes (SIGTERM, SIGKILL after a
 * grace), the registered clean-ups (newest first), the processes marked `stopLast` (the databases
 * the others used), then the temp folders.
 */
import { spawn } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

export interface ProcessOptions {
	cwd?: string;
	env?: NodeJS.ProcessEnv;
	/** Run as this user and group (PostgreSQL refuses to run as root). */
	uid?: number;
	gid?: number;
	/** Append everything the process prints to this file. */
	logFile?: string;
	/** Keep at most this many characters of each output stream (default 400 000, the newest). */
	maxCapture?: number;
	/** The signal that asks the process to stop (default SIGTERM; PostgreSQL's fast shutdown is SIGINT). */
	stopSignal?: NodeJS.Signals;
	/** Stopped after the other processes and the clean-ups (a database the others use). */
	stopLast?: boolean;
}

export interface ManagedProcess {
	readonly name: string;
	readonly pid: number | undefined;
	readonly exited: boolean;
	readonly exitCode: number | null;
	readonly exitSignal: NodeJS.Signals | null;
	/** Resolves when the process has exited (or failed to start). */
	readonly exitPromise: Promise<void>;
	/** What it printed on stdout / stderr (the newest `maxCapture` characters of each). */
	stdout(): string;
	stderr(): string;
	/** Both streams interleaved as they arrived (the newest `maxCapture` characters). */
	output(): string;
	/** The last `lines` lines of output, for error messages. */
	tail(lines?: number): string;
	/** Calls `listener` with each non-empty output line from now on; returns the unsubscribe. */
	onLine(listener: (line: string) => void): () => void;
	/** Resolves when a line matching `pattern` has been printed; rejects on exit or after `timeoutMs`. */
	waitForLine(pattern: RegExp, timeoutMs: number): Promise<void>;
	/** Sends `signal` to the whole process group. */
	signal(signal: NodeJS.Signals): void;
	/** Asks the group to stop, SIGKILLs it after `graceMs`, and waits for the exit. */
	stop(signal?: NodeJS.Signals, graceMs?: number): Promise<void>;
}

export interface RunResult {
	/** The exit code; 128 when a signal ended the process. */
	exitCode: number;
	signal: NodeJS.Signals | null;
	stdout: string;
	stderr: string;
	timedOut: boolean;
}

export interface RunOptions extends ProcessOptions {
	/** SIGTERM after this many ms, SIGKILL 5 s later. */
	timeoutMs?: number;
	/** Called with each non-empty output line. */
	onLine?: (line: string) => void;
}

const DEFAULT_CAPTURE = 400_000;
const STOP_GRACE_MS = 15_000;
const EXIT_SIGNALS: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];

const live = new Set<ManagedProcess & { stopLast: boolean; stopSignal: NodeJS.Signals }>();
const cleanups: Array<() => Promise<void> | void> = [];
const removeAtExit = new Set<string>();
const interruptListeners: Array<(reason: string) => void> = [];
let interrupted = false;
let shuttingDown: Promise<void> | undefined;
let exitHookInstalled = false;

function signalGroup(pid: number | undefined, signal: NodeJS.Signals): void {
	if (!pid) return;
	try {
		process.kill(-pid, signal);
	} catch {
		// the group is gone already
	}
}

/** The synchronous last resort: whatever is still running or held is killed or removed. */
function installExitHook(): void {
	if (exitHookInstalled) return;
	exitHookInstalled = true;
	process.on('exit', () => {
		for (const child of live) signalGroup(child.pid, 'SIGKILL');
		for (const target of removeAtExit) fs.rmSync(target, { recursive: true, force: true });
	});
}

/** Keeps the newest `max` characters. */
function capped(text: string, max: number): string {
	return text.length > max ? text.slice(text.length - max) : text;
}

/** What a child prints: kept (the newest `max` characters of each stream), logged, and handed on line by line. */
class Output {
	private readonly captured = { out: '', err: '', all: '' };
	private readonly partial = { out: '', err: '' };
	private readonly listeners = new Set<(line: string) => void>();

	constructor(
		private readonly max: number,
		private readonly log: fs.WriteStream | undefined,
	) {}

	feed(stream: 'out' | 'err', chunk: Buffer): void {
		const text = chunk.toString('utf8');
		this.log?.write(text);
		this.captured[stream] = capped(this.captured[stream] + text, this.max);
		this.captured.all = capped(this.captured.all + text, this.max);
		const lines = (this.partial[stream] + text).split(/\r?\n|\r/);
		this.partial[stream] = lines.pop() ?? '';
		for (const line of lines) this.emit(line);
	}

	/** The last unfinished lines, once the streams have ended. */
	end(): void {
		this.emit(this.partial.out);
		this.emit(this.partial.err);
		this.log?.end();
	}

	note(text: string): void {
		this.captured.err += text;
		this.captured.all += text;
	}

	text(stream: 'out' | 'err' | 'all'): string {
		return this.captured[stream];
	}

	subscribe(listener: (line: string) => void): () => void {
		this.listeners.add(listener);
		return () => this.listeners.delete(listener);
	}

	private emit(line: string): void {
		if (line.trim()) for (const listener of this.listeners) listener(line);
	}
}

/** Starts `cmd` in its own process group with piped output; the tool stops it at the latest when it ends. */
export function startProcess(name: string, cmd: string, args: string[], options: ProcessOptions = {}): ManagedProcess {
	installExitHook();
	const child = spawn(cmd, args, {
		cwd: options.cwd,
		env: options.env ?? process.env,
		uid: options.uid,
		gid: options.gid,
		stdio: ['ignore', 'pipe', 'pipe'],
		detached: true,
	});
	const output = new Output(options.maxCapture ?? DEFAULT_CAPTURE, options.logFile ? fs.createWriteStream(options.logFile, { flags: 'a' }) : undefined);
	child.stdout?.on('data', (chunk: Buffer) => output.feed('out', chunk));
	child.stderr?.on('data', (chunk: Buffer) => output.feed('err', chunk));

	let state: { exited: boolean; code: number | null; signal: NodeJS.Signals | null } = { exited: false, code: null, signal: null };
	const exitPromise = new Promise<void>((resolve) => {
		const finish = (code: number | null, signal: NodeJS.Signals | null): void => {
			if (state.exited) return;
			state = { exited: true, code, signal };
			output.end();
			live.delete(managed);
			resolve();
		};
		// 'close' waits for the output streams to end, so nothing printed is lost.
		child.once('close', finish);
		child.once('error', (error) => {
			output.note(`${error.message}\n`);
			finish(127, null);
		});
	});

	const managed: ManagedProcess & { stopLast: boolean; stopSignal: NodeJS.Signals } = {
		name,
		pid: child.pid,
		stopLast: options.stopLast ?? false,
		stopSignal: options.stopSignal ?? 'SIGTERM',
		get exited() {
			return state.exited;
		},
		get exitCode() {
			return state.code;
		},
		get exitSignal() {
			return state.signal;
		},
		exitPromise,
		stdout: () => output.text('out'),
		stderr: () => output.text('err'),
		output: () => output.text('all'),
		tail: (lines = 30) => output.text('all').split('\n').slice(-lines).join('\n'),
		onLine: (listener) => output.subscribe(listener),
		waitForLine: (pattern, timeoutMs) => waitForLine(managed, pattern, timeoutMs),
		signal(signal: NodeJS.Signals) {
			if (!state.exited) signalGroup(child.pid, signal);
		},
		async stop(signal: NodeJS.Signals = managed.stopSignal, graceMs = STOP_GRACE_MS) {
			if (!state.exited) {
				signalGroup(child.pid, signal);
				const timer = setTimeout(() => signalGroup(child.pid, 'SIGKILL'), graceMs);
				await exitPromise;
				clearTimeout(timer);
			}
			// Helpers the process started and left behind in its group go too.
			signalGroup(child.pid, 'SIGKILL');
		},
	};
	live.add(managed);
	return managed;
}

function waitForLine(child: ManagedProcess, pattern: RegExp, timeoutMs: number): Promise<void> {
	if (child.output().split('\n').some((line) => pattern.test(line))) return Promise.resolve();
	return new Promise<void>((resolve, reject) => {
		const done = (error?: Error): void => {
			clearTimeout(timer);
			unsubscribe();
			if (error) reject(error);
			else resolve();
		};
		const timer = setTimeout(() => done(new Error(`${child.name}: no line matching ${pattern} within ${timeoutMs / 1000} s:\n${child.tail(25)}`)), timeoutMs);
		const unsubscribe = child.onLine((line) => {
			if (pattern.test(line)) done();
		});
		void child.exitPromise.then(() => done(new Error(`${child.name} exited (code ${child.exitCode}, signal ${child.exitSignal}) before printing ${pattern}:\n${child.tail(25)}`)));
	});
}

/** Runs `cmd` to its end and returns what it printed. */
export async function runProcess(cmd: string, args: string[], options: RunOptions = {}): Promise<RunResult> {
	// Unlike a long-running process, a command's whole output is its result (n8n prints run data).
	const child = startProcess(path.basename(cmd), cmd, args, { maxCapture: Number.POSITIVE_INFINITY, ...options });
	if (options.onLine) child.onLine(options.onLine);
	let timedOut = false;
	const timer =
		options.timeoutMs && options.timeoutMs > 0
			? setTimeout(() => {
					timedOut = true;
					void child.stop('SIGTERM', 5000);
				}, options.timeoutMs)
			: undefined;
	await child.exitPromise;
	if (timer) clearTimeout(timer);
	return {
		exitCode: child.exitCode ?? (child.exitSignal ? 128 : 1),
		signal: child.exitSignal,
		stdout: child.stdout(),
		stderr: child.stderr(),
		timedOut,
	};
}

/** Removes `target` when the process exits, unless the returned function was called first. */
export function removeOnExit(target: string): () => void {
	installExitHook();
	removeAtExit.add(target);
	return () => removeAtExit.delete(target);
}

/** A fresh temp folder, removed when the tool stops (`keep`: left for inspection and named on stdout). */
export function makeTempDir(prefix: string, options: { keep?: boolean; parent?: string } = {}): string {
	const dir = fs.mkdtempSync(path.join(options.parent ?? os.tmpdir(), `${prefix}-`));
	if (options.keep) addCleanup(() => void process.stdout.write(`kept ${dir}\n`));
	else removeOnExit(dir);
	return dir;
}

/** Runs `cleanup` when the tool stops (after its processes have stopped); returns the unregister. */
export function addCleanup(cleanup: () => Promise<void> | void): () => void {
	cleanups.push(cleanup);
	return () => {
		const at = cleanups.indexOf(cleanup);
		if (at >= 0) cleanups.splice(at, 1);
	};
}

/** Calls `listener` once, first thing, when the tool is interrupted. */
export function onInterrupt(listener: (reason: string) => void): void {
	interruptListeners.push(listener);
}

export function isInterrupted(): boolean {
	return interrupted;
}

/** After an interrupt the shutdown owns the process: the tool's own flow stops here, for good. */
export async function haltIfInterrupted(): Promise<void> {
	if (interrupted) await new Promise<never>(() => undefined);
}

/** Stops every process, runs the clean-ups, removes the temp folders; once, however often called. */
export function shutDown(): Promise<void> {
	shuttingDown ??= (async () => {
		const stopAll = (last: boolean) => Promise.all([...live].filter((child) => child.stopLast === last).map((child) => child.stop(child.stopSignal, 10_000)));
		await stopAll(false);
		for (const cleanup of cleanups.splice(0).reverse()) {
			try {
				await cleanup();
			} catch (error) {
				process.stderr.write(`clean-up failed: ${error instanceof Error ? error.message : String(error)}\n`);
			}
		}
		await stopAll(true);
		for (const target of [...removeAtExit]) {
			fs.rmSync(target, { recursive: true, force: true });
			removeAtExit.delete(target);
		}
	})();
	return shuttingDown;
}

/** Ctrl-C, a signal or a deadline: tell the listeners, stop everything (bounded to a minute), exit. */
export function interrupt(reason: string, exitCode = 130): void {
	if (interrupted) return;
	interrupted = true;
	process.stdout.write(`\ninterrupted (${reason}): stopping everything\n`);
	for (const listener of interruptListeners) listener(reason);
	setTimeout(() => process.exit(exitCode), 60_000).unref();
	void shutDown().finally(() => process.exit(exitCode));
}

/**
 * Runs a tool's `main`: signals interrupt it; when it returns (its exit code) or throws (exit 1),
 * everything it started is stopped before the process exits.
 */
export function runTool(name: string, main: () => Promise<number>): void {
	for (const signal of EXIT_SIGNALS) process.on(signal, () => interrupt(signal, 128 + (os.constants.signals[signal] ?? 1)));
	main()
		.catch((error: unknown) => {
			process.stderr.write(`${name} failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
			return 1;
		})
		.then(async (code) => {
			await haltIfInterrupted();
			await shutDown();
			process.exit(code);
		});
}
