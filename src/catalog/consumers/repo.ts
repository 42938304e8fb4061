import { and, eq } from "drizzle-orm";
import type { z } from "zod";
import type { Db } from "../../db/client";
import { consumers } from "../../db/schema";
import { newId } from "../../lib/ids";
import { isoSeconds } from "../../lib/time";
import type { Consumer, createConsumerBody, updateConsumerBody } from "./schema";

type Row = typeof consumers.$inferSelect;

export const toConsumer = (row: Row): Consumer => ({
	id: row.id,
	organizationId: row.organizationId,
	email: row.email,
	fullName: row.fullName,
	phone: row.phone,
	createdAt: isoSeconds(row.createdAt),
	updatedAt: isoSeconds(row.updatedAt),
});

const byId = (organizationId: string, id: string) =>
	and(eq(consumers.organizationId, organizationId), eq(consumers.id, id));

export async function createConsumer(database: Db, organizationId: string, input: z.infer<typeof createConsumerBody>) {
	const now = Date.now();
	const [row] = await database
		.insert(consumers)
		.values({
			id: newId("con"),
			organizationId,
			email: input.email,
			fullName: input.fullName ?? null,
			phone: input.phone ?? null,
			createdAt: now,
			updatedAt: now,
		})
		.returning();
	return row;
}

export const getConsumer = (database: Db, organizationId: string, id: string) =>
	database.select().from(consumers).where(byId(organizationId, id)).get();

export async function updateConsumer(
	database: Db,
	organizationId: string,
	id: string,
	input: z.infer<typeof updateConsumerBody>,
) {
	const [row] = await database
		.update(consumers)
		.set({ ...input, updatedAt: Date.now() })
		.where(byId(organizationId, id))
		.returning();
	return row as Row | undefined;
}

export async function deleteConsumer(database: Db, organizationId: string, id: string): Promise<boolean> {
	const deleted = await database.delete(consumers).where(byId(organizationId, id)).returning({ id: consumers.id });
	return deleted.length > 0;
}
