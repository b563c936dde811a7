/**
 * BlendVision One AiSK, asking a chatbot: the chain behind the node's `ask` operation.
 *
 * 1. `POST /bv/aisk/v1/prompts/tokens` `{source: {type, chatbot_id | publish_token}, setting?}`
 *    - `PROMPT_TOKEN_SOURCE_TYPE_CHATBOT_ID` needs `authorization: Bearer <aiskToken>` (else 401
 *      code 16) and a UUID `chatbot_id` (else 400 code 3); the marker ids of aisk.ts apply
 *      (`00000000-0000-4000-8000-000000000SSS` fails with SSS, `…000000f00SSS` once per id).
 *    - `PROMPT_TOKEN_SOURCE_TYPE_PUBLISH_TOKEN` needs a `publish_token` issued by
 *      `POST /bv/aisk/v1/chatbots/:id/token` (else 401 code 16); no API token needed.
 *    - `setting.citation.mode` must be `PROMPT_CITATION_MODE_ALL`/`_RESTRICTED` when present (400).
 *    → 200 `{token, expires_in: 3600, expired_at}`.
 * 2. `GET /bv/aisk/v1/prompts:init` with the prompt token → `{name, reference, knowledge_base_infos, …}`.
 * 3. `POST /bv/aisk-stream/v1/prompts` with the prompt token, `{question, kb_ids, parent_ids?,
 *    metadata: {conversation_id?, language?, …}}` → a stream of `{message, citations}`
 *    (framings in aiskFraming.ts). `question` must be a non-empty string, `kb_ids` the chatbot's
 *    own knowledge base ids (at least one when it has any), `metadata` an object: else 400 code 3.
 *
 * The prompt token is accepted as `authorization: Bearer <token>` or as the bare token. A missing,
 * unknown, expired or revoked one answers 401 code 16 (details []) on init and on the stream, so a
 * client can renew it. Errors before the stream are a bare google.rpc.Status with the HTTP status
 * grpc-gateway maps the code to, or `{"error": Status}` + newline with `[errors-wrapped]`.
 *
 * Scenario markers inside `question` (combinable):
 * | marker                 | effect                                                                                   |
 * |------------------------|------------------------------------------------------------------------------------------|
 * | [framing:F]            | F = sse (default), sse-result, jsonl-result, ndjson, array                                |
 * | [mode:M]               | M = delta (each message the new piece) or cumulative (the whole answer so far)           |
 * | [citations:W]          | W = last (default: all citations on the last message), first, each (on every message)    |
 * | [nocitations]          | no citations at all                                                                      |
 * | [throttle:N]           | the first N requests with this question: 429 code 8 ERROR_REASON_PROMPT_THROTTLING       |
 * | [throttle-wait:SEC]    | the throttling's metadata.wait_sec (default "0")                                          |
 * | [retry-after:S]        | the throttling also sends `Retry-After: S`                                                |
 * | [quota]                | always 429 code 8 ERROR_REASON_PROMPT_OUT_OF_QUOTA (reset_at: next midnight, +08:00)      |
 * | [status:SSS]           | HTTP SSS with the Status grpc-gateway maps it from (401→16, 403→7, 500→13, 503→14, …)     |
 * | [errors-wrapped]       | errors before the stream come as `{"error": Status}\n` (grpc-gateway's stream handler)   |
 * | [error-mid] / [error-mid:SSS] | about half the messages, then `{"error": Status}` (default SSS 500 → code 13), end |
 * | [reset]                | about half the messages, then the connection is reset                                    |
 * | [expire-token]         | the first request with this question revokes its prompt token and answers 401            |
 * | [long:N]               | the answer is N code points of a repeating multi-byte pattern (aiskAnswerFor)            |
 * | [pieces:K]             | about K messages (default pieces of 6 code points, at most 200 messages)                 |
 * | [split]                | each message is written in two writes, cut inside a multi-byte character where there is one |
 * | [done]                 | SSE framings end with `data: [DONE]`                                                      |
 * | [delay:MS] [latency:MS] | wait MS between messages / before the response head                                     |
 * | [stall]                | the first message, then silence with the socket open                                     |
 */
import { randomBytes } from 'crypto';
import { aiskError, aiskStatus } from './aisk';
import { aiskAnswerSource, aiskCitationsFor, aiskKnowledgeBasesFor } from './aiskContent';
import { AiskFrameWriter, AISK_FRAMING_CONTENT_TYPES, defaultMessageMode, isAiskFraming, type AiskFraming, type AiskMessageMode } from './aiskFraming';
import { isJsonObject, markerNum, parseMarkers, pieceBounds, retryHeaders, sendJson, type AiskPromptToken, type RequestContext, type SimCore } from './core';
import type { AiskCounts } from './types';

export const AISK_PROMPT_TOKEN_TTL_SECONDS = 3600;
export const AISK_ERROR_DOMAIN = 'bv.aisk.v1';
const MAX_MESSAGES = 200;
const DEFAULT_PIECE = 6;

const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const STATUS_ID_RE = /^00000000-0000-4000-8000-000000(000|f00)(\d{3})$/i;
const SOURCE_CHATBOT_ID = 'PROMPT_TOKEN_SOURCE_TYPE_CHATBOT_ID';
const SOURCE_PUBLISH_TOKEN = 'PROMPT_TOKEN_SOURCE_TYPE_PUBLISH_TOKEN';
const CITATION_MODES = ['PROMPT_CITATION_MODE_ALL', 'PROMPT_CITATION_MODE_RESTRICTED'];


export function aiskCounts(core: SimCore): AiskCounts {
	return {
		promptTokens: core.count('aisk-prompt-tokens'),
		init: core.count('aisk-init'),
		prompts: core.count('aisk-prompts'),
		answered: core.count('aisk-answered'),
	};
}

export function expireAiskPromptTokens(core: SimCore): void {
	for (const token of core.aiskPromptTokens.values()) token.revoked = true;
}

/** The chatbot a publish token from `POST /bv/aisk/v1/chatbots/:id/token` was issued for. */
function chatbotOfPublishToken(token: string): string | undefined {
	const parts = token.split('.');
	if (parts.length !== 3) return undefined;
	try {
		const payload: unknown = JSON.parse(Buffer.from(parts[1], 'base64url').toString('utf8'));
		if (isJsonObject(payload) && payload.aud === 'aisk-chatbot' && typeof payload.sub === 'string' && UUID_RE.test(payload.sub)) {
			return payload.sub;
		}
	} catch {
		// not a token of ours
	}
	return undefined;
}

/** Sends the failure a status marker id asks for; true when it did. */
function failForStatusId(ctx: RequestContext, chatbotId: string): boolean {
	const marker = STATUS_ID_RE.exec(chatbotId);
	if (!marker) return false;
	const status = Number(marker[2]);
	if (status < 400 || status > 599) return false;
	const once = marker[1].toLowerCase() === 'f00';
	if (once && ctx.core.bump(`aisk-prompt-token-once:${chatbotId.toLowerCase()}`) > 1) return false;
	aiskError(ctx, status);
	return true;
}

function hasApiToken(ctx: RequestContext): boolean {
	const auth = ctx.req.headers.authorization;
	if (!auth) {
		aiskError(ctx, 401, 'authorization header is missing');
		return false;
	}
	const bearer = /^Bearer\s+(.+)$/i.exec(auth);
	if (!bearer || bearer[1] !== ctx.core.opts.aiskToken) {
		aiskError(ctx, 401, 'invalid API token');
		return false;
	}
	return true;
}

export async function handleAiskPromptToken(ctx: RequestContext): Promise<void> {
	const body: unknown = ctx.json;
	if (!isJsonObject(body)) return aiskError(ctx, 400, 'invalid request body: must be a JSON object');
	const source = body.source;
	if (!isJsonObject(source)) return aiskError(ctx, 400, 'source is required');

	let chatbotId: string;
	if (source.type === SOURCE_CHATBOT_ID) {
		if (!hasApiToken(ctx)) return;
		if (typeof source.chatbot_id !== 'string' || !UUID_RE.test(source.chatbot_id)) {
			return aiskError(ctx, 400, 'source.chatbot_id must be a UUID');
		}
		chatbotId = source.chatbot_id.toLowerCase();
		if (failForStatusId(ctx, chatbotId)) return;
	} else if (source.type === SOURCE_PUBLISH_TOKEN) {
		if (typeof source.publish_token !== 'string' || source.publish_token === '') {
			return aiskError(ctx, 400, 'source.publish_token is required');
		}
		const fromToken = chatbotOfPublishToken(source.publish_token);
		if (!fromToken) return aiskError(ctx, 401, 'invalid publish token');
		chatbotId = fromToken.toLowerCase();
	} else {
		return aiskError(ctx, 400, `source.type must be ${SOURCE_CHATBOT_ID} or ${SOURCE_PUBLISH_TOKEN}`);
	}

	let restricted = false;
	if (body.setting !== undefined) {
		const citation = isJsonObject(body.setting) ? body.setting.citation : undefined;
		if (!isJsonObject(body.setting) || (citation !== undefined && !isJsonObject(citation))) return aiskError(ctx, 400, 'setting must be an object');
		if (isJsonObject(citation)) {
			if (citation.mode !== undefined && !CITATION_MODES.includes(String(citation.mode))) {
				return aiskError(ctx, 400, `setting.citation.mode must be one of ${CITATION_MODES.join(', ')}`);
			}
			if (citation.user_id !== undefined && typeof citation.user_id !== 'string') return aiskError(ctx, 400, 'setting.citation.user_id must be a string');
			restricted = citation.mode === 'PROMPT_CITATION_MODE_RESTRICTED';
		}
	}

	const token = `sim-prompt-${randomBytes(24).toString('base64url')}`;
	const expiresAt = Date.now() + AISK_PROMPT_TOKEN_TTL_SECONDS * 1000;
	ctx.core.aiskPromptTokens.set(token, { chatbotId, expiresAt, revoked: false, restricted });
	ctx.core.bump('aisk-prompt-tokens');
	sendJson(ctx.r, 200, { token, expires_in: AISK_PROMPT_TOKEN_TTL_SECONDS, expired_at: new Date(expiresAt).toISOString() });
}

type PromptTokenCheck = { ok: true; token: string; state: AiskPromptToken } | { ok: false; message: string };

function checkPromptToken(ctx: RequestContext): PromptTokenCheck {
	const auth = ctx.req.headers.authorization;
	if (!auth) return { ok: false, message: 'authorization header is missing' };
	const token = auth.replace(/^Bearer\s+/i, '').trim();
	const state = ctx.core.aiskPromptTokens.get(token);
	if (!state) return { ok: false, message: 'invalid prompt token' };
	if (state.revoked || Date.now() >= state.expiresAt) return { ok: false, message: 'prompt token expired' };
	return { ok: true, token, state };
}

export async function handleAiskInit(ctx: RequestContext): Promise<void> {
	const check = checkPromptToken(ctx);
	if (!check.ok) return aiskError(ctx, 401, check.message);
	const { chatbotId } = check.state;
	ctx.core.bump('aisk-init');
	sendJson(ctx.r, 200, {
		name: `Simulated chatbot ${chatbotId.slice(0, 8)}`,
		appearance: { enabled: false },
		reference: { kb_selection: true, display_citation: true },
		response_length: { enabled: false, input: 0, output: 0 },
		knowledge_base_infos: aiskKnowledgeBasesFor(chatbotId),
	});
}

/** Midnight after `now` in UTC+08:00 (the quota resets at 00:00 in the organization's time zone). */
function nextMidnightPlus8(now: number): { resetAt: string; resetInSec: number } {
	const offsetMs = 8 * 3600 * 1000;
	const local = new Date(now + offsetMs);
	const nextLocalMidnight = Date.UTC(local.getUTCFullYear(), local.getUTCMonth(), local.getUTCDate() + 1);
	const resetAt = new Date(nextLocalMidnight).toISOString().slice(0, 19) + '+08:00';
	return { resetAt, resetInSec: (nextLocalMidnight - offsetMs - now) / 1000 };
}

function errorInfo(reason: string, metadata: Record<string, string>) {
	return { '@type': 'type.googleapis.com/google.rpc.ErrorInfo', reason, domain: AISK_ERROR_DOMAIN, metadata };
}

export function aiskThrottleStatus(waitSec: string) {
	return {
		code: 8,
		message: 'throttle',
		details: [
			errorInfo('ERROR_REASON_PROMPT_THROTTLING', {
				duration: '1m0s',
				limit: '5',
				throttle_message: 'Too many messages in a row',
				vary_by: 'RATE_LIMIT_VARY_BY_DEVICE_ID',
				wait: `${waitSec}s`,
				wait_sec: waitSec,
			}),
		],
	};
}

export function aiskOutOfQuotaStatus(now = Date.now()) {
	const { resetAt, resetInSec } = nextMidnightPlus8(now);
	return {
		code: 8,
		message: 'out of quota',
		details: [
			errorInfo('ERROR_REASON_PROMPT_OUT_OF_QUOTA', {
				limit: '100',
				reset_at: resetAt,
				reset_in: `${resetInSec.toFixed(3)}s`,
				reset_in_sec: resetInSec.toFixed(3),
			}),
		],
	};
}

/** Byte position to cut an event at: inside a multi-byte character after the middle if there is one. */
function splitPoint(bytes: Buffer): number {
	const half = Math.floor(bytes.length / 2);
	for (let i = half; i < bytes.length; i++) if ((bytes[i] & 0xc0) === 0x80) return i;
	return Math.max(1, half);
}

interface StreamRequest {
	question: string;
	language?: string;
}

/** The body checks; a message naming the field, or the request. */
function readStreamRequest(body: unknown, chatbotId: string): StreamRequest | string {
	if (!isJsonObject(body)) return 'invalid request body: must be a JSON object';
	if (typeof body.question !== 'string' || body.question.trim() === '') return 'question is required';
	const known = aiskKnowledgeBasesFor(chatbotId).map((kb) => kb.id);
	const kbIds = body.kb_ids ?? [];
	if (!Array.isArray(kbIds) || kbIds.some((id) => typeof id !== 'string')) return 'kb_ids must be an array of strings';
	if (kbIds.length === 0 && known.length > 0) return 'kb_ids is required: at least one knowledge base of the chatbot';
	const unknown = kbIds.find((id) => !known.includes(id));
	if (unknown !== undefined) return `kb_ids: knowledge base "${unknown}" does not belong to the chatbot`;
	if (body.parent_ids !== undefined && (!Array.isArray(body.parent_ids) || body.parent_ids.some((id) => typeof id !== 'string'))) {
		return 'parent_ids must be an array of strings';
	}
	if (!isJsonObject(body.metadata)) return 'metadata is required';
	const { conversation_id: conversationId, language } = body.metadata;
	if (conversationId !== undefined && typeof conversationId !== 'string') return 'metadata.conversation_id must be a string';
	if (language !== undefined && typeof language !== 'string') return 'metadata.language must be a string';
	return { question: body.question, language: language || undefined };
}

export async function handleAiskStream(ctx: RequestContext): Promise<void> {
	const { r, core } = ctx;
	const body: unknown = ctx.json;
	const question = isJsonObject(body) && typeof body.question === 'string' ? body.question : '';
	const m = parseMarkers(question);
	const framingMarker = m.get('framing') ?? '';
	const framing: AiskFraming = isAiskFraming(framingMarker) ? framingMarker : 'sse';
	const wrappedErrors = m.has('errors-wrapped');

	const fail = (status: number, payload: unknown, headers: Record<string, string> = {}) => {
		if (!wrappedErrors) return sendJson(r, status, payload, headers);
		if (!r.alive || r.res.headersSent) return;
		r.res.writeHead(status, { 'content-type': 'application/json', ...headers });
		r.end(`${JSON.stringify({ error: payload })}\n`);
	};

	const latency = markerNum(m, 'latency');
	if (latency && !(await r.sleep(latency))) return;

	const check = checkPromptToken(ctx);
	if (!check.ok) return fail(401, aiskStatus(401, check.message));
	const request = readStreamRequest(body, check.state.chatbotId);
	if (typeof request === 'string') return fail(400, aiskStatus(400, request));

	if (m.has('expire-token') && core.bump(`aisk-expire-token:${question}`) === 1) {
		check.state.revoked = true;
		return fail(401, aiskStatus(401, 'prompt token expired'));
	}
	const status = markerNum(m, 'status');
	if (status !== undefined) return fail(status, aiskStatus(status), retryHeaders(status));
	if (m.has('quota')) return fail(429, aiskOutOfQuotaStatus());
	const throttle = markerNum(m, 'throttle');
	if (throttle !== undefined && core.bump(`aisk-throttle:${question}`) <= throttle) {
		const retryAfter = m.get('retry-after');
		return fail(429, aiskThrottleStatus(m.get('throttle-wait') || '0'), retryAfter ? { 'retry-after': retryAfter } : {});
	}

	core.bump('aisk-prompts');
	const modeMarker = m.get('mode');
	const mode: AiskMessageMode = modeMarker === 'delta' || modeMarker === 'cumulative' ? modeMarker : defaultMessageMode(framing);
	const answer = aiskAnswerSource(question, request.language);
	const total = answer.length;
	const pieces = markerNum(m, 'pieces');
	const errorMid = m.has('error-mid') ? markerNum(m, 'error-mid') ?? 500 : undefined;
	const cutsShort = errorMid !== undefined || m.has('reset');
	let size = pieces !== undefined && pieces > 0 ? Math.max(1, Math.ceil(total / pieces)) : Math.max(DEFAULT_PIECE, Math.ceil(total / MAX_MESSAGES));
	// a stream cut in the middle needs a middle: at least two messages
	if (cutsShort && Math.ceil(total / size) < 2 && total >= 2) size = Math.ceil(total / 2);
	const bounds = pieceBounds(total, size);
	const citations = aiskCitationsFor(question, { restricted: check.state.restricted });
	const citationsOn = m.get('citations') ?? 'last';
	const cutAt = Math.max(1, Math.floor(bounds.length / 2));
	const delay = markerNum(m, 'delay') ?? 0;
	const writer = new AiskFrameWriter(framing);

	r.res.writeHead(200, { 'content-type': AISK_FRAMING_CONTENT_TYPES[framing], 'cache-control': 'no-cache', 'x-accel-buffering': 'no' });
	r.res.flushHeaders();
	const opening = writer.open();
	if (opening && !(await r.write(opening))) return;

	const send = async (text: string, index: number): Promise<boolean> => {
		if (index > 0 && delay > 0 && !(await r.sleep(delay))) return false;
		if (!m.has('split')) return r.write(text);
		const bytes = Buffer.from(text);
		const at = splitPoint(bytes);
		return (await r.write(bytes.subarray(0, at))) && r.write(bytes.subarray(at));
	};
	const finish = async (): Promise<void> => {
		const closing = writer.close();
		if (closing && !(await r.write(closing))) return;
		if (m.has('done') && framing.startsWith('sse') && !(await r.write('data: [DONE]\n\n'))) return;
		r.end();
	};

	for (let k = 0; k < bounds.length; k++) {
		const [start, end] = bounds[k];
		if (k === cutAt && errorMid !== undefined) {
			if (await send(writer.error(aiskStatus(errorMid)), k)) await finish();
			return;
		}
		if (k === cutAt && m.has('reset')) return r.destroy();
		const withCitations = citationsOn === 'each' || (citationsOn === 'first' ? k === 0 : k === bounds.length - 1);
		const message = mode === 'delta' ? answer.slice(start, end) : answer.slice(0, end);
		if (!(await send(writer.message({ message, citations: withCitations ? citations : [] }), k))) return;
		if (k === 0 && m.has('stall')) return r.waitUntilGone();
	}
	core.bump('aisk-answered');
	await finish();
}
