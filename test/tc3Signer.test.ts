import { createHash } from 'crypto';
import { signTc3 } from '../nodes/TencentLke/tc3Signer';
import { sdkAuthorization } from './helpers/tencentCloudSdkSigner';

// Tencent's worked example from its "Signature v3" page.
const officialExample = {
	secretId: 'AKIDz8krbsJ5yKBZQpn74WFkmLPx3EXAMPLE',
	secretKey: 'Gu5t9xGARNpq86cd98joQYCN3EXAMPLE',
	service: 'cvm',
	host: 'cvm.tencentcloudapi.com',
	contentType: 'application/json; charset=utf-8',
	body: '{"Limit": 1, "Filters": [{"Values": ["\\u672a\\u547d\\u540d"], "Name": "instance-name"}]}',
	timestamp: 1551113065,
};

/** Tencent's SDK signer for the same inputs (a host on the default port). */
function sdkSigned(input: Omit<typeof officialExample, 'body'> & { body: string | Buffer }): string {
	return sdkAuthorization({
		url: `https://${input.host}/`,
		headers: { 'Content-Type': input.contentType },
		body: input.body,
		timestamp: input.timestamp,
		service: input.service,
		secretId: input.secretId,
		secretKey: input.secretKey,
	});
}

describe('signTc3', () => {
	it('reproduces the canonical request, its hash and the signature of the official example', () => {
		const signed = signTc3(officialExample);
		expect(signed.date).toBe('2019-02-25');
		expect(signed.canonicalRequest).toBe(
			'POST\n/\n\ncontent-type:application/json; charset=utf-8\nhost:cvm.tencentcloudapi.com\n\ncontent-type;host\n' +
				'35e9c5b0e3ae67532d3c9f17ead6c90222632e5b1ff7f6e89887f1398934f064',
		);
		expect(signed.canonicalRequestHash).toBe('5ffe6a04c0664d6b969fab9a13bdab201d63ee709638e2749d62a09ca18d7031');
		expect(signed.stringToSign).toBe(
			'TC3-HMAC-SHA256\n1551113065\n2019-02-25/cvm/tc3_request\n5ffe6a04c0664d6b969fab9a13bdab201d63ee709638e2749d62a09ca18d7031',
		);
		expect(signed.signature).toBe('72e494ea809ad7a8c8f7a4507b9bddcbaa8e581f516e8da2f66e2c5a96525168');
		expect(signed.authorization).toBe(
			'TC3-HMAC-SHA256 Credential=AKIDz8krbsJ5yKBZQpn74WFkmLPx3EXAMPLE/2019-02-25/cvm/tc3_request, ' +
				'SignedHeaders=content-type;host, Signature=72e494ea809ad7a8c8f7a4507b9bddcbaa8e581f516e8da2f66e2c5a96525168',
		);
	});

	it('signs the body bytes: raw UTF-8 (Chinese, emoji) and a one-byte change, as Tencent\'s SDK does', () => {
		const utf8 = { ...officialExample, body: '{"Limit": 1, "Filters": [{"Values": ["未命名 😀"], "Name": "instance-name"}]}' };
		const changed = { ...utf8, body: Buffer.from(utf8.body.replace('1', '2'), 'utf8') };
		const signed = signTc3(utf8);
		expect(signed.authorization).toBe(sdkSigned(utf8));
		expect(signTc3(changed).authorization).toBe(sdkSigned(changed));
		expect(signTc3(changed).signature).not.toBe(signed.signature);
		expect(signed.canonicalRequest.endsWith(`\n${createHash('sha256').update(Buffer.from(utf8.body, 'utf8')).digest('hex')}`)).toBe(true);
	});

	it('covers the content-type value exactly as sent, as Tencent\'s SDK does', () => {
		const plainJson = { ...officialExample, contentType: 'application/json' };
		expect(signTc3(plainJson).authorization).toBe(sdkSigned(plainJson));
		expect(signTc3(plainJson).signature).not.toBe(signTc3(officialExample).signature);
	});

	it('signs host with its port when the Host header carries one (canonical request written out)', () => {
		const body = '{"Type":5,"BotAppKey":"应用-🔑","VisitorBizId":"访客😀"}';
		const signed = signTc3({
			secretId: 'AKIDexample',
			secretKey: 'example-secret',
			service: 'lke',
			host: '127.0.0.1:8080',
			contentType: 'application/json',
			body,
			timestamp: 1_700_000_000,
		});
		expect(signed.canonicalRequest).toBe(
			'POST\n/\n\ncontent-type:application/json\nhost:127.0.0.1:8080\n\ncontent-type;host\n' +
				'6dd0dd6b48c40aafb2995f601372ddc79e259c3eeff8f947535cb8826f7429ab',
		);
		// Written out: computed outside the repository with an independent HMAC-SHA256 implementation.
		expect(signed.signature).toBe('f1a0f74065af1bee01f80bc6f770a3694116de29fd1eea0809435b0b86431513');
		expect(signed.date).toBe('2023-11-14');
	});
});
