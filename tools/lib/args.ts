/** Command-line options the tools share. */
import type { HostKind } from './n8nHost';

/** The n8n hosts named by `--host v1|v2` (repeatable, or `--host=v2`); `defaults` when none is. */
export function hostsFromArgs(argv: string[], defaults: HostKind[]): HostKind[] {
	const hosts: HostKind[] = [];
	for (let i = 0; i < argv.length; i++) {
		const value = argv[i] === '--host' ? argv[++i] : argv[i].startsWith('--host=') ? argv[i].slice('--host='.length) : undefined;
		if (value === undefined) continue;
		if (value !== 'v1' && value !== 'v2') throw new Error(`--host must be v1 or v2, not ${value}`);
		if (!hosts.includes(value)) hosts.push(value);
	}
	return hosts.length ? hosts : defaults;
}
