/**
 * What the LKE stream readers keep: an event read and handed on must not stay referenced while
 * the next one arrives (the previous content that a cumulative event repeats is kept on purpose,
 * as bytes, by the reader's store). An ADP v2 final event (message.done, response.completed) is as long as the
 * answer; kept while the next final event streams in, a long answer costs one more copy of itself.
 *
 * Checked with WeakRefs to the network chunks that carried message.done: once the reader has
 * handed that event on and waits for the rest of response.completed, a full GC must free them.
 * GC is reached without jest flags (v8.setFlagsFromString + a fresh context).
 */
import * as v8 from 'v8';
import * as vm from 'vm';
import { readAdpV2Events } from '../nodes/TencentLke/stream';

v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc') as () => void;

/** Events written out by hand after the v2 dialog document's examples. */
const TEXT = '答案 answer, "quoted" \\ and more. '.repeat(20_000);
const sse = (type: string, body: Record<string, unknown>) => `event: ${type}\ndata: ${JSON.stringify({ Type: type, ...body })}\n\n`;
const message = { MessageId: 'r1', Type: 'reply', Status: 'success', Contents: [{ Type: 'text', Text: TEXT }] };
const PIECES = Array.from({ length: 200 }, (_, index) => TEXT.slice(index * 3_200, (index + 1) * 3_200));
const V2_HEAD =
	sse('message.added', { MessageId: 'r1', Message: { MessageId: 'r1', Type: 'reply', Status: 'processing' } }) +
	sse('content.added', { MessageId: 'r1', ContentIndex: 0, Content: { Type: 'text', Text: '' } }) +
	PIECES.map((piece) => sse('text.delta', { MessageId: 'r1', ContentIndex: 0, Text: piece })).join('');
const V2_DONE = sse('message.done', { MessageId: 'r1', Message: message });
const V2_COMPLETED = sse('response.completed', { Response: { RecordId: 'bot-rec', Status: 'success', Messages: [message] } }) + 'data: [DONE]\n\n';

/** `text`'s bytes in fresh (unpooled) buffers of `size` bytes, as a network read hands them over. */
function chunked(text: string, size: number): Buffer[] {
	const bytes = Buffer.from(text);
	const chunks: Buffer[] = [];
	for (let at = 0; at < bytes.length; at += size) {
		const chunk = Buffer.alloc(Math.min(size, bytes.length - at));
		bytes.copy(chunk, 0, at);
		chunks.push(chunk);
	}
	return chunks;
}

/** Yields the chunks one by one, and before the last one waits until `release` is called. */
function gatedSource(chunks: Buffer[]) {
	let release!: () => void;
	let reachedGate!: () => void;
	const gate = new Promise<void>((resolve) => (release = resolve));
	const waiting = new Promise<void>((resolve) => (reachedGate = resolve));
	async function* source(): AsyncGenerator<Buffer> {
		while (chunks.length > 0) {
			if (chunks.length === 1) {
				reachedGate();
				await gate;
			}
			// Handed over and forgotten: nothing but the reader refers to a chunk once yielded.
			yield chunks.shift()!;
		}
	}
	return { source, release, waiting };
}

/** How many of the buffers a full GC does not free. */
async function stillKept(refs: Array<WeakRef<ArrayBufferLike>>): Promise<number> {
	// A WeakRef's target stays alive until the current job ends.
	await new Promise((resolve) => setImmediate(resolve));
	gc();
	return refs.filter((ref) => ref.deref() !== undefined).length;
}

describe('the ADP v2 reader keeps no event it has handed on', () => {
	it('ADP v2: message.done\'s bytes are freed while response.completed arrives', async () => {
		const done = chunked(V2_DONE, 65536);
		const doneBuffers = done.map((chunk) => new WeakRef(chunk.buffer));
		const { source, release, waiting } = gatedSource([...chunked(V2_HEAD, 65536), ...done, ...chunked(V2_COMPLETED, 65536)]);
		done.length = 0;
		const events = readAdpV2Events(source());
		const types: string[] = [];
		for (let step = await events.next(); !step.done; step = await events.next()) {
			types.push(String(step.value.event.Type));
			if (step.value.event.Type === 'message.done') break;
		}
		expect(types).toEqual(['message.added', 'content.added', ...PIECES.map(() => 'text.delta'), 'message.done']);

		const rest = events.next();
		await waiting;
		expect(await stillKept(doneBuffers)).toBe(0);

		release();
		const completedEvent = (await rest).value?.event;
		expect(completedEvent?.Type).toBe('response.completed');
		expect(completedEvent?.Response).toMatchObject({ Messages: [{ Contents: [{ Text: TEXT }] }] });
		expect((await events.next()).value?.event.Type).toBe('done');
		expect((await events.next()).done).toBe(true);
	});

});
