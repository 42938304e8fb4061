/**
 * RateLimiter — one object per API key.
 *
 * Owns table `hits(bucket, at)`: the accepted requests of the last window, per
 * bucket (products, consumers, orders, admin). No alarms: old hits are pruned on
 * the next call, so an idle key costs nothing.
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

export interface RateLimitResult {
	allowed: boolean;
	limit: number;
	remaining: number;
	/** Milliseconds until the oldest counted request leaves the window. */
	resetMs: number;
}

export class RateLimiter extends DurableObject<Env> {
	constructor(ctx: DurableObjectState, env: Env) {
		super(ctx, env);
		ctx.blockConcurrencyWhile(async () => migrate(ctx.storage.sql, "rate-limiter", MIGRATIONS));
	}

	/**
	 * Counts one request against `bucket`. Invariant: at most `limit` requests are
	 * allowed in any `windowMs` span (a sliding log, not fixed windows, so there is no
	 * double burst at a window edge). A denied request is not counted.
	 */
	hit(bucket: string, limit: number, windowMs: number): RateLimitResult {
		const sql = this.ctx.storage.sql;
		const now = Date.now();
		sql.exec("DELETE FROM hits WHERE bucket = ? AND at <= ?", bucket, now - windowMs);
		const { used, oldest } = sql
			.exec<{ used: number; oldest: number | null }>(
				"SELECT COUNT(*) AS used, MIN(at) AS oldest FROM hits WHERE bucket = ?",
				bucket,
			)
			.one();
		const allowed = used < limit;
		if (allowed) sql.exec("INSERT INTO hits (bucket, at) VALUES (?, ?)", bucket, now);
		const first = oldest ?? now;
		return {
			allowed,
			limit,
			remaining: Math.max(0, limit - used - (allowed ? 1 : 0)),
			resetMs: Math.max(0, first + windowMs - now),
		};
	}
}
