import { and, eq } from "drizzle-orm";
import type { z } from "zod";
import { newId } from "../lib/ids";
import { fromMinor, toMinor } from "../lib/money";
import { isoSeconds } from "../lib/time";
import type { createOrderBody, Order } from "../schemas/orders";
import type { Db } from "./client";
import { orders } from "./schema";

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

/**
 * Inserts the order only if the consumer belongs to the organization, in one
 * statement, so a consumer deleted meanwhile cannot end up with a fresh order.
 * Returns undefined when the consumer is unknown.
 */
export async function createOrder(
	d1: D1Database,
	organizationId: string,
	input: z.infer<typeof createOrderBody>,
): Promise<Row | undefined> {
	const now = Date.now();
	const row = await d1
		.prepare(
			`INSERT INTO orders (id, organization_id, consumer_id, distribution_id, external_order_id, total_amount, created_at, updated_at)
			 SELECT ?1, ?2, id, ?3, ?4, ?5, ?6, ?6 FROM consumers WHERE organization_id = ?2 AND id = ?7
			 RETURNING id, organization_id AS organizationId, consumer_id AS consumerId, distribution_id AS distributionId,
			           external_order_id AS externalOrderId, total_amount AS totalAmount, created_at AS createdAt, updated_at AS updatedAt`,
		)
		.bind(
			newId("ord"),
			organizationId,
			input.distributionId,
			input.externalOrderId,
			toMinor(input.totalAmount),
			now,
			input.consumerId,
		)
		.first<Row>();
	return row ?? undefined;
}

export const getOrder = (database: Db, organizationId: string, id: string) =>
	database
		.select()
		.from(orders)
		.where(and(eq(orders.organizationId, organizationId), eq(orders.id, id)))
		.get();
