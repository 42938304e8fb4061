/**
 * Events: `{id, type, data, createdAt}` published to the EVENTS Cloudflare Queue and
 * stored by this worker's queue consumer. Ids are minted by the publisher, so a
 * redelivered message is stored once (INSERT OR IGNORE on the id, in repo.ts).
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

/** Publishes a change to a resource (`experience.created`, …) with the resource as `data.object`; gives it back. */
export async function publishChange<T>(queue: Queue, organizationId: string, type: string, object: T): Promise<T> {
	await publish(queue, [newEvent(organizationId, type, { object })]);
	return object;
}

// Storing events is the repository's; the worker's queue consumer (and tests) import it from here.
export { storeEvents } from "./repo";
