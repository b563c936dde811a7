/**
 * Pre-installs the n8n hosts used by the demo and the end-to-end tests (e.g. in CI).
 *   node build/tools/installN8n.js v1 [v2]
 * Cache: env N8N_HOST_CACHE, else ${XDG_CACHE_HOME:-$HOME/.cache}/n8n-nodes-agent-chat
 */
import { cacheRoot, ensureHost, HostKind } from './lib/n8nHost';

async function main(): Promise<void> {
	const args = process.argv.slice(2);
	if (args.includes('-h') || args.includes('--help')) {
		process.stdout.write('usage: node build/tools/installN8n.js v1 [v2]   (default: v1 v2)\n');
		return;
	}
	const kinds = args.length ? args : ['v1', 'v2'];
	for (const k of kinds) {
		if (k !== 'v1' && k !== 'v2') throw new Error(`unknown host kind "${k}" (expected v1 or v2)`);
	}
	process.stderr.write(`[n8n-host] cache: ${cacheRoot()}\n`);
	for (const kind of kinds as HostKind[]) {
		const started = Date.now();
		const host = await ensureHost(kind);
		process.stdout.write(
			`${kind}: n8n ${host.version} at ${host.dir} (node ${host.nodePath}) ready in ${Math.round((Date.now() - started) / 1000)} s\n`,
		);
	}
}

main().catch((e) => {
	process.stderr.write(`${e instanceof Error ? e.message : String(e)}\n`);
	process.exit(1);
});
