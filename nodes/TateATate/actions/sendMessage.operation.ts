import type { ICredentialDataDecryptedObject, IDataObject, IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import { concurrencyOption, enableStreamingOption, maxRetriesOption, timeoutOption, optionsCollection } from '../../shared/commonOptions';
import { forOperation, type OperationOption } from '../../shared/operations';

/** Send Message: one message per input item, sync or streamed, the answer passed on live either way. */

export const option: OperationOption = {
	name: 'Send Message',
	action: 'Send a message and get the answer',
	description: 'Send one message per item and output the agent\'s whole answer',
};

export const description = forOperation('sendMessage', [
	{
		displayName: 'Bot ID',
		name: 'botId',
		type: 'string',
		default: '',
		required: true,
		placeholder: 'a1cc0e70-6264-49bd-9356-a2da46849dae',
		description: 'The agent\'s unique ID, from its API publishing page (sent as the bot_id header)',
	},
	{
		displayName: 'Message',
		name: 'msg',
		type: 'string',
		typeOptions: { rows: 3 },
		default: '={{ $json.chatInput }}',
		required: true,
		description:
			'The message to send. The default takes the chatInput field of the incoming item, which is what the Chat Trigger sends.',
	},
	{
		displayName: 'Conversation ID',
		name: 'conversationId',
		type: 'string',
		default: '',
		description:
			'Continues a conversation: pass the conversationId output of an earlier message. Leave empty to start a new conversation.',
	},
	{
		displayName: 'Parent Message ID',
		name: 'parentMsgId',
		type: 'string',
		default: '0',
		description:
			'0 for a new message. To edit, the ID of the message being edited; to regenerate (retry), the ID of the message to regenerate (a msgId from an earlier output).',
	},
	{
		displayName: 'User Action',
		name: 'userAction',
		type: 'options',
		default: 'new',
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
		options: [
			{ name: 'Sync', value: 'sync', description: 'The API answers once the reply is complete' },
			{
				name: 'Stream',
				value: 'stream',
				description: 'The API streams the reply as it is written; the node outputs the same item, and passes the text on live to a streaming Chat Trigger or Webhook',
			},
		],
	},
	optionsCollection([
		concurrencyOption('How many items are sent at once; the output keeps the input order. Keep 1 when items continue the same conversation.'),
		enableStreamingOption(
			'With Request Mode stream, when the workflow answers a Chat Trigger or a Webhook whose response mode is Streaming, send the answer to the client as it arrives. Turn off to send nothing until the node has finished; the output item is the same either way.',
		),
		maxRetriesOption('Retries on HTTP 429/502/503/504 and refused or dropped connections, only while no reply text has arrived, with growing waits'),
		timeoutOption(300000, 'Longest time for the whole message, retries included'),
	]),
]);

export async function execute(context: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	// Loaded on the first run, not when n8n reads the node's description at start-up.
	const { tateSecrets } = await import('../secrets');
	const { outcomesToItems } = await import('../../shared/itemRunner');
	const { runStreamedItems } = await import('../../shared/streamedTurn');
	const { sendTateMessage } = await import('../client');
	const { buildTateSendRequest } = await import('../sendRequest');

	const credentials: ICredentialDataDecryptedObject = await context.getCredentials('tateATateApi');
	// Mutable on purpose: each attempt's Authorization value joins the masked values.
	const secrets = tateSecrets(credentials);
	const outcomes = await runStreamedItems(context, {
		vendor: 'tate-a-tate',
		secrets,
		request: (itemIndex) =>
			buildTateSendRequest(
				{
					botId: context.getNodeParameter('botId', itemIndex, ''),
					msg: context.getNodeParameter('msg', itemIndex, ''),
					conversationId: context.getNodeParameter('conversationId', itemIndex, ''),
					parentMsgId: context.getNodeParameter('parentMsgId', itemIndex, '0'),
					userAction: context.getNodeParameter('userAction', itemIndex, 'new'),
					reqModel: context.getNodeParameter('reqModel', itemIndex, 'sync'),
					options: context.getNodeParameter('options', itemIndex, {}) as IDataObject,
				},
				credentials,
			),
		turn: async (request, options) =>
			await sendTateMessage(request, { ...options, onAuthorization: (authorization) => secrets.push(authorization) }),
	});
	return [outcomesToItems(outcomes)];
}
