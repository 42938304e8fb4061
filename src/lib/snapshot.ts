/**
 * Per-isolate snapshots of what an object would answer: the first read of a key in an isolate
 * asks the object, and every read of that key for the next `ttlMs` gets the same promise — so an
 * object sees one read per isolate per TTL however many shoppers poll, and concurrent first reads
 * share one call. A snapshot is at most `ttlMs` old; a change made through this isolate can drop
 * it at once (`forget`). Used for the queue's progress (queue/progress.ts), an auction's public
 * state and a draw's proof. Owns no storage: memory of one isolate, bounded by `maxKeys`.
 */

export interface SnapshotOptions {
	/** Past this many keys the cache starts over (default 1,000): one bounded map per kind. */
	maxKeys?: number;
	/** The clock (ms); tests inject one to step past the TTL without waiting. */
	now?: () => number;
}

export class Snapshots<T> {
	private readonly entries = new Map<string, { until: number; value: Promise<T> }>();
	private readonly maxKeys: number;
	private readonly now: () => number;

	constructor(options: SnapshotOptions = {}) {
		this.maxKeys = options.maxKeys ?? 1000;
		this.now = options.now ?? Date.now;
	}

	/**
	 * `key`'s snapshot if it is younger than `ttlMs`, else `load()` (its promise is the new one).
	 * A load that rejects is not kept: the next read tries again. `ttlMs` ≤ 0 always loads.
	 */
	get(key: string, ttlMs: number, load: () => Promise<T>): Promise<T> {
		if (ttlMs <= 0) return load();
		const now = this.now();
		const hit = this.entries.get(key);
		if (hit && hit.until > now) return hit.value;
		const value = load();
		if (this.entries.size >= this.maxKeys) this.entries.clear();
		const entry = { until: now + ttlMs, value };
		this.entries.set(key, entry);
		value.catch(() => {
			if (this.entries.get(key) === entry) this.entries.delete(key);
		});
		return value;
	}

	/** Drops `key`'s snapshot: after a change made through this isolate, its next read asks the object. */
	forget(key: string): void {
		this.entries.delete(key);
	}

	/** Drops every snapshot (a change whose keys are not known here, such as a sequence's rules). */
	clear(): void {
		this.entries.clear();
	}
}

/**
 * `PUBLIC_SNAPSHOT_MS`: how old an auction's public state or a draw's proof may be when served
 * (default and documented maximum 1,000 ms; 0 reads the object every time, as the test suite does).
 */
export function publicSnapshotMs(env: Env): number {
	const raw = Number((env as unknown as Record<string, unknown>).PUBLIC_SNAPSHOT_MS ?? 1000);
	return Number.isFinite(raw) && raw >= 0 ? raw : 1000;
}
