import { getEventListeners } from 'events';
import { AgentChatError } from '../nodes/shared/errors';
import {
	backoffDelayMs,
	FIRST_BACKOFF_MS,
	MAX_BACKOFF_MS,
	nextWaitMs,
	parseRetryAfterMs,
	sleep,
	withRetries,
	type RetryInfo,
	type RetryPolicy,
} from '../nodes/shared/retry';

const busy = (retryAfterMs?: number) => new AgentChatError('busy', { kind: 'vendor', code: 'BUSY', retryable: true, retryAfterMs });

/** Runs withRetries over attempts that fail with the given errors in turn, then succeed. */
async function runAttempts(failures: unknown[], policy: Partial<RetryPolicy> = {}) {
	const budgets: number[] = [];
	const retries: RetryInfo[] = [];
	let outcome: { value?: string; error?: AgentChatError } = {};
	try {
		outcome.value = await withRetries({ maxRetries: 3, timeoutMs: 600_000, random: () => 0, onRetry: (info) => retries.push(info), ...policy }, async (budgetMs) => {
			budgets.push(budgetMs);
			const failure = failures[budgets.length - 1];
			if (failure !== undefined) throw failure;
			return `answer after ${budgets.length} attempt(s)`;
		});
	} catch (error) {
		outcome = { error: error as AgentChatError };
	}
	return { ...outcome, budgets, retries };
}

describe('backoff', () => {
	it('starts at one second and stops growing at thirty', () => {
		expect([FIRST_BACKOFF_MS, MAX_BACKOFF_MS]).toEqual([1000, 30_000]);
		expect(backoffDelayMs(0, () => 1)).toBe(1000);
		expect(backoffDelayMs(3, () => 1)).toBe(8000);
		expect(backoffDelayMs(4, () => 1)).toBe(16_000);
		expect(backoffDelayMs(5, () => 1)).toBe(30_000);
	});

	it('draws the wait between zero and the ceiling, rounded to a millisecond', () => {
		expect(backoffDelayMs(1, () => 0)).toBe(0);
		expect(backoffDelayMs(1, () => 0.3333)).toBe(667);
		expect(backoffDelayMs(0, () => 0.0004)).toBe(0);
	});

	it("takes the server's wait, capped at two minutes", () => {
		expect(nextWaitMs(2, 0, () => 1)).toBe(0);
		expect(nextWaitMs(2, 120_000, () => 1)).toBe(120_000);
		expect(nextWaitMs(2, 500_000, () => 1)).toBe(120_000);
		expect(nextWaitMs(3, undefined, () => 1)).toBe(8000);
	});
});

describe('parseRetryAfterMs', () => {
	it('reads fractions of seconds and spaces around the value', () => {
		expect(parseRetryAfterMs('1.5')).toBe(1500);
		expect(parseRetryAfterMs(' 2 ')).toBe(2000);
		expect(parseRetryAfterMs('0.0004')).toBe(0);
	});

	it('gives nothing for an empty value', () => {
		expect(parseRetryAfterMs('')).toBeUndefined();
		expect(parseRetryAfterMs('   ')).toBeUndefined();
	});

	it('reads a date in the past as no wait at all', () => {
		expect(parseRetryAfterMs('Thu, 01 Jan 1970 00:00:01 GMT', 5_000)).toBe(0);
		expect(parseRetryAfterMs(' Thu, 01 Jan 1970 00:00:09 GMT ', 5_000)).toBe(4000);
	});

	it('does not read a number with text around it as seconds', () => {
		expect(parseRetryAfterMs('5s')).toBeUndefined();
		expect(parseRetryAfterMs('x5')).toBeUndefined();
	});
});

describe('sleep', () => {
	it('refuses at once when the execution is already cancelled', async () => {
		const controller = new AbortController();
		controller.abort();
		await expect(sleep(60_000, controller.signal)).rejects.toThrow('cancelled');
	});

	it('ends early when the execution is cancelled during the wait', async () => {
		const controller = new AbortController();
		const waiting = sleep(60_000, controller.signal);
		controller.abort();
		await expect(waiting).rejects.toThrow('cancelled');
	});

	it('stops listening to the cancel signal once the wait is over', async () => {
		const controller = new AbortController();
		await sleep(1, controller.signal);
		expect(getEventListeners(controller.signal, 'abort')).toHaveLength(0);
	});
});

describe('withRetries', () => {
	afterEach(() => {
		jest.useRealTimers();
	});

	it('gives the first success', async () => {
		const run = await runAttempts([]);
		expect(run.value).toBe('answer after 1 attempt(s)');
		expect(run.retries).toEqual([]);
	});

	it('does not retry a failure that is not retryable, and says it as an AgentChatError', async () => {
		const run = await runAttempts([new Error('parse failed')]);
		expect(run.budgets).toHaveLength(1);
		expect(run.error).toBeInstanceOf(AgentChatError);
		expect([run.error?.message, run.error?.code]).toEqual(['parse failed', 'UNEXPECTED_ERROR']);
	});

	it('retries up to maxRetries times, saying each retry, then gives the last failure', async () => {
		const last = new AgentChatError('still busy', { kind: 'vendor', code: 'BUSY', retryable: true });
		const run = await runAttempts([busy(), busy(), last], { maxRetries: 2 });
		expect(run.budgets).toHaveLength(3);
		expect(run.error).toBe(last);
		expect(run.retries).toEqual([
			{ attempt: 1, waitMs: 0, code: 'BUSY' },
			{ attempt: 2, waitMs: 0, code: 'BUSY' },
		]);
	});

	it('succeeds on a retry', async () => {
		const run = await runAttempts([busy(), busy()], { maxRetries: 2 });
		expect(run.value).toBe('answer after 3 attempt(s)');
	});

	it('makes one attempt only when no retry is allowed', async () => {
		const run = await runAttempts([busy()], { maxRetries: 0 });
		expect(run.budgets).toHaveLength(1);
		expect(run.error?.message).toBe('busy');
	});

	it('does not retry once the execution is cancelled', async () => {
		const controller = new AbortController();
		controller.abort();
		const run = await runAttempts([busy()], { signal: controller.signal });
		expect(run.budgets).toHaveLength(1);
		expect(run.error?.code).toBe('BUSY');
	});

	it("waits the server's wait, and gives each attempt what is left of the budget", async () => {
		jest.useFakeTimers({ now: 0 });
		const running = runAttempts([busy(300)], { timeoutMs: 1000 });
		await jest.advanceTimersByTimeAsync(300);
		const run = await running;
		expect(run.retries).toEqual([{ attempt: 1, waitMs: 300, code: 'BUSY' }]);
		expect(run.budgets).toEqual([1000, 700]);
		expect(run.value).toBe('answer after 2 attempt(s)');
	});

	it('does not start a wait that would end at or past the deadline', async () => {
		jest.useFakeTimers({ now: 0 });
		const atDeadline = await runAttempts([busy(1000)], { timeoutMs: 1000 });
		expect(atDeadline.budgets).toEqual([1000]);
		expect(atDeadline.retries).toEqual([]);
		expect(atDeadline.error?.message).toBe('busy');

		const running = runAttempts([busy(999)], { timeoutMs: 1000 });
		await jest.advanceTimersByTimeAsync(999);
		const justBefore = await running;
		expect(justBefore.budgets).toEqual([1000, 1]);
	});

	it('gives an attempt at least one millisecond', async () => {
		jest.useFakeTimers({ now: 0 });
		const run = await runAttempts([], { timeoutMs: 0 });
		expect(run.budgets).toEqual([1]);
	});

	it('says a cancel during the wait as a cancel, keeping what the failure had received', async () => {
		const controller = new AbortController();
		const failure = busy(60_000);
		failure.partial = { reply: 'Hel' };
		const run = await runAttempts([failure], { signal: controller.signal, onRetry: () => controller.abort() });
		expect(run.budgets).toHaveLength(1);
		expect(run.error).toBeInstanceOf(AgentChatError);
		expect([run.error?.message, run.error?.kind, run.error?.code, run.error?.retryable, run.error?.partial]).toEqual([
			'The execution was cancelled while waiting to retry after: busy',
			'transport',
			'CANCELLED',
			false,
			{ reply: 'Hel' },
		]);
	});
});
