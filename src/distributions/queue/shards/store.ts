/**
 * A queue shard's SQLite (shards/object.ts). Owns the migration list "queue-shard" and its tables:
 *  - `arrivals`: one row per consumer that entered through this shard — lane, arrival time, the
 *    shard's own seq (arrival order), `left_at` (left before it was forwarded) and `forwarded`
 *    (the queue's object acknowledged it; from then on the queue's object answers for the consumer);
 *  - `gate` (one JSON row): the queue's timeline, this shard's index and whether the queue is sold
 *    out, as the queue's object last pushed them, plus the line counts of its last acknowledgement.
 * No schedule table: the shard's only alarm is its flush (object.ts).
 */
import type { StoredTimeline } from "../../kernel/object";
import type { Lane } from "../store";

export const SHARD_MIGRATIONS = [
	`CREATE TABLE arrivals (
		seq INTEGER PRIMARY KEY AUTOINCREMENT,
		consumer_id TEXT NOT NULL UNIQUE,
		lane INTEGER NOT NULL,
		arrived_at INTEGER NOT NULL,
		left_at INTEGER,
		forwarded INTEGER NOT NULL DEFAULT 0
	);
	CREATE INDEX arrivals_pending ON arrivals (forwarded, seq);
	CREATE TABLE gate (id INTEGER PRIMARY KEY CHECK (id = 1), json TEXT NOT NULL);`,
];

/** One arrival as the shard forwards it to the queue's object. */
export interface Arrival {
	seq: number;
	consumerId: string;
	lane: Lane;
	arrivedAt: number;
	/** Left while still waiting in the shard: the queue's object applies the leave at this time. */
	leftAt: number | null;
}

/** What the queue's object pushes to each shard (configure, sold-out changes) and the shard keeps. */
export interface ShardGate {
	timeline: StoredTimeline;
	index: number;
	soldOut: boolean;
	/** From the last acknowledgement: consumers waiting in the queue's line then (0 before any). */
	waiting?: number;
	/** The time up to which this shard has told the queue every arrival (its last complete flush). */
	drainedTo?: number;
}

/** The queue's object's answer to one batch. */
export interface IngestAck {
	/** Every arrival of this shard with seq ≤ acked is in the queue's line (or was refused there): forwarded. */
	acked: number;
	soldOut: boolean;
	/** Consumers waiting in the line now (pre-queue included). */
	waiting: number;
}

type Row = {
	seq: number;
	consumer_id: string;
	lane: Lane;
	arrived_at: number;
	left_at: number | null;
	forwarded: number;
};

export type ShardRow = Row;

export class ShardStore {
	private cachedGate: ShardGate | null | undefined;
	/**
	 * Pending arrivals that have not left, as the table holds them; undefined until counted. A new
	 * arrival is at the back, so its count ahead is this before it was added: one COUNT per flush
	 * (acknowledge forgets it) instead of one per enter over every pending row.
	 */
	private live: number | undefined;

	constructor(private readonly sql: SqlStorage) {}

	gate(): ShardGate | null {
		if (this.cachedGate === undefined) {
			const row = this.sql.exec<{ json: string }>("SELECT json FROM gate WHERE id = 1").toArray()[0];
			this.cachedGate = row ? (JSON.parse(row.json) as ShardGate) : null;
		}
		return this.cachedGate;
	}

	setGate(gate: ShardGate): void {
		this.sql.exec("INSERT OR REPLACE INTO gate (id, json) VALUES (1, ?)", JSON.stringify(gate));
		this.cachedGate = gate;
	}

	/** After storage was wiped: no gate any more (the tables are gone too: nothing is stored again). */
	forget(): void {
		this.cachedGate = null;
		this.live = undefined;
	}

	row(consumerId: string): Row | null {
		return this.sql.exec<Row>("SELECT * FROM arrivals WHERE consumer_id = ?", consumerId).toArray()[0] ?? null;
	}

	/**
	 * A new arrival at the back of this shard, and how many live pending arrivals are ahead of it.
	 * `replaces`: the consumer's pending row that left (a re-entry is a new arrival) goes first.
	 */
	add(consumerId: string, lane: Lane, now: number, replaces: boolean): { row: Row; ahead: number } {
		if (replaces) this.sql.exec("DELETE FROM arrivals WHERE consumer_id = ? AND forwarded = 0", consumerId);
		const ahead = this.liveCount();
		const row = this.sql
			.exec<Row>(
				"INSERT INTO arrivals (consumer_id, lane, arrived_at) VALUES (?, ?, ?) RETURNING *",
				consumerId,
				lane,
				now,
			)
			.one();
		this.live = ahead + 1;
		return { row, ahead };
	}

	private liveCount(): number {
		this.live ??= this.sql
			.exec<{ n: number }>("SELECT COUNT(*) AS n FROM arrivals WHERE forwarded = 0 AND left_at IS NULL")
			.one().n;
		return this.live;
	}

	promote(consumerId: string): void {
		this.sql.exec("UPDATE arrivals SET lane = 0 WHERE consumer_id = ? AND forwarded = 0", consumerId);
	}

	markLeft(consumerId: string, now: number): void {
		this.sql.exec(
			"UPDATE arrivals SET left_at = ? WHERE consumer_id = ? AND forwarded = 0 AND left_at IS NULL",
			now,
			consumerId,
		);
		this.live = undefined;
	}

	/** The oldest `limit` arrivals not yet acknowledged, in arrival order. */
	pending(limit: number): Arrival[] {
		return this.sql
			.exec<Row>("SELECT * FROM arrivals WHERE forwarded = 0 ORDER BY seq LIMIT ?", limit)
			.toArray()
			.map((r) => ({
				seq: r.seq,
				consumerId: r.consumer_id,
				lane: r.lane,
				arrivedAt: r.arrived_at,
				leftAt: r.left_at,
			}));
	}

	hasPending(): boolean {
		return this.sql.exec("SELECT 1 FROM arrivals WHERE forwarded = 0 LIMIT 1").toArray().length > 0;
	}

	/** Still waiting here ahead of `seq` (left ones excluded). */
	pendingAhead(seq: number): number {
		return this.sql
			.exec<{ n: number }>(
				"SELECT COUNT(*) AS n FROM arrivals WHERE forwarded = 0 AND left_at IS NULL AND seq < ?",
				seq,
			)
			.one().n;
	}

	/** Applies an acknowledgement: rows up to `acked` are forwarded; the counts it carried are kept. */
	acknowledge(ack: IngestAck, drainedTo: number | null): void {
		this.sql.exec("UPDATE arrivals SET forwarded = 1 WHERE forwarded = 0 AND seq <= ?", ack.acked);
		this.live = undefined;
		const gate = this.gate();
		if (!gate) return;
		this.setGate({
			...gate,
			soldOut: ack.soldOut,
			waiting: ack.waiting,
			drainedTo: drainedTo == null ? gate.drainedTo : Math.max(gate.drainedTo ?? 0, drainedTo),
		});
	}
}
