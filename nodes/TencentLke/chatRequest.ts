import type { IDataObject } from 'n8n-workflow';
import { inputError } from '../shared/errors';
import { checkBaseUrl, checkIntegerOption, isObject } from '../shared/validation';

/**
 * Checks the chat parameters and builds the v1 dialog request body (pure: no I/O, no n8n context);
 * the checks both API versions share live here too.
 */

export const SESSION_ID_PATTERN = /^[a-zA-Z0-9_-]{2,64}$/;
export const VISITOR_BIZ_ID_MAX = 64;
export const REQUEST_ID_MAX = 255;
const TRI_STATE = ['', 'enable', 'disable'];
const FILE_INFO_FIELDS = ['file_name', 'file_size', 'file_url', 'file_type', 'doc_id'];

export interface LkeChatOptions {
	customVariables?: { variables?: Array<{ key?: string; value?: unknown }> } | IDataObject;
	systemRole?: string;
	modelName?: string;
	searchNetwork?: string;
	workflowStatus?: string;
	stream?: string;
	streamingThrottle?: number;
	incremental?: boolean;
	requestId?: string;
	fileInfos?: unknown;
	/** v2 only */
	imageUrls?: unknown;
	/** v2 only */
	enableMultiIntent?: boolean;
	/** v2 only */
	generateAgain?: boolean;
	includeDebug?: boolean;
	timeout?: number;
	idleTimeout?: number;
	maxRetries?: number;
	concurrency?: number;
}

export interface LkeChatInput {
	content: unknown;
	sessionId: unknown;
	visitorBizId: unknown;
	options: LkeChatOptions;
}

export type LkeApiVersion = 'v1' | 'v2';

export interface LkeChatRequest {
	apiVersion: LkeApiVersion;
	url: string;
	body: IDataObject;
	sessionId: string;
	requestId: string;
	incremental: boolean;
	includeDebug: boolean;
	timeoutMs: number;
	idleTimeoutMs: number;
	maxRetries: number;
}

/** What a request builder needs besides the item's parameters. */
export interface LkeChatContext {
	appKey: string;
	chatBaseUrl: string;
	newId: () => string;
	defaultVisitorBizId: string;
}

export const LKE_CHAT_PATH = '/v1/qbot/chat/sse';
export const DEFAULT_TIMEOUT_MS = 10 * 60_000;
export const DEFAULT_IDLE_TIMEOUT_MS = 2 * 60_000;
export const DEFAULT_MAX_RETRIES = 2;

export function optionalString(value: unknown, field: string): string {
	if (value === undefined || value === null) return '';
	if (typeof value === 'string') return value;
	if (typeof value === 'number' || typeof value === 'boolean') return String(value);
	throw inputError(field, `must be text, got ${Array.isArray(value) ? 'a list' : typeof value}`);
}

export function customVariablesBody(option: LkeChatOptions['customVariables']): Record<string, string> | undefined {
	if (option === undefined || option === null) return undefined;
	const pairs: Array<[string, unknown]> = Array.isArray((option as IDataObject).variables)
		? ((option as IDataObject).variables as unknown[]).map((entry, index): [string, unknown] => {
				// Only JSON or an expression can put something else in the list; it must not crash the item.
				if (!isObject(entry)) throw inputError('options.customVariables', `variable ${index} must be a name and value pair`);
				return [String(entry.key ?? ''), entry.value];
			})
		: Object.entries(option as IDataObject).filter(([key]) => key !== 'variables');
	if (pairs.length === 0) return undefined;
	const variables: Record<string, string> = {};
	for (const [key, value] of pairs) {
		if (key.trim() === '') throw inputError('options.customVariables', 'every variable needs a name');
		// The API accepts only string values; anything else travels as its JSON text.
		variables[key] = typeof value === 'string' ? value : value === undefined ? '' : JSON.stringify(value);
	}
	return variables;
}

/** The File Infos option as a list of objects (a JSON text or an array), or undefined when empty. */
export function fileInfoEntries(value: unknown): IDataObject[] | undefined {
	if (value === undefined || value === null || value === '') return undefined;
	let parsed = value;
	if (typeof value === 'string') {
		try {
			parsed = JSON.parse(value);
		} catch {
			throw inputError('options.fileInfos', 'must be a JSON array of file objects');
		}
	}
	if (!Array.isArray(parsed)) throw inputError('options.fileInfos', 'must be an array of file objects');
	return parsed.map((entry, index) => {
		if (!entry || typeof entry !== 'object' || Array.isArray(entry)) {
			throw inputError('options.fileInfos', `entry ${index} must be an object`);
		}
		return entry as IDataObject;
	});
}

function fileInfosBody(value: unknown): IDataObject[] | undefined {
	return fileInfoEntries(value)?.map((file, index) => {
		const missing = FILE_INFO_FIELDS.filter((name) => file[name] === undefined || file[name] === null || file[name] === '');
		if (missing.length > 0) {
			throw inputError('options.fileInfos', `entry ${index} lacks ${missing.join(', ')} (each file needs ${FILE_INFO_FIELDS.join(', ')})`);
		}
		const normalized: IDataObject = {};
		for (const [key, fieldValue] of Object.entries(file)) normalized[key] = typeof fieldValue === 'number' ? String(fieldValue) : fieldValue;
		return normalized;
	});
}

export function triState(value: unknown, field: string): string | undefined {
	if (value === undefined || value === '') return undefined;
	if (typeof value !== 'string' || !TRI_STATE.includes(value)) {
		throw inputError(field, `must be one of '' (application default), 'enable' or 'disable'`);
	}
	return value;
}

/** The Visitor ID when none is given: one per workflow, shared by Chat and Get WS Token. */
export function defaultVisitorBizId(workflowId: string | undefined): string {
	return `n8n-${workflowId || 'workflow'}`.slice(0, VISITOR_BIZ_ID_MAX);
}

/** The Visitor ID to send: the parameter, or the workflow's default; at most 64 characters. */
export function checkVisitorBizId(value: unknown, fallback: string): string {
	let visitorBizId = optionalString(value, 'visitorBizId').trim();
	if (visitorBizId === '') visitorBizId = fallback;
	if (visitorBizId.length > VISITOR_BIZ_ID_MAX) {
		throw inputError('visitorBizId', `must be at most ${VISITOR_BIZ_ID_MAX} characters (got ${visitorBizId.length})`);
	}
	return visitorBizId;
}

/** The options that are read the same way by both versions: how the turn runs, not what is sent. */
export function turnSettings(options: LkeChatOptions): Pick<LkeChatRequest, 'incremental' | 'includeDebug' | 'timeoutMs' | 'idleTimeoutMs' | 'maxRetries'> {
	if (options.incremental !== undefined && typeof options.incremental !== 'boolean') throw inputError('options.incremental', 'must be true or false');
	if (options.includeDebug !== undefined && typeof options.includeDebug !== 'boolean') throw inputError('options.includeDebug', 'must be true or false');
	return {
		incremental: options.incremental === true,
		includeDebug: options.includeDebug === true,
		timeoutMs: checkIntegerOption(options.timeout ?? DEFAULT_TIMEOUT_MS, 'options.timeout', 1, 24 * 3_600_000),
		idleTimeoutMs: checkIntegerOption(options.idleTimeout ?? DEFAULT_IDLE_TIMEOUT_MS, 'options.idleTimeout', 1, 24 * 3_600_000),
		maxRetries: checkIntegerOption(options.maxRetries ?? DEFAULT_MAX_RETRIES, 'options.maxRetries', 0, 10),
	};
}

export interface SharedSettings {
	systemRole: string;
	modelName: string;
	searchNetwork?: string;
	workflowStatus?: string;
	stream?: string;
	streamingThrottle?: number;
}

/** The body fields both versions send alike (each version names them its own way). */
export function sharedSettings(options: LkeChatOptions): SharedSettings {
	return {
		systemRole: optionalString(options.systemRole, 'options.systemRole'),
		modelName: optionalString(options.modelName, 'options.modelName').trim(),
		searchNetwork: triState(options.searchNetwork, 'options.searchNetwork'),
		workflowStatus: triState(options.workflowStatus, 'options.workflowStatus'),
		stream: triState(options.stream, 'options.stream'),
		streamingThrottle:
			options.streamingThrottle === undefined ? undefined : checkIntegerOption(options.streamingThrottle, 'options.streamingThrottle', 0, 10_000),
	};
}

/** Puts the shared settings that were set into `body`, under this version's field names. */
export function putSharedSettings(body: IDataObject, settings: SharedSettings, names: Record<keyof SharedSettings, string>): void {
	for (const key of Object.keys(names) as Array<keyof SharedSettings>) {
		const value = settings[key];
		if (value !== undefined && value !== '') body[names[key]] = value;
	}
}

const V1_NAMES: Record<keyof SharedSettings, string> = {
	systemRole: 'system_role',
	modelName: 'model_name',
	searchNetwork: 'search_network',
	workflowStatus: 'workflow_status',
	stream: 'stream',
	streamingThrottle: 'streaming_throttle',
};

export function buildLkeChatRequest(input: LkeChatInput, context: LkeChatContext): LkeChatRequest {
	const options = input.options ?? {};
	const content = optionalString(input.content, 'content');
	const fileInfos = fileInfosBody(options.fileInfos);
	if (content.trim() === '' && !fileInfos?.length) {
		throw inputError('content', 'must not be empty unless File Infos are given (the default reads $json.chatInput)');
	}

	let sessionId = optionalString(input.sessionId, 'sessionId').trim();
	if (sessionId === '') sessionId = context.newId();
	else if (!SESSION_ID_PATTERN.test(sessionId)) {
		throw inputError('sessionId', 'must be 2 to 64 characters of letters, digits, "_" or "-" (^[a-zA-Z0-9_-]{2,64}$)');
	}

	const visitorBizId = checkVisitorBizId(input.visitorBizId, context.defaultVisitorBizId);

	let requestId = optionalString(options.requestId, 'options.requestId').trim();
	if (requestId.length > REQUEST_ID_MAX) {
		throw inputError('options.requestId', `must be at most ${REQUEST_ID_MAX} characters`);
	}
	if (requestId === '') requestId = context.newId();

	if (!context.appKey) throw inputError('appKey', 'the Tencent LKE credential has no AppKey');
	const base = checkBaseUrl(context.chatBaseUrl, 'chatBaseUrl');
	const settings = turnSettings(options);
	const shared = sharedSettings(options);

	const body: IDataObject = {
		request_id: requestId,
		content,
		session_id: sessionId,
		bot_app_key: context.appKey,
		visitor_biz_id: visitorBizId,
	};
	if (fileInfos?.length) body.file_infos = fileInfos;
	const customVariables = customVariablesBody(options.customVariables);
	if (customVariables) body.custom_variables = customVariables;
	putSharedSettings(body, shared, V1_NAMES);
	if (options.incremental !== undefined) body.incremental = settings.incremental;

	return { apiVersion: 'v1', url: base + LKE_CHAT_PATH, body, sessionId, requestId, ...settings };
}
