/**
 * Admission grants, shared by queues, draws and auctions: a single-use EdDSA JWT
 * naming the consumer, the distribution, its id (`jti`) and expiry. The object that
 * issued it is the authority on whether it is still unused.
 */
import { signToken } from "../lib/tokens";

export interface GrantRecord {
	consumerId: string;
	grantId: string;
	issuedAt: number;
	expiresAt: number;
}

/** Ed25519 signatures are deterministic, so the same record always yields the same token. */
export function grantToken(signingKey: string, organizationId: string, distributionId: string, g: GrantRecord) {
	return signToken(signingKey, {
		sub: g.consumerId,
		org: organizationId,
		typ: "admission",
		dist: distributionId,
		jti: g.grantId,
		iat: Math.floor(g.issuedAt / 1000),
		exp: Math.floor(g.expiresAt / 1000),
	});
}

export type GrantCheck =
	| { valid: true; consumerId: string; expiresAt: number }
	| { valid: false; reason: "unknown" | "expired" | "used" | "revoked" };

export interface GrantOrder {
	orderId?: string;
	orderAmount?: number;
}

/** What every engine object answers about a grant it issued. */
export interface GrantAuthority {
	checkGrant(consumerId: string, grantId: string): Promise<GrantCheck> | GrantCheck;
	/** Marks the grant used. Invariant: succeeds at most once per grant. */
	completeGrant(consumerId: string, grantId: string, order: GrantOrder): Promise<GrantCheck> | GrantCheck;
}
