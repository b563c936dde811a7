import { AgentChatError } from './errors';
import { parseRetryAfterMs } from './retry';

/** Statuses worth another attempt: rate limits and a busy or restarting upstream. */
export const RETRYABLE_HTTP_STATUSES: ReadonlySet<number> = new Set([429, 502, 503, 504]);

const BODY_EXCERPT_CHARS = 1_000;

/** Shortens a body for an error text; HTML pages are reduced to their text. */
export function bodyExcerpt(body: string): string {
	let text = body;
	if (/^\s*</.test(text)) text = text.replace(/<script[\s\S]*?<\/script>|<style[\s\S]*?<\/style>/gi, ' ').replace(/<[^>]+>/g, ' ');
	text = text.replace(/\s+/g, ' ').trim();
	return text.length > BODY_EXCERPT_CHARS ? `${text.slice(0, BODY_EXCERPT_CHARS)}…` : text;
}

/** A non-success HTTP answer that the vendor-specific mapper did not recognise. */
export function httpStatusError(vendor: string, status: number, body: string, retryAfter?: string): AgentChatError {
	const excerpt = bodyExcerpt(body);
	return new AgentChatError(`${vendor} answered HTTP ${status}${excerpt ? `: ${excerpt.slice(0, 200)}` : ''}`, {
		kind: 'http',
		code: status,
		httpStatus: status,
		description: excerpt ? `Response body: ${excerpt}` : 'The response body was empty.',
		retryable: RETRYABLE_HTTP_STATUSES.has(status),
		retryAfterMs: parseRetryAfterMs(retryAfter),
	});
}
