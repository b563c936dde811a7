/**
 * What the demo and the checks in real n8n share: the example workflows in `examples/`, the local
 * stand-ins for the vendors (the project's simulator) and for a mail server (the SMTP sink), and
 * credentials that point the examples' credential ids at them.
 */
import * as fs from 'fs';
import * as path from 'path';
import type { INodeParameters } from 'n8n-workflow';
import { adpV2ReferencesOut, aiskReferencesFor, secretValues, simulatorCredentials } from '../../testkit/profiles';
import { SIMULATOR_DEFAULTS, adpV2AnswerFor, adpV2TurnFor, aiskAnswerFor, startSimulator, type Simulator } from '../../testkit/simulator';
import { startSmtpSink, type SmtpSink } from '../../testkit/smtpSink';
import { assert, eq, show } from './checks';
import type { CredentialImport, NodeImport, WorkflowImport } from './n8nHost';

/** The repository root (this file runs from build/tools/lib/). */
export const REPO_ROOT = path.resolve(__dirname, '..', '..', '..');

/** The example workflows, in the order the demo runs them. */
export const EXAMPLE_FILES = ['batch-qa.json', 'aisk-batch-qa.json', 'chat-to-email.json', 'tokens.json', 'tate-conversation.json'] as const;
export type ExampleFile = (typeof EXAMPLE_FILES)[number];

/** The ids and names under which the example workflows refer to their credentials, by credential type. */
export const EXAMPLE_CREDENTIALS: Readonly<Record<string, { id: string; name: string }>> = {
	tencentLkeApi: { id: 'lke-demo', name: 'Tencent LKE account' },
	aiskApi: { id: 'aisk-demo', name: 'AiSK account' },
	tateATateApi: { id: 'tate-demo', name: 'tate-a-tate account' },
	smtp: { id: 'smtp-demo', name: 'SMTP account' },
};

/** What the Summary Code node of batch-qa.json builds from the chat items. */
export interface BatchSummary {
	questions: number;
	answered: number;
	failed: number;
	tokens: number;
	answers: Array<{ question: string; ok: boolean; reply?: string; error?: string; references: string[]; tokens: number }>;
}

/** What the Summary node of aisk-batch-qa.json builds from the Ask items. */
export interface AiskBatchSummary {
	questions: number;
	answered: number;
	failed: number;
	answers: Array<{ question: string; ok: boolean; reply: string; error: string; references: string[]; conversationId: string }>;
}

/** The reference lines the Answer node of aisk-batch-qa.json writes: the source's name (or id) and its link. */
export function aiskReferenceLines(question: string): string[] {
	return aiskReferencesFor(question).map((reference) => `${reference.name || reference.sourceId}${reference.url ? ` <${reference.url}>` : ''}`);
}

/**
 * Checks the summary of aisk-batch-qa.json against the simulator's own answers: every question
 * in order, the answered ones with the exact reply and reference lines, the failed ones (by index)
 * with an error containing `failureText`. Throws a CheckFailure naming the first difference.
 */
export function checkAiskBatchSummary(summary: AiskBatchSummary, questions: string[], failed: ReadonlyMap<number, string> = new Map()): string {
	eq([summary.questions, summary.answered, summary.failed], [questions.length, questions.length - failed.size, failed.size], '[questions, answered, failed]');
	checkBatchAnswers(summary.answers, questions, failed, (answer, i) => {
		eq(answer.reply, aiskAnswerFor(questions[i]), `answer ${i} reply`);
		eq(answer.references, aiskReferenceLines(questions[i]), `answer ${i} references`);
		eq(answer.error, '', `answer ${i} error`);
		assert(/^[0-9a-f-]{36}$/i.test(answer.conversationId), `answer ${i} conversationId ${show(answer.conversationId)}`);
	});
	return `questions ${summary.questions}, answered ${summary.answered}, failed ${summary.failed}`;
}

/**
 * What both batch summaries share: an answer per question in order, `ok` false exactly for the
 * failed indexes, whose error contains their `failureText`; `checkAnswered` checks the others.
 */
function checkBatchAnswers<A extends { question: string; ok: boolean; error?: string }>(
	answers: A[],
	questions: string[],
	failed: ReadonlyMap<number, string>,
	checkAnswered: (answer: A, index: number) => void,
): void {
	eq(answers.length, questions.length, 'answers');
	answers.forEach((answer, i) => {
		eq(answer.question, questions[i], `answer ${i} question`);
		const failureText = failed.get(i);
		eq(answer.ok, failureText === undefined, `answer ${i} ok`);
		if (failureText === undefined) checkAnswered(answer, i);
		else assert(answer.error?.includes(failureText), `answer ${i} error ${show(answer.error)} lacks ${show(failureText)}`);
	});
}

/** The reference lines the Answer node of batch-qa.json writes for an ADP v2 answer: name and link. */
export function lkeReferenceLines(question: string): string[] {
	return adpV2ReferencesOut(question).map((reference) => `${String(reference.name)}${reference.url ? ` <${String(reference.url)}>` : ''}`);
}

/**
 * Checks the summary of batch-qa.json (ADP v2, the default) against the simulator's own answers:
 * every question in order, the answered ones with the exact reply, reference lines and token
 * count, the failed ones (by index) with an error containing `failureText`.
 */
export function checkLkeBatchSummary(summary: BatchSummary, questions: string[], failed: ReadonlyMap<number, string> = new Map()): string {
	const answered = questions.filter((_, i) => !failed.has(i));
	const tokens = answered.reduce((sum, question) => sum + adpV2TurnFor(question).statInfo.TotalTokens, 0);
	eq([summary.questions, summary.answered, summary.failed, summary.tokens], [questions.length, answered.length, failed.size, tokens], '[questions, answered, failed, tokens]');
	checkBatchAnswers(summary.answers, questions, failed, (answer, i) => {
		eq(answer.reply, adpV2AnswerFor(questions[i]), `answer ${i} reply`);
		eq(answer.references, lkeReferenceLines(questions[i]), `answer ${i} references`);
		eq(answer.tokens, adpV2TurnFor(questions[i]).statInfo.TotalTokens, `answer ${i} tokens`);
	});
	return `questions ${summary.questions}, answered ${summary.answered}, failed ${summary.failed}, tokens ${summary.tokens}`;
}

/** What the Transcript Code node of tate-conversation.json builds from the three turns. */
export interface Transcript {
	conversationId: string;
	turns: Array<{ turn: number; you: string; agent: string; msgId: string }>;
}

/** A workflow file: n8n's import format with the id and name it always has. */
export type WorkflowJson = WorkflowImport & { id: string; name: string };

export function readWorkflow(relPath: string): WorkflowJson {
	return JSON.parse(fs.readFileSync(path.join(REPO_ROOT, relPath), 'utf8')) as WorkflowJson;
}

export function readExample(file: ExampleFile): WorkflowJson {
	return readWorkflow(path.join('examples', file));
}

export function findNode(workflow: WorkflowJson, name: string): NodeImport & { parameters: INodeParameters } {
	const node = workflow.nodes.find((n) => n.name === name);
	if (!node) throw new Error(`workflow "${workflow.name}" has no node "${name}"`);
	return { ...node, parameters: node.parameters ?? {} };
}

/** A node parameter that holds text. */
export function textParameter(workflow: WorkflowJson, nodeName: string, parameter: string): string {
	const value = findNode(workflow, nodeName).parameters[parameter];
	if (typeof value !== 'string') throw new Error(`${nodeName}.${parameter} is not text`);
	return value;
}

/** The questions of a batch workflow's "Questions" node (raw JSON mode). */
export function batchQuestions(workflow: WorkflowJson): string[] {
	return (JSON.parse(textParameter(workflow, 'Questions', 'jsonOutput')) as { questions: string[] }).questions;
}

/** A copy of a batch workflow whose "Questions" node asks `questions` instead. */
export function withBatchQuestions(workflow: WorkflowJson, questions: string[]): WorkflowJson {
	const copy = JSON.parse(JSON.stringify(workflow)) as WorkflowJson;
	const node = copy.nodes.find((n) => n.name === 'Questions');
	if (!node?.parameters) throw new Error(`workflow "${workflow.name}" has no node "Questions"`);
	node.parameters.jsonOutput = JSON.stringify({ questions }, null, 2);
	return copy;
}

/** The `chatInput` assignment of a workflow's Set node `nodeName` (the object itself, to read or change). */
function chatInputAssignment(workflow: WorkflowJson, nodeName: string): { name: string; value: unknown } {
	const assignments = (workflow.nodes.find((n) => n.name === nodeName)?.parameters?.assignments as { assignments?: Array<{ name: string; value: unknown }> } | undefined)?.assignments;
	const field = assignments?.find((assignment) => assignment.name === 'chatInput');
	if (!field) throw new Error(`workflow "${workflow.name}" has no chatInput in node "${nodeName}"`);
	return field;
}

/** The question a workflow's Set node `nodeName` gives as `chatInput`. */
export function chatInputOf(workflow: WorkflowJson, nodeName: string): string {
	const { value } = chatInputAssignment(workflow, nodeName);
	if (typeof value !== 'string') throw new Error(`workflow "${workflow.name}": chatInput of "${nodeName}" is not text`);
	return value;
}

/** A copy of a workflow whose Set node `nodeName` gives `chatInput` = `question` instead. */
export function withChatInput(workflow: WorkflowJson, nodeName: string, question: string): WorkflowJson {
	const copy = JSON.parse(JSON.stringify(workflow)) as WorkflowJson;
	chatInputAssignment(copy, nodeName).value = question;
	return copy;
}

function exampleReference(type: string): { id: string; name: string } {
	return EXAMPLE_CREDENTIALS[type] ?? { id: `${type}-demo`, name: type };
}

/** A credential of every vendor type, under the examples' ids, pointing at the simulator. */
export function simulatorCredentialImports(simUrl: string): CredentialImport[] {
	return Object.entries(simulatorCredentials(simUrl, SIMULATOR_DEFAULTS)).map(([type, data]) => ({ ...exampleReference(type), type, data }));
}

/** Credentials (n8n import format) for every id the examples use, pointing at the local stand-ins. */
export function localCredentials(simUrl: string, smtpPort: number): CredentialImport[] {
	return [
		...simulatorCredentialImports(simUrl),
		{
			...exampleReference('smtp'),
			type: 'smtp',
			data: { user: '', password: '', host: '127.0.0.1', port: smtpPort, secure: false, disableStartTls: true, hostName: '' },
		},
	];
}

/** The secrets the local credentials hold: none may appear in any output. */
export const LOCAL_SECRETS: readonly string[] = secretValues(SIMULATOR_DEFAULTS);

export interface Stand {
	sim: Simulator;
	sink: SmtpSink;
	close(): Promise<void>;
}

/** Starts the vendor simulator and the SMTP sink on free ports of 127.0.0.1. */
export async function startStandIns(): Promise<Stand> {
	const sim = await startSimulator({ quiet: true });
	let sink: SmtpSink;
	try {
		sink = await startSmtpSink();
	} catch (e) {
		await sim.close();
		throw e;
	}
	let closing: Promise<void> | undefined;
	return {
		sim,
		sink,
		close() {
			closing ??= Promise.all([sim.close(), sink.close()]).then(() => undefined);
			return closing;
		},
	};
}
