import type { INodeProperties } from 'n8n-workflow';

const showForGetWsToken = { show: { operation: ['getWsToken'] } };

export const getWsTokenProperties: INodeProperties[] = [
	{
		displayName: 'This operation calls the Tencent Cloud API: the credential needs a SecretId and a SecretKey besides the AppKey',
		name: 'getWsTokenNotice',
		type: 'notice',
		default: '',
		displayOptions: showForGetWsToken,
	},
	{
		displayName: 'Visitor ID',
		name: 'visitorBizId',
		type: 'string',
		default: '',
		displayOptions: showForGetWsToken,
		description:
			'Identifies the visitor the token is for (up to 64 characters), e.g. your user ID. Leave empty to use the same fixed ID for this workflow as the Chat operation.',
	},
	{
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add Option',
		default: {},
		displayOptions: showForGetWsToken,
		options: [
			{
				displayName: 'Max Retries',
				name: 'maxRetries',
				type: 'number',
				typeOptions: { minValue: 0, maxValue: 10 },
				default: 2,
				description:
					'Retries on RequestLimitExceeded, InternalError, HTTP 429/502/503/504 and refused or dropped connections, with growing waits',
			},
			{
				displayName: 'Timeout (Ms)',
				name: 'timeout',
				type: 'number',
				typeOptions: { minValue: 1 },
				default: 30000,
				description: 'Longest time for the whole call, retries included',
			},
		],
	},
];
