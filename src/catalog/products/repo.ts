import { and, eq } from "drizzle-orm";
import type { z } from "zod";
import { db } from "../../db/client";
import { listPage } from "../../db/list";
import { products } from "../../db/schema";
import { newId } from "../../lib/ids";
import { fromMinor, toMinor } from "../../lib/money";
import type { PageQuery } from "../../lib/pagination";
import { isoSeconds } from "../../lib/time";
import type { createProductBody, Product, updateProductBody } from "./schema";

type Row = typeof products.$inferSelect;

export const toProduct = (row: Row): Product => ({
	id: row.id,
	organizationId: row.organizationId,
	name: row.name,
	description: row.description,
	price: fromMinor(row.price),
	sku: row.sku,
	inventory: row.inventory,
	createdAt: isoSeconds(row.createdAt),
	updatedAt: isoSeconds(row.updatedAt),
});

const byId = (organizationId: string, id: string) =>
	and(eq(products.organizationId, organizationId), eq(products.id, id));

export async function createProduct(
	d1: D1Database,
	organizationId: string,
	input: z.infer<typeof createProductBody>,
): Promise<Row> {
	const now = Date.now();
	const [row] = await db(d1)
		.insert(products)
		.values({
			id: newId("prod"),
			organizationId,
			name: input.name,
			description: input.description ?? null,
			price: toMinor(input.price),
			sku: input.sku,
			inventory: input.inventory ?? null,
			createdAt: now,
			updatedAt: now,
		})
		.returning();
	return row;
}

export const listProducts = (d1: D1Database, secret: string, organizationId: string, page: PageQuery) =>
	listPage(db(d1), secret, products, organizationId, [], page, toProduct);

export const getProduct = (d1: D1Database, organizationId: string, id: string) =>
	db(d1).select().from(products).where(byId(organizationId, id)).get();

export async function updateProduct(
	d1: D1Database,
	organizationId: string,
	id: string,
	input: z.infer<typeof updateProductBody>,
): Promise<Row | undefined> {
	const [row] = await db(d1)
		.update(products)
		.set({
			...input,
			price: input.price === undefined ? undefined : toMinor(input.price),
			updatedAt: Date.now(),
		})
		.where(byId(organizationId, id))
		.returning();
	return row;
}

export async function deleteProduct(d1: D1Database, organizationId: string, id: string): Promise<boolean> {
	const deleted = await db(d1).delete(products).where(byId(organizationId, id)).returning({ id: products.id });
	return deleted.length > 0;
}
