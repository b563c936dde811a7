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
		properties: operationProperties(operations, DEFAULT_OPERATION),
	};

	methods = {
		credentialTest: {
			async tateATateApiTest(this: ICredentialTestFunctions, credential: ICredentialsDecrypted): Promise<INodeCredentialTestResult> {
				// Loaded on first use, like the operations' code.
				const { testTateCredential } = await import('./credentialTest');
				return await testTateCredential(credential.data ?? {});
			},
		},
	};

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		return await routeOperation(this, operations, DEFAULT_OPERATION);
	}
}
