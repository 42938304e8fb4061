import { and, eq, isNull } from "drizzle-orm";
import { db } from "../../db/client";
import { listPage } from "../../db/list";
import { apiKeys } from "../../db/schema";
import { randomToken, sha256Hex } from "../../lib/crypto";
import { newId } from "../../lib/ids";
import type { PageQuery } from "../../lib/pagination";
import { isoOrNull, isoSeconds } from "../../lib/time";

type Row = typeof apiKeys.$inferSelect;
export type KeyType = Row["type"];

const PREFIX_LENGTH = 12;

export const toApiKey = (row: Row) => ({
	id: row.id,
	type: row.type,
	name: row.name,
	prefix: row.prefix,
	createdAt: isoSeconds(row.createdAt),
	lastUsedAt: isoOrNull(row.lastUsedAt),
});

/** A new key: the row to store (hash only) and the plaintext to show once. */
export async function mintApiKey(organizationId: string, type: KeyType, name: string) {
	const key = `${type === "secret" ? "sk" : "pk"}_live_${randomToken(32)}`;
	const row: Row = {
		id: newId("key"),
		organizationId,
		type,
		name,
		prefix: key.slice(0, PREFIX_LENGTH),
		keyHash: await sha256Hex(key),
		createdAt: Date.now(),
		lastUsedAt: null,
		revokedAt: null,
	};
	return { row, created: { ...toApiKey(row), key } };
}

/** Mints a key and stores it: the plaintext is in the answer only. */
export async function createApiKey(d1: D1Database, organizationId: string, type: KeyType, name: string) {
	const { row, created } = await mintApiKey(organizationId, type, name);
	await db(d1).insert(apiKeys).values(row);
	return created;
}

/** Revoked keys are gone for the merchant: neither listed nor found. */
export const listActiveKeys = (d1: D1Database, secret: string, organizationId: string, page: PageQuery) =>
	listPage(db(d1), secret, apiKeys, organizationId, [isNull(apiKeys.revokedAt)], page, toApiKey);

export const getActiveKey = (d1: D1Database, organizationId: string, id: string) =>
	db(d1)
		.select()
		.from(apiKeys)
		.where(and(eq(apiKeys.organizationId, organizationId), isNull(apiKeys.revokedAt), eq(apiKeys.id, id)))
		.get();

/**
 * Revokes a key unless it is the organization's last active secret key (that would
 * lock the merchant out). Check and revoke are one statement, so two concurrent
 * revocations cannot both pass the check.
 */
export async function revokeApiKey(
	d1: D1Database,
	organizationId: string,
	id: string,
): Promise<"revoked" | "not_found" | "last_secret"> {
	const revoked = await d1
		.prepare(
			`UPDATE api_keys SET revoked_at = ?1
			  WHERE id = ?2 AND organization_id = ?3 AND revoked_at IS NULL
			    AND (type <> 'secret' OR EXISTS (
			          SELECT 1 FROM api_keys o WHERE o.organization_id = ?3 AND o.type = 'secret'
			             AND o.revoked_at IS NULL AND o.id <> ?2))
			  RETURNING id`,
		)
		.bind(Date.now(), id, organizationId)
		.first();
	if (revoked) return "revoked";
	const key = await d1
		.prepare("SELECT 1 FROM api_keys WHERE id = ? AND organization_id = ? AND revoked_at IS NULL")
		.bind(id, organizationId)
		.first();
	return key ? "last_secret" : "not_found";
}
