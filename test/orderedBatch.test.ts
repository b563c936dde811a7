import { mapInOrder } from '../nodes/shared/orderedBatch';

const wait = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('mapInOrder', () => {
	it('keeps input order whatever order the work finishes in, with at most `concurrency` in flight', async () => {
		let inFlight = 0;
		let peak = 0;
		const delays = [30, 5, 20, 1, 15, 2, 25, 3];
		const results = await mapInOrder(delays.length, 3, async (index) => {
			inFlight++;
			peak = Math.max(peak, inFlight);
			await wait(delays[index]);
			inFlight--;
			return `item ${index}`;
		});
		expect(results).toEqual(delays.map((_, index) => `item ${index}`));
		expect(peak).toBe(3);
	});

	it('stops starting work after a failure and throws the lowest failed index', async () => {
		const started: number[] = [];
		await expect(
			mapInOrder(10, 2, async (index) => {
				started.push(index);
				await wait(index === 1 ? 5 : 20);
				if (index === 1 || index === 2) throw new Error(`failed ${index}`);
				return index;
			}),
		).rejects.toThrow('failed 1');
		expect(started.length).toBeLessThan(10);
	});
});
