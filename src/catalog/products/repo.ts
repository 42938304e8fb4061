import { and, eq } from "drizzle-orm";
import type { z } from "zod";
import { db } from "../../db/client";
import { inIds } from "../../db/in-ids";
import { listPage } from "../../db/list";
import { insertRow, tenantRows } from "../../db/rows";
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
	return insertRow(db(d1), products, {
		id: newId("prod"),
		organizationId,
		name: input.name,
		description: input.description ?? null,
		price: toMinor(input.price),
		sku: input.sku,
		inventory: input.inventory ?? null,
		createdAt: now,
		updatedAt: now,
	});
}

export const listProducts = (d1: D1Database, secret: string, organizationId: string, page: PageQuery) =>
	listPage(db(d1), secret, products, organizationId, [], page, toProduct);

export const getProduct = async (d1: D1Database, organizationId: string, id: string): Promise<Row | undefined> =>
	(await tenantRows(db(d1), products, organizationId, { id }))[0];

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

/** The position of the first id that is not a product of this organization, or -1. */
export async function firstUnknownProduct(d1: D1Database, organizationId: string, ids: string[]): Promise<number> {
	if (!ids.length) return -1;
	const found = await db(d1)
		.select({ id: products.id })
		.from(products)
		.where(and(eq(products.organizationId, organizationId), inIds(products.id, ids)));
	const known = new Set(found.map((p) => p.id));
	return ids.findIndex((id) => !known.has(id));
}

export async function deleteProduct(d1: D1Database, organizationId: string, id: string): Promise<boolean> {
	const deleted = await db(d1).delete(products).where(byId(organizationId, id)).returning({ id: products.id });
	return deleted.length > 0;
}

/**
 * An order's writes, for stock to move in one D1 transaction with them: `insert` stores the
 * order only while its product has stock (tracks none, has units left, or is no product), and
 * `remove` deletes it again. The orders repository builds them.
 */
export interface StockedWrite {
	id: string;
	at: number;
	insert: D1PreparedStatement;
	remove: D1PreparedStatement;
}

/**
 * Stores `order` and takes one unit of `productId`'s stock for it, in one D1 transaction: the
 * unit is taken only if the order was stored and only while units are left, so stock never goes
 * below zero and never moves without its order. False when out of stock (nothing was written).
 */
export async function takeStock(d1: D1Database, productId: string | null, order: StockedWrite): Promise<boolean> {
	const [inserted] = await d1.batch([
		order.insert,
		d1
			.prepare(
				`UPDATE products SET inventory = inventory - 1, updated_at = ?1
				  WHERE id = ?2 AND inventory > 0 AND EXISTS (SELECT 1 FROM orders WHERE id = ?3)`,
			)
			.bind(order.at, productId, order.id),
	]);
	return inserted.results.length > 0;
}

/** Undoes `takeStock`: deletes the order and gives its unit back, in one D1 transaction. */
export async function returnStock(d1: D1Database, productId: string | null, order: StockedWrite): Promise<void> {
	await d1.batch([
		order.remove,
		d1.prepare("UPDATE products SET inventory = inventory + 1 WHERE id = ? AND inventory IS NOT NULL").bind(productId),
	]);
}
