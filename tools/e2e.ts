/**
 * End-to-end tests: `npm run test:e2e`.
 *
 * Every example workflow in `examples/` (and the e2e-only workflows in `test/e2e/`) runs in a
 * real n8n 1.123.x on Node 20 and a real n8n 2.40.x on Node 24, with this package packed and
 * installed as a community package, against the project's vendor simulator and a local SMTP
 * sink. Prints one line per check and ends with `N passed, M failed`; exits non-zero on any
 * failure.
 *
 * Options: `--host v1|v2` (repeatable; default both), `--sequential` (one host after the other;
 * default: both at once), `--verbose` (the n8n output of failed runs).
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { lkeAnswerFor, tateReplyFor } from '../testkit/simulator';
import {
	createInstance,
	ensureHost,
	hostVersion,
	packPackage,
	type ExecuteResult,
	type Host,
	type HostKind,
	type Instance,
} from './n8nHost';
import {
	CREDENTIALS,
	EXAMPLE_FILES,
	LOCAL_SECRETS,
	PACKAGE_NAME,
	REPO_ROOT,
	batchQuestions,
	findNode,
	localCredentials,
	nodeItems,
	nodeOutputCount,
	readExample,
	readWorkflow,
	seconds,
	startStandIns,
	withBatchQuestions,
	type Stand,
	type WorkflowJson,
} from './exampleRig';

// ---------------------------------------------------------------------------------------------
// Checks and their report

interface CheckResult {
	host: HostKind | '--';
	name: string;
	ok: boolean;
	detail: string;
}

const results: CheckResult[] = [];
/** Things to undo when interrupted: n8n user folders, the simulator and the SMTP sink. */
const cleanups = new Set<() => Promise<void>>();
let crashesOnExit = 0;
const hostInstallErrors = new Map<HostKind, Error>();
const verbose = process.argv.includes('--verbose');

class CheckFailure extends Error {}

function assert(condition: unknown, message: string): asserts condition {
	if (!condition) throw new CheckFailure(message);
}

function show(value: unknown, max = 160): string {
	const s = typeof value === 'string' ? JSON.stringify(value) : JSON.stringify(value) ?? String(value);
	return s.length > max ? `${s.slice(0, max - 3)}...` : s;
}

function eq(actual: unknown, expected: unknown, what: string): void {
	if (JSON.stringify(actual) !== JSON.stringify(expected)) {
		throw new CheckFailure(`${what}: expected ${show(expected)}, got ${show(actual)}`);
	}
}

function record(host: CheckResult['host'], name: string, ok: boolean, detail: string): void {
	results.push({ host, name, ok, detail });
	const line = `${ok ? 'PASS' : 'FAIL'} [${host}] ${name}${detail ? ` — ${detail}` : ''}`;
	process.stdout.write(line + '\n');
}

/** Runs one check; its return value (a short string) is printed as the detail. */
let interrupted = false;

async function check(host: CheckResult['host'], name: string, fn: () => string | void | Promise<string | void>): Promise<boolean> {
	try {
		const detail = await fn();
		// After Ctrl-C the clean-up exits the process: report nothing more.
		if (interrupted) await new Promise(() => undefined);
		record(host, name, true, detail ?? '');
		return true;
	} catch (e) {
		if (interrupted) await new Promise(() => undefined);
		const msg = e instanceof CheckFailure ? e.message : e instanceof Error ? (e.stack ?? e.message) : String(e);
		record(host, name, false, msg.split('\n').slice(0, verbose ? 40 : 6).join('\n    '));
		return false;
	}
}

// ---------------------------------------------------------------------------------------------
// Expected values

const EXPECTED_NODE_TYPES = ['tencentLke', 'aisk', 'tateATate'].map((n) => `${PACKAGE_NAME}.${n}`);
const EXPECTED_CREDENTIAL_TYPES = ['tencentLkeApi', 'aiskApi', 'tateATateApi'];
/** The simulator sends references [sim-ref-1, sim-ref-2] then [sim-ref-2, 3]. */
const REFERENCE_IDS = ['sim-ref-1', 'sim-ref-2', '3'];
const FAILING_QUESTION = 'Which plan suits me best? [error:460004]';
const FAILING_INDEX = 2;
const LATENCY_MARKER = '[latency:300]';

function assertTurn(json: any, question: string, what: string): void {
	eq(json.reply, lkeAnswerFor(question), `${what} reply`);
	eq(json.isFinal, true, `${what} isFinal`);
	eq(
		(json.references ?? []).map((r: any) => r.id),
		REFERENCE_IDS,
		`${what} reference ids (de-duplicated)`,
	);
	assert(json.tokenStats && typeof json.tokenStats === 'object', `${what}: tokenStats missing`);
	eq(json.tokenStats.status_summary, 'success', `${what} tokenStats.status_summary`);
	assert(json.tokenStats.token_count > 0, `${what}: tokenStats.token_count ${show(json.tokenStats.token_count)}`);
	eq(json.tokenStats.session_id, json.sessionId, `${what} tokenStats.session_id`);
	for (const key of ['sessionId', 'requestId', 'recordId']) assert(typeof json[key] === 'string' && json[key], `${what}: ${key} missing`);
}

// ---------------------------------------------------------------------------------------------
// One host

interface Workflows {
	batch: WorkflowJson;
	batchQuestions: string[];
	email: WorkflowJson;
	tokens: WorkflowJson;
	tate: WorkflowJson;
	split: WorkflowJson;
}

function loadWorkflows(): Workflows {
	const batchExample = readExample('batch-qa.json');
	// Each answer waits LATENCY_MARKER before its first byte, so that the turns overlap and the
	// simulator can see the node's concurrency; the failing question goes in the middle.
	const questions = batchQuestions(batchExample).map((q) => `${q} ${LATENCY_MARKER}`);
	questions.splice(FAILING_INDEX, 0, FAILING_QUESTION);
	return {
		batch: withBatchQuestions(batchExample, questions),
		batchQuestions: questions,
		email: readExample('chat-to-email.json'),
		tokens: readExample('tokens.json'),
		tate: readExample('tate-conversation.json'),
		split: readWorkflow('test/e2e/split-layout.json'),
	};
}

/** The node types (with versions) each host offers, from n8n-nodes-base's type list. */
function baseNodeVersions(host: Host): Map<string, number[]> {
	const file = path.join(host.dir, 'node_modules', 'n8n-nodes-base', 'dist', 'types', 'nodes.json');
	const list = JSON.parse(fs.readFileSync(file, 'utf8')) as Array<{ name: string; version: number | number[] }>;
	const map = new Map<string, number[]>();
	for (const d of list) {
		// The list names types without the package prefix ("manualTrigger").
		const name = d.name.includes('.') ? d.name : `n8n-nodes-base.${d.name}`;
		const versions = map.get(name) ?? [];
		versions.push(...([] as number[]).concat(d.version));
		map.set(name, versions);
	}
	return map;
}

async function runHost(kind: HostKind, tarball: string, wfs: Workflows): Promise<void> {
	const H = kind;
	let host: Host | undefined;
	let inst: Instance | undefined;
	let stand: Stand | undefined;
	try {
		const hostOk = await check(H, `n8n ${hostVersion(kind)} host`, async () => {
			const installError = hostInstallErrors.get(kind);
			if (installError) throw installError;
			host = await ensureHost(kind);
			return `${host.dir} (Node ${kind === 'v1' ? process.version : 'from ' + host.nodePath})`;
		});
		if (!hostOk || !host) return;
		const h = host;

		// createInstance installs the packed tarball as a community package and requires every
		// node and credential file listed in its package.json with the host's Node.
		const loaded = await check(H, 'packed package installs and loads (every node and credential)', async () => {
			inst = await createInstance(h, { packageTarball: tarball });
			cleanups.add(inst.dispose);
			eq([...inst.nodeTypes].sort(), [...EXPECTED_NODE_TYPES].sort(), 'node types');
			eq([...inst.credentialTypes].sort(), [...EXPECTED_CREDENTIAL_TYPES].sort(), 'credential types');
			return `${inst.nodeTypes.length} nodes, ${inst.credentialTypes.length} credentials`;
		});
		if (!loaded || !inst) return;
		const n8n = inst;

		const all: Array<[string, WorkflowJson]> = [
			['batch-qa', wfs.batch],
			['chat-to-email', wfs.email],
			['tokens', wfs.tokens],
			['tate-conversation', wfs.tate],
			['split-layout', wfs.split],
		];
		await check(H, 'every node type and version in the workflows exists in this n8n', () => {
			const base = baseNodeVersions(h);
			const seen = new Set<string>();
			for (const [label, wf] of all) {
				for (const node of wf.nodes) {
					const key = `${node.type}@${node.typeVersion}`;
					seen.add(key);
					if (node.type.startsWith(`${PACKAGE_NAME}.`)) {
						assert(n8n.nodeTypes.includes(node.type), `${label}: ${node.type} not in the package`);
						eq(node.typeVersion, 1, `${label} ${node.name} typeVersion`);
					} else {
						const versions = base.get(node.type);
						assert(versions, `${label}: node type ${node.type} does not exist in n8n ${h.version}`);
						assert(versions.includes(node.typeVersion), `${label}: ${node.type} has no version ${node.typeVersion} in n8n ${h.version} (${versions.join(', ')})`);
					}
				}
			}
			return [...seen].sort().join(', ');
		});

		stand = await startStandIns();
		cleanups.add(stand.close);
		const { sim, sink } = stand;
		const imported = await check(H, 'import credentials and workflows', async () => {
			await n8n.importCredentials(localCredentials(sim.url, sink.port));
			const ids = await n8n.importWorkflows(all.map(([, wf]) => wf));
			return `${Object.keys(CREDENTIALS).length} credentials, workflows ${ids.join(', ')}`;
		});
		if (!imported) return;

		const runs: ExecuteResult[] = [];
		const execute = async (label: string, wf: WorkflowJson): Promise<ExecuteResult | null> => {
			sim.reset();
			sink.clear();
			let res: ExecuteResult | null = null;
			const ok = await check(H, `${label}: workflow runs`, async () => {
				res = await n8n.execute(wf.id);
				runs.push(res);
				if (res.crashedOnExit) crashesOnExit++;
				if (!res.ok) {
					const tail = verbose ? `\n${res.stdout.slice(-3000)}\n${res.stderr.slice(-3000)}` : '';
					throw new CheckFailure(`${res.errorMessage ?? 'failed'} (exit ${res.exitCode}${res.signal ? `, ${res.signal}` : ''})${tail}`);
				}
				const crash = res.crashedOnExit ? `; n8n crashed on exit (${res.signal}) after printing complete run data` : '';
				return `status ${res.runData.status}, ${seconds(res.durationMs)}${crash}`;
			});
			return ok ? res : null;
		};

		// ---- batch-qa: 5 questions and one that fails, concurrency 5, continue on fail
		{
			const res = await execute('batch-qa', wfs.batch);
			if (res) {
				const rd = res.runData;
				const questions = wfs.batchQuestions;
				await check(H, 'batch-qa: chat items in input order, exact replies, references, token stats, pairedItem', () => {
					const items = nodeItems(rd, 'Ask Tencent LKE');
					eq(items.length, questions.length, 'items');
					items.forEach((item: any, i: number) => {
						eq(item.pairedItem, { item: i }, `item ${i} pairedItem`);
						if (i !== FAILING_INDEX) assertTurn(item.json, questions[i], `item ${i}`);
					});
					return `${items.length} items`;
				});
				await check(H, 'batch-qa: the injected failure [error:460004] is a failed item (Continue On Fail)', () => {
					const failed = nodeItems(rd, 'Ask Tencent LKE')[FAILING_INDEX];
					assert(failed, 'no item');
					const json = failed.json;
					assert(typeof json.error === 'string' && json.error.includes('460004'), `error ${show(json.error)}`);
					assert(json.error.includes('The application does not exist'), `error without the documented meaning: ${show(json.error)}`);
					eq(String(json.code), '460004', 'code');
					assert(json.isFinal !== true, 'isFinal should not be true');
					eq(failed.pairedItem, { item: FAILING_INDEX }, 'pairedItem');
					const asked = sim.requests.filter((r) => r.route === 'lke' && r.json?.content === FAILING_QUESTION).length;
					eq(asked, 1, 'requests for the failing question (not retried)');
					return show(json.error, 100);
				});
				await check(H, 'batch-qa: one summary item with counts and answers', () => {
					const summary = nodeItems(rd, 'Summary');
					eq(summary.length, 1, 'summary items');
					const s = summary[0].json;
					eq([s.questions, s.answered, s.failed], [questions.length, questions.length - 1, 1], '[questions, answered, failed]');
					eq(s.answers.length, questions.length, 'answers');
					s.answers.forEach((a: any, i: number) => {
						eq(a.question, questions[i], `answer ${i} question`);
						eq(a.ok, i !== FAILING_INDEX, `answer ${i} ok`);
						if (i === FAILING_INDEX) {
							assert(a.error.includes('460004'), `answer ${i} error ${show(a.error)}`);
						} else {
							eq(a.reply, lkeAnswerFor(questions[i]), `answer ${i} reply`);
							eq(a.references[0], 'Simulator handbook <https://example.com/docs/simulator-handbook.pdf>', `answer ${i} first reference`);
							eq(a.references.length, 3, `answer ${i} references`);
							assert(a.tokens > 0, `answer ${i} tokens`);
						}
					});
					return `questions ${s.questions}, answered ${s.answered}, failed ${s.failed}, tokens ${s.tokens}`;
				});
				await check(H, 'batch-qa: questions asked concurrently, at most 5 at once, each once', () => {
					const peak = sim.peakInFlight('lke');
					assert(peak >= 2 && peak <= 5, `peak in flight ${peak} (expected 2..5)`);
					for (const [i, q] of questions.entries()) if (i !== FAILING_INDEX) eq(sim.lkeAnswered(q), 1, `answered "${q}"`);
					return `peak ${peak} in flight`;
				});
			}
		}

		// ---- chat-to-email: reply → message → Send Email → SMTP sink
		{
			const res = await execute('chat-to-email', wfs.email);
			if (res) {
				const rd = res.runData;
				const question = String(findNode(wfs.email, 'Question').parameters.assignments.assignments[0].value);
				const reply = lkeAnswerFor(question);
				const refLines = ['- Simulator handbook <https://example.com/docs/simulator-handbook.pdf>', '- FAQ: 你好，世界', '- Web result about the simulator <https://example.com/search/3>'];
				await check(H, 'chat-to-email: exact reply, references, token stats', () => {
					const items = nodeItems(rd, 'Ask Tencent LKE');
					eq(items.length, 1, 'items');
					assertTurn(items[0].json, question, 'chat');
					eq(items[0].pairedItem, { item: 0 }, 'pairedItem');
					return `${items[0].json.tokenStats.token_count} tokens`;
				});
				await check(H, 'chat-to-email: message built with reply and reference names/urls', () => {
					const msg = nodeItems(rd, 'Build message')[0]?.json;
					assert(msg, 'no message');
					eq(msg.subject, `Agent answer: ${question}`, 'subject');
					assert(msg.text.includes(reply), 'text lacks the reply');
					for (const l of refLines) assert(msg.text.includes(l), `text lacks ${show(l)}`);
				});
				await check(H, 'chat-to-email: the SMTP sink received the mail with the reply', async () => {
					const mails = await sink.waitForMails(1, 5000);
					eq(mails.length, 1, 'mails');
					const mail = mails[0];
					eq(mail.from, 'agent@example.com', 'MAIL FROM');
					eq(mail.to, ['team@example.com'], 'RCPT TO');
					eq(mail.subject, `Agent answer: ${question}`, 'Subject');
					assert(mail.text.includes(`Answer:\n${reply}\n`), `mail text lacks the reply: ${show(mail.text, 300)}`);
					for (const l of refLines) assert(mail.text.includes(l), `mail text lacks ${show(l)}`);
					assert(!mail.text.includes('sent automatically with n8n'), 'attribution appended');
					const sent = nodeItems(rd, 'Send email')[0]?.json;
					eq(sent?.accepted, ['team@example.com'], 'Send email accepted');
					return `${mail.text.length} chars, subject ${show(mail.subject, 60)}`;
				});
			}
		}

		// ---- tokens: LKE Get WS Token and AiSK chatbot token
		{
			const res = await execute('tokens', wfs.tokens);
			if (res) {
				const rd = res.runData;
				await check(H, 'tokens: Tencent LKE Get WS Token (TC3-signed) returns the Response fields', () => {
					const items = nodeItems(rd, 'Get WS token');
					eq(items.length, 1, 'items');
					const json = items[0].json;
					eq(Object.keys(json).sort(), ['Balance', 'InputLenLimit', 'Pattern', 'RequestId', 'SingleWorkflow', 'Token'], 'fields');
					assert(typeof json.Token === 'string' && json.Token.length > 0, `Token ${show(json.Token)}`);
					eq(items[0].pairedItem, { item: 0 }, 'pairedItem');
					const req = sim.requests.find((r) => r.route === 'cloudApi');
					assert(req, 'no Cloud API request');
					eq(req.headers['x-tc-action'], 'GetWsToken', 'X-TC-Action');
					eq([req.json?.Type, req.json?.VisitorBizId], [5, 'web-visitor-001'], '[Type, VisitorBizId]');
					return `Token ${json.Token.length} chars, Balance ${json.Balance}`;
				});
				await check(H, 'tokens: AiSK chatbot token', () => {
					const items = nodeItems(rd, 'Create AiSK chatbot token');
					eq(items.length, 1, 'items');
					const json = items[0].json;
					const chatbotId = String(findNode(wfs.tokens, 'Create AiSK chatbot token').parameters.chatbotId);
					assert(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(chatbotId), 'chatbotId is not a UUID');
					eq(Object.keys(json).sort(), ['chatbotId', 'token'], 'fields');
					eq(json.chatbotId, chatbotId, 'chatbotId');
					assert(typeof json.token === 'string' && json.token.split('.').length === 3, `token ${show(json.token)}`);
					eq(items[0].pairedItem, { item: 0 }, 'pairedItem');
					return `token ${json.token.length} chars`;
				});
			}
		}

		// ---- tate-conversation: three turns carrying the conversation
		{
			const res = await execute('tate-conversation', wfs.tate);
			if (res) {
				const rd = res.runData;
				const msgs = [1, 2, 3].map((n) => String(findNode(wfs.tate, `Turn ${n}`).parameters.msg));
				await check(H, 'tate-conversation: turns 1-3 in one conversation, exact replies, parent ids carried', () => {
					const outs = [1, 2, 3].map((n) => nodeItems(rd, `Turn ${n}`));
					outs.forEach((o, i) => eq(o.length, 1, `Turn ${i + 1} items`));
					const turns = outs.map((o) => o[0].json);
					const conv = turns[0].conversationId;
					assert(typeof conv === 'string' && /^01_\d+_\d+$/.test(conv), `conversationId ${show(conv)}`);
					turns.forEach((t, i) => {
						eq(t.conversationId, conv, `Turn ${i + 1} conversationId`);
						eq(t.reply, tateReplyFor(msgs[i], i + 1, conv), `Turn ${i + 1} reply`);
						eq(t.isFinal, 1, `Turn ${i + 1} isFinal`);
						eq(outs[i][0].pairedItem, { item: 0 }, `Turn ${i + 1} pairedItem`);
					});
					const reqs = sim.requests.filter((r) => r.route === 'tate').map((r) => r.json);
					eq(reqs.length, 3, 'tate requests');
					eq([reqs[0].conversationId, String(reqs[0].parentMsgId), reqs[0].userAction], ['', '0', 'new'], 'turn 1 request');
					eq([reqs[1].conversationId, String(reqs[1].parentMsgId)], [conv, turns[0].msgId], 'turn 2 request [conversationId, parentMsgId]');
					eq([reqs[2].conversationId, String(reqs[2].parentMsgId), reqs[2].reqModel], [conv, turns[1].msgId, 'stream'], 'turn 3 request');
					return `conversation ${conv}`;
				});
				await check(H, 'tate-conversation: transcript', () => {
					const t = nodeItems(rd, 'Transcript')[0]?.json;
					assert(t, 'no transcript');
					eq(
						t.turns.map((x: any) => [x.turn, x.you]),
						msgs.map((m, i) => [i + 1, m]),
						'turns',
					);
					t.turns.forEach((x: any, i: number) => eq(x.agent, tateReplyFor(msgs[i], i + 1, t.conversationId), `turn ${i + 1} agent`));
				});
			}
		}

		// ---- split-layout (e2e only): three outputs, evaluated from the outputs expression
		{
			const res = await execute('split-layout', wfs.split);
			if (res) {
				const rd = res.runData;
				const questions = batchQuestions(wfs.split);
				await check(H, 'split-layout: 3 outputs (Reply, References, Token Stats) reach their nodes', () => {
					eq(nodeOutputCount(rd, 'Ask Tencent LKE'), 3, 'outputs of the LKE node');
					// What reached the three downstream nodes...
					const counts = ['Reply', 'References', 'Token Stats'].map((n) => nodeItems(rd, n).length);
					eq(counts, [2, 6, 2], 'items reaching [Reply, References, Token Stats]');
					// ...is what the LKE node put on its outputs, with pairedItem to its own input items
					// (downstream nodes re-pair to theirs).
					const replies = nodeItems(rd, 'Ask Tencent LKE', 0);
					const refs = nodeItems(rd, 'Ask Tencent LKE', 1);
					const stats = nodeItems(rd, 'Ask Tencent LKE', 2);
					eq(nodeItems(rd, 'References').map((i: any) => i.json), refs.map((i: any) => i.json), 'References node input');
					replies.forEach((item: any, i: number) => {
						const json = item.json;
						eq(json.reply, lkeAnswerFor(questions[i]), `reply ${i}`);
						assert(!('references' in json) && !('tokenStats' in json), `reply ${i} carries references/tokenStats`);
						eq(item.pairedItem, { item: i }, `reply ${i} pairedItem`);
						const mine = refs.filter((r: any) => r.json.sessionId === json.sessionId);
						eq(mine.map((r: any) => r.json.id), REFERENCE_IDS, `references of reply ${i}`);
						for (const r of mine) {
							eq(r.json.recordId, json.recordId, `reference recordId of reply ${i}`);
							eq(r.pairedItem, { item: i }, `reference pairedItem of reply ${i}`);
						}
						eq(stats[i].json.session_id, json.sessionId, `token stats ${i} session_id`);
						eq(stats[i].json.status_summary, 'success', `token stats ${i} status_summary`);
						eq(stats[i].pairedItem, { item: i }, `token stats ${i} pairedItem`);
					});
					return '2 replies, 6 references, 2 token stats';
				});
			}
		}

		await check(H, 'no secret in any run data or n8n output', () => {
			assert(runs.length > 0, 'no runs');
			for (const r of runs) {
				const text = JSON.stringify(r.runData) + r.stdout + r.stderr;
				for (const secret of LOCAL_SECRETS) assert(!text.includes(secret), `a secret (${secret.length} chars) appears in a run`);
			}
			const mailText = stand!.sink.mails.map((m) => m.raw).join('\n');
			for (const secret of LOCAL_SECRETS) assert(!mailText.includes(secret), 'a secret appears in a mail');
			return `${runs.length} runs`;
		});
	} catch (e) {
		record(H, 'unexpected error', false, e instanceof Error ? (e.stack ?? e.message) : String(e));
	} finally {
		if (stand) {
			cleanups.delete(stand.close);
			await stand.close();
		}
		if (inst) {
			cleanups.delete(inst.dispose);
			await inst.dispose();
		}
	}
}

// ---------------------------------------------------------------------------------------------

function parseHosts(argv: string[]): HostKind[] {
	const hosts: HostKind[] = [];
	for (let i = 0; i < argv.length; i++) {
		const v = argv[i] === '--host' ? argv[++i] : argv[i].startsWith('--host=') ? argv[i].slice(7) : undefined;
		if (v === undefined) continue;
		if (v !== 'v1' && v !== 'v2') throw new Error(`--host must be v1 or v2, not ${v}`);
		if (!hosts.includes(v)) hosts.push(v);
	}
	return hosts.length ? hosts : ['v1', 'v2'];
}

async function main(): Promise<number> {
	const started = Date.now();
	const hosts = parseHosts(process.argv.slice(2));
	const sequential = process.argv.includes('--sequential');
	process.stdout.write(`e2e: ${EXAMPLE_FILES.length} examples + test/e2e workflows on ${hosts.map((h) => `n8n ${hostVersion(h)}`).join(' and ')}` + ` (${sequential ? 'one after the other' : 'in parallel'})\n`);

	const packDir = fs.mkdtempSync(path.join(os.tmpdir(), 'n8n-e2e-pack-'));
	const cleanup = () => fs.rmSync(packDir, { recursive: true, force: true });
	const onSignal = (sig: NodeJS.Signals) => {
		if (interrupted) return;
		interrupted = true;
		// n8nHost stops the n8n processes it started; here: temp folders, simulator, sink.
		process.stdout.write(`\ninterrupted (${sig}), cleaning up\n`);
		cleanup();
		const timer = setTimeout(() => process.exit(130), 8000);
		const runAll = () => Promise.all([...cleanups].map((fn) => fn().catch(() => undefined)));
		// An interrupted n8n may still write into its folder while it shuts down: twice.
		void runAll()
			.then(() => new Promise((r) => setTimeout(r, 1500)))
			.then(runAll)
			.then(() => {
				clearTimeout(timer);
				process.exit(130);
			});
	};
	// `on`, not `once`: while we listen, n8nHost's own handler leaves exiting to us.
	process.on('SIGINT', onSignal);
	process.on('SIGTERM', onSignal);

	try {
		let tarball = '';
		const packed = await check('--', 'npm pack', async () => {
			tarball = await packPackage(REPO_ROOT, packDir);
			return path.basename(tarball);
		});
		const wfs = loadWorkflows();
		if (packed) {
			// Install missing hosts one at a time (each is a 2.5 GB npm install); cached ones are instant.
			for (const kind of hosts) {
				try {
					await ensureHost(kind);
				} catch (e) {
					hostInstallErrors.set(kind, e instanceof Error ? e : new Error(String(e))); // reported by the host's first check
				}
			}
			if (sequential) for (const kind of hosts) await runHost(kind, tarball, wfs);
			else await Promise.all(hosts.map((kind) => runHost(kind, tarball, wfs)));
		}
	} finally {
		cleanup();
	}

	const passed = results.filter((r) => r.ok).length;
	const failed = results.length - passed;
	if (crashesOnExit > 0) {
		process.stdout.write(`note: ${crashesOnExit} n8n 2.x run(s) crashed on exit after printing complete run data (counted as passed)\n`);
	}
	process.stdout.write(`e2e finished in ${seconds(Date.now() - started)}\n`);
	process.stdout.write(`${passed} passed, ${failed} failed\n`);
	return failed === 0 && passed > 0 ? 0 : 1;
}

main().then(
	(code) => process.exit(code),
	(e: unknown) => {
		process.stderr.write(`e2e failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
		process.stdout.write(`${results.filter((r) => r.ok).length} passed, ${results.filter((r) => !r.ok).length + 1} failed\n`);
		process.exit(1);
	},
);
