import type { INodeProperties } from 'n8n-workflow';
import { maxRetriesOption, timeoutOption } from '../shared/commonOptions';

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
			maxRetriesOption('Retries on RequestLimitExceeded, InternalError, HTTP 429/502/503/504 and refused or dropped connections, with growing waits'),
			timeoutOption(30000, 'Longest time for the whole call, retries included'),
		],
	},
];
