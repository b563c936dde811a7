import type { IDataObject, IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import { AgentChatError, asAgentChatError, failedItemJson, toNodeError } from './errors';
import { MAX_CONCURRENCY } from './commonOptions';
import { checkIntegerOption } from './validation';
import { mapInOrder } from './orderedBatch';
import type { RetryInfo } from './retry';

export type ItemOutcome<T> =
	| { itemIndex: number; ok: true; value: T }
	| { itemIndex: number; ok: false; json: IDataObject };

/**
 * Runs one unit of work per input item, `concurrency` at a time, results in input order. A failure
 * becomes the item's error output under "Continue On Fail", and stops the node otherwise, with
 * secrets masked either way.
 */
export async function runPerItem<T>(
	context: IExecuteFunctions,
	options: { concurrency: number; secrets: readonly string[]; work: (itemIndex: number) => Promise<T> },
): Promise<Array<ItemOutcome<T>>> {
	const count = context.getInputData().length;
	const continueOnFail = context.continueOnFail();
	return await mapInOrder(count, options.concurrency, async (itemIndex): Promise<ItemOutcome<T>> => {
		try {
			return { itemIndex, ok: true, value: await options.work(itemIndex) };
		} catch (error) {
			const failure = asAgentChatError(error);
			if (continueOnFail) {
				return { itemIndex, ok: false, json: failedItemJson(failure, failure.partial ?? {}, options.secrets) };
			}
			throw toNodeError(context.getNode(), failure, itemIndex, options.secrets);
		}
	});
}

/** The Concurrency option, read once for the whole node (from the first item). */
export function readConcurrency(context: IExecuteFunctions, secrets: readonly string[]): number {
	if (context.getInputData().length === 0) return 1;
	const options = context.getNodeParameter('options', 0, {}) as { concurrency?: unknown };
	try {
		return checkIntegerOption(options.concurrency ?? 1, 'options.concurrency', 1, MAX_CONCURRENCY);
	} catch (error) {
		throw toNodeError(context.getNode(), error as AgentChatError, 0, secrets);
	}
}

/** One output item per input item, paired to it: the result, or the failed item's error json. */
export function outcomesToItems(outcomes: Array<ItemOutcome<IDataObject>>): INodeExecutionData[] {
	return outcomes.map((outcome) => ({
		json: outcome.ok ? outcome.value : outcome.json,
		pairedItem: { item: outcome.itemIndex },
	}));
}

/** What a vendor call takes from the execution: the cancel signal, and a hook for the retry log line. */
export interface CallOptions {
	signal?: AbortSignal;
	onRetry?: (info: RetryInfo) => void;
}

export interface ItemCalls<Request, Result> {
	/** Names the vendor in log lines, e.g. `AiSK: retry 1 of item 0 in 800 ms after UNAVAILABLE`. */
	vendor: string;
	/** Masked in errors and failed items; a call may add values it sends (an Authorization header). */
	secrets: readonly string[];
	/** Reads and checks the item's parameters; throws before anything is sent. */
	request(itemIndex: number): Request;
	call(request: Request, options: CallOptions, itemIndex: number): Promise<Result>;
}

/** One vendor call per input item, in order, at the node's Concurrency, with retries logged. */
export async function runItemCalls<Request, Result>(
	context: IExecuteFunctions,
	calls: ItemCalls<Request, Result>,
): Promise<Array<ItemOutcome<Result>>> {
	const signal = context.getExecutionCancelSignal?.();
	return await runPerItem(context, {
		concurrency: readConcurrency(context, calls.secrets),
		secrets: calls.secrets,
		work: async (itemIndex) => {
			const request = calls.request(itemIndex);
			return await calls.call(
				request,
				{
					signal,
					onRetry: ({ attempt, waitMs, code }) =>
						context.logger.info(`${calls.vendor}: retry ${attempt} of item ${itemIndex} in ${waitMs} ms after ${code}`),
				},
				itemIndex,
			);
		},
	});
}
