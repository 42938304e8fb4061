/**
 * The auction's hash-chained log, its state, and per-bidder idempotency records, in the object's SQLite.
 * Owns the migration list "auction" and its tables: `log` (bids, proxy steps, buy-nows and time changes,
 * chained from the genesis as log.ts says; an explicit bid's maximum and secret salt sit beside its
 * commitment, unpublished until settled; a "times" row has no bidder: consumer_id and bidder '' and
 * amount 0 in storage, null when read), `state` (one JSON row: bidding state, the times in force and
 * the soft-close baseline, frozen rules, the genesis and the reserve's salt, settlement), `bid_keys`
 * (idempotency keys of accepted bids). No schedule kind.
 */
import { chainHash, type Genesis, type LogEntry } from "./log";
import { type AuctionRules, type AuctionState, emptyState } from "./rules";

export const AUCTION_MIGRATIONS = [
	`CREATE TABLE log (seq INTEGER PRIMARY KEY, bidder TEXT NOT NULL, consumer_id TEXT NOT NULL, amount INTEGER NOT NULL,
		max_amount INTEGER, kind TEXT NOT NULL, placed_at INTEGER NOT NULL, prev_hash TEXT NOT NULL, hash TEXT NOT NULL);
	CREATE INDEX log_consumer ON log (consumer_id, seq);
	CREATE TABLE state (id INTEGER PRIMARY KEY CHECK (id = 1), json TEXT NOT NULL);
	CREATE TABLE bid_keys (consumer_id TEXT NOT NULL, key TEXT NOT NULL, reply TEXT NOT NULL, PRIMARY KEY (consumer_id, key));`,
	// auction-v2: commitments to the maxima (and their salts), and "times" entries.
	`ALTER TABLE log ADD COLUMN commitment TEXT;
	ALTER TABLE log ADD COLUMN salt TEXT;
	ALTER TABLE log ADD COLUMN close_at INTEGER;
	ALTER TABLE log ADD COLUMN settle_at INTEGER;
	ALTER TABLE log ADD COLUMN cause TEXT;`,
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

/** The chain's first link, fixed at the first bid; `reserveSalt` stays secret until settled. */
export interface Chain {
	genesis: Genesis;
	hash: string;
	reserveSalt: string;
	/** Hex HMAC key naming bidders (views.ts, pseudonymizer); never published. Absent in chains older than it. */
	pseudonymKey?: string;
}

/** Everything beyond the bidding state that the object keeps between calls. */
export interface StoredAuction {
	bidding: AuctionState;
	/** closeAt before any soft-close extension, and the extension so far (ms). */
	originalCloseAt: number | null;
	originalSettleAt: number | null;
	extendedMs: number;
	/** The times in force as this object last set or saw them: a configure that differs is a time change. */
	times?: { closeAt: number | null; settleAt: number | null };
	/** An extension not yet written through to D1. */
	timesDirty?: boolean;
	settlement: Settlement | null;
	/** The rules in force since the first bid (money and soft close): frozen, whatever a configure racing that bid says. */
	rules?: AuctionRules;
	/** Absent until the first bid. */
	chain?: Chain;
}

/** A stored entry: the published fields, plus whose it is, and an explicit bid's maximum and salt. */
export type LogRow = Omit<LogEntry, "maxAmount" | "salt"> & {
	consumerId: string | null;
	maxAmount: number | null;
	salt: string | null;
};

export type NewEntry = Omit<LogRow, "seq" | "placedAt" | "prevHash" | "hash">;

/** An entry with nothing but the kind and what it names: the rest null. */
export const entryOf = (e: Partial<NewEntry> & Pick<NewEntry, "kind">): NewEntry => ({
	consumerId: null,
	bidder: null,
	amount: null,
	maxAmount: null,
	salt: null,
	commitment: null,
	closeAt: null,
	settleAt: null,
	cause: null,
	...e,
});

type Row = {
	seq: number;
	bidder: string;
	consumer_id: string;
	amount: number;
	max_amount: number | null;
	kind: LogEntry["kind"];
	placed_at: number;
	prev_hash: string;
	hash: string;
	commitment: string | null;
	salt: string | null;
	close_at: number | null;
	settle_at: number | null;
	cause: LogEntry["cause"];
};

/** The last entry of the log: what a signed head names. */
export type Head = { seq: number; hash: string; placedAt: number };

const BIDDING = "kind IN ('bid', 'proxy', 'buy_now')";

/** Freezes `st`'s nested records: the cached state is shared, so only its top-level copy may be changed. */
function frozen(st: StoredAuction): StoredAuction {
	for (const value of Object.values(st)) deepFreeze(value);
	return st;
}

function deepFreeze(value: unknown): void {
	if (typeof value !== "object" || value === null || Object.isFrozen(value)) return;
	for (const inner of Object.values(value)) deepFreeze(inner);
	Object.freeze(value);
}

export class AuctionStore {
	/**
	 * The `state` row as last read or saved: a bid reads it three or four times (its rules, the
	 * decision, the answer), and each read was a SELECT and a JSON.parse. The owner calls
	 * `forget()` when a transaction rolls back or storage is wiped, so it never outlives the row.
	 */
	private cached: StoredAuction | undefined;

	constructor(private readonly sql: SqlStorage) {}

	/** The state (a copy whose top-level fields the caller may change; its nested records are frozen). */
	load(): StoredAuction {
		if (!this.cached) {
			const row = this.sql.exec<{ json: string }>("SELECT json FROM state WHERE id = 1").toArray()[0];
			this.cached = frozen(
				row
					? (JSON.parse(row.json) as StoredAuction)
					: { bidding: emptyState(), originalCloseAt: null, originalSettleAt: null, extendedMs: 0, settlement: null },
			);
		}
		return { ...this.cached };
	}

	/** Stores `state` and keeps it: its nested records are frozen from then on (callers build new ones). */
	save(state: StoredAuction): void {
		this.sql.exec("INSERT OR REPLACE INTO state (id, json) VALUES (1, ?)", JSON.stringify(state));
		this.cached = frozen({ ...state });
	}

	/** After a rollback or a wipe: the next load reads the row again. */
	forget(): void {
		this.cached = undefined;
	}

	nextSeq(): number {
		return (this.head()?.seq ?? 0) + 1;
	}

	/** The last entry's seq, hash and time, or null while the log is empty. */
	head(): Head | null {
		return (
			this.sql.exec<Head>("SELECT seq, hash, placed_at AS placedAt FROM log ORDER BY seq DESC LIMIT 1").toArray()[0] ??
			null
		);
	}

	/** Appends entries to the chain (the first links to `genesisHash`), at `now`; returns the new head. */
	append(genesisHash: string, entries: NewEntry[], now: number): Head {
		let head: Head = this.head() ?? { seq: 0, hash: genesisHash, placedAt: now };
		for (const e of entries) {
			const entry = { ...e, seq: head.seq + 1, placedAt: now };
			const hash = chainHash(head.hash, entry);
			this.sql.exec(
				`INSERT INTO log (seq, bidder, consumer_id, amount, max_amount, kind, placed_at, prev_hash, hash,
					commitment, salt, close_at, settle_at, cause) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
				entry.seq,
				entry.bidder ?? "",
				entry.consumerId ?? "",
				entry.amount ?? 0,
				entry.maxAmount,
				entry.kind,
				now,
				head.hash,
				hash,
				entry.commitment,
				entry.salt,
				entry.closeAt,
				entry.settleAt,
				entry.cause,
			);
			head = { seq: entry.seq, hash, placedAt: now };
		}
		return head;
	}

	/** Entries after `afterSeq` in order; or, `bidsOnly`, the bidding entries before it, newest first (the merchant's list). */
	entries(afterSeq: number, limit: number, bidsOnly = false): LogRow[] {
		const rows = this.sql
			.exec<Row>(
				bidsOnly
					? `SELECT * FROM log WHERE seq < ? AND ${BIDDING} ORDER BY seq DESC LIMIT ?`
					: "SELECT * FROM log WHERE seq > ? ORDER BY seq LIMIT ?",
				afterSeq,
				limit,
			)
			.toArray();
		return rows.map((r) => {
			const times = r.kind === "times";
			return {
				seq: r.seq,
				kind: r.kind,
				placedAt: r.placed_at,
				bidder: times ? null : r.bidder,
				consumerId: times ? null : r.consumer_id,
				amount: times ? null : r.amount,
				commitment: r.commitment,
				closeAt: r.close_at,
				settleAt: r.settle_at,
				cause: r.cause,
				prevHash: r.prev_hash,
				hash: r.hash,
				maxAmount: r.max_amount,
				salt: r.salt,
			};
		});
	}

	/** The consumer's highest maximum so far, or null if it never bid. */
	ownMax(consumerId: string): number | null {
		return this.sql
			.exec<{ m: number | null }>(
				"SELECT MAX(COALESCE(max_amount, amount)) AS m FROM log WHERE consumer_id = ? AND kind IN ('bid', 'buy_now')",
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
