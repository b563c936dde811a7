import {
	QuoteInfoList,
	ReferenceList,
	isObject,
	normalizeV1Reference,
	normalizeV1TokenStats,
	normalizeV2Reference,
	normalizeV2TokenStats,
	numberOrNull,
	text,
} from '../nodes/TencentLke/chatResult';

/** The normalization of what the dialog APIs send into the node's output shapes; payloads after the vendor document. */

describe('text', () => {
	it.each([
		['a string', 'answer', 'answer'],
		['an empty string', '', ''],
		['a number', 42, '42'],
		['zero', 0, '0'],
		['a boolean', false, 'false'],
		['null', null, ''],
		['undefined', undefined, ''],
	])('%s gives %j', (_name, value, expected) => {
		expect(text(value)).toBe(expected);
	});
});

describe('numberOrNull', () => {
	it.each([
		[12, 12],
		[0, 0],
		['2574', 2574],
		[' 7 ', 7],
		['-1.5', -1.5],
	])('%j is the number %d', (value, expected) => {
		expect(numberOrNull(value)).toBe(expected);
	});

	it.each([[''], ['   '], ['12 tokens'], [null], [undefined], [true], [false], [Number.NaN], [Number.POSITIVE_INFINITY], ['Infinity'], [{}], [[]]])('%j is not a number', (value) => {
		expect(numberOrNull(value)).toBeNull();
	});
});

describe('isObject', () => {
	it('is true for plain objects only', () => {
		expect(isObject({ a: 1 })).toBe(true);
		expect(isObject({})).toBe(true);
		for (const value of [null, undefined, [], ['a'], 'text', 7, true]) expect(isObject(value)).toBe(false);
	});
});

describe('normalizeV1Reference', () => {
	it('maps the documented fields; empty strings and nulls are left out', () => {
		expect(
			normalizeV1Reference({ id: 'ref-1', type: 2, name: 'Handbook', url: 'https://example.com/h.pdf', doc_id: '1001', doc_biz_id: '1770000000000001', doc_name: 'h.pdf', qa_biz_id: '0' }),
		).toEqual({ id: 'ref-1', type: 2, name: 'Handbook', url: 'https://example.com/h.pdf', docId: '1770000000000001', docName: 'h.pdf' });
		expect(normalizeV1Reference({ id: 'ref-2', type: 1, name: null, url: '', doc_name: null, qa_biz_id: '777' })).toStrictEqual({ id: 'ref-2', type: 1, qaId: '777' });
	});

	it('treats ids of 0, as a number or a string, as no id', () => {
		expect(normalizeV1Reference({ id: 'ref-3', type: 4, doc_biz_id: 0, doc_id: 0, qa_biz_id: 0, knowledge_biz_id: '0' })).toStrictEqual({ id: 'ref-3', type: 4 });
		expect(normalizeV1Reference({ id: 'ref-4', type: 1, doc_biz_id: '0', doc_id: '0', qa_biz_id: '0', knowledge_id: 0 })).toStrictEqual({ id: 'ref-4', type: 1 });
	});

	it.each([
		['doc_biz_id when given', { doc_biz_id: '900', doc_id: '11' }, '900'],
		['doc_id when doc_biz_id is missing', { doc_id: '11' }, '11'],
		['doc_id when doc_biz_id is the string 0', { doc_biz_id: '0', doc_id: '11' }, '11'],
		['doc_id when doc_biz_id is the number 0', { doc_biz_id: 0, doc_id: 11 }, '11'],
	])('takes docId from %s', (_name, ids, expected) => {
		expect(normalizeV1Reference({ id: 'ref-5', type: 2, ...ids }).docId).toBe(expected);
	});

	it('takes the knowledge base id (business id first) and name', () => {
		expect(normalizeV1Reference({ id: 'ref-6', knowledge_biz_id: 'kb-biz', knowledge_id: 'kb-internal', knowledge_name: 'Handbooks' })).toStrictEqual({
			id: 'ref-6',
			knowledgeId: 'kb-biz',
			knowledgeName: 'Handbooks',
		});
		expect(normalizeV1Reference({ id: 'ref-7', knowledge_id: 'kb-internal' })).toStrictEqual({ id: 'ref-7', knowledgeId: 'kb-internal' });
	});

	it('leaves out a type that is not a number', () => {
		expect(normalizeV1Reference({ id: 'ref-8', type: 'document', name: 'Doc' })).toStrictEqual({ id: 'ref-8', name: 'Doc' });
		expect(normalizeV1Reference({ id: 'ref-9', type: '2' })).toStrictEqual({ id: 'ref-9', type: 2 });
	});
});

describe('normalizeV2Reference', () => {
	it('a document reference with the current field names', () => {
		expect(
			normalizeV2Reference({
				Index: 1,
				Type: 2,
				Name: 'Doc',
				DocRefer: { ReferenceId: 'ref-1', DocId: '10', DocName: 'd.pdf', KnowledgeId: 'kb-1', KnowledgeName: 'Handbooks', Url: 'https://example.com/d' },
			}),
		).toStrictEqual({ index: 1, id: 'ref-1', type: 2, name: 'Doc', url: 'https://example.com/d', docId: '10', docName: 'd.pdf', knowledgeId: 'kb-1', knowledgeName: 'Handbooks' });
	});

	it('a Q&A reference with the current field names', () => {
		expect(normalizeV2Reference({ Index: 2, Type: 1, Name: 'FAQ', QaRefer: { ReferenceId: 'ref-2', QaId: '33', KnowledgeId: 'kb-2', KnowledgeName: 'FAQ base' } })).toStrictEqual({
			index: 2,
			id: 'ref-2',
			type: 1,
			name: 'FAQ',
			qaId: '33',
			knowledgeId: 'kb-2',
			knowledgeName: 'FAQ base',
		});
	});

	it('the older id names (ReferBizId, DocBizId, QaBizId, KnowledgeBizId)', () => {
		expect(normalizeV2Reference({ Index: 3, Type: 2, Name: 'Old doc', DocRefer: { ReferBizId: 'ref-3', DocBizId: 'doc-3', KnowledgeBizId: 'kb-3' } })).toStrictEqual({
			index: 3,
			id: 'ref-3',
			type: 2,
			name: 'Old doc',
			docId: 'doc-3',
			knowledgeId: 'kb-3',
		});
		expect(normalizeV2Reference({ Index: 4, Type: 1, QaRefer: { ReferBizId: 'ref-4', QaBizId: 'qa-4' } })).toStrictEqual({ index: 4, id: 'ref-4', type: 1, qaId: 'qa-4' });
	});

	it('a knowledge graph reference', () => {
		expect(normalizeV2Reference({ Index: 5, Type: 5, Name: 'Graph', GraphRAGRefer: { ReferenceId: 'ref-5', KnowledgeId: 'kb-5', KnowledgeName: 'Graph base' } })).toStrictEqual({
			index: 5,
			id: 'ref-5',
			type: 5,
			name: 'Graph',
			knowledgeId: 'kb-5',
			knowledgeName: 'Graph base',
		});
	});

	it('treats ids of 0 as no id, but keeps an Index of 0', () => {
		expect(normalizeV2Reference({ Index: 0, Type: 2, Name: 'Doc', DocRefer: { ReferenceId: 'ref-6', DocId: '0', KnowledgeId: '0' }, QaRefer: { QaId: '0' } })).toStrictEqual({
			index: 0,
			id: 'ref-6',
			type: 2,
			name: 'Doc',
		});
	});

	it.each([
		['empty strings', ''],
		['nulls', null],
	])('takes each field from the first refer object that has a value (%s give way)', (_name, nothing) => {
		expect(
			normalizeV2Reference({
				Index: 7,
				Type: 4,
				Name: 'Web',
				DocRefer: { ReferenceId: nothing, Url: nothing, KnowledgeName: nothing },
				QaRefer: { ReferenceId: 'ref-7', KnowledgeName: 'Web base' },
				WebSearchRefer: { Url: 'https://example.com/w' },
			}),
		).toStrictEqual({ index: 7, id: 'ref-7', type: 4, name: 'Web', url: 'https://example.com/w', knowledgeName: 'Web base' });
	});
});

describe('ReferenceList', () => {
	it('keeps references in order of arrival, each once by type and id', () => {
		const list = new ReferenceList();
		list.add({ id: '1', type: 2, name: 'Document segment' });
		// A web result's id is its ordinal: the same id under another type is another reference.
		list.add({ id: '1', type: 4, name: 'Web result', url: 'https://example.com/1' });
		list.add({ id: '1', type: 2, name: 'Document segment again' });
		list.add({ id: '2', name: 'No type' });
		list.add({ id: '2', name: 'No type again' });
		expect(list.values()).toEqual([
			{ id: '1', type: 2, name: 'Document segment' },
			{ id: '1', type: 4, name: 'Web result', url: 'https://example.com/1' },
			{ id: '2', name: 'No type' },
		]);
	});

	it('tells references without an id apart by type, index, url and name', () => {
		const list = new ReferenceList();
		list.add({ index: 1, type: 4, name: 'A', url: 'https://example.com/a' });
		list.add({ index: 2, type: 4, name: 'B', url: 'https://example.com/b' });
		list.add({ index: 1, type: 4, name: 'A', url: 'https://example.com/a' });
		list.add({ index: 1, type: 4, name: 'A', url: 'https://example.com/a2' });
		expect(list.values()).toEqual([
			{ index: 1, type: 4, name: 'A', url: 'https://example.com/a' },
			{ index: 2, type: 4, name: 'B', url: 'https://example.com/b' },
			{ index: 1, type: 4, name: 'A', url: 'https://example.com/a2' },
		]);
	});
});

describe('QuoteInfoList', () => {
	it('keeps each { index, position } once, in order of arrival, shifted by the offset; entries without numbers are skipped', () => {
		const list = new QuoteInfoList();
		list.add({ index: 1, position: 4 });
		list.add({ Index: '2', Position: '15' });
		list.add({ index: 1, position: 4 });
		list.add({ index: 3, position: 0 }, 10);
		list.add({ index: 4 });
		list.add(null);
		list.add('not a quote');
		expect(list.values()).toEqual([
			{ index: 1, position: 4 },
			{ index: 2, position: 15 },
			{ index: 3, position: 10 },
		]);
	});
});

describe('normalizeV1TokenStats', () => {
	it('gives null for input and output when no procedure has those counts', () => {
		expect(normalizeV1TokenStats({ token_count: 42, elapsed: 900, procedures: [{ name: 'large_language_model', title: 'Reply', status: 'success', count: 42 }] })).toEqual({
			inputTokens: null,
			outputTokens: null,
			totalTokens: 42,
			modelTimeMs: 900,
			procedures: [{ name: 'large_language_model', title: 'Reply', status: 'success', inputTokens: null, outputTokens: null, totalTokens: 42, modelName: '' }],
		});
	});

	it('sums only the procedures that have counts', () => {
		const stats = normalizeV1TokenStats({
			token_count: 150,
			procedures: [
				{ name: 'knowledge', input_count: 100, output_count: 20 },
				{ name: 'thought' },
				{ name: 'large_language_model', input_count: '20', output_count: '10' },
			],
		});
		expect([stats.inputTokens, stats.outputTokens, stats.totalTokens, stats.modelTimeMs]).toEqual([120, 30, 150, null]);
	});

	it('names each model once; blank names and details that are not objects are skipped', () => {
		const stats = normalizeV1TokenStats({
			token_count: 10,
			procedures: [
				{
					name: 'large_language_model',
					count: 10,
					token_usage_details: [null, { model_name: 'm-1' }, { input_tokens: 3 }, { model_name: '' }, { model_name: 'm-2' }, { model_name: 'm-1' }],
				},
			],
		});
		expect(stats.procedures[0].modelName).toBe('m-1, m-2');
	});
});

describe('normalizeV2TokenStats', () => {
	it('skips per-call statistics that are not objects', () => {
		const stats = normalizeV2TokenStats({ InputTokens: 5, OutputTokens: 2, TotalTokens: 7, TotalCost: '30' }, [
			{ Name: 'large_language_model', Title: 'Reply', Status: 'success', StatInfos: [null, { InputTokens: 5, OutputTokens: 2, TotalTokens: 7, ModelName: 'm-1' }] },
		]);
		expect(stats).toEqual({
			inputTokens: 5,
			outputTokens: 2,
			totalTokens: 7,
			modelTimeMs: 30,
			procedures: [{ name: 'large_language_model', title: 'Reply', status: 'success', inputTokens: 5, outputTokens: 2, totalTokens: 7, modelName: 'm-1' }],
		});
	});

	it('gives no procedures when the API sends none', () => {
		expect(normalizeV2TokenStats({ TotalTokens: '9' }, undefined)).toEqual({ inputTokens: null, outputTokens: null, totalTokens: 9, modelTimeMs: null, procedures: [] });
	});
});
