/**
 * tate-a-tate's Authorization header ("simple" algorithm): base64 of
 * `{"timestamp":<seconds>,"secretKey":…,"signature":<the same>,"alg":"simple"}`. The server refuses a
 * timestamp more than 30 seconds from its clock, so a fresh value is built for every attempt.
 */
export function buildTateAuthorization(secretKey: string, nowMs: number = Date.now()): string {
	const payload = JSON.stringify({
		timestamp: Math.floor(nowMs / 1000),
		secretKey,
		signature: secretKey,
		alg: 'simple',
	});
	return Buffer.from(payload, 'utf8').toString('base64');
}
