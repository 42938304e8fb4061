/** What the shopper's auth routes do: a guest consumer and its session; renewing or ending a session. */

import { requireChallenge } from "../../distributions/protection";
import type { ConsumerEnv } from "../../http/env";
import { ApiError, fieldError } from "../../http/problems";
import type { AppRouteHandler } from "../../http/router";
import { issueAccessToken, issueSession } from "./access-tokens";
import { type RefreshRefusal, revokeRefreshToken, rotateRefreshToken } from "./refresh-tokens";
import { createGuestConsumer } from "./repo";
import type * as routes from "./shopper-routes";

const REFUSALS: Record<RefreshRefusal, [string, string]> = {
	invalid: ["Refresh token invalid", "This refresh token is not one of this organization's. Sign in again."],
	expired: ["Refresh token expired", "Refresh tokens last 30 days from their issue. Sign in again."],
	reused: [
		"Refresh token reused",
		"This refresh token was already exchanged, so it may have been copied: its whole session is revoked. Sign in again.",
	],
	revoked: ["Refresh token revoked", "This session was signed out or revoked. Sign in again."],
};

const refused = (why: RefreshRefusal) =>
	new ApiError(401, ...REFUSALS[why], undefined, { "WWW-Authenticate": "Bearer" });

const TYPES = [
	["queue_", "queue"],
	["draw_", "draw"],
	["auction_", "auction"],
] as const;

export const guest: AppRouteHandler<typeof routes.guest, ConsumerEnv> = async (c) => {
	const { organizationId } = c.get("tenant");
	const { distributionId } = c.req.valid("json") ?? {};
	if (distributionId !== undefined) {
		const type = TYPES.find(([prefix]) => distributionId.startsWith(prefix))?.[1];
		if (!type) throw fieldError("distributionId", "Not a queue, draw or auction id");
		// No consumer yet: a pow challenge is bound to the distribution and the purpose `guest`.
		await requireChallenge(c, type, distributionId, "guest");
	}
	const id = await createGuestConsumer(c.env.DB, organizationId);
	return c.json(await issueSession(c.env, organizationId, id, false), 201);
};

export const refresh: AppRouteHandler<typeof routes.refresh, ConsumerEnv> = async (c) => {
	const { organizationId } = c.get("tenant");
	const rotated = await rotateRefreshToken(c.env.DB, organizationId, c.req.valid("json").refreshToken);
	if ("refused" in rotated) throw refused(rotated.refused);
	const { consumerId, vouched, sessionId, ...next } = rotated;
	const access = await issueAccessToken(c.env.JWT_SIGNING_KEY, organizationId, consumerId, vouched, sessionId);
	return c.json({ ...access, ...next }, 200);
};

export const revoke: AppRouteHandler<typeof routes.revoke, ConsumerEnv> = async (c) => {
	const revoked = await revokeRefreshToken(c.env.DB, c.get("tenant").organizationId, c.req.valid("json").refreshToken);
	if (!revoked) throw refused("invalid");
	return c.body(null, 204);
};
