import { AgentChatError, asAgentChatError } from '../nodes/shared/errors';
import { readBodyText, sendHttpRequest, TransportError, withHttpExchange, type TransportFailureKind } from '../nodes/shared/transport';
import { runLkeChatTurn } from '../nodes/TencentLke/chatClient';
import { buildLkeChatRequest } from '../nodes/TencentLke/chatRequest';
import { SIMULATOR_DEFAULTS, type Simulator } from '../testkit/simulator';
import { failureOf } from './helpers/failureOf';
import { useSimulator } from './helpers/useSimulator';

let sim: Simulator;
useSimulator((started) => (sim = started));

const lkeBody = (content: string) =>
	JSON.stringify({ bot_app_key: SIMULATOR_DEFAULTS.lkeAppKey, session_id: 'transport-session', visitor_biz_id: 'v', request_id: 'r', content });

describe('TransportError', () => {
	it.each<[TransportFailureKind, boolean, string]>([
		['connect', true, 'CONNECTION_FAILED'],
		['reset', true, 'CONNECTION_RESET'],
		['dns', false, 'HOST_NOT_FOUND'],
		['idle-timeout', false, 'IDLE_TIMEOUT'],
		['total-timeout', false, 'TIMEOUT'],
		['cancelled', false, 'CANCELLED'],
		['protocol', false, 'PROTOCOL_ERROR'],
	])('%s: retryable %s, reported as %s', (kind, retryable, code) => {
		const error = new TransportError(kind, 'it failed');
		expect(error.retryable).toBe(retryable);
		const failure = asAgentChatError(error);
		expect(failure).toBeInstanceOf(AgentChatError);
		expect(failure).toMatchObject({ kind: 'transport', code, retryable, message: 'it failed' });
	});
});

describe('the idle timeout over HTTP (simulator)', () => {
	it('silence before the answer headers is an idle timeout', async () => {
		const error = await failureOf<unknown>(
			sendHttpRequest({ url: `${sim.url}/v1/qbot/chat/sse`, body: lkeBody('[latency:60000]'), idleTimeoutMs: 200, totalTimeoutMs: 60_000 }),
		);
		expect(error).toBeInstanceOf(TransportError);
		expect(error).toMatchObject({ kind: 'idle-timeout', message: `127.0.0.1:${sim.port} sent nothing for 200 ms (idle timeout)` });
		expect((error as TransportError).retryable).toBe(false);
	});

	it('silence between body bytes is an idle timeout, not a total timeout', async () => {
		const error = await failureOf<unknown>(
			withHttpExchange(
				{ url: `${sim.url}/v1/qbot/chat/sse`, body: lkeBody('[stall]'), idleTimeoutMs: 200, totalTimeoutMs: 60_000 },
				async (exchange) => await readBodyText(exchange),
			),
		);
		expect(error).toBeInstanceOf(TransportError);
		expect(error).toMatchObject({ kind: 'idle-timeout' });
	});

	it('a stream that stays busy past the total budget is a total timeout', async () => {
		const error = await failureOf<unknown>(
			withHttpExchange(
				{ url: `${sim.url}/v1/qbot/chat/sse`, body: lkeBody('drip [delay:50] [pieces:400]'), idleTimeoutMs: 10_000, totalTimeoutMs: 300 },
				async (exchange) => await readBodyText(exchange),
			),
		);
		expect(error).toMatchObject({ kind: 'total-timeout', message: `No complete answer from 127.0.0.1:${sim.port} within the timeout of 300 ms` });
	});
});

describe('an LKE turn that goes silent is not sent again', () => {
	const request = (content: string) =>
		buildLkeChatRequest(
			{ content, sessionId: '', visitorBizId: 'visitor-1', options: { idleTimeout: 200, maxRetries: 3 } },
			{ appKey: SIMULATOR_DEFAULTS.lkeAppKey, chatBaseUrl: sim.url, newId: () => 'id-1', defaultVisitorBizId: 'v' },
		);

	it.each([
		['after the echo, before any answer', 'quiet [stall]'],
		['before the answer headers', 'slow [latency:60000]'],
	])('silent %s: IDLE_TIMEOUT after one request, with Max Retries 3', async (_when, content) => {
		const retries: unknown[] = [];
		const failure = await failureOf(runLkeChatTurn(request(content), { random: () => 0, onRetry: (info) => retries.push(info) }));
		expect(failure.code).toBe('IDLE_TIMEOUT');
		expect(failure.partial).toMatchObject({ reply: '', isFinal: false });
		expect(retries).toEqual([]);
		expect(sim.requests.filter((entry) => entry.route === 'lke')).toHaveLength(1);
	});
});
