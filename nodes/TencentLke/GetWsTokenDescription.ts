import type { INodeProperties } from 'n8n-workflow';

export const getWsTokenProperties: INodeProperties[] = [
	{
		displayName: 'Visitor ID',
		name: 'visitorBizId',
		type: 'string',
		default: '',
		displayOptions: { show: { operation: ['getWsToken'] } },
		description: 'Identifies the visitor the token is for (up to 64 characters), e.g. your user ID',
	},
];
