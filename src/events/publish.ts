/**
 * Events: `{id, type, data, createdAt}` published to the EVENTS Cloudflare Queue and
 * stored by this worker's queue consumer. Ids are minted by the publisher, so a
 * redelivered message is stored once (INSERT OR IGNORE on the id).
 */
import { newId } from "../lib/ids";

export interface EventMessage {
	id: string;
	organizationId: string;
	type: string;
	distributionId: string | null;
	data: Record<string, unknown>;
	createdAt: number;
}

export function newEvent(
	organizationId: string,
	type: string,
	data: Record<string, unknown>,
	distributionId: string | null = null,
	id = newId("evt"),
): EventMessage {
	return { id, organizationId, type, distributionId, data, createdAt: Date.now() };
}

export async function publish(queue: Queue, events: EventMessage[]): Promise<void> {
	if (events.length === 1) await queue.send(events[0], { contentType: "json" });
	else if (events.length > 1) await queue.sendBatch(events.map((body) => ({ body, contentType: "json" as const })));
}

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
