import type { ICredentialDataDecryptedObject, INodeCredentialTestResult } from 'n8n-workflow';
import { credentialTestFailure } from '../shared/errors';
import { callGetWsToken } from './getWsTokenClient';
import { planGetWsToken } from './getWsTokenRequest';
import { lkeSecrets } from './secrets';
import { resolveLkeSite } from './site';

/**
 * The credential's Test button. With SecretId and SecretKey set it calls GetWsToken, which checks
 * the keys and the AppKey together; without them it only checks that an AppKey is there, since
 * proving the AppKey alone would take a chat turn, which costs tokens.
 */
export async function testTencentLkeCredential(data: ICredentialDataDecryptedObject): Promise<INodeCredentialTestResult> {
	const secrets = lkeSecrets(data);
	const appKey = typeof data.appKey === 'string' ? data.appKey.trim() : '';
	const secretId = typeof data.secretId === 'string' ? data.secretId.trim() : '';
	const secretKey = typeof data.secretKey === 'string' ? data.secretKey.trim() : '';
	if (appKey === '') return { status: 'Error', message: 'The AppKey is empty' };
	if (secretId === '' && secretKey === '') {
		return {
			status: 'OK',
			message: 'AppKey saved; set SecretId and SecretKey to test against the Cloud API (a chat turn would cost tokens)',
		};
	}
	try {
		const site = resolveLkeSite(data);
		const plan = planGetWsToken({
			secretId,
			secretKey,
			appKey,
			visitorBizId: 'n8n-credential-test',
			apiEndpoint: site.apiEndpoint,
			region: site.region,
			defaultVisitorBizId: 'n8n-credential-test',
			options: { timeout: 20_000, maxRetries: 1 },
		});
		await callGetWsToken(plan, { onAuthorization: (authorization) => secrets.push(authorization) });
		return { status: 'OK', message: 'The Cloud API keys and the AppKey were accepted (GetWsToken succeeded)' };
	} catch (error) {
		return credentialTestFailure(error, secrets);
	}
}
