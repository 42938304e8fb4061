/**
 * The auction's hash-chained bid log, its state, and per-bidder idempotency records, in the object's SQLite.
 * Owns the migration list "auction" and its tables: `log` (bids and proxy steps, chained as
 * log.ts says), `state` (one JSON row: bidding state, soft-close baseline, frozen rules, settlement),
 * `bid_keys` (idempotency keys of accepted bids). No schedule kind.
 */
import { chainHash, GENESIS_HASH, type LogEntry } from "./log";
import { type AuctionRules, type AuctionState, emptyState, type LogStep } from "./rules";

export const AUCTION_MIGRATIONS = [
	`CREATE TABLE log (seq INTEGER PRIMARY KEY, bidder TEXT NOT NULL, consumer_id TEXT NOT NULL, amount INTEGER NOT NULL,
		max_amount INTEGER, kind TEXT NOT NULL, placed_at INTEGER NOT NULL, prev_hash TEXT NOT NULL, hash TEXT NOT NULL);
	CREATE INDEX log_consumer ON log (consumer_id, seq);
	CREATE TABLE state (id INTEGER PRIMARY KEY CHECK (id = 1), json TEXT NOT NULL);
	CREATE TABLE bid_keys (consumer_id TEXT NOT NULL, key TEXT NOT NULL, reply TEXT NOT NULL, PRIMARY KEY (consumer_id, key));`,
];

export interface Settlement {
	winner: string | null;
	price: number | null;
	reserveMet: boolean;
	grantId: string | null;
	settledAt: number;
	claimBy: number | null;
	claimedAt: number | null;
}

/** Everything beyond the bidding state that the object keeps between calls. */
export interface StoredAuction {
	bidding: AuctionState;
	/** closeAt before any soft-close extension, and the extension so far (ms). */
	originalCloseAt: number | null;
	originalSettleAt: number | null;
	extendedMs: number;
	/** An extension not yet written through to D1. */
	timesDirty?: boolean;
	settlement: Settlement | null;
	/** The rules in force since the first bid: frozen, whatever a configure racing that bid says. */
	rules?: AuctionRules;
}

export type LogRow = LogEntry & { consumerId: string };

export class AuctionStore {
	constructor(private readonly sql: SqlStorage) {}

	load(): StoredAuction {
		const row = this.sql.exec<{ json: string }>("SELECT json FROM state WHERE id = 1").toArray()[0];
		return row
			? (JSON.parse(row.json) as StoredAuction)
			: { bidding: emptyState(), originalCloseAt: null, originalSettleAt: null, extendedMs: 0, settlement: null };
	}

	save(state: StoredAuction): void {
		this.sql.exec("INSERT OR REPLACE INTO state (id, json) VALUES (1, ?)", JSON.stringify(state));
	}

	nextSeq(): number {
		return (this.sql.exec<{ n: number | null }>("SELECT MAX(seq) AS n FROM log").one().n ?? 0) + 1;
	}

	/** Appends steps to the chain; explicit bids carry their maximum. */
	append(steps: LogStep[], pseudonyms: Map<string, string>, maxAmount: number | null, now: number): void {
		let prev =
			this.sql.exec<{ hash: string }>("SELECT hash FROM log ORDER BY seq DESC LIMIT 1").toArray()[0]?.hash ??
			GENESIS_HASH;
		for (const step of steps) {
			const entry = {
				seq: this.nextSeq(),
				bidder: pseudonyms.get(step.bidder) ?? step.bidder,
				amount: step.amount,
				maxAmount: step.kind === "bid" ? maxAmount : null,
				kind: step.kind,
				placedAt: now,
			};
			const hash = chainHash(prev, entry);
			this.sql.exec(
				"INSERT INTO log (seq, bidder, consumer_id, amount, max_amount, kind, placed_at, prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
				entry.seq,
				entry.bidder,
				step.bidder,
				entry.amount,
				entry.maxAmount,
				entry.kind,
				now,
				prev,
				hash,
			);
			prev = hash;
		}
	}

	entries(afterSeq: number, limit: number, newestFirst = false): LogRow[] {
		const rows = this.sql
			.exec<{
				seq: number;
				bidder: string;
				consumer_id: string;
				amount: number;
				max_amount: number | null;
				kind: LogEntry["kind"];
				placed_at: number;
				prev_hash: string;
				hash: string;
			}>(
				newestFirst
					? "SELECT * FROM log WHERE seq < ? ORDER BY seq DESC LIMIT ?"
					: "SELECT * FROM log WHERE seq > ? ORDER BY seq LIMIT ?",
				afterSeq,
				limit,
			)
			.toArray();
		return rows.map((r) => ({
			seq: r.seq,
			bidder: r.bidder,
			consumerId: r.consumer_id,
			amount: r.amount,
			maxAmount: r.max_amount,
			kind: r.kind,
			placedAt: r.placed_at,
			prevHash: r.prev_hash,
			hash: r.hash,
		}));
	}

	/** The consumer's highest maximum so far, or null if it never bid. */
	ownMax(consumerId: string): number | null {
		return this.sql
			.exec<{ m: number | null }>(
				"SELECT MAX(COALESCE(max_amount, amount)) AS m FROM log WHERE consumer_id = ? AND kind <> 'proxy'",
				consumerId,
			)
			.one().m;
	}

	replayOf(consumerId: string, key: string): string | null {
		return (
			this.sql
				.exec<{ reply: string }>("SELECT reply FROM bid_keys WHERE consumer_id = ? AND key = ?", consumerId, key)
				.toArray()[0]?.reply ?? null
		);
	}

	remember(consumerId: string, key: string, reply: unknown): void {
		this.sql.exec(
			"INSERT INTO bid_keys (consumer_id, key, reply) VALUES (?, ?, ?)",
			consumerId,
			key,
			JSON.stringify(reply),
		);
	}
}
