import type { HostKind } from '../lib/n8nHost';

/** What the check saw of the executions a worker had when it was told to stop. */
export interface StoppedWorkerRun {
	kind: HostKind;
	/** Questions the simulator was asked more than once in the run. */
	askedTwice: number;
	/** execution_entity.status of each execution the stopped worker had started. */
	statuses: string[];
	/** startedAt to stoppedAt, in seconds, of each of those executions another worker ran again (a re-run restarts the clock). */
	rerunSeconds: number[];
	/** The simulator's delay before each answer. */
	answerLatencyMs: number;
}

/**
 * Whether the executions another worker ran again had already run to their end: n8n 1.x may exit
 * with an execution done but its job not yet marked done, and after the stall check another worker
 * takes the job up and ends it without asking anything. That holds when no question was asked
 * twice, every execution ended as a success, and each re-run took less than one answer's delay (a
 * re-run that asked anything would have waited at least that long). n8n 2.x fails a stalled job
 * instead of running it again, so there it never holds.
 */
export function rerunsOnlyFinishedBookkeeping(run: StoppedWorkerRun): boolean {
	return (
		run.kind === 'v1' &&
		run.askedTwice === 0 &&
		run.statuses.every((status) => status === 'success') &&
		run.rerunSeconds.every((seconds) => seconds * 1000 < run.answerLatencyMs)
	);
}
