import { and, eq, isNull, ne } from "drizzle-orm";
import { randomToken, sha256Hex } from "../lib/crypto";
import { newId } from "../lib/ids";
import { isoOrNull, isoSeconds } from "../lib/time";
import type { Db } from "./client";
import { apiKeys } from "./schema";

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

export const activeKeys = (organizationId: string) =>
	and(eq(apiKeys.organizationId, organizationId), isNull(apiKeys.revokedAt));

/**
 * Revokes a key unless it is the organization's last active secret key (that would
 * lock the merchant out of its own account). Returns what happened.
 */
export async function revokeApiKey(
	database: Db,
	organizationId: string,
	id: string,
): Promise<"revoked" | "not_found" | "last_secret"> {
	const key = await database
		.select()
		.from(apiKeys)
		.where(and(activeKeys(organizationId), eq(apiKeys.id, id)))
		.get();
	if (!key) return "not_found";
	if (key.type === "secret") {
		const other = await database
			.select({ id: apiKeys.id })
			.from(apiKeys)
			.where(and(activeKeys(organizationId), eq(apiKeys.type, "secret"), ne(apiKeys.id, id)))
			.get();
		if (!other) return "last_secret";
	}
	await database.update(apiKeys).set({ revokedAt: Date.now() }).where(eq(apiKeys.id, id));
	return "revoked";
}
