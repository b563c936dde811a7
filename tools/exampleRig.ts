/**
 * What the demo and the end-to-end tests share: the example workflows in `examples/`, the
 * local stand-ins for the vendors (the project's simulator) and for a mail server (the SMTP
 * sink), and credentials that point the examples' credential ids at them.
 */
import * as fs from 'fs';
import * as path from 'path';
import { SIMULATOR_DEFAULTS, startSimulator, type Simulator } from '../testkit/simulator';
import { startSmtpSink, type SmtpSink } from '../testkit/smtpSink';

/** The repository root (this file runs from build/tools/). */
export const REPO_ROOT = path.resolve(__dirname, '..', '..');

/** The example workflows, in the order the demo runs them. */
export const EXAMPLE_FILES = ['batch-qa.json', 'chat-to-email.json', 'tokens.json', 'tate-conversation.json'] as const;
export type ExampleFile = (typeof EXAMPLE_FILES)[number];

/** Credential ids and names the example workflows reference. */
export const CREDENTIALS = {
	lke: { id: 'lke-demo', name: 'Tencent LKE account', type: 'tencentLkeApi' },
	aisk: { id: 'aisk-demo', name: 'AiSK account', type: 'aiskApi' },
	tate: { id: 'tate-demo', name: 'tate-a-tate account', type: 'tateATateApi' },
	smtp: { id: 'smtp-demo', name: 'SMTP account', type: 'smtp' },
} as const;

export const PACKAGE_NAME = 'n8n-nodes-agent-chat';

export interface WorkflowJson {
	id: string;
	name: string;
	nodes: Array<{ name: string; type: string; typeVersion: number; parameters: Record<string, any>; [key: string]: any }>;
	connections: Record<string, any>;
	[key: string]: any;
}

export function readWorkflow(relPath: string): WorkflowJson {
	const file = path.join(REPO_ROOT, relPath);
	return JSON.parse(fs.readFileSync(file, 'utf8')) as WorkflowJson;
}

export function readExample(file: ExampleFile): WorkflowJson {
	return readWorkflow(path.join('examples', file));
}

export function findNode(workflow: WorkflowJson, name: string) {
	const node = workflow.nodes.find((n) => n.name === name);
	if (!node) throw new Error(`workflow "${workflow.name}" has no node "${name}"`);
	return node;
}

/** The questions of a batch workflow's "Questions" node (raw JSON mode). */
export function batchQuestions(workflow: WorkflowJson): string[] {
	return JSON.parse(String(findNode(workflow, 'Questions').parameters.jsonOutput)).questions as string[];
}

/** A copy of a batch workflow whose "Questions" node asks `questions` instead. */
export function withBatchQuestions(workflow: WorkflowJson, questions: string[]): WorkflowJson {
	const copy = JSON.parse(JSON.stringify(workflow)) as WorkflowJson;
	findNode(copy, 'Questions').parameters.jsonOutput = JSON.stringify({ questions }, null, 2);
	return copy;
}

/** Credentials (n8n import format) for every id the examples use, pointing at the local stand-ins. */
export function localCredentials(simUrl: string, smtpPort: number): object[] {
	return [
		{
			...CREDENTIALS.lke,
			data: {
				appKey: SIMULATOR_DEFAULTS.lkeAppKey,
				secretId: SIMULATOR_DEFAULTS.secretId,
				secretKey: SIMULATOR_DEFAULTS.secretKey,
				site: 'custom',
				chatBaseUrl: simUrl,
				apiEndpoint: `${simUrl}/`,
				region: 'ap-jakarta',
			},
		},
		{ ...CREDENTIALS.aisk, data: { apiToken: SIMULATOR_DEFAULTS.aiskToken, orgId: '', baseUrl: simUrl } },
		{ ...CREDENTIALS.tate, data: { secretKey: SIMULATOR_DEFAULTS.tateSecretKey, baseUrl: `${simUrl}/im` } },
		{
			...CREDENTIALS.smtp,
			data: { user: '', password: '', host: '127.0.0.1', port: smtpPort, secure: false, disableStartTls: true, hostName: '' },
		},
	];
}

/** The secrets the local credentials hold: none may appear in any output. */
export const LOCAL_SECRETS = [
	SIMULATOR_DEFAULTS.lkeAppKey,
	SIMULATOR_DEFAULTS.secretKey,
	SIMULATOR_DEFAULTS.aiskToken,
	SIMULATOR_DEFAULTS.tateSecretKey,
];

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

/** Full items (json, pairedItem, ...) of a node's output in run data. */
export function nodeItems(runData: any, nodeName: string, output = 0, runIndex = 0): any[] {
	return runData?.data?.resultData?.runData?.[nodeName]?.[runIndex]?.data?.main?.[output] ?? [];
}

/** How many outputs a node's run has. */
export function nodeOutputCount(runData: any, nodeName: string, runIndex = 0): number {
	return runData?.data?.resultData?.runData?.[nodeName]?.[runIndex]?.data?.main?.length ?? 0;
}

export function seconds(ms: number): string {
	return `${(ms / 1000).toFixed(1)} s`;
}
