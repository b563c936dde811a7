/**
 * What Ask fetches once per chatbot and shares across an execution's items: the prompt token and
 * the chatbot's init. A value is loaded once per key, also when items in flight ask for it at the
 * same moment (they wait for the same load); a failed load is forgotten, so the next attempt loads
 * afresh. Pure apart from the clock, which tests pass in.
 */

/** Renew this long before a token's announced expiry (at most half its lifetime). */
export const RENEW_AHEAD_MS = 60_000;

interface Entry<T> {
	load: Promise<T>;
	value?: T;
}

export class SharedLoads<T> {
	private readonly entries = new Map<string, Entry<T>>();

	/** @param isFresh whether a loaded value may still be used; a stale one is loaded again. */
	constructor(private readonly isFresh: (value: T) => boolean = () => true) {}

	async get(key: string, load: () => Promise<T>): Promise<T> {
		const current = this.entries.get(key);
		if (current && (current.value === undefined || this.isFresh(current.value))) return await current.load;
		const entry: Entry<T> = { load: load() };
		this.entries.set(key, entry);
		try {
			entry.value = await entry.load;
			return entry.value;
		} catch (error) {
			if (this.entries.get(key) === entry) this.entries.delete(key);
			throw error;
		}
	}

	/**
	 * Forgets `stale` (a value the server refused), unless another item already replaced it: items
	 * in flight that were all refused the same token renew it once, not once each.
	 */
	forget(key: string, stale: T): void {
		const current = this.entries.get(key);
		if (current && current.value === stale) this.entries.delete(key);
	}
}

export interface PromptToken {
	token: string;
	/** When to stop using it (ms since the epoch); undefined: until the server refuses it. */
	renewAtMs?: number;
}

type Json = Record<string, unknown>;

/**
 * The token from a `CreatePromptTokenResponse`, with the moment to renew it: `expired_at` (RFC 3339)
 * or else `fetchedAtMs + expires_in` seconds, less RENEW_AHEAD_MS (at most half the lifetime).
 * Undefined when the answer holds no token.
 */
export function promptTokenFrom(answer: Json, fetchedAtMs: number): PromptToken | undefined {
	const token = typeof answer.token === 'string' ? answer.token : '';
	if (token === '') return undefined;
	const expiredAt = answer.expired_at ?? answer.expiredAt;
	const expiresIn = answer.expires_in ?? answer.expiresIn;
	let expiresAtMs: number | undefined;
	if (typeof expiredAt === 'string' && !Number.isNaN(Date.parse(expiredAt))) expiresAtMs = Date.parse(expiredAt);
	else if ((typeof expiresIn === 'number' || typeof expiresIn === 'string') && Number.isFinite(Number(expiresIn)) && String(expiresIn).trim() !== '') {
		expiresAtMs = fetchedAtMs + Number(expiresIn) * 1000;
	}
	if (expiresAtMs === undefined) return { token };
	const lifetimeMs = Math.max(0, expiresAtMs - fetchedAtMs);
	return { token, renewAtMs: expiresAtMs - Math.min(RENEW_AHEAD_MS, lifetimeMs / 2) };
}

/** The prompt tokens of one execution, renewed when their renewal time has come. */
export function promptTokenLoads(now: () => number = Date.now): SharedLoads<PromptToken> {
	return new SharedLoads<PromptToken>((token) => token.renewAtMs === undefined || now() < token.renewAtMs);
}
