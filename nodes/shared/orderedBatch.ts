/**
 * Runs `work` over the indexes 0..count-1 with at most `concurrency` in flight and returns the
 * results in index order, whatever order they finish in. When `work` throws, no further index is
 * started; the ones in flight finish, then the error of the lowest failed index is thrown, so a
 * failing batch fails the same way at any concurrency.
 */
export async function mapInOrder<T>(
	count: number,
	concurrency: number,
	work: (index: number) => Promise<T>,
): Promise<T[]> {
	const results = new Array<T>(count);
	let next = 0;
	const failures: Array<{ index: number; error: unknown }> = [];
	const lanes = Math.max(1, Math.min(Math.floor(concurrency) || 1, count));
	const runLane = async () => {
		while (next < count && failures.length === 0) {
			const index = next++;
			try {
				results[index] = await work(index);
			} catch (error) {
				failures.push({ index, error });
			}
		}
	};
	await Promise.all(Array.from({ length: lanes }, runLane));
	if (failures.length > 0) throw failures.reduce((first, failure) => (failure.index < first.index ? failure : first)).error;
	return results;
}
