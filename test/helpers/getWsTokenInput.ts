import type { GetWsTokenInput } from '../../nodes/TencentLke/getWsTokenRequest';

/** A complete Get WS Token input on the international site, with example keys; `overrides` replace fields. */
export function getWsTokenInput(overrides: Partial<GetWsTokenInput> = {}): GetWsTokenInput {
	return {
		secretId: 'AKIDexample',
		secretKey: 'example-secret',
		appKey: 'example-app-key',
		visitorBizId: 'visitor-1',
		apiEndpoint: 'https://lke.intl.tencentcloudapi.com',
		region: 'ap-jakarta',
		defaultVisitorBizId: 'n8n-wf',
		...overrides,
	};
}
