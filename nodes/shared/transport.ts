import type { Dispatcher } from 'undici';

/**
 * HTTP transport on undici: one keep-alive pool per process (proxy variables honoured), a connect
 * timeout, an idle timeout (longest silence while waiting for headers or between body bytes), a
 * total timeout for the whole exchange, and the caller's cancel signal.
 */

type Undici = typeof import('undici');
let undiciModule: Undici | undefined;

/**
 * undici, loaded on first use: n8n loads every node class at start-up, and a package that only sits
 * in a workflow nobody runs should not cost the HTTP stack's load time.
 */
function undici(): Undici {
	undiciModule ??= require('undici') as Undici;
	return undiciModule;
}

export const CONNECT_TIMEOUT_MS = 15_000;

export type TransportFailureKind =
	| 'connect'
	| 'dns'
	| 'reset'
	| 'idle-timeout'
	| 'total-timeout'
	| 'cancelled'
	| 'protocol';

export class TransportError extends Error {
	constructor(
		readonly kind: TransportFailureKind,
		message: string,
		readonly causeCode?: string,
	) {
		super(message);
		this.name = 'TransportError';
	}

	/** Failures after which the same request may succeed when sent again. */
	get retryable(): boolean {
		return this.kind === 'connect' || this.kind === 'reset';
	}
}

let sharedDispatcher: Dispatcher | undefined;

/** The process-wide pool. EnvHttpProxyAgent reads HTTP_PROXY, HTTPS_PROXY and NO_PROXY. */
export function getDispatcher(): Dispatcher {
	if (!sharedDispatcher) {
		sharedDispatcher = new (undici().EnvHttpProxyAgent)({
			connect: { timeout: CONNECT_TIMEOUT_MS },
			keepAliveTimeout: 30_000,
			keepAliveMaxTimeout: 120_000,
		});
	}
	return sharedDispatcher;
}

export interface HttpRequestOptions {
	url: string;
	method?: 'GET' | 'POST';
	headers?: Record<string, string>;
	body?: string | Buffer;
	/** Longest silence allowed while waiting for the answer's headers or between its bytes. */
	idleTimeoutMs: number;
	/** Budget for the whole exchange, body included. */
	totalTimeoutMs: number;
	/** The workflow's cancel signal. */
	signal?: AbortSignal;
}

export interface HttpExchange {
	statusCode: number;
	headers: Record<string, string | string[] | undefined>;
	body: Dispatcher.ResponseData['body'];
	/** Turns whatever reading the body threw into a TransportError of the right kind. */
	classify(error: unknown): TransportError;
	/** Clears the total-timeout timer and detaches from the cancel signal; idempotent. */
	finish(): void;
}

/**
 * Sends one request and returns as soon as the headers arrive. The caller reads `body` and must call
 * `finish()` (also after a failure) so no timer is left behind.
 */
export async function sendHttpRequest(options: HttpRequestOptions): Promise<HttpExchange> {
	const controller = new AbortController();
	let stoppedBy: 'total-timeout' | 'cancelled' | undefined;
	const stop = (reason: 'total-timeout' | 'cancelled') => {
		if (stoppedBy) return;
		stoppedBy = reason;
		controller.abort();
	};
	const timer = setTimeout(() => stop('total-timeout'), options.totalTimeoutMs);
	const onCancel = () => stop('cancelled');
	if (options.signal?.aborted) onCancel();
	options.signal?.addEventListener('abort', onCancel, { once: true });
	const finish = () => {
		clearTimeout(timer);
		options.signal?.removeEventListener('abort', onCancel);
	};
	const classify = (error: unknown) => classifyFailure(error, stoppedBy, options);

	try {
		if (stoppedBy) throw new Error('aborted before start');
		const response = await undici().request(options.url, {
			method: options.method ?? 'POST',
			headers: options.headers,
			body: options.body,
			dispatcher: getDispatcher(),
			signal: controller.signal,
			headersTimeout: options.idleTimeoutMs,
			bodyTimeout: options.idleTimeoutMs,
		});
		return {
			statusCode: response.statusCode,
			headers: response.headers,
			body: response.body,
			classify,
			finish,
		};
	} catch (error) {
		finish();
		throw classify(error);
	}
}

/**
 * Sends one request, lets `read` take the answer, then always releases it: the timers stop, and a
 * body left unread is dropped so that its connection is not held.
 */
export async function withHttpExchange<T>(options: HttpRequestOptions, read: (exchange: HttpExchange) => Promise<T>): Promise<T> {
	const exchange = await sendHttpRequest(options);
	try {
		return await read(exchange);
	} finally {
		exchange.finish();
		if (!exchange.body.destroyed) {
			// undici reports destroying a body nobody read as an abort error on a later tick; nobody waits for it here.
			exchange.body.on('error', () => undefined);
			exchange.body.destroy();
		}
	}
}

function errorCode(error: unknown): string | undefined {
	const seen = new Set<unknown>();
	let current = error as { code?: unknown; cause?: unknown } | undefined;
	while (current && typeof current === 'object' && !seen.has(current)) {
		seen.add(current);
		if (typeof current.code === 'string' && current.code !== 'UND_ERR_ABORTED') return current.code;
		current = current.cause as typeof current;
	}
	return undefined;
}

function hostOf(url: string): string {
	try {
		return new URL(url).host;
	} catch {
		return url;
	}
}

export function classifyFailure(
	error: unknown,
	stoppedBy: 'total-timeout' | 'cancelled' | undefined,
	options: Pick<HttpRequestOptions, 'url' | 'idleTimeoutMs' | 'totalTimeoutMs'>,
): TransportError {
	if (error instanceof TransportError) return error;
	const host = hostOf(options.url);
	if (stoppedBy === 'total-timeout') {
		return new TransportError('total-timeout', `No complete answer from ${host} within the timeout of ${options.totalTimeoutMs} ms`);
	}
	if (stoppedBy === 'cancelled') {
		return new TransportError('cancelled', 'The execution was cancelled');
	}
	// Without undici loaded, nothing can have thrown one of its errors.
	const undiciErrors = undiciModule?.errors;
	if (undiciErrors && (error instanceof undiciErrors.HeadersTimeoutError || error instanceof undiciErrors.BodyTimeoutError)) {
		return new TransportError(
			'idle-timeout',
			`${host} sent nothing for ${options.idleTimeoutMs} ms (idle timeout)`,
			(error as { code?: string }).code,
		);
	}
	const code = errorCode(error);
	switch (code) {
		case 'ENOTFOUND':
		case 'EAI_AGAIN':
			return new TransportError('dns', `Could not resolve the host ${host} (${code})`, code);
		case 'ECONNREFUSED':
		case 'EHOSTUNREACH':
		case 'ENETUNREACH':
		case 'UND_ERR_CONNECT_TIMEOUT':
			return new TransportError('connect', `Could not connect to ${host} (${code})`, code);
		case 'ECONNRESET':
		case 'EPIPE':
		case 'UND_ERR_SOCKET':
		case 'UND_ERR_CLOSED':
			return new TransportError('reset', `The connection to ${host} was closed unexpectedly (${code})`, code);
	}
	const message = error instanceof Error ? error.message : String(error);
	return new TransportError('protocol', `Request to ${host} failed: ${message}`, code);
}

/** Reads a whole (small) body as text, honouring the exchange's timeouts. */
export async function readBodyText(exchange: HttpExchange, maxBytes = 4 * 1024 * 1024): Promise<string> {
	const decoder = new TextDecoder();
	let text = '';
	let size = 0;
	try {
		for await (const chunk of exchange.body as AsyncIterable<Buffer>) {
			size += chunk.length;
			if (size > maxBytes) {
				exchange.body.destroy();
				throw new TransportError('protocol', `The answer is larger than ${maxBytes} bytes`);
			}
			text += decoder.decode(chunk, { stream: true });
		}
		return text + decoder.decode();
	} catch (error) {
		throw exchange.classify(error);
	}
}

export function headerValue(headers: HttpExchange['headers'], name: string): string | undefined {
	const value = headers[name.toLowerCase()];
	return Array.isArray(value) ? value[0] : value;
}
