/**
 * The queue's entries in the object's SQLite. Positions stay exact without scanning
 * the line: admission is strictly in `seq` order, so a QUEUED entry's place is its
 * seq minus everyone admitted before it minus the holes (entries that left or were
 * denied while waiting) ahead of it.
 *
 * Two lanes (protection `onFailure: back-of-line`): lane 0, the front, holds everyone who
 * passed the sequence's challenge (or needed none), seqs 1, 2, …; lane 1, the back, holds
 * those whose challenge was missing or failed, seqs BACK_LANE + 1, … — all above any front seq,
 * so admission in seq order admits a back-lane consumer only when no front one waits. A front
 * place counts the front's admissions and holes only (`admitted_back` is kept apart); a back
 * place adds everyone waiting in the front.
 * Owns the migration list "queue" and its tables: `entries` (one per consumer), `holes`
 * (places vacated while waiting), `counters` (kept in memory by counters.ts: next_seq, queued, active, admitted_total,
 * now_serving, the admission cadence next_slot_at, paused, and — only while the sequence's
 * product tracks inventory — `stock`, the units left as last told, and `sold_out`; and
 * `orders_counted`, the recorded orders used here since the first stock read, `unitsLeft`). No schedule kind.
 */
import type { GrantState } from "../kernel/grants";
import { Counters } from "./counters";

export type EntryStatus = "QUEUED" | "ADMITTED" | "COMPLETED" | "DENIED" | "LEFT" | "EXPIRED";

/** Where back-of-line seqs start: 2^40, far above any front seq, well inside a safe integer. */
export const BACK_LANE = 2 ** 40;

/** 0: the front (passed, or no challenge asked); 1: the back (challenge missing or failed, back-of-line). */
export type Lane = 0 | 1;

export type Entry = {
	consumer_id: string;
	lane: Lane;
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
	// The back-of-line lane: every entry so far is in the front.
	"ALTER TABLE entries ADD COLUMN lane INTEGER NOT NULL DEFAULT 0;",
];

const ENTRY_COLUMNS =
	"rowid, consumer_id, lane, seq, status, entered_at, admitted_at, expires_at, grant_id, finished_at, reason";

export class QueueStore {
	/** The `counters` table, kept in memory (counters.ts); every counter is written through it. */
	private readonly counters: Counters;

	constructor(private readonly sql: SqlStorage) {
		this.counters = new Counters(sql);
	}

	/** Drops the memory of `counters` (its transaction rolled back): the next read loads the table again. */
	forgetCounters(): void {
		this.counters.forget();
	}

	counter(name: string): number {
		return this.counters.get(name);
	}

	setCounter(name: string, value: number): void {
		this.counters.set(name, value);
	}

	/** Runs `fn` with each changed counter written once at its end (a shard's batch: counters.ts `deferred`). */
	deferCounters<T>(fn: () => T): T {
		return this.counters.deferred(fn);
	}

	/** Units left as the product last said (orders taken here already counted); null: stock is not tracked. */
	stock(): number | null {
		return this.counters.find("stock");
	}

	setStock(units: number | null): void {
		if (units == null) this.counters.delete("stock");
		else this.counters.set("stock", units);
	}

	/** The recorded orders whose grant was used here; null before the first stock read (queues stored before it was counted). */
	ordersCounted(): number | null {
		return this.counters.find("orders_counted");
	}

	setOrdersCounted(n: number): void {
		this.counters.set("orders_counted", n);
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

	/** The entry a grant was issued to (grant ids are unique). */
	entryByGrant(grantId: string): Entry | null {
		return (
			this.sql.exec<Entry>(`SELECT ${ENTRY_COLUMNS} FROM entries WHERE grant_id = ?`, grantId).toArray()[0] ?? null
		);
	}

	/** Which of `consumerIds` have an entry: one statement for a shard's whole batch. */
	known(consumerIds: string[]): Set<string> {
		if (!consumerIds.length) return new Set();
		const rows = this.sql
			.exec<{ consumer_id: string }>(
				"SELECT consumer_id FROM entries WHERE consumer_id IN (SELECT value FROM json_each(?))",
				JSON.stringify(consumerIds),
			)
			.toArray();
		return new Set(rows.map((r) => r.consumer_id));
	}

	/** Adds (or re-adds, after LEFT) a consumer: at the back of its lane, or unplaced in the pre-queue. Returns the entry as stored. */
	enqueue(consumerId: string, now: number, prequeue: boolean, lane: Lane = 0): Entry {
		this.counters.add("queued", 1);
		const seq = prequeue ? null : this.takeSeq(lane);
		const shuffle = prequeue ? randomKey() : null;
		// RETURNING: the hot path reads the row back in the statement that writes it.
		return this.sql
			.exec<Entry>(
				`INSERT INTO entries (consumer_id, lane, seq, shuffle_key, status, entered_at) VALUES (?, ?, ?, ?, 'QUEUED', ?)
				 ON CONFLICT (consumer_id) DO UPDATE SET lane = excluded.lane, seq = excluded.seq,
				   shuffle_key = excluded.shuffle_key, status = 'QUEUED', entered_at = excluded.entered_at,
				   finished_at = NULL, reason = NULL
				 RETURNING ${ENTRY_COLUMNS}`,
				consumerId,
				lane,
				seq,
				shuffle,
				now,
			)
			.one();
	}

	/**
	 * A back-lane consumer who now passed the challenge: to the back of the front lane (its old
	 * place becomes a hole), or — still in the pre-queue — into the front lane's shuffle.
	 */
	promote(entry: Entry): void {
		if (entry.status !== "QUEUED" || entry.lane !== 1) return;
		if (entry.seq != null) this.sql.exec("INSERT OR IGNORE INTO holes (seq) VALUES (?)", entry.seq);
		const seq = entry.seq == null ? null : this.takeSeq(0);
		this.sql.exec("UPDATE entries SET lane = 0, seq = ? WHERE consumer_id = ?", seq, entry.consumer_id);
	}

	/** The next line number of `lane` (front from 1, back from BACK_LANE + 1), taken in one statement: enter is the hot path. */
	private takeSeq(lane: Lane): number {
		return lane === 0 ? this.counters.take("next_seq", 1) : this.counters.take("next_back_seq", BACK_LANE + 1);
	}

	/**
	 * At open: each lane's pre-queue gets that lane's next places in a uniformly random order
	 * (random keys, sorted) — shuffled within its lane, so the back never mixes into the front.
	 * Those unplaced who entered from `openAt` on (a sharded pre-queue places nobody until its
	 * shuffle) follow the whole pre-queue, in the order they entered: arriving late never wins it.
	 */
	placePrequeue(openAt: number): number {
		let placed = 0;
		for (const [lane, name, first] of [
			[0, "next_seq", 1],
			[1, "next_back_seq", BACK_LANE + 1],
		] as const) {
			const base = (this.counter(name) || first) - 1;
			this.sql.exec(
				`UPDATE entries SET seq = ?1 + ranked.rn FROM (
				   SELECT consumer_id, ROW_NUMBER() OVER (
				     ORDER BY entered_at >= ?3, CASE WHEN entered_at >= ?3 THEN entered_at ELSE shuffle_key END, consumer_id
				   ) AS rn
				   FROM entries WHERE seq IS NULL AND status = 'QUEUED' AND lane = ?2) AS ranked
				 WHERE entries.consumer_id = ranked.consumer_id`,
				base,
				lane,
				openAt,
			);
			const n = this.sql
				.exec<{ n: number }>("SELECT COUNT(*) AS n FROM entries WHERE seq > ? AND lane = ?", base, lane)
				.one().n;
			if (n > 0 || lane === 0) this.setCounter(name, base + n + 1);
			placed += n;
		}
		return placed;
	}

	/** Front-lane admissions so far: what a front seq's place is counted from. */
	admittedFront(): number {
		return this.counter("admitted_total") - this.counter("admitted_back");
	}

	/** 1-based place among those still waiting; null in the pre-queue. A back place counts the whole front ahead. */
	position(entry: Entry): number | null {
		if (entry.status !== "QUEUED" || entry.seq == null) return null;
		if (entry.seq < BACK_LANE) {
			const holes = this.sql.exec<{ n: number }>("SELECT COUNT(*) AS n FROM holes WHERE seq < ?", entry.seq).one().n;
			return entry.seq - this.admittedFront() - holes;
		}
		const holes = this.sql
			.exec<{ n: number }>("SELECT COUNT(*) AS n FROM holes WHERE seq > ? AND seq < ?", BACK_LANE, entry.seq)
			.one().n;
		const front = this.sql
			.exec<{ n: number }>("SELECT COUNT(*) AS n FROM entries WHERE status = 'QUEUED' AND seq < ?", BACK_LANE)
			.one().n;
		return front + entry.seq - BACK_LANE - this.counter("admitted_back") - holes;
	}

	/** Ends an entry's wait or session. A QUEUED entry that stops waiting leaves a hole in the line. */
	finish(entry: Entry, status: EntryStatus, now: number, reason: string | null = null): void {
		if (entry.status === "QUEUED" && entry.seq != null)
			this.sql.exec("INSERT OR IGNORE INTO holes (seq) VALUES (?)", entry.seq);
		if (entry.status === "QUEUED") this.counters.add("queued", -1);
		if (entry.status === "ADMITTED") this.counters.add("active", -1);
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
		if (entry.status === "ADMITTED") this.counters.add("active", -1);
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
		this.counters.add("admitted_total", 1);
		this.counters.add("queued", -1);
		this.counters.add("active", 1);
		// now_serving is the front's line number: a back-lane admission leaves it alone.
		if ((entry.seq ?? 0) > BACK_LANE) this.counters.add("admitted_back", 1);
		else this.setCounter("now_serving", Math.max(this.counter("now_serving"), entry.seq ?? 0));
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
