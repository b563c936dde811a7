/**
 * Writes MUTATION.md from Stryker's JSON report (reports/mutation/mutation.json): the score per
 * folder and per file, then every mutant no test detected, with the reason it is kept when
 * tools/mutationKept.json gives one. The notes between the `notes:start` / `notes:end` markers of
 * an existing MUTATION.md are kept as they are.
 *
 *   npx stryker run && npx tsc -p tsconfig.tools.json && node build/tools/mutationReport.js [report.json ...]
 *
 * Several reports (the per-folder runs of stryker.folders.config.mjs) are read as one.
 */
import * as fs from 'fs';
import * as path from 'path';

const ROOT = path.resolve(__dirname, '..', '..');
const REPORT = path.join(ROOT, 'MUTATION.md');
const KEPT = path.join(ROOT, 'tools', 'mutationKept.json');
const NOTES_START = '<!-- notes:start -->';
const NOTES_END = '<!-- notes:end -->';

type MutantStatus = 'Killed' | 'Survived' | 'NoCoverage' | 'Timeout' | 'CompileError' | 'RuntimeError' | 'Ignored' | 'Pending';

interface Position {
	line: number;
	column: number;
}

interface Mutant {
	mutatorName: string;
	replacement?: string;
	location: { start: Position; end: Position };
	status: MutantStatus;
}

export interface StrykerReport {
	files: Record<string, { source: string; mutants: Mutant[] }>;
}

/**
 * A mutant no test can detect, and why: matched by file, mutator and the source text it replaces (line numbers move
 * with every edit), and by its replacement when one is given (the same text may be mutated several ways).
 */
export interface KeptMutant {
	file: string;
	mutator: string;
	original: string;
	replacement?: string;
	reason: string;
}

interface Tally {
	detected: number;
	/** Of the detected, those that timed out: a mutant that hangs the tests, or a machine too busy to finish in time. */
	timedOut: number;
	undetected: number;
	invalid: number;
	ignored: number;
}

function tally(mutants: Mutant[]): Tally {
	const count = (...statuses: MutantStatus[]) => mutants.filter((mutant) => statuses.includes(mutant.status)).length;
	return {
		detected: count('Killed', 'Timeout'),
		timedOut: count('Timeout'),
		undetected: count('Survived', 'NoCoverage'),
		invalid: count('CompileError', 'RuntimeError'),
		ignored: count('Ignored'),
	};
}

/** Stryker's mutation score: detected among the mutants that compiled and ran. */
export function mutationScore({ detected, undetected }: Pick<Tally, 'detected' | 'undetected'>): string {
	const valid = detected + undetected;
	return valid === 0 ? 'n/a' : `${((100 * detected) / valid).toFixed(1)} %`;
}

function originalText(source: string, { start, end }: Mutant['location']): string {
	const lines = source.split('\n');
	if (start.line === end.line) return lines[start.line - 1].slice(start.column - 1, end.column - 1);
	const middle = lines.slice(start.line, end.line - 1);
	return [lines[start.line - 1].slice(start.column - 1), ...middle, lines[end.line - 1].slice(0, end.column - 1)].join('\n');
}

function oneLine(text: string, max = 70): string {
	const flat = text.replace(/\s+/g, ' ').trim().replace(/\|/g, '\\|').replace(/`/g, "'");
	return flat.length > max ? `${flat.slice(0, max)}…` : flat;
}

function row(name: string, counts: Tally): string {
	return `| ${name} | ${mutationScore(counts)} | ${counts.detected} | ${counts.timedOut} | ${counts.undetected} | ${counts.invalid} | ${counts.ignored} |`;
}

function sum(tallies: Tally[]): Tally {
	return tallies.reduce(
		(total, next) => ({
			detected: total.detected + next.detected,
			timedOut: total.timedOut + next.timedOut,
			undetected: total.undetected + next.undetected,
			invalid: total.invalid + next.invalid,
			ignored: total.ignored + next.ignored,
		}),
		{ detected: 0, timedOut: 0, undetected: 0, invalid: 0, ignored: 0 },
	);
}

export function renderReport(report: StrykerReport, kept: KeptMutant[], notes: string, reportName: string): string {
	const files = Object.keys(report.files).sort();
	const byFile = new Map(files.map((file) => [file, tally(report.files[file].mutants)]));
	const folders = [...new Set(files.map((file) => path.posix.dirname(file)))].sort();
	const header = ['| module | score | detected | of them timed out | undetected | invalid | ignored |', '|---|---:|---:|---:|---:|---:|---:|'];
	const folderRows = folders.map((folder) => row(`\`${folder}/\``, sum(files.filter((file) => path.posix.dirname(file) === folder).map((file) => byFile.get(file)!))));
	const fileRows = files.map((file) => row(`\`${file}\``, byFile.get(file)!));

	const undetected: string[] = [];
	for (const file of files) {
		const { source, mutants } = report.files[file];
		for (const mutant of mutants.filter((entry) => entry.status === 'Survived' || entry.status === 'NoCoverage')) {
			const original = originalText(source, mutant.location);
			const reason = kept.find(
				(entry) =>
					entry.file === file &&
					entry.mutator === mutant.mutatorName &&
					entry.original === original &&
					(entry.replacement === undefined || entry.replacement === mutant.replacement),
			)?.reason;
			undetected.push(
				`| \`${file}:${mutant.location.start.line}\` | ${mutant.mutatorName} | \`${oneLine(original)}\` → \`${oneLine(mutant.replacement ?? '')}\` | ${mutant.status} | ${reason ?? 'not analysed yet: a missing test or an equivalent mutant'} |`,
			);
		}
	}

	return [
		'# Mutation testing',
		'',
		'StrykerJS changes the code of `nodes/` and `credentials/` one small edit (a mutant) at a time and runs the tests that',
		'cover the edit; a mutant the tests do not notice is a behaviour no test pins down. This file is written by',
		'`tools/mutationReport.ts` from the last run; the notes below are kept between runs.',
		'',
		NOTES_START,
		notes.trim(),
		NOTES_END,
		'',
		`## Scores of the last run (\`${reportName}\`)`,
		'',
		'Score = detected (killed or timed out) / (detected + undetected). Invalid mutants do not compile or break',
		'loading; ignored ones run only while a file loads (`ignoreStatic`), and count in neither.',
		'',
		...header,
		...folderRows,
		row('**all**', sum([...byFile.values()])),
		'',
		'### Per file',
		'',
		...header,
		...fileRows,
		'',
		'## Mutants no test detects',
		'',
		undetected.length === 0 ? 'None.' : '| where | mutator | change | status | why it is kept |',
		...(undetected.length === 0 ? [] : ['|---|---|---|---|---|', ...undetected]),
		'',
	].join('\n');
}

/** Several runs over different files (one per folder) read as one report. */
export function mergeReports(reports: StrykerReport[]): StrykerReport {
	const files: StrykerReport['files'] = {};
	for (const report of reports) {
		for (const [file, entry] of Object.entries(report.files)) {
			if (files[file]) throw new Error(`${file} is in more than one report: run each folder once`);
			files[file] = entry;
		}
	}
	return { files };
}

function main(): void {
	const reportPaths = process.argv.slice(2).map((arg) => path.resolve(arg));
	if (reportPaths.length === 0) reportPaths.push(path.join(ROOT, 'reports', 'mutation', 'mutation.json'));
	const report = mergeReports(reportPaths.map((reportPath) => JSON.parse(fs.readFileSync(reportPath, 'utf8')) as StrykerReport));
	const kept = fs.existsSync(KEPT) ? (JSON.parse(fs.readFileSync(KEPT, 'utf8')) as KeptMutant[]) : [];
	const existing = fs.existsSync(REPORT) ? fs.readFileSync(REPORT, 'utf8') : '';
	const start = existing.indexOf(NOTES_START);
	const end = existing.indexOf(NOTES_END);
	const notes = start >= 0 && end > start ? existing.slice(start + NOTES_START.length, end) : '';
	const reportName = reportPaths.map((reportPath) => path.relative(ROOT, reportPath)).join('`, `');
	fs.writeFileSync(REPORT, renderReport(report, kept, notes, reportName));
	process.stdout.write(`MUTATION.md written from ${reportName}\n`);
}

if (require.main === module) main();
