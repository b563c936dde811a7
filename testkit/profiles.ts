/**
 * One test profile per node kind: what it takes to run the kind against the vendor simulator
 * (node type, operation, parameters, credential), the simulator route it calls, the bodies that
 * route answers in the vendor's own shapes, the vendor's rate-limit code, and what a successful
 * item looks like. The hardening suite, the reliability report, the end-to-end run and the example
 * rig all read these records, so a new node kind is one record here plus its simulator route.
 *
 * Expected values are written by hand from the vendors' documents or come from the simulator,
 * never from the nodes: nothing here imports nodes/.
 */
import type { IDataObject } from 'n8n-workflow';
import {
	ADP_V2_REFERENCES,
	adpV2AnswerFor,
	adpV2TurnFor,
	aiskAnswerFor,
	aiskCitationsFor,
	aiskKnowledgeBasesFor,
	lkeAnswerFor,
	lkeTokenStatFor,
	tateReplyFor,
	type AdpV2Reference,
	type AiskWireCitation,
	type RouteName,
	type SimulatorKeys,
} from './simulator';

export const PACKAGE_NAME = 'n8n-nodes-agent-chat';

/** The node kinds under test, in the order reports show them. */
export const NODE_KINDS = ['lke-chat-v2', 'lke-chat', 'lke-ws-token', 'aisk', 'aisk-ask', 'tate-sync', 'tate-stream'] as const;
export type NodeKind = (typeof NODE_KINDS)[number];

/** A credential as n8n stores it once decrypted: plain field values. */
export type CredentialData = Record<string, string | number | boolean>;

/** What a success check knows about the run it checks. */
export interface SuccessContext {
	/** The text the item asked (chat kinds), `hello` unless the case says otherwise. */
	question: string;
	/** The node's parameters as run. */
	parameters: IDataObject;
	/** The turn of the conversation (tate-a-tate): 1 for a new conversation. */
	turn?: number;
}

export interface NodeProfile {
	kind: NodeKind;
	/** Short name in reports and test titles. */
	title: string;
	/** The n8n node type, package prefix included. */
	nodeType: string;
	operation: string;
	/** The parameters the kind needs to run; the question comes from `$json.chatInput` where there is one. */
	parameters: IDataObject;
	/** The simulator route the kind calls. */
	route: RouteName;
	/**
	 * Kinds whose answer text arrives in pieces: a question the simulator answers slowly, piece by
	 * piece (a turn cancelled meanwhile keeps a partial reply).
	 */
	slowQuestion?: string;
	/** The whole reply the simulator gives to `question`, where it depends on the question alone. */
	answerFor?: (question: string) => string;
	credentialType: string;
	/** A complete credential pointing at the simulator at `url` with the simulator's `keys`. */
	credentials(url: string, keys: SimulatorKeys): CredentialData;
	/** Only the base-URL fields of the credential, all pointing at `url` (for servers other than the simulator). */
	baseUrlFields(url: string): CredentialData;
	/** The credential value a vendor's error page might quote back. */
	quotableSecret(keys: SimulatorKeys): string;
	/** Bodies the kind's route answers with, in the vendor's own shapes. */
	bodies: {
		/** The vendor's HTTP 429 body. */
		rateLimited: string;
		/** A whole successful JSON answer, to be cut, dripped or delayed (kinds answering with JSON). */
		success?: string;
		/** A successful JSON answer padded with `text`, to make it huge (kinds answering with JSON). */
		padded?: (text: string) => string;
	};
	/** The code a failed item carries for the vendor's 429 body. */
	rateLimitedCode: string;
	/** Why `json` is not the item a successful run gives, or undefined when it is. */
	checkSuccess(json: IDataObject, context: SuccessContext): string | undefined;
}

const LKE_CREDENTIAL_TYPE = 'tencentLkeApi';
const TATE_BOT_ID = 'a1cc0e70-6264-49bd-9356-a2da46849dae';
const AISK_CHATBOT_ID = '3f2c1d7e-8a4b-4c6d-9e0f-1a2b3c4d5e6f';

function lkeCredentials(url: string, keys: SimulatorKeys): CredentialData {
	return {
		appKey: keys.lkeAppKey,
		secretId: keys.secretId,
		secretKey: keys.secretKey,
		site: 'custom',
		chatBaseUrl: url,
		apiEndpoint: `${url}/`,
		region: 'ap-jakarta',
	};
}

function lkeBaseUrls(url: string): CredentialData {
	return { chatBaseUrl: url, apiEndpoint: `${url}/` };
}

/** The tate-a-tate envelope around a message object. */
function tateEnvelope(object: IDataObject | null, code = '1', success = true, message = 'OK'): string {
	return JSON.stringify({ success, message, method: null, object, code, request_id: 'rid' });
}

function mismatch(what: string, actual: unknown, expected: unknown): string | undefined {
	return JSON.stringify(actual) === JSON.stringify(expected) ? undefined : `${what}: expected ${JSON.stringify(expected)}, got ${JSON.stringify(actual)?.slice(0, 160)}`;
}

function firstProblem(...problems: Array<string | undefined>): string | undefined {
	return problems.find((problem) => problem !== undefined);
}

/** Who a citation names: the web page's title, the file's name or the video/audio's name. */
function citedName(citation: AiskWireCitation): string {
	const named = (citation.web_link ?? citation.local_drive ?? citation.vod ?? citation.video ?? citation.aod ?? {}) as Record<string, unknown>;
	return String(named.title ?? named.file_name ?? named.name ?? '');
}

/**
 * The references AiSK Ask outputs for the simulator's citations to `question`, as the node's
 * documentation describes them: `{ type, sourceId, subSourceId, name, url, content }`, every key
 * present, each source once in the order first cited, a medium's content its subtitle lines one per line.
 */
export function aiskReferencesFor(question: string, restricted = false): IDataObject[] {
	return aiskCitationsFor(question, { restricted }).map((citation) => {
		const web = (citation.web_link ?? {}) as Record<string, unknown>;
		const file = (citation.local_drive ?? {}) as Record<string, unknown>;
		const medium = (citation.vod ?? citation.video ?? citation.aod ?? {}) as { contents?: Array<{ content: string }> };
		return {
			type: citation.type,
			sourceId: citation.source_id,
			subSourceId: String(citation.sub_source_id ?? ''),
			name: citedName(citation),
			url: String(web.url ?? file.download_url ?? ''),
			content: String(web.content ?? file.content ?? (medium.contents ?? []).map((line) => line.content).join('\n')),
		};
	});
}

/** The model the simulator names in v2 token statistics when the request names none. */
const ADP_V2_SIMULATOR_MODEL = 'TCADP/sim-model';

/**
 * One ADP v2 reference as the chat outputs it, written from the documented output shape
 * `{ index, id, type, name, url, docId, docName, qaId, knowledgeId, knowledgeName }`: the
 * reference's own fields by its Type, keys the API gave nothing for left out.
 */
export function adpV2ReferenceOut(raw: AdpV2Reference): IDataObject {
	const present = (record: IDataObject) => Object.fromEntries(Object.entries(record).filter(([, value]) => value !== undefined && value !== ''));
	const doc = raw.DocRefer;
	const qa = raw.QaRefer;
	const graph = raw.GraphRAGRefer;
	return present({
		index: raw.Index,
		id: doc?.ReferenceId ?? qa?.ReferenceId ?? graph?.ReferenceId,
		type: raw.Type,
		name: raw.Name,
		url: doc?.Url ?? raw.WebSearchRefer?.Url,
		docId: doc?.DocId,
		docName: doc?.DocName,
		qaId: qa?.QaId,
		knowledgeId: doc?.KnowledgeId ?? qa?.KnowledgeId ?? graph?.KnowledgeId,
		knowledgeName: doc?.KnowledgeName ?? qa?.KnowledgeName ?? graph?.KnowledgeName,
	});
}

/** The references the v2 chat outputs for `question`: the simulator's, each once, in Index order. */
export function adpV2ReferencesOut(question: string): IDataObject[] {
	return adpV2TurnFor(question).references.map(adpV2ReferenceOut);
}

/** Every reference the simulator sends under `[refs]` (for checks that do not ask a question). */
export const ADP_V2_REFERENCES_OUT: readonly IDataObject[] = ADP_V2_REFERENCES.map(adpV2ReferenceOut);

/**
 * The v2 chat's `tokenStats` for `question`, from the simulator's response.completed: the StatInfo
 * totals, TotalCost as modelTimeMs, one procedure per Procedures entry with its StatInfos summed
 * (null where the procedure carried none) and the model named where StatInfos named it.
 */
export function adpV2TokenStatsOut(question: string): IDataObject {
	const turn = adpV2TurnFor(question);
	const sum = (values: number[] | undefined) => (values === undefined ? null : values.reduce((total, value) => total + value, 0));
	return {
		inputTokens: turn.statInfo.InputTokens,
		outputTokens: turn.statInfo.OutputTokens,
		totalTokens: turn.statInfo.TotalTokens,
		modelTimeMs: turn.statInfo.TotalCost,
		procedures: turn.procedures.map((procedure) => ({
			name: procedure.Name,
			title: procedure.Title,
			status: 'success',
			inputTokens: sum(procedure.StatInfos?.map((stat) => stat.InputTokens)),
			outputTokens: sum(procedure.StatInfos?.map((stat) => stat.OutputTokens)),
			totalTokens: sum(procedure.StatInfos?.map((stat) => stat.TotalTokens)),
			modelName: procedure.StatInfos ? ADP_V2_SIMULATOR_MODEL : '',
		})),
	};
}

/**
 * The v1 chat's `tokenStats` for `question` without modelTimeMs (the simulator's elapsed time is
 * not fixed): the token_stat event's totals and its procedures, renamed to the output's keys.
 */
export function lkeTokenStatsOut(question: string): IDataObject {
	const { procedures, token_count: totalTokens } = lkeTokenStatFor(question);
	return {
		inputTokens: procedures.reduce((sum, procedure) => sum + procedure.input_count, 0),
		outputTokens: procedures.reduce((sum, procedure) => sum + procedure.output_count, 0),
		totalTokens,
		procedures: procedures.map((procedure) => ({
			name: procedure.name,
			title: procedure.title,
			status: procedure.status,
			inputTokens: procedure.input_count,
			outputTokens: procedure.output_count,
			totalTokens: procedure.count,
			modelName: '',
		})),
	};
}

/** Why `json` is not the v2 chat's whole single-layout item for `question`, or undefined. */
export function adpV2ChatProblem(json: IDataObject, question: string): string | undefined {
	const turn = adpV2TurnFor(question);
	return firstProblem(
		mismatch('reply', json.reply, adpV2AnswerFor(question)),
		mismatch('isFinal', json.isFinal, true),
		mismatch('replyMethod', json.replyMethod, turn.replyMethod),
		mismatch('references', json.references, adpV2ReferencesOut(question)),
		mismatch('quoteInfos', json.quoteInfos, turn.quoteInfos.map((quote) => ({ index: quote.Index, position: quote.Position }))),
		mismatch('tokenStats', json.tokenStats, adpV2TokenStatsOut(question)),
		mismatch('thoughts', (json.thoughts as IDataObject[] | undefined)?.map((thought) => thought.content), turn.thoughts),
		mismatch('toolCalls', (json.toolCalls as IDataObject[] | undefined)?.map((call) => call.content), turn.toolCalls.map((call) => call.text)),
		...(['sessionId', 'requestId', 'recordId'] as const).map((key) => (typeof json[key] === 'string' && json[key] !== '' ? undefined : `${key} ${JSON.stringify(json[key])}`)),
	);
}

/** The Tencent LKE chat on one API version: what differs between v1 and v2 is the route, the bodies and the answers. */
function lkeChatProfile(version: {
	kind: 'lke-chat' | 'lke-chat-v2';
	title: string;
	apiVersion: 'v1' | 'v2';
	route: RouteName;
	slowQuestion: string;
	answerFor: (question: string) => string;
	rateLimited: string;
	checkSuccess: NodeProfile['checkSuccess'];
}): NodeProfile {
	return {
		kind: version.kind,
		title: version.title,
		nodeType: `${PACKAGE_NAME}.tencentLke`,
		operation: 'chat',
		parameters: { operation: 'chat', apiVersion: version.apiVersion, content: '={{ $json.chatInput }}', sessionId: '', visitorBizId: '', outputLayout: 'single', options: {} },
		route: version.route,
		slowQuestion: version.slowQuestion,
		answerFor: version.answerFor,
		credentialType: LKE_CREDENTIAL_TYPE,
		credentials: lkeCredentials,
		baseUrlFields: lkeBaseUrls,
		quotableSecret: (keys) => keys.lkeAppKey,
		// The chat answers with events; its JSON bodies are only ever errors.
		bodies: { rateLimited: version.rateLimited },
		rateLimitedCode: '429',
		checkSuccess: version.checkSuccess,
	};
}

function tateProfile(kind: 'tate-sync' | 'tate-stream'): NodeProfile {
	return {
		kind,
		title: kind === 'tate-sync' ? 'tate sync' : 'tate stream',
		nodeType: `${PACKAGE_NAME}.tateATate`,
		operation: 'sendMessage',
		parameters: {
			operation: 'sendMessage',
			botId: TATE_BOT_ID,
			msg: '={{ $json.chatInput }}',
			conversationId: '',
			parentMsgId: '0',
			userAction: 'new',
			reqModel: kind === 'tate-stream' ? 'stream' : 'sync',
			options: {},
		},
		route: 'tate',
		slowQuestion: kind === 'tate-stream' ? 'slow [delay:30]' : undefined,
		credentialType: 'tateATateApi',
		credentials: (url, keys) => ({ secretKey: keys.tateSecretKey, baseUrl: `${url}/im` }),
		baseUrlFields: (url) => ({ baseUrl: `${url}/im` }),
		quotableSecret: (keys) => keys.tateSecretKey,
		bodies: {
			success: tateEnvelope({ msgId: '2', msgContent: '好的 👍', isFinal: 1, conversationId: 'c-1' }),
			padded: (text) => tateEnvelope({ msgId: '9', msgContent: text, isFinal: 1, conversationId: 'c-big' }),
			rateLimited: JSON.stringify({ success: false, message: 'Too Many Requests', object: null, code: '429' }),
		},
		rateLimitedCode: '429',
		checkSuccess: (json, { question, turn = 1 }) =>
			firstProblem(
				typeof json.conversationId === 'string' ? undefined : `conversationId ${JSON.stringify(json.conversationId)}`,
				mismatch('reply', json.reply, tateReplyFor(question, turn, String(json.conversationId))),
				mismatch('isFinal', json.isFinal, 1),
			),
	};
}

export const PROFILES: Readonly<Record<NodeKind, NodeProfile>> = {
	'lke-chat-v2': lkeChatProfile({
		kind: 'lke-chat-v2',
		title: 'LKE chat (ADP v2)',
		apiVersion: 'v2',
		route: 'adpV2',
		// six events (ack, created, processing, message and content added, message processing) come before the first text
		slowQuestion: 'slow [delay:15] [pieces:80]',
		answerFor: adpV2AnswerFor,
		// the simulator's [http:…] body
		rateLimited: JSON.stringify({ Code: 429, Message: 'Too Many Requests' }),
		checkSuccess: (json, { question }) => adpV2ChatProblem(json, question),
	}),
	'lke-chat': lkeChatProfile({
		kind: 'lke-chat',
		title: 'LKE chat (v1)',
		apiVersion: 'v1',
		route: 'lke',
		slowQuestion: 'slow [delay:30] [pieces:40]',
		answerFor: lkeAnswerFor,
		rateLimited: JSON.stringify({ code: 429, msg: 'Too Many Requests' }),
		checkSuccess: (json, { question }) => firstProblem(mismatch('reply', json.reply, lkeAnswerFor(question)), mismatch('isFinal', json.isFinal, true)),
	}),
	'lke-ws-token': {
		kind: 'lke-ws-token',
		title: 'LKE Get WS Token',
		nodeType: `${PACKAGE_NAME}.tencentLke`,
		operation: 'getWsToken',
		parameters: { operation: 'getWsToken', visitorBizId: '', options: {} },
		route: 'cloudApi',
		credentialType: LKE_CREDENTIAL_TYPE,
		credentials: lkeCredentials,
		baseUrlFields: lkeBaseUrls,
		quotableSecret: (keys) => keys.secretKey,
		bodies: {
			success: JSON.stringify({ Response: { Token: 'tok-hx', Balance: 1, InputLenLimit: 12000, Pattern: 'standard', SingleWorkflow: null, RequestId: 'rid-hx' } }),
			padded: (text) => JSON.stringify({ Response: { Token: 'tok', Pattern: text, RequestId: 'rid' } }),
			rateLimited: JSON.stringify({ Response: { Error: { Code: 'RequestLimitExceeded', Message: 'Too many requests.' }, RequestId: 'rid-429' } }),
		},
		rateLimitedCode: 'RequestLimitExceeded',
		checkSuccess: (json) =>
			firstProblem(
				mismatch('fields', Object.keys(json).sort(), ['Balance', 'InputLenLimit', 'Pattern', 'RequestId', 'SingleWorkflow', 'Token']),
				typeof json.Token === 'string' && json.Token !== '' ? undefined : `Token ${JSON.stringify(json.Token)}`,
			),
	},
	aisk: {
		kind: 'aisk',
		title: 'AiSK token',
		nodeType: `${PACKAGE_NAME}.aisk`,
		operation: 'createChatbotToken',
		parameters: { operation: 'createChatbotToken', chatbotId: AISK_CHATBOT_ID, options: {} },
		route: 'aisk',
		credentialType: 'aiskApi',
		credentials: (url, keys) => ({ apiToken: keys.aiskToken, orgId: '', baseUrl: url }),
		baseUrlFields: (url) => ({ baseUrl: url }),
		quotableSecret: (keys) => keys.aiskToken,
		bodies: {
			success: JSON.stringify({ token: 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJoeCJ9.c2lnbmF0dXJl' }),
			padded: (text) => JSON.stringify({ token: 'tok', padding: text }),
			// grpc-gateway's shape: code 8 is RESOURCE_EXHAUSTED
			rateLimited: JSON.stringify({ code: 8, message: 'rate limit exceeded', details: [] }),
		},
		rateLimitedCode: 'RESOURCE_EXHAUSTED',
		checkSuccess: (json, { parameters }) =>
			firstProblem(
				mismatch('fields', Object.keys(json).sort(), ['chatbotId', 'token']),
				mismatch('chatbotId', json.chatbotId, parameters.chatbotId),
				typeof json.token === 'string' && json.token !== '' ? undefined : `token ${JSON.stringify(json.token)}`,
			),
	},
	'aisk-ask': {
		kind: 'aisk-ask',
		title: 'AiSK Ask',
		nodeType: `${PACKAGE_NAME}.aisk`,
		operation: 'ask',
		parameters: { operation: 'ask', chatbotId: AISK_CHATBOT_ID, question: '={{ $json.chatInput }}', conversationId: '', options: {} },
		// the prompt token (aiskPromptToken) and the knowledge bases (aiskInit) come first, once per chatbot
		route: 'aiskStream',
		slowQuestion: 'slow [delay:30] [pieces:40]',
		answerFor: (question) => aiskAnswerFor(question),
		credentialType: 'aiskApi',
		credentials: (url, keys) => ({ apiToken: keys.aiskToken, orgId: '', baseUrl: url }),
		baseUrlFields: (url) => ({ baseUrl: url }),
		quotableSecret: (keys) => keys.aiskToken,
		// Ask answers with a stream; its JSON bodies are only ever errors (grpc-gateway's Status)
		bodies: {
			rateLimited: JSON.stringify({ code: 8, message: 'rate limit exceeded', details: [] }),
		},
		rateLimitedCode: 'RESOURCE_EXHAUSTED',
		checkSuccess: (json, { question, parameters }) =>
			firstProblem(
				mismatch('fields', Object.keys(json).sort(), ['chatbotId', 'conversationId', 'knowledgeBaseIds', 'references', 'reply']),
				mismatch('reply', json.reply, aiskAnswerFor(question)),
				mismatch('references', json.references, aiskReferencesFor(question)),
				mismatch('chatbotId', json.chatbotId, parameters.chatbotId),
				mismatch('knowledgeBaseIds', json.knowledgeBaseIds, aiskKnowledgeBasesFor(String(parameters.chatbotId)).map((kb) => kb.id)),
				typeof json.conversationId === 'string' && json.conversationId !== '' ? undefined : `conversationId ${JSON.stringify(json.conversationId)}`,
			),
	},
	'tate-sync': tateProfile('tate-sync'),
	'tate-stream': tateProfile('tate-stream'),
};

export const ALL_PROFILES: readonly NodeProfile[] = NODE_KINDS.map((kind) => PROFILES[kind]);

/** Every node type the package offers, once. */
export const NODE_TYPES: readonly string[] = [...new Set(ALL_PROFILES.map((profile) => profile.nodeType))];

/** Every credential type the package offers, once. */
export const CREDENTIAL_TYPES: readonly string[] = [...new Set(ALL_PROFILES.map((profile) => profile.credentialType))];

/** One credential per credential type, pointing at the simulator at `url`. */
export function simulatorCredentials(url: string, keys: SimulatorKeys): Record<string, CredentialData> {
	const byType: Record<string, CredentialData> = {};
	for (const profile of ALL_PROFILES) byType[profile.credentialType] ??= profile.credentials(url, keys);
	return byType;
}

/** The credential values that must never be shown, whatever the kind. */
export function secretValues(keys: SimulatorKeys): string[] {
	return [...new Set(ALL_PROFILES.map((profile) => profile.quotableSecret(keys)))];
}

/** The parameters of a kind with `overrides` merged over them (`options` merged too). */
export function parametersOf(kind: NodeKind, overrides: IDataObject = {}): IDataObject {
	const base = PROFILES[kind].parameters;
	return {
		...base,
		...overrides,
		options: { ...(base.options as IDataObject), ...((overrides.options as IDataObject | undefined) ?? {}) },
	};
}
