import type { IDataObject } from 'n8n-workflow';
import { inputError } from '../shared/errors';
import { checkBaseUrl } from '../shared/validation';
import {
	checkVisitorBizId,
	customVariablesBody,
	fileInfoEntries,
	optionalString,
	putSharedSettings,
	sharedSettings,
	turnSettings,
	type LkeChatContext,
	type LkeChatInput,
	type LkeChatRequest,
	type SharedSettings,
} from './chatRequest';

/** Checks the chat parameters and builds the ADP v2 dialog request body (pure: no I/O, no n8n context). */

/** RequestId and ConversationId (the Session ID) must match this in v2. */
export const ADP_V2_ID_PATTERN = /^[a-zA-Z0-9_-]{32,64}$/;
export const ADP_V2_CHAT_PATH = '/adp/v2/chat';
const ID_RULE = 'must be 32 to 64 letters, digits, "_" or "-" in ADP v2 (^[a-zA-Z0-9_-]{32,64}$; a UUID fits)';

/** A File Infos entry's fields, under v1's names (as the option documents them) or v2's. */
const FILE_FIELDS: Array<[v1: string, v2: string, required: boolean]> = [
	['file_name', 'FileName', true],
	['file_size', 'FileSize', false],
	['file_url', 'FileUrl', true],
	['file_type', 'FileType', true],
	['doc_id', 'DocId', false],
];

const V2_NAMES: Record<keyof SharedSettings, string> = {
	systemRole: 'SystemRole',
	modelName: 'ModelName',
	searchNetwork: 'SearchNetwork',
	workflowStatus: 'WorkflowStatus',
	stream: 'Stream',
	streamingThrottle: 'StreamingThrottle',
};

function checkId(value: unknown, field: string, newId: () => string): string {
	const id = optionalString(value, field).trim();
	if (id === '') return newId();
	if (!ADP_V2_ID_PATTERN.test(id)) throw inputError(field, `${ID_RULE}; got ${id.length} characters`);
	return id;
}

function fileItems(value: unknown): IDataObject[] {
	return (fileInfoEntries(value) ?? []).map((entry, index) => {
		const file: IDataObject = {};
		const missing: string[] = [];
		for (const [v1Name, v2Name, required] of FILE_FIELDS) {
			const fieldValue = entry[v2Name] ?? entry[v1Name];
			if (fieldValue === undefined || fieldValue === null || fieldValue === '') {
				if (required) missing.push(v1Name);
				continue;
			}
			// FileSize is a string in v2, like file_size in v1.
			file[v2Name] = typeof fieldValue === 'number' ? String(fieldValue) : fieldValue;
		}
		if (missing.length > 0) {
			throw inputError('options.fileInfos', `entry ${index} lacks ${missing.join(', ')} (each file needs file_name, file_url and file_type)`);
		}
		const createTime = entry.CreateTime ?? entry.create_time;
		// Blank text is no time, as an empty field is; Number() would read it as 0.
		if (createTime !== undefined && createTime !== null && !(typeof createTime === 'string' && createTime.trim() === '')) {
			const milliseconds = typeof createTime === 'number' || typeof createTime === 'string' ? Number(createTime) : Number.NaN;
			if (!Number.isFinite(milliseconds)) throw inputError('options.fileInfos', `entry ${index}: create_time must be a number of milliseconds`);
			file.CreateTime = milliseconds;
		}
		return { Type: 'file', File: file };
	});
}

/** Image URLs: a list, or one text with URLs separated by commas, spaces or new lines. */
function imageItems(value: unknown): IDataObject[] {
	if (value === undefined || value === null || value === '') return [];
	const urls = Array.isArray(value) ? value : typeof value === 'string' ? value.split(/[\s,]+/) : undefined;
	if (!urls) throw inputError('options.imageUrls', 'must be a list of URLs or a text of URLs separated by commas or new lines');
	return urls
		.map((url) => (typeof url === 'string' ? url.trim() : url))
		.filter((url) => url !== '')
		.map((url, index) => {
			if (typeof url !== 'string' || !/^https?:\/\/\S+$/i.test(url)) {
				throw inputError('options.imageUrls', `entry ${index} must be an http:// or https:// URL (got ${JSON.stringify(url)})`);
			}
			return { Type: 'image', Image: { Url: url } };
		});
}

function optionalBoolean(value: unknown, field: string): boolean | undefined {
	if (value === undefined) return undefined;
	if (typeof value !== 'boolean') throw inputError(field, 'must be true or false');
	return value;
}

export function buildAdpV2ChatRequest(input: LkeChatInput, context: LkeChatContext): LkeChatRequest {
	const options = input.options ?? {};
	const content = optionalString(input.content, 'content');
	const files = fileItems(options.fileInfos);
	const images = imageItems(options.imageUrls);
	if (content.trim() === '' && files.length === 0 && images.length === 0) {
		throw inputError('content', 'must not be empty unless File Infos or Image URLs are given (the default reads $json.chatInput)');
	}
	const sessionId = checkId(input.sessionId, 'sessionId', context.newId);
	const visitorBizId = checkVisitorBizId(input.visitorBizId, context.defaultVisitorBizId);
	const requestId = checkId(options.requestId, 'options.requestId', context.newId);
	if (!context.appKey) throw inputError('appKey', 'the Tencent LKE credential has no AppKey');
	const base = checkBaseUrl(context.chatBaseUrl, 'chatBaseUrl');
	const settings = turnSettings(options);
	const shared = sharedSettings(options);
	const enableMultiIntent = optionalBoolean(options.enableMultiIntent, 'options.enableMultiIntent');
	const generateAgain = optionalBoolean(options.generateAgain, 'options.generateAgain');

	const contents: IDataObject[] = [{ Type: 'text', Text: content }];
	const customVariables = customVariablesBody(options.customVariables);
	if (customVariables) contents.push({ Type: 'custom_variables', CustomVariables: customVariables });
	contents.push(...files, ...images);

	const body: IDataObject = {
		RequestId: requestId,
		ConversationId: sessionId,
		AppKey: context.appKey,
		VisitorId: visitorBizId,
		UserId: visitorBizId,
		Contents: contents,
	};
	putSharedSettings(body, shared, V2_NAMES);
	if (options.incremental !== undefined) body.Incremental = settings.incremental;
	if (enableMultiIntent !== undefined) body.EnableMultiIntent = enableMultiIntent;
	if (generateAgain !== undefined) body.GenerateAgain = generateAgain;

	return { apiVersion: 'v2', url: base + ADP_V2_CHAT_PATH, body, sessionId, requestId, ...settings };
}
