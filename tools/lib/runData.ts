/**
 * The run data `n8n execute --rawOutput` prints (n8n's IRun, as JSON), found in output that may
 * carry log lines around it, and read node by node.
 */
import type { IDataObject, INodeExecutionData, IRun } from 'n8n-workflow';

/** n8n's run data as the CLI prints it: dates have become strings on the way. */
export type RunData = Omit<IRun, 'startedAt' | 'stoppedAt'> & { startedAt?: string; stoppedAt?: string };

/**
 * Finds a JSON value in text with log lines before and after it. Candidates start with `{` or `[`
 * at the beginning of a line; each is cut at its balanced closing bracket (strings respected) and
 * parsed. Returns the first value `accept` takes (any, without it), else undefined.
 */
export function extractJson(text: string, accept?: (value: unknown) => boolean): unknown {
	const starts: number[] = [];
	const opening = /(^|\n)[ \t]*([{[])/g;
	let match: RegExpExecArray | null;
	while ((match = opening.exec(text))) starts.push(match.index + match[0].length - 1);
	for (const start of starts) {
		const end = balancedEnd(text, start);
		if (end < 0) continue;
		try {
			const value: unknown = JSON.parse(text.slice(start, end + 1));
			if (!accept || accept(value)) return value;
		} catch {
			// not JSON: the next candidate
		}
	}
	return undefined;
}

function balancedEnd(text: string, start: number): number {
	let depth = 0;
	let inString = false;
	for (let i = start; i < text.length; i++) {
		const char = text[i];
		if (inString) {
			if (char === '\\') i++;
			else if (char === '"') inString = false;
			continue;
		}
		if (char === '"') inString = true;
		else if (char === '{' || char === '[') depth++;
		else if (char === '}' || char === ']') {
			depth--;
			if (depth === 0) return i;
		}
	}
	return -1;
}

function isRunData(value: unknown): value is RunData {
	if (!value || typeof value !== 'object' || Array.isArray(value)) return false;
	const data = (value as { data?: unknown }).data;
	return !!data && typeof data === 'object' && 'resultData' in data;
}

/** The run data in `n8n execute --rawOutput` output, or undefined. */
export function parseRunData(output: string): RunData | undefined {
	const value = extractJson(output, isRunData);
	return isRunData(value) ? value : undefined;
}

/** The items (json, pairedItem, …) a node put on one of its outputs in a run. */
export function nodeItems(run: RunData | null | undefined, nodeName: string, output = 0, runIndex = 0): INodeExecutionData[] {
	return run?.data.resultData.runData[nodeName]?.[runIndex]?.data?.main?.[output] ?? [];
}

/** The json of each item a node put on one of its outputs. */
export function nodeJson(run: RunData | null | undefined, nodeName: string, output = 0, runIndex = 0): IDataObject[] {
	return nodeItems(run, nodeName, output, runIndex).map((item) => item.json);
}

/** How many outputs a node's run has. */
export function nodeOutputCount(run: RunData | null | undefined, nodeName: string, runIndex = 0): number {
	return run?.data.resultData.runData[nodeName]?.[runIndex]?.data?.main?.length ?? 0;
}
