import type { INodeProperties } from 'n8n-workflow';
import { concurrencyOption, maxRetriesOption, timeoutOption } from '../shared/commonOptions';

const showForCreateChatbotToken = { show: { operation: ['createChatbotToken'] } };

export const createChatbotTokenProperties: INodeProperties[] = [
	{
		displayName: 'Chatbot ID',
		name: 'chatbotId',
		type: 'string',
		default: '',
		required: true,
		placeholder: '123e4567-e89b-12d3-a456-426614174000',
		displayOptions: showForCreateChatbotToken,
		description: 'The UUID of the AiSK chatbot the token is for',
	},
	{
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add Option',
		default: {},
		displayOptions: showForCreateChatbotToken,
		options: [
			concurrencyOption('How many items are sent at once; the output keeps the input order'),
			maxRetriesOption('Retries on RESOURCE_EXHAUSTED, UNAVAILABLE, HTTP 429/502/503/504 and refused or dropped connections, after the wait the server asks for'),
			timeoutOption(30000, 'Longest time for the whole call, retries included'),
		],
	},
];
