/**
 * What `/consumer/v1/challenges` does: for a proof-of-work sequence, a challenge signed for the
 * distribution at the difficulty its arrivals call for; for a Turnstile sequence, the
 * organization's site key and the action to render the widget with.
 */
import type { ConsumerEnv } from "../../http/env";
import { ApiError, fieldError, notFound } from "../../http/problems";
import type { AppRouteHandler } from "../../http/router";
import { isoSeconds } from "../../lib/time";
import type { DistributionType } from "../common/status";
import { issueChallenge } from "./challenge-token";
import { GUEST_BINDING } from "./gate";
import type { Purpose } from "./modes";
import { protectionOfDistribution } from "./policy-repo";
import { difficultyFor } from "./pow";
import { turnstileUnavailable } from "./refusals";
import type * as routes from "./routes";
import { readSettingsRow } from "./turnstile/settings";

const TYPES: [prefix: string, type: DistributionType, name: string, purpose: Purpose][] = [
	["queue_", "queue", "Queue", "enter"],
	["draw_", "draw", "Draw", "enter"],
	["auction_", "auction", "Auction", "bid"],
];

/** Per isolate, one second: a rush of challenge requests asks the ledger once a second, not once each. */
const RATE_CACHE_MS = 1_000;
const rates = new Map<string, { until: number; bits: number }>();

async function currentBits(env: Env, distributionId: string): Promise<number> {
	const now = Date.now();
	const hit = rates.get(distributionId);
	if (hit && hit.until > now) return hit.bits;
	const ledger = env.CHALLENGE_LEDGER.get(env.CHALLENGE_LEDGER.idFromName(distributionId));
	const bits = difficultyFor(await ledger.arrivalsPerMinute());
	if (rates.size > 10_000) rates.clear();
	rates.set(distributionId, { until: now + RATE_CACHE_MS, bits });
	return bits;
}

/** The challenge for `purpose` on the distribution, bound to `consumerId` (a guest sign-up may name any type). */
async function challengeFor(
	env: Env,
	organizationId: string,
	distributionId: string,
	purpose: Purpose,
	consumerId: string,
) {
	const kind = TYPES.find(([prefix]) => distributionId.startsWith(prefix));
	if (!kind) throw fieldError("distributionId", "Not a queue, draw or auction id");
	const [, type, name, expected] = kind;
	if (purpose !== "guest" && purpose !== expected) {
		throw fieldError("purpose", `A ${type}'s challenges are for \`${expected}\``);
	}
	const row = await protectionOfDistribution(env.DB, organizationId, type, distributionId);
	if (!row) throw notFound(name);
	if (row.protection.challenge === "turnstile") {
		const settings = await readSettingsRow(env.DB, organizationId);
		if (!settings) throw turnstileUnavailable();
		return {
			type: "turnstile" as const,
			siteKey: settings.siteKey,
			action: purpose,
			header: "X-Turnstile-Token" as const,
		};
	}
	if (row.protection.challenge !== "pow") {
		throw new ApiError(409, "No challenge needed", `This ${type}'s sequence asks for no challenge.`);
	}
	const bits = await currentBits(env, distributionId);
	const issued = await issueChallenge(env.APP_SECRET, { distributionId, purpose, consumerId }, bits, Date.now());
	return {
		type: "pow" as const,
		challenge: issued.challenge,
		algorithm: "sha256-leading-zero-bits" as const,
		bits,
		expiresAt: isoSeconds(issued.expiresAt),
	};
}

export const issue: AppRouteHandler<typeof routes.issue, ConsumerEnv> = async (c) => {
	const { distributionId, purpose } = c.req.valid("json");
	const org = c.get("tenant").organizationId;
	return c.json(await challengeFor(c.env, org, distributionId, purpose, c.get("consumerId")), 201);
};

export const issueGuest: AppRouteHandler<typeof routes.issueGuest, ConsumerEnv> = async (c) => {
	const { distributionId } = c.req.valid("json");
	const org = c.get("tenant").organizationId;
	return c.json(await challengeFor(c.env, org, distributionId, "guest", GUEST_BINDING), 201);
};
