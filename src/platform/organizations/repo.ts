import type { Db } from "../../db/client";
import { apiKeys, organizations } from "../../db/schema";
import { newId } from "../../lib/ids";
import { isoSeconds } from "../../lib/time";
import { mintApiKey } from "../api-keys/repo";

type Row = typeof organizations.$inferSelect;

export const toOrganization = (row: Row) => ({
	id: row.id,
	name: row.name,
	defaultTimeZone: row.defaultTimeZone,
	createdAt: isoSeconds(row.createdAt),
	updatedAt: isoSeconds(row.updatedAt),
});

/** Creates a tenant with one secret and one publishable key, atomically (one D1 batch). */
export async function createOrganization(database: Db, name: string, defaultTimeZone: string) {
	const now = Date.now();
	const org: Row = { id: newId("org"), name, defaultTimeZone, createdAt: now, updatedAt: now };
	const secret = await mintApiKey(org.id, "secret", "Default secret key");
	const publishable = await mintApiKey(org.id, "publishable", "Default publishable key");
	await database.batch([
		database.insert(organizations).values(org),
		database.insert(apiKeys).values([secret.row, publishable.row]),
	]);
	return { organization: toOrganization(org), secretKey: secret.created, publishableKey: publishable.created };
}
