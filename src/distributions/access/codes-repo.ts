/**
 * Access codes in D1: created in bulk (only their SHA-256 stored), listed, revoked, and
 * redeemed atomically. Every query names the organization and the sequence.
 */
import { and, eq, gt, isNull, or, type SQL } from "drizzle-orm";
import { db } from "../../db/client";
import { inIds } from "../../db/in-ids";
import { listPage } from "../../db/list";
import { accessCodeRedemptions, accessCodes } from "../../db/schema";
import type { PageQuery } from "../../lib/pagination";
import { isoOrNull, isoSeconds } from "../../lib/time";
import { codeStatus } from "./rules";

export type CodeRow = typeof accessCodes.$inferSelect;

export const toAccessCode = (row: CodeRow, now = Date.now()) => ({
	id: row.id,
	sequenceId: row.sequenceId,
	batchId: row.batchId,
	hint: row.hint,
	maxUses: row.maxUses,
	uses: row.uses,
	status: codeStatus(row, now),
	expiresAt: isoOrNull(row.expiresAt),
	revokedAt: isoOrNull(row.revokedAt),
	createdAt: isoSeconds(row.createdAt),
});

/** D1 binds at most 100 parameters per statement: 11 columns a row → 9 rows a statement. */
const ROWS_PER_INSERT = 9;

/** Stores the codes of one batch in one transaction: all of them or none. */
export async function insertCodes(d1: D1Database, rows: CodeRow[]): Promise<void> {
	const database = db(d1);
	const inserts = [];
	for (let i = 0; i < rows.length; i += ROWS_PER_INSERT) {
		inserts.push(database.insert(accessCodes).values(rows.slice(i, i + ROWS_PER_INSERT)));
	}
	const [first, ...rest] = inserts;
	if (first) await database.batch([first, ...rest]);
}

const ofSequence = (organizationId: string, sequenceId: string) =>
	and(eq(accessCodes.organizationId, organizationId), eq(accessCodes.sequenceId, sequenceId));

export const listCodes = (
	d1: D1Database,
	secret: string,
	organizationId: string,
	sequenceId: string,
	{ batchId, ...page }: PageQuery & { batchId?: string },
) =>
	listPage(
		db(d1),
		secret,
		accessCodes,
		organizationId,
		[eq(accessCodes.sequenceId, sequenceId), batchId ? eq(accessCodes.batchId, batchId) : undefined],
		page,
		(row) => toAccessCode(row),
	);

export const getCode = (d1: D1Database, organizationId: string, sequenceId: string, id: string) =>
	db(d1)
		.select()
		.from(accessCodes)
		.where(and(ofSequence(organizationId, sequenceId), eq(accessCodes.id, id)))
		.get();

/** The sequence's code with this hash (another sequence's or organization's: undefined). */
export const findCodeByHash = (d1: D1Database, organizationId: string, sequenceId: string, codeHash: string) =>
	db(d1)
		.select()
		.from(accessCodes)
		.where(and(ofSequence(organizationId, sequenceId), eq(accessCodes.codeHash, codeHash)))
		.get();

export type RevokeTarget = { ids: string[] } | { batchId: string } | { all: true };

/** Revokes the sequence's live codes the target names; returns the rows revoked now. */
export async function revokeCodes(
	d1: D1Database,
	organizationId: string,
	sequenceId: string,
	target: RevokeTarget,
	now = Date.now(),
): Promise<CodeRow[]> {
	const which: SQL | undefined =
		"ids" in target
			? inIds(accessCodes.id, target.ids)
			: "batchId" in target
				? eq(accessCodes.batchId, target.batchId)
				: undefined;
	return db(d1)
		.update(accessCodes)
		.set({ revokedAt: now })
		.where(and(ofSequence(organizationId, sequenceId), isNull(accessCodes.revokedAt), which))
		.returning();
}

/**
 * Binds `consumerId` to the code if it is live and has a use left, in one transaction: the
 * redemption is inserted as use `uses + 1` only while `uses < max_uses`, and `uses` moves only
 * when that row exists. D1 runs one statement at a time, so concurrent redemptions of an n-use
 * code bind exactly n consumers. True when this call bound the consumer (false: already bound, or refused).
 */
export async function redeemCode(d1: D1Database, codeId: string, consumerId: string, now: number): Promise<boolean> {
	const [inserted] = await d1.batch([
		d1
			.prepare(
				`INSERT INTO access_code_redemptions (code_id, consumer_id, organization_id, sequence_id, use_number, created_at)
				 SELECT id, ?2, organization_id, sequence_id, uses + 1, ?3 FROM access_codes
				  WHERE id = ?1 AND revoked_at IS NULL AND (expires_at IS NULL OR expires_at > ?3) AND uses < max_uses
				 ON CONFLICT DO NOTHING`,
			)
			.bind(codeId, consumerId, now),
		d1
			.prepare(
				`UPDATE access_codes SET uses = uses + 1
				  WHERE id = ?1 AND EXISTS (SELECT 1 FROM access_code_redemptions r
				                             WHERE r.code_id = ?1 AND r.consumer_id = ?2 AND r.use_number = access_codes.uses + 1)`,
			)
			.bind(codeId, consumerId),
	]);
	return (inserted.meta.changes ?? 0) > 0;
}

export async function isBound(d1: D1Database, codeId: string, consumerId: string): Promise<boolean> {
	const row = await db(d1)
		.select({ codeId: accessCodeRedemptions.codeId })
		.from(accessCodeRedemptions)
		.where(and(eq(accessCodeRedemptions.codeId, codeId), eq(accessCodeRedemptions.consumerId, consumerId)))
		.get();
	return row !== undefined;
}

/** Whether the consumer is bound to a live (not revoked, not expired) code of the sequence: it needs no code again. */
export async function holdsLiveCode(
	d1: D1Database,
	organizationId: string,
	sequenceId: string,
	consumerId: string,
	now: number,
): Promise<boolean> {
	const row = await db(d1)
		.select({ id: accessCodes.id })
		.from(accessCodeRedemptions)
		.innerJoin(accessCodes, eq(accessCodes.id, accessCodeRedemptions.codeId))
		.where(
			and(
				eq(accessCodeRedemptions.organizationId, organizationId),
				eq(accessCodeRedemptions.sequenceId, sequenceId),
				eq(accessCodeRedemptions.consumerId, consumerId),
				isNull(accessCodes.revokedAt),
				or(isNull(accessCodes.expiresAt), gt(accessCodes.expiresAt, now)),
			),
		)
		.get();
	return row !== undefined;
}
