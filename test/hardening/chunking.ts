/**
 * Hardening, part 3 (run from hardening.test.ts): chunking. Realistic LKE streams (cumulative and incremental; thoughts,
 * references, Chinese, emoji and astral characters, CRLF framing, comments, heartbeats, unknown
 * events, events after the final reply) are cut into thousands of seeded random chunkings — cuts
 * inside multi-byte characters and between \r and \n included — and every chunking must give the
 * identical aggregate. The thousands go straight through the SSE reader and the aggregator (pure,
 * fast); a few dozen go over real HTTP through the node in n8n (simulator scripts of Buffers with
 * 0/1 ms pauses). Figures: build/reliability/hardening.json.
 */
import * as sseReader from '../../nodes/shared/sse';
import * as sseByteReader from '../../nodes/TencentLke/stream/sseByteReader';
import * as lkeAggregator from '../../nodes/TencentLke/stream/fastEventReader';
import { LkeTurnAggregator, type LkeTurnResult } from '../../nodes/TencentLke/chatAggregator';
import { parseLkeEvent } from '../../nodes/TencentLke/stream/lkeEvent';
import type { Hardening } from '../helpers/hardening';
import { REQUEST_ID, SESSION_ID, recordedStreams, type RecordedStream } from '../helpers/lkeStreams';
import { asyncChunks, mulberry32, randomChunking, type ChunkingMode } from '../helpers/prng';
import type { StreamFigure } from '../../testkit/reliabilityFigures';
import type { ScriptStep } from '../../testkit/simulator';

const SEED = 0x6a09e667;
const PURE_CHUNKINGS = Number(process.env.HARDENING_CHUNKINGS ?? 800);
const HTTP_CHUNKINGS_PER_STREAM = 6;

const streams = recordedStreams();
const figures: StreamFigure[] = [];

interface Aggregate {
	result: LkeTurnResult;
	/** The live deltas joined: must be the reply too. */
	deltas: string;
}

/** The plain path: readSseEvents → parseLkeEvent → LkeTurnAggregator. */
async function aggregateDecoded(chunks: readonly Uint8Array[], incremental: boolean): Promise<Aggregate> {
	const aggregator = new LkeTurnAggregator(incremental, { sessionId: SESSION_ID, requestId: REQUEST_ID });
	let deltas = '';
	for await (const sse of sseReader.readSseEvents(asyncChunks(chunks))) {
		const event = parseLkeEvent(sse);
		if (event) deltas += aggregator.accept(event);
	}
	return { result: aggregator.result(), deltas };
}

/**
 * The node's own path while the stream reader is being optimised (raw byte events and an
 * incremental event reader), when this tree has it; looked up at run time so the test does not
 * depend on names still in flux.
 */
type RawPath = {
	readRawSseEvents: (chunks: AsyncIterable<Uint8Array>) => AsyncIterable<unknown>;
	LkeEventReader: new () => { read(raw: unknown): { event: lkeAggregator.LkeEvent; hint?: unknown } | undefined };
};
const rawPath: RawPath | undefined = (() => {
	const reader = (sseByteReader as unknown as Record<string, unknown>).readRawSseEvents;
	const eventReader = (lkeAggregator as unknown as Record<string, unknown>).LkeEventReader;
	return typeof reader === 'function' && typeof eventReader === 'function'
		? ({ readRawSseEvents: reader, LkeEventReader: eventReader } as RawPath)
		: undefined;
})();
if (!rawPath) throw new Error('the LKE byte reader (readRawSseEvents, LkeEventReader) is missing');

async function aggregateRaw(path: RawPath, chunks: readonly Uint8Array[], incremental: boolean): Promise<Aggregate> {
	const aggregator = new LkeTurnAggregator(incremental, { sessionId: SESSION_ID, requestId: REQUEST_ID });
	const reader = new path.LkeEventReader();
	let deltas = '';
	for await (const raw of path.readRawSseEvents(asyncChunks(chunks))) {
		const parsed = reader.read(raw);
		if (parsed) deltas += (aggregator.accept as (event: lkeAggregator.LkeEvent, hint?: unknown) => string)(parsed.event, parsed.hint);
	}
	return { result: aggregator.result(), deltas };
}

/** The stream read whole, checked against what the recording says independently. */
async function reference(stream: RecordedStream): Promise<LkeTurnResult> {
	const { result, deltas } = await aggregateDecoded([stream.bytes], stream.incremental);
	expect(result.reply).toBe(stream.expected.reply);
	expect(deltas).toBe(stream.expected.reply);
	expect(result.isFinal).toBe(true);
	expect(result.thoughts.map((thought) => thought.content)).toEqual(stream.expected.thoughts);
	expect(result.thoughts.every((thought) => thought.status === 'success')).toBe(true);
	expect(result.references.map((entry) => entry.id)).toEqual(stream.expected.referenceIds);
	const { procedureStatus, ...totals } = stream.expected.tokenStats;
	expect(result.tokenStats).toMatchObject(totals);
	expect(result.tokenStats?.procedures.map((procedure) => procedure.status)).toEqual([procedureStatus]);
	expect(result.sessionId).toBe(SESSION_ID);
	expect(result.requestId).toBe(REQUEST_ID);
	return result;
}

export function chunkingSuite(h: Hardening): void {
	h.extra.chunking = { seed: SEED, streams: figures };

	describe.each(streams.map((stream, index) => [stream.name, stream, index] as const))('%s', (_name, stream, index) => {
		let expected: LkeTurnResult;
		beforeAll(async () => {
			expected = await reference(stream);
		});

		it(`${PURE_CHUNKINGS} random chunkings through the SSE reader and the aggregator give the identical aggregate`, async () => {
			const random = mulberry32(SEED + index);
			const modes = new Map<ChunkingMode, number>();
			let chunks = 0;
			let rawChecked = 0;
			const started = Date.now();
			for (let run = 0; run < PURE_CHUNKINGS; run++) {
				const chunking = randomChunking(stream.bytes, random);
				modes.set(chunking.mode, (modes.get(chunking.mode) ?? 0) + 1);
				chunks += chunking.chunks.length;
				const decoded = await aggregateDecoded(chunking.chunks, stream.incremental);
				if (decoded.deltas !== expected.reply || JSON.stringify(decoded.result) !== JSON.stringify(expected)) {
					// only now pay for a readable diff
					expect({ run, mode: chunking.mode, cuts: chunking.chunks.map((chunk) => chunk.length), result: decoded.result }).toEqual({
						run,
						mode: chunking.mode,
						cuts: chunking.chunks.map((chunk) => chunk.length),
						result: expected,
					});
					expect(decoded.deltas).toBe(expected.reply);
				}
				if (run % 3 === 0) {
					rawChecked++;
					const raw = await aggregateRaw(rawPath!, chunking.chunks, stream.incremental);
					expect(raw.deltas).toBe(expected.reply);
					if (JSON.stringify(raw.result) !== JSON.stringify(expected)) expect({ run, mode: chunking.mode, result: raw.result }).toEqual({ run, mode: chunking.mode, result: expected });
				}
			}
			figures.push({
				stream: stream.name,
				incremental: stream.incremental,
				bytes: stream.bytes.length,
				chunkings: PURE_CHUNKINGS,
				alsoThroughRawEventReader: rawChecked,
				totalChunks: chunks,
				modes: Object.fromEntries(modes),
				elapsedMs: Date.now() - started,
			});
		}, 60_000);

		it(`${HTTP_CHUNKINGS_PER_STREAM} random chunkings over real HTTP through the node give the same item`, async () => {
			const random = mulberry32(SEED ^ (0x9e3779b9 + index));
			const modes: ChunkingMode[] = ['many', 'utf8-cuts', 'few', 'byte-run', 'utf8-cuts', 'uniform'];
			const started = Date.now();
			const outcome = await h.runCase({
				kind: 'lke-chat',
				parameters: { options: { incremental: stream.incremental, idleTimeout: 5000 } },
				inputItems: Array.from({ length: HTTP_CHUNKINGS_PER_STREAM }, (_, item) => ({ chatInput: `chunking ${item}` })),
				setup: (sim) => {
					for (let item = 0; item < HTTP_CHUNKINGS_PER_STREAM; item++) {
						const { chunks } = randomChunking(stream.bytes, random, modes[item % modes.length]);
						const steps: ScriptStep[] = [];
						for (const chunk of chunks) {
							steps.push(Buffer.from(chunk));
							steps.push({ delayMs: random() < 0.3 ? 1 : 0 });
						}
						sim.enqueue('lke', { steps });
					}
				},
			});
			expect(outcome.error).toBeUndefined();
			expect(outcome.items).toHaveLength(HTTP_CHUNKINGS_PER_STREAM);
			for (const item of outcome.items) expect(item.json).toEqual(expected);
			const last = figures[figures.length - 1];
			if (last && last.stream === stream.name) last.httpChunkings = HTTP_CHUNKINGS_PER_STREAM;
			h.record({
				group: 'chunking',
				node: 'lke-chat',
				case: `${stream.name}: ${HTTP_CHUNKINGS_PER_STREAM} chunkings over HTTP`,
				expected: 'identical item',
				outcome: 'identical item',
				elapsedMs: Date.now() - started,
			});
		}, 30_000);
	});

	it('the chunkings exercise the awkward cuts (inside characters, inside \\r\\n)', () => {
		const random = mulberry32(SEED);
		const crlf = streams.find((stream) => stream.bytes.includes(Buffer.from('\r\n')))!;
		let insideCharacter = 0;
		let insideCrlf = 0;
		for (let run = 0; run < 50; run++) {
			const { chunks } = randomChunking(crlf.bytes, random, 'utf8-cuts');
			let offset = 0;
			for (const chunk of chunks.slice(0, -1)) {
				offset += chunk.length;
				if ((crlf.bytes[offset] & 0xc0) === 0x80) insideCharacter++;
				if (crlf.bytes[offset - 1] === 0x0d && crlf.bytes[offset] === 0x0a) insideCrlf++;
			}
		}
		expect(insideCharacter).toBeGreaterThan(100);
		expect(insideCrlf).toBeGreaterThan(5);
	});
}
