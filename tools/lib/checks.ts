/**
 * The pass/fail harness of the checking tools (e2e, streaming, queue): named checks, one line per
 * check (`PASS  name — detail` / `FAIL  name — why`), and the closing line `N passed, M failed`
 * alone on a line; the exit code is non-zero when a check failed or none ran. After an interrupt
 * no further check is reported and the closing line counts the interrupt as a failure.
 */
import { haltIfInterrupted, isInterrupted, onInterrupt } from './processes';

/** A check's failure whose message says all (no stack trace wanted). */
export class CheckFailure extends Error {}

export function assert(condition: unknown, message: string): asserts condition {
	if (!condition) throw new CheckFailure(message);
}

/** A value shortened for a check's line. */
export function show(value: unknown, max = 160): string {
	const text = JSON.stringify(value) ?? String(value);
	return text.length > max ? `${text.slice(0, max - 3)}...` : text;
}

/** Deep equality by JSON text, which is what the checked outputs are. */
export function eq(actual: unknown, expected: unknown, what: string): void {
	if (JSON.stringify(actual) !== JSON.stringify(expected)) throw new CheckFailure(`${what}: expected ${show(expected)}, got ${show(actual)}`);
}

/** Fails with `problem` when there is one (the shape of the test profiles' success checks). */
export function noProblem(problem: string | undefined, what: string): void {
	if (problem !== undefined) throw new CheckFailure(`${what}: ${problem}`);
}

export type CheckBody = () => string | void | Promise<string | void>;

export class Checks {
	private passed = 0;
	private failed = 0;
	private closed = false;

	/** `verbose`: failures print 40 lines of their message instead of 6. */
	constructor(private readonly options: { verbose?: boolean } = {}) {
		onInterrupt((reason) => {
			this.failed++;
			process.stdout.write(`FAIL  ${reason}: the run was stopped\n`);
			this.close();
		});
	}

	/** Runs a check; what it returns is printed as the detail, what it throws is the failure. */
	async run(name: string, body: CheckBody): Promise<boolean> {
		let detail: string | void;
		try {
			detail = await body();
		} catch (error) {
			await haltIfInterrupted();
			const message = error instanceof CheckFailure ? error.message : error instanceof Error ? (error.stack ?? error.message) : String(error);
			this.record(name, false, message.split('\n').slice(0, this.options.verbose ? 40 : 6).join('\n    '));
			return false;
		}
		await haltIfInterrupted();
		this.record(name, true, detail ?? '');
		return true;
	}

	/** How many checks failed so far. */
	get failures(): number {
		return this.failed;
	}

	/** A check whose outcome is already known. */
	record(name: string, ok: boolean, detail = ''): void {
		if (isInterrupted() || this.closed) return;
		if (ok) this.passed++;
		else this.failed++;
		process.stdout.write(`${ok ? 'PASS' : 'FAIL'}  ${name}${detail ? ` — ${detail}` : ''}\n`);
	}

	/** A line of figures between the checks. */
	info(line: string): void {
		if (!isInterrupted()) process.stdout.write(`      ${line}\n`);
	}

	/** Runs the tool's checks; an error escaping them is one more failed check. Returns the exit code. */
	async runAll(body: () => Promise<void>): Promise<number> {
		try {
			await body();
		} catch (error) {
			await haltIfInterrupted();
			this.record('the run ended early', false, error instanceof Error ? (error.stack ?? error.message) : String(error));
		}
		return this.close();
	}

	/** Prints the closing line once; returns the exit code. */
	close(): number {
		if (!this.closed) {
			this.closed = true;
			process.stdout.write(`\n${this.passed} passed, ${this.failed} failed\n`);
		}
		return this.failed === 0 && this.passed > 0 ? 0 : 1;
	}
}
