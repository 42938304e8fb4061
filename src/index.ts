/** Worker entry: HTTP through the Hono app, the queue consumers, hourly housekeeping, and the Durable Object classes. */
import app from "./app";
import { type EventMessage, storeEvents } from "./lib/events";
import { purgeIdempotencyKeys } from "./middleware/idempotency";
import { backoffSeconds, type DeliveryMessage, deliver, fanOut, markDead } from "./services/webhooks";

export { AuctionObject } from "./objects/auction";
export { DrawObject } from "./objects/draw";
export { QueueObject } from "./objects/queue";
export { RateLimiter } from "./objects/rate-limiter";

export default {
	fetch: app.fetch,
	async queue(batch, env) {
		if (batch.queue.endsWith("-dlq")) {
			for (const msg of batch.messages) await markDead(env, (msg.body as DeliveryMessage).deliveryId);
			return batch.ackAll();
		}
		if (batch.queue.includes("webhooks")) {
			for (const msg of batch.messages) {
				const outcome = await deliver(env, (msg.body as DeliveryMessage).deliveryId, msg.attempts);
				if (outcome === "retry") msg.retry({ delaySeconds: backoffSeconds(env, msg.attempts) });
				else msg.ack();
			}
			return;
		}
		const events = batch as MessageBatch<EventMessage>;
		await storeEvents(env.DB, events);
		await fanOut(
			env,
			events.messages.map((m) => m.body),
		);
		events.ackAll();
	},
	async scheduled(_controller, env, ctx) {
		ctx.waitUntil(purgeIdempotencyKeys(env.DB));
	},
} satisfies ExportedHandler<Env>;
