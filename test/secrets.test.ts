/**
 * The values each credential must never let through (masked in outputs, errors and logs): every
 * secret field, as typed and as sent, and nothing for an empty field.
 */
import { aiskSecrets } from '../nodes/Aisk/secrets';
import { redactSecrets } from '../nodes/shared/errors';
import { tateSecrets } from '../nodes/TateATate/secrets';
import { lkeSecrets } from '../nodes/TencentLke/secrets';

describe('secret lists', () => {
	test('Tencent LKE: the AppKey and the SecretKey; the SecretId is not secret', () => {
		expect(lkeSecrets({ appKey: 'app-key-1', secretKey: 'sk-2', secretId: 'AKID-3' })).toEqual(['app-key-1', 'sk-2']);
		expect(lkeSecrets({ appKey: '', secretKey: 42 as never })).toEqual([]);
		expect(lkeSecrets({})).toEqual([]);
	});

	test('AiSK: the API token trimmed, and as the Authorization value it is sent in', () => {
		expect(aiskSecrets({ apiToken: '  tok-1 ' })).toEqual(['tok-1', 'Bearer tok-1']);
		expect(aiskSecrets({ apiToken: '   ' })).toEqual([]);
		expect(aiskSecrets({ apiToken: 7 as never })).toEqual([]);
	});

	test('tate-a-tate: the secret key as typed and trimmed', () => {
		expect(tateSecrets({ secretKey: ' k-1 ' })).toEqual([' k-1 ', 'k-1']);
		expect(tateSecrets({ secretKey: '  ' })).toEqual([]);
		expect(tateSecrets({ secretKey: null as never })).toEqual([]);
	});

	test('what the lists are for: an error text quoting a secret is masked', () => {
		expect(redactSecrets('server echoed Bearer tok-1 back', aiskSecrets({ apiToken: 'tok-1' }))).not.toContain('tok-1');
		expect(redactSecrets('key app-key-1 refused', lkeSecrets({ appKey: 'app-key-1' }))).not.toContain('app-key-1');
	});
});
