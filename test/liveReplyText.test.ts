import { LiveReplyText, commonPrefixLength } from '../nodes/TencentLke/liveReplyText';

/** One call on a LiveReplyText: a new version of a slot, or its end with the final text. */
type Step = ['update' | 'finish', string, string, string];

/** What each call sends, in order. */
function play(steps: Step[]): string[] {
	const live = new LiveReplyText();
	return steps.map(([call, key, separator, text]) => (call === 'update' ? live.update(key, separator, text) : live.finish(key, separator, text)));
}

describe('LiveReplyText', () => {
	it('holds the newest piece of a slot back until the next version keeps it, and sends the rest when the slot ends', () => {
		expect(
			play([
				['update', 'a', '', 'Hello'],
				['update', 'a', '', 'Hello world'],
				['finish', 'a', '', 'Hello world!'],
			]),
		).toEqual(['', 'Hello', ' world!']);
	});

	it('of a revised held piece, sends only the part the revision keeps', () => {
		expect(
			play([
				['update', 'a', '', 'Hello'],
				['update', 'a', '', 'Hello world'],
				['update', 'a', '', 'Hello there'],
				['finish', 'a', '', 'Hello there'],
			]),
		).toEqual(['', 'Hello', ' ', 'there']);
	});

	it('never sends a draft that the next version puts new text in front of', () => {
		expect(
			play([
				['update', 'a', '', 'world'],
				['update', 'a', '', 'Hello world'],
				['finish', 'a', '', 'Hello world'],
			]),
		).toEqual(['', '', 'Hello world']);
	});

	it('goes on sending after a version that keeps exactly the text already sent', () => {
		expect(
			play([
				['update', 'a', '', 'Hello'],
				['update', 'a', '', 'Hello world'],
				['update', 'a', '', 'Hello!'],
				['update', 'a', '', 'Hello!!'],
				['finish', 'a', '', 'Hello!!'],
			]),
		).toEqual(['', 'Hello', '', '!', '!']);
	});

	it('after a revision takes back sent text, sends nothing more unless a later version starts again with all of it', () => {
		const takenBack: Step[] = [
			['update', 'a', '', 'Hello'],
			['update', 'a', '', 'Hello world'],
			['update', 'a', '', 'Help'],
		];
		expect(play([...takenBack, ['update', 'a', '', 'Help me'], ['finish', 'a', '', 'Help me!']])).toEqual(['', 'Hello', '', '', '']);
		expect(play([...takenBack, ['update', 'a', '', 'Hello again'], ['finish', 'a', '', 'Hello again!']])).toEqual(['', 'Hello', '', '', ' again!']);
	});

	it('puts the separator before a later slot only once text went out, and never sends a separator alone', () => {
		expect(
			play([
				['update', 'a', '', ''],
				['finish', 'a', '', ''],
				['update', 'b', '\n\n', 'B'],
				['finish', 'b', '\n\n', 'B'],
			]),
		).toEqual(['', '', '', 'B']);
		expect(
			play([
				['update', 'a', '', 'A'],
				['update', 'a', '', 'A.'],
				// A new slot ends the live one: its held piece goes out now.
				['update', 'b', '\n', ''],
				['update', 'b', '\n', 'B'],
				['finish', 'b', '\n', 'B.'],
			]),
		).toEqual(['', 'A', '.', '', '\nB.']);
	});

	it('sends nothing more for a slot that has ended, and ending it again leaves the live slot alone', () => {
		expect(
			play([
				['finish', 'a', '', 'A'],
				['update', 'a', '', 'A and more'],
				['update', 'b', '\n\n', 'B draft'],
				['update', 'b', '\n\n', 'B draft two'],
				['finish', 'a', '', 'A and more'],
				['finish', 'b', '\n\n', 'B draft two!'],
			]),
		).toEqual(['A', '', '', '\n\nB draft', '', ' two!']);
	});
});

describe('commonPrefixLength', () => {
	it.each([
		['abc', 'abd', 2],
		['abc', 'abc', 3],
		['abc', 'abcdef', 3],
		['abcdef', 'abc', 3],
		['abc', 'xbc', 0],
		['', 'abc', 0],
		['你好！a', '你好！b', 3],
		// A whole surrogate pair is shared.
		['😀a', '😀b', 2],
	])('%j and %j share %i UTF-16 units', (a, b, expected) => {
		expect(commonPrefixLength(a, b)).toBe(expected);
	});

	it.each([
		// 😀 U+1F600 and 😁 U+1F601 share their high surrogate.
		['x😀', 'x😁'],
		// U+10000 and U+10FFFF: the first and the last code point outside the BMP (high surrogates D800 and DBFF).
		['x\u{10000}', 'x\u{10001}'],
		['x\u{10FFFE}', 'x\u{10FFFF}'],
	])('never ends inside a character: %j and %j share 1', (a, b) => {
		expect(commonPrefixLength(a, b)).toBe(1);
	});
});
