import type { ICredentialDataDecryptedObject } from 'n8n-workflow';

/** Values of a tate-a-tate credential that must never appear in an output, an error or a log. */
export function tateSecrets(credentials: ICredentialDataDecryptedObject): string[] {
	const key = typeof credentials.secretKey === 'string' ? credentials.secretKey : '';
	return key.trim() ? [key, key.trim()] : [];
}
