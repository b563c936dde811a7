// nodes/shared measured with its own test files only: the whole suite reruns n8n workflows and the
// hardening fault matrix for every mutant it reaches, far too slow for a quick look at the shared modules.
import { readFileSync } from 'node:fs';

const base = JSON.parse(readFileSync(new URL('./stryker.config.json', import.meta.url), 'utf8'));
const SHARED_TESTS = [
	'commonOptions',
	'itemRunner',
	'liveStream',
	'operations',
	'orderedBatch',
	'retry',
	'retryPolicy',
	'sharedErrors',
	'sseReader',
	'sseShared',
	'streamedTurn',
	'transport',
	'transportFailures',
	'validation',
];

export default {
	...base,
	$schema: undefined,
	mutate: ['nodes/shared/**/*.ts'],
	jest: { ...base.jest, config: { testMatch: [`<rootDir>/test/{${SHARED_TESTS.join(',')}}.test.ts`] } },
	incrementalFile: 'reports/stryker-incremental-shared.json',
	jsonReporter: { fileName: 'reports/mutation/shared.json' },
	htmlReporter: { fileName: 'reports/mutation/shared.html' },
};
