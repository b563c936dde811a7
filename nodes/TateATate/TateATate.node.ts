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
import { sendMessageProperties } from './SendMessageDescription';

export class TateATate implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'tate-a-tate',
		name: 'tateATate',
		icon: { light: 'file:tateATate.svg', dark: 'file:tateATate.dark.svg' },
		group: ['transform'],
		version: 1,
		subtitle: '={{ $parameter["reqModel"] === "stream" ? "Send Message (stream)" : "Send Message" }}',
		description: 'Send messages to a tate-a-tate agent published as an API service',
		defaults: { name: 'tate-a-tate' },
		usableAsTool: true,
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main],
		credentials: [{ name: 'tateATateApi', required: true, testedBy: 'tateATateApiTest' }],
		properties: [
			{
				displayName: 'Operation',
				name: 'operation',
				type: 'options',
				noDataExpression: true,
				default: 'sendMessage',
				options: [
					{
						name: 'Send Message',
						value: 'sendMessage',
						action: 'Send a message and get the answer',
						description: 'Send one message per item and output the agent\'s whole answer',
					},
				],
			},
			...sendMessageProperties,
		],
	};

	methods = {
		credentialTest: {
			async tateATateApiTest(this: ICredentialTestFunctions, credential: ICredentialsDecrypted): Promise<INodeCredentialTestResult> {
				const { testTateCredential } = await import('./executeSendMessage');
				return await testTateCredential(credential.data ?? {});
			},
		},
	};

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		// Loaded on first use so that n8n's start-up does not pay for the HTTP stack.
		const { executeSendMessage } = await import('./executeSendMessage');
		return await executeSendMessage(this);
	}
}
