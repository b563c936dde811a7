/**
 * Realistic Tencent LKE dialog streams as exact bytes (the framing and payload fields the dialog API documents),
 * for tests that play them through the SSE reader and the aggregator or through the simulator's
 * byte-exact scripts. Each recording says what a correct client makes of it.
 */

export const SESSION_ID = 'hx-session-0001';
export const REQUEST_ID = 'hx-request-0001';
const TRACE_ID = '9a9613dbaa9edd27958bd1180c524295';
const ECHO_ID = '83ecd23c-6283-48d0-ac5e-7d8ab604770d';
const RECORD_ID = '7cfaf2dc-8e95-475b-9aa5-d6a5d4358f71';

let messageSeq = 0;

export interface Framing {
	/** Line ending: LF (what LKE sends) or CRLF (what a proxy may turn it into). */
	eol?: '\n' | '\r\n';
	/** `data: ` with a space (stripped by SSE) instead of `data:`. */
	spaceAfterColon?: boolean;
}

/** One SSE event `event:<type>\ndata:<json>\n\n` with the `{type, payload, message_id}` envelope. */
export function lkeEvent(type: string, payload: Record<string, unknown>, framing: Framing = {}): string {
	const eol = framing.eol ?? '\n';
	const sep = framing.spaceAfterColon ? ': ' : ':';
	const data = JSON.stringify({ type, payload, message_id: `msg-${++messageSeq}` });
	return `event${sep}${type}${eol}data${sep}${data}${eol}${eol}`;
}

export function lkeErrorEvent(code: number, message: string, shape: 'top' | 'payload' = 'top'): string {
	const error = { code, message };
	return `event:error\ndata:${JSON.stringify(shape === 'top' ? { type: 'error', error } : { type: 'error', payload: { error } })}\n\n`;
}

/** The user's message coming back (is_from_self). */
export function echoEvent(content: string, framing: Framing = {}, extra: Record<string, unknown> = {}): string {
	return lkeEvent(
		'reply',
		{
			can_rating: false,
			content,
			file_infos: [],
			is_evil: false,
			is_final: true,
			is_from_self: true,
			is_llm_generated: false,
			knowledge: null,
			record_id: ECHO_ID,
			related_record_id: '',
			reply_method: 0,
			request_id: REQUEST_ID,
			session_id: SESSION_ID,
			timestamp: 1701330804,
			trace_id: TRACE_ID,
			...extra,
		},
		framing,
	);
}

/** One bot reply event. */
export function botReplyEvent(content: string, isFinal: boolean, framing: Framing = {}, extra: Record<string, unknown> = {}): string {
	return lkeEvent(
		'reply',
		{
			can_rating: isFinal,
			content,
			file_infos: [],
			from_name: 'bot',
			is_evil: false,
			is_final: isFinal,
			is_from_self: false,
			is_llm_generated: true,
			knowledge: isFinal ? [{ id: '33386', type: 1 }] : null,
			record_id: RECORD_ID,
			related_record_id: ECHO_ID,
			reply_method: 1,
			request_id: REQUEST_ID,
			session_id: SESSION_ID,
			timestamp: 1701330805,
			trace_id: TRACE_ID,
			...extra,
		},
		framing,
	);
}

function thoughtEvent(index: number, content: string, status: string, framing: Framing): string {
	return lkeEvent(
		'thought',
		{
			elapsed: 120 * (index + 1),
			is_workflow: false,
			procedures: [
				{
					debugging: { content },
					elapsed: 100 + index,
					icon: 'https://example.com/icon/thinking.png',
					index,
					name: index === 0 ? 'thought' : 'knowledge',
					plugin_type: 0,
					status,
					switch: '',
					title: index === 0 ? '思考' : 'Call the knowledge base',
					workflow_name: '',
				},
			],
			record_id: RECORD_ID,
			request_id: REQUEST_ID,
			session_id: SESSION_ID,
			trace_id: TRACE_ID,
			workflow_name: '',
		},
		framing,
	);
}

function referenceEvent(references: Array<Record<string, unknown>>, framing: Framing): string {
	return lkeEvent('reference', { record_id: RECORD_ID, references, trace_id: TRACE_ID }, framing);
}

function tokenStatEvent(status: 'processing' | 'success', outputCount: number, framing: Framing): string {
	return lkeEvent(
		'token_stat',
		{
			elapsed: status === 'processing' ? 12 : 2048,
			order_count: 50000000,
			procedures: [{ count: 323, input_count: 308, name: 'knowledge', output_count: outputCount, status, title: 'Call the knowledge base' }],
			record_id: RECORD_ID,
			request_id: REQUEST_ID,
			session_id: SESSION_ID,
			status_summary: status,
			token_count: 323 + outputCount,
			trace_id: TRACE_ID,
			used_count: 323 + outputCount,
		},
		framing,
	);
}

/** Splits a text into pieces of about `size` code points (never inside a surrogate pair). */
export function pieces(text: string, size: number): string[] {
	const points = Array.from(text);
	const out: string[] = [];
	for (let start = 0; start < points.length; start += size) out.push(points.slice(start, start + size).join(''));
	return out.length > 0 ? out : [''];
}

const REFERENCES = [
	{ doc_biz_id: '1770000000000001', doc_id: '1001', doc_name: '哪吒2票房.docx', id: 'ref-1', name: '《哪吒之魔童闹海》票房分析', qa_biz_id: '0', type: 2, url: 'https://example.com/ref-1' },
	{ doc_biz_id: '0', doc_id: '0', doc_name: '', id: 'ref-2', name: 'FAQ: 你好，世界 👋', qa_biz_id: '1770000000000002', type: 1, url: '' },
	{ doc_biz_id: '0', doc_id: '0', doc_name: '', id: '3', name: 'Box office of "Nezha 2" hits 9.8 billion', qa_biz_id: '0', type: 4, url: 'https://view.inews.qq.com/a/3' },
];

export interface RecordedStream {
	name: string;
	incremental: boolean;
	bytes: Buffer;
	/** What a correct client outputs, written independently of the aggregator. */
	expected: {
		reply: string;
		thoughts: string[];
		referenceIds: string[];
		/** The last token_stat's figures as the node normalizes them: input and output summed over the procedures, token_count the total. */
		tokenStats: { inputTokens: number; outputTokens: number; totalTokens: number; modelTimeMs: number; procedureStatus: string };
	};
}

interface StreamSpec {
	name: string;
	incremental: boolean;
	framing: Framing;
	question: string;
	answer: string;
	/** Code points per bot reply event. */
	piece: number;
	thoughts: string[];
	heartbeats?: boolean;
	/** SSE comments, `id:` and `retry:` fields sprinkled in. */
	noise?: boolean;
	/** Late replies, an error and a reference after the final reply (ignored / still counted). */
	afterFinal?: boolean;
	finalExtra?: Record<string, unknown>;
}

function record(spec: StreamSpec): RecordedStream {
	const f = spec.framing;
	const eol = f.eol ?? '\n';
	const parts: string[] = [];
	if (spec.noise) parts.push(`: connected to lke-gateway${eol}retry: 3000${eol}${eol}`);
	parts.push(echoEvent(spec.question, f));
	parts.push(tokenStatEvent('processing', 0, f));
	spec.thoughts.forEach((thought, index) => {
		const chunks = pieces(thought, 7);
		let sofar = '';
		chunks.forEach((chunk, k) => {
			sofar += chunk;
			parts.push(thoughtEvent(index, spec.incremental ? chunk : sofar, k === chunks.length - 1 ? 'success' : 'processing', f));
			if (spec.heartbeats && k % 3 === 1) parts.push(lkeEvent('heartbeat', { timestamp: 1701330805 }, f));
		});
	});
	const answerPieces = pieces(spec.answer, spec.piece);
	let sofar = '';
	answerPieces.forEach((chunk, k) => {
		sofar += chunk;
		const last = k === answerPieces.length - 1;
		if (k === Math.floor(answerPieces.length / 2)) parts.push(referenceEvent([REFERENCES[0], REFERENCES[1]], f));
		if (spec.heartbeats && k % 4 === 2) parts.push(lkeEvent('heartbeat', { timestamp: 1701330806 }, f));
		if (spec.heartbeats && k === 1) parts.push(lkeEvent('future_event', { note: '未知事件 🛸', nested: { a: [1, 2, 3] } }, f));
		if (spec.noise && k % 5 === 3) parts.push(`: keep-alive ${k}${eol}id: ${k}${eol}${eol}`);
		parts.push(botReplyEvent(spec.incremental ? chunk : sofar, last, f, last ? (spec.finalExtra ?? {}) : {}));
	});
	if (spec.afterFinal) {
		parts.push(botReplyEvent('late piece after the final reply', false, f));
		parts.push(lkeErrorEvent(460020, 'Model request timeout'));
	}
	parts.push(referenceEvent([REFERENCES[1], REFERENCES[2]], f));
	parts.push(tokenStatEvent('success', Array.from(spec.answer).length, f));
	return {
		name: spec.name,
		incremental: spec.incremental,
		bytes: Buffer.from(parts.join(''), 'utf8'),
		expected: {
			reply: spec.answer,
			thoughts: spec.thoughts,
			referenceIds: REFERENCES.map((reference) => reference.id),
			tokenStats: {
				inputTokens: 308,
				outputTokens: Array.from(spec.answer).length,
				totalTokens: 323 + Array.from(spec.answer).length,
				modelTimeMs: 2048,
				procedureStatus: 'success',
			},
		},
	};
}

const ANSWER_ZH =
	'截至2025年2月13日14:59，《哪吒2》（"哪吒之魔童闹海"）总票房（含预售）已突破**98亿元**，距百亿仅一步之遥[3][4]。\n' +
	'这一成绩超越了《黑豹》，成为全球影史票房前18名中唯一的非好莱坞影片。据灯塔专业版预测，最终票房或达**153.38亿元**；' +
	'猫眼预测更高，为**160.32亿元**[4]。🎬🐉🔥 此外，海外票房已超过627万元。';

const ANSWER_EMOJI =
	'Here is the plan 🧑‍💻: 1️⃣ read the doc 📄, 2️⃣ ask 你好 👋🏽, 3️⃣ ship 🚀🚀. Flags: 🇨🇳🇯🇵🇺🇸. Math: 𝌆 𝔸𝕓𝕔 ∑ₙ x². ' +
	'Combining: é (e\u0301), ñ; Korean 한국어; Japanese 日本語のテキスト。 Quotes "double" and \'single\', a back\\slash, a tab\tand a line\u2028separator.';

const THOUGHT_ZH = '用户询问《哪吒2》的票房。我需要查找最新数据……🤔 先看知识库，再看网络搜索结果。';
const THOUGHT_EN = 'Searching the knowledge base for "box office" 📊 — 3 documents matched.';

/** The recordings the chunking tests replay. */
export function recordedStreams(): RecordedStream[] {
	return [
		record({
			name: 'cumulative, Chinese, thoughts and references',
			incremental: false,
			framing: {},
			question: '哪吒2的票房是多少？',
			answer: ANSWER_ZH,
			piece: 9,
			thoughts: [THOUGHT_ZH, THOUGHT_EN],
		}),
		record({
			name: 'incremental, emoji and astral characters, CRLF, heartbeats and unknown events',
			incremental: true,
			framing: { eol: '\r\n', spaceAfterColon: true },
			question: 'Plan with emoji 🧑‍💻',
			answer: ANSWER_EMOJI,
			piece: 5,
			thoughts: [THOUGHT_EN],
			heartbeats: true,
			noise: true,
		}),
		record({
			name: 'cumulative workflow reply with events after the final one',
			incremental: false,
			framing: {},
			question: 'Run the 工作流 ⚙️',
			answer: `${ANSWER_EMOJI}\n\n${ANSWER_ZH}`,
			piece: 23,
			thoughts: [],
			afterFinal: true,
			finalExtra: {
				reply_method: 16,
				quote_infos: [{ index: 1, position: 12 }],
				option_cards: ['继续', 'Stop ⏹'],
				work_flow: { workflow_name: '票房查询', workflow_id: 'wf-1', workflow_run_id: 'run-1', option_cards: [] },
			},
		}),
		record({
			name: 'long cumulative answer (events up to 6 KB)',
			incremental: false,
			framing: {},
			question: '写一篇长文 📝',
			answer: `${ANSWER_ZH}\n${ANSWER_EMOJI}\n`.repeat(7),
			piece: 220,
			thoughts: [THOUGHT_ZH],
			heartbeats: true,
		}),
		record({
			name: 'incremental, Chinese thoughts, one code point per event',
			incremental: true,
			framing: { spaceAfterColon: true },
			question: '你好 👋',
			answer: '你好！我是智能体开发平台的助手🙂，很高兴为你服务。',
			piece: 1,
			thoughts: [THOUGHT_ZH],
			noise: true,
		}),
	];
}
