/**
 * Tencent LKE dialog over HTTP SSE: `POST /v1/qbot/chat/sse`.
 *
 * Normal turn, framed `event:<type>\ndata:<json>\n\n`, JSON `{"type","payload","message_id"}`:
 *   echo reply (is_from_self) → token_stat "processing" → [thought…] → bot replies in pieces of
 *   `streaming_throttle` code points (default 5; cumulative, or the new piece with
 *   `incremental: true`; the last has is_final, quote_infos, knowledge) with reference event #1
 *   in the middle → reference event #2 (repeats one id of #1) → token_stat "success" → end.
 *   `stream: "disable"` sends the bot answer as a single final reply.
 *   At most 200 bot reply events per turn: the piece grows to ceil(length/200) for long answers.
 *
 * Checks (HTTP 200 and an SSE error event, like the real API): body must be a JSON object (400);
 * bot_app_key must equal the configured key (4505004); session_id must match ^[a-zA-Z0-9_-]{2,64}$
 * (400); visitor_biz_id required (400); content required unless file_infos is non-empty (400).
 *
 * Scenario markers inside `content` (combinable):
 * | marker                    | effect                                                                          |
 * |---------------------------|---------------------------------------------------------------------------------|
 * | [think] / [think:K]       | K (default 1) thought procedures (index 0..K-1) streamed before the answer       |
 * | [error:CODE]              | echo, then `{"type":"error","error":{code,message}}`, end (no bot content)      |
 * | [error-payload:CODE]      | same with the shape `{"type":"error","payload":{"error":{code,message}}}`        |
 * | [error-after-content:CODE]| echo, about half of the bot replies, then the error event (top-level shape), end |
 * | [evil]                    | echo with is_evil true, then end (no bot reply)                                 |
 * | [http:STATUS]             | HTTP STATUS with JSON `{"code":STATUS,"msg":…}` (429/503 add Retry-After: 0)     |
 * | [nofinal]                 | bot replies without the final one, then end                                     |
 * | [final-empty]             | all pieces non-final, then a final reply (empty content if incremental, else whole) |
 * | [heartbeat]               | `heartbeat` events interleaved, plus one unknown `future_event` event            |
 * | [delay:MS]                | waits MS between events                                                         |
 * | [latency:MS]              | waits MS before the response head (first byte)                                  |
 * | [stall]                   | echo, then silence with the socket open (until the client leaves or close())    |
 * | [long:N]                  | the answer is N code points of a repeating multi-byte pattern (lkeAnswerFor)     |
 * | [pieces:K]                | about K bot reply pieces (piece = ceil(length/K)); overrides throttle and the cap |
 * | [after-final]             | two extra (non-final, "late") reply events after the final one                  |
 * | [flaky:N]                 | the first N requests with this exact content fail with 460011 after the echo    |
 * | [busy-reply]              | the canned concurrency answer LKE_BUSY_REPLY as the bot reply, reply_method 7    |
 * | [client-tools]            | one final reply with reply_method 20 and interrupt_info (tool sim_weather), end  |
 * | [two-finals]              | after the final reply, a second final reply (own record_id): lkeAnswerFor is it  |
 * | [thought-list]            | with [think:K]: every thought event repeats the procedure list so far (earlier    |
 * |                           | ones with their last content again, status success), as the service does         |
 * | [display-content]         | thought procedures also carry debugging.display_content (lkeDisplayThoughtFor)   |
 */
import { randomBytes, randomUUID } from 'crypto';
import {
	markerNum,
	nowSeconds,
	isJsonObject,
	parseMarkers,
	pieceBounds,
	repeatingSource,
	retryHeaders,
	sendJson,
	textSource,
	type RequestContext,
	type TextSource,
} from './core';

/** The error codes the dialog API documents, with their meanings. */
export const LKE_ERROR_MESSAGES: Record<number, string> = {
	400: 'Request parameter error, see access documentation',
	460001: 'Token Verification Failure',
	460002: 'Event handler not found',
	460004: 'The application does not exist.',
	460006: 'Message does not exist or insufficient permissions.',
	460007: 'Session creation failed',
	460008: 'Fail to render Prompt',
	460009: 'The visitor does not exist.',
	460010: 'The session does not exist or insufficient permissions.',
	460011: 'Exceed the concurrency limit',
	460020: 'Model request timeout',
	460021: 'Knowledge base not released',
	460022: 'Failed to create visitor.',
	460023: 'Failed to like or dislike the message.',
	460024: 'Invalid tag',
	460025: 'Image Analysis failed.',
	460031: 'The number of connections in this application has exceeded the request limit. Try again later.',
	460032: 'Insufficient balance in the current application model',
	460033: 'Application does not exist or insufficient permissions',
	460034: 'Content too long',
	460035: 'Content too long, already stopped',
	460036: 'Preview parameter anomaly in process node',
	460037: 'Search for resource exhausted, call failed',
	460038: 'The AppID request shows anomalous behavior, call failed',
	4505004: 'APPKEY is invalid, please verify the source of APPKEY',
};

export function lkeErrorMessage(code: number): string {
	return LKE_ERROR_MESSAGES[code] ?? `Simulated error ${code}`;
}

/** The fixed part of every normal answer: English, Chinese, an emoji. */
export const LKE_ANSWER_SENTENCE =
	'This is the simulated agent speaking. 你好，世界！这是一个模拟的回答。🙂 Have a nice day.';

/** The pattern that `[long:N]` answers repeat. */
export const LKE_LONG_PATTERN = 'Streaming simulator text: 你好，世界！长回答测试。🚀 The quick brown fox jumps over the lazy dog. ';

export const MAX_REPLY_EVENTS = 200;

/** `rawSafe`: the text needs no JSON escaping, so events can be spliced from bytes (fast path for [long:N]). */
function answerSource(content: string): { src: TextSource; rawSafe: boolean } {
	const long = markerNum(parseMarkers(content), 'long');
	if (long !== undefined) return { src: repeatingSource(LKE_LONG_PATTERN, Math.max(0, Math.floor(long))), rawSafe: true };
	return { src: textSource(`Answer to "${content}": ${LKE_ANSWER_SENTENCE}`), rawSafe: false };
}

/** The reply of a `[busy-reply]` turn (reply_method 7: the service answers instead of failing). */
export const LKE_BUSY_REPLY = 'The service is busy, please try again later. 当前访问人数较多，请稍后再试。';

/** The second final reply of a `[two-finals]` turn. */
function secondFinalFor(content: string): string {
	return `Revised answer to "${content}": 这是修订后的回答。`;
}

/** The bot's whole final answer for a request `content` (markers included verbatim). */
export function lkeAnswerFor(content: string): string {
	if (parseMarkers(content).has('two-finals')) return secondFinalFor(content);
	const { src } = answerSource(content);
	return src.slice(0, src.length);
}

/** The display_content of thought procedure `index` with `[display-content]`. */
export function lkeDisplayThoughtFor(content: string, index = 0): string {
	return `Shown step ${index + 1}: 正在思考 "${content}"`;
}

/**
 * The procedures of the turn's last token_stat: knowledge, then the model reply. token_count is
 * the sum of their counts; count = input_count + output_count.
 */
export function lkeTokenStatFor(content: string, status: 'processing' | 'success' = 'success') {
	const answerLength = status === 'processing' ? 0 : parseMarkers(content).has('two-finals') ? Array.from(secondFinalFor(content)).length : answerSource(content).src.length;
	const knowledge = { count: 323, input_count: 308, name: 'knowledge', output_count: 15, status, title: 'Call the knowledge base' };
	const inputCount = Array.from(content).length + 120;
	const llm = { count: inputCount + answerLength, input_count: inputCount, name: 'large_language_model', output_count: answerLength, status, title: 'Large model reply' };
	const procedures = status === 'processing' ? [knowledge] : [knowledge, llm];
	return { procedures, token_count: procedures.reduce((sum, p) => sum + p.count, 0) };
}

/** The whole debugging content of thought procedure `index` for a request `content`. */
export function lkeThoughtFor(content: string, index = 0): string {
	return `Step ${index + 1}: the user asks "${content}". 让我想一想……🤔 I will answer briefly.`;
}

/** The references sent: event #1 carries [0, 1], event #2 carries [1, 2] (id of [1] repeated). */
export const LKE_REFERENCES = [
	{
		doc_biz_id: '1770000000000001',
		doc_id: '1001',
		doc_name: 'simulator-handbook.pdf',
		id: 'sim-ref-1',
		name: 'Simulator handbook',
		qa_biz_id: '0',
		type: 2,
		url: 'https://example.com/docs/simulator-handbook.pdf',
	},
	{
		doc_biz_id: '0',
		doc_id: '0',
		doc_name: '',
		id: 'sim-ref-2',
		name: 'FAQ: 你好，世界',
		qa_biz_id: '1770000000000002',
		type: 1,
		url: '',
	},
	{
		doc_biz_id: '0',
		doc_id: '0',
		doc_name: '',
		id: '3',
		name: 'Web result about the simulator',
		qa_biz_id: '0',
		type: 4,
		url: 'https://example.com/search/3',
	},
];

const SSE_HEADERS = {
	'content-type': 'text/event-stream',
	'cache-control': 'no-cache',
	'x-accel-buffering': 'no',
};

export function sseEvent(type: string, payload: unknown): string {
	return `event:${type}\ndata:${JSON.stringify({ type, payload, message_id: randomUUID() })}\n\n`;
}

const CONTENT_PLACEHOLDER = '\u0000sim-content\u0000';
const PLACEHOLDER_JSON = JSON.stringify(CONTENT_PLACEHOLDER);

/**
 * The same bytes as sseEvent(type, {...payload, content}) for a `content` that needs no JSON
 * escaping, given as UTF-8 bytes: avoids JSON.stringify over hundreds of kilobytes per event.
 */
function sseEventWithRawContent(type: string, payload: Record<string, unknown>, contentBytes: Buffer): Buffer {
	const json = JSON.stringify({ type, payload: { ...payload, content: CONTENT_PLACEHOLDER }, message_id: randomUUID() });
	const at = json.indexOf(PLACEHOLDER_JSON);
	return Buffer.concat([
		Buffer.from(`event:${type}\ndata:${json.slice(0, at)}"`),
		contentBytes,
		Buffer.from(`"${json.slice(at + PLACEHOLDER_JSON.length)}\n\n`),
	]);
}

export function sseError(code: number, shape: 'top' | 'payload' = 'top', message = lkeErrorMessage(code)): string {
	const error = { code, message };
	const data = shape === 'top' ? { type: 'error', error } : { type: 'error', payload: { error } };
	return `event:error\ndata:${JSON.stringify(data)}\n\n`;
}

const SESSION_ID_RE = /^[a-zA-Z0-9_-]{2,64}$/;

function startSse(ctx: RequestContext): void {
	if (ctx.res.headersSent) return;
	ctx.res.writeHead(200, SSE_HEADERS);
	ctx.res.flushHeaders();
}

async function failWith(ctx: RequestContext, code: number, message?: string): Promise<void> {
	startSse(ctx);
	if (await ctx.r.write(sseError(code, 'top', message))) ctx.r.end();
}

export async function handleLke(ctx: RequestContext): Promise<void> {
	const { r, core } = ctx;
	const body = ctx.json;
	const content = isJsonObject(body) && typeof body.content === 'string' ? body.content : '';
	const m = parseMarkers(content);

	const latency = markerNum(m, 'latency');
	if (latency && !(await r.sleep(latency))) return;

	const httpStatus = markerNum(m, 'http');
	if (httpStatus !== undefined) {
		sendJson(r, httpStatus, { code: httpStatus, msg: `Simulated HTTP ${httpStatus}` }, retryHeaders(httpStatus));
		return;
	}

	if (!isJsonObject(body)) return failWith(ctx, 400, `${LKE_ERROR_MESSAGES[400]}: the body must be a JSON object`);
	if (body.bot_app_key !== core.opts.lkeAppKey) return failWith(ctx, 4505004);
	if (typeof body.session_id !== 'string' || !SESSION_ID_RE.test(body.session_id)) {
		return failWith(ctx, 400, `${LKE_ERROR_MESSAGES[400]}: session_id must match ^[a-zA-Z0-9_-]{2,64}$`);
	}
	if (typeof body.visitor_biz_id !== 'string' || body.visitor_biz_id === '' || body.visitor_biz_id.length > 64) {
		return failWith(ctx, 400, `${LKE_ERROR_MESSAGES[400]}: visitor_biz_id is required (at most 64 characters)`);
	}
	const fileInfos = Array.isArray(body.file_infos) ? body.file_infos : [];
	if (content === '' && fileInfos.length === 0) {
		return failWith(ctx, 400, `${LKE_ERROR_MESSAGES[400]}: content is required`);
	}

	const started = Date.now();
	const elapsed = () => Date.now() - started;
	const sessionId: string = body.session_id;
	const requestId: string = typeof body.request_id === 'string' ? body.request_id : '';
	const traceId = randomBytes(16).toString('hex');
	const echoId = randomUUID();
	const recordId = randomUUID();
	const incremental = body.incremental === true || body.incremental === 'true';
	const throttleRaw = Math.floor(Number(body.streaming_throttle));
	const throttle = throttleRaw > 0 ? throttleRaw : 5;
	const delay = markerNum(m, 'delay') ?? 0;
	const heartbeat = m.has('heartbeat');

	let sentEvents = 0;
	const send = async (chunk: string | Buffer): Promise<boolean> => {
		if (sentEvents > 0 && delay > 0 && !(await r.sleep(delay))) return false;
		sentEvents++;
		return r.write(chunk);
	};
	const done = () => r.end();

	startSse(ctx);

	// 1. the echo of the user's message
	const echo = {
		can_feedback: false,
		can_rating: false,
		content,
		file_infos: fileInfos,
		from_avatar: '',
		from_name: '',
		is_evil: m.has('evil'),
		is_final: true,
		is_from_self: true,
		is_llm_generated: false,
		knowledge: null,
		record_id: echoId,
		related_record_id: '',
		reply_method: 0,
		request_id: requestId,
		session_id: sessionId,
		timestamp: nowSeconds(),
		trace_id: traceId,
	};
	if (!(await send(sseEvent('reply', echo)))) return;
	if (m.has('evil')) return done();
	if (m.has('stall')) return r.waitUntilGone();

	const flaky = markerNum(m, 'flaky');
	if (flaky !== undefined && core.bump(`lke-flaky:${content}`) <= flaky) {
		if (await send(sseError(460011))) done();
		return;
	}
	const errorCode = markerNum(m, 'error');
	if (errorCode !== undefined) {
		if (await send(sseError(errorCode, 'top'))) done();
		return;
	}
	const errorPayloadCode = markerNum(m, 'error-payload');
	if (errorPayloadCode !== undefined) {
		if (await send(sseError(errorPayloadCode, 'payload'))) done();
		return;
	}

	// 2. token_stat "processing"
	const tokenStat = (status: 'processing' | 'success') => {
		const { procedures, token_count: tokenCount } = lkeTokenStatFor(content, status);
		return {
			elapsed: elapsed(),
			order_count: 50000000,
			procedures,
			record_id: recordId,
			request_id: requestId,
			session_id: sessionId,
			status_summary: status,
			status_summary_title: status === 'processing' ? 'Call the knowledge base' : 'Large model reply',
			token_count: tokenCount,
			trace_id: traceId,
			used_count: tokenCount,
		};
	};
	if (!(await send(sseEvent('token_stat', tokenStat('processing'))))) return;
	if (heartbeat) {
		if (!(await send(sseEvent('heartbeat', { timestamp: nowSeconds() })))) return;
		if (!(await send(sseEvent('future_event', { note: 'an event type this client does not know', at: nowSeconds() })))) return;
	}

	// 3. thoughts
	const thinkCount = m.has('think') ? Math.max(1, markerNum(m, 'think') ?? 1) : 0;
	const thoughtList = m.has('thought-list');
	const displayContent = m.has('display-content');
	const finishedProcedures: Array<Record<string, unknown>> = [];
	for (let index = 0; index < thinkCount; index++) {
		const src = textSource(lkeThoughtFor(content, index));
		const shown = textSource(lkeDisplayThoughtFor(content, index));
		const bounds = pieceBounds(src.length, throttle);
		const shownBounds = pieceBounds(shown.length, Math.max(1, Math.ceil(shown.length / bounds.length)));
		for (let k = 0; k < bounds.length; k++) {
			const [start, end] = bounds[k];
			const [shownStart, shownEnd] = shownBounds[Math.min(k, shownBounds.length - 1)];
			const shownText = k >= shownBounds.length ? (incremental ? '' : shown.slice(0, shown.length)) : incremental ? shown.slice(shownStart, shownEnd) : shown.slice(0, shownEnd);
			const procedure = {
				debugging: {
					content: incremental ? src.slice(start, end) : src.slice(0, end),
					...(displayContent ? { display_content: shownText } : {}),
				},
				elapsed: elapsed(),
				icon: 'https://example.com/icon/thinking.png',
				index,
				name: 'thought',
				plugin_type: 0,
				status: k === bounds.length - 1 ? 'success' : 'processing',
				switch: '',
				title: 'Think',
				workflow_name: '',
			};
			const payload = {
				elapsed: elapsed(),
				is_workflow: false,
				procedures: thoughtList ? [...finishedProcedures, procedure] : [procedure],
				record_id: recordId,
				request_id: requestId,
				session_id: sessionId,
				trace_id: traceId,
				workflow_name: '',
			};
			if (!(await send(sseEvent('thought', payload)))) return;
			// The list repeats a finished procedure as its last event had it.
			if (k === bounds.length - 1) finishedProcedures.push(procedure);
		}
	}

	let answerTotal = 0;
	const baseReply = (isFinal: boolean) => ({
		can_feedback: isFinal,
		can_rating: isFinal,
		content: '',
		file_infos: [],
		from_avatar: 'https://example.com/avatar.png',
		from_name: 'bot',
		is_evil: false,
		is_final: isFinal,
		is_from_self: false,
		is_llm_generated: !m.has('busy-reply'),
		knowledge: isFinal ? [{ id: '33386', type: 1 }, { id: '452', type: 2, seg_id: '1770000000000099' }] : null,
		record_id: recordId,
		related_record_id: echoId,
		reply_method: m.has('busy-reply') ? 7 : 1,
		request_id: requestId,
		session_id: sessionId,
		timestamp: nowSeconds(),
		trace_id: traceId,
		...(isFinal ? { quote_infos: [{ index: 1, position: Math.min(answerTotal, 16) }] } : {}),
	});

	// 4. bot replies
	if (m.has('client-tools')) {
		const interrupt = {
			...baseReply(true),
			content: '',
			reply_method: 20,
			interrupt_info: { current_agent: 'sim-agent', tool_calls: [{ id: 'call-1', type: 'function', function: { name: 'sim_weather', arguments: '{"city":"Shenzhen"}' } }] },
		};
		if (await send(sseEvent('reply', interrupt))) done();
		return;
	}
	const busyReply = m.has('busy-reply');
	const { src: answer, rawSafe } = busyReply ? { src: textSource(LKE_BUSY_REPLY), rawSafe: false } : answerSource(content);
	const total = answer.length;
	answerTotal = total;
	const pieces = markerNum(m, 'pieces');
	let size: number;
	if (body.stream === 'disable') size = Math.max(1, total);
	else if (pieces !== undefined && pieces > 0) size = Math.max(1, Math.ceil(total / pieces));
	else size = Math.max(throttle, Math.ceil(total / MAX_REPLY_EVENTS));
	const errorAfter = markerNum(m, 'error-after-content');
	const noFinal = m.has('nofinal');
	if ((noFinal || errorAfter !== undefined) && Math.ceil(total / size) < 2 && total >= 2) size = Math.ceil(total / 2);
	const bounds = pieceBounds(total, size);
	const finalEmpty = m.has('final-empty');
	const errorAt = Math.max(1, Math.floor(bounds.length / 2));
	const refAt = Math.floor(bounds.length / 2);

	const reply = (text: string, isFinal: boolean) => ({ ...baseReply(isFinal), content: text });
	const referenceEvent = (refs: typeof LKE_REFERENCES) => sseEvent('reference', { record_id: recordId, references: refs, trace_id: traceId });


	let fullBytes: Buffer | undefined;
	let byteEnd = 0;
	for (let k = 0; k < bounds.length; k++) {
		const [start, end] = bounds[k];
		const isLast = k === bounds.length - 1;
		if (errorAfter !== undefined && k === errorAt) {
			if (await send(sseError(errorAfter, 'top'))) done();
			return;
		}
		if (isLast && noFinal) return done();
		if (k === refAt && !(await send(referenceEvent([LKE_REFERENCES[0], LKE_REFERENCES[1]])))) return;
		if (heartbeat && k % 4 === 1 && !(await send(sseEvent('heartbeat', { timestamp: nowSeconds() })))) return;
		const isFinal = isLast && !finalEmpty;
		let event: string | Buffer;
		if (rawSafe) {
			// byte path: cumulative events are prefixes of one buffer of the whole answer
			let bytes: Buffer;
			if (incremental) {
				bytes = Buffer.from(answer.slice(start, end));
			} else {
				fullBytes ??= Buffer.from(answer.slice(0, total));
				byteEnd += Buffer.byteLength(answer.slice(start, end));
				bytes = fullBytes.subarray(0, byteEnd);
			}
			event = sseEventWithRawContent('reply', reply('', isFinal), bytes);
		} else {
			event = sseEvent('reply', reply(incremental ? answer.slice(start, end) : answer.slice(0, end), isFinal));
		}
		if (!(await send(event))) return;
	}
	if (finalEmpty) {
		const text = incremental ? '' : answer.slice(0, total);
		if (!(await send(sseEvent('reply', reply(text, true))))) return;
	}
	if (m.has('two-finals')) {
		const second = { ...baseReply(true), content: secondFinalFor(content), record_id: randomUUID(), reply_method: 16 };
		if (!(await send(sseEvent('reply', second)))) return;
	}
	core.bump(`lke-answered:${content}`);

	if (m.has('after-final')) {
		for (const late of ['late piece after final', ' and another one']) {
			if (!(await send(sseEvent('reply', reply(late, false))))) return;
		}
	}

	// 5. the second reference event (repeats sim-ref-2), 6. token_stat "success", end
	if (!(await send(referenceEvent([LKE_REFERENCES[1], LKE_REFERENCES[2]])))) return;
	if (!(await send(sseEvent('token_stat', tokenStat('success'))))) return;
	done();
}
