/**
 * Reading the event log: through the API (GET /api/v1/events) or straight from D1 (what the
 * EVENTS queue consumer stored), waiting for events to arrive, and running a message batch
 * through the worker's queue handler by hand.
 */
import { createExecutionContext, createMessageBatch, getQueueResult, type MessageBatchMessage } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { expect } from "vitest";
import worker from "../../src/worker";
import { call, type TestOrg } from "./helpers";
import { sleep, waitFor } from "./time";

export interface ListedEvent {
	id: string;
	type: string;
	data: any;
}

/** Events of `type` (a pattern like `queue.consumer.*` too) for a distribution, through GET /api/v1/events. */
export async function eventsOf(t: TestOrg, distributionId: string, type: string): Promise<ListedEvent[]> {
	const res = await call(`/api/v1/events?type=${type}&distributionId=${distributionId}&limit=100`, {
		key: t.secretKey,
	});
	expect(res.status, res.text).toBe(200);
	return res.json.data;
}

/** Waits until the API lists at least `n` events of `type` for the distribution, then returns them. */
export const waitEvents = (t: TestOrg, distributionId: string, type: string, n = 1, timeoutMs = 6000) =>
	waitFor(
		`${n} × ${type} for ${distributionId}`,
		() => eventsOf(t, distributionId, type),
		(rows) => rows.length >= n,
		timeoutMs,
	);

/** Long enough for a duplicate to show up if one were published (the queue consumer batches for up to 1 s). */
export const settle = () => sleep(1300);

/** Events stored by the EVENTS queue consumer for a distribution (optionally of one type), oldest first. */
export async function storedEvents(distributionId: string, type?: string) {
	const { results } = await env.DB.prepare(
		"SELECT id, type, data, created_at FROM events WHERE distribution_id = ?1 AND (?2 IS NULL OR type = ?2) ORDER BY id",
	)
		.bind(distributionId, type ?? null)
		.all<{ id: string; type: string; data: string; created_at: number }>();
	return results.map((r) => ({ ...r, data: JSON.parse(r.data) }));
}

/** Waits until D1 holds at least `n` events of `type` for the distribution, then returns them. */
export const waitStoredEvents = (distributionId: string, type: string, n = 1, timeoutMs = 5000) =>
	waitFor(
		`${n} × ${type} stored for ${distributionId}`,
		() => storedEvents(distributionId, type),
		(rows) => rows.length >= n,
		timeoutMs,
	);

/** Waits for `n` stored events of `type`, then long enough for a duplicate to show, and returns them all. */
export async function settledEvents(distributionId: string, type: string, n = 1) {
	await waitStoredEvents(distributionId, type, n, 8000);
	await settle();
	return storedEvents(distributionId, type);
}

/** Runs `messages` through the worker's queue handler as one batch of `queue`; every message must be acked. */
export async function runQueueBatch<T>(queue: string, messages: MessageBatchMessage<T>[]) {
	const batch = createMessageBatch<T>(queue, messages);
	const ctx = createExecutionContext();
	await worker.queue(batch, env);
	const result = await getQueueResult(batch, ctx);
	expect(result.outcome).toBe("ok");
	expect(result.ackAll).toBe(true);
	expect(result.retryMessages).toEqual([]);
	return result;
}
