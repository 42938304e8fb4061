/**
 * Bot protection: setting a sequence's `protection`, getting and solving proof-of-work
 * challenges (with the SDK's solver), and the enter paths with challenge headers.
 */
import { env } from "cloudflare:workers";
import { expect } from "vitest";
import { solvePow } from "../../src/sdk/pow";
import type { Path } from "./access";
import { type CallOptions, call, type Shopper, type Tenant, type TestOrg } from "./helpers";

export async function setProtection(t: Tenant, protection: Record<string, unknown>, sequenceId = t.sequenceId) {
	const res = await call(`/api/v1/sequences/${sequenceId}`, { method: "PUT", key: t.secretKey, body: { protection } });
	expect(res.status, res.text).toBe(200);
	return res.json.protection as { challenge: string; onFailure: string };
}

export const PURPOSE: Record<Path, "enter" | "bid"> = { queue: "enter", draw: "enter", bid: "bid", "buy-now": "bid" };

export const askChallenge = (t: TestOrg, shopper: Shopper, distributionId: string, purpose: string) =>
	call("/consumer/v1/challenges", {
		key: shopper.accessToken,
		headers: { "X-Publishable-Key": t.publishableKey },
		body: { distributionId, purpose },
	});

export async function challengeFor(t: TestOrg, shopper: Shopper, distributionId: string, purpose: string) {
	const res = await askChallenge(t, shopper, distributionId, purpose);
	expect(res.status, res.text).toBe(201);
	return res.json as { challenge: string; bits: number; expiresAt: string };
}

/** A solved challenge's headers. */
export async function solved(t: TestOrg, shopper: Shopper, distributionId: string, purpose: string) {
	const { challenge, bits } = await challengeFor(t, shopper, distributionId, purpose);
	return { "X-Challenge": challenge, "X-Challenge-Nonce": solvePow(challenge, bits) };
}

const PATHS: Record<Path, (id: string) => string> = {
	queue: (id) => `/consumer/v1/queues/${id}/enter`,
	draw: (id) => `/consumer/v1/draws/${id}/enter`,
	bid: (id) => `/consumer/v1/auctions/${id}/bids`,
	"buy-now": (id) => `/consumer/v1/auctions/${id}/buy-now`,
};

/** Enters (or bids 10 on, or buys) distribution `id` by `path`, with these headers. */
export function enterWith(t: TestOrg, path: Path, id: string, shopper: Shopper, headers: Record<string, string> = {}) {
	const opts: CallOptions = {
		method: "POST",
		key: shopper.accessToken,
		headers: { "X-Publishable-Key": t.publishableKey, ...headers },
		...(path === "bid" ? { body: { amount: 10 } } : {}),
	};
	return call(PATHS[path](id), opts);
}

/** How many challenges the distribution's ledger holds as spent. */
export async function spentCount(distributionId: string): Promise<number> {
	const ledger = env.CHALLENGE_LEDGER.get(env.CHALLENGE_LEDGER.idFromName(distributionId));
	return (await ledger.arrivalsPerMinute()) as number;
}
