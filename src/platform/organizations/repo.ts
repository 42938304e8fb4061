import { eq } from "drizzle-orm";
import { db } from "../../db/client";
import { listPage } from "../../db/list";
import { apiKeys, organizations } from "../../db/schema";
import { newId } from "../../lib/ids";
import type { PageQuery } from "../../lib/pagination";
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
export async function createOrganization(d1: D1Database, name: string, defaultTimeZone: string) {
	const now = Date.now();
	const org: Row = { id: newId("org"), name, defaultTimeZone, createdAt: now, updatedAt: now };
	const secret = await mintApiKey(org.id, "secret", "Default secret key");
	const publishable = await mintApiKey(org.id, "publishable", "Default publishable key");
	const database = db(d1);
	await database.batch([
		database.insert(organizations).values(org),
		database.insert(apiKeys).values([secret.row, publishable.row]),
	]);
	return { organization: toOrganization(org), secretKey: secret.created, publishableKey: publishable.created };
}

/** Every tenant: the operator's list is the one list without a tenant scope. */
export const listOrganizations = (d1: D1Database, secret: string, page: PageQuery) =>
	listPage(db(d1), secret, organizations, null, [], page, toOrganization);

export const getOrganization = (d1: D1Database, id: string) =>
	db(d1).select().from(organizations).where(eq(organizations.id, id)).get();
