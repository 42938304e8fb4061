/** Worker entry: HTTP through the Hono app, the queue consumers, hourly housekeeping, and the Durable Object classes. */

import { resealTurnstileSecrets } from "./distributions/protection/turnstile/settings";
import { consumeDeadLetters, consumeDeliveries, consumeEvents } from "./events/consumer";
import type { EventMessage } from "./events/publish";
import type { DeliveryMessage } from "./events/webhooks/delivery";
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
		if (batch.queue.endsWith("-dlq")) return consumeDeadLetters(batch as MessageBatch<DeliveryMessage>, env);
		if (batch.queue.includes("webhooks")) return consumeDeliveries(batch as MessageBatch<DeliveryMessage>, env);
		return consumeEvents(batch as MessageBatch<EventMessage>, env);
	},
	async scheduled(_controller, env, ctx) {
		ctx.waitUntil(purgeIdempotencyKeys(env.DB));
		// After an APP_SECRET rotation: stored endpoint secrets move to the active version (README, "Key rotation").
		ctx.waitUntil(resealWebhookSecrets(env));
		ctx.waitUntil(resealTurnstileSecrets(env));
	},
} satisfies ExportedHandler<Env>;
