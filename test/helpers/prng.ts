/**
 * Seeded randomness for property-style tests (fast-check is not a dependency): mulberry32, and
 * random chunkings of a byte stream that favour the cuts that break naive readers (inside a
 * multi-byte character, inside `\r\n`, one byte at a time).
 */

/** mulberry32: a tiny, fast 32-bit PRNG; the same seed gives the same sequence everywhere. */
export function mulberry32(seed: number): () => number {
	let state = seed >>> 0;
	return () => {
		state = (state + 0x6d2b79f5) >>> 0;
		let t = state;
		t = Math.imul(t ^ (t >>> 15), t | 1);
		t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
		return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
	};
}

/** A whole number in [min, max]. */
export function randomInt(random: () => number, min: number, max: number): number {
	return min + Math.floor(random() * (max - min + 1));
}

export type ChunkingMode = 'few' | 'many' | 'utf8-cuts' | 'byte-run' | 'uniform';

const MODES: ChunkingMode[] = ['few', 'many', 'utf8-cuts', 'byte-run', 'uniform'];

/** Offsets where a cut falls inside a UTF-8 sequence (before a continuation byte) or between \r and \n. */
function awkwardOffsets(bytes: Uint8Array): number[] {
	const offsets: number[] = [];
	for (let i = 1; i < bytes.length; i++) {
		if ((bytes[i] & 0xc0) === 0x80 || (bytes[i - 1] === 0x0d && bytes[i] === 0x0a)) offsets.push(i);
	}
	return offsets;
}

const awkwardCache = new WeakMap<Uint8Array, number[]>();

/**
 * One random chunking of `bytes` (the pieces concatenate to it exactly), with at most about 600
 * pieces so that thousands of chunkings stay fast. The mode is drawn too: a few cuts anywhere;
 * many (50–300) cuts anywhere; cuts mostly inside multi-byte characters and between \r and \n;
 * a run of single bytes over a random window of up to 512 bytes; or pieces of one random size.
 */
export function randomChunking(bytes: Uint8Array, random: () => number, mode?: ChunkingMode): { mode: ChunkingMode; chunks: Uint8Array[] } {
	const chosen = mode ?? MODES[Math.floor(random() * MODES.length)];
	const last = Math.max(1, bytes.length - 1);
	const cuts = new Set<number>();
	const anywhere = (count: number) => {
		for (let i = 0; i < count; i++) cuts.add(randomInt(random, 1, last));
	};
	switch (chosen) {
		case 'few':
			anywhere(randomInt(random, 1, 8));
			break;
		case 'many':
			anywhere(randomInt(random, 50, 300));
			break;
		case 'utf8-cuts': {
			let awkward = awkwardCache.get(bytes);
			if (!awkward) awkwardCache.set(bytes, (awkward = awkwardOffsets(bytes)));
			const count = randomInt(random, 20, 200);
			for (let i = 0; i < count && awkward.length > 0; i++) cuts.add(awkward[Math.floor(random() * awkward.length)]);
			anywhere(randomInt(random, 0, 20));
			break;
		}
		case 'byte-run': {
			const width = randomInt(random, 64, 512);
			const start = randomInt(random, 1, Math.max(1, bytes.length - width));
			for (let at = start; at < Math.min(bytes.length, start + width); at++) cuts.add(at);
			anywhere(randomInt(random, 0, 10));
			break;
		}
		case 'uniform': {
			const size = Math.max(1, Math.ceil(bytes.length / randomInt(random, 2, 600)));
			for (let at = size; at < bytes.length; at += size) cuts.add(at);
			break;
		}
	}
	const sorted = [...cuts].filter((at) => at > 0 && at < bytes.length).sort((a, b) => a - b);
	const chunks: Uint8Array[] = [];
	let start = 0;
	for (const at of sorted) {
		chunks.push(bytes.subarray(start, at));
		start = at;
	}
	chunks.push(bytes.subarray(start));
	return { mode: chosen, chunks };
}

/** The chunks as the async byte stream an HTTP body would be. */
export async function* asyncChunks(chunks: readonly Uint8Array[]): AsyncGenerator<Uint8Array> {
	for (const chunk of chunks) yield chunk;
}
