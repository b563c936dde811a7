// One folder of nodes/ (or credentials/, or a part of a folder) measured with the test files written for it,
// chosen by MUTATION_FOLDER. The whole suite reruns n8n workflows and the hardening fault matrix for every
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
	// Tencent LKE in three parts, so that the request builders, aggregators and stream readers run with their own fast
	// tests, and only the client and the operations with the tests that run whole turns and workflows.
	'TencentLke-requests': {
		mutate: ['nodes/TencentLke/{chatRequest,chatRequestV2,getWsTokenRequest,chatAggregator,chatAggregatorV2,chatResult,liveReplyText,errors,tc3Signer,site,secrets}.ts'],
		tests: ['adpV2Aggregator', 'adpV2ChatRequest', 'getWsTokenRequest', 'liveReplyText', 'lkeChatRequest', 'lkeChatResult', 'lkeErrors', 'lkeEventAggregator', 'lkeChatTurn', 'lkeCloudApi', 'secrets', 'site', 'tc3Sdk', 'tc3Signer'],
	},
	'TencentLke-stream': {
		mutate: ['nodes/TencentLke/stream/**/*.ts'],
		tests: ['streamFastPath', 'streamRetention', 'lkeStreamEvents', 'adpV2Aggregator', 'lkeEventAggregator', 'lkeChatTurn'],
	},
	'TencentLke-client': {
		mutate: ['nodes/TencentLke/{chatClient,chatOutputs,getWsTokenClient,credentialTest,TencentLke.node}.ts', 'nodes/TencentLke/actions/**/*.ts'],
		tests: ['lkeChatTurn', 'tencentLkeChat', 'liveDeltas', 'lkeCloudApi', 'nodeDescriptions', 'operations', 'site'],
	},
	Aisk: {
		mutate: ['nodes/Aisk/**/*.ts'],
		tests: ['aisk', 'aiskAskAggregator', 'aiskAskRequest', 'aiskAskStream', 'aiskAskWorkflow', 'nodeDescriptions', 'operations', 'secrets'],
	},
	TateATate: {
		mutate: ['nodes/TateATate/**/*.ts'],
		tests: ['tateATate', 'nodeDescriptions', 'operations', 'secrets'],
	},
	credentials: {
		mutate: ['credentials/**/*.ts'],
		tests: ['credentials', 'aisk', 'aiskAskWorkflow', 'lkeCloudApi', 'site', 'tateATate', 'tencentLkeChat'],
	},
};

const folder = process.env.MUTATION_FOLDER ?? 'shared';
const chosen = FOLDERS[folder];
if (!chosen) throw new Error(`MUTATION_FOLDER must be one of ${Object.keys(FOLDERS).join(', ')}, not "${folder}"`);

// The base config adds nodes/ and credentials/ to jest's roots: for --findRelatedTests the runner adds only the mutated
// file's folder, so jest could not follow a test's imports through a file outside both (Aisk.node.ts → actions/index.ts
// → ask.operation.ts), found no related test, ran none, and reported the operations' mutants as survived.
export default {
	...base,
	$schema: undefined,
	mutate: chosen.mutate,
	jest: { ...base.jest, config: { ...base.jest.config, testMatch: [`<rootDir>/test/{${chosen.tests.join(',')}}.test.ts`] } },
	incrementalFile: `reports/stryker-incremental-${folder}.json`,
	jsonReporter: { fileName: `reports/mutation/${folder}.json` },
	htmlReporter: { fileName: `reports/mutation/${folder}.html` },
};
