import type { ICredentialDataDecryptedObject } from 'n8n-workflow';
import { inputError } from '../shared/errors';
import { checkBaseUrl } from '../shared/validation';

/** Where a Tencent LKE credential's requests go: the dialog host, the Cloud API endpoint, the region. */

export interface LkeSite {
	chatBaseUrl: string;
	apiEndpoint: string;
	region: string;
}

export const LKE_SITES: Readonly<Record<'international' | 'china', LkeSite>> = {
	international: {
		chatBaseUrl: 'https://wss.lke.tencentcloud.com',
		apiEndpoint: 'https://lke.intl.tencentcloudapi.com',
		region: 'ap-jakarta',
	},
	china: {
		chatBaseUrl: 'https://wss.lke.cloud.tencent.com',
		apiEndpoint: 'https://lke.tencentcloudapi.com',
		region: 'ap-guangzhou',
	},
};

export function resolveLkeSite(credentials: ICredentialDataDecryptedObject): LkeSite {
	const site = (credentials.site as string | undefined) || 'international';
	if (site === 'international' || site === 'china') return LKE_SITES[site];
	if (site !== 'custom') throw inputError('site', `must be international, china or custom (got ${JSON.stringify(site)})`);
	const region = String(credentials.region ?? '').trim();
	if (region === '') throw inputError('region', 'is required when the site is custom');
	checkBaseUrl(credentials.apiEndpoint, 'apiEndpoint');
	return {
		chatBaseUrl: checkBaseUrl(credentials.chatBaseUrl, 'chatBaseUrl'),
		// Cloud API requests go to the endpoint exactly as written (a proxy may need its own path).
		apiEndpoint: String(credentials.apiEndpoint).trim(),
		region,
	};
}
