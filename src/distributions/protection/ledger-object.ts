/**
 * ChallengeLedger — one object per distribution, named by its id: the proof-of-work challenges
 * spent on it, so each is accepted once, and from them the distribution's arrival rate that sets
 * the next challenges' difficulty (pow.ts `difficultyFor`).
 *
 * Owns tables `spent(id, expires_at, spent_at)` and `bidders(consumer_id)` — the consumers who
 * spent a `bid` challenge (or passed Turnstile) here, since only an auction's first bid (or buy-now) needs one. No alarms: a challenge
 * past its expiry is refused here as by the signature check, so the next spend prunes rows a minute
 * past theirs and an idle distribution costs nothing.
 *
 * Why sharded by distribution rather than by challenge: the arrival rate is per distribution,
 * and this object sees every arrival exactly once; a hot launch's ledger then takes one SQLite
 * insert per entry, the same order of work as the distribution's own object.
 */
import { DurableObject } from "cloudflare:workers";
import { migrate } from "../kernel/migrations";

const MIGRATIONS = [
	`CREATE TABLE spent (id TEXT PRIMARY KEY, expires_at INTEGER NOT NULL, spent_at INTEGER NOT NULL);
	 CREATE INDEX spent_expires ON spent (expires_at);
	 CREATE INDEX spent_at ON spent (spent_at);`,
	"CREATE TABLE bidders (consumer_id TEXT PRIMARY KEY);",
];

const RATE_WINDOW_MS = 60_000;
/** A spent row stays this long past its challenge's expiry (the clocks of the worker and this object may differ). */
const PRUNE_AFTER_MS = 60_000;

export class ChallengeLedger extends DurableObject<Env> {
	constructor(ctx: DurableObjectState, env: Env) {
		super(ctx, env);
		ctx.blockConcurrencyWhile(async () => migrate(ctx.storage.sql, "challenge-ledger", MIGRATIONS));
	}

	/**
	 * Records challenge `id` as spent. Invariant: true at most once per id — every later call with
	 * the same id is false, and so is any call at or after its expiry by this object's clock. The
	 * worker checked the expiry by its own clock first; a burst sent as the challenge expires could
	 * otherwise reach this object just after, when the prune had removed the first spend.
	 */
	spend(id: string, expiresAt: number, bidder?: string): boolean {
		const sql = this.ctx.storage.sql;
		const now = Date.now();
		if (expiresAt <= now) return false;
		sql.exec("DELETE FROM spent WHERE expires_at <= ?", now - PRUNE_AFTER_MS);
		const inserted = sql.exec(
			"INSERT INTO spent (id, expires_at, spent_at) VALUES (?, ?, ?) ON CONFLICT (id) DO NOTHING",
			id,
			expiresAt,
			now,
		);
		if (inserted.rowsWritten === 0) return false;
		if (bidder) sql.exec("INSERT INTO bidders (consumer_id) VALUES (?) ON CONFLICT DO NOTHING", bidder);
		return true;
	}

	/** Records a bidder whose first bid passed a Turnstile check (no challenge id to spend: siteverify keeps tokens single use). */
	addBidder(consumerId: string): void {
		this.ctx.storage.sql.exec("INSERT INTO bidders (consumer_id) VALUES (?) ON CONFLICT DO NOTHING", consumerId);
	}

	/** Whether `consumerId` spent a bid challenge on this auction before (its later bids need none). Reads only. */
	hasBid(consumerId: string): boolean {
		return this.ctx.storage.sql.exec("SELECT 1 FROM bidders WHERE consumer_id = ?", consumerId).toArray().length > 0;
	}

	/** Challenges spent in the last minute: the distribution's arrivals per minute. Reads only. */
	arrivalsPerMinute(): number {
		return this.ctx.storage.sql
			.exec<{ n: number }>("SELECT COUNT(*) AS n FROM spent WHERE spent_at > ?", Date.now() - RATE_WINDOW_MS)
			.one().n;
	}
}
