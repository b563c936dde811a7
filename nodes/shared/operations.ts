import {
	NodeOperationError,
	type IDisplayOptions,
	type IExecuteFunctions,
	type INodeExecutionData,
	type INodeProperties,
	type INodePropertyOptions,
} from 'n8n-workflow';

/**
 * The operation module every vendor's `actions/<operation>.operation.ts` exports, and the router
 * that picks one by the `operation` parameter. Kept free of runtime imports beyond n8n-workflow:
 * node classes read it at n8n's start-up.
 */

/** An operation's entry in the Operation dropdown; its value is its key in the registry. */
export type OperationOption = Omit<INodePropertyOptions, 'value'> & { action: string };

export interface OperationModule {
	option: OperationOption;
	/** The operation's parameters, each shown only while this operation is selected. */
	description: INodeProperties[];
	execute(context: IExecuteFunctions): Promise<INodeExecutionData[][]>;
}

export type OperationRegistry = Readonly<Record<string, OperationModule>>;

/** Shows each property only for `operation`, keeping any other condition it already has. */
export function forOperation(operation: string, properties: INodeProperties[]): INodeProperties[] {
	return properties.map((property) => {
		const displayOptions: IDisplayOptions = property.displayOptions ?? {};
		return {
			...property,
			displayOptions: { ...displayOptions, show: { ...displayOptions.show, operation: [operation] } },
		};
	});
}

/** The Operation dropdown followed by every operation's parameters, in registry order. */
export function operationProperties(registry: OperationRegistry, defaultOperation: string): INodeProperties[] {
	const operation: INodeProperties = {
		displayName: 'Operation',
		name: 'operation',
		type: 'options',
		noDataExpression: true,
		default: defaultOperation,
		options: Object.entries(registry).map(([value, module]) => ({ ...module.option, value })),
	};
	return [operation, ...Object.values(registry).flatMap((module) => module.description)];
}

/** Runs the operation the node is set to; an operation the registry does not hold fails clearly. */
export async function routeOperation(
	context: IExecuteFunctions,
	registry: OperationRegistry,
	defaultOperation: string,
): Promise<INodeExecutionData[][]> {
	const operation = context.getNodeParameter('operation', 0, defaultOperation) as unknown;
	const module = typeof operation === 'string' && Object.prototype.hasOwnProperty.call(registry, operation) ? registry[operation] : undefined;
	if (!module) {
		throw new NodeOperationError(context.getNode(), `Invalid parameter 'operation': ${JSON.stringify(operation)} is not an operation of this node`, {
			description: `The operations are: ${Object.keys(registry).join(', ')}.`,
		});
	}
	return await module.execute(context);
}
