/** What `/consumer/v1/challenges` does: a challenge signed for the distribution, at the difficulty its arrivals call for. */
import type { ConsumerEnv } from "../../http/env";
import { ApiError, fieldError, notFound } from "../../http/problems";
import type { AppRouteHandler } from "../../http/router";
import { isoSeconds } from "../../lib/time";
import type { DistributionType } from "../common/status";
import { issueChallenge } from "./challenge-token";
import type { Purpose } from "./modes";
import { protectionOfDistribution } from "./policy-repo";
import { difficultyFor } from "./pow";
import type * as routes from "./routes";

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

export const issue: AppRouteHandler<typeof routes.issue, ConsumerEnv> = async (c) => {
	const { distributionId, purpose } = c.req.valid("json");
	const kind = TYPES.find(([prefix]) => distributionId.startsWith(prefix));
	if (!kind) throw fieldError("distributionId", "Not a queue, draw or auction id");
	const [, type, name, expected] = kind;
	if (purpose !== expected) throw fieldError("purpose", `A ${type}'s challenges are for \`${expected}\``);
	const row = await protectionOfDistribution(c.env.DB, c.get("tenant").organizationId, type, distributionId);
	if (!row) throw notFound(name);
	if (row.protection.challenge !== "pow") {
		throw new ApiError(409, "No challenge needed", `This ${type}'s sequence asks for no proof-of-work challenge.`);
	}
	const bits = await currentBits(c.env, distributionId);
	const binding = { distributionId, purpose, consumerId: c.get("consumerId") };
	const issued = await issueChallenge(c.env.APP_SECRET, binding, bits, Date.now());
	return c.json(
		{
			type: "pow" as const,
			challenge: issued.challenge,
			algorithm: "sha256-leading-zero-bits" as const,
			bits,
			expiresAt: isoSeconds(issued.expiresAt),
		},
		201,
	);
};
