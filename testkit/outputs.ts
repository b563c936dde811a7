/**
 * The item shapes the nodes put out, written down by hand from their documented outputs, to read
 * items in checks and the demo. `outputAs` only names the shape: every check still tests the
 * fields it relies on.
 */
import type { IDataObject } from 'n8n-workflow';

export interface LkeReference {
	id: string | number;
	name: string;
	url?: string;
	recordId?: string;
	sessionId?: string;
}

export interface LkeTokenStats {
	session_id: string;
	status_summary: string;
	token_count: number;
	elapsed?: number;
	procedures?: Array<{ name?: string; title?: string; count?: number }>;
}

/** Tencent LKE chat, output layout "single" (a failed item under Continue On Fail has error and code). */
export interface LkeChatItem {
	reply: string;
	isFinal: boolean;
	sessionId: string;
	requestId: string;
	recordId: string;
	references?: LkeReference[];
	tokenStats?: LkeTokenStats;
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
