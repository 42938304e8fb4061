/**
 * Per-minute budgets. Admin API: per key (spec: products 100, consumers 100, orders 50
 * for writes; reads of those and every other admin route share the general 300). Shoppers: guest sessions per client address, so one bot
 * cannot mint a million consumers; the rest of the consumer API is bounded by design
 * (one place per consumer, polls answered at the edge).
 */
import type { Context, Next } from "hono";
import { createMiddleware } from "hono/factory";
import { sha256Hex } from "../../lib/crypto";
import type { AppEnv } from "../env";
import { ApiError } from "../problems";

export const RATE_LIMITS = { products: 100, consumers: 100, orders: 50, admin: 300, guests: 60 } as const;
export type RateBucket = keyof typeof RATE_LIMITS;

const WINDOW_MS = 60_000;

/**
 * Counts the request in `limiterName`'s `bucket`: 429 with Retry-After once it is spent,
 * else the handler runs and its response carries the RateLimit-* headers.
 */
async function limited(c: Context<AppEnv>, next: Next, limiterName: string, bucket: RateBucket, per: string) {
	const result = await c.env.RATE_LIMITER.getByName(limiterName).hit(bucket, RATE_LIMITS[bucket], WINDOW_MS);
	const resetSeconds = Math.ceil(result.resetMs / 1000);
	const headers = {
		"RateLimit-Limit": String(result.limit),
		"RateLimit-Remaining": String(result.remaining),
		"RateLimit-Reset": String(resetSeconds),
	};
	if (!result.allowed) {
		throw new ApiError(
			429,
			"Rate limit exceeded",
			`At most ${result.limit} ${bucket} requests per minute per ${per}; retry in ${resetSeconds} s.`,
			undefined,
			{ ...headers, "Retry-After": String(Math.max(1, resetSeconds)) },
		);
	}
	await next();
	for (const [name, value] of Object.entries(headers)) c.res.headers.set(name, value);
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
 * Guest sessions per client address and organization. The address is Cloudflare's
 * `CF-Connecting-IP` (set by the edge, not by the client); it is hashed before it
 * names an object. Without it (a local server) there is nothing to key on.
 */
export const guestRateLimit = createMiddleware<AppEnv>(async (c, next) => {
	const ip = c.req.header("CF-Connecting-IP");
	if (!ip) return next();
	const name = `guests:${await sha256Hex(`${c.get("tenant").organizationId}|${ip}`)}`;
	await limited(c, next, name, "guests", "client address");
});
