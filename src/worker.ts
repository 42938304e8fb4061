/** Worker entry: HTTP through the Hono app, the queue consumers, hourly housekeeping, and the Durable Object classes. */

import { resealTurnstileSecrets } from "./distributions/protection/turnstile/settings";
import { type EventMessage, storeEvents } from "./events/publish";
import { backoffSeconds, type DeliveryMessage, deliver, fanOut, markDead } from "./events/webhooks/delivery";
import { resealWebhookSecrets } from "./events/webhooks/reseal";
import app from "./http/app";
import { purgeIdempotencyKeys } from "./http/middleware/idempotency";

export { AuctionObject } from "./distributions/auction/object";
export { DrawObject } from "./distributions/draw/object";
export { ChallengeLedger } from "./distributions/protection/ledger-object";
export { QueueObject } from "./distributions/queue/object";
export { QueueShard } from "./distributions/queue/shards/object";
export { RateLimiter } from "./http/middleware/rate-limiter-object";

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
		// After an APP_SECRET rotation: stored endpoint secrets move to the active version (README, "Key rotation").
		ctx.waitUntil(resealWebhookSecrets(env));
		ctx.waitUntil(resealTurnstileSecrets(env));
	},
} satisfies ExportedHandler<Env>;
