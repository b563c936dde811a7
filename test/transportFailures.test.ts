import * as net from 'net';
import type { Simulator } from '../testkit/simulator';
import {
	classifyFailure,
	getDispatcher,
	headerValue,
	readBodyText,
	sendHttpRequest,
	TransportError,
	withHttpExchange,
	type HttpRequestOptions,
	type TransportFailureKind,
} from '../nodes/shared/transport';
import { useSimulator } from './helpers/useSimulator';

/** The simulator's tate-a-tate route: any POST there plays the script queued for it. */
const TATE_PATH = '/im/admin/v1/msg/send';

let sim: Simulator;
useSimulator((started) => (sim = started));

function options(overrides: Partial<HttpRequestOptions> = {}): HttpRequestOptions {
	return { url: `${sim.url}${TATE_PATH}`, idleTimeoutMs: 10_000, totalTimeoutMs: 20_000, ...overrides };
}

async function failureOf(promise: Promise<unknown>): Promise<TransportError> {
	try {
		await promise;
	} catch (error) {
		return error as TransportError;
	}
	throw new Error('the request succeeded');
}

/** A port on 127.0.0.1 where nothing listens. */
async function closedPort(): Promise<number> {
	const server = net.createServer();
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	const { port } = server.address() as net.AddressInfo;
	await new Promise<void>((resolve) => server.close(() => resolve()));
	return port;
}

describe('sendHttpRequest and readBodyText against the simulator', () => {
	it('releases an ended body nobody read without an uncaught error', async () => {
		sim.enqueue('tate', { steps: ['{"unread":true}'] });
		expect(await withHttpExchange(options(), async (exchange) => exchange.statusCode)).toBe(200);
		// undici reports the abort of an unread body on a later turn of the event loop.
		await new Promise((resolve) => setImmediate(resolve));
		await new Promise((resolve) => setImmediate(resolve));
	});

	it('POSTs by default with the headers and body given, and reads the answer', async () => {
		sim.enqueue('tate', { status: 201, headers: { 'X-Answer': 'yes' }, steps: ['{"ok":', 'true}'] });
		const text = await withHttpExchange(options({ headers: { 'x-request': 'one' }, body: '{"q":1}' }), async (exchange) => {
			expect(exchange.statusCode).toBe(201);
			expect(headerValue(exchange.headers, 'X-Answer')).toBe('yes');
			return await readBodyText(exchange);
		});
		expect(text).toBe('{"ok":true}');
		expect(sim.requests).toHaveLength(1);
		expect(sim.requests[0].method).toBe('POST');
		expect(sim.requests[0].headers['x-request']).toBe('one');
		expect(sim.requests[0].body).toBe('{"q":1}');
	});

	it('sends the method asked for', async () => {
		const status = await withHttpExchange(options({ method: 'GET' }), async (exchange) => {
			await readBodyText(exchange);
			return exchange.statusCode;
		});
		expect(status).toBe(405);
		expect(sim.requests[0].method).toBe('GET');
	});

	it('decodes a character split between two writes', async () => {
		const bytes = Buffer.from('"你好"');
		sim.enqueue('tate', { steps: [bytes.subarray(0, 3), bytes.subarray(3)] });
		expect(await withHttpExchange(options(), readBodyText)).toBe('"你好"');
	});

	it('reads a body of exactly the size limit and refuses one byte more', async () => {
		sim.enqueue('tate', { steps: ['0123456789'] });
		expect(await withHttpExchange(options(), (exchange) => readBodyText(exchange, 10))).toBe('0123456789');
		sim.enqueue('tate', { steps: ['01234', '567890'] });
		const failure = await failureOf(withHttpExchange(options(), (exchange) => readBodyText(exchange, 10)));
		expect(failure).toBeInstanceOf(TransportError);
		expect([failure.kind, failure.message]).toEqual(['protocol', 'The answer is larger than 10 bytes']);
	});

	it('releases a body nobody read while the server keeps it open', async () => {
		sim.enqueue('tate', { steps: ['never read'], end: false });
		let body: { destroyed: boolean } | undefined;
		const result = await withHttpExchange(options(), async (exchange) => {
			body = exchange.body;
			return 'done';
		});
		expect(result).toBe('done');
		expect(body?.destroyed).toBe(true);
	});

	it('says the idle timeout when the answer stops arriving', async () => {
		sim.enqueue('tate', { steps: ['{"partial":'], end: false });
		const failure = await failureOf(withHttpExchange(options({ idleTimeoutMs: 200 }), readBodyText));
		expect(failure.kind).toBe('idle-timeout');
		expect(failure.message).toBe(`127.0.0.1:${sim.port} sent nothing for 200 ms (idle timeout)`);
		expect(failure.causeCode).toBe('UND_ERR_BODY_TIMEOUT');
		expect(failure.retryable).toBe(false);
	});

	it('says the total timeout when the whole exchange takes too long', async () => {
		sim.enqueue('tate', { steps: ['{"partial":'], end: false });
		const failure = await failureOf(withHttpExchange(options({ totalTimeoutMs: 200 }), readBodyText));
		expect(failure.kind).toBe('total-timeout');
		expect(failure.message).toBe(`No complete answer from 127.0.0.1:${sim.port} within the timeout of 200 ms`);
	});

	it('stops reading when the execution is cancelled', async () => {
		sim.enqueue('tate', { steps: ['{"partial":'], end: false });
		const controller = new AbortController();
		const failure = await failureOf(
			withHttpExchange(options({ signal: controller.signal }), async (exchange) => {
				controller.abort();
				return await readBodyText(exchange);
			}),
		);
		expect([failure.kind, failure.message]).toEqual(['cancelled', 'The execution was cancelled']);
	});

	it('sends nothing when the execution was cancelled before the start', async () => {
		const controller = new AbortController();
		controller.abort();
		const failure = await failureOf(sendHttpRequest(options({ signal: controller.signal })));
		expect([failure.kind, failure.message]).toEqual(['cancelled', 'The execution was cancelled']);
		expect(sim.requests).toHaveLength(0);
	});

	it('stops listening to the timer and the cancel signal once finished', async () => {
		sim.enqueue('tate', { steps: ['{}'] });
		const controller = new AbortController();
		const exchange = await sendHttpRequest(options({ signal: controller.signal, totalTimeoutMs: 1000 }));
		await readBodyText(exchange);
		exchange.finish();
		exchange.finish();
		controller.abort();
		// Past the total timeout: a timer left running would now mark the exchange as timed out.
		await new Promise((resolve) => setTimeout(resolve, 1200));
		expect(exchange.classify(new Error('late')).kind).toBe('protocol');
	});

	it('says the connection was reset when the server drops it mid-answer', async () => {
		sim.enqueue('tate', { steps: ['{"partial":', { delayMs: 20 }, { destroy: true }] });
		const failure = await failureOf(withHttpExchange(options(), readBodyText));
		expect(failure.kind).toBe('reset');
		expect(failure.retryable).toBe(true);
		expect(failure.message).toMatch(new RegExp(`^The connection to 127\\.0\\.0\\.1:${sim.port} was closed unexpectedly \\((ECONNRESET|UND_ERR_SOCKET)\\)$`));
	});

	it('says it could not connect when nothing listens', async () => {
		const port = await closedPort();
		const failure = await failureOf(sendHttpRequest(options({ url: `http://127.0.0.1:${port}${TATE_PATH}` })));
		expect([failure.kind, failure.message, failure.causeCode, failure.retryable]).toEqual([
			'connect',
			`Could not connect to 127.0.0.1:${port} (ECONNREFUSED)`,
			'ECONNREFUSED',
			true,
		]);
	});
});

describe('classifyFailure', () => {
	const where = { url: 'https://api.example.com:8443/v1/chat', idleTimeoutMs: 100, totalTimeoutMs: 900 };
	const withCode = (code: unknown, cause?: unknown) => Object.assign(new Error(`failed ${String(code)}`), { code, cause });

	it.each([
		['ENOTFOUND', 'dns', 'Could not resolve the host api.example.com:8443 (ENOTFOUND)'],
		['EAI_AGAIN', 'dns', 'Could not resolve the host api.example.com:8443 (EAI_AGAIN)'],
		['ECONNREFUSED', 'connect', 'Could not connect to api.example.com:8443 (ECONNREFUSED)'],
		['EHOSTUNREACH', 'connect', 'Could not connect to api.example.com:8443 (EHOSTUNREACH)'],
		['ENETUNREACH', 'connect', 'Could not connect to api.example.com:8443 (ENETUNREACH)'],
		['UND_ERR_CONNECT_TIMEOUT', 'connect', 'Could not connect to api.example.com:8443 (UND_ERR_CONNECT_TIMEOUT)'],
		['ECONNRESET', 'reset', 'The connection to api.example.com:8443 was closed unexpectedly (ECONNRESET)'],
		['EPIPE', 'reset', 'The connection to api.example.com:8443 was closed unexpectedly (EPIPE)'],
		['UND_ERR_SOCKET', 'reset', 'The connection to api.example.com:8443 was closed unexpectedly (UND_ERR_SOCKET)'],
		['UND_ERR_CLOSED', 'reset', 'The connection to api.example.com:8443 was closed unexpectedly (UND_ERR_CLOSED)'],
	])('reads %s as a %s failure', (code, kind, message) => {
		const failure = classifyFailure(withCode(code), undefined, where);
		expect([failure.kind, failure.message, failure.causeCode]).toEqual([kind, message, code]);
	});

	it('finds the code in the chain of causes, past an abort wrapper', () => {
		const failure = classifyFailure(withCode('UND_ERR_ABORTED', { cause: withCode('ECONNRESET') }), undefined, where);
		expect([failure.kind, failure.causeCode]).toEqual(['reset', 'ECONNRESET']);
	});

	it('skips codes that are not text, and stops on a cycle of causes', () => {
		expect(classifyFailure(withCode(503, withCode('EPIPE')), undefined, where).kind).toBe('reset');
		const looped = withCode(7);
		looped.cause = looped;
		const failure = classifyFailure(looped, undefined, where);
		expect([failure.kind, failure.message, failure.causeCode]).toEqual(['protocol', 'Request to api.example.com:8443 failed: failed 7', undefined]);
	});

	it('keeps an unknown code and the message of whatever was thrown', () => {
		const failure = classifyFailure(withCode('ERR_WEIRD'), undefined, where);
		expect([failure.kind, failure.message, failure.causeCode]).toEqual(['protocol', 'Request to api.example.com:8443 failed: failed ERR_WEIRD', 'ERR_WEIRD']);
		expect(classifyFailure('a string', undefined, where).message).toBe('Request to api.example.com:8443 failed: a string');
	});

	it('names the URL itself when it has no host to name', () => {
		expect(classifyFailure(new Error('x'), undefined, { ...where, url: 'not a url' }).message).toBe('Request to not a url failed: x');
	});

	it('puts the timer and the cancel before whatever the abort threw', () => {
		expect(classifyFailure(withCode('ECONNRESET'), 'total-timeout', where).message).toBe(
			'No complete answer from api.example.com:8443 within the timeout of 900 ms',
		);
		expect(classifyFailure(withCode('ECONNRESET'), 'cancelled', where).kind).toBe('cancelled');
	});

	it('passes a TransportError through unchanged', () => {
		const original = new TransportError('dns', 'x');
		expect(classifyFailure(original, 'cancelled', where)).toBe(original);
	});

	it("reads undici's header timeout as an idle timeout", () => {
		getDispatcher();
		const { errors } = require('undici') as typeof import('undici');
		const failure = classifyFailure(new errors.HeadersTimeoutError(), undefined, where);
		expect([failure.kind, failure.message, failure.causeCode]).toEqual([
			'idle-timeout',
			'api.example.com:8443 sent nothing for 100 ms (idle timeout)',
			'UND_ERR_HEADERS_TIMEOUT',
		]);
	});
});

describe('TransportError and helpers', () => {
	it.each<[TransportFailureKind, boolean]>([
		['connect', true],
		['reset', true],
		['dns', false],
		['idle-timeout', false],
		['total-timeout', false],
		['cancelled', false],
		['protocol', false],
	])('a %s failure is retryable: %s', (kind, retryable) => {
		const error = new TransportError(kind, 'x', 'CODE');
		expect(error.retryable).toBe(retryable);
		expect([error.name, error.message, error.causeCode]).toEqual(['TransportError', 'x', 'CODE']);
	});

	it('keeps one pool for the process', () => {
		expect(getDispatcher()).toBe(getDispatcher());
	});

	it('reads a header by any case, the first of repeated values', () => {
		const headers = { 'retry-after': '3', 'set-cookie': ['a=1', 'b=2'] };
		expect(headerValue(headers, 'Retry-After')).toBe('3');
		expect(headerValue(headers, 'set-cookie')).toBe('a=1');
		expect(headerValue(headers, 'x-missing')).toBeUndefined();
	});
});
