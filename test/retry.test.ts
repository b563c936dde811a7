import { backoffDelayMs, nextWaitMs, parseRetryAfterMs } from '../nodes/shared/retry';

describe('retry timing', () => {
	it('waits at most one second before the first retry, then grows', () => {
		expect(backoffDelayMs(0, () => 0.999)).toBeLessThanOrEqual(1000);
		expect(backoffDelayMs(1, () => 1)).toBe(2000);
		expect(backoffDelayMs(2, () => 0.5)).toBe(2000);
		expect(backoffDelayMs(20, () => 1)).toBe(30000);
	});

	it('reads Retry-After as seconds or as a date', () => {
		expect(parseRetryAfterMs('3')).toBe(3000);
		expect(parseRetryAfterMs('0')).toBe(0);
		expect(parseRetryAfterMs(new Date(10_000).toUTCString(), 4_000)).toBe(6000);
		expect(parseRetryAfterMs('soon')).toBeUndefined();
		expect(parseRetryAfterMs(undefined)).toBeUndefined();
	});

	it("lets the server's wait win over the backoff", () => {
		expect(nextWaitMs(0, 2500, () => 0)).toBe(2500);
		expect(nextWaitMs(0, undefined, () => 0.5)).toBe(500);
	});
});
