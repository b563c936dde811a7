import { AiskAskAggregator } from '../nodes/Aisk/askAggregator';
import { normalizeCitation, referenceKey } from '../nodes/Aisk/askCitations';
import { RENEW_AHEAD_MS, SharedLoads, promptTokenFrom, promptTokenLoads } from '../nodes/Aisk/promptTokenCache';
import { aiskCitationsFor } from '../testkit/simulator';

const TURN = { conversationId: 'conv-1', chatbotId: 'bot-1' };

/** Feeds the messages; returns the reply and the text handed out piece by piece. */
function fold(messages: string[]): { reply: string; live: string; mode: string } {
	const aggregator = new AiskAskAggregator(TURN);
	let live = '';
	for (const message of messages) live += aggregator.accept(message);
	return { reply: aggregator.result().reply, live, mode: aggregator.mode };
}

/** Every prefix of the answer at the given ends: what a cumulative server sends. */
const cumulative = (answer: string, ends: number[]) => ends.map((end) => answer.slice(0, end));
const pieces = (answer: string, ends: number[]) => ends.map((end, i) => answer.slice(i === 0 ? 0 : ends[i - 1], end));

describe('AiskAskAggregator: pieces or the whole answer so far, never doubled', () => {
	const answer = 'AiSK says: 你好，這是回答。📚 Done.';
	const ends = [4, 11, 15, 20, answer.length];

	test.each([
		['pieces (delta)', pieces(answer, ends), 'delta'],
		['the whole answer so far (cumulative)', cumulative(answer, ends), 'cumulative'],
		['cumulative, then the whole answer once more at the end (with citations)', [...cumulative(answer, ends), answer], 'cumulative'],
		['cumulative with empty keep-alive messages', ['', ...cumulative(answer, ends).flatMap((m) => [m, ''])], 'cumulative'],
		['pieces with empty messages', ['', ...pieces(answer, ends).flatMap((m) => [m, ''])], 'delta'],
		['one message holding everything', [answer], 'unknown'],
	])('%s: the reply is the answer and the live text equals it', (_label, messages, mode) => {
		const result = fold(messages);
		expect(result.reply).toBe(answer);
		expect(result.live).toBe(answer);
		expect(result.mode).toBe(mode);
	});

	test('pieces that repeat earlier text are still appended once the stream shows it sends pieces', () => {
		// the second message does not start with "ha ", so the stream sends pieces; later repeats are real text
		expect(fold(['ha ', 'yes ', 'ha ', 'ha ']).reply).toBe('ha yes ha ha ');
	});

	test('a cumulative stream that repeats a shorter start of the answer adds nothing', () => {
		expect(fold(['Hel', 'Hello', 'Hel', 'Hello wor', 'Hello world'])).toEqual({ reply: 'Hello world', live: 'Hello world', mode: 'cumulative' });
	});

	test('a cumulative stream whose server rewrites the answer: the latest whole answer is the reply, nothing doubled', () => {
		const result = fold(['The ans', 'The answer is 4', 'The answer is 42', 'Actually, 42.']);
		expect(result.reply).toBe('Actually, 42.');
		expect(result.live).toBe('The answer is 42');
	});

	test('hasContent turns true with the first text; partial keeps the reply so far', () => {
		const aggregator = new AiskAskAggregator({ ...TURN, knowledgeBaseIds: ['kb-1'] });
		aggregator.accept('', []);
		expect(aggregator.hasContent).toBe(false);
		aggregator.accept('Half an');
		expect(aggregator.hasContent).toBe(true);
		expect(aggregator.partial()).toEqual({ reply: 'Half an', references: [], conversationId: 'conv-1', chatbotId: 'bot-1', knowledgeBaseIds: ['kb-1'] });
	});
});

describe('citations', () => {
	/** The simulator's six citations (one per source type), normalized by hand from the Citation schema. */
	const expected = [
		{
			type: 'SOURCE_TYPE_WEBSITE',
			sourceId: 'sim-src-web',
			subSourceId: 'sim-link-1',
			name: 'Getting started — Example Help Center',
			url: 'https://example.com/help/getting-started',
			content: 'Open the console and create a knowledge base first.',
		},
		{
			type: 'SOURCE_TYPE_LOCAL_DRIVE',
			sourceId: 'sim-src-file',
			subSourceId: '',
			name: '產品手冊.pdf',
			url: 'https://example.com/files/handbook.pdf?sig=sim',
			content: '第 3 章：知識庫的建立與管理。',
		},
		{
			type: 'SOURCE_TYPE_VOD',
			sourceId: 'sim-src-vod',
			subSourceId: '',
			name: 'Onboarding webinar',
			url: '',
			content: 'Welcome to the onboarding session.\nNow we add a source.',
		},
		{ type: 'SOURCE_TYPE_VIDEO', sourceId: 'sim-src-video', subSourceId: '', name: 'Product tour 🎬', url: '', content: 'This is the dashboard.' },
		{ type: 'SOURCE_TYPE_AOD', sourceId: 'sim-src-aod', subSourceId: '', name: 'Podcast episode 12', url: '', content: 'Knowledge bases answer from your own data.' },
		{ type: 'SOURCE_TYPE_TEXT', sourceId: 'sim-src-text', subSourceId: '', name: '', url: '', content: '' },
	];

	test('each source type: name from the title, file name or media name; url; content', () => {
		expect(aiskCitationsFor('q').map(normalizeCitation)).toEqual(expected);
	});

	test('lowerCamel field names (grpc-gateway\'s default JSON) read the same', () => {
		expect(normalizeCitation({ type: 'SOURCE_TYPE_LOCAL_DRIVE', sourceId: 'f', localDrive: { fileName: 'a.pdf', downloadUrl: 'https://x/a.pdf', content: 'c' } })).toEqual({
			type: 'SOURCE_TYPE_LOCAL_DRIVE',
			sourceId: 'f',
			subSourceId: '',
			name: 'a.pdf',
			url: 'https://x/a.pdf',
			content: 'c',
		});
		expect(normalizeCitation('not a citation')).toBeUndefined();
	});

	test('citations repeated on every message are output once each, in the order first seen', () => {
		const aggregator = new AiskAskAggregator(TURN);
		const all = aiskCitationsFor('q');
		aggregator.accept('a', [all[2], all[0]]);
		aggregator.accept('b', all);
		aggregator.accept('c', all);
		expect(aggregator.result().references).toEqual([expected[2], expected[0], expected[1], expected[3], expected[4], expected[5]]);
	});

	test('two links of one web site are two references', () => {
		const aggregator = new AiskAskAggregator(TURN);
		aggregator.accept('a', [
			{ type: 'SOURCE_TYPE_WEBSITE', source_id: 'site', sub_source_id: 'link-1', web_link: { title: 'One' } },
			{ type: 'SOURCE_TYPE_WEBSITE', source_id: 'site', sub_source_id: 'link-2', web_link: { title: 'Two' } },
		]);
		expect(aggregator.result().references.map((r) => r.name)).toEqual(['One', 'Two']);
	});
});

describe('prompt token cache', () => {
	test('renewal time: expired_at wins over expires_in, one minute ahead (at most half the lifetime)', () => {
		const fetchedAt = Date.parse('2026-01-01T00:00:00Z');
		expect(promptTokenFrom({ token: 't', expires_in: 3600, expired_at: '2026-01-01T00:30:00Z' }, fetchedAt)).toEqual({
			token: 't',
			renewAtMs: Date.parse('2026-01-01T00:30:00Z') - RENEW_AHEAD_MS,
		});
		expect(promptTokenFrom({ token: 't', expires_in: 3600 }, fetchedAt)).toEqual({ token: 't', renewAtMs: fetchedAt + 3_540_000 });
		expect(promptTokenFrom({ token: 't', expiresIn: '60' }, fetchedAt)).toEqual({ token: 't', renewAtMs: fetchedAt + 30_000 });
		expect(promptTokenFrom({ token: 't' }, fetchedAt)).toEqual({ token: 't' });
		expect(promptTokenFrom({ expires_in: 3600 }, fetchedAt)).toBeUndefined();
	});

	test('one load for callers at the same time; a stale token is loaded again; a failed load is forgotten', async () => {
		let clock = 0;
		let loads = 0;
		const cache = promptTokenLoads(() => clock);
		const load = async () => {
			loads++;
			await Promise.resolve();
			return { token: `t${loads}`, renewAtMs: clock + 1000 };
		};
		const together = await Promise.all([cache.get('k', load), cache.get('k', load), cache.get('k', load)]);
		expect(together.map((t) => t.token)).toEqual(['t1', 't1', 't1']);
		clock = 999;
		expect((await cache.get('k', load)).token).toBe('t1');
		clock = 1000;
		expect((await cache.get('k', load)).token).toBe('t2');
		expect((await cache.get('other', load)).token).toBe('t3');
		await expect(cache.get('broken', async () => Promise.reject(new Error('503')))).rejects.toThrow('503');
		expect((await cache.get('broken', load)).token).toBe('t4');
	});

	test('forget drops the refused value once: a second refusal of the same old value keeps the new one', async () => {
		const cache = new SharedLoads<{ token: string }>();
		let n = 0;
		const load = async () => ({ token: `t${++n}` });
		const first = await cache.get('k', load);
		cache.forget('k', first);
		const second = await cache.get('k', load);
		cache.forget('k', first);
		expect(await cache.get('k', load)).toBe(second);
		expect(n).toBe(2);
	});
});

describe('AiskAskAggregator: edges of the merge and of the references', () => {
	const turn = { conversationId: 'c1', chatbotId: 'bot-1' };

	test('the same whole answer again adds nothing; once the answer is known cumulative, a shorter repeat or a rewrite sends nothing more', () => {
		const aggregator = new AiskAskAggregator(turn);
		expect(aggregator.accept('Hello')).toBe('Hello');
		expect(aggregator.accept('Hello')).toBe('');
		expect(aggregator.mode).toBe('unknown');
		expect(aggregator.accept('Hello world')).toBe(' world');
		expect(aggregator.mode).toBe('cumulative');
		expect(aggregator.accept('Hello')).toBe('');
		expect(aggregator.result().reply).toBe('Hello world');
		expect(aggregator.accept('Goodbye')).toBe('');
		expect(aggregator.result().reply).toBe('Goodbye');
	});

	test('once pieces, always pieces: a piece that happens to begin with the text so far is appended', () => {
		const aggregator = new AiskAskAggregator(turn);
		aggregator.accept('ab');
		expect(aggregator.accept('cd')).toBe('cd');
		expect(aggregator.mode).toBe('delta');
		expect(aggregator.accept('abcdef')).toBe('abcdef');
		expect(aggregator.result().reply).toBe('abcdabcdef');
	});

	test('the first citation of a source is kept; no citations argument means none; no knowledge bases named means none', () => {
		const aggregator = new AiskAskAggregator(turn);
		const first = { type: 'SOURCE_TYPE_WEBSITE', source_id: 's1', web_link: { title: 'First title', url: 'https://a' } };
		const again = { type: 'SOURCE_TYPE_WEBSITE', source_id: 's1', web_link: { title: 'Later title', url: 'https://b' } };
		aggregator.accept('x', [first]);
		aggregator.accept('y', [again, 'not a citation']);
		aggregator.accept('z');
		expect(aggregator.result().references).toEqual([{ type: 'SOURCE_TYPE_WEBSITE', sourceId: 's1', subSourceId: '', name: 'First title', url: 'https://a', content: '' }]);
		expect(aggregator.result().knowledgeBaseIds).toEqual([]);
	});
});

describe('normalizeCitation and referenceKey: edges', () => {
	test('numbers are read as text; anything else is empty; media lines that are empty or not objects are left out', () => {
		expect(normalizeCitation({ type: 7, source_id: 12, vod: { name: 'clip', contents: [{ content: 'line 1' }, 'text', { content: '' }, { content: 2 }] } })).toEqual({
			type: '7',
			sourceId: '12',
			subSourceId: '',
			name: 'clip',
			url: '',
			content: 'line 1\n2',
		});
		expect(normalizeCitation({ type: ['x'], source_id: { id: 1 }, web_link: ['not an object'] })).toEqual({ type: '', sourceId: '', subSourceId: '', name: '', url: '', content: '' });
		expect(normalizeCitation(['a citation in a list'])).toBeUndefined();
		expect(normalizeCitation(null)).toBeUndefined();
	});

	test('a source is known by its IDs; only a citation without IDs is known by its name and URL', () => {
		const base = { type: 'T', sourceId: '', subSourceId: '', name: 'n', url: 'u', content: '' };
		expect(referenceKey({ ...base, sourceId: 's' })).toBe(JSON.stringify(['T', 's', '', '']));
		expect(referenceKey({ ...base, subSourceId: 'p' })).toBe(JSON.stringify(['T', '', 'p', '']));
		expect(referenceKey(base)).toBe(JSON.stringify(['T', '', '', 'nu']));
	});
});

describe('prompt token: expires_in and a failed load', () => {
	test('expires_in as a number or a numeric string; blank, not a number or another type: no renewal time', () => {
		expect(promptTokenFrom({ token: 't', expires_in: '3600' }, 0)).toEqual({ token: 't', renewAtMs: 3_600_000 - RENEW_AHEAD_MS });
		expect(promptTokenFrom({ token: 't', expiresIn: 3600 }, 1000)).toEqual({ token: 't', renewAtMs: 3_601_000 - RENEW_AHEAD_MS });
		for (const expiresIn of ['', '  ', 'soon', true, { s: 1 }, null]) expect(promptTokenFrom({ token: 't', expires_in: expiresIn }, 0)).toEqual({ token: 't' });
	});

	test('a load that fails is forgotten, so the next call loads again; a load that worked is kept while fresh', async () => {
		const loads = new SharedLoads<string>();
		await expect(loads.get('k', async () => Promise.reject(new Error('first fails')))).rejects.toThrow('first fails');
		await expect(loads.get('k', async () => 'second')).resolves.toBe('second');
		let loadedAgain = false;
		await expect(loads.get('k', async () => ((loadedAgain = true), 'third'))).resolves.toBe('second');
		expect(loadedAgain).toBe(false);
	});
});
