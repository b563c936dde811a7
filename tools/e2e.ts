/**
 * End-to-end tests: `npm run test:e2e`.
 *
 * Every example workflow in `examples/` (and the e2e-only workflows in `test/e2e/`) runs in a
 * real n8n 1.123.x on Node 20 and a real n8n 2.41.x on Node 24, with this package packed and
 * installed as a community package, against the project's vendor simulator and a local SMTP
 * sink. Prints one line per check and ends with `N passed, M failed`; exits non-zero on any
 * failure.
 *
 * Options: `--host v1|v2` (repeatable; default both), `--sequential` (one host after the other;
 * default: both at once), `--verbose` (the n8n output of failed runs).
 */
import * as fs from 'fs';
import * as path from 'path';
import type { IDataObject } from 'n8n-workflow';
import { outputAs, type AiskAskItem, type AiskTokenItem, type LkeChatItem, type TateMessageItem, type WsTokenItem } from '../testkit/outputs';
import { CREDENTIAL_TYPES, NODE_TYPES, PACKAGE_NAME, PROFILES, adpV2ReferencesOut, adpV2TokenStatsOut, lkeTokenStatsOut } from '../testkit/profiles';
import { LKE_REFERENCES, adpV2AnswerFor, adpV2QuestionOf, adpV2TurnFor, lkeAnswerFor, requestField, tateReplyFor, type Simulator } from '../testkit/simulator';
import type { SmtpSink } from '../testkit/smtpSink';
import { seconds } from '../testkit/time';
import { hostsFromArgs } from './lib/args';
import { CheckFailure, Checks, assert, eq, noProblem, show } from './lib/checks';
import {
	EXAMPLE_FILES,
	LOCAL_SECRETS,
	REPO_ROOT,
	batchQuestions,
	findNode,
	localCredentials,
	readExample,
	readWorkflow,
	startStandIns,
	textParameter,
	withBatchQuestions,
	checkAiskBatchSummary,
	checkLkeBatchSummary,
	chatInputOf,
	lkeReferenceLines,
	withChatInput,
	type AiskBatchSummary,
	type BatchSummary,
	type Transcript,
	type WorkflowJson,
} from './lib/exampleRig';
import { createInstance, ensureHost, hostVersion, packPackage, type ExecuteResult, type Host, type HostKind, type Instance } from './lib/n8nHost';
import { addCleanup, makeTempDir, runTool } from './lib/processes';
import { nodeItems, nodeJson, nodeOutputCount, type RunData } from './lib/runData';

const verbose = process.argv.includes('--verbose');
const checks = new Checks({ verbose });
let crashesOnExit = 0;

/** LKE v1: the simulator sends references [sim-ref-1, sim-ref-2] then [sim-ref-2, 3]; the node keeps each once. */
const V1_REFERENCE_IDS = LKE_REFERENCES.map((reference) => String(reference.id));
/** ADP v2: the simulator sends references (one of them twice) only when the question carries this marker. */
const REFS_MARKER = '[refs]';
/** batch-qa: the first questions carry REFS_MARKER, the others get no references. */
const BATCH_WITH_REFERENCES = 2;
const FAILING_QUESTION = 'Which plan suits me best? [error:460004]';
const FAILING_INDEX = 2;
const LATENCY_MARKER = '[latency:300]';
/** aisk-batch-qa: the simulator's exhausted daily quota for one question (429, ERROR_REASON_PROMPT_OUT_OF_QUOTA). */
const AISK_FAILING_QUESTION = 'Can I ask more today? [quota]';
const AISK_FAILING_INDEX = 3;
const AISK_NODE = 'Ask AiSK';

interface Workflows {
	batch: WorkflowJson;
	batchQuestions: string[];
	aiskBatch: WorkflowJson;
	aiskBatchQuestions: string[];
	email: WorkflowJson;
	emailQuestion: string;
	tokens: WorkflowJson;
	tate: WorkflowJson;
	split: WorkflowJson;
	splitV1: WorkflowJson;
}

/** What every check of one host works with. */
interface HostRun {
	kind: HostKind;
	host: Host;
	n8n: Instance;
	sim: Simulator;
	sink: SmtpSink;
	workflows: Workflows;
	runs: ExecuteResult[];
}

function check(kind: HostKind | '--', name: string, body: () => string | void | Promise<string | void>): Promise<boolean> {
	return checks.run(`[${kind}] ${name}`, body);
}

/** An ADP v2 chat item (single layout): reply, references, quote infos, token stats, ids, exactly. */
function assertV2Turn(item: IDataObject, question: string, what: string): void {
	noProblem(PROFILES['lke-chat-v2'].checkSuccess(item, { question, parameters: PROFILES['lke-chat-v2'].parameters }), what);
}

/** The ADP v2 requests the simulator received for `question`. */
function adpV2Requests(run: HostRun, question: string): number {
	return run.sim.requests.filter((r) => r.route === 'adpV2' && adpV2QuestionOf(requestField(r, 'Contents')) === question).length;
}

function loadWorkflows(): Workflows {
	const batchExample = readExample('batch-qa.json');
	// Each answer waits LATENCY_MARKER before its first byte, so that the turns overlap and the
	// simulator can see the node's concurrency; the failing question goes in the middle.
	const questions = batchQuestions(batchExample).map((q, i) => (i < BATCH_WITH_REFERENCES ? `${q} ${REFS_MARKER} ${LATENCY_MARKER}` : `${q} ${LATENCY_MARKER}`));
	questions.splice(FAILING_INDEX, 0, FAILING_QUESTION);
	// The same for the AiSK batch: overlapping answers, and one question whose daily quota is used up.
	const aiskExample = readExample('aisk-batch-qa.json');
	const aiskQuestions = batchQuestions(aiskExample).map((q) => `${q} ${LATENCY_MARKER}`);
	aiskQuestions.splice(AISK_FAILING_INDEX, 0, AISK_FAILING_QUESTION);
	// chat-to-email asks its question with the references marker, so that the mail lists them.
	const emailExample = readExample('chat-to-email.json');
	const emailQuestion = `${chatInputOf(emailExample, 'Question')} ${REFS_MARKER}`;
	return {
		batch: withBatchQuestions(batchExample, questions),
		batchQuestions: questions,
		aiskBatch: withBatchQuestions(aiskExample, aiskQuestions),
		aiskBatchQuestions: aiskQuestions,
		email: withChatInput(emailExample, 'Question', emailQuestion),
		emailQuestion,
		tokens: readExample('tokens.json'),
		tate: readExample('tate-conversation.json'),
		split: readWorkflow('test/e2e/split-layout.json'),
		splitV1: readWorkflow('test/e2e/split-layout-v1.json'),
	};
}

function allWorkflows(workflows: Workflows): Array<[string, WorkflowJson]> {
	return [
		['batch-qa', workflows.batch],
		['aisk-batch-qa', workflows.aiskBatch],
		['chat-to-email', workflows.email],
		['tokens', workflows.tokens],
		['tate-conversation', workflows.tate],
		['split-layout', workflows.split],
		['split-layout-v1', workflows.splitV1],
	];
}

/** The node types (with versions) a host offers, from n8n-nodes-base's type list. */
function baseNodeVersions(host: Host): Map<string, number[]> {
	const file = path.join(host.dir, 'node_modules', 'n8n-nodes-base', 'dist', 'types', 'nodes.json');
	const list = JSON.parse(fs.readFileSync(file, 'utf8')) as Array<{ name: string; version: number | number[] }>;
	const map = new Map<string, number[]>();
	for (const description of list) {
		// The list names types without the package prefix ("manualTrigger").
		const name = description.name.includes('.') ? description.name : `n8n-nodes-base.${description.name}`;
		map.set(name, [...(map.get(name) ?? []), ...([] as number[]).concat(description.version)]);
	}
	return map;
}

// ---------------------------------------------------------------------------------------------
// Phases of one host

async function hostReady(kind: HostKind, installError: Error | undefined): Promise<Host | undefined> {
	let host: Host | undefined;
	await check(kind, `n8n ${hostVersion(kind)} host`, async () => {
		if (installError) throw installError;
		host = await ensureHost(kind);
		return `${host.dir} (Node ${kind === 'v1' ? process.version : 'from ' + host.nodePath})`;
	});
	return host;
}

/** createInstance installs the packed tarball and requires every node and credential file with the host's Node. */
async function packageInstalled(host: Host, tarball: string): Promise<Instance | undefined> {
	let instance: Instance | undefined;
	await check(host.kind, 'packed package installs and loads (every node and credential)', async () => {
		instance = await createInstance(host, { packageTarball: tarball });
		eq([...instance.nodeTypes].sort(), [...NODE_TYPES].sort(), 'node types');
		eq([...instance.credentialTypes].sort(), [...CREDENTIAL_TYPES].sort(), 'credential types');
		return `${instance.nodeTypes.length} nodes, ${instance.credentialTypes.length} credentials`;
	});
	return instance;
}

function nodeTypesExist(run: Pick<HostRun, 'kind' | 'host' | 'n8n' | 'workflows'>): Promise<boolean> {
	return check(run.kind, 'every node type and version in the workflows exists in this n8n', () => {
		const base = baseNodeVersions(run.host);
		const seen = new Set<string>();
		for (const [label, workflow] of allWorkflows(run.workflows)) {
			for (const node of workflow.nodes) {
				const typeVersion = node.typeVersion ?? 1;
				seen.add(`${node.type}@${typeVersion}`);
				if (node.type.startsWith(`${PACKAGE_NAME}.`)) {
					assert(run.n8n.nodeTypes.includes(node.type), `${label}: ${node.type} not in the package`);
					eq(typeVersion, 1, `${label} ${node.name} typeVersion`);
				} else {
					const versions = base.get(node.type);
					assert(versions, `${label}: node type ${node.type} does not exist in n8n ${run.host.version}`);
					assert(versions.includes(typeVersion), `${label}: ${node.type} has no version ${typeVersion} in n8n ${run.host.version} (${versions.join(', ')})`);
				}
			}
		}
		return [...seen].sort().join(', ');
	});
}

function imported(run: HostRun): Promise<boolean> {
	return check(run.kind, 'import credentials and workflows', async () => {
		const credentials = localCredentials(run.sim.url, run.sink.port);
		await run.n8n.importCredentials(credentials);
		const ids = await run.n8n.importWorkflows(allWorkflows(run.workflows).map(([, workflow]) => workflow));
		return `${credentials.length} credentials, workflows ${ids.join(', ')}`;
	});
}

/** Runs a workflow with `n8n execute` as a check of its own; the run data when it succeeded. */
async function executed(run: HostRun, label: string, workflow: WorkflowJson): Promise<RunData | undefined> {
	run.sim.reset();
	run.sink.clear();
	let data: RunData | undefined;
	await check(run.kind, `${label}: workflow runs`, async () => {
		const result = await run.n8n.execute(workflow.id);
		run.runs.push(result);
		if (result.crashedOnExit) crashesOnExit++;
		if (!result.ok || !result.runData) {
			const output = verbose ? `\n${result.stdout.slice(-3000)}\n${result.stderr.slice(-3000)}` : '';
			throw new CheckFailure(`${result.errorMessage ?? 'failed'} (exit ${result.exitCode}${result.signal ? `, ${result.signal}` : ''})${output}`);
		}
		data = result.runData;
		const crash = result.crashedOnExit ? `; n8n crashed on exit (${result.signal}) after printing complete run data` : '';
		return `status ${result.runData.status}, ${seconds(result.durationMs)}${crash}`;
	});
	return data;
}

// ---------------------------------------------------------------------------------------------
// The examples' checks

/** batch-qa (ADP v2): 5 questions (the first with references) and one that fails, concurrency 5, continue on fail. */
async function checkBatchQa(run: HostRun): Promise<void> {
	const data = await executed(run, 'batch-qa', run.workflows.batch);
	if (!data) return;
	const questions = run.workflows.batchQuestions;
	await check(run.kind, 'batch-qa: ADP v2 items in input order, exact replies, normalized references and token stats, pairedItem', () => {
		const items = nodeItems(data, 'Ask Tencent LKE');
		eq(items.length, questions.length, 'items');
		items.forEach((item, i) => {
			eq(item.pairedItem, { item: i }, `item ${i} pairedItem`);
			if (i !== FAILING_INDEX) assertV2Turn(item.json, questions[i], `item ${i}`);
		});
		const withReferences = items.filter((item) => (outputAs<LkeChatItem>(item.json).references ?? []).length > 0).length;
		eq(withReferences, BATCH_WITH_REFERENCES, 'items with references');
		return `${items.length} items, ${withReferences} with ${adpV2ReferencesOut(questions[0]).length} references`;
	});
	await check(run.kind, 'batch-qa: the injected failure [error:460004] is a failed item (Continue On Fail)', () => {
		const failed = nodeItems(data, 'Ask Tencent LKE')[FAILING_INDEX];
		assert(failed, 'no item');
		const json = outputAs<LkeChatItem>(failed.json);
		assert(typeof json.error === 'string' && json.error.includes('460004'), `error ${show(json.error)}`);
		assert(json.error.includes('The application does not exist'), `error without the documented meaning: ${show(json.error)}`);
		eq(String(json.code), '460004', 'code');
		assert(json.isFinal !== true, 'isFinal should not be true');
		eq(failed.pairedItem, { item: FAILING_INDEX }, 'pairedItem');
		eq(adpV2Requests(run, FAILING_QUESTION), 1, 'requests for the failing question (not retried)');
		return show(json.error, 100);
	});
	await check(run.kind, 'batch-qa: one summary item with counts, answers, reference lines and tokens', () => {
		const summaries = nodeJson(data, 'Summary');
		eq(summaries.length, 1, 'summary items');
		eq(lkeReferenceLines(questions[0])[0], 'Simulator handbook <https://example.com/docs/simulator-handbook.pdf>', 'first reference line (written by hand)');
		return checkLkeBatchSummary(outputAs<BatchSummary>(summaries[0]), questions, new Map([[FAILING_INDEX, '460004']]));
	});
	await check(run.kind, 'batch-qa: questions asked concurrently over /adp/v2/chat, at most 5 at once, each once', () => {
		const peak = run.sim.peakInFlight('adpV2');
		assert(peak >= 2 && peak <= 5, `peak in flight ${peak} (expected 2..5)`);
		eq(run.sim.requests.filter((r) => r.route === 'lke').length, 0, 'v1 requests');
		for (const [i, question] of questions.entries()) if (i !== FAILING_INDEX) eq(run.sim.adpV2Answered(question), 1, `answered "${question}"`);
		return `peak ${peak} in flight`;
	});
}

/** aisk-batch-qa: the questions and one whose quota is used up, Ask 3 at a time, Continue On Fail. */
async function checkAiskBatchQa(run: HostRun): Promise<void> {
	const data = await executed(run, 'aisk-batch-qa', run.workflows.aiskBatch);
	if (!data) return;
	const questions = run.workflows.aiskBatchQuestions;
	const parameters = findNode(run.workflows.aiskBatch, AISK_NODE).parameters;
	await check(run.kind, 'aisk-batch-qa: Ask items in input order, exact answers, normalized references, pairedItem', () => {
		const items = nodeItems(data, AISK_NODE);
		eq(items.length, questions.length, 'items');
		items.forEach((item, i) => {
			eq(item.pairedItem, { item: i }, `item ${i} pairedItem`);
			if (i !== AISK_FAILING_INDEX) noProblem(PROFILES['aisk-ask'].checkSuccess(item.json, { question: questions[i], parameters }), `item ${i}`);
		});
		const conversations = new Set(items.map((item) => outputAs<AiskAskItem>(item.json).conversationId));
		eq(conversations.size, questions.length, 'distinct conversationIds (a new conversation per item)');
		return `${items.length} items, ${outputAs<AiskAskItem>(items[0].json).references.length} references each`;
	});
	await check(run.kind, 'aisk-batch-qa: the used-up quota [quota] is a failed item (Continue On Fail), not retried', () => {
		const failed = nodeItems(data, AISK_NODE)[AISK_FAILING_INDEX];
		assert(failed, 'no item');
		const json = outputAs<AiskAskItem>(failed.json);
		eq(json.code, 'RESOURCE_EXHAUSTED', 'code');
		assert(typeof json.error === 'string' && json.error.includes('out of quota'), `error ${show(json.error)}`);
		eq(json.reply, '', 'reply (nothing had arrived)');
		eq(failed.pairedItem, { item: AISK_FAILING_INDEX }, 'pairedItem');
		const asked = run.sim.requests.filter((r) => r.route === 'aiskStream' && requestField(r, 'question') === AISK_FAILING_QUESTION).length;
		eq(asked, 1, 'requests for the failing question');
		return show(json.error, 100);
	});
	await check(run.kind, 'aisk-batch-qa: one prompt token and one init for the chatbot, every other question answered once, at most 3 at once', () => {
		const answered = questions.length - 1;
		eq(run.sim.aiskCounts(), { promptTokens: 1, init: 1, prompts: answered, answered }, 'simulator AiSK counts');
		const peak = run.sim.peakInFlight('aiskStream');
		assert(peak >= 2 && peak <= 3, `peak in flight ${peak} (expected 2..3)`);
		return `peak ${peak} in flight`;
	});
	await check(run.kind, 'aisk-batch-qa: no prompt token in the run data', () => {
		const tokens = run.sim.requests.filter((r) => r.route === 'aiskStream').map((r) => String(r.headers.authorization ?? '').replace(/^Bearer\s+/i, ''));
		assert(tokens.length > 0 && tokens.every((token) => token.length > 20), 'no prompt token seen');
		const text = JSON.stringify(data);
		for (const token of new Set(tokens)) assert(!text.includes(token), 'a prompt token appears in the run data');
		return `${new Set(tokens).size} prompt token(s) checked`;
	});
	await check(run.kind, 'aisk-batch-qa: one summary item with counts, answers and reference lines', () => {
		const summaries = nodeJson(data, 'Summary');
		eq(summaries.length, 1, 'summary items');
		return checkAiskBatchSummary(outputAs<AiskBatchSummary>(summaries[0]), questions, new Map([[AISK_FAILING_INDEX, 'out of quota']]));
	});
}

/** chat-to-email (ADP v2): reply → message → Send Email → SMTP sink, the question carrying [refs]. */
async function checkChatToEmail(run: HostRun): Promise<void> {
	const data = await executed(run, 'chat-to-email', run.workflows.email);
	if (!data) return;
	const question = run.workflows.emailQuestion;
	const reply = adpV2AnswerFor(question);
	// written by hand from the simulator's [refs] references: name and link, each once
	const referenceLines = [
		'- Simulator handbook <https://example.com/docs/simulator-handbook.pdf>',
		'- FAQ: 你好，世界',
		'- Web result about the simulator <https://example.com/search/3>',
		'- Knowledge graph: simulator',
	];
	const tokens = adpV2TurnFor(question).statInfo.TotalTokens;
	await check(run.kind, 'chat-to-email: exact reply, normalized references, quote infos, token stats', () => {
		const items = nodeItems(data, 'Ask Tencent LKE');
		eq(items.length, 1, 'items');
		assertV2Turn(items[0].json, question, 'chat');
		eq(items[0].pairedItem, { item: 0 }, 'pairedItem');
		const json = outputAs<LkeChatItem>(items[0].json);
		return `${json.references?.length} references, ${json.tokenStats?.totalTokens} tokens`;
	});
	await check(run.kind, 'chat-to-email: message built with reply, reference names/urls and the token count', () => {
		const message = nodeJson(data, 'Build message')[0] as { subject?: string; text?: string } | undefined;
		assert(message?.text, 'no message');
		eq(message.subject, `Agent answer: ${question}`, 'subject');
		assert(message.text.includes(`Answer:\n${reply}\n`), 'text lacks the reply');
		assert(message.text.includes(`References:\n${referenceLines.join('\n')}\n`), `text lacks the reference lines: ${show(message.text, 600)}`);
		assert(message.text.includes(`, ${tokens} tokens.`), `text lacks "${tokens} tokens"`);
	});
	await check(run.kind, 'chat-to-email: the SMTP sink received the mail with the reply', async () => {
		const mails = await run.sink.waitForMails(1, 5000);
		eq(mails.length, 1, 'mails');
		const mail = mails[0];
		eq(mail.from, 'agent@example.com', 'MAIL FROM');
		eq(mail.to, ['team@example.com'], 'RCPT TO');
		eq(mail.subject, `Agent answer: ${question}`, 'Subject');
		assert(mail.text.includes(`Answer:\n${reply}\n`), `mail text lacks the reply: ${show(mail.text, 300)}`);
		for (const line of referenceLines) assert(mail.text.includes(line), `mail text lacks ${show(line)}`);
		assert(!mail.text.includes('sent automatically with n8n'), 'attribution appended');
		eq(nodeJson(data, 'Send email')[0]?.accepted, ['team@example.com'], 'Send email accepted');
		return `${mail.text.length} chars, subject ${show(mail.subject, 60)}`;
	});
}

/** tokens: LKE Get WS Token and AiSK chatbot token. */
async function checkTokens(run: HostRun): Promise<void> {
	const data = await executed(run, 'tokens', run.workflows.tokens);
	if (!data) return;
	await check(run.kind, 'tokens: Tencent LKE Get WS Token (TC3-signed) returns the Response fields', () => {
		const items = nodeItems(data, 'Get WS token');
		eq(items.length, 1, 'items');
		noProblem(PROFILES['lke-ws-token'].checkSuccess(items[0].json, { question: '', parameters: findNode(run.workflows.tokens, 'Get WS token').parameters }), 'item');
		eq(items[0].pairedItem, { item: 0 }, 'pairedItem');
		const request = run.sim.requests.find((r) => r.route === 'cloudApi');
		assert(request, 'no Cloud API request');
		eq(request.headers['x-tc-action'], 'GetWsToken', 'X-TC-Action');
		eq([requestField(request, 'Type'), requestField(request, 'VisitorBizId')], [5, 'web-visitor-001'], '[Type, VisitorBizId]');
		const json = outputAs<WsTokenItem>(items[0].json);
		return `Token ${json.Token.length} chars, Balance ${json.Balance}`;
	});
	await check(run.kind, 'tokens: AiSK chatbot token', () => {
		const items = nodeItems(data, 'Create AiSK chatbot token');
		eq(items.length, 1, 'items');
		const parameters = findNode(run.workflows.tokens, 'Create AiSK chatbot token').parameters;
		assert(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(String(parameters.chatbotId)), 'chatbotId is not a UUID');
		noProblem(PROFILES.aisk.checkSuccess(items[0].json, { question: '', parameters }), 'item');
		const json = outputAs<AiskTokenItem>(items[0].json);
		assert(json.token.split('.').length === 3, `token ${show(json.token)}`);
		eq(items[0].pairedItem, { item: 0 }, 'pairedItem');
		return `token ${json.token.length} chars`;
	});
}

/** tate-conversation: three turns carrying the conversation. */
async function checkTateConversation(run: HostRun): Promise<void> {
	const data = await executed(run, 'tate-conversation', run.workflows.tate);
	if (!data) return;
	const messages = [1, 2, 3].map((n) => textParameter(run.workflows.tate, `Turn ${n}`, 'msg'));
	await check(run.kind, 'tate-conversation: turns 1-3 in one conversation, exact replies, parent ids carried', () => {
		const outputs = [1, 2, 3].map((n) => nodeItems(data, `Turn ${n}`));
		outputs.forEach((items, i) => eq(items.length, 1, `Turn ${i + 1} items`));
		const turns = outputs.map((items) => outputAs<TateMessageItem>(items[0].json));
		const conversation = turns[0].conversationId;
		assert(typeof conversation === 'string' && /^01_\d+_\d+$/.test(conversation), `conversationId ${show(conversation)}`);
		turns.forEach((turn, i) => {
			const parameters = findNode(run.workflows.tate, `Turn ${i + 1}`).parameters;
			noProblem(PROFILES['tate-sync'].checkSuccess(outputs[i][0].json, { question: messages[i], parameters, turn: i + 1 }), `Turn ${i + 1}`);
			eq(turn.conversationId, conversation, `Turn ${i + 1} conversationId`);
			eq(outputs[i][0].pairedItem, { item: 0 }, `Turn ${i + 1} pairedItem`);
		});
		const requests = run.sim.requests.filter((r) => r.route === 'tate').map((r) => (r.json ?? {}) as IDataObject);
		eq(requests.length, 3, 'tate requests');
		eq([requests[0].conversationId, String(requests[0].parentMsgId), requests[0].userAction], ['', '0', 'new'], 'turn 1 request');
		eq([requests[1].conversationId, String(requests[1].parentMsgId)], [conversation, turns[0].msgId], 'turn 2 request [conversationId, parentMsgId]');
		eq([requests[2].conversationId, String(requests[2].parentMsgId), requests[2].reqModel], [conversation, turns[1].msgId, 'stream'], 'turn 3 request');
		return `conversation ${conversation}`;
	});
	await check(run.kind, 'tate-conversation: transcript', () => {
		const transcript = nodeJson(data, 'Transcript')[0];
		assert(transcript, 'no transcript');
		const { turns, conversationId } = outputAs<Transcript>(transcript);
		eq(
			turns.map((turn) => [turn.turn, turn.you]),
			messages.map((message, i) => [i + 1, message]),
			'turns',
		);
		turns.forEach((turn, i) => eq(turn.agent, tateReplyFor(messages[i], i + 1, conversationId), `turn ${i + 1} agent`));
	});
}

/** split-layout (e2e only, apiVersion never saved: ADP v2): three outputs, evaluated from the outputs expression. */
async function checkSplitLayout(run: HostRun): Promise<void> {
	const data = await executed(run, 'split-layout', run.workflows.split);
	if (!data) return;
	const questions = batchQuestions(run.workflows.split);
	const referenceCount = questions.reduce((sum, question) => sum + adpV2ReferencesOut(question).length, 0);
	await check(run.kind, 'split-layout (v2 by default): 3 outputs (Reply, References, Token Stats) reach their nodes', () => {
		eq(nodeOutputCount(data, 'Ask Tencent LKE'), 3, 'outputs of the LKE node');
		eq(run.sim.requests.filter((r) => r.route === 'adpV2').length, questions.length, 'ADP v2 requests');
		const counts = ['Reply', 'References', 'Token Stats'].map((name) => nodeItems(data, name).length);
		eq(counts, [questions.length, referenceCount, questions.length], 'items reaching [Reply, References, Token Stats]');
		// What reached the downstream nodes is what the LKE node put on its outputs, with pairedItem to its own input items.
		const replies = nodeItems(data, 'Ask Tencent LKE', 0);
		const references = nodeItems(data, 'Ask Tencent LKE', 1);
		const stats = nodeItems(data, 'Ask Tencent LKE', 2);
		eq(nodeJson(data, 'References'), references.map((item) => item.json), 'References node input');
		replies.forEach((item, i) => {
			const json = outputAs<LkeChatItem>(item.json);
			eq(json.reply, adpV2AnswerFor(questions[i]), `reply ${i}`);
			assert(!('references' in json) && !('tokenStats' in json), `reply ${i} carries references/tokenStats`);
			eq(item.pairedItem, { item: i }, `reply ${i} pairedItem`);
			const mine = references.filter((reference) => (reference.pairedItem as { item?: number } | undefined)?.item === i);
			eq(
				mine.map((reference) => reference.json),
				adpV2ReferencesOut(questions[i]).map((reference) => ({ ...reference, sessionId: json.sessionId, recordId: json.recordId })),
				`references of reply ${i}`,
			);
			eq(stats[i].json, adpV2TokenStatsOut(questions[i]), `token stats ${i}`);
			eq(stats[i].pairedItem, { item: i }, `token stats ${i} pairedItem`);
		});
		return `${questions.length} replies, ${referenceCount} references, ${questions.length} token stats`;
	});
}

/** split-layout-v1 (e2e only): the same with API Version LKE v1, the legacy dialog API. */
async function checkSplitLayoutV1(run: HostRun): Promise<void> {
	const data = await executed(run, 'split-layout-v1', run.workflows.splitV1);
	if (!data) return;
	const questions = batchQuestions(run.workflows.splitV1);
	await check(run.kind, 'split-layout-v1 (LKE v1): exact replies, de-duplicated references, normalized token stats', () => {
		eq(run.sim.requests.filter((r) => r.route === 'lke').length, questions.length, 'v1 requests');
		eq(run.sim.requests.filter((r) => r.route === 'adpV2').length, 0, 'ADP v2 requests');
		const counts = ['Reply', 'References', 'Token Stats'].map((name) => nodeItems(data, name).length);
		eq(counts, [questions.length, questions.length * V1_REFERENCE_IDS.length, questions.length], 'items reaching [Reply, References, Token Stats]');
		const replies = nodeItems(data, 'Ask Tencent LKE', 0);
		const references = nodeItems(data, 'Ask Tencent LKE', 1);
		const stats = nodeItems(data, 'Ask Tencent LKE', 2);
		replies.forEach((item, i) => {
			const json = outputAs<LkeChatItem>(item.json);
			eq(json.reply, lkeAnswerFor(questions[i]), `reply ${i}`);
			eq(json.isFinal, true, `reply ${i} isFinal`);
			eq(item.pairedItem, { item: i }, `reply ${i} pairedItem`);
			const mine = references.filter((reference) => reference.json.sessionId === json.sessionId);
			eq(mine.map((reference) => reference.json.id), V1_REFERENCE_IDS, `reference ids of reply ${i}`);
			eq(mine.map((reference) => reference.json.name), LKE_REFERENCES.map((reference) => reference.name), `reference names of reply ${i}`);
			for (const reference of mine) {
				eq(reference.json.recordId, json.recordId, `reference recordId of reply ${i}`);
				eq(reference.pairedItem, { item: i }, `reference pairedItem of reply ${i}`);
			}
			const { modelTimeMs, ...counted } = stats[i].json;
			eq(counted, lkeTokenStatsOut(questions[i]), `token stats ${i}`);
			assert(typeof modelTimeMs === 'number', `token stats ${i} modelTimeMs ${show(modelTimeMs)}`);
			eq(stats[i].pairedItem, { item: i }, `token stats ${i} pairedItem`);
		});
		return `${questions.length} replies, ${references.length} references, ${stats.length} token stats`;
	});
}

function checkNoSecrets(run: HostRun): Promise<boolean> {
	return check(run.kind, 'no secret in any run data or n8n output', () => {
		assert(run.runs.length > 0, 'no runs');
		for (const result of run.runs) {
			const text = JSON.stringify(result.runData) + result.stdout + result.stderr;
			for (const secret of LOCAL_SECRETS) assert(!text.includes(secret), `a secret (${secret.length} chars) appears in a run`);
		}
		const mailText = run.sink.mails.map((mail) => mail.raw).join('\n');
		for (const secret of LOCAL_SECRETS) assert(!mailText.includes(secret), 'a secret appears in a mail');
		return `${run.runs.length} runs`;
	});
}

/** One host's checks; an error escaping them fails that host only. */
async function runHost(kind: HostKind, tarball: string, workflows: Workflows, installError: Error | undefined): Promise<void> {
	try {
		await runHostChecks(kind, tarball, workflows, installError);
	} catch (error) {
		checks.record(`[${kind}] unexpected error`, false, error instanceof Error ? (error.stack ?? error.message) : String(error));
	}
}

async function runHostChecks(kind: HostKind, tarball: string, workflows: Workflows, installError: Error | undefined): Promise<void> {
	const host = await hostReady(kind, installError);
	if (!host) return;
	const n8n = await packageInstalled(host, tarball);
	if (!n8n) return;
	const forgetInstance = addCleanup(n8n.dispose);
	const stand = await startStandIns();
	const forgetStand = addCleanup(stand.close);
	try {
		const run: HostRun = { kind, host, n8n, sim: stand.sim, sink: stand.sink, workflows, runs: [] };
		await nodeTypesExist(run);
		if (!(await imported(run))) return;
		await checkBatchQa(run);
		await checkAiskBatchQa(run);
		await checkChatToEmail(run);
		await checkTokens(run);
		await checkTateConversation(run);
		await checkSplitLayout(run);
		await checkSplitLayoutV1(run);
		await checkNoSecrets(run);
	} finally {
		forgetStand();
		forgetInstance();
		await stand.close();
		await n8n.dispose();
	}
}

/** Missing hosts are installed one at a time (each is a 2.5 GB npm install); cached ones are instant. */
async function installHosts(kinds: HostKind[]): Promise<Map<HostKind, Error>> {
	const errors = new Map<HostKind, Error>();
	for (const kind of kinds) {
		try {
			await ensureHost(kind);
		} catch (error) {
			// reported by the host's first check
			errors.set(kind, error instanceof Error ? error : new Error(String(error)));
		}
	}
	return errors;
}

async function main(): Promise<number> {
	const started = Date.now();
	const hosts = hostsFromArgs(process.argv.slice(2), ['v1', 'v2']);
	const sequential = process.argv.includes('--sequential');
	process.stdout.write(
		`e2e: ${EXAMPLE_FILES.length} examples + test/e2e workflows on ${hosts.map((h) => `n8n ${hostVersion(h)}`).join(' and ')} (${sequential ? 'one after the other' : 'in parallel'})\n`,
	);
	return checks.runAll(async () => {
		let tarball = '';
		const packed = await check('--', 'npm pack', async () => {
			tarball = await packPackage(REPO_ROOT, makeTempDir('n8n-e2e-pack'));
			return path.basename(tarball);
		});
		if (!packed) return;
		const workflows = loadWorkflows();
		const installErrors = await installHosts(hosts);
		if (sequential) for (const kind of hosts) await runHost(kind, tarball, workflows, installErrors.get(kind));
		else await Promise.all(hosts.map((kind) => runHost(kind, tarball, workflows, installErrors.get(kind))));
		if (crashesOnExit > 0) checks.info(`${crashesOnExit} n8n 2.x run(s) crashed on exit after printing complete run data (counted as passed)`);
		checks.info(`e2e finished in ${seconds(Date.now() - started)}`);
	});
}

runTool('e2e', main);
