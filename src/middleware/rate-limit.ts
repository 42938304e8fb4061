/** Per-key, per-minute budgets (spec: products 100, consumers 100, orders 50; other admin routes 300). */
import { createMiddleware } from "hono/factory";
import type { AppEnv } from "../env";
import { ApiError } from "../lib/errors";

export const RATE_LIMITS = { products: 100, consumers: 100, orders: 50, admin: 300 } as const;
export type RateBucket = keyof typeof RATE_LIMITS;

const WINDOW_MS = 60_000;

export const rateLimit = (bucket: RateBucket) =>
	createMiddleware<AppEnv>(async (c, next) => {
		const limiter = c.env.RATE_LIMITER.getByName(c.get("tenant").apiKeyId);
		const result = await limiter.hit(bucket, RATE_LIMITS[bucket], WINDOW_MS);
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
				`At most ${result.limit} ${bucket} requests per minute per API key; retry in ${resetSeconds} s.`,
				undefined,
				{ ...headers, "Retry-After": String(Math.max(1, resetSeconds)) },
			);
		}
		await next();
		for (const [name, value] of Object.entries(headers)) c.res.headers.set(name, value);
	});
