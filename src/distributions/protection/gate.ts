/**
 * The challenge gate every protected way into a distribution passes (guest sign-up naming it,
 * queue enter, draw enter, auction bid and buy-now), next to the access gate: the sequence's
 * `protection` decides whether this request must carry a solved proof-of-work challenge
 * (`X-Challenge` + `X-Challenge-Nonce`) or a Turnstile token (`X-Turnstile-Token`). It runs
 * before the distribution's object is asked, so a refused request leaves no entry, bid or event —
 * and a spent challenge is spent only after every other check of it passed.
 */
import type { Tenant } from "../../http/env";
import { notFound } from "../../http/problems";
import { isId } from "../../lib/ids";
import { sequencePolicy } from "../common/policy";
import type { DistributionType } from "../common/status";
import { checkSolution } from "./challenge-token";
import type { Protection, Purpose } from "./modes";
import { type ChallengeRefusal, challengeRefused, turnstileUnavailable } from "./refusals";
import { verifierSettings } from "./turnstile/settings";
import { MAX_TOKEN_LENGTH, SiteverifyUnavailable, verifyTurnstile } from "./turnstile/siteverify";

/** What the gate needs of a shopper request; no consumer yet on a guest sign-up. */
export interface Challenged {
	env: Env;
	var: { tenant: Tenant; consumerId?: string };
	req: { header(name: string): string | undefined };
}

const NAMES: Record<DistributionType, string> = { queue: "Queue", draw: "Draw", auction: "Auction" };

/** What a pow challenge for a guest sign-up is bound to in place of a consumer id. */
export const GUEST_BINDING = "guest";

/** How the request fared: `passed`, or failed where the merchant chose `back-of-line` (queue enter only). */
export type Verdict = "passed" | "back_of_line";

/** How the request fared, and — let in at the back — the refusal it would otherwise have had. */
export type ChallengeOutcome = { verdict: "passed" } | { verdict: "back_of_line"; failure: ChallengeRefusal };

/**
 * Returns when the request may go on (`back_of_line` only when `backOfLineAllowed` and the
 * merchant chose it); throws the 404, the 403 or — siteverify unreachable — the 503 otherwise.
 */
export async function requireChallenge(
	c: Challenged,
	type: DistributionType,
	distributionId: string,
	purpose: Purpose,
	backOfLineAllowed = false,
): Promise<ChallengeOutcome> {
	if (!isId(type, distributionId)) throw notFound(NAMES[type]);
	const row = await sequencePolicy(c, c.env, c.var.tenant.organizationId, type, distributionId);
	if (!row) throw notFound(NAMES[type]);
	const { protection } = row;
	if (protection.challenge === "none") return PASSED;
	const failure =
		protection.challenge === "pow"
			? await powFailure(c, distributionId, purpose)
			: await turnstileFailure(c, distributionId, purpose);
	if (!failure) return PASSED;
	// A refused secret is the merchant's to fix: never a place in line.
	if (backOfLineAllowed && protection.onFailure === "back-of-line" && failure !== "turnstile_secret") {
		return { verdict: "back_of_line", failure };
	}
	throw challengeRefused(failure);
}

const PASSED: ChallengeOutcome = { verdict: "passed" };

const ledgerOf = (env: Env, distributionId: string) =>
	env.CHALLENGE_LEDGER.get(env.CHALLENGE_LEDGER.idFromName(distributionId));

async function powFailure(c: Challenged, distributionId: string, purpose: Purpose): Promise<ChallengeRefusal | null> {
	const challenge = c.req.header("X-Challenge");
	const nonce = c.req.header("X-Challenge-Nonce");
	const ledger = ledgerOf(c.env, distributionId);
	const bidder = purpose === "bid" ? c.var.consumerId : undefined;
	if (!challenge && !nonce) return bidder && (await ledger.hasBid(bidder)) ? null : "missing";
	if (!challenge || !nonce || challenge.length > 512) return "malformed";
	const binding = { distributionId, purpose, consumerId: c.var.consumerId ?? GUEST_BINDING };
	const checked = await checkSolution(c.env.APP_SECRET, challenge, nonce, binding, Date.now());
	if (!checked.ok) return checked.why;
	return (await ledger.spend(checked.id, checked.expiresAt, bidder)) ? null : "reused";
}

/** siteverify with the organization's own secret: one organization's settings never check another's tokens. */
async function turnstileFailure(
	c: Challenged,
	distributionId: string,
	purpose: Purpose,
): Promise<ChallengeRefusal | null> {
	const token = c.req.header("X-Turnstile-Token");
	const bidder = purpose === "bid" ? c.var.consumerId : undefined;
	if (!token) return bidder && (await ledgerOf(c.env, distributionId).hasBid(bidder)) ? null : "turnstile_missing";
	if (token.length > MAX_TOKEN_LENGTH) return "turnstile_invalid";
	const settings = await verifierSettings(c.env, c.var.tenant.organizationId);
	// Deleted after the sequence chose it (or sealed with an APP_SECRET version gone): nothing can verify.
	if (!settings) throw turnstileUnavailable();
	let failure: ChallengeRefusal | null;
	try {
		failure = await verifyTurnstile(c.env, {
			secret: settings.secret,
			token,
			remoteIp: c.req.header("CF-Connecting-IP"),
			action: purpose,
			hostnames: settings.hostnames,
		});
	} catch (err) {
		if (!(err instanceof SiteverifyUnavailable)) throw err;
		console.warn(JSON.stringify({ level: "warn", message: "turnstile siteverify unavailable", detail: err.message }));
		throw turnstileUnavailable();
	}
	if (!failure && bidder) await ledgerOf(c.env, distributionId).addBidder(bidder);
	return failure;
}

export type { Protection };
