/**
 * The queue consumers under D1 failures (real ones: a SQLite trigger aborting the write). A thrown
 * handler is retried at once and each retry spends an attempt, so a few seconds of D1 down
 * deleted an events batch for good (3 retries) or used up a delivery's 12 attempts; the handlers
 * now catch and retry on their own schedule.
 */
import { createExecutionContext, createMessageBatch, getQueueResult, type MessageBatchMessage } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { eventsRetrySeconds } from "../../src/events/consumer";
import { type EventMessage, newEvent, storeEvents } from "../../src/events/publish";
import { backoffSeconds, fanOut } from "../../src/events/webhooks/delivery";
import worker from "../../src/worker";
import { withD1Failing } from "../support/d1-faults";
import { runQueueBatch } from "../support/events";
import { createOrg } from "../support/helpers";
import { hook } from "../support/webhooks";

/**
 * Runs the worker's handler on one batch: its outcome as the test pool collects it, and the delays
 * the handler asked for (the pool's result leaves them out, so the calls are watched on their way
 * to the real batch and messages).
 */
async function consume<T>(queue: string, messages: MessageBatchMessage<T>[]) {
	const batch = createMessageBatch<T>(queue, messages);
	const delays: (number | undefined)[] = [];
	const watch = (target: { retry?: unknown; retryAll?: unknown }, name: "retry" | "retryAll") => {
		const real = (target as Record<string, (o?: QueueRetryOptions) => void>)[name].bind(target);
		(target as Record<string, unknown>)[name] = (options?: QueueRetryOptions) => {
			delays.push(options?.delaySeconds);
			real(options);
		};
	};
	watch(batch, "retryAll");
	for (const m of batch.messages) watch(m, "retry");
	const ctx = createExecutionContext();
	await worker.queue(batch, env);
	return { ...(await getQueueResult(batch, ctx)), delays };
}

const storedCount = async (id: string) =>
	(await env.DB.prepare("SELECT COUNT(*) AS n FROM events WHERE id = ?").bind(id).first<{ n: number }>())?.n;

describe("queue consumers when D1 fails", () => {
	it("an events batch is retried with backoff, not thrown, and stored once D1 is back", async () => {
		const org = await createOrg();
		const event = newEvent(org.organizationId, "queue.opened", { object: { id: "queue_x" } });
		const message = (attempts: number) => ({ id: "m1", timestamp: new Date(), attempts, body: event });
		const failed = await withD1Failing("INSERT", "events", "id", event.id, () =>
			consume<EventMessage>("fanfare-events", [message(3)]),
		);
		// Before: the handler threw ("exception"), and the runtime's fourth try deleted the batch.
		expect(failed.outcome).toBe("ok");
		expect(failed.ackAll).toBe(false);
		expect(failed.retryBatch.retry).toBe(true);
		expect(failed.delays).toEqual([eventsRetrySeconds(3)]);
		expect(eventsRetrySeconds(3)).toBe(20);
		expect(eventsRetrySeconds(100)).toBe(300);
		expect(await storedCount(event.id)).toBe(0);
		await runQueueBatch("fanfare-events", [message(4)]);
		expect(await storedCount(event.id)).toBe(1);
	});

	it("a delivery whose attempt D1 cannot record is retried on its backoff, not at once", async () => {
		const org = await createOrg();
		await hook(org, ["order.*"]);
		const event = newEvent(org.organizationId, "order.created", { object: { id: "ord_test" } });
		// The delivery row, stored but never queued: the test is the only consumer of its message.
		await storeEvents(
			env.DB,
			createMessageBatch<EventMessage>("fanfare-events", [
				{ id: "m1", timestamp: new Date(), attempts: 1, body: event },
			]),
		);
		const unqueued = { ...env, WEBHOOKS: { sendBatch: () => Promise.resolve() } } as unknown as Env;
		await fanOut(unqueued, [event]);
		const delivery = await env.DB.prepare("SELECT id FROM webhook_deliveries WHERE event_id = ?")
			.bind(event.id)
			.first<{ id: string }>();
		if (!delivery) throw new Error("no delivery row");
		const result = await withD1Failing("INSERT", "webhook_attempts", "delivery_id", delivery.id, () =>
			consume("fanfare-webhooks", [
				{ id: "w1", timestamp: new Date(), attempts: 2, body: { deliveryId: delivery.id } },
			]),
		);
		// Before: thrown, so retried at once, each time spending one of the 12 attempts.
		expect(result.outcome).toBe("ok");
		expect(result.retryMessages.map((m) => m.msgId)).toEqual(["w1"]);
		expect(result.delays).toEqual([backoffSeconds(env, 2)]);
		expect(result.explicitAcks).toEqual([]);
	});
});
