import { NodeOperationError, type IExecuteFunctions, type INodeExecutionData, type INodeProperties } from 'n8n-workflow';
import { Aisk } from '../nodes/Aisk/Aisk.node';
import { forOperation, routeOperation, type OperationModule, type OperationRegistry } from '../nodes/shared/operations';
import { TateATate } from '../nodes/TateATate/TateATate.node';
import { TencentLke } from '../nodes/TencentLke/TencentLke.node';

/** A context that answers only what the router reads: the operation parameter and the node. */
function contextFor(operation: unknown): IExecuteFunctions {
	return {
		getNodeParameter: (name: string, _itemIndex: number, fallback: unknown) => (name === 'operation' ? (operation ?? fallback) : fallback),
		getNode: () => ({ name: 'Agent', type: 'n8n-nodes-agent-chat.test', typeVersion: 1, parameters: {} }),
	} as unknown as IExecuteFunctions;
}

function operationModule(label: string, ran: string[]): OperationModule {
	return {
		option: { name: label, action: label },
		description: [],
		execute: async (): Promise<INodeExecutionData[][]> => {
			ran.push(label);
			return [[{ json: { ran: label } }]];
		},
	};
}

describe('routeOperation', () => {
	const ran: string[] = [];
	const registry: OperationRegistry = { ask: operationModule('ask', ran), createToken: operationModule('createToken', ran) };

	beforeEach(() => {
		ran.length = 0;
	});

	it('runs the operation the node is set to, and only that one', async () => {
		expect(await routeOperation(contextFor('createToken'), registry, 'ask')).toEqual([[{ json: { ran: 'createToken' } }]]);
		expect(ran).toEqual(['createToken']);
	});

	it('runs the default operation when the parameter is not set', async () => {
		await routeOperation(contextFor(undefined), registry, 'ask');
		expect(ran).toEqual(['ask']);
	});

	it.each(['translate', 'constructor', 'toString', '__proto__', '', 42])('fails clearly on an operation the node does not have: %p', async (operation) => {
		const failure = await routeOperation(contextFor(operation), registry, 'ask').then(
			() => undefined,
			(error: unknown) => error,
		);
		expect(failure).toBeInstanceOf(NodeOperationError);
		expect((failure as NodeOperationError).message).toBe(`Invalid parameter 'operation': ${JSON.stringify(operation)} is not an operation of this node`);
		expect((failure as NodeOperationError).description).toBe('The operations are: ask, createToken.');
		expect(ran).toEqual([]);
	});
});

describe('node descriptions built from the registries', () => {
	const nodes: Array<[string, INodeProperties[], string, string[]]> = [
		['Tencent LKE', new TencentLke().description.properties, 'chat', ['chat', 'getWsToken']],
		['AiSK', new Aisk().description.properties, 'createChatbotToken', ['ask', 'createChatbotToken']],
		['tate-a-tate', new TateATate().description.properties, 'sendMessage', ['sendMessage']],
	];

	it.each(nodes)('%s: the Operation dropdown lists the operations, then each operation\'s parameters shown only for it', (_name, properties, defaultOperation, operations) => {
		const [dropdown, ...rest] = properties;
		expect(dropdown).toMatchObject({ name: 'operation', type: 'options', noDataExpression: true, default: defaultOperation });
		expect(dropdown.options?.map((entry) => (entry as { value: string }).value)).toEqual(operations);
		expect(rest.length).toBeGreaterThan(0);
		for (const property of rest) {
			const shownFor = property.displayOptions?.show?.operation as string[] | undefined;
			expect(shownFor).toHaveLength(1);
			expect(operations).toContain(shownFor![0]);
		}
	});

	it('forOperation keeps the conditions a parameter already had besides the operation', () => {
		const [property] = forOperation('ask', [
			{ displayName: 'Extra', name: 'extra', type: 'string', default: '', displayOptions: { show: { mode: ['advanced'] }, hide: { other: [true] } } },
		]);
		expect(property.displayOptions).toEqual({ show: { mode: ['advanced'], operation: ['ask'] }, hide: { other: [true] } });
		expect(property).toMatchObject({ displayName: 'Extra', name: 'extra', type: 'string', default: '' });
	});
});
