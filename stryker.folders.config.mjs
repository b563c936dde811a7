// One folder of nodes/ (or credentials/) measured with the test files written for it, chosen by
// MUTATION_FOLDER. The whole suite reruns n8n workflows and the hardening fault matrix for every
// mutant it reaches, which makes a full run too slow for two cores; these runs are lower bounds
// for it (a mutant only the other files would detect counts as undetected here).
//
//   MUTATION_FOLDER=TencentLke npx stryker run stryker.folders.config.mjs
import { readFileSync } from 'node:fs';

const base = JSON.parse(readFileSync(new URL('./stryker.config.json', import.meta.url), 'utf8'));

const FOLDERS = {
	shared: {
		mutate: ['nodes/shared/**/*.ts'],
		tests: ['commonOptions', 'itemRunner', 'liveStream', 'operations', 'orderedBatch', 'retry', 'retryPolicy', 'sharedErrors', 'sseReader', 'sseShared', 'streamedTurn', 'transport', 'transportFailures', 'validation'],
	},
	TencentLke: {
		mutate: ['nodes/TencentLke/**/*.ts'],
		tests: ['adpV2Aggregator', 'adpV2ChatRequest', 'liveDeltas', 'lkeChatRequest', 'lkeChatTurn', 'lkeCloudApi', 'lkeEventAggregator', 'site', 'streamFastPath', 'tc3Sdk', 'tc3Signer', 'tencentLkeChat', 'operations'],
	},
	Aisk: {
		mutate: ['nodes/Aisk/**/*.ts'],
		tests: ['aisk', 'aiskAskAggregator', 'aiskAskRequest', 'aiskAskStream', 'aiskAskWorkflow', 'operations'],
	},
	TateATate: {
		mutate: ['nodes/TateATate/**/*.ts'],
		tests: ['tateATate', 'operations'],
	},
	credentials: {
		mutate: ['credentials/**/*.ts'],
		tests: ['aisk', 'aiskAskWorkflow', 'lkeCloudApi', 'site', 'tateATate', 'tencentLkeChat'],
	},
};

const folder = process.env.MUTATION_FOLDER ?? 'shared';
const chosen = FOLDERS[folder];
if (!chosen) throw new Error(`MUTATION_FOLDER must be one of ${Object.keys(FOLDERS).join(', ')}, not "${folder}"`);

export default {
	...base,
	$schema: undefined,
	mutate: chosen.mutate,
	jest: { ...base.jest, config: { testMatch: [`<rootDir>/test/{${chosen.tests.join(',')}}.test.ts`] } },
	incrementalFile: `reports/stryker-incremental-${folder}.json`,
	jsonReporter: { fileName: `reports/mutation/${folder}.json` },
	htmlReporter: { fileName: `reports/mutation/${folder}.html` },
};
