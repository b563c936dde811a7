import { buildCloudApiRequest, planGetWsToken, type CloudApiRequest, type GetWsTokenInput } from '../nodes/TencentLke/getWsTokenRequest';
import { computeTc3, parseTc3Authorization, tc3ScopeDate } from '../testkit/simulator/tc3Verification';
import { mulberry32, randomInt } from './helpers/prng';
import { sdkAuthorization } from './helpers/tencentCloudSdkSigner';

/**
 * The node's TC3 signatures against two oracles that share no code with it: Tencent's own Node.js
 * SDK signer, and the simulator's TC3 check. Hundreds of generated GetWsToken requests: both sites
 * and other regions, bodies with Chinese, emoji, other scripts, JSON escapes, and timestamps over
 * a century of UTC dates (midnights, a leap day, 2^31).
 */

type Random = () => number;

const SITES = [
	{ host: 'lke.tencentcloudapi.com', region: 'ap-guangzhou', otherRegions: ['ap-shanghai', 'ap-beijing', 'ap-chengdu', 'ap-nanjing'] },
	{ host: 'lke.intl.tencentcloudapi.com', region: 'ap-jakarta', otherRegions: ['ap-singapore', 'ap-bangkok', 'na-siliconvalley', 'eu-frankfurt'] },
];

const TEXT_PIECES = [
	'a', 'Z', '7', '-', '_', '.', ' ', '"', '\\', '/', '\n', '\t', '\u0001', '<', '&', '\'',
	'你好', '知识库', '智能体', '问答', '腾讯云', '访客', '😀', '🚀', '👍🏽', '👨‍👩‍👧', '🔑',
	'Ελληνικά', 'العربية', 'हिन्दी', 'ñ', 'é', '\u00a0', '\u2028', '\ufeff', '\ud800',
];

const ALPHANUMERIC = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

function pick<T>(random: Random, values: ArrayLike<T>): T {
	return values[Math.floor(random() * values.length)];
}

/** Text of at most `maxUnits` UTF-16 units, never splitting a piece (so no emoji is cut in half). */
function randomText(random: Random, maxUnits: number): string {
	const target = randomInt(random, 1, maxUnits);
	let text = '';
	for (let attempts = 0; text.length < target && attempts < 4 * maxUnits; attempts++) {
		const piece = pick(random, TEXT_PIECES);
		if (text.length + piece.length <= target) text += piece;
	}
	return text;
}

function randomKey(random: Random, prefix: string, length: number): string {
	let key = prefix;
	while (key.length < length) key += pick(random, ALPHANUMERIC);
	return key;
}

/** Seconds; spread over 2000–2099, with many right around a UTC midnight, where the scope date turns. */
function randomTimestamp(random: Random): number {
	switch (randomInt(random, 0, 3)) {
		case 0:
			return randomInt(random, 946_684_800, 4_102_444_799);
		case 1:
			return randomInt(random, 10_958, 47_481) * 86_400 + randomInt(random, -2, 2);
		case 2:
			return randomInt(random, 1_700_000_000, 1_900_000_000);
		default:
			// 2024-02-29T00:00:00Z, 2024-02-29T23:59:59Z, 2025-12-31T23:59:59Z, 2026-01-01T00:00:00Z, 2^31 - 1, 2^31
			return pick(random, [1_709_164_800, 1_709_251_199, 1_767_225_599, 1_767_225_600, 2_147_483_647, 2_147_483_648]);
	}
}

interface GeneratedCase {
	input: GetWsTokenInput & { secretId: string; secretKey: string };
	timestamp: number;
}

function generatedCase(random: Random, apiEndpoint: string, region: string): GeneratedCase {
	const appKey = randomText(random, 120);
	return {
		input: {
			secretId: randomKey(random, 'AKID', 36),
			secretKey: randomKey(random, '', 32),
			appKey: appKey.trim() === '' ? `k${appKey}` : appKey,
			visitorBizId: random() < 0.1 ? '' : randomText(random, 64),
			apiEndpoint,
			region,
			defaultVisitorBizId: 'n8n-workflow',
		},
		timestamp: randomTimestamp(random),
	};
}

/** Endpoints on the vendor's hosts, written the ways a user may write them; all on the default port. */
function vendorEndpoint(random: Random, host: string): string {
	return pick(random, [`https://${host}`, `https://${host}/`, `https://${host.toUpperCase()}`, `https://${host}:443`, ` https://${host} `, `http://${host}:80`]);
}

function signedBy(request: CloudApiRequest, generated: GeneratedCase, url = request.url): string {
	return sdkAuthorization({
		url,
		headers: request.headers,
		body: request.body,
		timestamp: generated.timestamp,
		service: 'lke',
		secretId: generated.input.secretId,
		secretKey: generated.input.secretKey,
	});
}

/** What the simulator computes for this request as received, with `host` as given. */
function simulatorSignature(request: CloudApiRequest, generated: GeneratedCase, host: string): string {
	return computeTc3({
		secretKey: generated.input.secretKey,
		service: 'lke',
		timestamp: generated.timestamp,
		method: 'POST',
		signedHeaders: [
			['content-type', request.headers['Content-Type']],
			['host', host],
		],
		body: Buffer.from(request.body, 'utf8'),
	}).signature;
}

describe('the oracles themselves', () => {
	// Tencent's worked example from its "Signature v3" page.
	const example = {
		secretId: 'AKIDz8krbsJ5yKBZQpn74WFkmLPx3EXAMPLE',
		secretKey: 'Gu5t9xGARNpq86cd98joQYCN3EXAMPLE',
		body: '{"Limit": 1, "Filters": [{"Values": ["\\u672a\\u547d\\u540d"], "Name": "instance-name"}]}',
		contentType: 'application/json; charset=utf-8',
		timestamp: 1551113065,
	};

	test('Tencent\'s SDK signer reproduces the worked example', () => {
		const authorization = sdkAuthorization({
			url: 'https://cvm.tencentcloudapi.com/',
			headers: { 'Content-Type': example.contentType },
			body: example.body,
			timestamp: example.timestamp,
			service: 'cvm',
			secretId: example.secretId,
			secretKey: example.secretKey,
		});
		expect(authorization).toBe(
			'TC3-HMAC-SHA256 Credential=AKIDz8krbsJ5yKBZQpn74WFkmLPx3EXAMPLE/2019-02-25/cvm/tc3_request, ' +
				'SignedHeaders=content-type;host, Signature=72e494ea809ad7a8c8f7a4507b9bddcbaa8e581f516e8da2f66e2c5a96525168',
		);
	});

	test('the simulator\'s TC3 check reproduces the worked example, step by step', () => {
		const computed = computeTc3({
			secretKey: example.secretKey,
			service: 'cvm',
			timestamp: example.timestamp,
			method: 'POST',
			signedHeaders: [
				['Content-Type', ` ${example.contentType} `],
				['Host', 'cvm.tencentcloudapi.com'],
			],
			body: example.body,
		});
		expect(computed.canonicalRequest).toBe(
			'POST\n/\n\ncontent-type:application/json; charset=utf-8\nhost:cvm.tencentcloudapi.com\n\ncontent-type;host\n' +
				'35e9c5b0e3ae67532d3c9f17ead6c90222632e5b1ff7f6e89887f1398934f064',
		);
		expect(computed.stringToSign).toBe(
			'TC3-HMAC-SHA256\n1551113065\n2019-02-25/cvm/tc3_request\n5ffe6a04c0664d6b969fab9a13bdab201d63ee709638e2749d62a09ca18d7031',
		);
		expect(computed.signature).toBe('72e494ea809ad7a8c8f7a4507b9bddcbaa8e581f516e8da2f66e2c5a96525168');
		expect(tc3ScopeDate(1_709_251_199)).toBe('2024-02-29');
		expect(tc3ScopeDate(1_709_251_200)).toBe('2024-03-01');
	});
});

describe('the node\'s GetWsToken signature equals Tencent\'s SDK signer (vendor hosts, default port)', () => {
	const CASES = 600;

	test(`${CASES} generated requests, both sites, other regions, non-ASCII bodies, many dates`, () => {
		const random = mulberry32(0x7c3_5d4);
		const mismatches: unknown[] = [];
		const dates = new Set<string>();
		let multiByteBodies = 0;
		for (let index = 0; index < CASES; index++) {
			const site = SITES[index % SITES.length];
			// The first case of each site is the documented pair; then other regions as often as not.
			const region = index < SITES.length || random() < 0.5 ? site.region : pick(random, site.otherRegions);
			const generated = generatedCase(random, vendorEndpoint(random, site.host), region);
			const request = buildCloudApiRequest(planGetWsToken(generated.input), generated.timestamp);

			const node = request.headers.Authorization;
			const sdk = signedBy(request, generated);
			const simulator = simulatorSignature(request, generated, request.headers.Host);
			if (node !== sdk || parseTc3Authorization(node)?.signature !== simulator || request.headers.Host !== site.host) {
				mismatches.push({ index, endpoint: generated.input.apiEndpoint, timestamp: generated.timestamp, body: request.body, node, sdk, simulator });
			}
			dates.add(tc3ScopeDate(generated.timestamp));
			if (Buffer.byteLength(request.body) > request.body.length) multiByteBodies++;
		}
		expect(mismatches.slice(0, 3)).toEqual([]);
		// The generator really covers what it claims.
		expect(dates.size).toBeGreaterThan(300);
		expect(multiByteBodies).toBeGreaterThan(CASES / 2);
	});

	test('the documented pairs, written out: lke.tencentcloudapi.com / ap-guangzhou and lke.intl.tencentcloudapi.com / ap-jakarta', () => {
		for (const site of SITES) {
			const generated: GeneratedCase = {
				input: {
					secretId: 'AKIDexample',
					secretKey: 'example-secret',
					appKey: '应用密钥-🔑',
					visitorBizId: '访客 😀 "quoted" \\ back',
					apiEndpoint: `https://${site.host}`,
					region: site.region,
					defaultVisitorBizId: 'unused',
				},
				timestamp: 1_767_225_599,
			};
			const request = buildCloudApiRequest(planGetWsToken(generated.input), generated.timestamp);
			expect(request.headers).toMatchObject({ Host: site.host, 'X-TC-Region': site.region, 'X-TC-Timestamp': '1767225599' });
			expect(request.headers.Authorization).toMatch(/^TC3-HMAC-SHA256 Credential=AKIDexample\/2025-12-31\/lke\/tc3_request, SignedHeaders=content-type;host, Signature=[0-9a-f]{64}$/);
			expect(request.headers.Authorization).toBe(signedBy(request, generated));
		}
	});
});

describe('endpoints with a non-default port (proxy, private deployment, the simulator)', () => {
	const CASES = 200;
	const HOSTNAMES = ['127.0.0.1', 'localhost', 'proxy.example.com', 'LKE-Gateway.Example.Internal', '[::1]', 'lke.tencentcloudapi.com'];

	/**
	 * Tencent verifies the canonical `host` against the Host header the request carries: its
	 * documentation builds the canonical headers from the request's headers, and its Go, Python,
	 * Java and PHP SDKs send and sign the same `host[:port]` string. The node does the same.
	 * Tencent's Node.js SDK alone signs the hostname without the port (while sending the port in
	 * Host), so it cannot be the oracle here; the check pins that this is the only difference.
	 */
	test(`${CASES} generated requests: the node signs the Host it sends, port included`, () => {
		const random = mulberry32(0x9057);
		const mismatches: unknown[] = [];
		for (let index = 0; index < CASES; index++) {
			const scheme = pick(random, ['http', 'https']);
			const defaultPort = scheme === 'http' ? 80 : 443;
			let port = randomInt(random, 1, 65_535);
			if (port === defaultPort) port += 1;
			const hostname = pick(random, HOSTNAMES);
			const generated = generatedCase(random, `${scheme}://${hostname}:${port}${pick(random, ['', '/'])}`, pick(random, ['ap-guangzhou', 'ap-jakarta']));
			const request = buildCloudApiRequest(planGetWsToken(generated.input), generated.timestamp);

			const sentHost = `${hostname.toLowerCase()}:${port}`;
			const node = request.headers.Authorization;
			const expected = simulatorSignature(request, generated, sentHost);
			const expectedAuthorization =
				`TC3-HMAC-SHA256 Credential=${generated.input.secretId}/${tc3ScopeDate(generated.timestamp)}/lke/tc3_request, ` +
				`SignedHeaders=content-type;host, Signature=${expected}`;
			const sdk = signedBy(request, generated);
			const sdkWithoutPort = simulatorSignature(request, generated, hostname.toLowerCase());
			if (
				request.headers.Host !== sentHost ||
				node !== expectedAuthorization ||
				node === sdk ||
				parseTc3Authorization(sdk)?.signature !== sdkWithoutPort
			) {
				mismatches.push({ index, endpoint: generated.input.apiEndpoint, host: request.headers.Host, node, expectedAuthorization, sdk });
			}
		}
		expect(mismatches.slice(0, 3)).toEqual([]);
	});

	test('written out: http://127.0.0.1:8080 signs host:127.0.0.1:8080', () => {
		const generated: GeneratedCase = {
			input: {
				secretId: 'AKIDexample',
				secretKey: 'example-secret',
				appKey: 'example-app-key',
				visitorBizId: '',
				apiEndpoint: 'http://127.0.0.1:8080',
				region: 'ap-jakarta',
				defaultVisitorBizId: 'n8n-wf',
			},
			timestamp: 1_700_000_000,
		};
		const request = buildCloudApiRequest(planGetWsToken(generated.input), generated.timestamp);
		expect(request.headers.Host).toBe('127.0.0.1:8080');
		// Signature values computed by hand with an independent HMAC-SHA256 script.
		expect(request.headers.Authorization).toBe(
			'TC3-HMAC-SHA256 Credential=AKIDexample/2023-11-14/lke/tc3_request, SignedHeaders=content-type;host, ' +
				'Signature=2f8fc504f041bdd5f903fca9bfb2f864dafdfd053f0ddae4cf5cdd347143ef72',
		);
		// Tencent's Node.js SDK: host:127.0.0.1 in the canonical request, so another signature.
		expect(signedBy(request, generated)).toBe(
			'TC3-HMAC-SHA256 Credential=AKIDexample/2023-11-14/lke/tc3_request, SignedHeaders=content-type;host, ' +
				'Signature=c2b92866a32ed5f4106adf0e087c1cc59ee4ab8ae37e046459a34e436991d1ba',
		);
	});
});
