/** CPU accounting from Linux /proc: where the time goes during a throughput run. */
import * as fs from 'fs';

export const CLK_TCK = 100;

function statFields(pid: number | string): string[] | undefined {
	try {
		const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
		return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
	} catch {
		return undefined;
	}
}

/** CPU seconds (user + system) of a process and its direct children (PostgreSQL's backends are children of the postmaster); 0 when gone. */
export function treeCpuSeconds(pid: number | undefined): number {
	if (!pid) return 0;
	let ticks = 0;
	for (const entry of fs.readdirSync('/proc')) {
		if (!/^\d+$/.test(entry)) continue;
		const fields = statFields(entry);
		// field 1 is the parent's pid; 11 and 12 are user and system time
		if (fields && (Number(entry) === pid || Number(fields[1]) === pid)) ticks += Number(fields[11]) + Number(fields[12]);
	}
	return ticks / CLK_TCK;
}

/** Machine-wide CPU time so far: busy and total, in ticks over all cores. */
export function machineCpu(): { busy: number; total: number } {
	try {
		const line = fs.readFileSync('/proc/stat', 'utf8').split('\n')[0];
		const values = line.trim().split(/\s+/).slice(1).map(Number);
		const total = values.slice(0, 8).reduce((a, b) => a + b, 0);
		return { busy: total - values[3] - (values[4] ?? 0), total };
	} catch {
		return { busy: 0, total: 0 };
	}
}
