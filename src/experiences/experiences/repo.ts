import { and, eq } from "drizzle-orm";
import type { z } from "zod";
import { db } from "../../db/client";
import { listPage } from "../../db/list";
import { experiences } from "../../db/schema";
import { newId } from "../../lib/ids";
import type { PageQuery } from "../../lib/pagination";
import { isoSeconds } from "../../lib/time";
import type { createExperienceBody, updateExperienceBody } from "./schema";

type Row = typeof experiences.$inferSelect;

export const toExperience = (row: Row) => ({
	id: row.id,
	organizationId: row.organizationId,
	name: row.name,
	description: row.description,
	timeZone: row.timeZone,
	checkoutUrl: row.checkoutUrl,
	productIds: row.productIds,
	metadata: row.metadata ?? null,
	theme: row.theme ?? null,
	createdAt: isoSeconds(row.createdAt),
	updatedAt: isoSeconds(row.updatedAt),
});

const byId = (organizationId: string, id: string) =>
	and(eq(experiences.organizationId, organizationId), eq(experiences.id, id));

export async function insertExperience(
	d1: D1Database,
	organizationId: string,
	input: z.infer<typeof createExperienceBody>,
): Promise<Row> {
	const now = Date.now();
	const [row] = await db(d1)
		.insert(experiences)
		.values({
			id: newId("exp"),
			organizationId,
			name: input.name,
			description: input.description ?? null,
			timeZone: input.timeZone ?? null,
			checkoutUrl: input.checkoutUrl ?? null,
			productIds: input.productIds ?? [],
			metadata: input.metadata ?? null,
			theme: input.theme ?? null,
			createdAt: now,
			updatedAt: now,
		})
		.returning();
	return row;
}

export const listExperiences = (d1: D1Database, secret: string, organizationId: string, page: PageQuery) =>
	listPage(db(d1), secret, experiences, organizationId, [], page, toExperience);

export const getExperience = (d1: D1Database, organizationId: string, id: string) =>
	db(d1).select().from(experiences).where(byId(organizationId, id)).get();

export async function updateExperienceRow(
	d1: D1Database,
	organizationId: string,
	id: string,
	input: z.infer<typeof updateExperienceBody>,
): Promise<Row | undefined> {
	const [row] = await db(d1)
		.update(experiences)
		.set({ ...input, updatedAt: Date.now() })
		.where(byId(organizationId, id))
		.returning();
	return row;
}

/** The row only: its sequences go with it (ON DELETE CASCADE); their distributions must be gone first. */
export async function deleteExperienceRow(d1: D1Database, organizationId: string, id: string): Promise<void> {
	await db(d1).delete(experiences).where(byId(organizationId, id));
}
