/**
 * Consumer refresh tokens: opaque random secrets (`rt_` + 43 base62 characters, ≈256 bits)
 * of which D1 keeps only the SHA-256. Each refresh exchanges one for a new pair and marks
 * it used (rotation); presenting a used token again means it was copied, so the whole
 * family — every token descended from that sign-in — is revoked (reuse detection). A token
 * lives REFRESH_TOKEN_TTL_DAYS from its issue, so a shopper active at least once a month
 * never signs in again. Every query is scoped to the organization.
 */
import { and, eq, isNull } from "drizzle-orm";
import { db } from "../../db/client";
import { refreshTokens } from "../../db/schema";
import { randomToken, sha256Hex, timingSafeEqual } from "../../lib/crypto";
import { newId } from "../../lib/ids";
import { isoSeconds } from "../../lib/time";

export const REFRESH_TOKEN_TTL_DAYS = 30;
const TTL_MS = REFRESH_TOKEN_TTL_DAYS * 86_400_000;
const SHAPE = /^rt_[0-9A-Za-z]{43}$/;

export type RefreshRefusal = "invalid" | "expired" | "reused" | "revoked";

/** Stores a new token of `familyId` (a new family when omitted) and returns its plaintext, once. `vouched`: issued by the merchant. */
export async function issueRefreshToken(
	d1: D1Database,
	organizationId: string,
	consumerId: string,
	vouched: boolean,
	familyId = newId("rtf"),
	sessionId: string | null = null,
) {
	const refreshToken = `rt_${randomToken(43)}`;
	const now = Date.now();
	await db(d1)
		.insert(refreshTokens)
		.values({
			id: newId("rtk"),
			organizationId,
			consumerId,
			familyId,
			tokenHash: await sha256Hex(refreshToken),
			vouched,
			sessionId,
			expiresAt: now + TTL_MS,
			createdAt: now,
		});
	return { refreshToken, refreshExpiresAt: isoSeconds(now + TTL_MS) };
}

/** The organization's row for this plaintext (garbage and other tenants' tokens: null, without a query for garbage). */
async function findByToken(d1: D1Database, organizationId: string, token: string) {
	if (!SHAPE.test(token)) return null;
	const hash = await sha256Hex(token);
	const row = await db(d1)
		.select()
		.from(refreshTokens)
		.where(and(eq(refreshTokens.organizationId, organizationId), eq(refreshTokens.tokenHash, hash)))
		.get();
	return row && timingSafeEqual(row.tokenHash, hash) ? row : null;
}

/** The live token's row, or why it cannot be used; a reused one revokes its family on the way. */
async function claim(
	d1: D1Database,
	organizationId: string,
	token: string,
): Promise<{ refused: RefreshRefusal } | { row: typeof refreshTokens.$inferSelect }> {
	const row = await findByToken(d1, organizationId, token);
	if (!row) return { refused: "invalid" };
	if (row.revokedAt !== null) return { refused: "revoked" };
	if (row.usedAt !== null) {
		await revokeFamily(d1, organizationId, row.familyId);
		return { refused: "reused" };
	}
	if (row.expiresAt <= Date.now()) return { refused: "expired" };
	// Conditional on still being unused: of two concurrent refreshes with one token, one wins and the other is a reuse.
	const won = await db(d1)
		.update(refreshTokens)
		.set({ usedAt: Date.now() })
		.where(
			and(eq(refreshTokens.organizationId, organizationId), eq(refreshTokens.id, row.id), isNull(refreshTokens.usedAt)),
		)
		.returning({ id: refreshTokens.id });
	if (won.length === 0) {
		await revokeFamily(d1, organizationId, row.familyId);
		return { refused: "reused" };
	}
	return { row };
}

/** Exchanges a live refresh token for its successor: the consumer (and whether the merchant vouched) and the new token, or the refusal. */
export async function rotateRefreshToken(d1: D1Database, organizationId: string, token: string) {
	const claimed = await claim(d1, organizationId, token);
	if ("refused" in claimed) return claimed;
	const { consumerId, familyId, vouched, sessionId } = claimed.row;
	return {
		consumerId,
		vouched,
		sessionId,
		...(await issueRefreshToken(d1, organizationId, consumerId, vouched, familyId, sessionId)),
	};
}

/** Revokes every token of the family this token belongs to (used or not); false if the token is unknown. */
export async function revokeRefreshToken(d1: D1Database, organizationId: string, token: string): Promise<boolean> {
	const row = await findByToken(d1, organizationId, token);
	if (!row) return false;
	await revokeFamily(d1, organizationId, row.familyId);
	return true;
}

async function revokeFamily(d1: D1Database, organizationId: string, familyId: string) {
	await db(d1)
		.update(refreshTokens)
		.set({ revokedAt: Date.now() })
		.where(
			and(
				eq(refreshTokens.organizationId, organizationId),
				eq(refreshTokens.familyId, familyId),
				isNull(refreshTokens.revokedAt),
			),
		);
}
