import { NodeConnectionTypes, type INodeType } from 'n8n-workflow';
import { Aisk } from '../nodes/Aisk/Aisk.node';
import { TateATate } from '../nodes/TateATate/TateATate.node';
import { TencentLke } from '../nodes/TencentLke/TencentLke.node';

// Saved workflows refer to nodes by type name and version; n8n draws them from these descriptions.
// Every expectation is the public contract written out by hand.

/** Evaluates one of the description's `={{ … }}` expressions for the given parameters (n8n's own syntax is plain JavaScript here). */
function evaluate(expression: string, parameters: Record<string, string>): unknown {
	const match = /^=\{\{([\s\S]*)\}\}$/.exec(expression);
	if (!match) throw new Error(`not an expression: ${expression}`);
	return new Function('$parameter', `return (${match[1]});`)(parameters) as unknown;
}

describe('node descriptions', () => {
	it.each([
		['tencentLke', TencentLke, 'Tencent LKE', 'tencentLkeApi', 'tencentLkeApiTest'],
		['aisk', Aisk, 'AiSK', 'aiskApi', 'aiskApiTest'],
		['tateATate', TateATate, 'tate-a-tate', 'tateATateApi', 'tateATateApiTest'],
	])('%s keeps its type name, display name, version 1 and its credential, whose test method exists', (name, NodeClass, displayName, credential, testedBy) => {
		// Made inside the test, so that a coverage tool counts this test as reading the description.
		const node: INodeType = new NodeClass();
		const description = node.description;
		expect(description.name).toBe(name);
		expect(description.displayName).toBe(displayName);
		expect(description.defaults).toEqual({ name: displayName });
		expect(description.version).toBe(1);
		expect(description.group).toEqual(['transform']);
		expect(description.usableAsTool).toBe(true);
		expect(description.inputs).toEqual([NodeConnectionTypes.Main]);
		expect(description.description).toMatch(/\S{3,}/);
		expect(description.credentials).toEqual([{ name: credential, required: true, testedBy }]);
		expect(typeof node.methods?.credentialTest?.[testedBy]).toBe('function');
	});

	it('AiSK and tate-a-tate have one main output', () => {
		expect(new Aisk().description.outputs).toEqual([NodeConnectionTypes.Main]);
		expect(new TateATate().description.outputs).toEqual([NodeConnectionTypes.Main]);
	});

	it('Tencent LKE has three named outputs only for a chat with the split layout', () => {
		const outputs = String(new TencentLke().description.outputs);
		expect(evaluate(outputs, { operation: 'chat', outputLayout: 'split' })).toEqual([
			{ type: 'main', displayName: 'Reply' },
			{ type: 'main', displayName: 'References' },
			{ type: 'main', displayName: 'Token Stats' },
		]);
		expect(evaluate(outputs, { operation: 'chat', outputLayout: 'single' })).toEqual([{ type: 'main' }]);
		expect(evaluate(outputs, { operation: 'getWsToken', outputLayout: 'split' })).toEqual([{ type: 'main' }]);
	});

	it('subtitles name the operation the node is set to', () => {
		const subtitle = (node: INodeType) => String(node.description.subtitle);
		expect(evaluate(subtitle(new TencentLke()), { operation: 'chat' })).toBe('Chat');
		expect(evaluate(subtitle(new TencentLke()), { operation: 'getWsToken' })).toBe('Get WS Token');
		expect(evaluate(subtitle(new Aisk()), { operation: 'ask' })).toBe('Ask');
		expect(evaluate(subtitle(new Aisk()), { operation: 'createChatbotToken' })).toBe('Create Chatbot Token');
		expect(evaluate(subtitle(new TateATate()), { reqModel: 'sync' })).toBe('Send Message');
		expect(evaluate(subtitle(new TateATate()), { reqModel: 'stream' })).toBe('Send Message (stream)');
	});

	it('each node offers the contract\'s operations, Tencent LKE and tate-a-tate set to theirs by default', () => {
		const operation = (node: INodeType) => node.description.properties.find((property) => property.name === 'operation');
		const values = (node: INodeType) => (operation(node)?.options ?? []).map((option) => ('value' in option ? option.value : undefined)).sort();
		expect(values(new TencentLke())).toEqual(['chat', 'getWsToken']);
		expect(operation(new TencentLke())?.default).toBe('chat');
		expect(values(new Aisk())).toEqual(['ask', 'createChatbotToken']);
		expect(values(new TateATate())).toEqual(['sendMessage']);
		expect(operation(new TateATate())?.default).toBe('sendMessage');
	});
});
