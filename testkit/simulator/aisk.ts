/**
 * BlendVision One AiSK: `POST /bv/aisk/v1/chatbots/:id/token`, grpc-gateway style errors
 * `{"code":<gRPC code>,"message","details":[{"@type":…}]}`.
 *
 * - `authorization: Bearer <aiskToken>` required, else 401 code 16 (details []).
 * - The id must be a UUID, else 400 code 3. A non-empty body must be JSON, else 400 code 3.
 * - Marker ids: `00000000-0000-4000-8000-000000000SSS` always fail with HTTP status SSS
 *   (400→3, 403→7, 404→5, 409→10, 429→8 with ErrorInfo RATE_LIMITED wait_sec "0" and
 *   Retry-After: 0, 500→13, 501→12, 503→14 (Retry-After: 0), 504→4, other→2);
 *   `00000000-0000-4000-8000-000000f00SSS` fails with SSS the first time (counted per id), then succeeds.
 * - Success: 200 `{"token": <random JWT-shaped string>}`. `x-bv-org-id` is only recorded.
 */
import { randomBytes, randomUUID } from 'crypto';
import { retryHeaders, sendJson, type RequestContext } from './core';

const GRPC: Record<number, [number, string, string]> = {
	400: [3, 'INVALID_ARGUMENT', 'invalid argument'],
	401: [16, 'UNAUTHENTICATED', 'unauthenticated'],
	403: [7, 'PERMISSION_DENIED', 'permission denied: the API token cannot access this chatbot'],
	404: [5, 'NOT_FOUND', 'chatbot not found'],
	409: [10, 'ABORTED', 'aborted'],
	429: [8, 'RESOURCE_EXHAUSTED', 'rate limit exceeded, retry later'],
	500: [13, 'INTERNAL', 'internal error'],
	501: [12, 'UNIMPLEMENTED', 'not implemented'],
	503: [14, 'UNAVAILABLE', 'service unavailable'],
	504: [4, 'DEADLINE_EXCEEDED', 'deadline exceeded'],
};

const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const MARKER_RE = /^00000000-0000-4000-8000-000000(000|f00)(\d{3})$/i;

function errorInfo(reason: string, metadata: Record<string, string> = {}) {
	return { '@type': 'type.googleapis.com/google.rpc.ErrorInfo', reason, domain: 'aisk.blendvision.com', metadata };
}

/** The google.rpc.Status body grpc-gateway sends with HTTP `status`. */
export function aiskStatus(status: number, message?: string): { code: number; message: string; details: unknown[] } {
	const [code, name, defaultMessage] = GRPC[status] ?? [2, 'UNKNOWN', 'unknown error'];
	const details = status === 401 ? [] : status === 429 ? [errorInfo('RATE_LIMITED', { wait_sec: '0' })] : [errorInfo(name)];
	return { code, message: message ?? defaultMessage, details };
}

export function aiskError(ctx: RequestContext, status: number, message?: string): void {
	sendJson(ctx.r, status, aiskStatus(status, message), retryHeaders(status));
}

function b64url(data: string | Buffer): string {
	return Buffer.from(data).toString('base64url');
}

export async function handleAisk(ctx: RequestContext, rawId: string): Promise<void> {
	const auth = ctx.req.headers.authorization;
	if (!auth) return aiskError(ctx, 401, 'authorization header is missing');
	const bearer = /^Bearer\s+(.+)$/i.exec(auth);
	if (!bearer || bearer[1] !== ctx.core.opts.aiskToken) return aiskError(ctx, 401, 'invalid API token');

	let id: string;
	try {
		id = decodeURIComponent(rawId);
	} catch {
		id = rawId;
	}
	if (!UUID_RE.test(id)) return aiskError(ctx, 400, `invalid chatbot id "${id}": must be a UUID`);
	if (ctx.text.trim() !== '' && ctx.json === undefined) return aiskError(ctx, 400, 'invalid request body: not JSON');

	const marker = MARKER_RE.exec(id);
	if (marker) {
		const status = Number(marker[2]);
		if (status >= 400 && status <= 599) {
			const once = marker[1].toLowerCase() === 'f00';
			if (!once || ctx.core.bump(`aisk-once:${id.toLowerCase()}`) === 1) return aiskError(ctx, status);
		}
	}

	const iat = Math.floor(Date.now() / 1000);
	const token = [
		b64url(JSON.stringify({ alg: 'HS256', typ: 'JWT' })),
		b64url(JSON.stringify({ sub: id, aud: 'aisk-chatbot', iat, exp: iat + 3600, jti: randomUUID() })),
		b64url(randomBytes(32)),
	].join('.');
	sendJson(ctx.r, 200, { token });
}
