import { and, eq, like } from "drizzle-orm";
import type { z } from "zod";
import { db } from "../db/client";
import { listPage } from "../db/list";
import { events } from "../db/schema";
import type { PageQuery } from "../lib/pagination";
import { isoSeconds } from "../lib/time";
import type { EventMessage } from "./publish";
import type { listEventsQuery } from "./schema";

type Row = typeof events.$inferSelect;

export const toEvent = (row: Row) => ({
	id: row.id,
	type: row.type,
	distributionId: row.distributionId,
	data: row.data,
	createdAt: isoSeconds(row.createdAt),
});

/** `type` is an exact type or, ending in `.*`, a prefix. */
export function listEvents(
	d1: D1Database,
	secret: string,
	organizationId: string,
	{ type, distributionId, ...page }: z.infer<typeof listEventsQuery> & PageQuery,
) {
	const filters = [
		type?.endsWith(".*") ? like(events.type, `${type.slice(0, -1)}%`) : type ? eq(events.type, type) : undefined,
		distributionId ? eq(events.distributionId, distributionId) : undefined,
	];
	return listPage(db(d1), secret, events, organizationId, filters, page, toEvent);
}

export const getEvent = (d1: D1Database, organizationId: string, id: string) =>
	db(d1)
		.select()
		.from(events)
		.where(and(eq(events.organizationId, organizationId), eq(events.id, id)))
		.get();

/** The queue consumer's first step: stores each event once (the caller acknowledges the batch). */
export async function storeEvents(d1: D1Database, batch: MessageBatch<EventMessage>): Promise<void> {
	const insert = d1.prepare(
		`INSERT OR IGNORE INTO events (id, organization_id, type, distribution_id, data, created_at)
		 SELECT ?1, ?2, ?3, ?4, ?5, ?6 WHERE EXISTS (SELECT 1 FROM organizations WHERE id = ?2)`,
	);
	const statements = batch.messages.map(({ body: e }) =>
		insert.bind(e.id, e.organizationId, e.type, e.distributionId, JSON.stringify(e.data), e.createdAt),
	);
	if (statements.length) await d1.batch(statements);
}

/** By id alone: for the webhook queue consumer, which holds a delivery, not a tenant. */
export const eventById = (d1: D1Database, id: string) => db(d1).select().from(events).where(eq(events.id, id)).get();

/** A distribution's type, for an event whose own type does not name it (`distribution.updated`); null once deleted. */
export async function distributionTypeById(d1: D1Database, organizationId: string, id: string) {
	const row = await d1
		.prepare("SELECT type FROM distributions WHERE id = ? AND organization_id = ?")
		.bind(id, organizationId)
		.first<{ type: string }>();
	return row?.type ?? null;
}
