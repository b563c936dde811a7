import type { ICredentialDataDecryptedObject, INodeCredentialTestResult } from 'n8n-workflow';
import { asAgentChatError, credentialTestFailure } from '../shared/errors';
import { createChatbotToken } from './client';
import { aiskSecrets } from './secrets';
import { buildAiskTokenRequest } from './tokenRequest';

/** A chatbot ID that exists nowhere: the credential test only needs the server to get past authentication. */
export const PROBE_CHATBOT_ID = '00000000-0000-0000-0000-000000000000';

/**
 * The credential's Test button. There is no documented read-only endpoint, so it asks for a token for
 * the nil UUID: UNAUTHENTICATED (HTTP 401) means the API token was refused; a token, NOT_FOUND,
 * INVALID_ARGUMENT or PERMISSION_DENIED for that non-existent chatbot means it got past authentication.
 */
export async function testAiskCredential(data: ICredentialDataDecryptedObject): Promise<INodeCredentialTestResult> {
	const secrets = aiskSecrets(data);
	try {
		const request = buildAiskTokenRequest(PROBE_CHATBOT_ID, data, { timeout: 20_000, maxRetries: 1 });
		await createChatbotToken(request);
		return { status: 'OK', message: 'The API token was accepted' };
	} catch (error) {
		const failure = asAgentChatError(error);
		if (failure.kind === 'vendor' && ['NOT_FOUND', 'INVALID_ARGUMENT', 'PERMISSION_DENIED'].includes(String(failure.code))) {
			return { status: 'OK', message: `The API token was accepted (the probe for a non-existent chatbot answered ${failure.code})` };
		}
		return credentialTestFailure(failure, secrets);
	}
}
