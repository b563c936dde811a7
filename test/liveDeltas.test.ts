import { runLkeChatTurn } from '../nodes/TencentLke/chatClient';
import { buildLkeChatRequest } from '../nodes/TencentLke/chatRequest';
import { SIMULATOR_DEFAULTS, type Simulator } from '../testkit/simulator';
import { botReplyEvent, echoEvent, lkeEvent } from './helpers/lkeStreams';
import { useSimulator } from './helpers/useSimulator';

/*
 * What goes out live while an LKE answer streams in cumulative mode, where every reply event holds
 * the whole text so far and so may also rewrite text already sent. The live stream can only append.
 * The rule: compare each event's text with the last text that went out in full, in whole characters.
 * The event sends what follows the longest start the two share; when that is nothing (the event only
 * repeats or cuts back text already out), nothing is sent and the text out in full stays the same.
 * So text already out is never sent twice, and no text of a new version is left out. The node's
 * `reply` is the last version.
 */

let sim: Simulator;
useSimulator((started) => (sim = started));

async function liveTurn(contents: string[]): Promise<{ deltas: string[]; reply: string }> {
	const events = [
		echoEvent('the question'),
		...contents.map((content, index) => botReplyEvent(content, index === contents.length - 1)),
		lkeEvent('token_stat', { status_summary: 'success', token_count: 1 }),
	];
	sim.enqueue('lke', { steps: events });
	const request = buildLkeChatRequest(
		{ content: 'the question', sessionId: '', visitorBizId: 'visitor-1', options: { incremental: false } },
		{ appKey: SIMULATOR_DEFAULTS.lkeAppKey, chatBaseUrl: sim.url, newId: () => 'id-1', defaultVisitorBizId: 'v' },
	);
	const deltas: string[] = [];
	const turn = await runLkeChatTurn(request, { onReplyDelta: (delta) => deltas.push(delta) });
	return { deltas, reply: turn.reply };
}

describe('live reply deltas of a cumulative LKE stream (simulator)', () => {
	it('a growing text: each event sends exactly its new end', async () => {
		const { deltas, reply } = await liveTurn(['Hello', 'Hello, wor', 'Hello, world 🌏']);
		expect(deltas).toEqual(['Hello', ', wor', 'ld 🌏']);
		expect(reply).toBe('Hello, world 🌏');
	});

	it('a text replaced by one with nothing in common: the new text is sent whole', async () => {
		const { deltas, reply } = await liveTurn(['Thinking…', 'Paris is the capital of France.']);
		expect(deltas).toEqual(['Thinking…', 'Paris is the capital of France.']);
		expect(reply).toBe('Paris is the capital of France.');
	});

	it('a corrected end: only the text after the shared start is sent, then growth goes on from the new text', async () => {
		const { deltas, reply } = await liveTurn([
			'The capital of Australia is Sydney',
			'The capital of Australia is Canberra.',
			'The capital of Australia is Canberra. It has been since 1913.',
		]);
		expect(deltas).toEqual(['The capital of Australia is Sydney', 'Canberra.', ' It has been since 1913.']);
		expect(reply).toBe('The capital of Australia is Canberra. It has been since 1913.');
	});

	it('a text cut back to a start already out sends nothing, and growing back sends only what was not out yet', async () => {
		const { deltas, reply } = await liveTurn(['Answer: 42 (approx', 'Answer: 42', 'Answer: 42 (approximately)']);
		expect(deltas).toEqual(['Answer: 42 (approx', 'imately)']);
		expect(reply).toBe('Answer: 42 (approximately)');
	});

	it('a rewrite inside an emoji never splits the character: the shared start is whole characters', async () => {
		// 🌏 and 🌍 share their first UTF-16 unit; sending from the second would send half a character.
		const { deltas, reply } = await liveTurn(['Weather: 🌏', 'Weather: 🌍 sunny']);
		expect(deltas).toEqual(['Weather: 🌏', '🌍 sunny']);
		expect(reply).toBe('Weather: 🌍 sunny');
	});

	it('a long answer (read by the fast path) corrected near its end', async () => {
		const long = '长'.repeat(3000);
		const { deltas, reply } = await liveTurn([`${long} first`, `${long} firs`, `${long} second`, `${long} second and more`]);
		expect(deltas).toEqual([`${long} first`, 'second', ' and more']);
		expect(reply).toBe(`${long} second and more`);
	});

	it('a long answer cut back and grown back: the fast path sends only what was not out yet', async () => {
		const long = '长'.repeat(3000);
		const { deltas, reply } = await liveTurn([`${long} first`, `${long} firs`, `${long} first and more`]);
		expect(deltas).toEqual([`${long} first`, ' and more']);
		expect(reply).toBe(`${long} first and more`);
	});
});
