/**
 * Writes RELIABILITY.md from the figures the hardening suite (test/hardening) leaves in
 * build/reliability/hardening.json. Every number comes from that run; the notes between the
 * `notes:start` / `notes:end` markers of an existing RELIABILITY.md are kept as they are.
 *
 *   npx jest test/hardening && npx tsc -p tsconfig.tools.json && node build/tools/reliabilityReport.js
 */
import * as fs from 'fs';
import * as path from 'path';
import { ALL_PROFILES } from '../testkit/profiles';
import type { CaseFigure, HardeningFigures } from '../testkit/reliabilityFigures';
import { seconds } from '../testkit/time';
import { NOTES_END, NOTES_START, sectionBetween } from './lib/reportSections';

const ROOT = path.resolve(__dirname, '..', '..');
const FIGURES = path.join(ROOT, 'build', 'reliability', 'hardening.json');
const REPORT = path.join(ROOT, 'RELIABILITY.md');
/** The title of a node kind in the tables; a figure of a kind no profile knows keeps its id. */
const titleOf = (kind: string): string => ALL_PROFILES.find((profile) => profile.kind === kind)?.title ?? kind;

const escape = (text: string) => text.replace(/\|/g, '\\|');

function cell(figure: CaseFigure | undefined): string {
	if (!figure) return '';
	const result = figure.outcome === 'ok' ? '✅ answer' : `\`${figure.outcome}\``;
	const kept = figure.partialChars !== undefined && figure.partialChars > 0 ? `, kept ${figure.partialChars} ch` : '';
	return `${result}${kept}<br>${figure.elapsedMs} ms`;
}

function faultMatrix(cases: CaseFigure[]): string[] {
	const faults = [...new Set(cases.map((figure) => figure.case))];
	const lines = [
		`| fault | ${ALL_PROFILES.map((profile) => profile.title).join(' | ')} |`,
		`|---|${ALL_PROFILES.map(() => '---').join('|')}|`,
	];
	for (const fault of faults) {
		const row = ALL_PROFILES.map(({ kind }) => cell(cases.find((figure) => figure.case === fault && figure.node === kind)));
		lines.push(`| ${escape(fault)} | ${row.join(' | ')} |`);
	}
	return lines;
}

function notesOf(cases: CaseFigure[]): string[] {
	const seen = new Map<string, string[]>();
	for (const figure of cases) {
		if (!figure.note) continue;
		const key = `${figure.case}: ${figure.note}`;
		seen.set(key, [...(seen.get(key) ?? []), titleOf(figure.node)]);
	}
	return [...seen].map(([key, nodes]) => `- **${escape(key.split(': ')[0])}** (${nodes.join(', ')}): ${escape(key.slice(key.indexOf(': ') + 2))}`);
}

function badInput(cases: CaseFigure[]): string[] {
	const lines = ['| node | field | cases | slowest |', '|---|---|---|---|'];
	const groups = new Map<string, CaseFigure[]>();
	for (const figure of cases) {
		const key = `${figure.node}\u0000${figure.expected}`;
		groups.set(key, [...(groups.get(key) ?? []), figure]);
	}
	for (const [key, figures] of groups) {
		const [node, field] = key.split('\u0000');
		const wrong = figures.filter((figure) => figure.outcome !== figure.expected);
		lines.push(
			`| ${titleOf(node)} | ${field.startsWith("'") ? `\`${field.slice(1, -1)}\`` : escape(field)} | ${figures.length}${wrong.length ? ` (${wrong.length} named another field)` : ''}: ${escape(figures.map((figure) => figure.case).join('; '))} | ${Math.max(...figures.map((figure) => figure.elapsedMs))} ms |`,
		);
	}
	return lines;
}

function headerSection(figures: HardeningFigures): string[] {
	const run = figures.run;
	return [
		'# Reliability',
		'',
		'What the hardening suite (`test/hardening`) proves about every node and operation (one column each), with the figures of',
		'its last run. Every node ends every turn with the right answer or a clear coded error, with the retries',
		'its error class calls for, keeping what it received, leaking no secret, leaving no connection open. The',
		'checks are about outcomes (codes, request counts, the waits the retry log lines name, order), never about',
		'how fast this machine was; the times below are recorded for information.',
		'',
		'Reproduce (the suite writes `build/reliability/hardening.json`, the script turns it into this file):',
		'',
		'```sh',
		'npx jest test/hardening',
		'npx tsc -p tsconfig.tools.json && node build/tools/reliabilityReport.js',
		'```',
		'',
		`Run of ${figures.writtenAt.replace('T', ' ').slice(0, 19)} UTC, Node ${figures.node}` +
			(run?.machine ? `, ${run.machine.cpus} × ${run.machine.cpuModel.trim()}, load average ${run.machine.loadAverage1mStart} → ${run.machine.loadAverage1mEnd}` : '') +
			(run ? `; the suite took ${seconds(run.suiteMs)} (${Object.entries(run.partMs).map(([part, ms]) => `${part} ${seconds(ms)}`).join(', ')}) plus jest's start.` : '.'),
		'',
	];
}

function summarySection(figures: HardeningFigures): string[] {
	const faults = group(figures, 'faults');
	const codes = group(figures, 'lke-error-codes');
	const bad = group(figures, 'bad-input');
	const load = figures.load ?? {};
	const streams = figures.chunking?.streams ?? [];
	const pureChunkings = streams.reduce((sum, stream) => sum + stream.chunkings, 0);
	const httpChunkings = streams.reduce((sum, stream) => sum + (stream.httpChunkings ?? 0), 0);
	const rawChunkings = streams.reduce((sum, stream) => sum + stream.alsoThroughRawEventReader, 0);
	const secrets = figures.secrets ?? { scannedCases: figures.secretScan.cases, scannedTexts: figures.secretScan.texts, leaks: figures.secretScan.leaks, valuesWatched: 0 };
	return [
		'## Summary',
		'',
		'| what | figure |',
		'|---|---|',
		`| fault cases (node × fault, real n8n-core executions) | ${faults.length}, ${new Set(faults.map((figure) => figure.case)).size} faults |`,
		`| LKE v1 error codes of the vendor's table | ${codes.filter((figure) => figure.case.startsWith('error event')).length} codes, each with its meaning; all again in the payload shape and after part of the answer |`,
		`| bad-input cases (no request sent) | ${bad.filter((figure) => figure.case.includes('Continue On Fail') === false).length} |`,
		`| cases in all | ${figures.cases.length} (times are this run's, shown for information: no case asserts a duration) |`,
		`| random chunkings, identical aggregate | ${pureChunkings} through the SSE reader and aggregator (${rawChunkings} of them also through the node's raw event reader), ${httpChunkings} over HTTP through the node |`,
		`| 200 concurrent chat turns (LKE v1) | ${load.turns ?? '?'} answered correctly in ${load.elapsedMs ?? '?'} ms (the simulator holds each ${load.latencyPerTurnMs ?? '?'} ms before answering), peak ${load.peakInFlight ?? '?'} in flight |`,
		`| ${load.v2Turns ?? '?'} concurrent ADP v2 chat turns | all exactly the simulator's turn (references, thoughts, token stats) in ${load.v2ElapsedMs ?? '?'} ms, peak ${load.v2PeakInFlight ?? '?'} in flight |`,
		`| ${load.askQuestions ?? '?'} AiSK Ask questions at once | all answered exactly in ${load.askElapsedMs ?? '?'} ms, peak ${load.askPeakInFlight ?? '?'} in flight, ${load.askPromptTokens ?? '?'} prompt token and ${load.askInit ?? '?'} init for all |`,
		`| heap after GC vs before the load | ${load.heapBeforeMB ?? '?'} → ${load.heapAfterMB ?? '?'} MB (${load.heapChangePercent ?? '?'} %; bound +10 %) |`,
		`| secret scan | ${secrets.scannedCases} runs, ${secrets.scannedTexts} texts (outputs, errors, descriptions, n8n logs, stdout/stderr/console), ${secrets.leaks} leaks |`,
		`| unhandled rejections | ${figures.unhandledRejections} |`,
		`| sockets above the baseline once the pool is closed | ${figures.sockets.aboveBaselineAfterPoolClosed} |`,
		'',
		'After every case the suite checks: no request still in flight on the simulator; every client socket',
		'still open is an idle keep-alive socket of the package\'s undici pool (pool `connected === free`, as many',
		'server ends, nothing else holding the process) — undici keeps those for the next request, they are not',
		'leaks; no unhandled rejection (a listener on the real process, proven by a canary); and no secret in',
		'anything shown. At the end the pool is closed and the open sockets return to the baseline.',
		'',
	];
}

function faultSection(faults: CaseFigure[]): string[] {
	return [
		'## Fault matrix',
		'',
		'Each cell: the outcome (the answer, or the code on the failed item under Continue On Fail), the reply',
		'characters kept on a failed item, and the elapsed time in ms (for information, not a bound). Empty: the fault does not apply to that node.',
		'',
		...faultMatrix(faults),
		'',
		...notesOf(faults),
		'',
	];
}

function errorCodeSection(codes: CaseFigure[]): string[] {
	return [
		'## Every LKE error code (the vendor\'s table)',
		'',
		'| code | message on the error | elapsed |',
		'|---|---|---|',
		...codes
			.filter((figure) => figure.case.startsWith('error event'))
			.map((figure) => `| ${figure.expected} | Tencent LKE error ${figure.expected}: ${escape(figure.note ?? '')} | ${figure.elapsedMs} ms |`),
		...codes.filter((figure) => !figure.case.startsWith('error event')).map((figure) => `| all | ${escape(figure.case)} | ${figure.elapsedMs} ms |`),
		'',
	];
}

function badInputSection(bad: CaseFigure[]): string[] {
	return [
		'## Bad input',
		'',
		'Each case fails with a `NodeOperationError` "Invalid parameter \'<field>\': <rule>" and sends no request',
		'(neither to the simulator nor to the echo server).',
		'',
		...badInput(bad.filter((figure) => !figure.case.includes('Continue On Fail'))),
		'',
	];
}

function chunkingSection(chunking: HardeningFigures['chunking']): string[] {
	return [
		'## Chunking',
		'',
		`Seed ${chunking?.seed ?? '?'} (mulberry32). Modes: a few cuts; 50–300 cuts; cuts inside multi-byte characters and`,
		'between \\r and \\n; a run of single bytes; pieces of one random size.',
		'',
		'| recorded stream | bytes | chunkings | pieces | over HTTP | time |',
		'|---|---|---|---|---|---|',
		...(chunking?.streams ?? []).map(
			(stream) =>
				`| ${escape(stream.stream)} | ${stream.bytes} | ${stream.chunkings} | ${stream.totalChunks} | ${stream.httpChunkings ?? 0} | ${stream.elapsedMs} ms |`,
		),
		'',
	];
}

function loadSection(load: Record<string, number>): string[] {
	return [
		'## Load',
		'',
		'| figure | value |',
		'|---|---|',
		...Object.entries(load).map(([name, value]) => `| ${name} | ${value} |`),
		'',
	];
}

/** The notes of the report being replaced, kept as they are. */
function keptNotes(): string {
	const kept = fs.existsSync(REPORT) ? sectionBetween(fs.readFileSync(REPORT, 'utf8'), NOTES_START, NOTES_END) : undefined;
	return `${NOTES_START}${kept ?? '\n_Findings and remarks (kept when the report is regenerated)._\n'}${NOTES_END}`;
}

function group(figures: HardeningFigures, name: string): CaseFigure[] {
	return figures.cases.filter((figure) => figure.group === name);
}

function main(): void {
	if (!fs.existsSync(FIGURES)) {
		console.error(`No figures at ${path.relative(ROOT, FIGURES)}: run \`npx jest test/hardening\` first.`);
		process.exit(1);
	}
	const figures = JSON.parse(fs.readFileSync(FIGURES, 'utf8')) as HardeningFigures;
	const out = [
		...headerSection(figures),
		...summarySection(figures),
		...faultSection(group(figures, 'faults')),
		...errorCodeSection(group(figures, 'lke-error-codes')),
		...badInputSection(group(figures, 'bad-input')),
		...chunkingSection(figures.chunking),
		...loadSection(figures.load ?? {}),
		'## Notes',
		'',
		keptNotes(),
		'',
	];
	fs.writeFileSync(REPORT, `${out.join('\n')}`);
	console.log(`Wrote ${path.relative(ROOT, REPORT)} from ${path.relative(ROOT, FIGURES)} (${figures.cases.length} cases).`);
}

main();
