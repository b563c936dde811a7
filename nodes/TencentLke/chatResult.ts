import type { IDataObject } from 'n8n-workflow';
import { isObject } from '../shared/validation';

/**
 * The chat's output, one shape for both dialog API versions, and the normalization of what the
 * APIs send into it (references, token statistics, quote infos), as pure functions.
 */

export interface LkeThought extends IDataObject {
	name: string;
	title: string;
	status: string;
	content: string;
	elapsed: number | null;
}

export interface LkeToolCall extends IDataObject {
	name: string;
	title: string;
	status: string;
	content: string;
}

export interface LkeQuoteInfo extends IDataObject {
	index: number;
	position: number;
}

/** A reference; keys the API gave nothing for are absent. */
export interface LkeReference extends IDataObject {
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
}

export interface LkeProcedureStats extends IDataObject {
	name: string;
	title: string;
	status: string;
	inputTokens: number | null;
	outputTokens: number | null;
	totalTokens: number | null;
	modelName: string;
}

export interface LkeTokenStats extends IDataObject {
	inputTokens: number | null;
	outputTokens: number | null;
	totalTokens: number | null;
	modelTimeMs: number | null;
	procedures: LkeProcedureStats[];
}

export interface LkeTurnResult extends IDataObject {
	reply: string;
	sessionId: string;
	requestId: string;
	recordId: string;
	relatedRecordId: string;
	traceId: string;
	isFinal: boolean;
	isEvil: boolean;
	replyMethod: number | null;
	references: LkeReference[];
	tokenStats: LkeTokenStats | null;
	thoughts: LkeThought[];
	toolCalls: LkeToolCall[];
	quoteInfos: LkeQuoteInfo[];
}


export function text(value: unknown): string {
	return typeof value === 'string' ? value : value === undefined || value === null ? '' : String(value);
}

/** A number from a number or a numeric string (the APIs send both); null otherwise. */
export function numberOrNull(value: unknown): number | null {
	if (typeof value === 'number') return Number.isFinite(value) ? value : null;
	if (typeof value === 'string' && value.trim() !== '') {
		const parsed = Number(value);
		return Number.isFinite(parsed) ? parsed : null;
	}
	return null;
}

function sumOrNull(values: Array<number | null>): number | null {
	const known = values.filter((value): value is number => value !== null);
	return known.length === 0 ? null : known.reduce((sum, value) => sum + value, 0);
}

function distinctNames(values: unknown[]): string {
	return [...new Set(values.map(text).filter((name) => name !== ''))].join(', ');
}

/** Sets `key` only when the API gave a value; ids of 0 ("none" in v1) count as nothing. */
function setPresent(target: LkeReference, key: keyof LkeReference, value: unknown, isId = false): void {
	if (value === undefined || value === null || value === '') return;
	if (isId && (value === 0 || value === '0')) return;
	if (key === 'index' || key === 'type') {
		const number = numberOrNull(value);
		if (number !== null) (target as IDataObject)[key] = number;
		return;
	}
	(target as IDataObject)[key] = text(value);
}

/** A v1 `reference` entry: `{ id, type, url, name, doc_id, doc_biz_id, doc_name, qa_biz_id }`. */
export function normalizeV1Reference(raw: IDataObject): LkeReference {
	const reference: LkeReference = {};
	setPresent(reference, 'id', raw.id);
	setPresent(reference, 'type', raw.type);
	setPresent(reference, 'name', raw.name);
	setPresent(reference, 'url', raw.url);
	// doc_biz_id is the document's business id (v2's DocId); doc_id an internal number.
	setPresent(reference, 'docId', raw.doc_biz_id !== undefined && raw.doc_biz_id !== '0' && raw.doc_biz_id !== 0 ? raw.doc_biz_id : raw.doc_id, true);
	setPresent(reference, 'docName', raw.doc_name);
	setPresent(reference, 'qaId', raw.qa_biz_id, true);
	setPresent(reference, 'knowledgeId', raw.knowledge_biz_id ?? raw.knowledge_id, true);
	setPresent(reference, 'knowledgeName', raw.knowledge_name);
	return reference;
}

/** A v2 `Reference`: `{ Index, Type, Name, DocRefer?, QaRefer?, WebSearchRefer?, GraphRAGRefer? }` (older id names accepted). */
export function normalizeV2Reference(raw: IDataObject): LkeReference {
	const reference: LkeReference = {};
	const doc = isObject(raw.DocRefer) ? raw.DocRefer : {};
	const qa = isObject(raw.QaRefer) ? raw.QaRefer : {};
	const web = isObject(raw.WebSearchRefer) ? raw.WebSearchRefer : {};
	const graph = isObject(raw.GraphRAGRefer) ? raw.GraphRAGRefer : {};
	const first = (key: string, ...sources: IDataObject[]) => sources.map((source) => source[key]).find((value) => value !== undefined && value !== null && value !== '');
	setPresent(reference, 'index', raw.Index);
	setPresent(reference, 'id', first('ReferenceId', doc, qa, graph, raw) ?? first('ReferBizId', doc, qa, graph, raw));
	setPresent(reference, 'type', raw.Type);
	setPresent(reference, 'name', raw.Name);
	setPresent(reference, 'url', first('Url', doc, web, raw));
	setPresent(reference, 'docId', first('DocId', doc) ?? first('DocBizId', doc), true);
	setPresent(reference, 'docName', first('DocName', doc));
	setPresent(reference, 'qaId', first('QaId', qa) ?? first('QaBizId', qa), true);
	setPresent(reference, 'knowledgeId', first('KnowledgeId', doc, qa, graph) ?? first('KnowledgeBizId', doc, qa, graph), true);
	setPresent(reference, 'knowledgeName', first('KnowledgeName', doc, qa, graph));
	return reference;
}

/** References in order of first appearance, each once. */
export class ReferenceList {
	private readonly byKey = new Map<string, LkeReference>();

	add(reference: LkeReference): void {
		const key = reference.id !== undefined ? `id:${reference.type ?? ''}:${reference.id}` : `at:${JSON.stringify([reference.type, reference.index, reference.url, reference.name])}`;
		if (!this.byKey.has(key)) this.byKey.set(key, reference);
	}

	values(): LkeReference[] {
		return [...this.byKey.values()];
	}
}

/** Quote infos `{ index, position }`, each once, in order of arrival. */
export class QuoteInfoList {
	private readonly byKey = new Map<string, LkeQuoteInfo>();

	add(raw: unknown, offset = 0): void {
		if (!isObject(raw)) return;
		const index = numberOrNull(raw.index ?? raw.Index);
		const position = numberOrNull(raw.position ?? raw.Position);
		if (index === null || position === null) return;
		const quote = { index, position: position + offset };
		const key = `${quote.index}:${quote.position}`;
		if (!this.byKey.has(key)) this.byKey.set(key, quote);
	}

	values(): LkeQuoteInfo[] {
		return [...this.byKey.values()];
	}
}

/**
 * A v1 `token_stat` payload: `token_count` is the turn's total; input and output are the sums of
 * the procedures' `input_count` and `output_count`; `elapsed` (the turn's time in ms) is the model time.
 */
export function normalizeV1TokenStats(raw: IDataObject): LkeTokenStats {
	const procedures = (Array.isArray(raw.procedures) ? raw.procedures : []).filter(isObject).map((procedure): LkeProcedureStats => {
		const usage = (Array.isArray(procedure.token_usage_details) ? procedure.token_usage_details : []).filter(isObject);
		return {
			name: text(procedure.name),
			title: text(procedure.title),
			status: text(procedure.status),
			inputTokens: numberOrNull(procedure.input_count),
			outputTokens: numberOrNull(procedure.output_count),
			totalTokens: numberOrNull(procedure.count),
			modelName: distinctNames(usage.map((detail) => detail.model_name)),
		};
	});
	return {
		inputTokens: sumOrNull(procedures.map((procedure) => procedure.inputTokens)),
		outputTokens: sumOrNull(procedures.map((procedure) => procedure.outputTokens)),
		totalTokens: numberOrNull(raw.token_count),
		modelTimeMs: numberOrNull(raw.elapsed),
		procedures,
	};
}

/** v2 `StatInfo` `{ InputTokens, OutputTokens, TotalTokens, TotalCost }` (TotalCost: model time in ms) and `Procedures[].StatInfos[]`. */
export function normalizeV2TokenStats(statInfo: IDataObject, rawProcedures: unknown): LkeTokenStats {
	const procedures = (Array.isArray(rawProcedures) ? rawProcedures : []).filter(isObject).map((procedure): LkeProcedureStats => {
		const calls = (Array.isArray(procedure.StatInfos) ? procedure.StatInfos : []).filter(isObject);
		return {
			name: text(procedure.Name),
			title: text(procedure.Title),
			status: text(procedure.Status),
			inputTokens: sumOrNull(calls.map((call) => numberOrNull(call.InputTokens))),
			outputTokens: sumOrNull(calls.map((call) => numberOrNull(call.OutputTokens))),
			totalTokens: sumOrNull(calls.map((call) => numberOrNull(call.TotalTokens))),
			modelName: distinctNames(calls.map((call) => call.ModelName)),
		};
	});
	return {
		inputTokens: numberOrNull(statInfo.InputTokens),
		outputTokens: numberOrNull(statInfo.OutputTokens),
		totalTokens: numberOrNull(statInfo.TotalTokens),
		modelTimeMs: numberOrNull(statInfo.TotalCost),
		procedures,
	};
}

export { isObject };
