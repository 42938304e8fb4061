/** What the admissions routes do: the grant's signature checked here, its use decided by the object that issued it. */
import { fieldError } from "../../http/problems";
import type { AppRouteHandler } from "../../http/router";
import { isoSeconds } from "../../lib/time";
import { grantRefused, sessionMismatch } from "./refusals";
import type * as routes from "./routes";
import { checkGrant, completeGrant, readGrant, revokeGrants } from "./service";
import { sessionMatches } from "./session-binding";

export const validate: AppRouteHandler<typeof routes.validate> = async (c) => {
	const body = c.req.valid("json");
	const lookup = await readGrant(c.env, c.get("tenant"), body.token);
	if (!lookup.ok) {
		return c.json({ valid: false, consumerId: null, distributionId: null, expiresAt: null, reason: "invalid" }, 200);
	}
	const sid = lookup.claims.sid;
	const common = { consumerId: lookup.claims.sub, distributionId: lookup.claims.dist, ...(sid && { sessionId: sid }) };
	if (!sessionMatches(sid, body.sessionId)) {
		const expiresAt = isoSeconds(lookup.claims.exp * 1000);
		return c.json({ valid: false, ...common, expiresAt, reason: "session_mismatch" as const }, 200);
	}
	const check = await checkGrant(c.env, lookup);
	return c.json(
		check.valid
			? { valid: true, ...common, expiresAt: isoSeconds(check.expiresAt) }
			: { valid: false, ...common, expiresAt: isoSeconds(lookup.claims.exp * 1000), reason: check.reason },
		200,
	);
};

export const revoke: AppRouteHandler<typeof routes.revoke> = async (c) => {
	const body = c.req.valid("json");
	const tenant = c.get("tenant");
	let target: { distributionId: string; grantId?: string; consumerId?: string };
	if (body.token !== undefined) {
		const lookup = await readGrant(c.env, tenant, body.token);
		// Forged, altered or another organization's: none of this tenant's distributions issued it.
		if (!lookup.ok) throw grantRefused("unknown", "grant");
		target = { distributionId: lookup.claims.dist, grantId: lookup.claims.jti, consumerId: lookup.claims.sub };
	} else {
		target = { distributionId: body.distributionId ?? "", grantId: body.grantId, consumerId: body.consumerId };
	}
	const revoked = await revokeGrants(c.env, tenant, target);
	if (!revoked) throw grantRefused("unknown", "grant");
	return c.json({ revoked }, 200);
};

export const complete: AppRouteHandler<typeof routes.complete> = async (c) => {
	const { token, sessionId, orderId, orderAmount } = c.req.valid("json");
	const lookup = await readGrant(c.env, c.get("tenant"), token);
	if (!lookup.ok) throw fieldError("token", "Not a valid admission grant of this organization");
	if (!sessionMatches(lookup.claims.sid, sessionId)) throw sessionMismatch();
	const check = await completeGrant(c.env, lookup, { orderId, orderAmount });
	if (!check.valid) throw grantRefused(check.reason, "grant");
	return c.json({ completed: true, consumerId: check.consumerId, distributionId: lookup.claims.dist }, 200);
};
