import type { IDataObject } from 'n8n-workflow';
import { inputError } from '../shared/errors';
import { checkBaseUrl, checkIntegerOption } from '../shared/validation';

/** Checks the chat parameters and builds the dialog API's request body (pure: no I/O, no n8n context). */

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

export interface LkeChatRequest {
	url: string;
	body: IDataObject;
	sessionId: string;
	requestId: string;
	incremental: boolean;
	timeoutMs: number;
	idleTimeoutMs: number;
	maxRetries: number;
}

export const LKE_CHAT_PATH = '/v1/qbot/chat/sse';
export const DEFAULT_TIMEOUT_MS = 10 * 60_000;
export const DEFAULT_IDLE_TIMEOUT_MS = 2 * 60_000;
export const DEFAULT_MAX_RETRIES = 2;

function optionalString(value: unknown, field: string): string {
	if (value === undefined || value === null) return '';
	if (typeof value === 'string') return value;
	if (typeof value === 'number' || typeof value === 'boolean') return String(value);
	throw inputError(field, `must be text, got ${Array.isArray(value) ? 'a list' : typeof value}`);
}

function customVariablesBody(option: LkeChatOptions['customVariables']): Record<string, string> | undefined {
	if (option === undefined || option === null) return undefined;
	const pairs: Array<[string, unknown]> = Array.isArray((option as IDataObject).variables)
		? ((option as IDataObject).variables as Array<{ key?: unknown; value?: unknown }>).map((entry) => [
				String(entry.key ?? ''),
				entry.value,
			])
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

function fileInfosBody(value: unknown): IDataObject[] | undefined {
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
		const file = entry as IDataObject;
		const missing = FILE_INFO_FIELDS.filter((name) => file[name] === undefined || file[name] === null || file[name] === '');
		if (missing.length > 0) {
			throw inputError('options.fileInfos', `entry ${index} lacks ${missing.join(', ')} (each file needs ${FILE_INFO_FIELDS.join(', ')})`);
		}
		const normalized: IDataObject = {};
		for (const [key, fieldValue] of Object.entries(file)) normalized[key] = typeof fieldValue === 'number' ? String(fieldValue) : fieldValue;
		return normalized;
	});
}

function triState(value: unknown, field: string): string | undefined {
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

export function buildLkeChatRequest(
	input: LkeChatInput,
	context: { appKey: string; chatBaseUrl: string; newId: () => string; defaultVisitorBizId: string },
): LkeChatRequest {
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

	let visitorBizId = optionalString(input.visitorBizId, 'visitorBizId').trim();
	if (visitorBizId === '') visitorBizId = context.defaultVisitorBizId;
	if (visitorBizId.length > VISITOR_BIZ_ID_MAX) {
		throw inputError('visitorBizId', `must be at most ${VISITOR_BIZ_ID_MAX} characters (got ${visitorBizId.length})`);
	}

	let requestId = optionalString(options.requestId, 'options.requestId').trim();
	if (requestId.length > REQUEST_ID_MAX) {
		throw inputError('options.requestId', `must be at most ${REQUEST_ID_MAX} characters`);
	}
	if (requestId === '') requestId = context.newId();

	if (!context.appKey) throw inputError('appKey', 'the Tencent LKE credential has no AppKey');
	const base = checkBaseUrl(context.chatBaseUrl, 'chatBaseUrl');

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
	const systemRole = optionalString(options.systemRole, 'options.systemRole');
	if (systemRole !== '') body.system_role = systemRole;
	const modelName = optionalString(options.modelName, 'options.modelName').trim();
	if (modelName !== '') body.model_name = modelName;
	const searchNetwork = triState(options.searchNetwork, 'options.searchNetwork');
	if (searchNetwork) body.search_network = searchNetwork;
	const workflowStatus = triState(options.workflowStatus, 'options.workflowStatus');
	if (workflowStatus) body.workflow_status = workflowStatus;
	const stream = triState(options.stream, 'options.stream');
	if (stream) body.stream = stream;
	if (options.streamingThrottle !== undefined) {
		body.streaming_throttle = checkIntegerOption(options.streamingThrottle, 'options.streamingThrottle', 0, 10_000);
	}
	if (options.incremental !== undefined) {
		if (typeof options.incremental !== 'boolean') throw inputError('options.incremental', 'must be true or false');
		body.incremental = options.incremental;
	}

	return {
		url: base + LKE_CHAT_PATH,
		body,
		sessionId,
		requestId,
		incremental: options.incremental === true,
		timeoutMs: checkIntegerOption(options.timeout ?? DEFAULT_TIMEOUT_MS, 'options.timeout', 1, 24 * 3_600_000),
		idleTimeoutMs: checkIntegerOption(options.idleTimeout ?? DEFAULT_IDLE_TIMEOUT_MS, 'options.idleTimeout', 1, 24 * 3_600_000),
		maxRetries: checkIntegerOption(options.maxRetries ?? DEFAULT_MAX_RETRIES, 'options.maxRetries', 0, 10),
	};
}
