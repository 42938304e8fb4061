import { and, eq, isNull } from "drizzle-orm";
import { db } from "../../db/client";
import { listPage } from "../../db/list";
import { apiKeys } from "../../db/schema";
import { randomToken, sha256Hex } from "../../lib/crypto";
import { newId } from "../../lib/ids";
import { forgetKeyId } from "../../lib/key-cache";
import type { PageQuery } from "../../lib/pagination";
import { isoOrNull, isoSeconds } from "../../lib/time";
import { API_KEY_SCOPES, canonicalScopes, type Scope } from "./scopes";

type Row = typeof apiKeys.$inferSelect;
export type KeyType = Row["type"];

const PREFIX_LENGTH = 12;

export const toApiKey = (row: Row) => ({
	id: row.id,
	type: row.type,
	name: row.name,
	prefix: row.prefix,
	scopes: row.type === "secret" ? canonicalScopes(row.scopes) : [],
	createdAt: isoSeconds(row.createdAt),
	lastUsedAt: isoOrNull(row.lastUsedAt),
});

/** A new key: the row to store (hash only) and the plaintext to show once. Secret keys default to every scope. */
export async function mintApiKey(
	organizationId: string,
	type: KeyType,
	name: string,
	scopes: readonly Scope[] = API_KEY_SCOPES,
) {
	const key = `${type === "secret" ? "sk" : "pk"}_live_${randomToken(32)}`;
	const row: Row = {
		id: newId("key"),
		organizationId,
		type,
		name,
		prefix: key.slice(0, PREFIX_LENGTH),
		keyHash: await sha256Hex(key),
		scopes: type === "secret" ? canonicalScopes(scopes) : [],
		createdAt: Date.now(),
		lastUsedAt: null,
		revokedAt: null,
	};
	return { row, created: { ...toApiKey(row), key } };
}

/**
 * Stores a minted key unless the organization already has `cap` live keys; the count and the
 * insert are one statement, so concurrent creations cannot overshoot it. False at the cap.
 */
export async function insertUnderCap(d1: D1Database, row: Row, cap: number): Promise<boolean> {
	const inserted = await d1
		.prepare(
			`INSERT INTO api_keys (id, organization_id, type, name, prefix, key_hash, scopes, created_at)
			 SELECT ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8
			  WHERE (SELECT COUNT(*) FROM api_keys WHERE organization_id = ?2 AND revoked_at IS NULL) < ?9
			 RETURNING id`,
		)
		.bind(
			row.id,
			row.organizationId,
			row.type,
			row.name,
			row.prefix,
			row.keyHash,
			JSON.stringify(row.scopes),
			row.createdAt,
			cap,
		)
		.first();
	return inserted != null;
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
 * Revokes a key unless that would lock the merchant out: the organization's last active secret
 * key, or its last secret key holding every scope (without one, a scope given up could never be
 * granted again). Check and revoke are one statement, so two concurrent revocations cannot both pass.
 */
export async function revokeApiKey(
	d1: D1Database,
	organizationId: string,
	id: string,
): Promise<"revoked" | "not_found" | "last_secret" | "last_full_access"> {
	const revoked = await d1
		.prepare(
			`UPDATE api_keys SET revoked_at = ?1
			  WHERE id = ?2 AND organization_id = ?3 AND revoked_at IS NULL
			    AND (type <> 'secret' OR json_array_length(scopes) < ?4 OR EXISTS (
			          SELECT 1 FROM api_keys o WHERE o.organization_id = ?3 AND o.type = 'secret'
			             AND o.revoked_at IS NULL AND o.id <> ?2 AND json_array_length(o.scopes) >= ?4))
			  RETURNING id`,
		)
		.bind(Date.now(), id, organizationId, API_KEY_SCOPES.length)
		.first();
	if (revoked) {
		forgetKeyId(id); // this isolate at once; others within KEY_CACHE_TTL_MS (src/lib/key-cache.ts)
		return "revoked";
	}
	const key = await getActiveKey(d1, organizationId, id);
	if (!key) return "not_found";
	const otherSecret = await d1
		.prepare(
			"SELECT 1 FROM api_keys WHERE organization_id = ? AND type = 'secret' AND revoked_at IS NULL AND id <> ? LIMIT 1",
		)
		.bind(organizationId, id)
		.first();
	return otherSecret ? "last_full_access" : "last_secret";
}
