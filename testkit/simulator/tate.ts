/**
 * tate-a-tate agent API: `POST /im/admin/v1/msg/send` (a credential's baseUrl is `<url>/im`).
 *
 * - `Authorization` = base64 of `{"timestamp":<seconds>,"secretKey","signature":<= secretKey>,"alg":"simple"}`:
 *   anything else → HTTP 401 `{"success":false,"message":"Unauthorized","object":null,"code":"401"}`;
 *   timestamp more than 30 s from now → 401 with a message saying the timestamp expired.
 * - Header `bot_id` required → else HTTP 400 envelope code "400". Body `{conversationId, msg,
 *   msgType (1), parentMsgId, reqModel (sync|stream), userAction (new|edit|retry)}` → else 400.
 * - Conversations are kept in memory per bot: an empty conversationId creates `01_<n>_<n>`;
 *   unknown (or another bot's) id → HTTP 200 envelope success false code "404". Msg ids are
 *   increasing numeric strings (user message n, reply n+1 = object.msgId, object.parentMsgId = n).
 *   `new` starts a turn; `edit`/`retry` redo the last turn (same turn number).
 * - sync → JSON envelope as the vendor documents it; stream → `text/event-stream` with `data:<envelope>\n\n`
 *   lines, msgContent cumulative, isFinal 0 until the last (1). Reply text: tateReplyFor().
 *
 * Markers in `msg`:
 * | [stream-bare]     | stream data lines carry the bare object, no envelope              |
 * | [stream-delta]    | each stream data line carries only the new piece of msgContent     |
 * | [stream-as-json]  | stream requests get the plain application/json envelope           |
 * | [fail:CODE]       | HTTP 200 envelope success false, code "CODE", a message            |
 * | [http:STATUS]     | HTTP STATUS with an error envelope (429/503 add Retry-After: 0)    |
 * | [latency:MS]      | waits MS before the response head                                  |
 * | [delay:MS]        | waits MS between stream events                                     |
 * | [stall]           | stream: first event then silence; sync: no answer at all           |
 */
import { randomBytes } from 'crypto';
import {
	markerNum,
	nowSeconds,
	isJsonObject,
	parseMarkers,
	pieceBounds,
	retryHeaders,
	sendJson,
	textSource,
	type RequestContext,
	type TateConversation,
} from './core';

export const TATE_MAX_SKEW_SECONDS = 30;
export const TATE_STREAM_PIECE = 6;

/** The reply to `msg`, the `turn`-th exchange of conversation `conversationId`. */
export function tateReplyFor(msg: string, turn: number, conversationId: string, userAction = 'new'): string {
	const suffix = userAction === 'new' ? '' : ` (${userAction})`;
	return `Turn ${turn} of conversation ${conversationId}: you said "${msg}". 收到，谢谢！👍${suffix}`;
}

function errorEnvelope(code: string, message: string) {
	return { success: false, message, object: null, code };
}

function requestId(): string {
	return `${randomBytes(16).toString('hex')}.86.${Date.now()}${Math.floor(Math.random() * 10000)
		.toString()
		.padStart(4, '0')}`;
}

type AuthResult = { ok: true } | { ok: false; message: string };

function checkAuth(ctx: RequestContext): AuthResult {
	const header = ctx.req.headers.authorization;
	if (!header) return { ok: false, message: 'Unauthorized' };
	let parsed: unknown;
	try {
		parsed = JSON.parse(Buffer.from(header.trim(), 'base64').toString('utf8'));
	} catch {
		return { ok: false, message: 'Unauthorized' };
	}
	if (!isJsonObject(parsed)) return { ok: false, message: 'Unauthorized' };
	const key = ctx.core.opts.tateSecretKey;
	if (parsed.alg !== 'simple' || parsed.secretKey !== key || parsed.signature !== key) return { ok: false, message: 'Unauthorized' };
	const ts = typeof parsed.timestamp === 'string' && /^\d+$/.test(parsed.timestamp) ? Number(parsed.timestamp) : parsed.timestamp;
	if (typeof ts !== 'number' || !Number.isFinite(ts)) return { ok: false, message: 'Unauthorized' };
	if (Math.abs(nowSeconds() - ts) > TATE_MAX_SKEW_SECONDS) {
		return { ok: false, message: `Unauthorized: timestamp expired (must be within ${TATE_MAX_SKEW_SECONDS} seconds of server time, in seconds)` };
	}
	return { ok: true };
}

export async function handleTate(ctx: RequestContext): Promise<void> {
	const { core, r } = ctx;
	const auth = checkAuth(ctx);
	if (!auth.ok) return sendJson(r, 401, errorEnvelope('401', auth.message));
	const botIdHeader = ctx.req.headers['bot_id'];
	const botId = Array.isArray(botIdHeader) ? botIdHeader[0] : botIdHeader;
	if (!botId) return sendJson(r, 400, errorEnvelope('400', 'Bad Request: header bot_id is required'));

	const body = ctx.json;
	if (!isJsonObject(body)) {
		return sendJson(r, 400, errorEnvelope('400', 'Bad Request: the body must be a JSON object'));
	}
	const msg: string = typeof body.msg === 'string' ? body.msg : '';
	const m = parseMarkers(msg);

	const latency = markerNum(m, 'latency');
	if (latency && !(await r.sleep(latency))) return;
	const httpStatus = markerNum(m, 'http');
	if (httpStatus !== undefined) {
		return sendJson(r, httpStatus, errorEnvelope(String(httpStatus), `Simulated HTTP ${httpStatus}`), retryHeaders(httpStatus));
	}
	const failCode = m.get('fail');
	if (failCode !== undefined) {
		return sendJson(r, 200, { ...errorEnvelope(failCode || '500', `Simulated failure ${failCode}`), request_id: requestId() });
	}

	const bad = (why: string) => sendJson(r, 400, errorEnvelope('400', `Bad Request: ${why}`));
	if (msg === '') return bad('msg is required');
	if (Number(body.msgType) !== 1) return bad('msgType must be 1');
	const reqModel = body.reqModel;
	if (reqModel !== 'sync' && reqModel !== 'stream') return bad('reqModel must be sync or stream');
	const userAction = body.userAction;
	if (userAction !== 'new' && userAction !== 'edit' && userAction !== 'retry') return bad('userAction must be new, edit or retry');
	if (body.parentMsgId === undefined || body.parentMsgId === null || !/^\d+$/.test(String(body.parentMsgId))) {
		return bad('parentMsgId is required (a numeric string, "0" for a new message)');
	}

	const requestedId = typeof body.conversationId === 'string' ? body.conversationId : '';
	let conversation: TateConversation | undefined;
	if (requestedId === '') {
		core.tateConversationSeq++;
		const id = `01_${1081413754 + core.tateConversationSeq}_${String(100000000 + Math.floor(Math.random() * 900000000))}`;
		conversation = { id, botId, turns: 0, messages: [] };
	} else {
		conversation = core.tateConversations.get(requestedId);
		if (!conversation || conversation.botId !== botId) {
			return sendJson(r, 200, { ...errorEnvelope('404', `Conversation ${requestedId} not found`), request_id: requestId() });
		}
	}
	core.tateConversations.set(conversation.id, conversation);
	const turn = userAction === 'new' ? conversation.turns + 1 : Math.max(1, conversation.turns);
	conversation.turns = turn;
	const userMsgId = String(core.tateNextMsgId++);
	const replyMsgId = String(core.tateNextMsgId++);
	conversation.messages.push({ msgId: userMsgId, turn }, { msgId: replyMsgId, turn });

	const reply = tateReplyFor(msg, turn, conversation.id, userAction);
	const object = (msgContent: string, isFinal: 0 | 1) => ({
		parentMsgId: userMsgId,
		msgId: replyMsgId,
		msgContent,
		msgSource: '',
		msgDeveloperInfo: '',
		predictQuestion: null,
		dialogTitle: null,
		msgType: 1,
		timestamp: nowSeconds(),
		conversationId: conversation!.id,
		isFinal,
	});
	const rid = requestId();
	const envelope = (obj: unknown) => ({ success: true, message: 'OK', method: null, object: obj, code: '1', request_id: rid });

	if (reqModel === 'sync' || m.has('stream-as-json')) {
		if (m.has('stall')) return r.waitUntilGone();
		return sendJson(r, 200, envelope(object(reply, 1)));
	}

	r.res.writeHead(200, { 'content-type': 'text/event-stream;charset=UTF-8', 'cache-control': 'no-cache' });
	r.res.flushHeaders();
	const src = textSource(reply);
	const bounds = pieceBounds(src.length, TATE_STREAM_PIECE);
	const delta = m.has('stream-delta');
	const bare = m.has('stream-bare');
	const delay = markerNum(m, 'delay') ?? 0;
	for (let k = 0; k < bounds.length; k++) {
		if (k > 0 && delay > 0 && !(await r.sleep(delay))) return;
		const [start, end] = bounds[k];
		const obj = object(delta ? src.slice(start, end) : src.slice(0, end), k === bounds.length - 1 ? 1 : 0);
		if (!(await r.write(`data:${JSON.stringify(bare ? obj : envelope(obj))}\n\n`))) return;
		if (k === 0 && m.has('stall')) return r.waitUntilGone();
	}
	r.end();
}
