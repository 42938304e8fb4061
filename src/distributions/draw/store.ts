/**
 * The draw's entries and proof material in the object's SQLite. Everything that
 * grows with the entry count is streamed through SQL (never loaded whole), so a
 * million entries fit in an object's memory.
 *
 * Owns the migration list "draw" and its tables: `entries` (one per consumer, with its
 * rank key fixed at entry), `fairness` (seed, commitment, counts, root, the lost cursor),
 * `merkle` (written by merkle-store.ts).
 */
import { fromHex, hex } from "../../lib/sha256";
import type { GrantState } from "../kernel/grants";
import { commitmentOf, rankKeyer } from "./fairness";

export type DrawEntryStatus = "ENTERED" | "LEFT" | "WON" | "CLAIMED" | "EXPIRED";

export type DrawEntry = {
	ordinal: number;
	entry_id: string;
	consumer_id: string;
	rank_key: string;
	status: DrawEntryStatus;
	entered_at: number;
	leaf: number | null;
	won_at: number | null;
	claim_by: number | null;
	grant_id: string | null;
	backfilled: number;
	finished_at: number | null;
};

export type Fairness = {
	seed: string;
	commitment: string;
	entry_count: number | null;
	merkle_root: string | null;
	drawn_at: number | null;
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
];

/** The grant a winning entry holds, as the kernel judges it: live while WON, then used (CLAIMED) or expired. */
export function grantOf(e: DrawEntry | null): GrantState | null {
	if (!e?.grant_id || e.claim_by == null || e.won_at == null) return null;
	const state = e.status === "WON" ? "live" : e.status === "CLAIMED" ? "used" : "expired";
	return { grantId: e.grant_id, issuedAt: e.won_at, expiresAt: e.claim_by, state };
}

const COLUMNS =
	"ordinal, entry_id, consumer_id, rank_key, status, entered_at, leaf, won_at, claim_by, grant_id, backfilled, finished_at";

export class DrawStore {
	private rankKey: ((entryId: string) => string) | null = null;

	constructor(private readonly sql: SqlStorage) {}

	/** The secret seed, created once; its SHA-256 is the public commitment. */
	fairness(): Fairness {
		const row = this.sql
			.exec<Fairness>("SELECT seed, commitment, entry_count, merkle_root, drawn_at FROM fairness")
			.toArray()[0];
		if (row) return row;
		const seed = crypto.getRandomValues(new Uint8Array(32));
		const created = {
			seed: hex(seed),
			commitment: commitmentOf(seed),
			entry_count: null,
			merkle_root: null,
			drawn_at: null,
		};
		this.sql.exec("INSERT INTO fairness (id, seed, commitment) VALUES (1, ?, ?)", created.seed, created.commitment);
		return created;
	}

	private keyOf(entryId: string): string {
		if (!this.rankKey) this.rankKey = rankKeyer(fromHex(this.fairness().seed));
		return this.rankKey(entryId);
	}

	entry(consumerId: string): DrawEntry | null {
		return (
			this.sql.exec<DrawEntry>(`SELECT ${COLUMNS} FROM entries WHERE consumer_id = ?`, consumerId).toArray()[0] ?? null
		);
	}

	/** ENTERED right now, from a counter kept by enter, leave and win. */
	entered(): number {
		this.fairness();
		return this.sql.exec<{ n: number }>("SELECT entered_count AS n FROM fairness").one().n;
	}

	private countEntered(by: number): void {
		this.fairness();
		this.sql.exec("UPDATE fairness SET entered_count = entered_count + ?", by);
	}

	/** Wins still open (WON, not yet claimed or expired), through the status index. */
	openWins(): number {
		return this.sql.exec<{ n: number }>("SELECT COUNT(*) AS n FROM entries WHERE status = 'WON'").one().n;
	}

	/** Adds the consumer, or re-enters one that left (keeping its entry id). The rank key is fixed now. */
	enter(consumerId: string, entryId: string, now: number): void {
		this.countEntered(1);
		this.sql.exec(
			`INSERT INTO entries (entry_id, consumer_id, rank_key, status, entered_at) VALUES (?, ?, ?, 'ENTERED', ?)
			 ON CONFLICT (consumer_id) DO UPDATE SET status = 'ENTERED', entered_at = excluded.entered_at`,
			entryId,
			consumerId,
			this.keyOf(entryId),
			now,
		);
	}

	setStatus(consumerId: string, status: DrawEntryStatus, now: number): void {
		if (status === "LEFT") this.countEntered(-1);
		this.sql.exec("UPDATE entries SET status = ?, finished_at = ? WHERE consumer_id = ?", status, now, consumerId);
	}

	markDrawn(now: number): void {
		this.sql.exec("UPDATE fairness SET drawn_at = ?", now);
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
		const cursor = this.sql.exec<{ c: string | null }>("SELECT lost_cursor AS c FROM fairness").toArray()[0]?.c ?? "|";
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
		if (last) this.sql.exec("UPDATE fairness SET lost_cursor = ?", `${last.rank_key}|${last.entry_id}`);
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

	/** Sealed entry ids in leaf order, a chunk at a time (for the public export). */
	leaves(afterLeaf: number, limit: number): string[] {
		return this.sql
			.exec<{ entry_id: string }>("SELECT entry_id FROM entries WHERE leaf > ? ORDER BY leaf LIMIT ?", afterLeaf, limit)
			.toArray()
			.map((r) => r.entry_id);
	}
}
