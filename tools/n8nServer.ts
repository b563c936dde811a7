/**
 * `n8n start` for a scripts/n8nHost.ts instance: start, wait until ready, set up the owner
 * account, stop (the whole process group). Used by scripts/streamingCheck.ts and
 * scripts/screenshots.ts.
 */
import { ChildProcess } from 'child_process';
import { freePort, type Instance } from './n8nHost';

export interface OwnerAccount {
	email: string;
	firstName: string;
	lastName: string;
	password: string;
}

export const DEFAULT_OWNER: OwnerAccount = { email: 'owner@example.com', firstName: 'Demo', lastName: 'Owner', password: 'AgentChat-Demo-2024!' };

function sleep(ms: number): Promise<void> {
	return new Promise((r) => setTimeout(r, ms));
}

export interface RunningN8n {
	child: ChildProcess;
	baseUrl: string;
	output: () => string;
	stop: () => Promise<void>;
}

/**
 * Starts `n8n start` on a free port of 127.0.0.1 (and a free task broker port) and resolves when
 * the editor is up ("Editor is now accessible via" logged and /healthz answering). The caller
 * must call stop(), which ends n8n's whole process group.
 */
export async function startN8n(instance: Instance, extraEnv: Record<string, string> = {}): Promise<RunningN8n> {
	const port = await freePort();
	const child = instance.spawn(['start'], {
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
	let out = '';
	let exited = false;
	const onData = (c: Buffer) => {
		out += c.toString('utf8');
		if (out.length > 400_000) out = out.slice(-200_000);
	};
	child.stdout!.on('data', onData);
	child.stderr!.on('data', onData);
	const exitPromise = new Promise<void>((resolve) =>
		child.once('exit', () => {
			exited = true;
			resolve();
		}),
	);
	const signalGroup = (sig: NodeJS.Signals) => {
		try {
			if (child.pid) process.kill(-child.pid, sig);
		} catch {
			/* gone */
		}
	};
	// If this script dies, do not leave n8n behind.
	const onExit = () => signalGroup('SIGKILL');
	process.on('exit', onExit);
	const stop = async () => {
		process.removeListener('exit', onExit);
		if (exited) return;
		signalGroup('SIGTERM');
		const timer = setTimeout(() => signalGroup('SIGKILL'), 15_000);
		await exitPromise;
		clearTimeout(timer);
		// Anything left in the group (n8n's helpers) goes too.
		signalGroup('SIGKILL');
	};

	const baseUrl = `http://127.0.0.1:${port}`;
	const deadline = Date.now() + 180_000;
	for (;;) {
		if (exited) throw new Error(`n8n start exited early:\n${out.split('\n').slice(-30).join('\n')}`);
		if (Date.now() > deadline) {
			await stop();
			throw new Error(`n8n start did not become ready in 180 s:\n${out.split('\n').slice(-30).join('\n')}`);
		}
		if (out.includes('Editor is now accessible via')) {
			try {
				const res = await fetch(`${baseUrl}/healthz`);
				if (res.ok) break;
			} catch {
				/* not listening yet */
			}
		}
		await sleep(500);
	}
	return { child, baseUrl, output: () => out, stop };
}

/**
 * n8n 2.x activates published workflows in the background (its workflow publication service) after
 * the editor is up: wait until the production webhook answers a CORS preflight (204 listing POST).
 * The preflight runs no workflow.
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
			/* not yet */
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

