/**
 * Admission grants, shared by queues, draws and auctions: a single-use EdDSA JWT
 * naming the consumer, the distribution, its id (`jti`) and expiry. The object that
 * issued it is the authority on whether it is still unused.
 * Pure: owns no table and no schedule kind (each engine stores its grants in its own rows).
 */
import { signToken } from "../../lib/tokens";

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

/** What an engine knows of one consumer's grant: enough to judge it and to sign it again. */
export interface GrantState {
	grantId: string;
	issuedAt: number;
	expiresAt: number;
	state: "live" | "used" | "expired" | "revoked";
}

/** The one rule for every engine: the right grant id, unused, unexpired and not revoked. */
export function judgeGrant(record: GrantState | null, grantId: string, now: number): GrantCheck {
	if (!record || record.grantId !== grantId) return { valid: false, reason: "unknown" };
	if (record.state === "used") return { valid: false, reason: "used" };
	if (record.state === "expired" || record.expiresAt <= now) return { valid: false, reason: "expired" };
	if (record.state === "revoked") return { valid: false, reason: "revoked" };
	return { valid: true, consumerId: "", expiresAt: record.expiresAt };
}
