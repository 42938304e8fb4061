/**
 * The challenge gate every protected way into a distribution passes (queue enter, draw enter,
 * auction bid and buy-now), next to the access gate: the sequence's `protection` decides whether
 * this request must carry a solved challenge. It runs before the distribution's object is asked,
 * so a refused request leaves no entry, bid or event — and a spent challenge is spent only after
 * every other check of it passed.
 */
import type { Tenant } from "../../http/env";
import { notFound } from "../../http/problems";
import { isId } from "../../lib/ids";
import type { DistributionType } from "../common/status";
import { checkSolution } from "./challenge-token";
import type { Protection, Purpose } from "./modes";
import { protectionOfDistribution } from "./policy-repo";
import { type ChallengeRefusal, challengeRefused } from "./refusals";

/** What the gate needs of a shopper request. */
export interface Challenged {
	env: Env;
	var: { tenant: Tenant; consumerId: string };
	req: { header(name: string): string | undefined };
}

const NAMES: Record<DistributionType, string> = { queue: "Queue", draw: "Draw", auction: "Auction" };

/** How the request fared: `passed`, or failed where the merchant chose `back-of-line` (queue enter only). */
export type Verdict = "passed" | "back_of_line";

/**
 * Returns when the request may go on (`back_of_line` only when `backOfLineAllowed` and the
 * merchant chose it); throws the 404 or 403 problem otherwise.
 */
export async function requireChallenge(
	c: Challenged,
	type: DistributionType,
	distributionId: string,
	purpose: Purpose,
	backOfLineAllowed = false,
): Promise<Verdict> {
	if (!isId(type, distributionId)) throw notFound(NAMES[type]);
	const row = await protectionOfDistribution(c.env.DB, c.var.tenant.organizationId, type, distributionId);
	if (!row) throw notFound(NAMES[type]);
	const { protection } = row;
	if (protection.challenge === "none") return "passed";
	const failure = await powFailure(c, distributionId, purpose);
	if (!failure) return "passed";
	if (backOfLineAllowed && protection.onFailure === "back-of-line") return "back_of_line";
	throw challengeRefused(failure);
}

async function powFailure(c: Challenged, distributionId: string, purpose: Purpose): Promise<ChallengeRefusal | null> {
	const challenge = c.req.header("X-Challenge");
	const nonce = c.req.header("X-Challenge-Nonce");
	const ledger = c.env.CHALLENGE_LEDGER.get(c.env.CHALLENGE_LEDGER.idFromName(distributionId));
	const bidder = purpose === "bid" ? c.var.consumerId : undefined;
	if (!challenge && !nonce) return bidder && (await ledger.hasBid(bidder)) ? null : "missing";
	if (!challenge || !nonce || challenge.length > 512) return "malformed";
	const binding = { distributionId, purpose, consumerId: c.var.consumerId };
	const checked = await checkSolution(c.env.APP_SECRET, challenge, nonce, binding, Date.now());
	if (!checked.ok) return checked.why;
	return (await ledger.spend(checked.id, checked.expiresAt, bidder)) ? null : "reused";
}

export type { Protection };
