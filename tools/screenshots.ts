/**
 * Screenshots of the nodes in a real n8n 2.x editor, for the README.
 *
 *   npm run screenshots
 *
 * Starts n8n 2.41.x (the cached host of tools/lib/n8nHost.ts) with this package installed as a
 * community package, imports examples/batch-qa.json (or a small workflow of its own when the
 * example is missing) and a placeholder Tencent LKE credential, sets up the owner account through
 * the REST API and, with headless Chromium driven by playwright-core, saves:
 *
 *   docs/images/canvas.png           the workflow on the canvas
 *   docs/images/chat-node-panel.png  the Tencent LKE chat node's parameter panel
 *
 * Needs Chromium (Debian/Ubuntu: `apt-get install -y chromium`; another binary: CHROMIUM_PATH)
 * and playwright-core (a devDependency: `npm ci`). Installs nothing itself.
 */
import * as fs from 'fs';
import * as path from 'path';
import type { BrowserContext, Page } from 'playwright-core';
import { PROFILES } from '../testkit/profiles';
import { sleep } from '../testkit/time';
import { REPO_ROOT, readExample, type WorkflowJson } from './lib/exampleRig';
import { createInstance, ensureHost, packPackage, type CredentialImport, type NodeImport } from './lib/n8nHost';
import { setupOwner, startN8n } from './lib/n8nServer';
import { addCleanup, makeTempDir, runTool } from './lib/processes';

const VIEWPORT = { width: 1440, height: 900 };
const CHROMIUM_ARGS = [
	'--headless',
	'--no-sandbox',
	'--disable-gpu',
	'--disable-quic',
	'--no-first-run',
	'--disable-background-networking',
	'--disable-component-update',
	'--disable-sync',
];

function log(line: string): void {
	process.stdout.write(`[screenshots] ${line}\n`);
}

interface Prepared {
	workflow: WorkflowJson;
	/** The node whose parameter panel is shown. */
	chatNode: NodeImport;
	source: string;
}

const CHAT_NODE_TYPE = PROFILES['lke-chat'].nodeType;

/** examples/batch-qa.json when it exists, else a Manual Trigger → Tencent LKE workflow. */
function prepareWorkflow(): Prepared {
	if (fs.existsSync(path.join(REPO_ROOT, 'examples', 'batch-qa.json'))) {
		const workflow = readExample('batch-qa.json');
		const chatNode = workflow.nodes.find((n) => n.type === CHAT_NODE_TYPE);
		if (chatNode) {
			workflow.id ||= 'exBatchQa';
			workflow.active = false;
			return { workflow, chatNode, source: 'examples/batch-qa.json' };
		}
	}
	const chatNode: NodeImport = {
		id: '5f0c3f59-8f1e-4c55-9d0b-6a3e9d7f1a01',
		name: 'Ask Tencent LKE',
		type: CHAT_NODE_TYPE,
		typeVersion: 1,
		position: [260, 0],
		parameters: { content: '={{ $json.chatInput }}', options: {} },
		credentials: { tencentLkeApi: { id: 'lke-demo', name: 'Tencent LKE account' } },
	};
	const workflow: WorkflowJson = {
		id: 'screenshotWf01',
		name: 'Ask Tencent LKE',
		active: false,
		settings: { executionOrder: 'v1' },
		nodes: [
			{ id: '5f0c3f59-8f1e-4c55-9d0b-6a3e9d7f1a00', name: 'When clicking ‘Execute workflow’', type: 'n8n-nodes-base.manualTrigger', typeVersion: 1, position: [0, 0], parameters: {} },
			chatNode,
		],
		connections: { 'When clicking ‘Execute workflow’': { main: [[{ node: 'Ask Tencent LKE', type: 'main', index: 0 }]] } },
	};
	return { workflow, chatNode, source: 'a workflow of its own (examples/batch-qa.json not found)' };
}

/** The credentials the workflow refers to, as placeholders (no request is made). */
function placeholderCredentials(workflow: WorkflowJson): CredentialImport[] {
	const seen = new Map<string, CredentialImport>();
	for (const node of workflow.nodes) {
		for (const [type, ref] of Object.entries(node.credentials ?? {})) {
			if (!ref?.id || seen.has(ref.id)) continue;
			const data: Record<string, string> =
				type === 'tencentLkeApi'
					? { appKey: 'placeholder-app-key', site: 'international' }
					: type === 'aiskApi'
						? { apiToken: 'placeholder-token', baseUrl: 'https://api.one.blendvision.com' }
						: type === 'tateATateApi'
							? { secretKey: 'placeholder-secret', baseUrl: 'https://chat.tate-a-tate.com/im' }
							: {};
			seen.set(ref.id, { id: ref.id, name: ref.name ?? type, type, data });
		}
	}
	return [...seen.values()];
}

async function closePopups(page: Page): Promise<void> {
	// Whatever n8n shows on a first visit (tours, notices): Escape closes dialogs; toasts are closed by their button.
	await page.keyboard.press('Escape').catch(() => undefined);
	await closeToasts(page);
}

async function closeToasts(page: Page): Promise<void> {
	for (const close of await page.locator('.el-notification .el-notification__closeBtn').all()) {
		await close.click({ timeout: 1000 }).catch(() => undefined);
	}
}

async function shootCanvas(page: Page, baseUrl: string, workflow: WorkflowJson, file: string): Promise<void> {
	await page.goto(`${baseUrl}/workflow/${workflow.id}`, { waitUntil: 'domcontentloaded' });
	const nodeCount = workflow.nodes.length;
	await page.locator('.vue-flow__node').nth(Math.max(0, nodeCount - 1)).waitFor({ state: 'attached', timeout: 60_000 });
	await page.waitForLoadState('networkidle', { timeout: 15_000 }).catch(() => undefined);
	await sleep(1500); // icons and the fit-view animation
	await closePopups(page);
	// "1": zoom to fit.
	await page.locator('.vue-flow__pane').first().click({ position: { x: 5, y: 5 } }).catch(() => undefined);
	await page.keyboard.press('1').catch(() => undefined);
	await sleep(1000);
	await page.screenshot({ path: file });
}

async function shootPanel(page: Page, baseUrl: string, workflow: WorkflowJson, chatNode: NodeImport, file: string): Promise<void> {
	// /workflow/:id/:nodeId opens the node's details view.
	await page.goto(`${baseUrl}/workflow/${workflow.id}/${chatNode.id}`, { waitUntil: 'domcontentloaded' });
	const ndv = page.locator('[data-test-id="ndv"]');
	await ndv.first().waitFor({ state: 'visible', timeout: 60_000 });
	await page.getByText('Content', { exact: true }).first().waitFor({ state: 'visible', timeout: 30_000 });
	await page.waitForLoadState('networkidle', { timeout: 15_000 }).catch(() => undefined);
	await sleep(1500);
	await closeToasts(page);
	await page.screenshot({ path: file });
}

async function main(): Promise<number> {
	const chromiumPath = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
	if (!fs.existsSync(chromiumPath)) {
		process.stderr.write(
			`Chromium not found at ${chromiumPath}.\n` +
				`Install it (Debian/Ubuntu): sudo apt-get update && sudo apt-get install -y chromium\n` +
				`or point CHROMIUM_PATH at a Chromium/Chrome binary.\n`,
		);
		return 2;
	}
	let playwright: typeof import('playwright-core');
	try {
		playwright = await import('playwright-core');
	} catch {
		process.stderr.write('playwright-core is missing: run `npm ci` (it is a devDependency).\n');
		return 2;
	}
	if (!fs.existsSync(path.join(REPO_ROOT, 'dist', 'nodes', 'TencentLke', 'TencentLke.node.js'))) {
		process.stderr.write('dist/ is missing: run `npm run build` first (npm run screenshots does).\n');
		return 2;
	}
	const outDir = path.join(REPO_ROOT, 'docs', 'images');
	fs.mkdirSync(outDir, { recursive: true });

	const host = await ensureHost('v2');
	log(`n8n ${host.version}`);
	const tmp = makeTempDir('n8n-screenshots');
	const tarball = await packPackage(REPO_ROOT, path.join(tmp, 'pack'));
	const instance = await createInstance(host, { packageTarball: tarball });
	addCleanup(instance.dispose);
	const { workflow, chatNode, source } = prepareWorkflow();
	log(`workflow: ${source}`);
	const creds = placeholderCredentials(workflow);
	if (creds.length) await instance.importCredentials(creds);
	await instance.importWorkflows([workflow]);

	const n8n = await startN8n(instance);
	log(`n8n started at ${n8n.baseUrl}`);
	const cookie = await setupOwner(n8n.baseUrl);

	const context: BrowserContext = await playwright.chromium.launchPersistentContext(path.join(tmp, 'chromium-profile'), {
		executablePath: chromiumPath,
		headless: true,
		args: CHROMIUM_ARGS,
		viewport: VIEWPORT,
		deviceScaleFactor: 1,
		locale: 'en-US',
		colorScheme: 'light',
	});
	addCleanup(() => context.close().catch(() => undefined));
	const [name, ...rest] = cookie.split('=');
	await context.addCookies([{ name, value: rest.join('='), url: n8n.baseUrl }]);
	const page = context.pages()[0] ?? (await context.newPage());

	const canvasFile = path.join(outDir, 'canvas.png');
	await shootCanvas(page, n8n.baseUrl, workflow, canvasFile);
	log(`saved ${path.relative(REPO_ROOT, canvasFile)}`);
	const panelFile = path.join(outDir, 'chat-node-panel.png');
	await shootPanel(page, n8n.baseUrl, workflow, chatNode, panelFile);
	log(`saved ${path.relative(REPO_ROOT, panelFile)}`);
	return 0;
}

runTool('screenshots', main);
