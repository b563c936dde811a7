import type { ICredentialDataDecryptedObject, IDataObject, IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import { concurrencyOption, maxRetriesOption, timeoutOption, optionsCollection } from '../../shared/commonOptions';
import { forOperation, type OperationOption } from '../../shared/operations';
import { chatbotIdProperty } from './chatbotIdProperty';

/** Create Chatbot Token: one token per input item. */

export const option: OperationOption = {
	name: 'Create Chatbot Token',
	action: 'Create a chatbot token',
	description: 'Create a token that authorizes the public chat endpoints of one chatbot',
};

export const description = forOperation('createChatbotToken', [
	chatbotIdProperty('The UUID of the AiSK chatbot the token is for'),
	optionsCollection([
		concurrencyOption('How many items are sent at once; the output keeps the input order'),
		maxRetriesOption('Retries on RESOURCE_EXHAUSTED, UNAVAILABLE, HTTP 429/502/503/504 and refused or dropped connections, after the wait the server asks for'),
		timeoutOption(30000, 'Longest time for the whole call, retries included'),
	]),
]);

export async function execute(context: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	// Loaded on the first run, not when n8n reads the node's description at start-up.
	const { aiskSecrets } = await import('../secrets');
	const { outcomesToItems, runItemCalls } = await import('../../shared/itemRunner');
	const { createChatbotToken } = await import('../client');
	const { buildAiskTokenRequest } = await import('../tokenRequest');

	const credentials: ICredentialDataDecryptedObject = await context.getCredentials('aiskApi');
	const secrets = aiskSecrets(credentials);
	const outcomes = await runItemCalls(context, {
		vendor: 'AiSK',
		secrets,
		request: (itemIndex) =>
			buildAiskTokenRequest(
				context.getNodeParameter('chatbotId', itemIndex, ''),
				credentials,
				context.getNodeParameter('options', itemIndex, {}) as IDataObject,
			),
		call: createChatbotToken,
	});
	return [outcomesToItems(outcomes)];
}
