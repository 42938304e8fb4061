/**
 * Admission grants, whatever issued them: the signature proves the token is ours and
 * untouched; the distribution's object, named in the token, says whether it is unused.
 */
import type { Tenant } from "../../http/env";
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
