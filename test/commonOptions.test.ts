import type { IExecuteFunctions } from 'n8n-workflow';
import {
	concurrencyOption,
	enableStreamingOption,
	MAX_CONCURRENCY,
	maxRetriesOption,
	optionsCollection,
	timeoutOption,
} from '../nodes/shared/commonOptions';
import { liveStreamFor } from '../nodes/shared/liveStream';
import { operationProperties, type OperationModule } from '../nodes/shared/operations';
import { streamingEnabled } from '../nodes/shared/streamedTurn';

describe('the options every node offers', () => {
	it('gathers the options in a collection named options', () => {
		const inner = enableStreamingOption('Stream it');
		expect(optionsCollection([inner])).toEqual({
			displayName: 'Options',
			name: 'options',
			type: 'collection',
			placeholder: 'Add Option',
			default: {},
			options: [inner],
		});
	});

	it('Concurrency: 1 to 100 items at once, one by default', () => {
		expect(MAX_CONCURRENCY).toBe(100);
		expect(concurrencyOption('How many items at once')).toEqual({
			displayName: 'Concurrency',
			name: 'concurrency',
			type: 'number',
			typeOptions: { minValue: 1, maxValue: 100 },
			default: 1,
			description: 'How many items at once',
		});
	});

	it('Max Retries: 0 to 10, two by default', () => {
		expect(maxRetriesOption('Retries after a busy answer')).toEqual({
			displayName: 'Max Retries',
			name: 'maxRetries',
			type: 'number',
			typeOptions: { minValue: 0, maxValue: 10 },
			default: 2,
			description: 'Retries after a busy answer',
		});
	});

	it("Timeout (Ms): at least 1, the node's own default", () => {
		expect(timeoutOption(90_000, 'The whole turn')).toEqual({
			displayName: 'Timeout (Ms)',
			name: 'timeout',
			type: 'number',
			typeOptions: { minValue: 1 },
			default: 90_000,
			description: 'The whole turn',
		});
	});

	it('Enable Streaming: on by default', () => {
		expect(enableStreamingOption('Send the text as it arrives')).toEqual({
			displayName: 'Enable Streaming',
			name: 'enableStreaming',
			type: 'boolean',
			default: true,
			description: 'Send the text as it arrives',
		});
	});
});

describe('operationProperties', () => {
	it('puts the Operation dropdown, valued by registry key, before every operation parameter in registry order', () => {
		const module = (name: string, parameter: string): OperationModule => ({
			option: { name, action: `${name} an agent` },
			description: [{ displayName: parameter, name: parameter, type: 'string', default: '' }],
			execute: async () => [[]],
		});
		expect(operationProperties({ ask: module('Ask', 'question'), token: module('Token', 'chatbotId') }, 'token')).toEqual([
			{
				displayName: 'Operation',
				name: 'operation',
				type: 'options',
				noDataExpression: true,
				default: 'token',
				options: [
					{ name: 'Ask', action: 'Ask an agent', value: 'ask' },
					{ name: 'Token', action: 'Token an agent', value: 'token' },
				],
			},
			{ displayName: 'question', name: 'question', type: 'string', default: '' },
			{ displayName: 'chatbotId', name: 'chatbotId', type: 'string', default: '' },
		]);
	});
});

describe('streamingEnabled', () => {
	const contextWith = (items: number, options: unknown) =>
		({
			getInputData: () => Array.from({ length: items }, () => ({ json: {} })),
			getNodeParameter: (name: string, _itemIndex: number, fallback: unknown) => (name === 'options' ? (options ?? fallback) : fallback),
		}) as unknown as IExecuteFunctions;

	it('is on unless Enable Streaming is off', () => {
		expect(streamingEnabled(contextWith(1, {}))).toBe(true);
		expect(streamingEnabled(contextWith(1, undefined))).toBe(true);
		expect(streamingEnabled(contextWith(1, { enableStreaming: true }))).toBe(true);
		expect(streamingEnabled(contextWith(1, { enableStreaming: false }))).toBe(false);
	});

	it('is off when there is no item to answer', () => {
		expect(streamingEnabled(contextWith(0, { enableStreaming: true }))).toBe(false);
	});
});

describe('liveStreamFor on older n8n versions', () => {
	it('stays silent when n8n offers no streaming hooks', () => {
		const node = { getNode: () => ({ type: 'n8n-nodes-agent-chat.tateATate' }) };
		expect(liveStreamFor({ ...node, sendChunk: () => undefined } as unknown as IExecuteFunctions)).toBeUndefined();
		expect(liveStreamFor({ ...node, isStreaming: () => true } as unknown as IExecuteFunctions)).toBeUndefined();
	});
});
