/**
 * RateLimiter — one object per API key (the admin budgets), and a fixed set of shard objects
 * for the consumer API's per-consumer and per-address budgets (`spendSharded` in rate-limit.ts).
 *
 * Owns table `hits(bucket, at)`: the accepted requests of the last window, per bucket
 * (products, consumers, orders, admin; `enter|consumer:…` on a shard). No alarms: a bucket's
 * old hits are pruned when it is next hit, and every SWEEP_EVERY accepted hits one statement
 * drops every row older than SWEEP_HORIZON_MS (buckets never hit again), so a shard holding a
 * launch's million consumers does not keep their rows.
 *
 * Each bucket's log is also kept in memory (loaded from the table the first time the instance
 * sees the bucket), so a hit costs one INSERT instead of DELETE + SELECT + INSERT: the object
 * counts each call as it arrives, every accepted hit is written before the answer leaves, and
 * a fresh instance reads the table again, so the count stays exact across eviction. The
 * writes of the hits that arrive together share one commit (kernel/group-commit.ts): a
 * shard hit by a launch's shoppers at once pays for one commit per turn, not one per hit,
 * and an API key's object, hit now and then, writes each hit at once as before.
 * A hit whose write fails fails its caller's request (its savepoint rolled back, the others
 * of its group stored) and stays counted in memory: a limiter that cannot store errs towards
 * refusing, never towards letting more through.
 *
 * Why an object and not the Workers rate-limiting binding: the binding counts per
 * Cloudflare location (approximate) and answers only allowed/denied, while the API
 * promises an exact per-key budget with `RateLimit-Remaining` and `Retry-After`.
 */
import { DurableObject } from "cloudflare:workers";
import { GroupCommit, inSavepoints } from "../../distributions/kernel/group-commit";
import { migrate } from "../../distributions/kernel/migrations";

const MIGRATIONS = [
	`CREATE TABLE hits (id INTEGER PRIMARY KEY AUTOINCREMENT, bucket TEXT NOT NULL, at INTEGER NOT NULL);
	 CREATE INDEX hits_bucket_at ON hits (bucket, at);`,
];

/** Rows older than this belong to no live window (every budget's window is at most this long). */
export const SWEEP_HORIZON_MS = 60 * 60 * 1000;
const SWEEP_EVERY = 1000;
/** Buckets kept in memory; past this the memory starts again and buckets are re-read from the table. */
const MAX_BUCKETS = 50_000;

export interface RateLimitResult {
	allowed: boolean;
	limit: number;
	remaining: number;
	/** Milliseconds until the oldest counted request leaves the window. */
	resetMs: number;
}

export class RateLimiter extends DurableObject<Env> {
	/** Accepted hit times per bucket, oldest first, as the table holds them for the last window. */
	private readonly logs = new Map<string, number[]>();
	private untilSweep = SWEEP_EVERY;
	/** The hits' writes: at once when idle; when busy, those of one turn in one transaction. */
	private readonly writes = new GroupCommit<() => void, void>((batch) => {
		const outcomes = inSavepoints(
			(fn) => this.ctx.storage.transactionSync(fn),
			batch,
			(write) => write(),
		);
		// Forgotten only here, with every counted hit stored: a bucket read again misses none.
		if (this.logs.size >= MAX_BUCKETS) this.logs.clear();
		return outcomes;
	});

	constructor(ctx: DurableObjectState, env: Env) {
		super(ctx, env);
		ctx.blockConcurrencyWhile(async () => migrate(ctx.storage.sql, "rate-limiter", MIGRATIONS));
	}

	/**
	 * Counts one request against `bucket`. Invariant: at most `limit` requests are
	 * allowed in any `windowMs` span (a sliding log, not fixed windows, so there is no
	 * double burst at a window edge). A denied request is not counted. Counted in memory at
	 * once (so concurrent hits never both take the last slot), answered once stored.
	 */
	async hit(bucket: string, limit: number, windowMs: number): Promise<RateLimitResult> {
		const sql = this.ctx.storage.sql;
		const now = Date.now();
		const from = now - windowMs;
		let log = this.logs.get(bucket);
		if (!log) {
			log = sql
				.exec<{ at: number }>("SELECT at FROM hits WHERE bucket = ? AND at > ? ORDER BY at", bucket, from)
				.toArray()
				.map((r) => r.at);
			this.logs.set(bucket, log);
		}
		let stale = 0;
		while (stale < log.length && log[stale] <= from) stale++;
		const prune = stale > 0;
		if (prune) log.splice(0, stale);
		const used = log.length;
		const allowed = used < limit;
		let sweep = false;
		if (allowed) {
			log.push(now);
			if (--this.untilSweep <= 0) {
				this.untilSweep = SWEEP_EVERY;
				sweep = true;
			}
		}
		const first = used ? log[0] : now;
		if (prune || allowed) {
			await this.writes.add(() => {
				if (prune) sql.exec("DELETE FROM hits WHERE bucket = ? AND at <= ?", bucket, from);
				if (allowed) sql.exec("INSERT INTO hits (bucket, at) VALUES (?, ?)", bucket, now);
				if (sweep) sql.exec("DELETE FROM hits WHERE at <= ?", now - SWEEP_HORIZON_MS);
			});
		}
		return {
			allowed,
			limit,
			remaining: Math.max(0, limit - used - (allowed ? 1 : 0)),
			resetMs: Math.max(0, first + windowMs - now),
		};
	}
}
