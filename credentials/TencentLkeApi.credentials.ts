import type { ICredentialType, INodeProperties } from 'n8n-workflow';

export class TencentLkeApi implements ICredentialType {
	name = 'tencentLkeApi';

	displayName = 'Tencent LKE API';

	documentationUrl = 'https://www.tencentcloud.com/document/product/1254';

	icon = 'file:../nodes/TencentLke/tencentLke.svg' as const;

	properties: INodeProperties[] = [
		{
			displayName: 'AppKey',
			name: 'appKey',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			required: true,
			description:
				'The application\'s AppKey, from the published application\'s Release Management > Call Information. Used by Chat and by Get WS Token.',
		},
		{
			displayName: 'SecretId',
			name: 'secretId',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			description: 'Tencent Cloud API key ID (CAM > API Keys). Needed only for the Get WS Token operation.',
		},
		{
			displayName: 'SecretKey',
			name: 'secretKey',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			description:
				'Tencent Cloud API secret key that belongs to the SecretId. Needed only for Get WS Token. With both keys set, the credential test calls GetWsToken, which checks the keys and the AppKey together.',
		},
		{
			displayName: 'Site',
			name: 'site',
			type: 'options',
			default: 'international',
			options: [
				{
					name: 'International (Tencent Cloud)',
					value: 'international',
					description: 'wss.lke.tencentcloud.com and lke.intl.tencentcloudapi.com, region ap-jakarta',
				},
				{
					name: 'China (腾讯云)',
					value: 'china',
					description: 'wss.lke.cloud.tencent.com and lke.tencentcloudapi.com, region ap-guangzhou',
				},
				{
					name: 'Custom',
					value: 'custom',
					description: 'Your own hosts: a private deployment, a proxy or a local simulator',
				},
			],
		},
		{
			displayName: 'Chat Base URL',
			name: 'chatBaseUrl',
			type: 'string',
			default: '',
			placeholder: 'https://wss.lke.tencentcloud.com',
			description: 'The dialog host; the chat path is appended (/adp/v2/chat, or /v1/qbot/chat/sse for the legacy v1 API)',
			displayOptions: { show: { site: ['custom'] } },
		},
		{
			displayName: 'Cloud API Endpoint',
			name: 'apiEndpoint',
			type: 'string',
			default: '',
			placeholder: 'https://lke.intl.tencentcloudapi.com',
			description: 'Where Cloud API requests (Get WS Token) are sent, exactly as written',
			displayOptions: { show: { site: ['custom'] } },
		},
		{
			displayName: 'Region',
			name: 'region',
			type: 'string',
			default: 'ap-jakarta',
			description: 'The X-TC-Region sent with Cloud API requests',
			displayOptions: { show: { site: ['custom'] } },
		},
	];
}
