/**
 * The consumer API's budgets: how many requests a consumer, and a client address (an IPv6 /64,
 * see http/client-address.ts), may make per minute on each hot path, how many live sockets each
 * may hold open per distribution, and the per-distribution circuit breaker's threshold. Each is a
 * Worker variable (wrangler.toml `[vars]`, README "Limits"), read per request so a deploy changes
 * them; a missing or malformed one falls back to the default here, which wrangler.toml repeats.
 * Owns no state.
 */

/** The rate-limited paths of the consumer API. `bids` covers buy-now too; `connects` is opening a live socket. */
export type ConsumerPath = "enter" | "status" | "bids" | "connects";

export const BUDGET_WINDOW_MS = 60_000;

/**
 * Per minute. A consumer is one shopper (a few tabs, a retrying client); an address is shared
 * by a household, an office or a carrier's NAT, so its budget is ten times higher.
 */
export const DEFAULT_BUDGETS: Record<ConsumerPath, { consumer: number; address: number }> = {
	enter: { consumer: 10, address: 100 },
	// The SDK polls every few seconds; 2/s per consumer leaves room for a few tabs.
	status: { consumer: 120, address: 1200 },
	bids: { consumer: 60, address: 600 },
	connects: { consumer: 20, address: 200 },
};

export const DEFAULT_LIVE_SOCKETS = { consumer: 3, address: 10 };

/**
 * Enters per second one distribution takes before the excess is shed. A Durable Object runs one
 * request at a time; Cloudflare documents a soft limit of about 1,000 requests a second for one
 * object, past which requests queue up and then fail as overloaded. Shedding at 80 % of that keeps
 * the object's input queue short, so the enters it takes stay fast and it keeps answering status
 * polls, admissions and alarms.
 */
export const DEFAULT_BREAKER_PER_SECOND = 800;

const PATH_VAR: Record<ConsumerPath, string> = {
	enter: "ENTER",
	status: "STATUS",
	bids: "BIDS",
	connects: "CONNECTS",
};

function positive(env: Env, name: string, fallback: number): number {
	const raw = (env as unknown as Record<string, unknown>)[name];
	const n = typeof raw === "string" || typeof raw === "number" ? Number(raw) : Number.NaN;
	return Number.isInteger(n) && n > 0 ? n : fallback;
}

/** `LIMIT_<PATH>_PER_CONSUMER` and `LIMIT_<PATH>_PER_ADDRESS`, per minute. */
export function budgetOf(env: Env, path: ConsumerPath): { consumer: number; address: number } {
	const d = DEFAULT_BUDGETS[path];
	return {
		consumer: positive(env, `LIMIT_${PATH_VAR[path]}_PER_CONSUMER`, d.consumer),
		address: positive(env, `LIMIT_${PATH_VAR[path]}_PER_ADDRESS`, d.address),
	};
}

/** `LIVE_SOCKETS_PER_CONSUMER` and `LIVE_SOCKETS_PER_ADDRESS`: open sockets per distribution. */
export function liveSocketCaps(env: Env): { consumer: number; address: number } {
	return {
		consumer: positive(env, "LIVE_SOCKETS_PER_CONSUMER", DEFAULT_LIVE_SOCKETS.consumer),
		address: positive(env, "LIVE_SOCKETS_PER_ADDRESS", DEFAULT_LIVE_SOCKETS.address),
	};
}

/** `BREAKER_ENTERS_PER_SECOND`. */
export const breakerThreshold = (env: Env) => positive(env, "BREAKER_ENTERS_PER_SECOND", DEFAULT_BREAKER_PER_SECOND);
