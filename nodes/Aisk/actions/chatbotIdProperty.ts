import type { INodeProperties } from 'n8n-workflow';

/** The Chatbot ID parameter every AiSK operation takes (a UUID), with the operation's own words for it. */
export function chatbotIdProperty(description: string): INodeProperties {
	return {
		displayName: 'Chatbot ID',
		name: 'chatbotId',
		type: 'string',
		default: '',
		required: true,
		placeholder: '123e4567-e89b-12d3-a456-426614174000',
		description,
	};
}
