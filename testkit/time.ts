/** Waits `ms` milliseconds: the one pause used by the test kit, the tests and the tools. */
export function sleep(ms: number): Promise<void> {
	return new Promise((resolve) => setTimeout(resolve, ms));
}

/** A duration for people: "1.2 s". */
export function seconds(ms: number): string {
	return `${(ms / 1000).toFixed(1)} s`;
}
