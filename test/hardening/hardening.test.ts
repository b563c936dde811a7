/**
 * Faults, bad input and secrets: the hardening suite, with figures. One jest file (loading
 * n8n-core once costs seconds), four parts over every node kind of testkit/profiles.ts:
 *   faultMatrix.ts  every node × every fault: the right answer or a coded error, with the right retries,
 *                   the partial reply kept; every LKE error code of the vendor's table
 *   badInput.ts     every parameter and credential rule: an error naming the field, no request sent
 *   chunking.ts     thousands of random chunkings of realistic LKE streams: the identical aggregate
 *   load.ts         200 concurrent chat turns: all correct, no leak, memory back after GC
 * and, after every case of every part (test/helpers/hardening.ts): no unhandled rejection, no
 * request left open, no socket outside the pool's idle keep-alive sockets, no secret in any output,
 * error, log line or console write. At the end the pool is closed and the sockets return to their
 * baseline. The figures go to build/reliability/hardening.json; `tools/reliabilityReport.ts`
 * writes RELIABILITY.md from them.
 *
 *   npx jest test/hardening                      (one part: add -t "fault matrix" / "bad input" / …)
 *   npx tsc -p tsconfig.tools.json && node build/tools/reliabilityReport.js
 */
import * as os from 'os';
import { redactSecrets } from '../../nodes/shared/errors';
import { NODE_KINDS } from '../../testkit/profiles';
import { Hardening, SECRETS } from '../helpers/hardening';
import { badInputSuite } from './badInput';
import { chunkingSuite } from './chunking';
import { faultMatrixSuite } from './faultMatrix';
import { loadSuite } from './load';

const h = new Hardening('hardening');
const startedAt = Date.now();
const loadAtStart = os.loadavg()[0];
const partTimes: Record<string, number> = {};

beforeAll(async () => {
	await h.start();
	// warm-up: load every node's code path once, so no case's time is module loading
	for (const kind of NODE_KINDS) h.expectNoSecrets(await h.run({ kind }));
}, 60_000);

afterAll(async () => {
	h.extra.run = {
		suiteMs: Date.now() - startedAt,
		partMs: partTimes,
		command: 'npx jest test/hardening',
		machine: { cpus: os.cpus().length, cpuModel: os.cpus()[0]?.model ?? '', loadAverage1mStart: +loadAtStart.toFixed(2), loadAverage1mEnd: +os.loadavg()[0].toFixed(2) },
	};
	await h.stop();
}, 30_000);

it('the unhandled-rejection detector hears the real process (canary)', async () => {
	expect(await h.canary()).toBe(1);
});

it('redaction also masks a secret that an excerpt cut short', () => {
	const authorization = `TC3-HMAC-SHA256 Credential=${SECRETS.secretId}/2025-01-01/lke/tc3_request, SignedHeaders=content-type;host, Signature=${'ab'.repeat(32)}`;
	const cut = `Tencent Cloud API answered HTTP 500: auth=${authorization}`.slice(0, 120);
	expect(redactSecrets(cut, [authorization])).toBe('Tencent Cloud API answered HTTP 500: auth=***');
	expect(redactSecrets(`Response body: key=${SECRETS.lkeAppKey.slice(0, 12)}…`, [SECRETS.lkeAppKey])).toBe('Response body: key=***…');
	// a whole secret anywhere, and text that merely ends like one's first few characters, as before
	expect(redactSecrets(`a ${SECRETS.lkeAppKey} b ${SECRETS.lkeAppKey}`, [SECRETS.lkeAppKey])).toBe('a *** b ***');
	expect(redactSecrets('ends with hx-LKE', [SECRETS.lkeAppKey])).toBe('ends with hx-LKE');
});

function timed(name: string, declare: () => void): void {
	describe(name, () => {
		let started = 0;
		beforeAll(() => {
			started = Date.now();
		});
		afterAll(() => {
			partTimes[name] = Date.now() - started;
		});
		declare();
	});
}

timed('fault matrix', () => faultMatrixSuite(h));
timed('bad input', () => badInputSuite(h));
timed('chunking', () => chunkingSuite(h));
timed('load', () => loadSuite(h));

describe('secrets, across the whole suite', () => {
	it('every case was scanned and nothing leaked; no unhandled rejection', () => {
		// expectNoSecrets throws at the first leak, so getting here with the cases counted is the proof
		expect(h.scannedCases).toBeGreaterThan(200);
		expect(h.leaks).toBe(0);
		expect(h.unhandled).toHaveLength(0);
		h.extra.secrets = {
			scannedCases: h.scannedCases,
			scannedTexts: h.scannedTexts,
			leaks: h.leaks,
			valuesWatched: h.secretValues().length,
		};
	});
});
