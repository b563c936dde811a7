/**
 * What the simulated AiSK chatbots know and say: each chatbot's knowledge bases, the answer to a
 * question and the citations sent with it. Pure functions, so tests compute the expected values
 * with the same rules the simulator answers by.
 */
import { createHash } from 'crypto';
import { markerNum, parseMarkers, repeatingSource, textSource, type TextSource } from './core';

/** A chatbot id whose chatbot has no knowledge base at all (init lists none, kb_ids may be empty). */
export const AISK_CHATBOT_WITHOUT_KB = '00000000-0000-4000-8000-00000000b000';

export interface AiskKnowledgeBaseInfo {
	id: string;
	name: string;
}

const KB_NAMES = ['Product handbook', '常見問題 FAQ'];

function uuidFrom(seed: string): string {
	const hex = createHash('sha1').update(seed).digest('hex');
	// version 5 and the RFC 4122 variant, so the ids pass a strict UUID check
	const variant = ((parseInt(hex[16], 16) & 0x3) | 0x8).toString(16);
	return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-5${hex.slice(13, 16)}-${variant}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

/** The knowledge bases `GET /bv/aisk/v1/prompts:init` lists for a chatbot (stable per id). */
export function aiskKnowledgeBasesFor(chatbotId: string): AiskKnowledgeBaseInfo[] {
	const id = chatbotId.toLowerCase();
	if (id === AISK_CHATBOT_WITHOUT_KB) return [];
	return KB_NAMES.map((name, i) => ({ id: uuidFrom(`${id}:kb:${i}`), name }));
}

/** The fixed part of every normal answer: English, Chinese, an emoji. */
export const AISK_ANSWER_SENTENCE = 'The simulated knowledge base says hello. 你好，這是模擬的回答。📚 See the citations.';

/** The pattern that `[long:N]` answers repeat. */
export const AISK_LONG_PATTERN = 'AiSK streaming text: 知識庫回答測試，長文本。🚀 Lorem ipsum dolor sit amet. ';

/** The answer as a code-point addressable text (long answers are generated slice by slice). */
export function aiskAnswerSource(question: string, language?: string): TextSource {
	const long = markerNum(parseMarkers(question), 'long');
	if (long !== undefined) return repeatingSource(AISK_LONG_PATTERN, Math.max(0, Math.floor(long)));
	const suffix = language ? ` (language: ${language})` : '';
	return textSource(`AiSK answer to "${question}": ${AISK_ANSWER_SENTENCE}${suffix}`);
}

/**
 * The whole answer the simulator streams for `question` (markers included verbatim), whatever the
 * framing; `language` is the request's `metadata.language` when one was sent.
 */
export function aiskAnswerFor(question: string, language?: string): string {
	const src = aiskAnswerSource(question, language);
	return src.slice(0, src.length);
}

/** A citation as the stream sends it (`smartchat.v1.Citation`, snake_case JSON). */
export type AiskWireCitation = Record<string, unknown> & { type: string; source_id: string };

const subtitle = (content: string, start: string, end: string) => ({ content, period: { start_time: start, end_time: end } });

/** One citation of each source type; the restricted mode keeps only those marked `public`. */
const CITATIONS: Array<{ citation: AiskWireCitation; public: boolean }> = [
	{
		public: true,
		citation: {
			type: 'SOURCE_TYPE_WEBSITE',
			source_id: 'sim-src-web',
			sub_source_id: 'sim-link-1',
			web_link: {
				url: 'https://example.com/help/getting-started',
				title: 'Getting started — Example Help Center',
				thumbnail_url: 'https://example.com/help/thumb.png',
				content: 'Open the console and create a knowledge base first.',
			},
		},
	},
	{
		public: false,
		citation: {
			type: 'SOURCE_TYPE_LOCAL_DRIVE',
			source_id: 'sim-src-file',
			local_drive: {
				file_name: '產品手冊.pdf',
				source_format: 'SOURCE_FORMAT_PDF',
				download_url: 'https://example.com/files/handbook.pdf?sig=sim',
				content: '第 3 章：知識庫的建立與管理。',
			},
		},
	},
	{
		public: false,
		citation: {
			type: 'SOURCE_TYPE_VOD',
			source_id: 'sim-src-vod',
			vod: {
				resource_id: 'sim-vod-1',
				name: 'Onboarding webinar',
				thumbnail_url: 'https://example.com/vod/1.jpg',
				duration_in_second: 1834.5,
				contents: [subtitle('Welcome to the onboarding session.', '00:00:05', '00:00:09'), subtitle('Now we add a source.', '00:12:40', '00:12:44')],
			},
		},
	},
	{
		public: false,
		citation: {
			type: 'SOURCE_TYPE_VIDEO',
			source_id: 'sim-src-video',
			video: {
				resource_id: 'sim-video-1',
				name: 'Product tour 🎬',
				thumbnail_url: 'https://example.com/video/1.jpg',
				duration_in_second: 95,
				contents: [subtitle('This is the dashboard.', '00:00:10', '00:00:14')],
			},
		},
	},
	{
		public: false,
		citation: {
			type: 'SOURCE_TYPE_AOD',
			source_id: 'sim-src-aod',
			aod: {
				resource_id: 'sim-aod-1',
				name: 'Podcast episode 12',
				thumbnail_url: '',
				duration_in_second: 2710,
				contents: [subtitle('Knowledge bases answer from your own data.', '00:21:03', '00:21:08')],
			},
		},
	},
	// a text source has no citation object of its own: only its type and id arrive
	{ public: true, citation: { type: 'SOURCE_TYPE_TEXT', source_id: 'sim-src-text' } },
];

export interface AiskCitationOptions {
	/** The prompt token was created with `setting.citation.mode: PROMPT_CITATION_MODE_RESTRICTED`. */
	restricted?: boolean;
}

/**
 * The distinct citations the simulator sends for `question` (each once, in order); `[nocitations]`
 * sends none, a restricted prompt token only the website and text ones. The wire may repeat them
 * across events (`[citations:each]`), never with different contents.
 */
export function aiskCitationsFor(question: string, options: AiskCitationOptions = {}): AiskWireCitation[] {
	if (parseMarkers(question).has('nocitations')) return [];
	return CITATIONS.filter((c) => !options.restricted || c.public).map((c) => structuredClone(c.citation));
}
