import { mergeReports, renderReport, type KeptMutant, type StrykerReport } from '../tools/mutationReport';

const SOURCE = "const mode = value === '' ? 'off' : 'on';\n";

/** Two surviving mutants of the same text `''`, changed two ways, and one that timed out (detected). */
function report(): StrykerReport {
	const at = { start: { line: 1, column: 24 }, end: { line: 1, column: 26 } };
	return {
		files: {
			'nodes/Example/mode.ts': {
				source: SOURCE,
				mutants: [
					{ mutatorName: 'StringLiteral', replacement: '"Stryker was here!"', location: at, status: 'Survived' },
					{ mutatorName: 'StringLiteral', replacement: '"x"', location: at, status: 'Survived' },
					{ mutatorName: 'ConditionalExpression', replacement: 'true', location: { start: { line: 1, column: 14 }, end: { line: 1, column: 26 } }, status: 'Timeout' },
				],
			},
		},
	};
}

const undetectedRows = (markdown: string) => markdown.split('\n').filter((line) => line.startsWith('| `nodes/Example/mode.ts:1`'));

describe('MUTATION.md', () => {
	it('gives a kept mutant its reason by file, mutator, original text and, when the entry names one, the replacement', () => {
		const kept: KeptMutant[] = [{ file: 'nodes/Example/mode.ts', mutator: 'StringLiteral', original: "''", replacement: '"Stryker was here!"', reason: 'only the literal mutant text differs' }];
		const rows = undetectedRows(renderReport(report(), kept, '\nnotes\n', 'example.json'));
		expect(rows).toEqual([
			"| `nodes/Example/mode.ts:1` | StringLiteral | `''` → `\"Stryker was here!\"` | Survived | only the literal mutant text differs |",
			"| `nodes/Example/mode.ts:1` | StringLiteral | `''` → `\"x\"` | Survived | not analysed yet: a missing test or an equivalent mutant |",
		]);
	});

	it('applies an entry without a replacement to every mutant of that text', () => {
		const kept: KeptMutant[] = [{ file: 'nodes/Example/mode.ts', mutator: 'StringLiteral', original: "''", reason: 'never read' }];
		expect(undetectedRows(renderReport(report(), kept, '', 'example.json')).map((row) => row.endsWith('| never read |'))).toEqual([true, true]);
	});

	it('scores detected over detected plus undetected, shows how many of the detected timed out, and keeps the notes', () => {
		const markdown = renderReport(report(), [], '\nkept notes\n', 'example.json');
		expect(markdown).toContain('<!-- notes:start -->\nkept notes\n<!-- notes:end -->');
		expect(markdown).toMatch(/\| `nodes\/Example\/mode\.ts` \| 33\.3 % \| 1 \| 1 \| 2 \| 0 \| 0 \|/);
	});

	it('refuses two reports of the same file', () => {
		expect(() => mergeReports([report(), report()])).toThrow('nodes/Example/mode.ts is in more than one report: run each folder once');
	});
});
