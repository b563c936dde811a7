import { createChatbotToken } from '../nodes/Aisk/client';
import { buildAiskTokenRequest } from '../nodes/Aisk/tokenRequest';
import { AgentChatError } from '../nodes/shared/errors';
import { backoffDelayMs, nextWaitMs, parseRetryAfterMs, withRetries, type RetryInfo } from '../nodes/shared/retry';
import { runLkeChatTurn } from '../nodes/TencentLke/chatClient';
import { buildLkeChatRequest } from '../nodes/TencentLke/chatRequest';
import { SIMULATOR_DEFAULTS, type Simulator } from '../testkit/simulator';
import { failureOf } from './helpers/failureOf';
import { useSimulator } from './helpers/useSimulator';

/** The longest wait a server may ask for: two minutes (four times the longest backoff of 30 s). */
const LONGEST_SERVER_WAIT_MS = 120_000;
/** A hostile Retry-After: more than eleven days, in seconds. */
const HOSTILE_RETRY_AFTER = '999999';

/**
 * Retry options that record the wait the loop chose and then cancel, so a test sees the wait
 * without sleeping through it: the cancel lands while the loop waits (a timer set after onRetry).
 */
function recordWaitsThenCancel(): { waits: RetryInfo[]; signal: AbortSignal; onRetry: (info: RetryInfo) => void } {
	const controller = new AbortController();
	const waits: RetryInfo[] = [];
	return {
		waits,
		signal: controller.signal,
		onRetry: (info) => {
			waits.push(info);
			setTimeout(() => controller.abort(), 0);
		},
	};
}

describe('backoff and server waits (pure)', () => {
	it('backs off with full jitter: at most 1 s before the first retry, doubling, at most 30 s', () => {
		expect(backoffDelayMs(0, () => 0.5)).toBe(500);
		expect(backoffDelayMs(0, () => 1)).toBe(1000);
		expect(backoffDelayMs(0, () => 0)).toBe(0);
		expect(backoffDelayMs(1, () => 1)).toBe(2000);
		expect(backoffDelayMs(2, () => 0.5)).toBe(2000);
		expect(backoffDelayMs(3, () => 0.25)).toBe(2000);
		expect(backoffDelayMs(4, () => 1)).toBe(16000);
		expect(backoffDelayMs(5, () => 1)).toBe(30000);
		expect(backoffDelayMs(20, () => 1)).toBe(30000);
	});

	it('reads Retry-After as seconds or as an HTTP date, measured from the given now', () => {
		expect(parseRetryAfterMs('3')).toBe(3000);
		expect(parseRetryAfterMs(' 2 ')).toBe(2000);
		expect(parseRetryAfterMs('1.5')).toBe(1500);
		expect(parseRetryAfterMs('0')).toBe(0);
		expect(parseRetryAfterMs('Thu, 01 Jan 1970 00:00:10 GMT', 4_000)).toBe(6000);
		expect(parseRetryAfterMs('Thu, 01 Jan 1970 00:00:10 GMT', 60_000)).toBe(0);
		expect(parseRetryAfterMs('soon')).toBeUndefined();
		expect(parseRetryAfterMs('Sunday, 06-Nov-94 08:49:37 GMT', Date.UTC(1994, 10, 6, 8, 49, 30))).toBe(7000);
		expect(parseRetryAfterMs('Sun Nov  6 08:49:37 1994', Date.UTC(1994, 10, 6, 8, 49, 30))).toBe(7000);
	});

	it('takes a Retry-After that is neither whole seconds nor an HTTP date as absent, not as "now"', () => {
		// JavaScript's date parser reads these as dates in the past; as such they would mean "retry at once".
		expect(parseRetryAfterMs('-1')).toBeUndefined();
		expect(parseRetryAfterMs('-30')).toBeUndefined();
		expect(parseRetryAfterMs('2026-01-01', Date.UTC(2026, 5, 1))).toBeUndefined();
		expect(parseRetryAfterMs('2026', Date.UTC(2026, 5, 1))).toBe(2_026_000);
		expect(parseRetryAfterMs('')).toBeUndefined();
		expect(parseRetryAfterMs(undefined)).toBeUndefined();
	});

	it("lets the server's wait win over the backoff", () => {
		expect(nextWaitMs(0, 2500, () => 0)).toBe(2500);
		expect(nextWaitMs(3, 0, () => 1)).toBe(0);
		expect(nextWaitMs(0, undefined, () => 0.5)).toBe(500);
	});

	it('caps a server wait at two minutes, so a hostile Retry-After cannot park a batch', () => {
		expect(nextWaitMs(0, parseRetryAfterMs(HOSTILE_RETRY_AFTER), () => 0)).toBe(LONGEST_SERVER_WAIT_MS);
		expect(nextWaitMs(0, 120_001, () => 0)).toBe(LONGEST_SERVER_WAIT_MS);
		expect(nextWaitMs(0, 119_999, () => 0)).toBe(119_999);
		const now = Date.UTC(2026, 0, 1);
		const inTenDays = new Date(now + 10 * 86_400_000).toUTCString();
		expect(nextWaitMs(0, parseRetryAfterMs(inTenDays, now), () => 0)).toBe(LONGEST_SERVER_WAIT_MS);
	});
});

describe('withRetries', () => {
	const busy = (retryAfterMs?: number) => new AgentChatError('busy', { kind: 'vendor', code: 'BUSY', retryable: true, retryAfterMs });

	it('waits the jittered backoff between attempts and says each wait before it', async () => {
		const waits: RetryInfo[] = [];
		let attempts = 0;
		const result = await withRetries({ maxRetries: 3, timeoutMs: 60_000, random: () => 0, onRetry: (info) => waits.push(info) }, async () => {
			attempts++;
			if (attempts < 3) throw busy();
			return 'done';
		});
		expect(result).toBe('done');
		expect(waits).toEqual([
			{ attempt: 1, waitMs: 0, code: 'BUSY' },
			{ attempt: 2, waitMs: 0, code: 'BUSY' },
		]);
	});

	it('does not retry a failure marked not retryable', async () => {
		let attempts = 0;
		const failure = await failureOf(
			withRetries({ maxRetries: 3, timeoutMs: 60_000, random: () => 0 }, async () => {
				attempts++;
				throw new AgentChatError('bad', { kind: 'vendor', code: 'BAD', retryable: false });
			}),
		);
		expect(failure.code).toBe('BAD');
		expect(attempts).toBe(1);
	});

	it('chooses the capped wait for a hostile server wait, then a cancel during it is reported as the cancel', async () => {
		const { waits, signal, onRetry } = recordWaitsThenCancel();
		let attempts = 0;
		const failure = await failureOf(
			withRetries({ maxRetries: 2, timeoutMs: 3_600_000, random: () => 0, signal, onRetry }, async () => {
				attempts++;
				throw busy(999_999_000);
			}),
		);
		expect(waits).toEqual([{ attempt: 1, waitMs: LONGEST_SERVER_WAIT_MS, code: 'BUSY' }]);
		expect(failure.code).toBe('CANCELLED');
		expect(failure.message).toBe('The execution was cancelled while waiting to retry after: busy');
		expect(attempts).toBe(1);
	});

	describe('with a fake clock', () => {
		beforeEach(() => jest.useFakeTimers());
		afterEach(() => jest.useRealTimers());

		it('sleeps the wait it chose before the next attempt, no less', async () => {
			let attempts = 0;
			const result = withRetries({ maxRetries: 1, timeoutMs: 60_000, random: () => 0.5 }, async () => {
				attempts++;
				if (attempts === 1) throw busy(1500);
				return 'second';
			});
			await jest.advanceTimersByTimeAsync(0);
			expect(attempts).toBe(1);
			await jest.advanceTimersByTimeAsync(1499);
			expect(attempts).toBe(1);
			await jest.advanceTimersByTimeAsync(1);
			expect(attempts).toBe(2);
			await expect(result).resolves.toBe('second');
		});

		it('gives each attempt what is left of the time budget', async () => {
			const budgets: number[] = [];
			const result = withRetries({ maxRetries: 2, timeoutMs: 10_000, random: () => 1 }, async (budgetMs) => {
				budgets.push(budgetMs);
				if (budgets.length < 3) throw busy();
				return 'third';
			});
			await jest.advanceTimersByTimeAsync(10_000);
			await expect(result).resolves.toBe('third');
			// Full-jitter backoff with random 1: 1000 ms, then 2000 ms.
			expect(budgets).toEqual([10_000, 9_000, 7_000]);
		});
	});

	it('gives up at once when the wait would pass the time budget', async () => {
		const waits: RetryInfo[] = [];
		const failure = await failureOf(
			withRetries({ maxRetries: 2, timeoutMs: 60_000, onRetry: (info) => waits.push(info) }, async () => {
				throw busy(90_000);
			}),
		);
		expect(failure.code).toBe('BUSY');
		expect(waits).toEqual([]);
	});
});

describe('a hostile Retry-After through the real clients (simulator)', () => {
	let sim: Simulator;
	useSimulator((started) => (sim = started));

	it('LKE chat: HTTP 429 with Retry-After: 999999 waits two minutes, not eleven days', async () => {
		sim.enqueue('lke', {
			status: 429,
			headers: { 'content-type': 'application/json', 'retry-after': HOSTILE_RETRY_AFTER },
			steps: ['{"code":429,"msg":"slow down"}'],
		});
		const request = buildLkeChatRequest(
			{ content: 'hello', sessionId: '', visitorBizId: 'visitor-1', options: { maxRetries: 1, timeout: 3_600_000 } },
			{ appKey: SIMULATOR_DEFAULTS.lkeAppKey, chatBaseUrl: sim.url, newId: () => 'id-1', defaultVisitorBizId: 'v' },
		);
		const { waits, signal, onRetry } = recordWaitsThenCancel();
		const failure = await failureOf(runLkeChatTurn(request, { random: () => 0, signal, onRetry }));
		expect(waits).toEqual([{ attempt: 1, waitMs: LONGEST_SERVER_WAIT_MS, code: 429 }]);
		expect(failure.code).toBe('CANCELLED');
		expect(sim.requests).toHaveLength(1);
	});

	it.each([
		['Retry-After', { 'retry-after': HOSTILE_RETRY_AFTER }, '0'],
		['ErrorInfo wait_sec', {}, HOSTILE_RETRY_AFTER],
	])('AiSK token: RESOURCE_EXHAUSTED with a hostile %s waits two minutes', async (_label, headers, waitSec) => {
		sim.enqueue('aisk', {
			status: 429,
			headers,
			steps: [
				JSON.stringify({
					code: 8,
					message: 'rate limit exceeded',
					details: [{ '@type': 'type.googleapis.com/google.rpc.ErrorInfo', reason: 'RATE_LIMITED', metadata: { wait_sec: waitSec } }],
				}),
			],
		});
		const request = buildAiskTokenRequest(
			'3f2c1d7e-8a4b-4c6d-9e0f-1a2b3c4d5e6f',
			{ apiToken: SIMULATOR_DEFAULTS.aiskToken, baseUrl: sim.url },
			{ maxRetries: 1, timeout: 3_600_000 },
		);
		const { waits, signal, onRetry } = recordWaitsThenCancel();
		const failure = await failureOf(createChatbotToken(request, { random: () => 0, signal, onRetry }));
		expect(waits).toEqual([{ attempt: 1, waitMs: LONGEST_SERVER_WAIT_MS, code: 'RESOURCE_EXHAUSTED' }]);
		expect(failure.code).toBe('CANCELLED');
		expect(sim.requests).toHaveLength(1);
	});
});
