/**
 * The demo: `npm run demo` (add `-- --host v2` for n8n 2.x on Node 24).
 *
 * Installs a pinned real n8n once (cached outside the repository), packs this package and
 * installs it into a fresh n8n user folder as a community package, starts the vendor simulator
 * and an SMTP sink on 127.0.0.1, imports credentials pointing at them under the ids the
 * example workflows use, imports the workflows in `examples/`, executes each with the n8n CLI
 * and prints what it produced, a check line per workflow and `N passed, M failed`. Exits non-zero
 * when a workflow fails. Cleans up on exit and on Ctrl-C.
 */
import * as path from 'path';
import { PROFILES } from '../testkit/profiles';
import { outputAs, type AiskTokenItem, type LkeChatItem, type LkeReference, type LkeTokenStats, type WsTokenItem } from '../testkit/outputs';
import type { ReceivedMail } from '../testkit/smtpSink';
import { seconds } from '../testkit/time';
import { hostsFromArgs } from './lib/args';
import { CheckFailure, Checks } from './lib/checks';
import {
	EXAMPLE_FILES,
	REPO_ROOT,
	batchQuestions,
	checkAiskBatchSummary,
	checkLkeBatchSummary,
	chatInputOf,
	localCredentials,
	readExample,
	startStandIns,
	type AiskBatchSummary,
	type BatchSummary,
	type ExampleFile,
	type Transcript,
	type WorkflowJson,
} from './lib/exampleRig';
import { createInstance, ensureHost, hostVersion, packPackage, type ExecuteResult } from './lib/n8nHost';
import { addCleanup, makeTempDir, runTool } from './lib/processes';
import { nodeJson } from './lib/runData';

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

function referenceLine(r: LkeReference): string {
	return `${r.name ?? r.id ?? ''}${r.url ? ` <${r.url}>` : ''}`;
}

function tokenLine(stats: LkeTokenStats | null | undefined): string {
	if (!stats) return 'no token statistics';
	const procs = stats.procedures.map((p) => `${p.title || p.name}${p.totalTokens === null ? '' : ` ${p.totalTokens}`}`).join(', ');
	return `${stats.totalTokens} tokens (in ${stats.inputTokens}, out ${stats.outputTokens}; ${procs}), model ${stats.modelTimeMs} ms`;
}

// ---------------------------------------------------------------------------------------------
// What each example produced

/** A batch workflow's Summary item: its counts (and tokens, where the vendor reports them) and every answer. */
function showBatch(res: ExecuteResult): void {
	const json = nodeJson(res.runData, 'Summary')[0];
	if (!json) return out('  (no summary)');
	const summary = outputAs<BatchSummary | AiskBatchSummary>(json);
	const tokens = 'tokens' in summary ? `, ${summary.tokens} tokens` : '';
	out(`  Summary: ${summary.questions} questions, ${summary.answered} answered, ${summary.failed} failed${tokens}`);
	summary.answers.forEach((a, i) => {
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
	const json = nodeJson(res.runData, 'Ask Tencent LKE')[0];
	if (json) {
		const turn = outputAs<LkeChatItem>(json);
		const references = turn.references ?? [];
		out(`  Reply: ${turn.reply}`);
		out(`  References (${references.length}):`);
		for (const r of references) out(`    - ${referenceLine(r)}`);
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
	const wsJson = nodeJson(res.runData, 'Get WS token')[0];
	if (wsJson) {
		const ws = outputAs<WsTokenItem>(wsJson);
		out(`  Tencent LKE GetWsToken: Token ${ws.Token}`);
		out(`    Balance ${ws.Balance}, InputLenLimit ${ws.InputLenLimit}, Pattern ${ws.Pattern}, SingleWorkflow ${JSON.stringify(ws.SingleWorkflow)}, RequestId ${ws.RequestId}`);
	}
	const aiskJson = nodeJson(res.runData, 'Create AiSK chatbot token')[0];
	if (aiskJson) {
		const aisk = outputAs<AiskTokenItem>(aiskJson);
		out(`  AiSK chatbot ${aisk.chatbotId}: token ${short(aisk.token, 60)} (${aisk.token.length} chars)`);
	}
}

function showTate(res: ExecuteResult): void {
	const json = nodeJson(res.runData, 'Transcript')[0];
	if (!json) return out('  (no transcript)');
	const transcript = outputAs<Transcript>(json);
	out(`  Conversation ${transcript.conversationId}:`);
	for (const t of transcript.turns) {
		out(`    Turn ${t.turn}  you:   ${t.you}`);
		out(`            agent: ${t.agent}  (msgId ${t.msgId})`);
	}
}

/** What each example's run shows. */
const SHOW: Record<ExampleFile, (res: ExecuteResult, mails: () => Promise<ReceivedMail[]>) => Promise<void> | void> = {
	'batch-qa.json': (res) => showBatch(res),
	'aisk-batch-qa.json': (res) => showBatch(res),
	'chat-to-email.json': async (res, mails) => showEmail(res, await mails()),
	'tokens.json': (res) => showTokens(res),
	'tate-conversation.json': (res) => showTate(res),
};

// ---------------------------------------------------------------------------------------------

async function main(): Promise<number> {
	const [kind] = hostsFromArgs(process.argv.slice(2), ['v1']);
	const checks = new Checks();
	const total = 6;
	out('n8n-nodes-agent-chat demo: the example workflows in a real n8n, against the local vendor simulator');
	out();
	step(1, total, `n8n host (n8n ${hostVersion(kind)} on Node ${kind === 'v1' ? '20' : '24'})`);
	const host = await ensureHost(kind, { log: (l) => out(`      ${l}`) });
	out(`      n8n ${host.version} ready in ${host.dir} (${elapsed()})`);

	step(2, total, 'npm pack this package');
	const tarball = await packPackage(REPO_ROOT, makeTempDir('n8n-demo-pack'));
	out(`      ${path.basename(tarball)}`);

	step(3, total, 'a fresh n8n user folder with the package installed as a community package');
	const n8n = await createInstance(host, { packageTarball: tarball });
	addCleanup(n8n.dispose);
	out(`      ${n8n.userFolder}`);
	out(`      nodes: ${n8n.nodeTypes.join(', ')}`);
	out(`      credentials: ${n8n.credentialTypes.join(', ')}`);

	step(4, total, 'vendor simulator and SMTP sink on 127.0.0.1');
	const stand = await startStandIns();
	addCleanup(stand.close);
	const { sim, sink } = stand;
	out(`      simulator ${sim.url} (Tencent LKE chat and Cloud API, AiSK, tate-a-tate at ${sim.url}/im)`);
	out(`      SMTP sink 127.0.0.1:${sink.port}`);

	step(5, total, 'import credentials and the example workflows');
	const credentials = localCredentials(sim.url, sink.port);
	await n8n.importCredentials(credentials);
	out(`      credentials: ${credentials.map((c) => `${c.id} (${c.type})`).join(', ')}`);
	const workflows = new Map<ExampleFile, WorkflowJson>(EXAMPLE_FILES.map((f) => [f, readExample(f)]));
	await n8n.importWorkflows([...workflows.values()]);
	out(`      workflows: ${[...workflows.entries()].map(([f, wf]) => `${f} (${wf.id})`).join(', ')}   (${elapsed()})`);

	step(6, total, `run each workflow with \`n8n execute\``);
	for (const [file, wf] of workflows) {
		sink.clear();
		sim.reset();
		out();
		const via = file === 'batch-qa.json' || file === 'aisk-batch-qa.json' ? ' (through its Manual Trigger; the Schedule Trigger runs it nightly when active)' : '';
		out(`== examples/${file}: ${wf.name}${via}`);
		let run: ExecuteResult | undefined;
		await checks.run(`examples/${file} runs in n8n ${host.version}`, async () => {
			run = await n8n.execute(wf.id);
			if (!run.ok) {
				const lastNode = run.runData?.data.resultData.lastNodeExecuted;
				throw new CheckFailure(`${run.errorMessage ?? `exit ${run.exitCode}`} after ${seconds(run.durationMs)}${lastNode ? `; last node: ${lastNode}` : ''}`);
			}
			const crash = run.crashedOnExit ? `; n8n crashed on exit (${run.signal}) after printing complete run data` : '';
			return `${seconds(run.durationMs)}${crash}`;
		});
		if (run?.ok) await SHOW[file](run, () => sink.waitForMails(1, 3000).catch(() => sink.mails.slice()));
		const finished = run;
		if (file === 'batch-qa.json' && finished?.ok) {
			await checks.run('examples/batch-qa.json: every answer is the simulator\'s ADP v2 turn (reply, references, tokens)', () => {
				const json = nodeJson(finished.runData, 'Summary')[0];
				if (!json) throw new CheckFailure('no summary item');
				if (sim.requests.some((request) => request.route !== 'adpV2')) throw new CheckFailure('a request did not go to /adp/v2/chat');
				return checkLkeBatchSummary(outputAs<BatchSummary>(json), batchQuestions(wf));
			});
		}
		if (file === 'chat-to-email.json' && finished?.ok) {
			await checks.run('examples/chat-to-email.json: the chat item is the simulator\'s ADP v2 turn, exactly', () => {
				const json = nodeJson(finished.runData, 'Ask Tencent LKE')[0];
				if (!json) throw new CheckFailure('no chat item');
				const question = chatInputOf(wf, 'Question');
				const problem = PROFILES['lke-chat-v2'].checkSuccess(json, { question, parameters: PROFILES['lke-chat-v2'].parameters });
				if (problem) throw new CheckFailure(problem);
				return `${outputAs<LkeChatItem>(json).tokenStats?.totalTokens} tokens`;
			});
		}
		if (file === 'aisk-batch-qa.json' && finished?.ok) {
			await checks.run('examples/aisk-batch-qa.json: every answer is the simulator\'s, one prompt token and one init for the chatbot', () => {
				const json = nodeJson(finished.runData, 'Summary')[0];
				if (!json) throw new CheckFailure('no summary item');
				const counts = sim.aiskCounts();
				if (counts.promptTokens !== 1 || counts.init !== 1) throw new CheckFailure(`prompt tokens ${counts.promptTokens}, init ${counts.init} (expected 1 and 1)`);
				return checkAiskBatchSummary(outputAs<AiskBatchSummary>(json), batchQuestions(wf));
			});
		}
	}

	out();
	if (checks.failures > 0) {
		out(`${checks.failures} of ${workflows.size} example workflows FAILED in n8n ${host.version} (${elapsed()})`);
	} else {
		out(`All ${workflows.size} example workflows ran in n8n ${host.version} with the packed package (${elapsed()}).`);
		out('Import examples/*.json into your n8n and pick your own credentials to run them against the real services.');
	}
	return checks.close();
}

runTool('demo', main);
