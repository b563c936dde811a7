import type { IDataObject } from 'n8n-workflow';
import { AgentChatError } from '../shared/errors';
import type { CallOptions } from '../shared/itemRunner';
import { withRetries } from '../shared/retry';
import { headerValue, readBodyText, withHttpExchange } from '../shared/transport';
import { aiskErrorFromResponse } from './errors';
import type { AiskTokenRequest } from './tokenRequest';

/** AiSK calls: one attempt per request sent, retried within the request's timeout. */

const ANSWER_MAX_BYTES = 1024 * 1024;

export interface AiskCallOptions extends CallOptions {
	random?: () => number;
}

/** A JSON call sent once: the parsed success body (an object), or an AgentChatError. */
export async function requestJsonOnce(
	call: { url: string; method: 'GET' | 'POST'; headers: Record<string, string>; body?: string },
	budgetMs: number,
	signal?: AbortSignal,
): Promise<IDataObject> {
	const exchangeOptions = {
		url: call.url,
		method: call.method,
		headers: call.headers,
		body: call.body,
		idleTimeoutMs: budgetMs,
		totalTimeoutMs: budgetMs,
		signal,
	};
	return await withHttpExchange(exchangeOptions, async (exchange) => {
		const text = await readBodyText(exchange, ANSWER_MAX_BYTES);
		if (exchange.statusCode < 200 || exchange.statusCode >= 300) {
			throw aiskErrorFromResponse(exchange.statusCode, text, headerValue(exchange.headers, 'retry-after'));
		}
		let parsed: unknown;
		try {
			parsed = JSON.parse(text);
		} catch {
			parsed = undefined;
		}
		if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) {
			throw new AgentChatError('AiSK answered with something that is not a JSON object', {
				kind: 'protocol',
				code: 'UNEXPECTED_RESPONSE',
				httpStatus: exchange.statusCode,
			});
		}
		return parsed as IDataObject;
	});
}

/** One attempt: the parsed success body, or an AgentChatError. */
async function attemptOnce(request: AiskTokenRequest, budgetMs: number, signal?: AbortSignal): Promise<IDataObject> {
	return await requestJsonOnce({ url: request.url, method: 'POST', headers: request.headers, body: '{}' }, budgetMs, signal);
}

/**
 * Creates the token, retrying RESOURCE_EXHAUSTED (8) and UNAVAILABLE (14), HTTP 429/502/503/504 and
 * refused or reset connections, after the server's wait (Retry-After or ErrorInfo wait_sec) when it gives one.
 */
export async function createChatbotToken(request: AiskTokenRequest, options: AiskCallOptions = {}): Promise<{ token: string; chatbotId: string }> {
	return await withRetries({ ...options, maxRetries: request.maxRetries, timeoutMs: request.timeoutMs }, async (budgetMs) => {
		const body = await attemptOnce(request, budgetMs, options.signal);
		if (typeof body.token !== 'string' || body.token === '') {
			throw new AgentChatError('AiSK answered without a token', {
				kind: 'protocol',
				code: 'UNEXPECTED_RESPONSE',
				description: `The answer had the fields: ${Object.keys(body).join(', ') || 'none'}.`,
			});
		}
		return { token: body.token, chatbotId: request.chatbotId };
	});
}
