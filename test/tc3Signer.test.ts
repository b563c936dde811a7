import { signTc3 } from '../nodes/TencentLke/tc3Signer';

// Tencent's worked example from the "Signature v3" page (see shared/seeds/README.md).
const officialExample = {
	secretId: 'AKIDz8krbsJ5yKBZQpn74WFkmLPx3EXAMPLE',
	secretKey: 'Gu5t9xGARNpq86cd98joQYCN3EXAMPLE',
	service: 'cvm',
	host: 'cvm.tencentcloudapi.com',
	contentType: 'application/json; charset=utf-8',
	body: '{"Limit": 1, "Filters": [{"Values": ["\\u672a\\u547d\\u540d"], "Name": "instance-name"}]}',
	timestamp: 1551113065,
};

describe('signTc3', () => {
	it('reproduces the canonical-request hash and signature of the official example', () => {
		const signed = signTc3(officialExample);
		expect(signed.date).toBe('2019-02-25');
		expect(signed.canonicalRequest.endsWith('35e9c5b0e3ae67532d3c9f17ead6c90222632e5b1ff7f6e89887f1398934f064')).toBe(true);
		expect(signed.canonicalRequestHash).toBe('5ffe6a04c0664d6b969fab9a13bdab201d63ee709638e2749d62a09ca18d7031');
		expect(signed.signature).toBe('72e494ea809ad7a8c8f7a4507b9bddcbaa8e581f516e8da2f66e2c5a96525168');
		expect(signed.authorization).toBe(
			'TC3-HMAC-SHA256 Credential=AKIDz8krbsJ5yKBZQpn74WFkmLPx3EXAMPLE/2019-02-25/cvm/tc3_request, ' +
				'SignedHeaders=content-type;host, Signature=72e494ea809ad7a8c8f7a4507b9bddcbaa8e581f516e8da2f66e2c5a96525168',
		);
	});

	it('signs bytes, so one changed byte of the body changes the signature', () => {
		const a = signTc3(officialExample).signature;
		const b = signTc3({ ...officialExample, body: Buffer.from(officialExample.body.replace('1', '2')) }).signature;
		expect(a).not.toBe(b);
	});

	it('covers the content-type value exactly as sent', () => {
		const a = signTc3(officialExample).signature;
		const b = signTc3({ ...officialExample, contentType: 'application/json' }).signature;
		expect(a).not.toBe(b);
	});
});
