/**
 * The per-distribution circuit breaker: enters (and bids) arriving at one distribution faster
 * than `BREAKER_ENTERS_PER_SECOND` (budgets.ts, default 800: below the ~1,000 requests a second
 * one Durable Object serves) are shed with a 429 and Retry-After before they reach its object, so
 * the object's input queue stays short and the arrivals it takes stay fast. Counted per isolate,
 * per second: a launch's traffic spread over several isolates gets each one's threshold, so the
 * breaker bounds what one isolate sends; the object's own overload errors remain the last line.
 * Runs after authentication and the rate limits, so only arrivals that would reach the object
 * count. A sharded queue's threshold is k times this: its enters spread over k shard objects.
 * Owns no table: a counter per distribution in memory.
 */
import type { Context } from "hono";
import { createMiddleware } from "hono/factory";
import { ApiError } from "../../http/problems";
import { breakerThreshold } from "./budgets";

const windows = new Map<string, { second: number; count: number }>();
const MAX_KEYS = 10_000;

/** Counts one arrival at `key` in the current second; false once `threshold` have arrived in it. */
export function admitArrival(key: string, threshold: number, now = Date.now()): boolean {
	const second = Math.floor(now / 1000);
	let w = windows.get(key);
	if (!w || w.second !== second) {
		if (!w && windows.size >= MAX_KEYS) windows.clear();
		w = { second, count: 0 };
		windows.set(key, w);
	}
	if (w.count >= threshold) return false;
	w.count++;
	return true;
}

type Arrival = { Bindings: Env; Variables: { tenant: { organizationId: string } } };

/**
 * Sheds an arrival past the threshold: 429 `Distribution busy`, Retry-After 1–3 s (spread, so
 * retries do not return at once). `objects` is how many objects the distribution's arrivals spread
 * over (a sharded queue's entryShards): the threshold guards each object, so it scales with them.
 */
export const scaledBreaker = (objects: (c: Context<Arrival>) => Promise<number>) =>
	createMiddleware<Arrival>(async (c, next) => {
		const threshold = breakerThreshold(c.env) * (await objects(c));
		shedPast(c, threshold);
		await next();
	});

/** The breaker of a distribution served by one object. */
export const breaker = scaledBreaker(async () => 1);

function shedPast(c: Context<Arrival>, threshold: number): void {
	const key = `${c.get("tenant").organizationId}|${c.req.param("id") ?? ""}`;
	if (!admitArrival(key, threshold)) {
		throw new ApiError(
			429,
			"Distribution busy",
			`More than ${threshold} requests a second are arriving at this distribution; retry shortly.`,
			undefined,
			{ "Retry-After": String(1 + Math.floor(Math.random() * 3)) },
		);
	}
}
