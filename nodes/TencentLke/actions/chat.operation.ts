import { randomUUID } from 'crypto';
import type { ICredentialDataDecryptedObject, IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import { concurrencyOption, enableStreamingOption, maxRetriesOption, timeoutOption, optionsCollection } from '../../shared/commonOptions';
import { forOperation, type OperationOption } from '../../shared/operations';
import type { LkeChatOptions } from '../chatRequest';

/** Chat: one streamed dialog turn per input item. */

export const option: OperationOption = {
	name: 'Chat',
	action: 'Ask the agent a question and get its answer',
	description: 'Send one message per item and wait for the whole streamed answer, with references and token statistics',
};

const triStateOptions = [
	{ name: 'Application Default', value: '' },
	{ name: 'Enable', value: 'enable' },
	{ name: 'Disable', value: 'disable' },
];

export const description = forOperation('chat', [
	{
		displayName: 'Content',
		name: 'content',
		type: 'string',
		typeOptions: { rows: 3 },
		default: '={{ $json.chatInput }}',
		required: true,
		description:
			'The question or message to send to the agent. The default takes the chatInput field of the incoming item, which is what the Chat Trigger sends.',
	},
	{
		displayName: 'Session ID',
		name: 'sessionId',
		type: 'string',
		default: '',
		description:
			'Keeps a conversation together: turns sent with the same session ID share context, so the agent remembers earlier questions. Leave empty to start a new conversation for every item. 2–64 letters, digits, "_" or "-"; behind a Chat Trigger, use the sessionId field it sends.',
	},
	{
		displayName: 'Visitor ID',
		name: 'visitorBizId',
		type: 'string',
		default: '',
		description:
			'Identifies the person asking (up to 64 characters), e.g. your user ID. Leave empty to use one fixed ID for this workflow.',
	},
	{
		displayName: 'Output Layout',
		name: 'outputLayout',
		type: 'options',
		default: 'single',
		options: [
			{
				name: 'Single Output',
				value: 'single',
				description: 'One item per question with the reply, references and token statistics together',
			},
			{
				name: 'Split Into Reply, References and Token Stats',
				value: 'split',
				description: 'Three outputs: the reply items, one item per reference, and one token statistics item per question',
			},
		],
	},
	optionsCollection([
		concurrencyOption('How many items are sent at once. Raise it for batches of independent questions (5–10 is usually safe); the output keeps the input order. Keep 1 when items continue the same session, and stay within the application\'s concurrency quota (error 460011 means it was exceeded).'),
		enableStreamingOption(
			'When the workflow answers a Chat Trigger or a Webhook whose response mode is Streaming, send the answer to the client as it arrives. Turn off to send nothing until the node has finished; the output item is the same either way.',
		),
		{
			displayName: 'Custom Variables',
			name: 'customVariables',
			type: 'fixedCollection',
			typeOptions: { multipleValues: true },
			default: {},
			placeholder: 'Add Variable',
			description:
				'Values passed to the application: parameters of a workflow\'s start node, or knowledge base search scopes (several values separated by "|"). Values that are not text are sent as JSON text.',
			options: [
				{
					displayName: 'Variable',
					name: 'variables',
					values: [
						{ displayName: 'Name', name: 'key', type: 'string', default: '' },
						{ displayName: 'Value', name: 'value', type: 'string', default: '' },
					],
				},
			],
		},
		{
			displayName: 'File Infos',
			name: 'fileInfos',
			type: 'json',
			default: '[]',
			description:
				'Files from the real-time document parsing API, as a JSON array of objects with file_name, file_size, file_url, file_type and doc_id. With files, Content may be empty.',
		},
		{
			displayName: 'Idle Timeout (Ms)',
			name: 'idleTimeout',
			type: 'number',
			typeOptions: { minValue: 1 },
			default: 120000,
			description: 'Longest silence allowed while the answer streams in before the turn fails',
		},
		{
			displayName: 'Incremental Events',
			name: 'incremental',
			type: 'boolean',
			default: false,
			description:
				'Whether the API sends only the new piece of text in each event. Off (cumulative): every event repeats the whole answer so far. The node\'s reply is the same either way; incremental uses far less bandwidth for long answers.',
		},
		maxRetriesOption('Retries on busy errors (460011, 460031, HTTP 429/502/503/504) and dropped connections, only while no answer text has arrived, with growing waits'),
		{
			displayName: 'Model Name',
			name: 'modelName',
			type: 'string',
			default: '',
			placeholder: 'Deepseek/deepseek-v3.1-terminus',
			description: 'Use a specific model for this turn instead of the application\'s. Leave empty for the application\'s model.',
		},
		{
			displayName: 'Request ID',
			name: 'requestId',
			type: 'string',
			default: '',
			description: 'Identifies this request in Tencent\'s logs. Leave empty to generate a new one per item.',
		},
		{
			displayName: 'Search Network',
			name: 'searchNetwork',
			type: 'options',
			options: triStateOptions,
			default: '',
			description: 'Whether the agent may search the web for this turn',
		},
		{
			displayName: 'Stream',
			name: 'stream',
			type: 'options',
			options: triStateOptions,
			default: '',
			description: 'Whether the API streams the answer in pieces or sends it at once. The node waits for the whole answer either way.',
		},
		{
			displayName: 'Streaming Throttle',
			name: 'streamingThrottle',
			type: 'number',
			typeOptions: { minValue: 0 },
			default: 0,
			description: 'How many characters the API gathers before sending an event (0: the application\'s setting, 5 by default)',
		},
		{
			displayName: 'System Role',
			name: 'systemRole',
			type: 'string',
			typeOptions: { rows: 3 },
			default: '',
			description: 'A role prompt that replaces the application\'s for this turn (standard mode only)',
		},
		timeoutOption(600000, 'Longest time for the whole turn, retries included'),
		{
			displayName: 'Workflow Status',
			name: 'workflowStatus',
			type: 'options',
			options: triStateOptions,
			default: '',
			description: 'Whether the application\'s workflows run for this turn',
		},
	]),
]);

export async function execute(context: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	// Loaded on the first run, not when n8n reads the node's description at start-up.
	const { lkeSecrets } = await import('../secrets');
	const { runStreamedItems } = await import('../../shared/streamedTurn');
	const { buildLkeChatRequest, defaultVisitorBizId } = await import('../chatRequest');
	const { runLkeChatTurn } = await import('../chatClient');
	const { lkeChatOutputs } = await import('../chatOutputs');
	const { resolveLkeSite } = await import('../site');

	const credentials: ICredentialDataDecryptedObject = await context.getCredentials('tencentLkeApi');
	const secrets = lkeSecrets(credentials);
	const layout = context.getNodeParameter('outputLayout', 0, 'single') as string;
	const fallbackVisitor = defaultVisitorBizId(context.getWorkflow().id);
	const outcomes = await runStreamedItems(context, {
		vendor: 'Tencent LKE',
		secrets,
		request: (itemIndex) => {
			const options = context.getNodeParameter('options', itemIndex, {}) as LkeChatOptions;
			const site = resolveLkeSite(credentials);
			return buildLkeChatRequest(
				{
					content: context.getNodeParameter('content', itemIndex, ''),
					sessionId: context.getNodeParameter('sessionId', itemIndex, ''),
					visitorBizId: context.getNodeParameter('visitorBizId', itemIndex, ''),
					options,
				},
				{ appKey: String(credentials.appKey ?? ''), chatBaseUrl: site.chatBaseUrl, newId: randomUUID, defaultVisitorBizId: fallbackVisitor },
			);
		},
		turn: runLkeChatTurn,
	});
	return lkeChatOutputs(outcomes, layout);
}
