import type { INodeProperties } from 'n8n-workflow';

/** The options every node offers, with the node's own words for what they mean there. Kept free of
 * runtime imports: descriptions load at n8n start-up. */

export const MAX_CONCURRENCY = 100;

/** The operation's Options collection: the settings a user adds only when the defaults do not fit. */
export function optionsCollection(options: INodeProperties[]): INodeProperties {
	return {
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add Option',
		default: {},
		options,
	};
}

export function concurrencyOption(description: string): INodeProperties {
	return {
		displayName: 'Concurrency',
		name: 'concurrency',
		type: 'number',
		typeOptions: { minValue: 1, maxValue: MAX_CONCURRENCY },
		default: 1,
		description,
	};
}

export function maxRetriesOption(description: string): INodeProperties {
	return {
		displayName: 'Max Retries',
		name: 'maxRetries',
		type: 'number',
		typeOptions: { minValue: 0, maxValue: 10 },
		default: 2,
		description,
	};
}

export function timeoutOption(defaultMs: number, description: string): INodeProperties {
	return {
		displayName: 'Timeout (Ms)',
		name: 'timeout',
		type: 'number',
		typeOptions: { minValue: 1 },
		default: defaultMs,
		description,
	};
}

/** n8n asks nodes that stream to let the user turn it off, e.g. when the chat client should get only the agent's final answer. */
export function enableStreamingOption(description: string): INodeProperties {
	return {
		displayName: 'Enable Streaming',
		name: 'enableStreaming',
		type: 'boolean',
		default: true,
		description,
	};
}
