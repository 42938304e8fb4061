/**
 * The consumer API's hot-path rate limits: every enter, status poll, bid (and buy-now) and live
 * connect spends one request of its consumer's budget and of its client address's (an IPv6 /64),
 * per organization (budgets.ts). Enters, bids and connects are counted exactly, in the RateLimiter
 * objects (a sliding log per consumer and per address, as for the admin API's keys, kept in
 * LIMITER_SHARDS shared objects so a new consumer creates none: rate-limit.ts `spendSharded`); status
 * polls — answered at the edge without an object call when they carry a ticket — are counted in
 * this isolate's memory (memory-limiter.ts), so limiting them costs no object call either.
 * Every answer carries the RateLimit-* headers of the tighter budget; a spent one is a 429
 * `Rate limit exceeded` with Retry-After, before anything runs. Owns no table of its own.
 */
import type { Context, MiddlewareHandler } from "hono";
import { createMiddleware } from "hono/factory";
import { clientAddress } from "../../http/client-address";
import type { ConsumerEnv } from "../../http/env";
import { limitExceeded, limitHeaders, spendSharded } from "../../http/middleware/rate-limit";
import type { RateLimitResult } from "../../http/middleware/rate-limiter-object";
import { sha256Hex } from "../../lib/crypto";
import type { EntryEnv } from "../common/identify";
import { BUDGET_WINDOW_MS, budgetOf, type ConsumerPath } from "./budgets";
import { hitInMemory } from "./memory-limiter";

const WHAT: Record<ConsumerPath, string> = {
	enter: "enters",
	status: "status requests",
	bids: "bids",
	connects: "live connects",
};

/** What the limits read of a request's context: any route's after its publishable key is checked. */
export interface Limited {
	env: Env;
	req: { header(name: string): string | undefined };
	get(key: "tenant"): { organizationId: string };
}

/** The hashed client address a live socket is tagged with, and a limiter object is named by; null without one. */
export async function addressKey(c: Limited): Promise<string | null> {
	const address = clientAddress(c.req.header("CF-Connecting-IP"));
	return address ? (await sha256Hex(`${c.get("tenant").organizationId}|${address}`)).slice(0, 32) : null;
}

/**
 * Spends one `path` request of `consumer`'s budget (when known) and of the client address's
 * (when sent). Throws the 429 of a spent one; else returns the RateLimit-* headers of the one
 * with less left.
 */
export async function spendBudgets(
	c: Limited,
	path: ConsumerPath,
	consumer: string | null,
): Promise<Record<string, string>> {
	const budget = budgetOf(c.env, path);
	// In memory the address needs no hashing: it names no object and is never stored.
	const raw = path === "status" && clientAddress(c.req.header("CF-Connecting-IP"));
	const address = raw ? `${c.get("tenant").organizationId}|${raw}` : await addressKey(c);
	const counts: Promise<[RateLimitResult, string]>[] = [];
	const count = (name: string, limit: number, per: string) =>
		counts.push(
			(path === "status"
				? Promise.resolve(hitInMemory(`${name}|status`, limit, BUDGET_WINDOW_MS))
				: spendSharded(c.env, name, path, limit, BUDGET_WINDOW_MS)
			).then((r): [RateLimitResult, string] => [r, per]),
		);
	// A ticket standing for its consumer is long: an object is named by its hash.
	const who =
		consumer && path !== "status" && consumer.length > 64 ? (await sha256Hex(consumer)).slice(0, 32) : consumer;
	if (who) count(`consumer:${who}`, budget.consumer, "consumer");
	if (address) count(`address:${address}`, budget.address, "client address");
	const results = await Promise.all(counts);
	const refused = results.find(([r]) => !r.allowed);
	if (refused) throw limitExceeded(refused[0], WHAT[path], refused[1]);
	const tightest = results.reduce<RateLimitResult | null>((t, [r]) => (!t || r.remaining < t.remaining ? r : t), null);
	return tightest ? limitHeaders(tightest) : {};
}

function withHeaders<E extends ConsumerEnv>(
	path: ConsumerPath,
	consumerOf: (c: Context<E>) => string | null,
): MiddlewareHandler<E> {
	return createMiddleware<E>(async (c, next) => {
		const headers = await spendBudgets(c, path, consumerOf(c));
		await next();
		for (const [name, value] of Object.entries(headers)) c.res.headers.set(name, value);
	});
}

/** After consumerTokenAuth: the token's consumer and the address spend `path` (enter, bids). */
export const consumerLimit = (path: ConsumerPath) => withHeaders<ConsumerEnv>(path, (c) => c.get("consumerId"));

/** After identify: a ticket alone is counted as its own consumer (it names one). */
export const whoLimit = (path: ConsumerPath) =>
	withHeaders<EntryEnv>(path, (c) => {
		const who = c.get("who");
		return "consumerId" in who ? who.consumerId : `ticket:${who.ticket}`;
	});

/** The 429s of the limited routes, as their OpenAPI responses describe them. */
export const LIMIT_REFUSALS: Record<ConsumerPath, string> = {
	enter:
		"Rate limit exceeded (enters per consumer / per client address); Distribution busy (the per-distribution circuit breaker). Retry-After says when",
	status: "Rate limit exceeded (status requests per consumer / per client address). Retry-After says when",
	bids: "Rate limit exceeded (bids per consumer / per client address); Distribution busy (the circuit breaker). Retry-After says when",
	connects:
		"Rate limit exceeded (live connects per consumer / per client address); Too many live connections (open sockets per consumer / per address). Retry-After says when",
};
