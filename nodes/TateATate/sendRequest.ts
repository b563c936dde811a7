import type { ICredentialDataDecryptedObject } from 'n8n-workflow';
import { inputError } from '../shared/errors';
import { checkBaseUrl, checkIntegerOption } from '../shared/validation';

/** Send Message's request, checked and built (pure): the same body for every attempt. */

export const TATE_SEND_PATH = '/admin/v1/msg/send';
export const DEFAULT_TATE_BASE_URL = 'https://chat.tate-a-tate.com/im';
export const DEFAULT_TATE_TIMEOUT_MS = 5 * 60_000;
export const DEFAULT_TATE_MAX_RETRIES = 2;
const USER_ACTIONS = ['new', 'edit', 'retry'];
const REQ_MODELS = ['sync', 'stream'];

export interface TateSendInput {
	botId: unknown;
	msg: unknown;
	conversationId: unknown;
	parentMsgId: unknown;
	userAction: unknown;
	reqModel: unknown;
	options?: { timeout?: unknown; maxRetries?: unknown };
}

export interface TateSendRequest {
	url: string;
	botId: string;
	secretKey: string;
	/** The exact JSON body (the same for every attempt). */
	body: string;
	stream: boolean;
	timeoutMs: number;
	maxRetries: number;
}

function textParameter(value: unknown, field: string): string {
	if (value === undefined || value === null) return '';
	if (typeof value === 'string') return value;
	if (typeof value === 'number' || typeof value === 'bigint') return String(value);
	throw inputError(field, `must be text, got ${Array.isArray(value) ? 'a list' : typeof value}`);
}

/** Checks the parameters and builds the request (pure); input errors are thrown before anything is sent. */
export function buildTateSendRequest(input: TateSendInput, credentials: ICredentialDataDecryptedObject): TateSendRequest {
	const botId = textParameter(input.botId, 'botId').trim();
	if (botId === '') throw inputError('botId', 'is required: the agent\'s unique ID from its API publishing page');
	const msg = textParameter(input.msg, 'msg');
	if (msg.trim() === '') throw inputError('msg', 'must not be empty (the default reads $json.chatInput)');
	const userAction = textParameter(input.userAction, 'userAction') || 'new';
	if (!USER_ACTIONS.includes(userAction)) throw inputError('userAction', 'must be new, edit or retry');
	const reqModel = textParameter(input.reqModel, 'reqModel') || 'sync';
	if (!REQ_MODELS.includes(reqModel)) throw inputError('reqModel', 'must be sync or stream');
	const parentMsgId = textParameter(input.parentMsgId, 'parentMsgId').trim() || '0';
	if (!/^\d{1,64}$/.test(parentMsgId)) {
		throw inputError('parentMsgId', `must be a message ID made of digits, or 0 for a new message (got ${JSON.stringify(parentMsgId.slice(0, 80))})`);
	}
	if (userAction !== 'new' && /^0+$/.test(parentMsgId)) {
		throw inputError(
			'parentMsgId',
			userAction === 'edit'
				? 'must not be 0 when User Action is edit: give the ID of the message being edited'
				: 'must not be 0 when User Action is retry: give the ID of the message to regenerate',
		);
	}
	const conversationId = textParameter(input.conversationId, 'conversationId').trim();
	if (conversationId.length > 256) throw inputError('conversationId', 'must be at most 256 characters');

	const secretKey = typeof credentials.secretKey === 'string' ? credentials.secretKey.trim() : '';
	if (secretKey === '') throw inputError('secretKey', 'the tate-a-tate credential has no Secret Key');
	const baseUrl = checkBaseUrl(credentials.baseUrl || DEFAULT_TATE_BASE_URL, 'baseUrl');
	const options = input.options ?? {};

	return {
		url: baseUrl + TATE_SEND_PATH,
		botId,
		secretKey,
		body: JSON.stringify({ conversationId, msg, msgType: 1, parentMsgId, reqModel, userAction }),
		stream: reqModel === 'stream',
		timeoutMs: checkIntegerOption(options.timeout ?? DEFAULT_TATE_TIMEOUT_MS, 'options.timeout', 1, 24 * 3_600_000),
		maxRetries: checkIntegerOption(options.maxRetries ?? DEFAULT_TATE_MAX_RETRIES, 'options.maxRetries', 0, 10),
	};
}
