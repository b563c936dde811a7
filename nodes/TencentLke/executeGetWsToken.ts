import { NodeOperationError, type IExecuteFunctions, type INodeExecutionData } from 'n8n-workflow';

export async function executeGetWsToken(context: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	throw new NodeOperationError(context.getNode(), 'Get WS Token is not implemented yet');
}
