/**
 * The demo: `npm run demo` (add `-- --host v2` for n8n 2.x on Node 24).
 *
 * Installs a pinned real n8n once (cached outside the repository), packs this package and
 * installs it into a fresh n8n user folder as a community package, starts the vendor simulator
 * and an SMTP sink on 127.0.0.1, imports credentials pointing at them under the ids the
 * example workflows use, imports the workflows in `examples/`, executes each with the n8n CLI
 * and prints what it produced. Exits non-zero when a workflow fails. Cleans up on exit and on
 * Ctrl-C.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { createInstance, ensureHost, packPackage, type ExecuteResult, type HostKind, type Instance } from './n8nHost';
import {
	CREDENTIALS,
	EXAMPLE_FILES,
	REPO_ROOT,
	localCredentials,
	nodeItems,
	readExample,
	seconds,
	startStandIns,
	type ExampleFile,
	type Stand,
	type WorkflowJson,
} from './exampleRig';
import type { ReceivedMail } from '../testkit/smtpSink';

const out = (line = ''): void => {
	process.stdout.write(line + '\n');
};
const started = Date.now();
const elapsed = () => seconds(Date.now() - started);

function step(n: number, total: number, text: string): void {
	out(`[${n}/${total}] ${text}`);
}

/** Indents every line of a possibly multi-line text. */
function indent(text: string, by: string): string {
	return text
		.split('\n')
		.map((l) => by + l)
		.join('\n');
}

function short(text: string, max = 48): string {
	return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

function referenceLine(r: any): string {
	return `${r.name}${r.url ? ` <${r.url}>` : ''}`;
}

function tokenLine(stats: any): string {
	if (!stats) return 'no token statistics';
	const procs = (stats.procedures ?? []).map((p: any) => `${p.title ?? p.name} ${p.count}`).join(', ');
	return `${stats.token_count} tokens (${procs}), ${stats.elapsed} ms`;
}

// ---------------------------------------------------------------------------------------------
// What each example produced

function showBatch(res: ExecuteResult): void {
	const summary = nodeItems(res.runData, 'Summary')[0]?.json;
	if (!summary) return out('  (no summary)');
	out(`  Summary: ${summary.questions} questions, ${summary.answered} answered, ${summary.failed} failed, ${summary.tokens} tokens`);
	(summary.answers as any[]).forEach((a, i) => {
		out(`  ${i + 1}. Q: ${a.question}`);
		if (a.ok) {
			out(`     A: ${a.reply}`);
			out(`     references: ${a.references.join('; ')}`);
		} else {
			out(`     FAILED: ${a.error}`);
		}
	});
}

function showEmail(res: ExecuteResult, mails: ReceivedMail[]): void {
	const turn = nodeItems(res.runData, 'Ask Tencent LKE')[0]?.json;
	if (turn) {
		out(`  Reply: ${turn.reply}`);
		out(`  References (${turn.references.length}):`);
		for (const r of turn.references) out(`    - ${referenceLine(r)}`);
		out(`  Token stats: ${tokenLine(turn.tokenStats)}`);
		out(`  Session ${turn.sessionId}, record ${turn.recordId}`);
	}
	if (mails.length === 0) return out('  The SMTP sink received no mail.');
	for (const mail of mails) {
		out(`  Mail received by the SMTP sink:`);
		out(`    From: ${mail.headers.from ?? mail.from}`);
		out(`    To: ${mail.to.join(', ')}`);
		out(`    Subject: ${mail.subject}`);
		out(indent(mail.text.trimEnd(), '    | '));
	}
}

function showTokens(res: ExecuteResult): void {
	const ws = nodeItems(res.runData, 'Get WS token')[0]?.json;
	if (ws) {
		out(`  Tencent LKE GetWsToken: Token ${ws.Token}`);
		out(`    Balance ${ws.Balance}, InputLenLimit ${ws.InputLenLimit}, Pattern ${ws.Pattern}, SingleWorkflow ${JSON.stringify(ws.SingleWorkflow)}, RequestId ${ws.RequestId}`);
	}
	const aisk = nodeItems(res.runData, 'Create AiSK chatbot token')[0]?.json;
	if (aisk) {
		out(`  AiSK chatbot ${aisk.chatbotId}: token ${short(aisk.token, 60)} (${aisk.token.length} chars)`);
	}
}

function showTate(res: ExecuteResult): void {
	const transcript = nodeItems(res.runData, 'Transcript')[0]?.json;
	if (!transcript) return out('  (no transcript)');
	out(`  Conversation ${transcript.conversationId}:`);
	for (const t of transcript.turns as any[]) {
		out(`    Turn ${t.turn}  you:   ${t.you}`);
		out(`            agent: ${t.agent}  (msgId ${t.msgId})`);
	}
}

// ---------------------------------------------------------------------------------------------

interface Resources {
	packDir?: string;
	instance?: Instance;
	stand?: Stand;
}

const res: Resources = {};
let cleaning: Promise<void> | undefined;
let interrupted = false;

/** After Ctrl-C the clean-up exits the process: the main flow stops where it is. */
async function unlessInterrupted<T>(work: Promise<T>): Promise<T> {
	const value = await work;
	if (interrupted) await new Promise(() => undefined);
	return value;
}

function cleanup(): Promise<void> {
	cleaning ??= (async () => {
		await res.stand?.close().catch(() => undefined);
		if (res.instance) {
			await res.instance.dispose().catch(() => undefined);
			// An interrupted n8n may still write into its folder while it shuts down.
			await new Promise((r) => setTimeout(r, 1500));
			await res.instance.dispose().catch(() => undefined);
		}
		if (res.packDir) fs.rmSync(res.packDir, { recursive: true, force: true });
	})();
	return cleaning;
}

function parseHost(argv: string[]): HostKind {
	for (let i = 0; i < argv.length; i++) {
		const v = argv[i] === '--host' ? argv[i + 1] : argv[i].startsWith('--host=') ? argv[i].slice(7) : undefined;
		if (v === undefined) continue;
		if (v !== 'v1' && v !== 'v2') throw new Error(`--host must be v1 or v2, not ${v}`);
		return v;
	}
	return 'v1';
}

async function main(): Promise<number> {
	const kind = parseHost(process.argv.slice(2));
	for (const sig of ['SIGINT', 'SIGTERM'] as const) {
		// `on`, not `once`: while we listen, n8nHost's own handler only stops the n8n processes
		// it started and leaves exiting to us, after the clean-up.
		process.on(sig, () => {
			if (interrupted) return;
			interrupted = true;
			out(`\ninterrupted (${sig}): cleaning up`);
			const timer = setTimeout(() => process.exit(130), 8000);
			void cleanup().then(() => {
				clearTimeout(timer);
				process.exit(130);
			});
		});
	}

	const total = 6;
	out('n8n-nodes-agent-chat demo: the example workflows in a real n8n, against the local vendor simulator');
	out();
	step(1, total, `n8n host (${kind === 'v1' ? 'n8n 1.123.x on Node 20' : 'n8n 2.40.x on Node 24'})`);
	const host = await unlessInterrupted(ensureHost(kind, { log: (l) => out(`      ${l}`) }));
	out(`      n8n ${host.version} ready in ${host.dir} (${elapsed()})`);

	step(2, total, 'npm pack this package');
	res.packDir = fs.mkdtempSync(path.join(os.tmpdir(), 'n8n-demo-pack-'));
	const tarball = await unlessInterrupted(packPackage(REPO_ROOT, res.packDir));
	out(`      ${path.basename(tarball)}`);

	step(3, total, 'a fresh n8n user folder with the package installed as a community package');
	res.instance = await unlessInterrupted(createInstance(host, { packageTarball: tarball }));
	const n8n = res.instance;
	out(`      ${n8n.userFolder}`);
	out(`      nodes: ${n8n.nodeTypes.join(', ')}`);
	out(`      credentials: ${n8n.credentialTypes.join(', ')}`);

	step(4, total, 'vendor simulator and SMTP sink on 127.0.0.1');
	res.stand = await startStandIns();
	const { sim, sink } = res.stand;
	out(`      simulator ${sim.url} (Tencent LKE chat and Cloud API, AiSK, tate-a-tate at ${sim.url}/im)`);
	out(`      SMTP sink 127.0.0.1:${sink.port}`);

	step(5, total, 'import credentials and the example workflows');
	await unlessInterrupted(n8n.importCredentials(localCredentials(sim.url, sink.port)));
	out(`      credentials: ${Object.values(CREDENTIALS).map((c) => `${c.id} (${c.type})`).join(', ')}`);
	const workflows = new Map<ExampleFile, WorkflowJson>(EXAMPLE_FILES.map((f) => [f, readExample(f)]));
	await unlessInterrupted(n8n.importWorkflows([...workflows.values()]));
	out(`      workflows: ${[...workflows.entries()].map(([f, wf]) => `${f} (${wf.id})`).join(', ')}   (${elapsed()})`);

	step(6, total, `run each workflow with \`n8n execute\``);
	let failures = 0;
	for (const [file, wf] of workflows) {
		sink.clear();
		out();
		const via = file === 'batch-qa.json' ? ' (through its Manual Trigger; the Schedule Trigger runs it nightly when active)' : '';
		out(`== examples/${file}: ${wf.name}${via}`);
		const run = await unlessInterrupted(n8n.execute(wf.id));
		const crash = run.crashedOnExit ? `; n8n crashed on exit (${run.signal}) after printing complete run data` : '';
		if (!run.ok) {
			failures++;
			out(`  FAILED after ${seconds(run.durationMs)}: ${run.errorMessage ?? `exit ${run.exitCode}`}`);
			const lastNode = run.runData?.data?.resultData?.lastNodeExecuted;
			if (lastNode) out(`  last node: ${lastNode}`);
			continue;
		}
		out(`  ok in ${seconds(run.durationMs)}${crash}`);
		if (file === 'batch-qa.json') showBatch(run);
		else if (file === 'chat-to-email.json') showEmail(run, await sink.waitForMails(1, 3000).catch(() => sink.mails.slice()));
		else if (file === 'tokens.json') showTokens(run);
		else if (file === 'tate-conversation.json') showTate(run);
	}

	out();
	if (failures) {
		out(`${failures} of ${workflows.size} example workflows FAILED in n8n ${host.version} (${elapsed()})`);
		return 1;
	}
	out(`All ${workflows.size} example workflows ran in n8n ${host.version} with the packed package (${elapsed()}).`);
	out('Import examples/*.json into your n8n and pick your own credentials to run them against the real services.');
	return 0;
}

main()
	.catch((e: unknown) => {
		out(`demo failed: ${e instanceof Error ? e.message : String(e)}`);
		return 1;
	})
	.then(async (code) => {
		await cleanup();
		process.exit(code);
	});
