import { and, eq, isNotNull, isNull } from "drizzle-orm";
import type { z } from "zod";
import { db } from "../../db/client";
import { listPage } from "../../db/list";
import { consumers } from "../../db/schema";
import { newId } from "../../lib/ids";
import type { PageQuery } from "../../lib/pagination";
import { isoSeconds } from "../../lib/time";
import type { Consumer, createConsumerBody, listConsumersQuery, updateConsumerBody } from "./schema";

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

export async function createConsumer(
	d1: D1Database,
	organizationId: string,
	input: z.infer<typeof createConsumerBody>,
) {
	const now = Date.now();
	const [row] = await db(d1)
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

/** A guest: a consumer with nothing known about them yet. Its id. */
export async function createGuestConsumer(d1: D1Database, organizationId: string): Promise<string> {
	const now = Date.now();
	const id = newId("con");
	await db(d1)
		.insert(consumers)
		.values({ id, organizationId, email: null, fullName: null, phone: null, createdAt: now, updatedAt: now });
	return id;
}

export function listConsumers(
	d1: D1Database,
	secret: string,
	organizationId: string,
	{ email, kind, ...page }: z.infer<typeof listConsumersQuery> & PageQuery,
) {
	// A guest is a consumer nobody has given an email yet.
	const byKind = { merchant: isNotNull(consumers.email), guest: isNull(consumers.email), all: undefined }[kind];
	const filters = [email ? eq(consumers.email, email) : undefined, byKind];
	return listPage(db(d1), secret, consumers, organizationId, filters, page, toConsumer);
}

export const getConsumer = (d1: D1Database, organizationId: string, id: string) =>
	db(d1).select().from(consumers).where(byId(organizationId, id)).get();

export async function updateConsumer(
	d1: D1Database,
	organizationId: string,
	id: string,
	input: z.infer<typeof updateConsumerBody>,
) {
	const [row] = await db(d1)
		.update(consumers)
		.set({ ...input, updatedAt: Date.now() })
		.where(byId(organizationId, id))
		.returning();
	return row as Row | undefined;
}

export async function deleteConsumer(d1: D1Database, organizationId: string, id: string): Promise<boolean> {
	const deleted = await db(d1).delete(consumers).where(byId(organizationId, id)).returning({ id: consumers.id });
	return deleted.length > 0;
}
