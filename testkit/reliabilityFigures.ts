/**
 * The figures file the hardening suite writes (build/reliability/hardening.json) and the
 * reliability report reads: one shape for both sides.
 */

export interface CaseFigure {
	group: string;
	/** A node kind of testkit/profiles.ts. */
	node: string;
	case: string;
	expected: string;
	outcome: string;
	/** How long the case took on the machine that ran it: recorded for information, never asserted. */
	elapsedMs: number;
	/** Reply characters kept on the failed item (chat and tate stream), when it matters. */
	partialChars?: number;
	requests: number;
	idlePooledSockets: number;
	note?: string;
}

export interface StreamFigure {
	stream: string;
	incremental: boolean;
	bytes: number;
	chunkings: number;
	alsoThroughRawEventReader: number;
	totalChunks: number;
	modes: Record<string, number>;
	elapsedMs: number;
	httpChunkings?: number;
}

export interface SuiteRunFigures {
	suiteMs: number;
	partMs: Record<string, number>;
	command: string;
	machine?: { cpus: number; cpuModel: string; loadAverage1mStart: number; loadAverage1mEnd: number };
}

export interface HardeningFigures {
	suite: string;
	writtenAt: string;
	/** The Node version of the run. */
	node: string;
	cases: CaseFigure[];
	secretScan: { cases: number; texts: number; leaks: number };
	secrets?: { scannedCases: number; scannedTexts: number; leaks: number; valuesWatched: number };
	unhandledRejections: number;
	sockets: { aboveBaselineAfterPoolClosed: number; settled: boolean };
	chunking?: { seed: number; streams: StreamFigure[] };
	load?: Record<string, number>;
	run?: SuiteRunFigures;
}
