import { and, eq } from "drizzle-orm";
import type { z } from "zod";
import { db } from "../../db/client";
import { listPage } from "../../db/list";
import { orders } from "../../db/schema";
import { fromMinor } from "../../lib/money";
import type { PageQuery } from "../../lib/pagination";
import { isoSeconds } from "../../lib/time";
import type { StockedWrite } from "../products/repo";
import type { listOrdersQuery, Order } from "./schema";

type Row = typeof orders.$inferSelect;

export const toOrder = (row: Row): Order => ({
	id: row.id,
	organizationId: row.organizationId,
	consumerId: row.consumerId,
	distributionId: row.distributionId,
	externalOrderId: row.externalOrderId,
	totalAmount: fromMinor(row.totalAmount),
	createdAt: isoSeconds(row.createdAt),
	updatedAt: isoSeconds(row.updatedAt),
});

export const getOrder = (d1: D1Database, organizationId: string, id: string) =>
	db(d1)
		.select()
		.from(orders)
		.where(and(eq(orders.organizationId, organizationId), eq(orders.id, id)))
		.get();

export function listOrders(
	d1: D1Database,
	secret: string,
	organizationId: string,
	{ consumerId, distributionId, ...page }: z.infer<typeof listOrdersQuery> & PageQuery,
) {
	const filters = [
		consumerId ? eq(orders.consumerId, consumerId) : undefined,
		distributionId ? eq(orders.distributionId, distributionId) : undefined,
	];
	return listPage(db(d1), secret, orders, organizationId, filters, page, toOrder);
}

/** Whether the merchant already reported the order with this id of theirs. */
export async function orderReported(d1: D1Database, organizationId: string, externalOrderId: string) {
	const row = await d1
		.prepare("SELECT 1 FROM orders WHERE organization_id = ? AND external_order_id = ?")
		.bind(organizationId, externalOrderId)
		.first();
	return row !== null;
}

export interface NewOrder {
	id: string;
	organizationId: string;
	consumerId: string;
	distributionId: string;
	externalOrderId: string;
	/** Minor units. */
	totalAmount: number;
}

/** The writes of a new order for the products repository's `takeStock` (and `returnStock`). */
export function stockedOrder(d1: D1Database, order: NewOrder, productId: string | null): StockedWrite {
	const at = Date.now();
	const insert = d1
		.prepare(
			`INSERT INTO orders (id, organization_id, consumer_id, distribution_id, external_order_id, total_amount, created_at, updated_at)
			 SELECT ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?7
			  WHERE NOT EXISTS (SELECT 1 FROM products WHERE id = ?8 AND inventory IS NOT NULL AND inventory <= 0)
			 RETURNING id`,
		)
		.bind(
			order.id,
			order.organizationId,
			order.consumerId,
			order.distributionId,
			order.externalOrderId,
			order.totalAmount,
			at,
			productId,
		);
	const remove = d1.prepare("DELETE FROM orders WHERE id = ?").bind(order.id);
	return { id: order.id, at, insert, remove };
}
