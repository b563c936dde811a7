import type { ICredentialDataDecryptedObject } from 'n8n-workflow';

/** Values of a Tencent LKE credential that must never appear in an output, an error or a log. */
export function lkeSecrets(credentials: ICredentialDataDecryptedObject): string[] {
	return [credentials.appKey, credentials.secretKey]
		.filter((value): value is string => typeof value === 'string' && value.length > 0);
}
