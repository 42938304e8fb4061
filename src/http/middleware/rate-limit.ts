/**
 * Per-minute budgets. Admin API: per key (spec: products 100, consumers 100, orders 50
 * for writes; reads of those and every other admin route share the general 300). Shoppers: guest
 * sessions per client address, so one bot cannot mint a million consumers; the consumer API's hot
 * paths have budgets of their own (distributions/limits). The counting, the headers and the 429
 * are shared by both.
 */
import type { Context, Next } from "hono";
import { createMiddleware } from "hono/factory";
import { sha256Hex } from "../../lib/crypto";
import { clientAddress } from "../client-address";
import type { AppEnv } from "../env";
import { ApiError } from "../problems";
import type { RateLimitResult } from "./rate-limiter-object";

export const RATE_LIMITS = { products: 100, consumers: 100, orders: 50, admin: 300, guests: 60 } as const;
export type RateBucket = keyof typeof RATE_LIMITS;

const WINDOW_MS = 60_000;

/** The RateLimit-* headers of a counted request (draft-ietf-httpapi-ratelimit-headers, as the admin API sends them). */
export function limitHeaders(result: RateLimitResult): Record<string, string> {
	return {
		"RateLimit-Limit": String(result.limit),
		"RateLimit-Remaining": String(result.remaining),
		"RateLimit-Reset": String(Math.ceil(result.resetMs / 1000)),
	};
}

/** The 429 for a spent budget: `Rate limit exceeded`, naming it, with Retry-After and the RateLimit-* headers. */
export function limitExceeded(result: RateLimitResult, what: string, per: string): ApiError {
	const resetSeconds = Math.ceil(result.resetMs / 1000);
	return new ApiError(
		429,
		"Rate limit exceeded",
		`At most ${result.limit} ${what} per minute per ${per}; retry in ${Math.max(1, resetSeconds)} s.`,
		undefined,
		{ ...limitHeaders(result), "Retry-After": String(Math.max(1, resetSeconds)) },
	);
}

/** Counts one request in object `limiterName`'s `bucket` (the sliding log of rate-limiter-object.ts). */
export const spend = (env: Env, limiterName: string, bucket: string, limit: number, windowMs = WINDOW_MS) =>
	env.RATE_LIMITER.getByName(limiterName).hit(bucket, limit, windowMs);

/**
 * How many RateLimiter objects share the consumer API's per-consumer and per-address budgets. A
 * launch of 1M arrivals a minute, at 2× its average in the first seconds, hits them ≈ 67k times a
 * second (an enter spends a consumer's and an address's budget): ≈ 520 a second per shard, half the
 * ~1,000 requests/s an object is meant for, as the queue's entry shards are sized (bench/README.md).
 * Changing it moves most buckets to another shard: their budgets start afresh once, at that deploy.
 */
export const LIMITER_SHARDS = 128;

/** FNV-1a of `key`, folded onto the shards: cheap, stable, and spread evenly over server-minted ids and hashes. */
export function limiterShard(key: string): number {
	let h = 0x811c9dc5;
	for (let i = 0; i < key.length; i++) h = Math.imul(h ^ key.charCodeAt(i), 0x01000193);
	return (h >>> 0) % LIMITER_SHARDS;
}

/**
 * Counts one request of `key`'s `bucket` (its own sliding log, as with `spend`) in one of
 * LIMITER_SHARDS shared objects instead of an object of its own: a launch's shoppers are new
 * consumers, and creating an object per consumer cost several times the enter it guarded.
 */
export const spendSharded = (env: Env, key: string, bucket: string, limit: number, windowMs = WINDOW_MS) =>
	spend(env, `limits:${limiterShard(key)}`, `${bucket}|${key}`, limit, windowMs);

/**
 * Counts the request in `limiterName`'s `bucket`: 429 with Retry-After once it is spent,
 * else the handler runs and its response carries the RateLimit-* headers.
 */
async function limited(c: Context<AppEnv>, next: Next, limiterName: string, bucket: RateBucket, per: string) {
	const result = await spend(c.env, limiterName, bucket, RATE_LIMITS[bucket]);
	if (!result.allowed) throw limitExceeded(result, `${bucket} requests`, per);
	await next();
	for (const [name, value] of Object.entries(limitHeaders(result))) c.res.headers.set(name, value);
}

/** Methods that change nothing: they spend the general budget, not the resource's write budget. */
const READS = new Set(["GET", "HEAD", "OPTIONS"]);

/**
 * The resource budgets guard writes: a queue admitting 100 shoppers a minute must not be
 * throttled by its own order callbacks reading products and consumers back.
 */
export const bucketFor = (bucket: RateBucket, method: string): RateBucket => (READS.has(method) ? "admin" : bucket);

export const rateLimit = (bucket: RateBucket) =>
	createMiddleware<AppEnv>((c, next) =>
		limited(c, next, c.get("tenant").apiKeyId, bucketFor(bucket, c.req.method), "API key"),
	);

/**
 * Guest sessions per client address (an IPv6 /64, see client-address.ts) and organization;
 * the address is hashed before it names an object. Without one (a local server that was
 * sent no `CF-Connecting-IP`) there is nothing to key on.
 */
export const guestRateLimit = createMiddleware<AppEnv>(async (c, next) => {
	const ip = clientAddress(c.req.header("CF-Connecting-IP"));
	if (!ip) return next();
	const name = `guests:${await sha256Hex(`${c.get("tenant").organizationId}|${ip}`)}`;
	await limited(c, next, name, "guests", "client address");
});
