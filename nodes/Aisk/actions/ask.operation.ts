import type { ICredentialDataDecryptedObject, IDataObject, IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import { concurrencyOption, enableStreamingOption, maxRetriesOption, optionsCollection, timeoutOption } from '../../shared/commonOptions';
import { forOperation, type OperationOption } from '../../shared/operations';
import { chatbotIdProperty } from './chatbotIdProperty';

/** Ask: one streamed question per input item, with the chatbot's citations. */

export const option: OperationOption = {
	name: 'Ask',
	action: 'Ask a chatbot a question',
	description: 'Ask the chatbot one question per item and output its whole answer with its references',
};

export const description = forOperation('ask', [
	chatbotIdProperty('The UUID of the AiSK chatbot to ask'),
	{
		displayName: 'Question',
		name: 'question',
		type: 'string',
		typeOptions: { rows: 3 },
		default: '={{ $json.chatInput }}',
		required: true,
		description: 'The question. The default takes the chatInput field of the incoming item, which is what the Chat Trigger sends.',
	},
	{
		displayName: 'Conversation ID',
		name: 'conversationId',
		type: 'string',
		default: '',
		description:
			'Continues a conversation: pass the conversationId output of an earlier question. Leave empty to start a new conversation per item (its ID is in the output).',
	},
	optionsCollection([
		{
			displayName: 'Citation Mode',
			name: 'citationMode',
			type: 'options',
			default: 'all',
			options: [
				{ name: 'All', value: 'all', description: 'Every source of the chatbot may be cited' },
				{ name: 'Restricted', value: 'restricted', description: 'Only sources the user may access are cited (see User ID)' },
			],
			description: 'Which sources the answer may cite',
		},
		concurrencyOption('How many questions are asked at once; the output keeps the input order. Keep 1 when items continue the same conversation.'),
		enableStreamingOption(
			'When the workflow answers a Chat Trigger or a Webhook whose response mode is Streaming, send the answer to the client as it arrives. Turn off to send nothing until the node has finished; the output item is the same either way.',
		),
		{
			displayName: 'Idle Timeout (Ms)',
			name: 'idleTimeout',
			type: 'number',
			typeOptions: { minValue: 1 },
			default: 120000,
			description: 'Longest silence allowed while the answer streams in before the question fails',
		},
		{
			displayName: 'Knowledge Base IDs',
			name: 'knowledgeBaseIds',
			type: 'string',
			default: '',
			placeholder: 'KB ID 1, KB ID 2',
			description: 'The knowledge bases to answer from, separated by commas. Leave empty for all of the chatbot\'s own.',
		},
		{
			displayName: 'Language',
			name: 'language',
			type: 'string',
			default: '',
			placeholder: 'en',
			description: 'The language tag sent with the question (e.g. en, zh-TW, ja). Leave empty to let the chatbot decide.',
		},
		maxRetriesOption(
			'Retries on throttling (after the wait AiSK asks for), RESOURCE_EXHAUSTED, UNAVAILABLE, HTTP 429/502/503/504 and dropped connections, only while no answer text has arrived. An exhausted daily quota is not retried.',
		),
		timeoutOption(300000, 'Longest time for the whole question, retries and waits included'),
		{
			displayName: 'User ID',
			name: 'userId',
			type: 'string',
			default: '',
			description: 'With Citation Mode Restricted: the user whose access the citations are limited to. Leave empty for the user of the API token.',
		},
	]),
]);

export async function execute(context: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	// Loaded on the first run, not when n8n reads the node's description at start-up.
	const { aiskSecrets } = await import('../secrets');
	const { outcomesToItems } = await import('../../shared/itemRunner');
	const { runStreamedItems } = await import('../../shared/streamedTurn');
	const { askAisk, createAskSession } = await import('../askClient');
	const { buildAiskAskRequest } = await import('../askRequest');

	const credentials: ICredentialDataDecryptedObject = await context.getCredentials('aiskApi');
	// Mutable on purpose: each prompt token joins the masked values.
	const secrets = aiskSecrets(credentials);
	const session = createAskSession({ onPromptToken: (token) => secrets.push(token, `Bearer ${token}`) });
	const outcomes = await runStreamedItems(context, {
		vendor: 'AiSK',
		secrets,
		request: (itemIndex) =>
			buildAiskAskRequest(
				{
					chatbotId: context.getNodeParameter('chatbotId', itemIndex, ''),
					question: context.getNodeParameter('question', itemIndex, ''),
					conversationId: context.getNodeParameter('conversationId', itemIndex, ''),
					options: context.getNodeParameter('options', itemIndex, {}) as IDataObject,
				},
				credentials,
			),
		turn: async (request, options) => await askAisk(request, session, options),
	});
	return [outcomesToItems(outcomes)];
}
