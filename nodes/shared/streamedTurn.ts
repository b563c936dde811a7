import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';
import { asAgentChatError } from './errors';
import { runItemCalls, type CallOptions, type ItemOutcome } from './itemRunner';
import { liveStreamFor } from './liveStream';
import { withRetries } from './retry';

/**
 * One streamed answer per item, the same way for every vendor: attempts are retried only while no
 * answer content has arrived (sending again after that could duplicate or lose text), a failure
 * keeps what arrived for the failed item, and the answer's new text goes out live as it comes.
 */

/** Folds one attempt's stream into the answer. */
export interface TurnAggregator<Result> {
	/** True once any answer content arrived: from then on the attempt is not sent again. */
	readonly hasContent: boolean;
	/** The answer as the operation outputs it. */
	result(): Result;
	/** What a failed item keeps of this attempt. */
	partial(): IDataObject;
}

export interface TurnOptions extends CallOptions {
	/** Each new piece of the answer's text, in order. */
	onReplyDelta?: (delta: string) => void;
	/** Jitter for the waits between attempts (tests pass a fixed one). */
	random?: () => number;
}

export interface StreamedTurn<Aggregator extends TurnAggregator<Result>, Result> {
	maxRetries: number;
	/** Budget for all attempts and the waits between them. */
	timeoutMs: number;
	/** A fresh aggregator for each attempt. */
	aggregator(): Aggregator;
	/**
	 * Sends the request once and feeds the answer into `aggregator`, passing new text to `onReplyDelta`.
	 * Resolves with the answer, or throws; `budgetMs` is what is left of the turn's time.
	 */
	attempt(aggregator: Aggregator, budgetMs: number, options: TurnOptions): Promise<Result>;
}

export async function runStreamedTurn<Aggregator extends TurnAggregator<Result>, Result>(
	turn: StreamedTurn<Aggregator, Result>,
	options: TurnOptions = {},
): Promise<Result> {
	const policy = { signal: options.signal, onRetry: options.onRetry, random: options.random, maxRetries: turn.maxRetries, timeoutMs: turn.timeoutMs };
	return await withRetries(policy, async (budgetMs) => {
		const aggregator = turn.aggregator();
		try {
			return await turn.attempt(aggregator, budgetMs, options);
		} catch (error) {
			const failure = asAgentChatError(error);
			failure.partial = aggregator.partial();
			if (aggregator.hasContent) failure.retryable = false;
			throw failure;
		}
	});
}

export interface StreamedItems<Request, Result> {
	/** Names the vendor in log lines: `<vendor>: retry N of item I in W ms after CODE`. */
	vendor: string;
	secrets: readonly string[];
	/** Reads and checks the item's parameters; throws before anything is sent or streamed. */
	request(itemIndex: number): Request;
	/** The turn for one item, usually `runStreamedTurn` behind the vendor's client. */
	turn(request: Request, options: TurnOptions): Promise<Result>;
}

/** The Enable Streaming option, read once for the whole node (from the first item); on unless turned off. */
export function streamingEnabled(context: IExecuteFunctions): boolean {
	if (context.getInputData().length === 0) return false;
	const options = context.getNodeParameter('options', 0, {}) as { enableStreaming?: unknown };
	return options?.enableStreaming !== false;
}

/**
 * A streamed turn per input item at the node's Concurrency, output in input order. When the
 * execution streams (a Chat Trigger or a streaming Webhook), each item's text goes to n8n's
 * sendChunk between a begin and an end of its own, whatever the other items in flight do.
 */
export async function runStreamedItems<Request, Result>(
	context: IExecuteFunctions,
	items: StreamedItems<Request, Result>,
): Promise<Array<ItemOutcome<Result>>> {
	const live = streamingEnabled(context) ? liveStreamFor(context) : undefined;
	return await runItemCalls(context, {
		vendor: items.vendor,
		secrets: items.secrets,
		request: (itemIndex) => items.request(itemIndex),
		call: async (request, options, itemIndex) => {
			live?.begin(itemIndex);
			try {
				return await items.turn(request, {
					...options,
					onReplyDelta: live ? (delta) => live.item(itemIndex, delta) : undefined,
				});
			} finally {
				live?.end(itemIndex);
			}
		},
	});
}
