import { AgentChatError, asAgentChatError } from './errors';

/** Backoff between attempts: exponential with full jitter, the first wait at most one second. */

export const FIRST_BACKOFF_MS = 1_000;
export const MAX_BACKOFF_MS = 30_000;

export function backoffDelayMs(retryIndex: number, random: () => number = Math.random): number {
	const ceiling = Math.min(MAX_BACKOFF_MS, FIRST_BACKOFF_MS * 2 ** retryIndex);
	return Math.round(ceiling * random());
}

/**
 * Every HTTP date form (IMF-fixdate, RFC 850, asctime) starts with the day's name. Checked first
 * because JavaScript's date parser also reads text like "-1" or "2026" as a year, which would turn
 * a malformed header into "retry at once".
 */
const HTTP_DATE_START = /^(Mon|Tue|Wed|Thu|Fri|Sat|Sun)[a-z]*,?\s/;

/** `Retry-After` as seconds or an HTTP date; undefined when absent or unreadable. */
export function parseRetryAfterMs(value: string | undefined, now = Date.now()): number | undefined {
	if (value === undefined || value.trim() === '') return undefined;
	const trimmed = value.trim();
	if (/^\d+(\.\d+)?$/.test(trimmed)) return Math.round(Number(trimmed) * 1000);
	if (!HTTP_DATE_START.test(trimmed)) return undefined;
	const date = Date.parse(trimmed);
	if (Number.isNaN(date)) return undefined;
	return Math.max(0, date - now);
}

/** The server's own wait wins over our backoff, capped so a hostile value cannot park a batch. */
export function nextWaitMs(retryIndex: number, serverWaitMs: number | undefined, random?: () => number): number {
	if (serverWaitMs !== undefined) return Math.min(serverWaitMs, MAX_BACKOFF_MS * 4);
	return backoffDelayMs(retryIndex, random);
}

export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
	return new Promise((resolve, reject) => {
		if (signal?.aborted) return reject(new Error('cancelled'));
		const onAbort = () => {
			clearTimeout(timer);
			reject(new Error('cancelled'));
		};
		const timer = setTimeout(() => {
			signal?.removeEventListener('abort', onAbort);
			resolve();
		}, ms);
		signal?.addEventListener('abort', onAbort, { once: true });
	});
}

/** Said before each retry, for the log. */
export interface RetryInfo {
	attempt: number;
	waitMs: number;
	code: string | number;
}

export interface RetryPolicy {
	maxRetries: number;
	/** Budget for all attempts and waits together. */
	timeoutMs: number;
	signal?: AbortSignal;
	random?: () => number;
	onRetry?: (info: RetryInfo) => void;
}

/**
 * Runs `attempt` until it succeeds, fails with a non-retryable error, runs out of retries, or the
 * next wait would pass the deadline. Each attempt gets what is left of the budget. An attempt marks
 * its failure not retryable when sending again could duplicate or lose what already arrived.
 */
export async function withRetries<T>(policy: RetryPolicy, attempt: (budgetMs: number) => Promise<T>): Promise<T> {
	const deadline = Date.now() + policy.timeoutMs;
	for (let retryIndex = 0; ; retryIndex++) {
		try {
			return await attempt(Math.max(1, deadline - Date.now()));
		} catch (error) {
			const failure = asAgentChatError(error);
			if (!failure.retryable || retryIndex >= policy.maxRetries || policy.signal?.aborted) throw failure;
			const waitMs = nextWaitMs(retryIndex, failure.retryAfterMs, policy.random);
			if (Date.now() + waitMs >= deadline) throw failure;
			policy.onRetry?.({ attempt: retryIndex + 1, waitMs, code: failure.code });
			try {
				await sleep(waitMs, policy.signal);
			} catch {
				throw cancelledWhileWaiting(failure);
			}
		}
	}
}

/** A cancel during the wait before a retry is a cancel: the failure waited on is said, not reported. */
function cancelledWhileWaiting(failure: AgentChatError): AgentChatError {
	const cancelled = new AgentChatError(`The execution was cancelled while waiting to retry after: ${failure.message}`, {
		kind: 'transport',
		code: 'CANCELLED',
	});
	cancelled.partial = failure.partial;
	return cancelled;
}
