/**
 * How the queue check reads a worker told to stop whose executions another worker ran again. The
 * first case is what a clean-clone run on n8n 1.123.81 showed: two of five executions taken up again
 * after the stall check, each re-run ending in 33–38 ms, no question asked twice.
 */
import { rerunsOnlyFinishedBookkeeping, type StoppedWorkerRun } from '../tools/queue/interruption';

const observed: StoppedWorkerRun = {
	kind: 'v1',
	askedTwice: 0,
	statuses: ['success', 'success', 'success', 'success', 'success'],
	rerunSeconds: [0.033, 0.038],
	answerLatencyMs: 1500,
};

describe('queue check: re-runs after a worker was told to stop', () => {
	it('n8n 1.x ending executions that had already run: not a failure', () => {
		expect(rerunsOnlyFinishedBookkeeping(observed)).toBe(true);
	});

	it('a re-run that took as long as an answer may have asked again: a failure', () => {
		expect(rerunsOnlyFinishedBookkeeping({ ...observed, rerunSeconds: [0.033, 1.5] })).toBe(false);
		expect(rerunsOnlyFinishedBookkeeping({ ...observed, rerunSeconds: [3.2] })).toBe(false);
	});

	it('a question asked twice, or an execution that did not succeed: a failure', () => {
		expect(rerunsOnlyFinishedBookkeeping({ ...observed, askedTwice: 1 })).toBe(false);
		expect(rerunsOnlyFinishedBookkeeping({ ...observed, statuses: ['success', 'error'] })).toBe(false);
		expect(rerunsOnlyFinishedBookkeeping({ ...observed, statuses: ['success', 'running'] })).toBe(false);
	});

	it('a re-run whose duration is unknown (no stoppedAt): a failure', () => {
		expect(rerunsOnlyFinishedBookkeeping({ ...observed, rerunSeconds: [Number.NaN] })).toBe(false);
	});

	it('n8n 2.x never runs a stalled job again: a re-run there is a failure', () => {
		expect(rerunsOnlyFinishedBookkeeping({ ...observed, kind: 'v2' })).toBe(false);
	});
});
