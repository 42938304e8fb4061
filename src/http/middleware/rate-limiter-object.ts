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
 * sees the bucket, unless the instance has held every hit in memory for longer than the window), and the object counts each call there as it arrives, so concurrent hits never
 * both take the last slot and the count is exact while the object runs. A quiet object stores a hit
 * before its answer leaves, as a plain write; a busy one (it wrote in the last QUIET_MS)
 * writes behind the answers: the hits accepted meanwhile (and the prunes and sweeps they bring) are
 * stored together, in one transaction, WRITE_BEHIND_MS after the first of them. A commit per hit was
 * about a quarter of an enter's CPU (bench, one run: enter 1,063 µs/req without the limiter's write,
 * ≈ 1,400–1,500 with it — each shard of a launch is hit too sparsely for group commit to share
 * commits), and an exact limit does not need each hit durable before its answer: an instance the
 * runtime evicts for inactivity stored its last hits long before, and a fresh instance reads the
 * table again. What an instance lost in a crash or a redeploy can cost is bounded: the hits of its
 * last WRITE_BEHIND_MS, which their consumers may spend once more. A write that fails stays pending and
 * is tried again WRITE_BEHIND_MS later; its hits stay counted in memory (refusing more, never less),
 * though a crash while writes keep failing forgets every hit since the last one that succeeded.
 *
 * Why an object and not the Workers rate-limiting binding: the binding counts per
 * Cloudflare location (approximate) and answers only allowed/denied, while the API
 * promises an exact per-key budget with `RateLimit-Remaining` and `Retry-After`.
 */
import { DurableObject } from "cloudflare:workers";
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
/** An object that wrote less recently than this is quiet: it stores a hit before answering. */
export const QUIET_MS = 250;
/**
 * How long a busy object's accepted hit may wait for its row (and how much of a window a crash can
 * forget). Long enough that a shard hit a few times a second still shares a commit among several
 * hits (128 shards at this machine's ≈ 700 enters/s: ≈ 5 a second each).
 */
export const WRITE_BEHIND_MS = 1000;

/** What the next write stores: new hits, each touched bucket's prune horizon, and a sweep when due. */
interface PendingWrite {
	hits: [bucket: string, at: number][];
	prunes: Map<string, number>;
	sweepBefore: number | null;
}

const nothingPending = (): PendingWrite => ({ hits: [], prunes: new Map(), sweepBefore: null });

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
	private pending = nothingPending();
	private writeTimer: ReturnType<typeof setTimeout> | null = null;
	private lastWriteAt = Number.NEGATIVE_INFINITY;
	/**
	 * Since when `logs` holds every hit stored: from this instance's start (a second after the last
	 * row an earlier instance stored; always, with none stored), or from its last clear (made only with
	 * every hit stored). A bucket missing from `logs` has rows only from before, so once that is out of
	 * its window there is nothing to read: a launch's shards meet a new consumer on nearly every hit,
	 * and reading its empty log back was a SQLite query per enter.
	 */
	private memorySince = Number.NEGATIVE_INFINITY;

	constructor(ctx: DurableObjectState, env: Env) {
		super(ctx, env);
		ctx.blockConcurrencyWhile(async () => {
			migrate(ctx.storage.sql, "rate-limiter", MIGRATIONS);
			// Rows go in in hit order, so the newest id holds the latest stored hit; the second covers a
			// clock that differs a little on the machine the object moved to.
			const [last] = ctx.storage.sql.exec<{ at: number }>("SELECT at FROM hits ORDER BY id DESC LIMIT 1").toArray();
			if (last) this.memorySince = last.at + 1000;
		});
	}

	/**
	 * Counts one request against `bucket`. Invariant: at most `limit` requests are
	 * allowed in any `windowMs` span (a sliding log, not fixed windows, so there is no
	 * double burst at a window edge). A denied request is not counted. Counted in memory at
	 * once (so concurrent hits never both take the last slot); stored within WRITE_BEHIND_MS.
	 */
	hit(bucket: string, limit: number, windowMs: number): RateLimitResult {
		const now = Date.now();
		const from = now - windowMs;
		let log = this.logs.get(bucket);
		if (!log) {
			log =
				from >= this.memorySince
					? []
					: this.ctx.storage.sql
							.exec<{ at: number }>("SELECT at FROM hits WHERE bucket = ? AND at > ? ORDER BY at", bucket, from)
							.toArray()
							.map((r) => r.at);
			this.logs.set(bucket, log);
		}
		let stale = 0;
		while (stale < log.length && log[stale] <= from) stale++;
		if (stale > 0) {
			log.splice(0, stale);
			this.pending.prunes.set(bucket, Math.max(from, this.pending.prunes.get(bucket) ?? from));
		}
		const used = log.length;
		const allowed = used < limit;
		if (allowed) {
			log.push(now);
			this.pending.hits.push([bucket, now]);
			if (--this.untilSweep <= 0) {
				this.untilSweep = SWEEP_EVERY;
				this.pending.sweepBefore = now - SWEEP_HORIZON_MS;
			}
		}
		if (stale > 0 || allowed) this.writeSoon(now);
		const first = used ? log[0] : now;
		return {
			allowed,
			limit,
			remaining: Math.max(0, limit - used - (allowed ? 1 : 0)),
			resetMs: Math.max(0, first + windowMs - now),
		};
	}

	/**
	 * A quiet object (no write in the last QUIET_MS: an API key's, hit now and then) writes at
	 * once, in this call's task, so the answer leaves once the hit is stored, as a plain write; a
	 * busy one writes behind, with whatever else arrives until then.
	 */
	private writeSoon(now: number): void {
		if (this.writeTimer) return;
		if (now - this.lastWriteAt > QUIET_MS) this.write();
		else this.writeTimer = setTimeout(() => this.write(), WRITE_BEHIND_MS);
	}

	/** Stores what is pending in one transaction; on failure keeps it for the next write. */
	private write(): void {
		this.writeTimer = null;
		this.lastWriteAt = Date.now();
		const { hits, prunes, sweepBefore } = this.pending;
		this.pending = nothingPending();
		const sql = this.ctx.storage.sql;
		try {
			// Hits first: a prune then also drops a pending hit already older than its horizon.
			this.ctx.storage.transactionSync(() => {
				for (const [bucket, at] of hits) sql.exec("INSERT INTO hits (bucket, at) VALUES (?, ?)", bucket, at);
				for (const [bucket, from] of prunes) sql.exec("DELETE FROM hits WHERE bucket = ? AND at <= ?", bucket, from);
				if (sweepBefore != null) sql.exec("DELETE FROM hits WHERE at <= ?", sweepBefore);
			});
		} catch (error) {
			// Nothing was stored (the transaction rolled back) and nothing arrived meanwhile (this is synchronous).
			this.pending = { hits, prunes, sweepBefore };
			console.error("rate limiter: storing hits failed; retrying", error instanceof Error ? error.message : error);
			this.writeTimer = setTimeout(() => this.write(), WRITE_BEHIND_MS);
			return;
		}
		// Forgotten only here, with every counted hit stored: a bucket read again misses none.
		if (this.logs.size >= MAX_BUCKETS) {
			this.logs.clear();
			this.memorySince = Date.now();
		}
	}
}
