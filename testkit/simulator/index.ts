/**
 * The project's vendor simulator: one HTTP server on 127.0.0.1 serving Tencent LKE (v1 SSE dialog),
 * Tencent ADP v2 chat, the Tencent Cloud API (GetWsToken, TC3-verified), BlendVision AiSK (chatbot
 * tokens and Ask) and tate-a-tate.
 * Behaviour and scenario markers are documented at the top of lke.ts, adpV2.ts, cloudApi.ts, aisk.ts, aiskAsk.ts, tate.ts.
 */
import { aiskCounts, expireAiskPromptTokens } from './aiskAsk';
import { isJsonObject, SimCore, type JsonObject } from './core';
import { listen, shutdown } from './server';
import { SIMULATOR_DEFAULTS, type RecordedRequest, type Script, type Simulator, type SimulatorOptions, type RouteName } from './types';

export { SIMULATOR_DEFAULTS };
export type { AiskCounts, RecordedRequest, RouteName, Script, ScriptStep, Simulator, SimulatorKeys, SimulatorOptions } from './types';
export {
	LKE_ANSWER_SENTENCE,
	LKE_BUSY_REPLY,
	LKE_ERROR_MESSAGES,
	LKE_LONG_PATTERN,
	LKE_REFERENCES,
	MAX_REPLY_EVENTS,
	lkeAnswerFor,
	lkeDisplayThoughtFor,
	lkeErrorMessage,
	lkeThoughtFor,
	lkeTokenStatFor,
} from './lke';
export {
	ADP_V2_BUSY_REPLY,
	ADP_V2_ERROR_MESSAGES,
	ADP_V2_ID_PATTERN,
	ADP_V2_LONG_PATTERN,
	ADP_V2_REFERENCES,
	adpV2AnswerFor,
	adpV2ErrorMessage,
	adpV2QuestionOf,
	adpV2RepliesFor,
	adpV2ThoughtsFor,
	adpV2ToolCallsFor,
	adpV2TurnFor,
	type AdpV2ExpectedMessage,
	type AdpV2ExpectedTurn,
	type AdpV2QuoteInfo,
	type AdpV2Reference,
	type AdpV2StatInfo,
} from './adpV2';
export { tateReplyFor } from './tate';
export {
	AISK_ANSWER_SENTENCE,
	AISK_CHATBOT_WITHOUT_KB,
	AISK_LONG_PATTERN,
	aiskAnswerFor,
	aiskCitationsFor,
	aiskKnowledgeBasesFor,
	type AiskCitationOptions,
	type AiskKnowledgeBaseInfo,
	type AiskWireCitation,
} from './aiskContent';
export { AISK_FRAMINGS, AISK_FRAMING_CONTENT_TYPES, type AiskFraming, type AiskMessageMode } from './aiskFraming';
export { AISK_ERROR_DOMAIN, AISK_PROMPT_TOKEN_TTL_SECONDS, aiskOutOfQuotaStatus, aiskThrottleStatus } from './aiskAsk';

export { isJsonObject, type JsonObject } from './core';

/** A top-level field of a recorded request's JSON body; undefined when the body is not a JSON object. */
export function requestField(request: RecordedRequest | undefined, name: string): unknown {
	return isJsonObject(request?.json) ? request.json[name] : undefined;
}

/** A recorded request's JSON body; throws when there is no request or its body is not a JSON object. */
export function requestBody(request: RecordedRequest | undefined): JsonObject {
	if (!request) throw new Error('no such request was recorded');
	if (!isJsonObject(request.json)) throw new Error(`the ${request.route} request's body is not a JSON object: ${request.body.slice(0, 200)}`);
	return request.json;
}

function pick(value: string | undefined, fallback: string): string {
	return value === undefined || value === '' ? fallback : value;
}

export async function startSimulator(options: SimulatorOptions = {}): Promise<Simulator> {
	const core = new SimCore({
		lkeAppKey: pick(options.lkeAppKey, SIMULATOR_DEFAULTS.lkeAppKey),
		secretId: pick(options.secretId, SIMULATOR_DEFAULTS.secretId),
		secretKey: pick(options.secretKey, SIMULATOR_DEFAULTS.secretKey),
		aiskToken: pick(options.aiskToken, SIMULATOR_DEFAULTS.aiskToken),
		tateSecretKey: pick(options.tateSecretKey, SIMULATOR_DEFAULTS.tateSecretKey),
		quiet: options.quiet ?? true,
	});
	const { server, port } = await listen(core, options.port ?? 0);
	let closing: Promise<void> | undefined;
	return {
		url: `http://127.0.0.1:${port}`,
		port,
		requests: core.requests,
		enqueue(route: RouteName, script: Script) {
			core.queues[route].push(script);
		},
		openConnections: () => core.sockets.size,
		connectionsOpened: () => core.opened,
		inFlight: (route?: RouteName) => core.inFlight.get(route ?? '*') ?? 0,
		peakInFlight: (route?: RouteName) => core.peakInFlight.get(route ?? '*') ?? 0,
		lkeAnswered: (content: string) => core.count(`lke-answered:${content}`),
		aiskCounts: () => aiskCounts(core),
		aiskExpirePromptTokens: () => expireAiskPromptTokens(core),
		adpV2Answered: (question: string) => core.count(`adpV2-answered:${question}`),
		reset: () => core.reset(),
		close() {
			closing ??= shutdown(core, server);
			return closing;
		},
	};
}

export interface SseEvent {
	event: string;
	data: string;
	json?: unknown;
}

/** Splits a whole SSE text on blank lines into events (a test helper; not a streaming parser). */
export function parseSse(text: string): SseEvent[] {
	const out: SseEvent[] = [];
	for (const block of text.split(/\r?\n\r?\n/)) {
		if (block.trim() === '') continue;
		let event = 'message';
		const data: string[] = [];
		for (const line of block.split(/\r?\n/)) {
			const i = line.indexOf(':');
			const field = i < 0 ? line : line.slice(0, i);
			let value = i < 0 ? '' : line.slice(i + 1);
			if (value.startsWith(' ')) value = value.slice(1);
			if (field === 'event') event = value;
			else if (field === 'data') data.push(value);
		}
		const e: SseEvent = { event, data: data.join('\n') };
		try {
			e.json = JSON.parse(e.data);
		} catch {
			// not JSON
		}
		out.push(e);
	}
	return out;
}
