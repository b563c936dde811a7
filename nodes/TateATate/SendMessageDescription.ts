import type { INodeProperties } from 'n8n-workflow';
import { concurrencyOption, maxRetriesOption, timeoutOption } from '../shared/commonOptions';

const showForSendMessage = { show: { operation: ['sendMessage'] } };

export const sendMessageProperties: INodeProperties[] = [
	{
		displayName: 'Bot ID',
		name: 'botId',
		type: 'string',
		default: '',
		required: true,
		placeholder: 'a1cc0e70-6264-49bd-9356-a2da46849dae',
		displayOptions: showForSendMessage,
		description: 'The agent\'s unique ID, from its API publishing page (sent as the bot_id header)',
	},
	{
		displayName: 'Message',
		name: 'msg',
		type: 'string',
		typeOptions: { rows: 3 },
		default: '={{ $json.chatInput }}',
		required: true,
		displayOptions: showForSendMessage,
		description:
			'The message to send. The default takes the chatInput field of the incoming item, which is what the Chat Trigger sends.',
	},
	{
		displayName: 'Conversation ID',
		name: 'conversationId',
		type: 'string',
		default: '',
		displayOptions: showForSendMessage,
		description:
			'Continues a conversation: pass the conversationId output of an earlier message. Leave empty to start a new conversation.',
	},
	{
		displayName: 'Parent Message ID',
		name: 'parentMsgId',
		type: 'string',
		default: '0',
		displayOptions: showForSendMessage,
		description:
			'0 for a new message. To edit, the ID of the message being edited; to regenerate (retry), the ID of the message to regenerate (a msgId from an earlier output).',
	},
	{
		displayName: 'User Action',
		name: 'userAction',
		type: 'options',
		default: 'new',
		displayOptions: showForSendMessage,
		options: [
			{ name: 'New', value: 'new', description: 'Send a new message' },
			{ name: 'Edit', value: 'edit', description: 'Replace an earlier message (needs its Parent Message ID)' },
			{ name: 'Retry', value: 'retry', description: 'Regenerate an answer (needs its Parent Message ID)' },
		],
	},
	{
		displayName: 'Request Mode',
		name: 'reqModel',
		type: 'options',
		default: 'sync',
		displayOptions: showForSendMessage,
		options: [
			{ name: 'Sync', value: 'sync', description: 'The API answers once the reply is complete' },
			{
				name: 'Stream',
				value: 'stream',
				description: 'The API streams the reply as it is written; the node outputs the same item, and passes the text on live to a streaming Chat Trigger or Webhook',
			},
		],
	},
	{
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add Option',
		default: {},
		displayOptions: showForSendMessage,
		options: [
			concurrencyOption('How many items are sent at once; the output keeps the input order. Keep 1 when items continue the same conversation.'),
			maxRetriesOption('Retries on HTTP 429/502/503/504 and refused or dropped connections, only while no reply text has arrived, with growing waits'),
			timeoutOption(300000, 'Longest time for the whole message, retries included'),
		],
	},
];
