import type { ICredentialDataDecryptedObject, INodeCredentialTestResult } from 'n8n-workflow';
import { credentialTestFailure } from '../shared/errors';
import { readBodyText, withHttpExchange } from '../shared/transport';
import { checkBaseUrl } from '../shared/validation';
import { buildTateAuthorization } from './authorization';
import { tateHttpError } from './errors';
import { tateSecrets } from './secrets';
import { DEFAULT_TATE_BASE_URL, TATE_SEND_PATH } from './sendRequest';

/**
 * The credential's Test button. Sending a message would cost tokens, so it sends a request without
 * a bot_id header and with an empty body: HTTP 401 means the secret key (or the clock) was refused;
 * any other answer means the Authorization got through.
 */
export async function testTateCredential(data: ICredentialDataDecryptedObject): Promise<INodeCredentialTestResult> {
	const secrets = tateSecrets(data);
	const secretKey = typeof data.secretKey === 'string' ? data.secretKey.trim() : '';
	if (secretKey === '') return { status: 'Error', message: 'The Secret Key is empty' };
	try {
		const url = checkBaseUrl(data.baseUrl || DEFAULT_TATE_BASE_URL, 'baseUrl') + TATE_SEND_PATH;
		const authorization = buildTateAuthorization(secretKey);
		secrets.push(authorization);
		const answer = await withHttpExchange(
			{
				url,
				method: 'POST',
				headers: { Authorization: authorization, 'content-type': 'application/json', accept: 'application/json' },
				body: '{}',
				idleTimeoutMs: 20_000,
				totalTimeoutMs: 20_000,
			},
			async (exchange) => ({ statusCode: exchange.statusCode, body: await readBodyText(exchange, 64 * 1024) }),
		);
		if (answer.statusCode === 401 || answer.statusCode === 403) {
			return credentialTestFailure(tateHttpError(answer.statusCode, answer.body), secrets);
		}
		return { status: 'OK', message: 'The secret key was accepted' };
	} catch (error) {
		return credentialTestFailure(error, secrets);
	}
}
