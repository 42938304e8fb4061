import { and, eq } from "drizzle-orm";
import type { Db } from "../../db/client";
import { orders } from "../../db/schema";
import { fromMinor } from "../../lib/money";
import { isoSeconds } from "../../lib/time";
import type { Order } from "./schema";

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

export const getOrder = (database: Db, organizationId: string, id: string) =>
	database
		.select()
		.from(orders)
		.where(and(eq(orders.organizationId, organizationId), eq(orders.id, id)))
		.get();
