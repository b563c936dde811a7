import { startSimulator, type Simulator, type SimulatorOptions } from '../../testkit/simulator';

/**
 * One vendor simulator for the tests around the call (a file or a describe block): started before
 * them, reset before each, closed after. `receive` gets it once started, for the tests' own variable.
 */
export function useSimulator(receive: (sim: Simulator) => void, options: SimulatorOptions = {}): void {
	let sim: Simulator | undefined;
	beforeAll(async () => {
		sim = await startSimulator(options);
		receive(sim);
	});
	afterAll(async () => {
		await sim?.close();
	});
	beforeEach(() => sim?.reset());
}
