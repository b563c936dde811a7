/**
 * The reply text that goes out live while a v2 answer streams, for a text the server may still
 * rewrite (`text.replace` can revise what a slot said before, in both Incremental modes).
 *
 * What is sent: a slot's text is held back by one version. When a new version of the slot
 * arrives, the part of the previous version that the new one keeps (their common beginning) is
 * sent; the newest piece waits for the next version, or for the slot's end (its message.done, the
 * next slot starting, or response.completed), when whatever the final text adds is sent. So a draft
 * that the very next event revises is never sent. If a revision takes back text already sent, the
 * slot sends nothing more, unless a later version starts again with everything sent so far; the
 * output item always has the final text. Slots go out in the order they start, a new reply message
 * after a blank line and a further content of the same message after a line break; text for a slot
 * that has already ended is not sent.
 */
export class LiveReplyText {
	private liveKey: string | undefined;
	private previous = '';
	private sentLength = 0;
	/** `previous` beyond `sentLength`, when known without slicing `previous`: slicing a long text built
	 * piece by piece copies all of it, every event. */
	private held: string | undefined;
	/** The text sent for the live slot, once a revision took part of it back. */
	private takenBack: string | undefined;
	private pendingSeparator = '';
	private sentAny = false;
	private readonly ended = new Set<string>();

	/**
	 * A new version `next` of slot `key`. `appended`, when given, promises `next === previous + appended`
	 * (saves comparing long texts). `separator` goes before the slot's first text if it is not the first
	 * slot sent. Returns the text to send now.
	 */
	update(key: string, separator: string, next: string, appended?: string): string {
		if (this.ended.has(key)) return '';
		if (key !== this.liveKey) {
			const tail = this.liveKey === undefined ? '' : this.endLive();
			this.liveKey = key;
			this.previous = next;
			this.sentLength = 0;
			this.held = undefined;
			this.takenBack = undefined;
			this.pendingSeparator = this.sentAny || tail !== '' ? separator : '';
			return tail;
		}
		if (this.takenBack !== undefined) {
			this.held = undefined;
			if (!next.startsWith(this.takenBack)) {
				this.previous = next;
				return '';
			}
			this.sentLength = this.takenBack.length;
			this.takenBack = undefined;
			this.previous = next;
			return '';
		}
		if (appended !== undefined) {
			// The new version keeps all of the previous one: what was held back goes out, the new piece waits.
			const out = this.held ?? this.previous.slice(this.sentLength);
			this.sentLength = this.previous.length;
			this.held = appended;
			this.previous = next;
			return this.withSeparator(out);
		}
		this.held = undefined;
		let kept: number;
		if (next.startsWith(this.previous)) kept = this.previous.length;
		else kept = commonPrefixLength(this.previous, next);
		let out = '';
		if (kept >= this.sentLength) {
			out = this.previous.slice(this.sentLength, kept);
			this.sentLength = kept;
		} else {
			this.takenBack = this.previous.slice(0, this.sentLength);
		}
		this.previous = next;
		return this.withSeparator(out);
	}

	/** Slot `key` is complete with `finalText`: sends what it adds to what was sent. */
	finish(key: string, separator: string, finalText: string): string {
		if (this.ended.has(key)) return '';
		const before = this.update(key, separator, finalText);
		return before + this.endLive();
	}

	private endLive(): string {
		const key = this.liveKey;
		if (key === undefined) return '';
		this.ended.add(key);
		this.liveKey = undefined;
		if (this.takenBack !== undefined) return '';
		const out = this.held ?? this.previous.slice(this.sentLength);
		this.held = undefined;
		this.sentLength = this.previous.length;
		return this.withSeparator(out);
	}

	private withSeparator(out: string): string {
		if (out === '') return '';
		this.sentAny = true;
		if (this.pendingSeparator === '') return out;
		const separated = this.pendingSeparator + out;
		this.pendingSeparator = '';
		return separated;
	}
}

/** How many UTF-16 units two texts share at their start, never ending inside a character. */
export function commonPrefixLength(a: string, b: string): number {
	const length = Math.min(a.length, b.length);
	let at = 0;
	while (at < length && a.charCodeAt(at) === b.charCodeAt(at)) at++;
	// Never split a surrogate pair: the kept part must be whole characters.
	if (at > 0 && at < a.length && a.charCodeAt(at - 1) >= 0xd800 && a.charCodeAt(at - 1) <= 0xdbff) at--;
	return at;
}
