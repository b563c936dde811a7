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

// A split layout gives three named outputs; n8n evaluates this when it draws and runs the node.
const outputsExpression =
	'={{ $parameter["operation"] !== "getWsToken" && $parameter["outputLayout"] === "split" ? [{ "type": "main", "displayName": "Reply" }, { "type": "main", "displayName": "References" }, { "type": "main", "displayName": "Token Stats" }] : [{ "type": "main" }] }}' as const;

export class TencentLke implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Tencent LKE',
		name: 'tencentLke',
		icon: { light: 'file:tencentLke.svg', dark: 'file:tencentLke.dark.svg' },
		group: ['transform'],
		version: 1,
		subtitle: '={{ $parameter["operation"] === "getWsToken" ? "Get WS Token" : "Chat" }}',
		description: 'Chat with a Tencent Cloud LKE (ADP) agent application and get WebSocket tokens',
		defaults: { name: 'Tencent LKE' },
		usableAsTool: true,
		inputs: [NodeConnectionTypes.Main],
		outputs: outputsExpression,
		credentials: [{ name: 'tencentLkeApi', required: true, testedBy: 'tencentLkeApiTest' }],
		properties: operationProperties(operations, DEFAULT_OPERATION),
	};

	methods = {
		credentialTest: {
			// A TC3 signature cannot be written as a declarative test request, so the Test button runs this.
			async tencentLkeApiTest(this: ICredentialTestFunctions, credential: ICredentialsDecrypted): Promise<INodeCredentialTestResult> {
				// Loaded on first use, like the operations' code.
				const { testTencentLkeCredential } = await import('./credentialTest');
				return await testTencentLkeCredential(credential.data ?? {});
			},
		},
	};

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		return await routeOperation(this, operations, DEFAULT_OPERATION);
	}
}
