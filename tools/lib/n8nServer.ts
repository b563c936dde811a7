/**
 * `n8n start` for an instance of n8nHost.ts: start it, wait until it serves, set up the owner
 * account, wait for a webhook. Used by the streaming check, the queue check and the screenshots.
 */
import { sleep } from '../../testkit/time';
import { freePort, type Instance } from './n8nHost';
import type { ManagedProcess } from './processes';

export interface OwnerAccount {
	email: string;
	firstName: string;
	lastName: string;
	password: string;
}

export const DEFAULT_OWNER: OwnerAccount = { email: 'owner@example.com', firstName: 'Demo', lastName: 'Owner', password: 'AgentChat-Demo-2024!' };

export interface RunningN8n {
	process: ManagedProcess;
	baseUrl: string;
	output: () => string;
	stop: () => Promise<void>;
}

const READY_WITHIN_MS = 180_000;

/**
 * Starts `n8n start` on a free port of 127.0.0.1 (and a free task broker port) and resolves when
 * the editor is up ("Editor is now accessible via" logged and /healthz answering).
 */
export async function startN8n(instance: Instance, extraEnv: Record<string, string> = {}, name = 'n8n main'): Promise<RunningN8n> {
	const port = await freePort();
	const n8n = instance.spawn(name, ['start'], {
		N8N_PORT: String(port),
		N8N_LISTEN_ADDRESS: '127.0.0.1',
		N8N_HOST: '127.0.0.1',
		N8N_RUNNERS_BROKER_PORT: String(await freePort()),
		N8N_SECURE_COOKIE: 'false',
		// No internet here: skip n8n's own lookups of verified community packages.
		N8N_VERIFIED_PACKAGES_ENABLED: 'false',
		// "Editor is now accessible via" is logged at level info.
		N8N_LOG_LEVEL: 'info',
		...extraEnv,
	});
	const baseUrl = `http://127.0.0.1:${port}`;
	try {
		await n8n.waitForLine(/Editor is now accessible via/, READY_WITHIN_MS);
		await waitUntilHealthy(baseUrl, n8n);
	} catch (error) {
		await n8n.stop();
		throw error;
	}
	return { process: n8n, baseUrl, output: () => n8n.output(), stop: () => n8n.stop() };
}

async function waitUntilHealthy(baseUrl: string, n8n: ManagedProcess): Promise<void> {
	const deadline = Date.now() + 30_000;
	for (;;) {
		if (n8n.exited) throw new Error(`n8n start exited early:\n${n8n.tail()}`);
		try {
			if ((await fetch(`${baseUrl}/healthz`)).ok) return;
		} catch {
			// not listening yet
		}
		if (Date.now() > deadline) throw new Error(`n8n does not answer ${baseUrl}/healthz:\n${n8n.tail()}`);
		await sleep(500);
	}
}

/**
 * n8n 2.x activates published workflows in the background after the editor is up: waits until the
 * production webhook answers a CORS preflight (204 listing POST), which runs no workflow. Returns
 * how long that took.
 */
export async function waitForWebhook(baseUrl: string, webhookPath: string, timeoutMs = 90_000): Promise<number> {
	const started = Date.now();
	for (;;) {
		try {
			const res = await fetch(`${baseUrl}/webhook/${webhookPath}`, {
				method: 'OPTIONS',
				headers: { origin: 'http://127.0.0.1', 'access-control-request-method': 'POST' },
			});
			await res.arrayBuffer();
			if (res.status === 204 && /\bPOST\b/.test(res.headers.get('access-control-allow-methods') ?? '')) return Date.now() - started;
		} catch {
			// not yet
		}
		if (Date.now() - started > timeoutMs) throw new Error(`webhook ${webhookPath} was not registered within ${timeoutMs / 1000} s`);
		await sleep(500);
	}
}

/**
 * Creates the owner account through the REST API (a fresh instance has none) and returns the
 * `n8n-auth=<jwt>` cookie it issues. No browser-id header is sent, so the cookie is not bound to
 * a browser and also works in a headless browser.
 */
export async function setupOwner(baseUrl: string, owner: OwnerAccount = DEFAULT_OWNER): Promise<string> {
	const res = await fetch(`${baseUrl}/rest/owner/setup`, {
		method: 'POST',
		headers: { 'content-type': 'application/json' },
		body: JSON.stringify(owner),
	});
	if (!res.ok) throw new Error(`owner setup: HTTP ${res.status} ${await res.text()}`);
	const cookies = res.headers.getSetCookie();
	const auth = cookies.map((c) => c.split(';')[0]).find((c) => c.startsWith('n8n-auth='));
	if (!auth) throw new Error(`owner setup: no n8n-auth cookie (${cookies.join(' | ')})`);
	return auth;
}
