import { and, eq } from "drizzle-orm";
import type { z } from "zod";
import { db } from "../../db/client";
import { inIds } from "../../db/in-ids";
import { listPage } from "../../db/list";
import { distributions, sequences } from "../../db/schema";
import { protectionOf } from "../../distributions/protection/modes";
import { newId } from "../../lib/ids";
import type { PageQuery } from "../../lib/pagination";
import { isoSeconds } from "../../lib/time";
import type { createSequenceBody, updateSequenceBody } from "./schema";

type Row = typeof sequences.$inferSelect;

export const toSequence = (row: Row) => ({
	id: row.id,
	organizationId: row.organizationId,
	experienceId: row.experienceId,
	name: row.name,
	priority: row.priority,
	productId: row.productId,
	checkoutUrl: row.checkoutUrl,
	metadata: row.metadata ?? null,
	access: row.access,
	protection: row.protection,
	createdAt: isoSeconds(row.createdAt),
	updatedAt: isoSeconds(row.updatedAt),
});

const byId = (organizationId: string, id: string) =>
	and(eq(sequences.organizationId, organizationId), eq(sequences.id, id));

export async function insertSequence(
	d1: D1Database,
	organizationId: string,
	experienceId: string,
	input: z.infer<typeof createSequenceBody>,
): Promise<Row> {
	const now = Date.now();
	const [row] = await db(d1)
		.insert(sequences)
		.values({
			id: newId("seq"),
			organizationId,
			experienceId,
			name: input.name,
			priority: input.priority ?? 0,
			productId: input.productId ?? null,
			checkoutUrl: input.checkoutUrl ?? null,
			metadata: input.metadata ?? null,
			access: input.access ?? "open",
			protection: protectionOf(input.protection),
			createdAt: now,
			updatedAt: now,
		})
		.returning();
	return row;
}

/** An experience's sequences; the cursor belongs to the organization's sequences list. */
export const listSequences = (
	d1: D1Database,
	secret: string,
	organizationId: string,
	experienceId: string,
	page: PageQuery,
) => listPage(db(d1), secret, sequences, organizationId, [eq(sequences.experienceId, experienceId)], page, toSequence);

export const getSequence = (d1: D1Database, organizationId: string, id: string) =>
	db(d1).select().from(sequences).where(byId(organizationId, id)).get();

export async function updateSequenceRow(
	d1: D1Database,
	organizationId: string,
	id: string,
	input: z.infer<typeof updateSequenceBody>,
): Promise<Row | undefined> {
	const [row] = await db(d1)
		.update(sequences)
		.set({
			...input,
			protection: input.protection && protectionOf(input.protection),
			updatedAt: Date.now(),
		})
		.where(byId(organizationId, id))
		.returning();
	return row;
}

/** The row only: its distributions must be gone first. */
export async function deleteSequenceRow(d1: D1Database, organizationId: string, id: string): Promise<void> {
	await db(d1).delete(sequences).where(byId(organizationId, id));
}

export async function sequenceIdsOf(d1: D1Database, organizationId: string, experienceId: string) {
	const rows = await db(d1)
		.select({ id: sequences.id })
		.from(sequences)
		.where(and(eq(sequences.organizationId, organizationId), eq(sequences.experienceId, experienceId)));
	return rows.map((s) => s.id);
}

/** The distributions of these sequences: what deleting them takes along. */
export const distributionsOf = (d1: D1Database, organizationId: string, sequenceIds: string[]) =>
	db(d1)
		.select()
		.from(distributions)
		.where(and(eq(distributions.organizationId, organizationId), inIds(distributions.sequenceId, sequenceIds)));
