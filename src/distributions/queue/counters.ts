/**
 * The queue's `counters` table (name → integer), kept in memory as this class last wrote or
 * read it: every enter and poll reads several counters, and every counter is written through
 * here. Which counters there are is QueueStore's (store.ts) and ShardIntake's (shards/intake.ts)
 * business; the table is created by the "queue" migration list (store.ts). No schedule kind.
 *
 * A rolled-back transaction leaves the memory ahead of the table, so the object's
 * `onStorageReset` calls `forget()` and the next read loads the table again.
 */
export class Counters {
	private values: Map<string, number> | null = null;
	/** Counters changed inside `deferred`, written once when it ends. */
	private pending: Set<string> | null = null;

	constructor(private readonly sql: SqlStorage) {}

	private table(): Map<string, number> {
		this.values ??= new Map(
			this.sql
				.exec<{ name: string; value: number }>("SELECT name, value FROM counters")
				.toArray()
				.map((r) => [r.name, r.value]),
		);
		return this.values;
	}

	/** Drops the memory (its transaction rolled back): the next read loads the table again. */
	forget(): void {
		this.values = null;
	}

	/** The counter's value; 0 when it was never set. */
	get(name: string): number {
		return this.table().get(name) ?? 0;
	}

	/** The counter's value; null when it is not set (a counter that may be absent, as `stock`). */
	find(name: string): number | null {
		return this.table().get(name) ?? null;
	}

	set(name: string, value: number): void {
		this.table().set(name, value);
		if (this.pending) this.pending.add(name);
		else this.sql.exec("INSERT OR REPLACE INTO counters (name, value) VALUES (?, ?)", name, value);
	}

	delete(name: string): void {
		this.sql.exec("DELETE FROM counters WHERE name = ?", name);
		this.table().delete(name);
		this.pending?.delete(name);
	}

	/** Adds `by` to the counter, in one statement. */
	add(name: string, by: number): void {
		const table = this.table();
		if (this.pending) {
			this.set(name, (table.get(name) ?? 0) + by);
			return;
		}
		this.sql.exec(
			"INSERT INTO counters (name, value) VALUES (?1, ?2) ON CONFLICT (name) DO UPDATE SET value = value + ?2",
			name,
			by,
		);
		table.set(name, (table.get(name) ?? 0) + by);
	}

	/**
	 * The counter holds the next number to hand out, never below `first`: returns that number and
	 * moves the counter past it, in one statement (a line number is taken on the hot path).
	 */
	take(name: string, first: number): number {
		const table = this.table();
		if (this.pending) {
			const current = table.get(name);
			const next = current == null ? first : Math.max(current, first);
			this.set(name, next + 1);
			return next;
		}
		const { n } = this.sql
			.exec<{ n: number }>(
				`INSERT INTO counters (name, value) VALUES (?1, ?2 + 1)
				 ON CONFLICT (name) DO UPDATE SET value = MAX(value, ?2) + 1 RETURNING value - 1 AS n`,
				name,
				first,
			)
			.one();
		table.set(name, n + 1);
		return n;
	}

	/**
	 * Runs `fn` (inside the caller's transaction) with counter changes kept in memory and each
	 * changed counter written once at the end: a shard's batch of arrivals bumps `queued` and
	 * takes a line number per arrival, two statements each that become two per batch. If `fn`
	 * throws nothing is written; the transaction rolls back and the memory is forgotten with it.
	 */
	deferred<T>(fn: () => T): T {
		if (this.pending) return fn();
		const names = new Set<string>();
		this.pending = names;
		let out: T;
		try {
			out = fn();
		} finally {
			this.pending = null;
		}
		for (const name of names) this.set(name, this.get(name));
		return out;
	}
}
