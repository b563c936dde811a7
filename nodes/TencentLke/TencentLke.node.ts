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
import { chatProperties } from './ChatDescription';
import { getWsTokenProperties } from './GetWsTokenDescription';

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
		properties: [
			{
				displayName: 'Operation',
				name: 'operation',
				type: 'options',
				noDataExpression: true,
				default: 'chat',
				options: [
					{
						name: 'Chat',
						value: 'chat',
						action: 'Ask the agent a question and get its answer',
						description: 'Send one message per item and wait for the whole streamed answer, with references and token statistics',
					},
					{
						name: 'Get WS Token',
						value: 'getWsToken',
						action: 'Get a web socket token',
						description: 'Get a one-time visitor token (Cloud API GetWsToken) for a web chat client',
					},
				],
			},
			...chatProperties,
			...getWsTokenProperties,
		],
	};

	methods = {
		credentialTest: {
			// A TC3 signature cannot be written as a declarative test request, so the Test button runs this.
			async tencentLkeApiTest(this: ICredentialTestFunctions, credential: ICredentialsDecrypted): Promise<INodeCredentialTestResult> {
				const { testTencentLkeCredential } = await import('./executeGetWsToken');
				return await testTencentLkeCredential(credential.data ?? {});
			},
		},
	};

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		// Loaded on first use so that n8n's start-up does not pay for the HTTP stack.
		const operation = this.getNodeParameter('operation', 0, 'chat') as string;
		if (operation === 'getWsToken') {
			const { executeGetWsToken } = await import('./executeGetWsToken');
			return await executeGetWsToken(this);
		}
		const { executeChat } = await import('./executeChat');
		return await executeChat(this);
	}
}
