/**
 * Runs a real n8n workflow in-process with n8n-core's `WorkflowExecute`.
 *
 * The nodes under test get n8n-core's genuine execution contexts (`ExecuteContext`
 * for `execute()`, `TriggerContext` for triggers): parameter/expression resolution,
 * `getCredentials` through a credentials helper, `continueOnFail`, `getNode`,
 * `logger`, `helpers`, `getExecutionCancelSignal`, paired items, error outputs...
 * Only the surroundings n8n's server normally provides are replaced here:
 *  - a `INodeTypes` registry built from the instances passed in,
 *  - an `ICredentialsHelper` that serves plain (already decrypted) test credentials,
 *  - `IWorkflowExecuteAdditionalData` with inert URLs and "not supported" sub-workflow calls,
 *  - DI registrations for `Logger` (captures logs) and `InstanceSettings` (temp folder).
 *
 * Set N8N_TEST_LOG=debug|info|warn|error to print n8n's / the nodes' logs to the console.
 */
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

// Transitive dependencies of n8n-core (hoisted into node_modules): the DI container
// and the Logger token must be the very instances n8n-core resolves at run time.
import { Logger } from '@n8n/backend-common';
import type { InstanceSettingsConfig } from '@n8n/config';
import { Container } from '@n8n/di';
import {
	Credentials,
	ExecutionLifecycleHooks,
	ExternalSecretsProxy,
	InstanceSettings,
	WorkflowExecute,
	WorkflowHasIssuesError,
} from 'n8n-core';
// not re-exported from n8n-core's index; both start a ref'ed setInterval when first resolved
import { ScheduledTaskManager } from 'n8n-core/dist/execution-engine/scheduled-task-manager';
import { SSHClientsManager } from 'n8n-core/dist/execution-engine/ssh-clients-manager';
import {
	createDeferredPromise,
	createRunExecutionData,
	ICredentialsHelper,
	LoggerProxy,
	NodeConnectionTypes,
	NodeHelpers,
	UnexpectedError,
	Workflow,
} from 'n8n-workflow';
import type {
	ExecutionError,
	ICredentialDataDecryptedObject,
	ICredentials,
	ICredentialType,
	IConnections,
	IDataObject,
	IHttpRequestHelper,
	IHttpRequestOptions,
	INode,
	INodeCredentialsDetails,
	INodeExecutionData,
	INodeProperties,
	INodeType,
	INodeTypes,
	IRequestOptionsSimplified,
	IRun,
	ITriggerFunctions,
	ITriggerResponse,
	IVersionedNodeType,
	IWorkflowExecuteAdditionalData,
	IWorkflowSettings,
	LogMetadata,
	StructuredChunk,
	WorkflowExecuteMode,
} from 'n8n-workflow';

export const MANUAL_TRIGGER_TYPE = 'n8n-nodes-base.manualTrigger';

export interface RunWorkflowOptions {
	/** node type name -> instance, e.g. `{ 'n8n-nodes-agent-chat.tencentLke': new TencentLke() }` */
	nodeTypes: Record<string, INodeType | IVersionedNodeType>;
	credentialTypes?: Record<string, ICredentialType>;
	/** decrypted credential data by credential type name */
	credentials?: Record<string, ICredentialDataDecryptedObject>;
	workflow: { nodes: INode[]; connections: IConnections; settings?: IWorkflowSettings };
	/** items emitted by the manual trigger (default: one empty item `{}`) */
	inputItems?: IDataObject[];
	/** name of the node to start from (default: the first manual trigger node) */
	startNode?: string;
	/** execution mode seen by the nodes (default 'manual'; triggers only run in 'manual') */
	mode?: WorkflowExecuteMode;
	/** cancels the execution (like "Stop execution" in n8n) when it aborts */
	abortSignal?: AbortSignal;
	/** cancels the execution this many ms after it started */
	abortAfterMs?: number;
	/**
	 * After a cancellation, how long to wait for the running node to return before giving up
	 * and resolving with the run data as it was at cancel time (default 5000 ms).
	 */
	cancelGraceMs?: number;
	/**
	 * Makes the execution a streaming one (as behind a Chat Trigger or a streaming Webhook): nodes see
	 * `isStreaming()` true and each `sendChunk` reaches this handler.
	 */
	onChunk?: (chunk: StructuredChunk) => void;
}

export interface CapturedLog {
	level: 'error' | 'warn' | 'info' | 'debug';
	message: string;
	metadata?: LogMetadata;
}

export interface WorkflowRunResult {
	run: IRun;
	/** items of `nodeName`'s output `outputIndex` in run `runIndex`; throws if the node never ran */
	outputOf(nodeName: string, outputIndex?: number, runIndex?: number): INodeExecutionData[];
	/** the error recorded for the node's run (a plain copy of the thrown error), if it failed */
	errorOf(nodeName: string, runIndex?: number): ExecutionError | undefined;
	/** node names in the order they finished */
	executedNodes: string[];
	/** true when the execution was cancelled via abortSignal / abortAfterMs */
	cancelled: boolean;
	/** every log line written through n8n's Logger / LoggerProxy during this run */
	logs: CapturedLog[];
	durationMs: number;
}

/* ------------------------------------------------------------------ */
/* Logger                                                             */
/* ------------------------------------------------------------------ */

const LEVELS = ['error', 'warn', 'info', 'debug'] as const;

class CapturingLogger {
	sink: CapturedLog[] = [];

	private readonly printUpTo = LEVELS.indexOf(
		(process.env.N8N_TEST_LOG ?? '') as (typeof LEVELS)[number],
	);

	private log(level: CapturedLog['level'], message: string, metadata?: LogMetadata) {
		this.sink.push({ level, message, metadata });
		if (this.printUpTo >= 0 && LEVELS.indexOf(level) <= this.printUpTo) {
			// eslint-disable-next-line no-console
			console.log(`[n8n ${level}] ${message}`, metadata ?? '');
		}
	}

	error(message: string, metadata?: LogMetadata) {
		this.log('error', message, metadata);
	}
	warn(message: string, metadata?: LogMetadata) {
		this.log('warn', message, metadata);
	}
	info(message: string, metadata?: LogMetadata) {
		this.log('info', message, metadata);
	}
	debug(message: string, metadata?: LogMetadata) {
		this.log('debug', message, metadata);
	}
	scoped() {
		return this;
	}
}

/* ------------------------------------------------------------------ */
/* One-time DI environment                                            */
/* ------------------------------------------------------------------ */

let testLogger: CapturingLogger | undefined;

function ensureEnvironment(): CapturingLogger {
	if (testLogger) return testLogger;
	const logger = new CapturingLogger();
	// n8n-core resolves `Logger` for `this.logger`, ErrorReporter, BinaryDataService...
	Container.set(Logger, logger as unknown as Logger);
	// WorkflowExecute logs through the static LoggerProxy
	LoggerProxy.init(logger);

	// The real InstanceSettings would read/create ~/.n8n/config; point it at a temp folder
	// and give it a fixed encryption key (used by Cipher/Credentials, binary-data signing).
	// One fixed folder shared by all jest workers (nothing is stored there besides the settings
	// file; binary data stays in memory). Written atomically and with 0600 so InstanceSettings
	// neither races with another worker nor warns about file permissions.
	const userHome = path.join(tmpdir(), 'n8n-workflow-runner');
	const n8nFolder = path.join(userHome, '.n8n');
	const encryptionKey = 'workflow-runner-test-key';
	mkdirSync(n8nFolder, { recursive: true });
	const settingsTmp = path.join(n8nFolder, `config.${process.pid}.tmp`);
	writeFileSync(settingsTmp, JSON.stringify({ encryptionKey }), { mode: 0o600 });
	renameSync(settingsTmp, path.join(n8nFolder, 'config'));
	const config = {
		userHome,
		n8nFolder,
		encryptionKey,
		enforceSettingsFilePermissions: false,
	} as InstanceSettingsConfig;
	Container.set(InstanceSettings, new InstanceSettings(config, logger as unknown as Logger));

	// Every ExecuteContext/TriggerContext resolves SSHClientsManager (and triggers the
	// ScheduledTaskManager); their housekeeping intervals would keep jest from exiting.
	for (const service of [Container.get(SSHClientsManager), Container.get(ScheduledTaskManager)]) {
		const timers = service as unknown as Record<string, NodeJS.Timeout | undefined>;
		timers.cleanupTimer?.unref();
		timers.logInterval?.unref();
	}

	testLogger = logger;
	return logger;
}

/* ------------------------------------------------------------------ */
/* Node types                                                         */
/* ------------------------------------------------------------------ */

/** Minimal stand-in for n8n's Manual Trigger: emits the items it was created with. */
export function createManualTrigger(items: IDataObject[] = [{}]): INodeType {
	return {
		description: {
			displayName: 'Manual Trigger',
			name: 'manualTrigger',
			icon: 'fa:mouse-pointer',
			group: ['trigger'],
			version: 1,
			description: 'Runs the flow on clicking a button in n8n',
			defaults: { name: 'When clicking ‘Execute workflow’' },
			inputs: [],
			outputs: [NodeConnectionTypes.Main],
			properties: [],
		},
		async trigger(this: ITriggerFunctions): Promise<ITriggerResponse> {
			// `this.emit` is swapped in by n8n-core after trigger() returns, so look it up lazily
			const manualTriggerFunction = async () => {
				this.emit([this.helpers.returnJsonArray(items.map((item) => ({ ...item })))]);
			};
			return { manualTriggerFunction };
		},
	};
}

/** Convenience: a manual trigger node for `workflow.nodes`. */
export function manualTriggerNode(name = 'Start', position: [number, number] = [0, 0]): INode {
	return { id: `node-${name}`, name, type: MANUAL_TRIGGER_TYPE, typeVersion: 1, position, parameters: {} };
}

class TestNodeTypes implements INodeTypes {
	constructor(private readonly types: Record<string, INodeType | IVersionedNodeType>) {}

	getByName(nodeType: string): INodeType | IVersionedNodeType {
		const type = this.types[nodeType];
		if (!type) {
			throw new UnexpectedError(
				`Unknown node type "${nodeType}" (known: ${Object.keys(this.types).join(', ')})`,
			);
		}
		return type;
	}

	getByNameAndVersion(nodeType: string, version?: number): INodeType {
		return NodeHelpers.getVersionedNodeType(this.getByName(nodeType), version);
	}

	getKnownTypes(): IDataObject {
		return Object.fromEntries(
			Object.keys(this.types).map((name) => [name, { className: name, sourcePath: '' }]),
		);
	}
}

/* ------------------------------------------------------------------ */
/* Credentials                                                        */
/* ------------------------------------------------------------------ */

class TestCredentialsHelper extends ICredentialsHelper {
	constructor(
		private readonly credentialTypes: Record<string, ICredentialType>,
		private readonly data: Record<string, ICredentialDataDecryptedObject>,
	) {
		super();
	}

	getParentTypes(name: string): string[] {
		const parents = this.credentialTypes[name]?.extends ?? [];
		return parents.flatMap((parent) => [parent, ...this.getParentTypes(parent)]);
	}

	getCredentialsProperties(type: string): INodeProperties[] {
		const own = this.credentialTypes[type]?.properties ?? [];
		const inherited = (this.credentialTypes[type]?.extends ?? []).flatMap((p) =>
			this.getCredentialsProperties(p),
		);
		return [...inherited, ...own];
	}

	async getDecrypted(
		_additionalData: IWorkflowExecuteAdditionalData,
		nodeCredentials: INodeCredentialsDetails,
		type: string,
	): Promise<ICredentialDataDecryptedObject> {
		const given = this.data[type];
		if (given === undefined) {
			throw new UnexpectedError(
				`No test credentials of type "${type}" were given to runWorkflow (node credential "${nodeCredentials.name}")`,
			);
		}
		// like n8n: unset properties take their defaults from the credential type
		const withDefaults: ICredentialDataDecryptedObject = {};
		for (const property of this.getCredentialsProperties(type)) {
			if (property.default !== undefined && property.type !== 'notice') {
				withDefaults[property.name] = property.default as ICredentialDataDecryptedObject[string];
			}
		}
		return { ...withDefaults, ...structuredClone(given) };
	}

	async getCredentials(nodeCredentials: INodeCredentialsDetails, type: string): Promise<ICredentials> {
		const credentials = new Credentials(nodeCredentials, type);
		credentials.setData(this.data[type] ?? {});
		return credentials;
	}

	async authenticate(
		credentials: ICredentialDataDecryptedObject,
		typeName: string,
		requestOptions: IHttpRequestOptions | IRequestOptionsSimplified,
	): Promise<IHttpRequestOptions> {
		// Only function-style `authenticate` is applied; generic (declarative) auth is not emulated.
		const authenticate = this.credentialTypes[typeName]?.authenticate;
		if (typeof authenticate === 'function') {
			return await authenticate(credentials, requestOptions as IHttpRequestOptions);
		}
		return requestOptions as IHttpRequestOptions;
	}

	async preAuthentication(
		_helpers: IHttpRequestHelper,
		_credentials: ICredentialDataDecryptedObject,
		_typeName: string,
		_node: INode,
		_credentialsExpired: boolean,
	): Promise<ICredentialDataDecryptedObject | undefined> {
		return undefined;
	}

	async updateCredentials(
		_nodeCredentials: INodeCredentialsDetails,
		type: string,
		data: ICredentialDataDecryptedObject,
	): Promise<void> {
		this.data[type] = data;
	}

	async updateCredentialsOauthTokenData(
		_nodeCredentials: INodeCredentialsDetails,
		type: string,
		data: ICredentialDataDecryptedObject,
	): Promise<void> {
		this.data[type] = { ...this.data[type], ...data };
	}
}

/**
 * n8n only hands credentials to a node that has them assigned (`node.credentials[type]`).
 * For convenience, assign every given credential the node type declares but the node lacks.
 */
function assignCredentials(
	node: INode,
	nodeTypes: TestNodeTypes,
	credentials: Record<string, ICredentialDataDecryptedObject>,
): INode {
	let declared: string[] = [];
	try {
		declared = (nodeTypes.getByNameAndVersion(node.type, node.typeVersion).description.credentials ?? []).map(
			(c) => c.name,
		);
	} catch {
		return node; // unknown type: let the Workflow report it
	}
	const missing = declared.filter((type) => credentials[type] && !node.credentials?.[type]);
	if (missing.length === 0) return node;
	const assigned = { ...(node.credentials ?? {}) };
	for (const type of missing) assigned[type] = { id: `test-${type}`, name: `Test ${type}` };
	return { ...node, credentials: assigned };
}

/* ------------------------------------------------------------------ */
/* Additional data                                                    */
/* ------------------------------------------------------------------ */

let executionCounter = 0;

function notSupported(what: string) {
	return async () => {
		throw new UnexpectedError(`${what} is not supported by the test workflow runner`);
	};
}

function createAdditionalData(
	executionId: string,
	hooks: ExecutionLifecycleHooks,
	credentialsHelper: ICredentialsHelper,
): IWorkflowExecuteAdditionalData {
	const base = 'http://localhost:5678';
	const additionalData: IWorkflowExecuteAdditionalData = {
		executionId,
		hooks,
		credentialsHelper,
		externalSecretsProxy: new ExternalSecretsProxy(),
		currentNodeExecutionIndex: 0,
		restApiUrl: `${base}/rest`,
		instanceBaseUrl: base,
		formWaitingBaseUrl: `${base}/form-waiting`,
		webhookBaseUrl: `${base}/webhook`,
		webhookWaitingBaseUrl: `${base}/webhook-waiting`,
		webhookTestBaseUrl: `${base}/webhook-test`,
		variables: {},
		userId: 'test-user',
		executeWorkflow: notSupported('Executing sub-workflows'),
		getRunExecutionData: async () => undefined,
		startRunnerTask: notSupported('Task runners (Code node)'),
		logAiEvent: () => {},
		sendDataToUI: () => {},
		setExecutionStatus: () => {},
	};
	return additionalData;
}

/* ------------------------------------------------------------------ */
/* runWorkflow                                                        */
/* ------------------------------------------------------------------ */

export async function runWorkflow(options: RunWorkflowOptions): Promise<WorkflowRunResult> {
	const logger = ensureEnvironment();
	const logs: CapturedLog[] = [];
	logger.sink = logs;

	const mode = options.mode ?? 'manual';
	const credentials = { ...(options.credentials ?? {}) };
	const nodeTypes = new TestNodeTypes({
		[MANUAL_TRIGGER_TYPE]: createManualTrigger(options.inputItems ?? [{}]),
		...options.nodeTypes,
	});
	const credentialsHelper = new TestCredentialsHelper(options.credentialTypes ?? {}, credentials);

	const nodes = structuredClone(options.workflow.nodes).map((node) =>
		assignCredentials(node, nodeTypes, credentials),
	);
	const workflow = new Workflow({
		id: 'test-workflow',
		name: 'Test workflow',
		nodes,
		connections: structuredClone(options.workflow.connections),
		nodeTypes,
		active: false,
		settings: { executionOrder: 'v1', ...(options.workflow.settings ?? {}) },
	});

	const startNode = options.startNode
		? workflow.getNode(options.startNode)
		: (nodes.find((n) => n.type === MANUAL_TRIGGER_TYPE && !n.disabled) ?? workflow.getStartNode());
	if (!startNode) throw new UnexpectedError('runWorkflow: no start node found');

	const executionId = `test-execution-${++executionCounter}`;
	const hooks = new ExecutionLifecycleHooks(mode, executionId, {
		id: workflow.id,
		name: 'Test workflow',
		nodes,
		connections: options.workflow.connections,
		active: false,
		isArchived: false,
		createdAt: new Date(),
		updatedAt: new Date(),
		activeVersionId: null,
	});
	const executedNodes: string[] = [];
	hooks.addHandler('nodeExecuteAfter', (nodeName) => {
		executedNodes.push(nodeName);
	});
	const afterHook = createDeferredPromise<IRun>();
	hooks.addHandler('workflowExecuteAfter', (fullRunData) => afterHook.resolve(fullRunData));

	const additionalData = createAdditionalData(executionId, hooks, credentialsHelper);
	if (options.onChunk) {
		const onChunk = options.onChunk;
		hooks.addHandler('sendChunk', (chunk) => onChunk(chunk));
		additionalData.streamingEnabled = true;
	}
	const runExecutionData = createRunExecutionData({
		executionData: {
			nodeExecutionStack: [{ node: startNode, data: { main: [[{ json: {} }]] }, source: null }],
		},
	});
	const workflowExecute = new WorkflowExecute(additionalData, mode, runExecutionData);

	const startedAt = Date.now();
	let execution: ReturnType<WorkflowExecute['processRunExecutionData']>;
	try {
		execution = workflowExecute.processRunExecutionData(workflow);
	} catch (error) {
		if (error instanceof WorkflowHasIssuesError) {
			const issues = workflowExecute.checkReadyForExecution(workflow, { startNode: startNode.name });
			throw new UnexpectedError(`Workflow has issues: ${JSON.stringify(issues)}`);
		}
		throw error;
	}

	// cancellation, the way n8n's "stop execution" does it: PCancelable.cancel() aborts the
	// AbortController whose signal the nodes see via getExecutionCancelSignal()
	let cancelled = false;
	const cancelRequested = createDeferredPromise<void>();
	const cancel = () => {
		if (cancelled) return;
		cancelled = true;
		execution.cancel();
		cancelRequested.resolve();
	};
	const timer = options.abortAfterMs !== undefined ? setTimeout(cancel, options.abortAfterMs) : undefined;
	if (options.abortSignal?.aborted) cancel();
	else options.abortSignal?.addEventListener('abort', cancel, { once: true });

	let run: IRun;
	try {
		const graceMs = options.cancelGraceMs ?? 5000;
		const giveUpAfterCancel = cancelRequested.promise.then(async () => {
			const snapshot = await afterHook.promise;
			await new Promise((resolve) => setTimeout(resolve, graceMs).unref());
			return snapshot;
		});
		run = await Promise.race([execution, giveUpAfterCancel]);
	} finally {
		if (timer) clearTimeout(timer);
		options.abortSignal?.removeEventListener('abort', cancel);
	}
	const durationMs = Date.now() - startedAt;

	const runData = run.data.resultData.runData;
	const taskOf = (nodeName: string, runIndex: number) => {
		const task = runData[nodeName]?.[runIndex];
		if (!task) {
			const ran = Object.keys(runData).join(', ') || 'none';
			const wfError = run.data.resultData.error?.message;
			throw new UnexpectedError(
				`Node "${nodeName}" has no run #${runIndex} (nodes that ran: ${ran}` +
					(wfError ? `; workflow error: ${wfError}` : '') +
					')',
			);
		}
		return task;
	};

	return {
		run,
		outputOf: (nodeName, outputIndex = 0, runIndex = 0) =>
			taskOf(nodeName, runIndex).data?.main?.[outputIndex] ?? [],
		errorOf: (nodeName, runIndex = 0) => runData[nodeName]?.[runIndex]?.error,
		executedNodes,
		cancelled,
		logs,
		durationMs,
	};
}
