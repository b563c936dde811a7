/**
 * Shared harness of the hardening suite (test/hardening): every node kind runs through real n8n-core
 * executions (runWorkflow) against the vendor simulator started with distinctive secrets, and after
 * every case the checks that apply to all of them:
 *  - no unhandled promise rejection fired,
 *  - no request is still open on the simulator, and every open socket is an idle keep-alive socket
 *    of the package's undici pool (those are not leaks); at the end the pool is closed and the
 *    process's TCP sockets return to their baseline,
 *  - no secret (credential values, every Authorization value sent, the tate Authorization's decoded
 *    secret) appears in an output item, an error message or description, a captured n8n log line,
 *    or anything written to stdout/stderr/console,
 * and a figure per case (outcome, elapsed time for information) written to build/reliability/<suite>.json,
 * from which tools/reliabilityReport.ts writes RELIABILITY.md.
 */
import * as diagnosticsChannel from 'diagnostics_channel';
import * as fs from 'fs';
import * as http from 'http';
import type { AddressInfo, Socket } from 'net';
import * as path from 'path';
import * as vm from 'vm';
import type {
	ExecutionError,
	IConnections,
	ICredentialDataDecryptedObject,
	ICredentialType,
	IDataObject,
	INode,
	INodeExecutionData,
	INodeParameters,
	INodeType,
} from 'n8n-workflow';
import { AiskApi } from '../../credentials/AiskApi.credentials';
import { TateATateApi } from '../../credentials/TateATateApi.credentials';
import { TencentLkeApi } from '../../credentials/TencentLkeApi.credentials';
import { Aisk } from '../../nodes/Aisk/Aisk.node';
import { getDispatcher } from '../../nodes/shared/transport';
import { TateATate } from '../../nodes/TateATate/TateATate.node';
import { TencentLke } from '../../nodes/TencentLke/TencentLke.node';
import { PROFILES, parametersOf, secretValues, simulatorCredentials, type NodeKind } from '../../testkit/profiles';
import type { CaseFigure, HardeningFigures } from '../../testkit/reliabilityFigures';
import { startSimulator, type Simulator, type SimulatorKeys } from '../../testkit/simulator';
import { sleep } from '../../testkit/time';
import { manualTriggerNode, runWorkflow, type WorkflowRunResult } from './workflowRunner';

/**
 * The process itself: jest gives each test file a copy of `process`, so listeners added to it never
 * hear the real process's 'unhandledRejection'; the main context's global is the real one.
 */
export const realProcess = vm.runInThisContext('process') as NodeJS.Process;

/** Distinctive values: a hit in any scanned text is a leak, never a coincidence. */
export const SECRETS: SimulatorKeys = {
	lkeAppKey: 'hx-LKE-appkey-9f1c7e2b5a0d',
	// real SecretIds are 36 characters: the TC3 Authorization is then over 200 characters long
	secretId: 'AKIDhxHardening4d8e6f0a2c1b3d5f7e9a0b',
	secretKey: 'hx-TC3-secretkey-3b7d91ce84',
	aiskToken: 'hx-AISK-token-a52f08d6e1b7',
	tateSecretKey: 'hx-TATE-secret-7c3e5b19f2a6d4e8a1c3b5d7f90',
};

/** The fixed secret values; the SecretId is left out: it travels in clear in every TC3 Authorization. */
export const FIXED_SECRETS: readonly string[] = secretValues(SECRETS);

export type { NodeKind };

/** The node classes by node type: a new vendor's node joins here, its kinds in testkit/profiles.ts. */
const NODE_CLASSES: Record<string, () => INodeType> = {
	[PROFILES['lke-chat'].nodeType]: () => new TencentLke(),
	[PROFILES.aisk.nodeType]: () => new Aisk(),
	[PROFILES['tate-sync'].nodeType]: () => new TateATate(),
};

const CREDENTIAL_CLASSES: Record<string, () => ICredentialType> = {
	[PROFILES['lke-chat'].credentialType]: () => new TencentLkeApi(),
	[PROFILES.aisk.credentialType]: () => new AiskApi(),
	[PROFILES['tate-sync'].credentialType]: () => new TateATateApi(),
};

export const NODE_NAME = 'Node';

export interface CaseRun {
	kind: NodeKind;
	/** Merged over the kind's defaults; `options` is merged too. */
	parameters?: IDataObject;
	inputItems?: IDataObject[];
	continueOnFail?: boolean;
	/** Merged over the credential pointing at the simulator. */
	credentials?: ICredentialDataDecryptedObject;
	abortAfterMs?: number;
	/** Called after the simulator's reset, before the run: enqueue scripts here. */
	setup?: (sim: Simulator, echo: EchoServer) => void;
}

/** A URL where nothing listens (a port that was just free). */
export async function refusedUrl(): Promise<string> {
	const server = http.createServer();
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	const { port } = server.address() as AddressInfo;
	await new Promise<void>((resolve) => server.close(() => resolve()));
	return `http://127.0.0.1:${port}`;
}

/** RFC 2606: `.invalid` never resolves. */
export const UNKNOWN_HOST_URL = 'http://agent-chat-hardening.invalid';

/* ------------------------------------------------------------------ */
/* A server that echoes the request (secrets included) in a 500 page   */
/* ------------------------------------------------------------------ */

export interface EchoServer {
	url: string;
	requests: Array<{ headers: http.IncomingHttpHeaders; body: string }>;
	openConnections(): number;
	close(): Promise<void>;
}

/** Answers everything with HTTP 500 text/html quoting the request's Authorization and body. */
export async function startEchoServer(): Promise<EchoServer> {
	const sockets = new Set<Socket>();
	const requests: EchoServer['requests'] = [];
	const server = http.createServer((req, res) => {
		const chunks: Buffer[] = [];
		req.on('data', (chunk: Buffer) => chunks.push(chunk));
		req.on('end', () => {
			const body = Buffer.concat(chunks).toString('utf8');
			requests.push({ headers: req.headers, body });
			let appKey = '';
			try {
				const json = JSON.parse(body) as { bot_app_key?: string; BotAppKey?: string; AppKey?: string };
				appKey = json.bot_app_key ?? json.BotAppKey ?? json.AppKey ?? '';
			} catch {
				appKey = '';
			}
			const page =
				`<html><head><title>500</title><style>p{color:red}</style></head><body><p>auth=${req.headers.authorization ?? ''} ` +
				`key=${appKey}</p><pre>request body: ${body.replace(/</g, '&lt;')}</pre></body></html>`;
			res.writeHead(500, { 'content-type': 'text/html; charset=utf-8' });
			res.end(page);
		});
	});
	server.on('connection', (socket) => {
		sockets.add(socket);
		socket.on('close', () => sockets.delete(socket));
	});
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	const { port } = server.address() as AddressInfo;
	return {
		url: `http://127.0.0.1:${port}`,
		requests,
		openConnections: () => sockets.size,
		close: async () => {
			for (const socket of sockets) socket.destroy();
			await new Promise<void>((resolve) => server.close(() => resolve()));
		},
	};
}

/* ------------------------------------------------------------------ */
/* Console capture                                                     */
/* ------------------------------------------------------------------ */

const CONSOLE_METHODS = ['log', 'info', 'warn', 'error', 'debug', 'trace'] as const;

/** Records everything written to stdout, stderr and the console (still passing it on). */
export class OutputCapture {
	readonly texts: string[] = [];
	private readonly restore: Array<() => void> = [];

	install(): void {
		for (const stream of [realProcess.stdout, realProcess.stderr]) {
			const original = stream.write;
			const texts = this.texts;
			stream.write = function (this: NodeJS.WriteStream, chunk: unknown, ...rest: unknown[]): boolean {
				texts.push(typeof chunk === 'string' ? chunk : Buffer.isBuffer(chunk) ? chunk.toString('utf8') : String(chunk));
				return (original as (...args: unknown[]) => boolean).call(this, chunk, ...rest);
			} as typeof stream.write;
			this.restore.push(() => {
				stream.write = original;
			});
		}
		for (const method of CONSOLE_METHODS) {
			const original = console[method];
			const texts = this.texts;
			console[method] = (...args: unknown[]) => {
				texts.push(args.map((arg) => (typeof arg === 'string' ? arg : safeStringify(arg))).join(' '));
				(original as (...a: unknown[]) => void).apply(console, args);
			};
			this.restore.push(() => {
				console[method] = original;
			});
		}
	}

	uninstall(): void {
		for (const undo of this.restore.splice(0).reverse()) undo();
	}
}

export function safeStringify(value: unknown): string {
	const seen = new WeakSet<object>();
	return JSON.stringify(value, (_key, entry: unknown) => {
		if (entry instanceof Error) {
			return { name: entry.name, message: entry.message, stack: entry.stack, ...(entry as unknown as IDataObject) };
		}
		if (typeof entry === 'bigint') return entry.toString();
		if (entry && typeof entry === 'object') {
			if (seen.has(entry)) return '[circular]';
			seen.add(entry);
		}
		return entry;
	}) ?? String(value);
}

/* ------------------------------------------------------------------ */
/* Sockets                                                             */
/* ------------------------------------------------------------------ */

interface PoolStats {
	connected: number;
	free: number;
	pending: number;
	queued: number;
	running: number;
	size: number;
}

/** The package's undici pool, summed over origins (EnvHttpProxyAgent → its direct Agent → a Pool per origin). */
export function packagePoolStats(): PoolStats & { origins: number } {
	const dispatcher = getDispatcher() as unknown as Record<symbol, { stats?: Record<string, PoolStats> }>;
	const total = { connected: 0, free: 0, pending: 0, queued: 0, running: 0, size: 0, origins: 0 };
	const agents = Object.getOwnPropertySymbols(dispatcher)
		.filter((symbol) => /proxy agent/.test(symbol.description ?? ''))
		.map((symbol) => dispatcher[symbol]);
	for (const agent of new Set(agents)) {
		for (const stats of Object.values(agent?.stats ?? {})) {
			total.origins++;
			for (const key of ['connected', 'free', 'pending', 'queued', 'running', 'size'] as const) total[key] += stats[key];
		}
	}
	return total;
}

/**
 * Open TCP sockets that keep the process alive (`getActiveResourcesInfo`). undici unrefs the idle
 * sockets of its pool, so those do not count here: they are tracked by `clientSockets`.
 */
export function tcpSocketCount(): number {
	return process.getActiveResourcesInfo().filter((name) => name === 'TCPSocketWrap').length;
}

const openClientSockets = new Set<Socket>();
let trackingClientSockets = false;

/** Every client socket this process opens from now on (Node's `net.client.socket` channel), until it closes. */
export function trackClientSockets(): void {
	if (trackingClientSockets) return;
	trackingClientSockets = true;
	diagnosticsChannel.subscribe('net.client.socket', (message: unknown) => {
		const socket = (message as { socket: Socket }).socket;
		openClientSockets.add(socket);
		socket.once('close', () => openClientSockets.delete(socket));
	});
}

export function clientSocketCount(): number {
	return openClientSockets.size;
}

/** Polls until `check` returns undefined (all good) or the time is up; returns the last complaint. */
export async function settle(check: () => string | undefined, withinMs = 1500): Promise<string | undefined> {
	const deadline = Date.now() + withinMs;
	let complaint = check();
	while (complaint !== undefined && Date.now() < deadline) {
		await sleep(10);
		complaint = check();
	}
	return complaint;
}

/* ------------------------------------------------------------------ */
/* Figures                                                             */
/* ------------------------------------------------------------------ */

export const FIGURES_DIR = path.resolve(__dirname, '..', '..', 'build', 'reliability');

export function writeFigures(suite: string, data: Omit<HardeningFigures, 'suite' | 'writtenAt' | 'node'>): void {
	fs.mkdirSync(FIGURES_DIR, { recursive: true });
	const file = path.join(FIGURES_DIR, `${suite}.json`);
	fs.writeFileSync(file, `${JSON.stringify({ suite, writtenAt: new Date().toISOString(), node: process.version, ...data }, null, '\t')}\n`);
}

/* ------------------------------------------------------------------ */
/* The harness                                                         */
/* ------------------------------------------------------------------ */

export interface CaseOutcome {
	result: WorkflowRunResult;
	elapsedMs: number;
	/** The node's first output (empty when it failed without Continue On Fail). */
	items: INodeExecutionData[];
	error: ExecutionError | undefined;
	/** The failed item's code, or the thrown error's code, or 'ok'. */
	outcome: string;
}

export class Hardening {
	sim!: Simulator;
	echo!: EchoServer;
	readonly unhandled: unknown[] = [];
	readonly output = new OutputCapture();
	readonly figures: CaseFigure[] = [];
	/** More figures for the report (chunking, load …), written with the cases. */
	readonly extra: Partial<Pick<HardeningFigures, 'chunking' | 'load' | 'run' | 'secrets'>> = {};
	/** Every text scanned for secrets, counted for the report. */
	scannedTexts = 0;
	scannedCases = 0;
	leaks = 0;
	/** Authorization values sent to servers that are gone (echo of earlier cases) stay masked targets. */
	private readonly seenAuthorizations = new Set<string>();
	private baselineTcp = 0;
	private baselineClients = 0;
	private readonly onUnhandled = (reason: unknown) => {
		this.unhandled.push(reason);
	};

	constructor(readonly suite: string) {}

	async start(): Promise<void> {
		realProcess.on('unhandledRejection', this.onUnhandled);
		trackClientSockets();
		this.baselineTcp = tcpSocketCount();
		this.baselineClients = clientSocketCount();
		this.sim = await startSimulator(SECRETS);
		this.echo = await startEchoServer();
		this.output.install();
	}

	/** Closes the package's pool and both servers; the process's TCP sockets must return to the baseline. */
	async stop(): Promise<void> {
		this.output.uninstall();
		await getDispatcher().close();
		const complaint = await settle(() => {
			const open = this.sim.openConnections() + this.echo.openConnections();
			const clients = clientSocketCount() - this.baselineClients;
			const tcp = tcpSocketCount() - this.baselineTcp;
			return open === 0 && clients <= 0 && tcp <= 0 ? undefined : `server sockets ${open}, client sockets ${clients}, TCP handles ${tcp} above the baseline`;
		}, 3000);
		const socketsAfterClose = Math.max(0, tcpSocketCount() - this.baselineTcp) + Math.max(0, clientSocketCount() - this.baselineClients);
		await this.sim.close();
		await this.echo.close();
		realProcess.off('unhandledRejection', this.onUnhandled);
		writeFigures(this.suite, {
			cases: this.figures,
			secretScan: { cases: this.scannedCases, texts: this.scannedTexts, leaks: this.leaks },
			unhandledRejections: this.unhandled.length,
			sockets: { aboveBaselineAfterPoolClosed: socketsAfterClose, settled: complaint === undefined },
			...this.extra,
		});
		if (complaint !== undefined) throw new Error(`sockets did not return to the baseline after closing the pool: ${complaint}`);
	}

	/** A credential per credential type pointing at the simulator; `overrides` go over the kind's own. */
	credentials(kind: NodeKind, overrides: ICredentialDataDecryptedObject = {}): Record<string, ICredentialDataDecryptedObject> {
		const byType: Record<string, ICredentialDataDecryptedObject> = simulatorCredentials(this.sim.url, SECRETS);
		const own = PROFILES[kind].credentialType;
		byType[own] = { ...byType[own], ...overrides };
		return byType;
	}

	/** One workflow: Manual Trigger → the node. */
	async run(spec: CaseRun): Promise<WorkflowRunResult> {
		const profile = PROFILES[spec.kind];
		const node: INode = {
			id: 'node-under-test',
			name: NODE_NAME,
			type: profile.nodeType,
			typeVersion: 1,
			position: [200, 0],
			parameters: parametersOf(spec.kind, spec.parameters) as INodeParameters,
			continueOnFail: spec.continueOnFail ?? false,
		};
		const connections: IConnections = { Start: { main: [[{ node: NODE_NAME, type: 'main', index: 0 }]] } };
		return await runWorkflow({
			nodeTypes: Object.fromEntries(Object.entries(NODE_CLASSES).map(([type, make]) => [type, make()])),
			credentialTypes: Object.fromEntries(Object.entries(CREDENTIAL_CLASSES).map(([type, make]) => [type, make()])),
			credentials: this.credentials(spec.kind, spec.credentials),
			workflow: { nodes: [manualTriggerNode('Start'), node], connections },
			inputItems: spec.inputItems ?? [{ chatInput: 'hello' }],
			abortAfterMs: spec.abortAfterMs,
			cancelGraceMs: 2000,
		});
	}

	/** Runs a case and applies the checks every case must pass; returns what the case asserts on. */
	async runCase(spec: CaseRun): Promise<CaseOutcome> {
		this.secretValues(); // remember the Authorization values sent so far before forgetting the requests
		this.sim.reset();
		this.echo.requests.length = 0;
		spec.setup?.(this.sim, this.echo);
		const started = Date.now();
		const result = await this.run(spec);
		const elapsedMs = Date.now() - started;
		const error = result.errorOf(NODE_NAME);
		let items: INodeExecutionData[] = [];
		try {
			items = result.outputOf(NODE_NAME);
		} catch {
			items = [];
		}
		const firstFailed = items.find((item) => item.json.error !== undefined);
		const outcome = error
			? codeOfError(error)
			: firstFailed
				? String(firstFailed.json.code)
				: 'ok';
		await this.expectClean(result);
		return { result, elapsedMs, items, error, outcome };
	}

	/** The checks after a case: no unhandled rejection, no open request, no socket outside the pool, no secret shown. */
	async expectClean(result?: WorkflowRunResult): Promise<void> {
		const complaint = await settle(() => this.socketComplaint());
		if (complaint !== undefined) throw new Error(`connection leak: ${complaint}`);
		// let any rejection that is going to go unhandled surface
		await sleep(0);
		if (this.unhandled.length > 0) throw new Error(`unhandled rejection: ${safeStringify(this.unhandled)}`);
		if (result) this.expectNoSecrets(result);
	}

	/** undefined when every open socket is an idle keep-alive socket of the package's pool. */
	socketComplaint(): string | undefined {
		const inFlight = this.sim.inFlight();
		const pool = packagePoolStats();
		const serverSockets = this.sim.openConnections() + this.echo.openConnections();
		const clients = clientSocketCount() - this.baselineClients;
		const tcp = tcpSocketCount() - this.baselineTcp;
		if (inFlight !== 0) return `${inFlight} request(s) still in flight on the simulator`;
		if (pool.running + pool.pending + pool.queued !== 0) return `pool busy: ${safeStringify(pool)}`;
		if (pool.connected !== pool.free) return `pooled sockets not idle: ${safeStringify(pool)}`;
		if (clients !== pool.connected) return `${clients} client socket(s) open but ${pool.connected} in the pool`;
		if (serverSockets !== pool.connected) return `${serverSockets} server socket(s) but ${pool.connected} pooled client socket(s)`;
		// idle pooled client sockets are unref'd: what keeps the process alive is only the server ends
		if (tcp > serverSockets) return `${tcp} TCP handles above the baseline, more than the ${serverSockets} server end(s)`;
		return undefined;
	}

	idlePooledSockets(): number {
		return packagePoolStats().connected;
	}

	/**
	 * What must never be shown: the fixed secrets, and every Authorization value sent so far (the
	 * tate form is base64 of JSON carrying the secret key). Excerpts cut texts short, so fragments
	 * count too: every 12-character window (step 4) of a fixed secret, the first and last 32
	 * characters of each Authorization value (a whole value contains both), a TC3 signature, and the
	 * part of a tate Authorization that encodes the secret key.
	 */
	secretValues(): string[] {
		for (const request of [...this.sim.requests, ...this.echo.requests]) {
			const authorization = request.headers.authorization;
			if (typeof authorization === 'string' && authorization !== '') this.seenAuthorizations.add(authorization);
		}
		const values = new Set<string>([...FIXED_SECRETS, `Bearer ${SECRETS.aiskToken}`]);
		for (const secret of FIXED_SECRETS) {
			for (let at = 0; at + 12 <= secret.length; at += 4) values.add(secret.slice(at, at + 12));
			values.add(secret.slice(-12));
		}
		for (const authorization of this.seenAuthorizations) {
			values.add(authorization.slice(0, 32));
			values.add(authorization.slice(-32));
			const signature = /Signature=([0-9a-f]{64})/.exec(authorization);
			if (signature) values.add(signature[1]);
			if (/^[A-Za-z0-9+/=]+$/.test(authorization)) {
				// the tate form: {"timestamp":<10 digits>, is 24 bytes, so the secret key's part starts at base64 character 32
				values.add(authorization.slice(32, 80));
				try {
					const json = JSON.parse(Buffer.from(authorization, 'base64').toString('utf8')) as { secretKey?: string; signature?: string };
					if (json.secretKey) values.add(json.secretKey);
					if (json.signature) values.add(json.signature);
				} catch {
					// not the tate form
				}
			}
		}
		return [...values];
	}

	/** Throws when a secret shows in the run's output, errors, logs, or anything written to the console. */
	expectNoSecrets(result: WorkflowRunResult): void {
		const resultData = result.run.data.resultData;
		const texts = [
			safeStringify(resultData.runData),
			safeStringify(resultData.error ?? null),
			safeStringify(result.logs),
			...this.output.texts.splice(0),
		];
		const error = result.errorOf(NODE_NAME);
		if (error) texts.push(error.message, String(error.description ?? ''), safeStringify(error));
		this.scanTexts(texts);
	}

	scanTexts(texts: string[]): void {
		this.scannedCases++;
		this.scannedTexts += texts.length;
		const secrets = this.secretValues();
		for (const text of texts) {
			for (const secret of secrets) {
				if (text.includes(secret)) {
					this.leaks++;
					const at = text.indexOf(secret);
					throw new Error(`secret leaked (${JSON.stringify(secret)}): …${text.slice(Math.max(0, at - 120), at + secret.length + 60)}…`);
				}
			}
		}
	}

	/**
	 * Proves the detector hears the real process: a deliberate unhandled rejection, with jest's own
	 * handler (which would fail the test) set aside meanwhile.
	 */
	async canary(): Promise<number> {
		const others = realProcess.listeners('unhandledRejection');
		for (const listener of others) if (listener !== this.onUnhandled) realProcess.off('unhandledRejection', listener);
		try {
			void Promise.reject(new Error('canary: a deliberately unhandled rejection'));
			await sleep(20);
		} finally {
			for (const listener of others) if (listener !== this.onUnhandled) realProcess.on('unhandledRejection', listener);
		}
		const heard = this.unhandled.length;
		this.unhandled.length = 0;
		return heard;
	}

	record(figure: Omit<CaseFigure, 'idlePooledSockets' | 'requests'> & { requests?: number }): void {
		this.figures.push({ requests: this.sim.requests.length, idlePooledSockets: this.idlePooledSockets(), ...figure });
	}
}

/** The code kept on a failed node's error: the NodeApiError's response carries ours; bad input is INVALID_INPUT. */
export function codeOfError(error: ExecutionError): string {
	const record = error as unknown as { name?: string; errorResponse?: IDataObject; message: string };
	if (record.name === 'NodeOperationError') return 'INVALID_INPUT';
	const code = record.errorResponse?.code;
	return code === undefined || code === null ? (record.name ?? 'error') : String(code);
}
