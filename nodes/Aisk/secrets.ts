import type { ICredentialDataDecryptedObject } from 'n8n-workflow';

/** Values of an AiSK credential that must never appear in an output, an error or a log. */
export function aiskSecrets(credentials: ICredentialDataDecryptedObject): string[] {
	const token = typeof credentials.apiToken === 'string' ? credentials.apiToken.trim() : '';
	return token ? [token, `Bearer ${token}`] : [];
}
