import {
	NodeConnectionTypes,
	type ICredentialTestFunctions,
	type ICredentialsDecrypted,
	type IExecuteFunctions,
	type INodeCredentialTestResult,
	type INodeExecutionData,
	type INodeType,
	type INodeTypeDescription,
} from 'n8n-workflow';
import { createChatbotTokenProperties } from './CreateChatbotTokenDescription';

export class Aisk implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'AiSK',
		name: 'aisk',
		icon: { light: 'file:aisk.svg', dark: 'file:aisk.dark.svg' },
		group: ['transform'],
		version: 1,
		subtitle: 'Create Chatbot Token',
		description: 'Create chatbot tokens for BlendVision One AiSK chatbots',
		defaults: { name: 'AiSK' },
		usableAsTool: true,
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main],
		credentials: [{ name: 'aiskApi', required: true, testedBy: 'aiskApiTest' }],
		properties: [
			{
				displayName: 'Operation',
				name: 'operation',
				type: 'options',
				noDataExpression: true,
				default: 'createChatbotToken',
				options: [
					{
						name: 'Create Chatbot Token',
						value: 'createChatbotToken',
						action: 'Create a chatbot token',
						description: 'Create a token that authorizes the public chat endpoints of one chatbot',
					},
				],
			},
			...createChatbotTokenProperties,
		],
	};

	methods = {
		credentialTest: {
			async aiskApiTest(this: ICredentialTestFunctions, credential: ICredentialsDecrypted): Promise<INodeCredentialTestResult> {
				const { testAiskCredential } = await import('./executeCreateChatbotToken');
				return await testAiskCredential(credential.data ?? {});
			},
		},
	};

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		// Loaded on first use so that n8n's start-up does not pay for the HTTP stack.
		const { executeCreateChatbotToken } = await import('./executeCreateChatbotToken');
		return await executeCreateChatbotToken(this);
	}
}
