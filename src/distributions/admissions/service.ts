/**
 * Admission grants, whatever issued them: the signature proves the token is ours and
 * untouched; the distribution's object, named in the token, says whether it is unused.
 */
import { newEvent, publish } from "../../events/publish";
import type { Tenant } from "../../http/env";
import { isId } from "../../lib/ids";
import { type TokenClaims, verifyToken } from "../../lib/tokens";
import { engineRef } from "../common/engine";
import type { DistributionType } from "../common/status";
import type { GrantCheck, GrantOrder } from "../kernel/grants";

const TYPES: DistributionType[] = ["queue", "draw", "auction"];

export type GrantLookup =
	| { ok: true; claims: TokenClaims & { dist: string; jti: string }; type: DistributionType }
	| { ok: false; reason: "invalid" };

/** A grant signed by this deployment for this tenant, or `invalid` (forged, altered, another tenant's). */
export async function readGrant(env: Env, tenant: Tenant, token: string): Promise<GrantLookup> {
	// Expired grants still identify themselves, so the answer can say "expired" rather than "invalid".
	const claims = await verifyToken(env.JWT_SIGNING_KEY, token, "admission", { allowExpired: true });
	const type = TYPES.find((t) => claims?.dist?.startsWith(`${t}_`));
	if (!claims || !type || !claims.jti || !claims.dist || claims.org !== tenant.organizationId) {
		return { ok: false, reason: "invalid" };
	}
	return { ok: true, claims: claims as TokenClaims & { dist: string; jti: string }, type };
}

/**
 * A token past its own `exp` is never accepted, whatever the object's record says: the two
 * agree for tokens we issued (exp = the record's expiry, rounded down to the second), and
 * an offline verifier of the same token refuses it too.
 */
export const tokenExpired = (lookup: Extract<GrantLookup, { ok: true }>) => lookup.claims.exp * 1000 <= Date.now();
const EXPIRED: GrantCheck = { valid: false, reason: "expired" };

export async function checkGrant(env: Env, lookup: Extract<GrantLookup, { ok: true }>): Promise<GrantCheck> {
	if (tokenExpired(lookup)) return EXPIRED;
	return engineRef(env, lookup.type, lookup.claims.dist).checkGrant(lookup.claims.sub, lookup.claims.jti);
}

export async function completeGrant(
	env: Env,
	lookup: Extract<GrantLookup, { ok: true }>,
	order: GrantOrder,
): Promise<GrantCheck> {
	if (tokenExpired(lookup)) return EXPIRED;
	return engineRef(env, lookup.type, lookup.claims.dist).completeGrant(lookup.claims.sub, lookup.claims.jti, order);
}

/**
 * Revokes grants of one of the tenant's distributions and publishes `admission.revoked` for
 * each revoked now. Null when the distribution is not the tenant's (404, never 403).
 */
export async function revokeGrants(
	env: Env,
	tenant: Tenant,
	target: { distributionId: string; grantId?: string; consumerId?: string },
): Promise<{ grantId: string; consumerId: string | null; distributionId: string }[] | null> {
	const type = TYPES.find((t) => isId(t, target.distributionId));
	if (!type) return null;
	const ref = engineRef(env, type, target.distributionId);
	const revoked = await ref.revokeGrants(tenant.organizationId, {
		grantId: target.grantId,
		consumerId: target.consumerId,
	});
	if (!revoked) return null;
	const rows = revoked.map((r) => ({ ...r, distributionId: target.distributionId }));
	if (rows.length) {
		const at = new Date().toISOString();
		await publish(
			env.EVENTS,
			rows.map((object) =>
				newEvent(tenant.organizationId, "admission.revoked", { object: { ...object, revokedAt: at } }),
			),
		);
	}
	return rows;
}
