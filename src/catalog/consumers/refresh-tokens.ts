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
	const { row, issued } = await newToken(organizationId, consumerId, vouched, familyId, sessionId);
	await db(d1).insert(refreshTokens).values(row);
	return issued;
}

/** A new token's row (to store) and its plaintext with its expiry (to hand out, once). */
async function newToken(
	organizationId: string,
	consumerId: string,
	vouched: boolean,
	familyId: string,
	sessionId: string | null,
) {
	const refreshToken = `rt_${randomToken(43)}`;
	const now = Date.now();
	const row: typeof refreshTokens.$inferInsert = {
		id: newId("rtk"),
		organizationId,
		consumerId,
		familyId,
		tokenHash: await sha256Hex(refreshToken),
		vouched,
		sessionId,
		expiresAt: now + TTL_MS,
		createdAt: now,
	};
	return { row, issued: { refreshToken, refreshExpiresAt: isoSeconds(now + TTL_MS) } };
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

interface Rotated {
	consumerId: string;
	vouched: boolean;
	sessionId: string | null;
	refreshToken: string;
	refreshExpiresAt: string;
}

/**
 * Exchanges a live refresh token for its successor: the consumer (and whether the merchant vouched)
 * and the new token, or the refusal; a reused one revokes its family on the way. The successor is
 * stored and the token marked used in one D1 batch (a transaction), conditional on the token still
 * being unused: of two concurrent refreshes with one token one wins and the other is a reuse, and a
 * refresh that fails (a 5xx, the SDK retries it) has stored nothing, so its retry is no reuse.
 */
export async function rotateRefreshToken(
	d1: D1Database,
	organizationId: string,
	token: string,
): Promise<{ refused: RefreshRefusal } | Rotated> {
	const row = await findByToken(d1, organizationId, token);
	if (!row) return { refused: "invalid" };
	if (row.revokedAt !== null) return { refused: "revoked" };
	if (row.usedAt === null && row.expiresAt <= Date.now()) return { refused: "expired" };
	const { consumerId, familyId, vouched, sessionId } = row;
	const next = row.usedAt === null ? await newToken(organizationId, consumerId, vouched, familyId, sessionId) : null;
	if (next) {
		const database = db(d1);
		const [, won] = await database.batch([
			database.insert(refreshTokens).values(next.row),
			database
				.update(refreshTokens)
				.set({ usedAt: Date.now() })
				.where(
					and(
						eq(refreshTokens.organizationId, organizationId),
						eq(refreshTokens.id, row.id),
						isNull(refreshTokens.usedAt),
						// A sign-out (or a reuse's revocation) between the read above and this batch wins:
						// else the successor, stored after the family was revoked, would be live.
						isNull(refreshTokens.revokedAt),
					),
				)
				.returning({ id: refreshTokens.id }),
		]);
		if (won.length) return { consumerId, vouched, sessionId, ...next.issued };
	}
	// Used before (or just now by a concurrent refresh), or revoked meanwhile: the family goes, the
	// successor just stored with it.
	await revokeFamily(d1, organizationId, familyId);
	return { refused: "reused" };
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
