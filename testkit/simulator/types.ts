import type { IncomingHttpHeaders } from 'http';

/** The vendor routes the simulator serves. */
export type RouteName = 'lke' | 'adpV2' | 'cloudApi' | 'aisk' | 'tate' | 'aiskPromptToken' | 'aiskInit' | 'aiskStream';

export interface SimulatorOptions {
	/** 0 (default): a random free port. */
	port?: number;
	lkeAppKey?: string;
	secretId?: string;
	secretKey?: string;
	aiskToken?: string;
	tateSecretKey?: string;
	/** Default true for the library (tests stay silent); the CLI logs unless `--quiet`. */
	quiet?: boolean;
}

export const SIMULATOR_DEFAULTS = {
	lkeAppKey: 'sim-app-key',
	secretId: 'AKIDsimulator',
	secretKey: 'sim-secret-key',
	aiskToken: 'sim-aisk-token',
	tateSecretKey: 'sim-tate-secret',
} as const;

/** The credential values the simulator accepts. */
export type SimulatorKeys = { readonly [K in keyof typeof SIMULATOR_DEFAULTS]: string };

export interface RecordedRequest {
	route: RouteName | 'unknown';
	method: string;
	/** The request target as received (path and query). */
	path: string;
	headers: IncomingHttpHeaders;
	/** The body decoded as UTF-8. */
	body: string;
	/** The body parsed as JSON, when it is JSON. */
	json?: unknown;
	/** Date.now() when the request arrived. */
	at: number;
}

/** One step of a scripted response: each string/Buffer is ONE `res.write`. */
export type ScriptStep = string | Buffer | { delayMs: number } | { destroy: true };

export interface Script {
	/** Default 200. */
	status?: number;
	/** Merged over a default content-type (text/event-stream for lke, application/json otherwise). */
	headers?: Record<string, string>;
	steps: ScriptStep[];
	/** Default true: end the response after the steps; false keeps it open until the client leaves or close(). */
	end?: boolean;
}

export interface AiskCounts {
	/** Prompt tokens issued (successful `POST /bv/aisk/v1/prompts/tokens`). */
	promptTokens: number;
	/** Successful `GET /bv/aisk/v1/prompts:init`. */
	init: number;
	/** Streams that started (HTTP 200 from `POST /bv/aisk-stream/v1/prompts`). */
	prompts: number;
	/** Streams that sent their whole answer. */
	answered: number;
}

export interface Simulator {
	/** http://127.0.0.1:PORT */
	url: string;
	port: number;
	requests: RecordedRequest[];
	/** FIFO: the next request on that route plays this script instead of the normal behaviour (still recorded). */
	enqueue(route: RouteName, script: Script): void;
	/** Sockets currently open. */
	openConnections(): number;
	/** Total TCP connections accepted since start/reset. */
	connectionsOpened(): number;
	/** Requests being answered right now (body received, response not closed), on one route or all. */
	inFlight(route?: RouteName): number;
	/** The most requests in flight at once since start/reset, on one route or all (for concurrency tests). */
	peakInFlight(route?: RouteName): number;
	/** How many LKE turns with exactly this content were answered through to the final bot reply (since start/reset). */
	lkeAnswered(content: string): number;
	/** AiSK Ask: prompt tokens issued, init calls answered and stream prompts answered through (since start/reset). */
	aiskCounts(): AiskCounts;
	/** Every AiSK prompt token issued so far is refused from now on (401), as if it had expired. */
	aiskExpirePromptTokens(): void;
	/** How many ADP v2 turns with exactly this question were answered through to response.completed (since start/reset). */
	adpV2Answered(question: string): number;
	/** Clears requests, queued scripts, counters (flaky/fail-once/answered, connectionsOpened, AiSK counts), tate conversations and AiSK prompt tokens. */
	reset(): void;
	/** Destroys all sockets (even stalled ones), clears all timers and closes the server. */
	close(): Promise<void>;
}
