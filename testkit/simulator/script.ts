import type { Responder } from './core';
import type { RouteName, Script } from './types';

/**
 * Plays a queued Script: the head (flushed at once), then each string/Buffer step as ONE
 * `res.write`, `{delayMs}` waits, `{destroy:true}` resets the connection. Ends unless `end: false`.
 */
export async function playScript(r: Responder, route: RouteName, script: Script): Promise<void> {
	const headers: Record<string, string> = {
		'content-type': route === 'lke' || route === 'adpV2' ? 'text/event-stream' : 'application/json; charset=utf-8',
	};
	for (const [k, v] of Object.entries(script.headers ?? {})) headers[k.toLowerCase()] = v;
	r.res.writeHead(script.status ?? 200, headers);
	r.res.flushHeaders();
	for (const step of script.steps) {
		if (typeof step === 'string' || Buffer.isBuffer(step)) {
			if (!(await r.write(step))) return;
		} else if ('delayMs' in step) {
			if (!(await r.sleep(step.delayMs))) return;
		} else if ('destroy' in step && step.destroy) {
			r.destroy();
			return;
		}
	}
	if (script.end === false) return r.waitUntilGone();
	r.end();
}
