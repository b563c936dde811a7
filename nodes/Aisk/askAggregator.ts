import type { IDataObject } from 'n8n-workflow';
import type { TurnAggregator } from '../shared/streamedTurn';
import { normalizeCitation, referenceKey, type AiskReference } from './askCitations';

/**
 * One AiSK answer folded from its stream messages (pure). Whether each `message` is the new piece
 * of the answer or the whole answer so far is not documented, so the stream shows it:
 *
 * 1. The first non-empty message starts the answer.
 * 2. Until the mode is known, a message that is longer than the answer so far and starts with all
 *    of it is the whole answer so far (cumulative): what follows the known text is new. A message
 *    that does not start with the answer so far can only be a piece (delta): it is appended. A
 *    message equal to the answer so far adds nothing (a whole answer sent again, e.g. with the
 *    citations at the end) and leaves the mode open.
 * 3. Once known, the mode stays. Delta: every message is appended. Cumulative: a message that
 *    extends the answer adds its new end; one that is a start of the answer (a repeat) adds
 *    nothing; one that does neither replaces the answer (the server rewrote it; what went out live
 *    cannot be taken back, so nothing more goes out for it).
 *
 * So text is never doubled whichever mode the server uses. Citations are merged across messages,
 * each source once, in the order first seen.
 */

export type AiskMessageMode = 'unknown' | 'cumulative' | 'delta';

export interface AiskAnswer extends IDataObject {
	reply: string;
	references: AiskReference[];
	conversationId: string;
	chatbotId: string;
	knowledgeBaseIds: string[];
}

export class AiskAskAggregator implements TurnAggregator<AiskAnswer> {
	private text = '';
	private messageMode: AiskMessageMode = 'unknown';
	private readonly references = new Map<string, AiskReference>();
	private knowledgeBases: string[];

	constructor(private readonly turn: { conversationId: string; chatbotId: string; knowledgeBaseIds?: string[] }) {
		this.knowledgeBases = turn.knowledgeBaseIds ?? [];
	}

	get hasContent(): boolean {
		return this.text.length > 0;
	}

	get mode(): AiskMessageMode {
		return this.messageMode;
	}

	/** The knowledge bases the question went to (the chatbot's own when none were named). */
	setKnowledgeBaseIds(ids: string[]): void {
		this.knowledgeBases = [...ids];
	}

	/** Takes one stream message; returns the text it adds to the answer ('' when none). */
	accept(message: string, citations: unknown[] = []): string {
		for (const citation of citations) {
			const reference = normalizeCitation(citation);
			if (!reference) continue;
			const key = referenceKey(reference);
			if (!this.references.has(key)) this.references.set(key, reference);
		}
		return this.merge(message);
	}

	private merge(message: string): string {
		if (message === '') return '';
		if (this.text === '') {
			this.text = message;
			return message;
		}
		if (this.messageMode === 'delta') return this.append(message);
		if (message.startsWith(this.text)) {
			if (message.length === this.text.length) return '';
			const added = message.slice(this.text.length);
			this.messageMode = 'cumulative';
			this.text = message;
			return added;
		}
		if (this.messageMode === 'cumulative') {
			if (!this.text.startsWith(message)) this.text = message;
			return '';
		}
		this.messageMode = 'delta';
		return this.append(message);
	}

	private append(piece: string): string {
		this.text += piece;
		return piece;
	}

	result(): AiskAnswer {
		return {
			reply: this.text,
			references: [...this.references.values()].map((reference) => ({ ...reference })),
			conversationId: this.turn.conversationId,
			chatbotId: this.turn.chatbotId,
			knowledgeBaseIds: [...this.knowledgeBases],
		};
	}

	/** A failed item keeps the answer so far, its references and where the conversation stands. */
	partial(): IDataObject {
		return this.result();
	}
}
