/**
 * The queue's entries in the object's SQLite. Positions stay exact without scanning
 * the line: admission is strictly in `seq` order, so a QUEUED entry's place is its
 * seq minus everyone admitted before it minus the holes (entries that left or were
 * denied while waiting) ahead of it.
 * Owns the migration list "queue" and its tables: `entries` (one per consumer), `holes`
 * (places vacated while waiting), `counters` (next_seq, queued, active, admitted_total,
 * now_serving, the admission cadence next_slot_at, paused, and — only while the sequence's
 * product tracks inventory — `stock`, the units left as last told, and `sold_out`). No schedule kind.
 */
import type { GrantState } from "../kernel/grants";

export type EntryStatus = "QUEUED" | "ADMITTED" | "COMPLETED" | "DENIED" | "LEFT" | "EXPIRED";

export type Entry = {
	consumer_id: string;
	/** Place in line; null while waiting in the pre-queue, until the shuffle at open. */
	seq: number | null;
	status: EntryStatus;
	entered_at: number;
	admitted_at: number | null;
	expires_at: number | null;
	grant_id: string | null;
	finished_at: number | null;
	reason: string | null;
	rowid: number;
};

/** The grant an entry holds, as the kernel judges it: live while ADMITTED, then used, expired or revoked. */
export function grantOf(e: Entry | null): GrantState | null {
	if (!e?.grant_id || e.expires_at == null || e.admitted_at == null) return null;
	const state =
		e.status === "ADMITTED"
			? "live"
			: e.status === "COMPLETED"
				? "used"
				: e.status === "EXPIRED"
					? "expired"
					: "revoked";
	return { grantId: e.grant_id, issuedAt: e.admitted_at, expiresAt: e.expires_at, state };
}

export const QUEUE_MIGRATIONS = [
	`CREATE TABLE entries (
		consumer_id TEXT PRIMARY KEY,
		seq INTEGER UNIQUE,
		shuffle_key INTEGER,
		status TEXT NOT NULL,
		entered_at INTEGER NOT NULL,
		admitted_at INTEGER,
		expires_at INTEGER,
		grant_id TEXT UNIQUE,
		finished_at INTEGER,
		reason TEXT,
		order_id TEXT,
		order_amount REAL
	);
	CREATE INDEX entries_status_seq ON entries (status, seq);
	CREATE INDEX entries_admitted ON entries (admitted_at) WHERE admitted_at IS NOT NULL;
	CREATE TABLE holes (seq INTEGER PRIMARY KEY);
	CREATE TABLE counters (name TEXT PRIMARY KEY, value INTEGER NOT NULL);`,
	// Waiting and admitted counts kept as counters: the admission tick must not scan the line.
	`INSERT OR REPLACE INTO counters (name, value) SELECT 'queued', COUNT(*) FROM entries WHERE status = 'QUEUED';
	 INSERT OR REPLACE INTO counters (name, value) SELECT 'active', COUNT(*) FROM entries WHERE status = 'ADMITTED';`,
];

const ENTRY_COLUMNS =
	"rowid, consumer_id, seq, status, entered_at, admitted_at, expires_at, grant_id, finished_at, reason";

export class QueueStore {
	constructor(private readonly sql: SqlStorage) {}

	counter(name: string): number {
		return this.sql.exec<{ value: number }>("SELECT value FROM counters WHERE name = ?", name).toArray()[0]?.value ?? 0;
	}

	setCounter(name: string, value: number): void {
		this.sql.exec("INSERT OR REPLACE INTO counters (name, value) VALUES (?, ?)", name, value);
	}

	/** Units left as the product last said (orders taken here already counted); null: stock is not tracked. */
	stock(): number | null {
		return (
			this.sql.exec<{ value: number }>("SELECT value FROM counters WHERE name = 'stock'").toArray()[0]?.value ?? null
		);
	}

	setStock(units: number | null): void {
		if (units == null) this.sql.exec("DELETE FROM counters WHERE name = 'stock'");
		else this.setCounter("stock", units);
	}

	private bump(name: string, by: number): void {
		this.sql.exec(
			"INSERT INTO counters (name, value) VALUES (?1, ?2) ON CONFLICT (name) DO UPDATE SET value = value + ?2",
			name,
			by,
		);
	}

	/** Consumers waiting now (pre-queue included). */
	queued(): number {
		return this.counter("queued");
	}

	/** Consumers placed in line and waiting: the pre-queue waits unplaced until the shuffle at open. */
	waiting(): number {
		const unplaced = this.sql
			.exec<{ n: number }>("SELECT COUNT(*) AS n FROM entries WHERE status = 'QUEUED' AND seq IS NULL")
			.one().n;
		return this.queued() - unplaced;
	}

	/** Consumers holding a live admission now. */
	active(): number {
		return this.counter("active");
	}

	entry(consumerId: string): Entry | null {
		return (
			this.sql.exec<Entry>(`SELECT ${ENTRY_COLUMNS} FROM entries WHERE consumer_id = ?`, consumerId).toArray()[0] ??
			null
		);
	}

	/** Adds (or re-adds, after LEFT) a consumer: at the back of the line, or unplaced in the pre-queue. */
	enqueue(consumerId: string, now: number, prequeue: boolean): void {
		this.bump("queued", 1);
		const seq = prequeue ? null : this.takeSeq();
		const shuffle = prequeue ? randomKey() : null;
		this.sql.exec(
			`INSERT INTO entries (consumer_id, seq, shuffle_key, status, entered_at) VALUES (?, ?, ?, 'QUEUED', ?)
			 ON CONFLICT (consumer_id) DO UPDATE SET seq = excluded.seq, shuffle_key = excluded.shuffle_key,
			   status = 'QUEUED', entered_at = excluded.entered_at, finished_at = NULL, reason = NULL`,
			consumerId,
			seq,
			shuffle,
			now,
		);
	}

	/** The next line number (from 1), taken in one statement: enter is the hot path. */
	private takeSeq(): number {
		return this.sql
			.exec<{ seq: number }>(
				`INSERT INTO counters (name, value) VALUES ('next_seq', 2)
				 ON CONFLICT (name) DO UPDATE SET value = MAX(value, 1) + 1 RETURNING value - 1 AS seq`,
			)
			.one().seq;
	}

	/** At open: the pre-queue gets places next_seq… in a uniformly random order (random keys, sorted). */
	placePrequeue(): number {
		const base = (this.counter("next_seq") || 1) - 1;
		this.sql.exec(
			`UPDATE entries SET seq = ? + ranked.rn FROM (
			   SELECT consumer_id, ROW_NUMBER() OVER (ORDER BY shuffle_key, consumer_id) AS rn
			   FROM entries WHERE seq IS NULL AND status = 'QUEUED') AS ranked
			 WHERE entries.consumer_id = ranked.consumer_id`,
			base,
		);
		const placed = this.sql.exec<{ n: number }>("SELECT COUNT(*) AS n FROM entries WHERE seq > ?", base).one().n;
		this.setCounter("next_seq", base + placed + 1);
		return placed;
	}

	/** 1-based place among those still waiting; null in the pre-queue. */
	position(entry: Entry): number | null {
		if (entry.status !== "QUEUED" || entry.seq == null) return null;
		const holes = this.sql.exec<{ n: number }>("SELECT COUNT(*) AS n FROM holes WHERE seq < ?", entry.seq).one().n;
		return entry.seq - this.counter("admitted_total") - holes;
	}

	/** Ends an entry's wait or session. A QUEUED entry that stops waiting leaves a hole in the line. */
	finish(entry: Entry, status: EntryStatus, now: number, reason: string | null = null): void {
		if (entry.status === "QUEUED" && entry.seq != null)
			this.sql.exec("INSERT OR IGNORE INTO holes (seq) VALUES (?)", entry.seq);
		if (entry.status === "QUEUED") this.bump("queued", -1);
		if (entry.status === "ADMITTED") this.bump("active", -1);
		this.sql.exec(
			"UPDATE entries SET status = ?, finished_at = ?, reason = ? WHERE consumer_id = ?",
			status,
			now,
			reason,
			entry.consumer_id,
		);
	}

	/** Line numbers vacated while waiting, ascending — or null if there are more than `limit`. */
	holes(limit: number): number[] | null {
		const rows = this.sql.exec<{ seq: number }>("SELECT seq FROM holes ORDER BY seq LIMIT ?", limit + 1).toArray();
		return rows.length > limit ? null : rows.map((r) => r.seq);
	}

	/** The first placed entry still waiting. */
	nextQueued(): Entry | null {
		return (
			this.sql
				.exec<Entry>(
					`SELECT ${ENTRY_COLUMNS} FROM entries WHERE status = 'QUEUED' AND seq IS NOT NULL ORDER BY seq LIMIT 1`,
				)
				.toArray()[0] ?? null
		);
	}

	complete(entry: Entry, now: number, orderId: string | null, orderAmount: number | null): void {
		if (entry.status === "ADMITTED") this.bump("active", -1);
		this.sql.exec(
			"UPDATE entries SET status = 'COMPLETED', finished_at = ?, order_id = ?, order_amount = ? WHERE consumer_id = ?",
			now,
			orderId,
			orderAmount,
			entry.consumer_id,
		);
	}

	admit(entry: Entry, now: number, expiresAt: number, grantId: string): void {
		this.sql.exec(
			"UPDATE entries SET status = 'ADMITTED', admitted_at = ?, expires_at = ?, grant_id = ? WHERE consumer_id = ?",
			now,
			expiresAt,
			grantId,
			entry.consumer_id,
		);
		this.bump("admitted_total", 1);
		this.bump("queued", -1);
		this.bump("active", 1);
		this.setCounter("now_serving", Math.max(this.counter("now_serving"), entry.seq ?? 0));
	}

	expiredSessions(now: number): Entry[] {
		return this.sql
			.exec<Entry>(`SELECT ${ENTRY_COLUMNS} FROM entries WHERE status = 'ADMITTED' AND expires_at <= ?`, now)
			.toArray();
	}

	earliestExpiry(): number | null {
		return this.sql
			.exec<{ at: number | null }>("SELECT MIN(expires_at) AS at FROM entries WHERE status = 'ADMITTED'")
			.one().at;
	}

	countByStatus(): Record<EntryStatus, number> {
		const counts = { QUEUED: 0, ADMITTED: 0, COMPLETED: 0, DENIED: 0, LEFT: 0, EXPIRED: 0 };
		for (const r of this.sql.exec<{ status: EntryStatus; n: number }>(
			"SELECT status, COUNT(*) AS n FROM entries GROUP BY status",
		)) {
			counts[r.status] = r.n;
		}
		return counts;
	}

	admittedSince(since: number): number {
		return this.sql.exec<{ n: number }>("SELECT COUNT(*) AS n FROM entries WHERE admitted_at >= ?", since).one().n;
	}

	/** A page of entries, newest first, after `beforeRowid`. */
	page(status: EntryStatus | undefined, limit: number, beforeRowid: number | null): Entry[] {
		return this.sql
			.exec<Entry>(
				`SELECT ${ENTRY_COLUMNS} FROM entries WHERE (?1 IS NULL OR status = ?1) AND (?2 IS NULL OR rowid < ?2)
				 ORDER BY rowid DESC LIMIT ?3`,
				status ?? null,
				beforeRowid,
				limit,
			)
			.toArray();
	}
}

function randomKey(): number {
	const [hi, lo] = crypto.getRandomValues(new Uint32Array(2));
	return (hi & 0x1fffff) * 2 ** 32 + lo;
}
