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
import { operationProperties, routeOperation } from '../shared/operations';
import { DEFAULT_OPERATION, operations } from './actions';

export class Aisk implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'AiSK',
		name: 'aisk',
		icon: { light: 'file:aisk.svg', dark: 'file:aisk.dark.svg' },
		group: ['transform'],
		version: 1,
		subtitle: '={{ $parameter["operation"] === "ask" ? "Ask" : "Create Chatbot Token" }}',
		description: 'Ask BlendVision One AiSK chatbots questions (streamed answers with citations) and create chatbot tokens',
		defaults: { name: 'AiSK' },
		usableAsTool: true,
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main],
		credentials: [{ name: 'aiskApi', required: true, testedBy: 'aiskApiTest' }],
		properties: operationProperties(operations, DEFAULT_OPERATION),
	};

	methods = {
		credentialTest: {
			async aiskApiTest(this: ICredentialTestFunctions, credential: ICredentialsDecrypted): Promise<INodeCredentialTestResult> {
				// Loaded on first use, like the operations' code.
				const { testAiskCredential } = await import('./credentialTest');
				return await testAiskCredential(credential.data ?? {});
			},
		},
	};

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		return await routeOperation(this, operations, DEFAULT_OPERATION);
	}
}
