import type { ICredentialType, INodeProperties } from 'n8n-workflow';

export class TateATateApi implements ICredentialType {
	name = 'tateATateApi';

	displayName = 'Tate-a-Tate API';

	documentationUrl = 'https://chat.tate-a-tate.com/';

	icon = 'file:../nodes/TateATate/tateATate.svg' as const;

	properties: INodeProperties[] = [
		{
			displayName: 'Secret Key',
			name: 'secretKey',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			required: true,
			description:
				'The secret key of the agent published as an API service. The node builds the Authorization header from it for every request (it carries the current time, so the n8n host\'s clock must be right within 30 seconds).',
		},
		{
			displayName: 'Base URL',
			name: 'baseUrl',
			type: 'string',
			default: 'https://chat.tate-a-tate.com/im',
			description: 'The API root; /admin/v1/msg/send is appended. Change it only for a proxy or a local simulator.',
		},
	];
}
