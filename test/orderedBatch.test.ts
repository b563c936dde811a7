import { mapInOrder } from '../nodes/shared/orderedBatch';

/** Work whose every call waits until the test settles it, so the order of events is the test's. */
function controlledWork() {
	const pending = new Map<number, { resolve: (value: string) => void; reject: (error: Error) => void }>();
	const started: number[] = [];
	const work = (index: number) =>
		new Promise<string>((resolve, reject) => {
			started.push(index);
			pending.set(index, { resolve, reject });
		});
	return {
		work,
		started,
		inFlight: () => [...pending.keys()].sort((a, b) => a - b),
		finish: async (index: number) => {
			pending.get(index)!.resolve(`item ${index}`);
			pending.delete(index);
			await settle();
		},
		fail: async (index: number) => {
			pending.get(index)!.reject(new Error(`failed ${index}`));
			pending.delete(index);
			await settle();
		},
	};
}

/** Lets every promise callback that is ready run. */
const settle = () => new Promise((resolve) => setImmediate(resolve));

describe('mapInOrder', () => {
	it('keeps input order whatever order the work finishes in, with at most `concurrency` in flight', async () => {
		const control = controlledWork();
		const done = mapInOrder(6, 3, control.work);
		await settle();
		expect(control.inFlight()).toEqual([0, 1, 2]);
		await control.finish(2);
		expect(control.inFlight()).toEqual([0, 1, 3]);
		await control.finish(3);
		expect(control.inFlight()).toEqual([0, 1, 4]);
		await control.finish(0);
		expect(control.inFlight()).toEqual([1, 4, 5]);
		for (const index of [5, 4, 1]) await control.finish(index);
		await expect(done).resolves.toEqual(['item 0', 'item 1', 'item 2', 'item 3', 'item 4', 'item 5']);
		expect(control.started).toEqual([0, 1, 2, 3, 4, 5]);
	});

	it('stops starting work after a failure and throws the lowest failed index, even when it failed last', async () => {
		const control = controlledWork();
		const done = mapInOrder(10, 2, control.work);
		const outcome = done.then(
			() => 'resolved',
			(error: Error) => error.message,
		);
		await settle();
		await control.fail(1);
		expect(control.inFlight()).toEqual([0]);
		await control.fail(0);
		expect(await outcome).toBe('failed 0');
		expect(control.started).toEqual([0, 1]);
	});

	it('lets the work in flight finish after a failure before it throws', async () => {
		const control = controlledWork();
		let settled = false;
		const outcome = mapInOrder(4, 2, control.work).then(
			() => 'resolved',
			(error: Error) => error.message,
		);
		void outcome.then(() => (settled = true));
		await settle();
		await control.fail(0);
		expect(settled).toBe(false);
		await control.finish(1);
		expect(await outcome).toBe('failed 0');
		expect(control.started).toEqual([0, 1]);
	});

	it('runs one at a time for a concurrency below 1, and no work for no items', async () => {
		const control = controlledWork();
		const done = mapInOrder(2, 0, control.work);
		await settle();
		expect(control.inFlight()).toEqual([0]);
		await control.finish(0);
		expect(control.inFlight()).toEqual([1]);
		await control.finish(1);
		await expect(done).resolves.toEqual(['item 0', 'item 1']);
		await expect(mapInOrder(0, 4, control.work)).resolves.toEqual([]);
	});
});
