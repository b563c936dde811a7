/**
 * One load-cost sample for `npm run bench`, in a fresh process:
 *   node loadProbe.js <repoRoot> <pre: n8n|none> <file…>
 * Optionally requires n8n-workflow first (n8n has it loaded before it loads community nodes), then
 * times requiring the files and prints one JSON line: the time, and which heavy modules got loaded.
 * Only Node built-ins are used here, so the probe itself costs the same for every target.
 */
/* eslint-disable @typescript-eslint/no-require-imports */
const [root, pre, ...files] = process.argv.slice(2);
if (pre === 'n8n') require(require.resolve('n8n-workflow', { paths: [root] }));
const before = Object.keys(require.cache).length;
const started = process.hrtime.bigint();
for (const file of files) require(file);
const ms = Number(process.hrtime.bigint() - started) / 1e6;
const loaded = Object.keys(require.cache);
const has = (name: string) => loaded.some((key) => key.includes(`/node_modules/${name}/`));
process.stdout.write(
	JSON.stringify({
		ms,
		modules: loaded.length - before,
		undici: has('undici'),
		eventsourceParser: has('eventsource-parser'),
		n8nWorkflow: has('n8n-workflow'),
	}) + '\n',
);
