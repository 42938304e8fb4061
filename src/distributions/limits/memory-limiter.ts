/**
 * A per-isolate rate limiter for the status poll, the one hot path that must not cost an object
 * call: the same sliding log as the RateLimiter object (rate-limiter-object.ts: at most `limit`
 * accepted requests in any `windowMs` span, a refused request not counted), kept in this isolate's
 * memory. Being per isolate, a client whose polls land on several isolates (several Cloudflare
 * locations or machines) gets each one's budget: it bounds what one connection can do cheaply,
 * the exact per-consumer budgets are on enter, bids and connects. Owns no table.
 */
import type { RateLimitResult } from "../../http/middleware/rate-limiter-object";

/** Accepted request times per key, oldest first; `head` skips the ones already out of the window. */
const logs = new Map<string, { at: number[]; head: number }>();
/** Past this many keys the map starts over: an attacker rotating keys costs memory, never unbounded. */
const MAX_KEYS = 20_000;

export function hitInMemory(key: string, limit: number, windowMs: number, now = Date.now()): RateLimitResult {
	let log = logs.get(key);
	if (!log) {
		if (logs.size >= MAX_KEYS) logs.clear();
		log = { at: [], head: 0 };
		logs.set(key, log);
	}
	while (log.head < log.at.length && log.at[log.head] <= now - windowMs) log.head++;
	// Compact once the dropped prefix is half the array: amortised O(1) per request.
	if (log.head > 64 && log.head * 2 > log.at.length) {
		log.at = log.at.slice(log.head);
		log.head = 0;
	}
	const used = log.at.length - log.head;
	const allowed = used < limit;
	if (allowed) log.at.push(now);
	const oldest = used ? log.at[log.head] : now;
	return {
		allowed,
		limit,
		remaining: Math.max(0, limit - used - (allowed ? 1 : 0)),
		resetMs: Math.max(0, oldest + windowMs - now),
	};
}
