/**
 * Live streaming and AI-tool variants in a real n8n 2.x started with `n8n start`.
 *
 *   npm run test:streaming
 *
 * Packs this package, installs it into a fresh n8n 2.41.x instance (the cached host of
 * tools/lib/n8nHost.ts), starts the vendor simulator, imports credentials pointing at it and, for
 * each streaming node (Tencent LKE chat on ADP v2, the default, and on LKE v1, tate-a-tate in stream
 * mode, AiSK Ask), two workflows:
 * Webhook with "Respond: Streaming" → the node → Respond to Webhook (first incoming item), once
 * with the node's Enable Streaming option on and once off. It publishes them, starts `n8n start`
 * and then:
 *
 *   1. Streaming on: POSTs a question to the webhook and reads the response body as it arrives.
 *      n8n writes one JSON line per chunk ({"type":"begin"|"item"|"end","content",…,"metadata"}).
 *      Checks that the node's first text chunk comes well before the end, that its `item`
 *      contents put together are the whole answer, and that they are deltas (the LKE API and, here,
 *      the AiSK simulator send cumulative text, ADP v2 text.replace events by default); then that
 *      Respond to Webhook sent the final item.
 *   2. Streaming off: the same question; the node sends no chunk at all, and the client still gets
 *      the final item from Respond to Webhook, with the whole answer.
 *   3. Sets up the owner account, reads /types/nodes.json and checks the `…Tool` variants that
 *      n8n generates for `usableAsTool` nodes, and which of their parameters an AI Agent can fill
 *      ("Let the model define this parameter" → $fromAI()).
 *
 * Prints the figures and `N passed, M failed`; exits non-zero when a check failed.
 */
import { randomUUID } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import type { INodeParameters } from 'n8n-workflow';
import { PROFILES, parametersOf, type NodeKind } from '../testkit/profiles';
import { adpV2AnswerFor, adpV2QuestionOf, aiskAnswerFor, isJsonObject, lkeAnswerFor, requestField, startSimulator, tateReplyFor } from '../testkit/simulator';
import { seconds } from '../testkit/time';
import { Checks } from './lib/checks';
import { EXAMPLE_CREDENTIALS, REPO_ROOT, simulatorCredentialImports, type WorkflowJson } from './lib/exampleRig';
import { createInstance, ensureHost, packPackage, type Instance, type NodeImport } from './lib/n8nHost';
import { setupOwner, startN8n, waitForWebhook, type RunningN8n } from './lib/n8nServer';
import { addCleanup, makeTempDir, runTool } from './lib/processes';

const checks = new Checks();

function check(name: string, ok: boolean, detail = ''): void {
	checks.record(name, ok, detail);
}

function info(line: string): void {
	checks.info(line);
}

// ---------------------------------------------------------------------------------------------
// Streaming webhook client

/** One line of n8n's streamed response. */
interface StreamLine {
	type?: unknown;
	content?: unknown;
	metadata?: { nodeName?: string };
}

interface Chunk {
	at: number;
	type: string;
	/** The content when it is text (a node's live answer). */
	content?: string;
	/** The content as sent (Respond to Webhook sends the item as JSON text). */
	value?: unknown;
	nodeName?: string;
}

interface StreamResult {
	status: number;
	contentType: string;
	chunks: Chunk[];
	/** ms from the request to the first `item` chunk with text. */
	firstItemMs: number;
	/** ms from the request to the end of the response body. */
	totalMs: number;
	/** Arrival times (ms) of the network reads. */
	readTimes: number[];
	badLines: string[];
	/** The whole body, for failure messages. */
	body: string;
}

async function postStreaming(url: string, body: unknown): Promise<StreamResult> {
	const started = performance.now();
	const res = await fetch(url, {
		method: 'POST',
		headers: { 'content-type': 'application/json' },
		body: JSON.stringify(body),
	});
	const chunks: Chunk[] = [];
	const readTimes: number[] = [];
	const badLines: string[] = [];
	let firstItemMs = NaN;
	let buffer = '';
	let bodyText = '';
	const decoder = new TextDecoder();
	const takeLine = (line: string, at: number) => {
		if (!line.trim()) return;
		try {
			const raw = JSON.parse(line) as StreamLine;
			const chunk: Chunk = { at, type: String(raw.type), content: typeof raw.content === 'string' ? raw.content : undefined, value: raw.content, nodeName: raw.metadata?.nodeName };
			chunks.push(chunk);
			if (chunk.type === 'item' && chunk.content && Number.isNaN(firstItemMs)) firstItemMs = at;
		} catch {
			badLines.push(line);
		}
	};
	if (!res.body) throw new Error(`${url}: no response body (HTTP ${res.status})`);
	const reader = res.body.getReader();
	for (;;) {
		const { done, value } = await reader.read();
		if (done) break;
		const at = performance.now() - started;
		readTimes.push(at);
		const text = decoder.decode(value, { stream: true });
		buffer += text;
		if (bodyText.length < 4000) bodyText += text;
		let nl: number;
		while ((nl = buffer.indexOf('\n')) >= 0) {
			takeLine(buffer.slice(0, nl), at);
			buffer = buffer.slice(nl + 1);
		}
	}
	const totalMs = performance.now() - started;
	buffer += decoder.decode();
	takeLine(buffer, totalMs);
	return { status: res.status, contentType: res.headers.get('content-type') ?? '', chunks, firstItemMs, totalMs, readTimes, badLines, body: bodyText };
}

function checkStream(
	label: string,
	nodeName: string,
	r: StreamResult,
	expected: string | ((text: string) => string | null),
	checkTiming = true,
): void {
	check(`${label}: HTTP 200, JSON lines`, r.status === 200 && r.badLines.length === 0, `status ${r.status}, ${r.contentType}, ${r.chunks.length} lines, ${r.badLines.length} not JSON${r.status === 200 ? '' : `: ${r.body.slice(0, 300)}`}`);
	const mine = r.chunks.filter((c) => c.nodeName === nodeName);
	const types = mine.map((c) => c.type);
	const items = mine.filter((c) => c.type === 'item').map((c) => c.content ?? '');
	const text = items.join('');
	info(`chunk types from "${nodeName}": ${summarizeTypes(types)}; other lines: ${r.chunks.length - mine.length}`);
	info(`item chunks: ${items.map((s) => JSON.stringify(s)).join(' ')}`);
	check(
		`${label}: begin, items, end in order`,
		types[0] === 'begin' && types[types.length - 1] === 'end' && types.slice(1, -1).every((t) => t === 'item') && items.length >= 5,
		`${items.length} items`,
	);
	const want = typeof expected === 'string' ? expected : expected(text);
	check(`${label}: items put together = the final reply`, want !== null && text === want, want === null ? `unexpected text ${JSON.stringify(text)}` : `${[...text].length} chars`);
	let prefix = '';
	let repeats = 0;
	for (const item of items) {
		if (prefix && item.startsWith(prefix)) repeats++;
		prefix += item;
	}
	check(`${label}: chunks are deltas`, items.length > 1 && repeats === 0 && items.every((s) => s.length > 0), `${repeats} chunk(s) repeat the text before them`);
	const ratio = r.firstItemMs / r.totalMs;
	info(`time to first text chunk ${r.firstItemMs.toFixed(0)} ms, to the end ${r.totalMs.toFixed(0)} ms (${(ratio * 100).toFixed(0)} %), ${r.readTimes.length} network reads`);
	const itemTimes = mine.filter((c) => c.type === 'item').map((c) => c.at);
	const distinctReads = new Set(itemTimes.map((t) => t.toFixed(1))).size;
	if (!checkTiming) return;
	check(`${label}: first text chunk arrives live (< 50 % of the total time)`, ratio < 0.5, `${(ratio * 100).toFixed(0)} %`);
	check(`${label}: text chunks arrive spread over time, not in one burst`, items.length >= 5 && distinctReads >= 5, `${distinctReads} distinct arrival times for ${items.length} items`);
}

function summarizeTypes(types: string[]): string {
	const out: string[] = [];
	for (const t of types) {
		const last = out[out.length - 1];
		const m = last && /^(\w+)(?: x(\d+))?$/.exec(last);
		if (m && m[1] === t) out[out.length - 1] = `${t} x${Number(m[2] ?? 1) + 1}`;
		else out.push(t);
	}
	return out.join(', ');
}

// ---------------------------------------------------------------------------------------------
// Tool variants

/** What /types/nodes.json says about a node type (the fields read here). */
interface NodeTypeDescription {
	name: string;
	displayName?: string;
	inputs?: unknown;
	outputs?: unknown;
	codex?: { subcategories?: Record<string, string[]> };
	properties?: Array<{ name: string; type: string; noDataExpression?: boolean; default?: unknown }>;
	credentials?: Array<{ name: string }>;
}

type Property = NonNullable<NodeTypeDescription['properties']>[number];

/** What the editor's "Let the model define this parameter" needs (n8n 2.40 and 2.41 editor: no noDataExpression, not options / credentialsSelect). */
function fillableByModel(prop: Property): boolean {
	return !prop.noDataExpression && !['options', 'credentialsSelect', 'notice', 'hidden', 'callout'].includes(prop.type);
}

/** The parameters an AI Agent must be able to fill, per node type of the package. */
const MODEL_FILLS: Array<{ nodeType: string; fill: string[] }> = [
	{ nodeType: PROFILES['lke-chat'].nodeType, fill: ['content', 'sessionId', 'visitorBizId'] },
	{ nodeType: PROFILES.aisk.nodeType, fill: ['chatbotId', 'question', 'conversationId'] },
	{ nodeType: PROFILES['tate-sync'].nodeType, fill: ['botId', 'msg', 'conversationId'] },
];

function checkTools(nodes: NodeTypeDescription[]): void {
	const byName = new Map<string, NodeTypeDescription>();
	for (const n of nodes) if (!byName.has(n.name)) byName.set(n.name, n);
	for (const { nodeType: baseName, fill } of MODEL_FILLS) {
		const base = baseName.split('.').pop();
		const toolName = `${baseName}Tool`;
		const tool = byName.get(toolName);
		check(`tool variant ${toolName} is loaded`, !!tool && !!byName.get(baseName), tool ? `"${tool.displayName}"` : 'missing');
		if (!tool) continue;
		const outputs = JSON.stringify(tool.outputs);
		const codex = tool.codex ?? {};
		const isAiTool =
			Array.isArray(tool.inputs) && tool.inputs.length === 0 && outputs === JSON.stringify(['ai_tool']) && (codex.subcategories?.AI ?? []).includes('Tools');
		check(`${toolName}: ai_tool output, no main input, listed under AI → Tools`, isAiTool, `inputs ${JSON.stringify(tool.inputs)}, outputs ${outputs}`);
		const props = tool.properties ?? [];
		const toolDesc = props.find((p) => p.name === 'toolDescription');
		check(`${toolName}: has the Tool Description parameter`, !!toolDesc, toolDesc ? `default ${JSON.stringify(toolDesc.default)}` : 'missing');
		const fillable = props.filter((p) => p.type !== 'collection' && fillableByModel(p)).map((p) => p.name);
		const unique = [...new Set(fillable)];
		info(`${base}Tool parameters the model can fill: ${unique.join(', ')}`);
		check(`${toolName}: ${fill.join(', ')} can be left to the model ($fromAI)`, fill.every((f) => unique.includes(f)));
		const credOk = (tool.credentials ?? []).length > 0;
		check(`${toolName}: keeps its credential`, credOk, (tool.credentials ?? []).map((c) => c.name).join(', '));
	}
}

// ---------------------------------------------------------------------------------------------

const RESPOND_NODE = 'Respond to Webhook';

/** A node that streams, as the check runs it. */
interface StreamingNode {
	kind: NodeKind;
	nodeName: string;
	/** The parameter that takes the question from the request body. */
	questionParameter: string;
	question: string;
	/** The whole answer, from the simulator's rules; `item` is the node's output item (tate's reply names its conversation). */
	answerFor(item: Record<string, unknown>): string | null;
}

const STREAMING_NODES: readonly StreamingNode[] = [
	{
		kind: 'lke-chat-v2',
		nodeName: 'Tencent LKE',
		questionParameter: 'content',
		// two reply messages: the deltas must add up to both, with the blank line between them
		question: 'How does ADP v2 stream its answer? [delay:150] [pieces:12] [multi-reply:2]',
		answerFor: () => adpV2AnswerFor('How does ADP v2 stream its answer? [delay:150] [pieces:12] [multi-reply:2]'),
	},
	{
		kind: 'lke-chat',
		nodeName: 'Tencent LKE v1',
		questionParameter: 'content',
		question: 'How does live streaming work? [delay:150] [pieces:12]',
		answerFor: () => lkeAnswerFor('How does live streaming work? [delay:150] [pieces:12]'),
	},
	{
		kind: 'tate-stream',
		nodeName: 'tate-a-tate',
		questionParameter: 'msg',
		question: 'Stream this, please [delay:150]',
		answerFor: (item) => (typeof item.conversationId === 'string' ? tateReplyFor('Stream this, please [delay:150]', 1, item.conversationId) : null),
	},
	{
		kind: 'aisk-ask',
		nodeName: 'AiSK',
		questionParameter: 'question',
		// cumulative messages: the node must still pass on deltas
		question: 'How does AiSK stream its answer? [delay:150] [pieces:12] [mode:cumulative]',
		answerFor: () => aiskAnswerFor('How does AiSK stream its answer? [delay:150] [pieces:12] [mode:cumulative]'),
	},
];

function webhookPath(node: StreamingNode, streaming: boolean): string {
	return `agent-chat-stream-${node.kind}${streaming ? '' : '-off'}`;
}

/** Webhook (Respond: Streaming) → the node, Enable Streaming on or off → Respond to Webhook (first incoming item). */
function streamingWorkflow(target: StreamingNode, streaming: boolean): WorkflowJson {
	const profile = PROFILES[target.kind];
	const webhook: NodeImport = {
		name: 'Webhook',
		type: 'n8n-nodes-base.webhook',
		typeVersion: 2.1,
		position: [0, 0],
		webhookId: randomUUID(),
		parameters: { httpMethod: 'POST', path: webhookPath(target, streaming), responseMode: 'streaming', options: {} },
	};
	const node: NodeImport = {
		name: target.nodeName,
		type: profile.nodeType,
		typeVersion: 1,
		position: [240, 0],
		parameters: parametersOf(target.kind, { [target.questionParameter]: '={{ $json.body.question }}', options: { enableStreaming: streaming } }) as INodeParameters,
		credentials: { [profile.credentialType]: EXAMPLE_CREDENTIALS[profile.credentialType] },
	};
	const respond: NodeImport = {
		name: RESPOND_NODE,
		type: 'n8n-nodes-base.respondToWebhook',
		typeVersion: 1.5,
		position: [480, 0],
		parameters: { respondWith: 'firstIncomingItem', options: {} },
	};
	return {
		id: '',
		name: `Streaming check: ${profile.title}, Enable Streaming ${streaming ? 'on' : 'off'}`,
		nodes: [webhook, node, respond],
		connections: {
			Webhook: { main: [[{ node: target.nodeName, type: 'main', index: 0 }]] },
			[target.nodeName]: { main: [[{ node: RESPOND_NODE, type: 'main', index: 0 }]] },
		},
	};
}

/** The package packed and installed into a fresh n8n 2.41, the simulator started, credentials and workflows imported and published. */
async function prepare(): Promise<{ instance: Instance; sim: Awaited<ReturnType<typeof startSimulator>> }> {
	if (!fs.existsSync(path.join(REPO_ROOT, 'dist', 'nodes', 'TencentLke', 'TencentLke.node.js'))) {
		throw new Error('dist/ is missing: run `npm run build` first (npm run test:streaming does)');
	}
	const host = await ensureHost('v2');
	process.stdout.write(`n8n ${host.version} on ${host.nodePath}\n`);
	const tarball = await packPackage(REPO_ROOT, makeTempDir('stream-pack'));
	const sim = await startSimulator();
	addCleanup(() => sim.close());
	const instance = await createInstance(host, { packageTarball: tarball });
	addCleanup(instance.dispose);
	await instance.importCredentials(simulatorCredentialImports(sim.url));
	const ids = await instance.importWorkflows(STREAMING_NODES.flatMap((node) => [streamingWorkflow(node, true), streamingWorkflow(node, false)]));
	// n8n 2.x: an imported workflow is inactive; publishing makes its production webhook live.
	for (const id of ids) {
		const res = await instance.run(['publish:workflow', `--id=${id}`]);
		if (res.exitCode !== 0) throw new Error(`publish:workflow --id=${id} failed:\n${res.stdout}\n${res.stderr}`);
	}
	return { instance, sim };
}

async function started(instance: Instance): Promise<RunningN8n> {
	const t0 = Date.now();
	const n8n = await startN8n(instance);
	process.stdout.write(`n8n start ready at ${n8n.baseUrl} in ${seconds(Date.now() - t0)}\n`);
	for (const node of STREAMING_NODES) {
		for (const streaming of [true, false]) {
			const p = webhookPath(node, streaming);
			const waited = await waitForWebhook(n8n.baseUrl, p);
			process.stdout.write(`webhook /webhook/${p} registered (${seconds(waited)} after start-up)\n`);
		}
	}
	process.stdout.write('\n');
	return n8n;
}

/** The item Respond to Webhook sent (begin, one item, end), or why there is none. */
function respondedItem(r: StreamResult): Record<string, unknown> | string {
	const lines = r.chunks.filter((c) => c.nodeName === RESPOND_NODE);
	const types = lines.map((c) => c.type).join(',');
	if (types !== 'begin,item,end') return `${RESPOND_NODE} sent ${types || 'nothing'}`;
	// n8n 2.40 and 2.41 send the item as JSON text in `content`
	const sent = lines[1].value;
	let value: unknown = sent;
	if (typeof sent === 'string') {
		try {
			value = JSON.parse(sent) as unknown;
		} catch {
			return `${RESPOND_NODE} sent text that is not JSON: ${sent.slice(0, 100)}`;
		}
	}
	return isJsonObject(value) ? value : `${RESPOND_NODE} sent ${JSON.stringify(value)?.slice(0, 100)}`;
}

function checkFinalItem(label: string, target: StreamingNode, r: StreamResult): void {
	const item = respondedItem(r);
	if (typeof item === 'string') return check(`${label}: the final item reaches the client (Respond to Webhook)`, false, item);
	const want = target.answerFor(item);
	check(`${label}: the final item reaches the client (Respond to Webhook) with the whole answer`, want !== null && item.reply === want, `reply ${[...String(item.reply)].length} chars`);
}

/** Streaming on: the node's live deltas, then the final item. */
async function checkStreamingOn(n8n: RunningN8n, target: StreamingNode, sim: Awaited<ReturnType<typeof startSimulator>>): Promise<void> {
	const label = `${PROFILES[target.kind].title} via Webhook, Enable Streaming on`;
	const url = `${n8n.baseUrl}/webhook/${webhookPath(target, true)}`;
	const answerFor = PROFILES[target.kind].answerFor;
	if (target === STREAMING_NODES[0] && answerFor) {
		// The first execution after start-up also pays for n8n's and the node's lazy loading: its
		// timing is shown, the second one is checked.
		const coldQuestion = 'Is this the first run? [delay:150] [pieces:12]';
		const cold = await postStreaming(url, { question: coldQuestion });
		checkStream(`${PROFILES[target.kind].title} via Webhook, first run`, target.nodeName, cold, answerFor(coldQuestion), false);
		process.stdout.write('\n');
	}
	sim.reset();
	const r = await postStreaming(url, { question: target.question });
	// the expected answer needs the output item where it names the conversation (tate-a-tate)
	const finalItem = respondedItem(r);
	checkStream(label, target.nodeName, r, () => (typeof finalItem === 'string' ? null : target.answerFor(finalItem)));
	checkFinalItem(label, target, r);
	if (target.kind === 'lke-chat') {
		const lkeReq = sim.requests.find((q) => q.route === 'lke');
		check('Tencent LKE v1: the API was asked for cumulative events (incremental off)', !!lkeReq && requestField(lkeReq, 'incremental') !== true, `incremental ${JSON.stringify(requestField(lkeReq, 'incremental'))}`);
	}
	if (target.kind === 'lke-chat-v2') {
		const v2Req = sim.requests.find((q) => q.route === 'adpV2');
		const asked = adpV2QuestionOf(requestField(v2Req, 'Contents'));
		check(
			'Tencent LKE ADP v2: one request to /adp/v2/chat with the question, cumulative text.replace events (Incremental off)',
			sim.requests.filter((q) => q.route === 'adpV2').length === 1 && asked === target.question && requestField(v2Req, 'Incremental') !== true,
			`question ${JSON.stringify(asked)}, Incremental ${JSON.stringify(requestField(v2Req, 'Incremental'))}`,
		);
	}
	if (target.kind === 'aisk-ask') {
		const counts = sim.aiskCounts();
		check('AiSK Ask: one prompt token, one init, one answer streamed through', counts.promptTokens === 1 && counts.init === 1 && counts.answered === 1, JSON.stringify(counts));
	}
	process.stdout.write('\n');
}

/** Streaming off: not one chunk from the node, the final item still delivered. */
async function checkStreamingOff(n8n: RunningN8n, target: StreamingNode): Promise<void> {
	const label = `${PROFILES[target.kind].title} via Webhook, Enable Streaming off`;
	const r = await postStreaming(`${n8n.baseUrl}/webhook/${webhookPath(target, false)}`, { question: target.question });
	check(`${label}: HTTP 200, JSON lines`, r.status === 200 && r.badLines.length === 0, `status ${r.status}, ${r.chunks.length} lines, ${r.badLines.length} not JSON${r.status === 200 ? '' : `: ${r.body.slice(0, 300)}`}`);
	const fromNode = r.chunks.filter((c) => c.nodeName === target.nodeName);
	info(`chunk types: ${summarizeTypes(r.chunks.map((c) => `${c.type}(${c.nodeName ?? '-'})`))}`);
	check(`${label}: the node sends no chunk (no begin, item or end)`, fromNode.length === 0, `${fromNode.length} chunk(s) from "${target.nodeName}": ${summarizeTypes(fromNode.map((c) => c.type))}`);
	checkFinalItem(label, target, r);
	process.stdout.write('\n');
}

/** The AI tool variants n8n generates for the nodes. */
async function checkToolVariants(n8n: RunningN8n): Promise<void> {
	const cookie = await setupOwner(n8n.baseUrl);
	const res = await fetch(`${n8n.baseUrl}/types/nodes.json`, { headers: { cookie } });
	check('GET /types/nodes.json as the owner', res.ok, `HTTP ${res.status}`);
	if (res.ok) checkTools((await res.json()) as NodeTypeDescription[]);
}

function checkN8nLog(n8n: RunningN8n): void {
	const errors = n8n
		.output()
		.split('\n')
		// n8n's calls to its own services (api.n8n.io) fail without internet access: not ours.
		.filter((l) => /\b(error|unhandled)\b/i.test(l) && !/deprecat|api\.n8n\.io|ENOTFOUND/i.test(l));
	check('n8n logged no errors', errors.length === 0, errors.slice(0, 3).join(' | '));
	if (process.env.STREAMING_CHECK_DEBUG) process.stdout.write(`\n--- n8n output ---\n${n8n.output()}\n`);
}

async function main(): Promise<number> {
	return checks.runAll(async () => {
		const { instance, sim } = await prepare();
		const n8n = await started(instance);
		for (const target of STREAMING_NODES) {
			await checkStreamingOn(n8n, target, sim);
			await checkStreamingOff(n8n, target);
		}
		await checkToolVariants(n8n);
		checkN8nLog(n8n);
	});
}

runTool('streaming check', main);
