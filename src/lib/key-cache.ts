/**
 * A short per-isolate cache of API-key rows, keyed by the key's SHA-256 (never the plaintext).
 *
 * Why: every admin request looks its key up in D1 (≈ 700 µs of local D1 per query on the bench
 * machine, issue 18), though a key's row changes only when it is revoked. Only found, active rows
 * are cached — a key minted a moment ago is never hidden by a cached miss — for `KEY_CACHE_TTL_MS`.
 *
 * Revocation is honoured within seconds: the isolate that revokes a key drops it at once
 * (`forgetKeyId`), every other isolate stops accepting it at the latest when its entry expires,
 * `KEY_CACHE_TTL_MS` (5 s) after it was read. The cache holds at most `KEY_CACHE_MAX` rows.
 */
export const KEY_CACHE_TTL_MS = 5_000;
export const KEY_CACHE_MAX = 1_000;

interface Entry<T> {
	row: T;
	expires: number;
}

const entries = new Map<string, Entry<{ id: string }>>();

/** The cached row for this key hash, if read from D1 less than `KEY_CACHE_TTL_MS` ago. */
export function cachedKey<T extends { id: string }>(hash: string, now = Date.now()): T | undefined {
	const hit = entries.get(hash);
	if (!hit) return undefined;
	if (hit.expires <= now) {
		entries.delete(hash);
		return undefined;
	}
	return hit.row as T;
}

export function rememberKey(hash: string, row: { id: string }, now = Date.now()): void {
	// Insertion order is age order: the first entry is the oldest.
	if (entries.size >= KEY_CACHE_MAX) entries.delete(entries.keys().next().value as string);
	entries.set(hash, { row, expires: now + KEY_CACHE_TTL_MS });
}

/** Drops a key (by id) at once in this isolate: after its revocation. */
export function forgetKeyId(id: string): void {
	for (const [hash, e] of entries) if (e.row.id === id) entries.delete(hash);
}
