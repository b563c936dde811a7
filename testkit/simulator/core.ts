import type { IncomingMessage, ServerResponse } from 'http';
import type { Socket } from 'net';
import type { RecordedRequest, RouteName, Script, SimulatorOptions } from './types';

export type ResolvedOptions = Required<Omit<SimulatorOptions, 'port'>>;

export interface TateMessage {
	msgId: string;
	turn: number;
}

/** A prompt token the simulated AiSK issued (`POST /bv/aisk/v1/prompts/tokens`). */
export interface AiskPromptToken {
	chatbotId: string;
	/** Date.now() after which the token is refused. */
	expiresAt: number;
	revoked: boolean;
	/** Created with `setting.citation.mode: PROMPT_CITATION_MODE_RESTRICTED`. */
	restricted: boolean;
}

export interface TateConversation {
	id: string;
	botId: string;
	turns: number;
	messages: TateMessage[];
}

/** Shared state of one simulator instance. */
export class SimCore {
	readonly requests: RecordedRequest[] = [];
	readonly queues: Record<RouteName, Script[]> = { lke: [], adpV2: [], cloudApi: [], aisk: [], tate: [], aiskPromptToken: [], aiskInit: [], aiskStream: [] };
	readonly timers = new Set<NodeJS.Timeout>();
	readonly responders = new Set<Responder>();
	readonly sockets = new Set<Socket>();
	readonly counters = new Map<string, number>();
	readonly tateConversations = new Map<string, TateConversation>();
	readonly aiskPromptTokens = new Map<string, AiskPromptToken>();
	tateNextMsgId = 1704724844387651584n;
	tateConversationSeq = 0;
	opened = 0;
	closing = false;
	readonly inFlight = new Map<string, number>();
	readonly peakInFlight = new Map<string, number>();

	/** Counts a request as in flight on its route and in the total ('*'). */
	enter(route: string): void {
		for (const key of [route, '*']) {
			const n = (this.inFlight.get(key) ?? 0) + 1;
			this.inFlight.set(key, n);
			if (n > (this.peakInFlight.get(key) ?? 0)) this.peakInFlight.set(key, n);
		}
	}

	leave(route: string): void {
		for (const key of [route, '*']) this.inFlight.set(key, Math.max(0, (this.inFlight.get(key) ?? 0) - 1));
	}

	constructor(readonly opts: ResolvedOptions) {}

	/** Increments a named counter and returns its new value. */
	bump(key: string): number {
		const n = (this.counters.get(key) ?? 0) + 1;
		this.counters.set(key, n);
		return n;
	}

	count(key: string): number {
		return this.counters.get(key) ?? 0;
	}

	log(line: string): void {
		if (!this.opts.quiet) process.stderr.write(`[simulator] ${line}\n`);
	}

	reset(): void {
		this.requests.length = 0;
		for (const q of Object.values(this.queues)) q.length = 0;
		this.counters.clear();
		this.tateConversations.clear();
		this.aiskPromptTokens.clear();
		this.tateConversationSeq = 0;
		this.opened = 0;
		this.peakInFlight.clear();
		for (const [key, n] of this.inFlight) this.peakInFlight.set(key, n);
	}
}

/**
 * One response in flight: writes with backpressure, sleeps that end early when the client leaves
 * or the simulator closes, and timers that close() can clear.
 */
export class Responder {
	aborted = false;
	private readonly wakers = new Set<() => void>();

	constructor(
		readonly req: IncomingMessage,
		readonly res: ServerResponse,
		private readonly core: SimCore,
	) {
		core.responders.add(this);
		res.on('error', () => this.abort());
		res.on('close', () => this.abort());
	}

	get alive(): boolean {
		return !this.aborted && !this.res.destroyed && !this.res.writableEnded;
	}

	abort(): void {
		if (this.aborted) return;
		this.aborted = true;
		this.core.responders.delete(this);
		for (const wake of [...this.wakers]) wake();
		this.wakers.clear();
	}

	/** One `res.write`; waits for 'drain' when the buffer is full. False when the response is gone. */
	async write(chunk: string | Buffer): Promise<boolean> {
		if (!this.alive) return false;
		if (this.res.write(chunk)) return true;
		await new Promise<void>((resolve) => {
			const done = () => {
				this.res.off('drain', done);
				this.wakers.delete(done);
				resolve();
			};
			this.res.on('drain', done);
			this.wakers.add(done);
		});
		return this.alive;
	}

	/** Waits ms; resolves false early when the response is gone. */
	sleep(ms: number): Promise<boolean> {
		if (!this.alive) return Promise.resolve(false);
		if (!(ms > 0)) return Promise.resolve(true);
		return new Promise<boolean>((resolve) => {
			const done = () => {
				clearTimeout(timer);
				this.core.timers.delete(timer);
				this.wakers.delete(done);
				resolve(this.alive);
			};
			const timer = setTimeout(done, ms);
			this.core.timers.add(timer);
			this.wakers.add(done);
		});
	}

	/** Keeps the response open until the client leaves or the simulator closes. */
	waitUntilGone(): Promise<void> {
		if (!this.alive) return Promise.resolve();
		return new Promise<void>((resolve) => {
			const done = () => {
				this.wakers.delete(done);
				resolve();
			};
			this.wakers.add(done);
		});
	}

	end(chunk?: string | Buffer): void {
		if (this.res.writableEnded || this.res.destroyed) return;
		if (chunk === undefined) this.res.end();
		else this.res.end(chunk);
	}

	/** Resets the TCP connection (RST) mid-response. */
	destroy(): void {
		const socket = this.res.socket ?? this.req.socket;
		if (socket) {
			if (typeof socket.resetAndDestroy === 'function') socket.resetAndDestroy();
			else socket.destroy();
		}
		this.abort();
	}
}

export interface RequestContext {
	core: SimCore;
	r: Responder;
	req: IncomingMessage;
	res: ServerResponse;
	url: URL;
	/** Raw body bytes. */
	body: Buffer;
	text: string;
	json: unknown;
	record: RecordedRequest;
}

/** A parsed JSON object: what a handler may read fields of once it has checked a body is one. */
export type JsonObject = Record<string, unknown>;

export function isJsonObject(value: unknown): value is JsonObject {
	return value !== null && typeof value === 'object' && !Array.isArray(value);
}

export function sendJson(r: Responder, status: number, obj: unknown, headers: Record<string, string> = {}): void {
	if (!r.alive || r.res.headersSent) return;
	const text = JSON.stringify(obj);
	r.res.writeHead(status, {
		'content-type': 'application/json; charset=utf-8',
		'content-length': String(Buffer.byteLength(text)),
		...headers,
	});
	r.res.end(text);
}

/** 429 and 503 answers carry `Retry-After: 0` so retry tests stay fast. */
export function retryHeaders(status: number): Record<string, string> {
	return status === 429 || status === 503 ? { 'retry-after': '0' } : {};
}

/** `[name]` and `[name:value]` markers in a text; the first occurrence of each name wins. */
export function parseMarkers(text: string): Map<string, string> {
	const map = new Map<string, string>();
	for (const m of text.matchAll(/\[([a-z][a-z-]*)(?::([^\]\s]*))?\]/g)) {
		if (!map.has(m[1])) map.set(m[1], m[2] ?? '');
	}
	return map;
}

export function markerNum(markers: Map<string, string>, name: string): number | undefined {
	const v = markers.get(name);
	if (v === undefined || v === '') return undefined;
	const n = Number(v);
	return Number.isFinite(n) ? n : undefined;
}

/** A text addressed by code point (never splits a surrogate pair). */
export interface TextSource {
	length: number;
	slice(start: number, end: number): string;
}

export function textSource(text: string): TextSource {
	const cps = Array.from(text);
	return { length: cps.length, slice: (a, b) => cps.slice(a, b).join('') };
}

/** An endless repetition of `pattern`, cut to `length` code points, generated slice by slice. */
export function repeatingSource(pattern: string, length: number): TextSource {
	const cps = Array.from(pattern);
	const p = cps.length;
	const offsets: number[] = [0];
	for (const c of cps) offsets.push(offsets[offsets.length - 1] + c.length);
	const part = (a: number, b: number) => pattern.slice(offsets[a], offsets[b]);
	return {
		length,
		slice(start, end) {
			start = Math.max(0, Math.min(start, length));
			end = Math.max(start, Math.min(end, length));
			let out = '';
			let i = start;
			if (i % p !== 0) {
				const stop = Math.min(end, i - (i % p) + p);
				out += part(i % p, i % p + (stop - i));
				i = stop;
			}
			if (i < end) {
				const full = Math.floor((end - i) / p);
				out += pattern.repeat(full);
				i += full * p;
				if (i < end) out += part(0, end - i);
			}
			return out;
		},
	};
}

/** Splits `total` code points into pieces of `size`; at least one (possibly empty) piece. */
export function pieceBounds(total: number, size: number): Array<[number, number]> {
	const out: Array<[number, number]> = [];
	if (total <= 0) return [[0, 0]];
	for (let start = 0; start < total; start += size) out.push([start, Math.min(total, start + size)]);
	return out;
}

export function nowSeconds(): number {
	return Math.floor(Date.now() / 1000);
}
