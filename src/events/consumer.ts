/**
 * The worker's queue consumers: the events queue (store each event, then fan it out to the
 * webhook endpoints subscribed to it), the webhooks queue (one attempt per delivery message) and
 * its dead-letter queue. A failure of D1 or of the WEBHOOKS queue never throws out of a handler:
 * thrown, a batch is retried at once and each retry spends one of its message's attempts, so a
 * D1 outage of a few seconds used up an events batch's retries (and the events were deleted) or a
 * delivery's 12 attempts in as many seconds. Each is retried on its own schedule instead.
 * Owns no table (events/repo.ts and webhooks/repo.ts do).
 */
import { type EventMessage, storeEvents } from "./publish";
import { backoffSeconds, type DeliveryMessage, deliver, fanOut, markDead } from "./webhooks/delivery";

/**
 * Seconds before an events batch is tried again after its `attempts`-th failure: 5 s doubling to
 * 5 min. With the consumer's max_retries = 100 (wrangler.toml) a batch outlives ≈ 8 h of D1 down.
 */
export const eventsRetrySeconds = (attempts: number) => Math.min(5 * 2 ** Math.max(0, attempts - 1), 300);

const reason = (err: unknown) => (err instanceof Error ? err.message : String(err));

export async function consumeEvents(batch: MessageBatch<EventMessage>, env: Env): Promise<void> {
	try {
		await storeEvents(env.DB, batch);
		await fanOut(
			env,
			batch.messages.map((m) => m.body),
		);
	} catch (err) {
		// Both steps are idempotent (events by id, deliveries by endpoint and event): the retry redoes them.
		const attempts = Math.max(...batch.messages.map((m) => m.attempts));
		console.error(`events: storing or fanning out a batch failed (attempt ${attempts}), retrying:`, reason(err));
		batch.retryAll({ delaySeconds: eventsRetrySeconds(attempts) });
		return;
	}
	batch.ackAll();
}

export async function consumeDeliveries(batch: MessageBatch<DeliveryMessage>, env: Env): Promise<void> {
	for (const msg of batch.messages) {
		let outcome: Awaited<ReturnType<typeof deliver>>;
		try {
			outcome = await deliver(env, msg.body.deliveryId, msg.attempts);
		} catch (err) {
			// D1 failed around the attempt: tried again on the delivery's backoff, as a failed POST is.
			console.error(`webhooks: delivery ${msg.body.deliveryId} failed before it was recorded, retrying:`, reason(err));
			outcome = "retry";
		}
		if (outcome === "retry") msg.retry({ delaySeconds: backoffSeconds(env, msg.attempts) });
		else msg.ack();
	}
}

/** The dead-letter queue's consumer: each delivery is given up for good (its row marked dead, which is idempotent). */
export async function consumeDeadLetters(batch: MessageBatch<DeliveryMessage>, env: Env): Promise<void> {
	try {
		for (const msg of batch.messages) await markDead(env, msg.body.deliveryId);
	} catch (err) {
		const attempts = Math.max(...batch.messages.map((m) => m.attempts));
		console.error(`webhooks: marking dead-lettered deliveries failed (attempt ${attempts}), retrying:`, reason(err));
		batch.retryAll({ delaySeconds: eventsRetrySeconds(attempts) });
		return;
	}
	batch.ackAll();
}
