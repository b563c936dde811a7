/**
 * The item shapes the nodes put out, written down by hand from their documented outputs, to read
 * items in checks and the demo. `outputAs` only names the shape: every check still tests the
 * fields it relies on.
 */
import type { IDataObject } from 'n8n-workflow';

/** Tencent LKE chat: one reference (v1 and v2 alike); keys the API gave nothing for are absent. */
export interface LkeReference {
	index?: number;
	id?: string;
	type?: number;
	name?: string;
	url?: string;
	docId?: string;
	docName?: string;
	qaId?: string;
	knowledgeId?: string;
	knowledgeName?: string;
	/** Split layout only: the turn the reference belongs to. */
	recordId?: string;
	sessionId?: string;
}

export interface LkeProcedureStats {
	name: string;
	title: string;
	status: string;
	inputTokens: number | null;
	outputTokens: number | null;
	totalTokens: number | null;
	modelName: string;
}

/** Tencent LKE chat: token statistics (v1 and v2 alike), numbers. */
export interface LkeTokenStats {
	inputTokens: number;
	outputTokens: number;
	totalTokens: number;
	modelTimeMs: number;
	procedures: LkeProcedureStats[];
}

/** Tencent LKE chat, output layout "single" (a failed item under Continue On Fail has error and code). */
export interface LkeChatItem {
	reply: string;
	isFinal: boolean;
	sessionId: string;
	requestId: string;
	recordId: string;
	replyMethod?: number;
	references?: LkeReference[];
	tokenStats?: LkeTokenStats | null;
	thoughts?: Array<{ name: string; title: string; status: string; content: string }>;
	toolCalls?: Array<{ name: string; title: string; status: string; content: string }>;
	quoteInfos?: Array<{ index: number; position: number }>;
	error?: string;
	code?: string | number;
}

/** Tencent LKE Get WS Token: the Response fields of GetWsToken. */
export interface WsTokenItem {
	Token: string;
	Balance: number;
	InputLenLimit: number;
	Pattern: string;
	SingleWorkflow: unknown;
	RequestId: string;
}

export interface AiskTokenItem {
	chatbotId: string;
	token: string;
}

/** AiSK Ask: one cited source (the node's documented reference shape). */
export interface AiskReference {
	type: string;
	sourceId: string;
	subSourceId: string;
	name: string;
	url: string;
	content: string;
}

/** AiSK Ask (a failed item under Continue On Fail has error and code, and the reply so far). */
export interface AiskAskItem {
	reply: string;
	references: AiskReference[];
	conversationId: string;
	chatbotId: string;
	knowledgeBaseIds: string[];
	error?: string;
	code?: string;
}

export interface TateMessageItem {
	reply: string;
	isFinal: number;
	conversationId: string;
	msgId: string;
}

export function outputAs<T>(json: IDataObject): T {
	return json as unknown as T;
}
