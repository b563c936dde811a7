import type { ICredentialType, INodeProperties } from 'n8n-workflow';

export class AiskApi implements ICredentialType {
	name = 'aiskApi';

	displayName = 'AiSK API';

	documentationUrl = 'https://developers.blendvision.com/';

	icon = 'file:../nodes/Aisk/aisk.svg' as const;

	properties: INodeProperties[] = [
		{
			displayName: 'API Token',
			name: 'apiToken',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			required: true,
			description: 'A BlendVision One API token, sent as a Bearer token in the authorization header',
		},
		{
			displayName: 'Organization ID',
			name: 'orgId',
			type: 'string',
			default: '',
			description: 'The BlendVision One organization the chatbots belong to, sent as x-bv-org-id. Leave empty if the token needs none.',
		},
		{
			displayName: 'Base URL',
			name: 'baseUrl',
			type: 'string',
			default: 'https://api.one.blendvision.com',
			description: 'The API host; change it only for a proxy or a local simulator',
		},
	];
}
