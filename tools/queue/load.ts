/**
 * The queue check's load: webhook requests of several questions each, sent a few at a time, and
 * what the answers and the simulator's log say about them.
 */
import type { IDataObject } from 'n8n-workflow';
import { adpV2AnswerFor, adpV2QuestionOf, type Simulator } from '../../testkit/simulator';

export interface LoadRequest {
	id: number;
	questions: string[];
}

export interface LoadResponse {
	request: LoadRequest;
	status: number;
	body: { answers?: Array<{ question?: string; ok?: boolean; reply?: string; error?: unknown }> } | undefined;
	text: string;
	error?: string;
	ms: number;
}

/** `requests` requests of `perRequest` distinct questions, each answered after `latencyMs`. */
export function makeLoad(tag: string, requests: number, perRequest: number, latencyMs: number): LoadRequest[] {
	return Array.from({ length: requests }, (_, r) => ({
		id: r,
		questions: Array.from({ length: perRequest }, (_, q) => `${tag} req ${r} q ${q} [latency:${latencyMs}]`),
	}));
}

/** Sends the requests to `url`, `parallel` at a time; the responses in request order and the time it took. */
export async function fire(url: string, requests: LoadRequest[], parallel: number, timeoutMs = 120_000): Promise<{ results: LoadResponse[]; ms: number }> {
	const results: LoadResponse[] = [];
	let next = 0;
	const started = Date.now();
	const lane = async () => {
		while (next < requests.length) {
			const request = requests[next++];
			const t = Date.now();
			try {
				const res = await fetch(url, {
					method: 'POST',
					headers: { 'content-type': 'application/json' },
					body: JSON.stringify({ questions: request.questions }),
					signal: AbortSignal.timeout(timeoutMs),
				});
				const text = await res.text();
				let body: LoadResponse['body'];
				try {
					body = JSON.parse(text) as LoadResponse['body'];
				} catch {
					body = undefined;
				}
				results.push({ request, status: res.status, body, text, ms: Date.now() - t });
			} catch (error) {
				results.push({ request, status: 0, body: undefined, text: '', error: (error as Error).message, ms: Date.now() - t });
			}
		}
	};
	await Promise.all(Array.from({ length: Math.min(parallel, requests.length) }, lane));
	results.sort((a, b) => a.request.id - b.request.id);
	return { results, ms: Date.now() - started };
}

/** Why a response is not exactly the request's answers in order ('' when it is). */
export function answerProblem(response: LoadResponse): string {
	if (response.status !== 200) return `HTTP ${response.status}${response.error ? ` ${response.error}` : ''} ${response.text.slice(0, 200)}`;
	const answers = response.body?.answers;
	if (!Array.isArray(answers)) return `no answers array: ${response.text.slice(0, 200)}`;
	const questions = response.request.questions;
	if (answers.length !== questions.length) return `${answers.length} answers for ${questions.length} questions`;
	for (let i = 0; i < answers.length; i++) {
		const answer = answers[i];
		if (answer.question !== questions[i]) return `answer ${i} is for ${JSON.stringify(answer.question)}, not ${JSON.stringify(questions[i])}`;
		if (answer.ok !== true || answer.reply !== adpV2AnswerFor(questions[i])) {
			return `answer ${i} wrong: ok ${answer.ok}, error ${JSON.stringify(answer.error)}, reply ${JSON.stringify(String(answer.reply).slice(0, 80))}`;
		}
	}
	return '';
}

export interface SimulatorCounts {
	/** How often each question reached the ADP v2 chat route (the examples' API version). */
	asked: Map<string, number>;
	/** Questions of the load not asked exactly once. */
	notOnce: string[];
	/** Questions of the load not answered through to the final reply exactly once. */
	notAnsweredOnce: string[];
}

export function simulatorCounts(sim: Simulator, requests: LoadRequest[]): SimulatorCounts {
	const asked = new Map<string, number>();
	for (const recorded of sim.requests) {
		if (recorded.route !== 'adpV2') continue;
		const content = adpV2QuestionOf((recorded.json as IDataObject | undefined)?.Contents);
		asked.set(content, (asked.get(content) ?? 0) + 1);
	}
	const all = requests.flatMap((request) => request.questions);
	return {
		asked,
		notOnce: all.filter((question) => asked.get(question) !== 1),
		notAnsweredOnce: all.filter((question) => sim.adpV2Answered(question) !== 1),
	};
}
