import { and, eq, inArray } from "drizzle-orm";
import type { Db } from "../../db/client";
import { experiences, products, sequences } from "../../db/schema";
import { isoSeconds } from "../../lib/time";

type ExperienceRow = typeof experiences.$inferSelect;
type SequenceRow = typeof sequences.$inferSelect;

export const toExperience = (row: ExperienceRow) => ({
	id: row.id,
	organizationId: row.organizationId,
	name: row.name,
	description: row.description,
	timeZone: row.timeZone,
	checkoutUrl: row.checkoutUrl,
	productIds: row.productIds,
	metadata: row.metadata ?? null,
	createdAt: isoSeconds(row.createdAt),
	updatedAt: isoSeconds(row.updatedAt),
});

export const toSequence = (row: SequenceRow) => ({
	id: row.id,
	organizationId: row.organizationId,
	experienceId: row.experienceId,
	name: row.name,
	priority: row.priority,
	productId: row.productId,
	checkoutUrl: row.checkoutUrl,
	metadata: row.metadata ?? null,
	createdAt: isoSeconds(row.createdAt),
	updatedAt: isoSeconds(row.updatedAt),
});

export const getExperience = (database: Db, organizationId: string, id: string) =>
	database
		.select()
		.from(experiences)
		.where(and(eq(experiences.organizationId, organizationId), eq(experiences.id, id)))
		.get();

export const getSequence = (database: Db, organizationId: string, id: string) =>
	database
		.select()
		.from(sequences)
		.where(and(eq(sequences.organizationId, organizationId), eq(sequences.id, id)))
		.get();

/** The position of the first id that is not a product of this organization, or -1. */
export async function firstUnknownProduct(database: Db, organizationId: string, ids: string[]): Promise<number> {
	if (!ids.length) return -1;
	const found = await database
		.select({ id: products.id })
		.from(products)
		.where(and(eq(products.organizationId, organizationId), inArray(products.id, ids)));
	const known = new Set(found.map((p) => p.id));
	return ids.findIndex((id) => !known.has(id));
}
