/**
 * The draw's entries and its state in the object's SQLite. Everything that grows with the entry
 * count is streamed through SQL (never loaded whole), so a million entries fit in an object's memory.
 *
 * Owns the migration list "draw" and its tables: `entries` (one per consumer; its rank key is
 * written only once the beacon's randomness is known), `tally` (the ENTERED counter and the lost
 * cursor), `draw` (one JSON row: R, the seal, the beacon round, progress of the ranking), and the
 * log's `log` and `log_nodes` (written by log-store.ts). The v1 tables `fairness` (a secret seed)
 * and `merkle` (a tree built at close) are gone since step 4.
 */
import type { GrantState } from "../kernel/grants";

export type DrawEntryStatus = "ENTERED" | "LEFT" | "WON" | "CLAIMED" | "EXPIRED";

export type DrawEntry = {
	ordinal: number;
	entry_id: string;
	consumer_id: string;
	/** "" until the draw ranks its entries (after R). */
	rank_key: string;
	status: DrawEntryStatus;
	entered_at: number;
	/** The log record of the entry's latest `enter`: its receipt names it. */
	log_seq: number | null;
	won_at: number | null;
	claim_by: number | null;
	grant_id: string | null;
	backfilled: number;
	finished_at: number | null;
};

/** The sealed log, named with R before R exists. */
export type Seal = { size: number; root: string; round: number; sealedAt: number };
export type FetchedBeacon = { round: number; signature: string; randomness: string; relay: string; fetchedAt: number };

/** The draw's own state (the `draw` row). */
export type DrawRecord = {
	/** drand chain hash and the round R the draw is ranked by. */
	chain: string;
	round: number;
	/** The winner count the log's last `rules` record names. */
	winnerCount: number;
	sealMarginMs: number;
	seal: Seal | null;
	beacon: FetchedBeacon | null;
	/** Past R's time without a verified round: since when, how many tries, the last failure. */
	awaiting: { since: number; attempts: number; lastFailure: string } | null;
	/** Ranking progress: entries up to this ordinal have their rank key. */
	rankedThrough: number;
	drawnAt: number | null;
	/** Where the log's `rules` records are, and the R each names (a receipt names the R of its time). */
	rules: { seq: number; round: number }[];
};

export const DRAW_MIGRATIONS = [
	`CREATE TABLE entries (
		ordinal INTEGER PRIMARY KEY AUTOINCREMENT,
		entry_id TEXT NOT NULL UNIQUE,
		consumer_id TEXT NOT NULL UNIQUE,
		rank_key TEXT NOT NULL,
		status TEXT NOT NULL,
		entered_at INTEGER NOT NULL,
		leaf INTEGER UNIQUE,
		won_at INTEGER,
		claim_by INTEGER,
		grant_id TEXT UNIQUE,
		backfilled INTEGER NOT NULL DEFAULT 0,
		finished_at INTEGER,
		order_id TEXT,
		order_amount REAL
	);
	CREATE INDEX entries_status_rank ON entries (status, rank_key, entry_id);
	CREATE INDEX entries_claim_by ON entries (claim_by) WHERE status = 'WON';
	CREATE TABLE fairness (id INTEGER PRIMARY KEY CHECK (id = 1), seed TEXT NOT NULL, commitment TEXT NOT NULL,
		entry_count INTEGER, merkle_root TEXT, drawn_at INTEGER);
	CREATE TABLE merkle (level INTEGER NOT NULL, idx INTEGER NOT NULL, hash BLOB NOT NULL,
		PRIMARY KEY (level, idx)) WITHOUT ROWID;`,
	// Where the draw.consumer.lost announcements have got to, in rank order.
	`ALTER TABLE fairness ADD COLUMN lost_cursor TEXT;`,
	// Winners listed without a scan; ENTERED counted without one (maxEntries is checked on every enter).
	`CREATE INDEX entries_won ON entries (rank_key, entry_id) WHERE won_at IS NOT NULL;
	 ALTER TABLE fairness ADD COLUMN entered_count INTEGER NOT NULL DEFAULT 0;
	 UPDATE fairness SET entered_count = (SELECT COUNT(*) FROM entries WHERE status = 'ENTERED');`,
	// draw-v2: no operator seed; an append-only log from the first entry; ranks only after the beacon.
	`DROP TABLE merkle;
	 CREATE TABLE tally (id INTEGER PRIMARY KEY CHECK (id = 1), entered INTEGER NOT NULL DEFAULT 0, lost_cursor TEXT);
	 INSERT INTO tally (id, entered, lost_cursor) SELECT 1, entered_count, lost_cursor FROM fairness;
	 DROP TABLE fairness;
	 CREATE TABLE log (seq INTEGER PRIMARY KEY, data TEXT NOT NULL, root BLOB NOT NULL);
	 CREATE TABLE log_nodes (level INTEGER NOT NULL, idx INTEGER NOT NULL, hash BLOB NOT NULL,
		PRIMARY KEY (level, idx)) WITHOUT ROWID;
	 CREATE TABLE draw (id INTEGER PRIMARY KEY CHECK (id = 1), json TEXT NOT NULL);
	 ALTER TABLE entries ADD COLUMN log_seq INTEGER;`,
];

/** The grant a winning entry holds, as the kernel judges it: live while WON, then used (CLAIMED) or expired. */
export function grantOf(e: DrawEntry | null): GrantState | null {
	if (!e?.grant_id || e.claim_by == null || e.won_at == null) return null;
	const state = e.status === "WON" ? "live" : e.status === "CLAIMED" ? "used" : "expired";
	return { grantId: e.grant_id, issuedAt: e.won_at, expiresAt: e.claim_by, state };
}

const COLUMNS =
	"ordinal, entry_id, consumer_id, rank_key, status, entered_at, log_seq, won_at, claim_by, grant_id, backfilled, finished_at";

/**
 * Entries ranked per run of the `rank` schedule kind: a million take 10 runs of ≈ 1–2 s, not one
 * long one. Large on purpose: each run is one commit, and every commit rewrites the index pages
 * its random rank keys touched, so fewer, larger runs write each page fewer times.
 */
export const RANK_CHUNK = 100_000;

export class DrawStore {
	constructor(private readonly sql: SqlStorage) {}

	/** The `draw` row (read each time: a rolled-back transaction leaves no stale copy behind). */
	record(): DrawRecord | null {
		const row = this.sql.exec<{ json: string }>("SELECT json FROM draw WHERE id = 1").toArray()[0];
		return row ? (JSON.parse(row.json) as DrawRecord) : null;
	}

	saveRecord(record: DrawRecord): void {
		this.sql.exec("INSERT OR REPLACE INTO draw (id, json) VALUES (1, ?)", JSON.stringify(record));
	}

	entry(consumerId: string): DrawEntry | null {
		return (
			this.sql.exec<DrawEntry>(`SELECT ${COLUMNS} FROM entries WHERE consumer_id = ?`, consumerId).toArray()[0] ?? null
		);
	}

	private tally(): void {
		this.sql.exec("INSERT OR IGNORE INTO tally (id) VALUES (1)");
	}

	/** ENTERED right now, from a counter kept by enter, leave and win. */
	entered(): number {
		return this.sql.exec<{ n: number }>("SELECT COALESCE(MAX(entered), 0) AS n FROM tally").one().n;
	}

	private countEntered(by: number): void {
		this.tally();
		this.sql.exec("UPDATE tally SET entered = entered + ?", by);
	}

	/** Wins still open (WON, not yet claimed or expired), through the status index. */
	openWins(): number {
		return this.sql.exec<{ n: number }>("SELECT COUNT(*) AS n FROM entries WHERE status = 'WON'").one().n;
	}

	/** Adds the consumer, or re-enters one that left (keeping its entry id), at log record `logSeq`. */
	enter(consumerId: string, entryId: string, now: number, logSeq: number): void {
		this.countEntered(1);
		this.sql.exec(
			`INSERT INTO entries (entry_id, consumer_id, rank_key, status, entered_at, log_seq) VALUES (?, ?, '', 'ENTERED', ?, ?)
			 ON CONFLICT (consumer_id) DO UPDATE SET status = 'ENTERED', entered_at = excluded.entered_at, log_seq = excluded.log_seq`,
			entryId,
			consumerId,
			now,
			logSeq,
		);
	}

	setStatus(consumerId: string, status: DrawEntryStatus, now: number): void {
		if (status === "LEFT") this.countEntered(-1);
		this.sql.exec("UPDATE entries SET status = ?, finished_at = ? WHERE consumer_id = ?", status, now, consumerId);
	}

	/**
	 * Writes the rank key of the next `limit` entries still ENTERED after ordinal `after`;
	 * returns how many, and the last ordinal written (null when none was left). The keys are
	 * computed here (an HMAC SQLite cannot do) and written by one UPDATE joined to a JSON array
	 * of [ordinal, key] pairs: one statement a chunk, not one a row.
	 *
	 * While ranking, the rank index is set aside and built again, sorted in one pass, with the
	 * last chunk (in that chunk's transaction): a million random inserts into it cost most of the
	 * draw. Nothing reads it before the draw (winners, backfills and the lost cursor come after);
	 * a chunk that fails rolls back with its DROP, and every later chunk and the draw see the same
	 * rule, so the index is back before anything ranked is read.
	 */
	rankNext(keyOf: (entryId: string) => string, after: number, limit: number): { count: number; last: number | null } {
		this.sql.exec("DROP INDEX IF EXISTS entries_status_rank");
		const rows = [
			...this.sql
				.exec(
					// `+status` keeps SQLite on the primary key: with the status index it re-sorts every chunk.
					"SELECT ordinal, entry_id FROM entries WHERE +status = 'ENTERED' AND ordinal > ? ORDER BY ordinal LIMIT ?",
					after,
					limit,
				)
				.raw(),
		] as [number, string][];
		if (rows.length) {
			// Only integers and hex keys go in: nothing to escape. In ordinal order: the rows' pages in turn.
			let pairs = "[";
			for (let i = 0; i < rows.length; i++) pairs += `${i ? "," : ""}[${rows[i][0]},"${keyOf(rows[i][1])}"]`;
			pairs += "]";
			this.sql.exec(
				`UPDATE entries SET rank_key = j.value ->> 1 FROM json_each(?) AS j
				 WHERE entries.ordinal = j.value ->> 0`,
				pairs,
			);
		}
		if (rows.length < limit) this.restoreRankIndex();
		return { count: rows.length, last: rows.at(-1)?.[0] ?? null };
	}

	/** The rank index as migration 1 made it (see rankNext). */
	restoreRankIndex(): void {
		this.sql.exec("CREATE INDEX IF NOT EXISTS entries_status_rank ON entries (status, rank_key, entry_id)");
	}

	/** The best-ranked entries still ENTERED (not yet winners), in rank order. */
	nextRanked(limit: number): DrawEntry[] {
		return this.sql
			.exec<DrawEntry>(
				`SELECT ${COLUMNS} FROM entries WHERE status = 'ENTERED' ORDER BY rank_key, entry_id LIMIT ?`,
				limit,
			)
			.toArray();
	}

	win(entry: DrawEntry, now: number, claimBy: number, grantId: string, backfilled: boolean): void {
		this.countEntered(-1);
		this.sql.exec(
			"UPDATE entries SET status = 'WON', won_at = ?, claim_by = ?, grant_id = ?, backfilled = ? WHERE ordinal = ?",
			now,
			claimBy,
			grantId,
			backfilled ? 1 : 0,
			entry.ordinal,
		);
	}

	claim(entry: DrawEntry, now: number, orderId: string | null, orderAmount: number | null): void {
		this.sql.exec(
			"UPDATE entries SET status = 'CLAIMED', finished_at = ?, order_id = ?, order_amount = ? WHERE ordinal = ?",
			now,
			orderId,
			orderAmount,
			entry.ordinal,
		);
	}

	expiredClaims(now: number): DrawEntry[] {
		return this.sql
			.exec<DrawEntry>(`SELECT ${COLUMNS} FROM entries WHERE status = 'WON' AND claim_by <= ?`, now)
			.toArray();
	}

	earliestClaimBy(): number | null {
		return this.sql.exec<{ at: number | null }>("SELECT MIN(claim_by) AS at FROM entries WHERE status = 'WON'").one()
			.at;
	}

	countByStatus(): Record<DrawEntryStatus, number> {
		const counts = { ENTERED: 0, LEFT: 0, WON: 0, CLAIMED: 0, EXPIRED: 0 };
		for (const r of this.sql.exec<{ status: DrawEntryStatus; n: number }>(
			"SELECT status, COUNT(*) AS n FROM entries GROUP BY status",
		)) {
			counts[r.status] = r.n;
		}
		return counts;
	}

	/**
	 * The next entrants not drawn, in rank order, after the last one announced; moves
	 * the cursor past them.
	 */
	nextLost(limit: number): DrawEntry[] {
		const cursor = this.sql.exec<{ c: string | null }>("SELECT lost_cursor AS c FROM tally").toArray()[0]?.c ?? "|";
		const [rankKey, entryId] = cursor.split("|");
		// A row-value comparison, so the (status, rank_key, entry_id) index serves every chunk.
		const rows = this.sql
			.exec<DrawEntry>(
				`SELECT ${COLUMNS} FROM entries WHERE status = 'ENTERED' AND (rank_key, entry_id) > (?, ?)
				 ORDER BY rank_key, entry_id LIMIT ?`,
				rankKey,
				entryId,
				limit,
			)
			.toArray();
		const last = rows.at(-1);
		if (last) {
			this.tally();
			this.sql.exec("UPDATE tally SET lost_cursor = ?", `${last.rank_key}|${last.entry_id}`);
		}
		return rows;
	}

	/** Winners (and former winners), best rank first: the results table. */
	winners(): DrawEntry[] {
		return this.sql
			.exec<DrawEntry>(`SELECT ${COLUMNS} FROM entries WHERE won_at IS NOT NULL ORDER BY rank_key, entry_id`)
			.toArray();
	}

	page(limit: number, beforeOrdinal: number | null): DrawEntry[] {
		return this.sql
			.exec<DrawEntry>(
				`SELECT ${COLUMNS} FROM entries WHERE (?1 IS NULL OR ordinal < ?1) ORDER BY ordinal DESC LIMIT ?2`,
				beforeOrdinal,
				limit,
			)
			.toArray();
	}

	/** After close: entries in the draw (not withdrawn), in entry order, a chunk at a time. */
	sealedEntries(afterOrdinal: number, limit: number): { ordinal: number; entryId: string }[] {
		return this.sql
			.exec<{ ordinal: number; entry_id: string }>(
				"SELECT ordinal, entry_id FROM entries WHERE ordinal > ? AND +status != 'LEFT' ORDER BY ordinal LIMIT ?",
				afterOrdinal,
				limit,
			)
			.toArray()
			.map((r) => ({ ordinal: r.ordinal, entryId: r.entry_id }));
	}
}
