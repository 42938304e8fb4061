/** Worker entry: HTTP through the Hono app, the events consumer, hourly housekeeping, and the Durable Object classes. */
import app from "./app";
import { type EventMessage, storeEvents } from "./lib/events";
import { purgeIdempotencyKeys } from "./middleware/idempotency";

export { AuctionObject } from "./objects/auction";
export { DrawObject } from "./objects/draw";
export { QueueObject } from "./objects/queue";
export { RateLimiter } from "./objects/rate-limiter";

export default {
	fetch: app.fetch,
	async queue(batch, env) {
		await storeEvents(env.DB, batch as MessageBatch<EventMessage>);
	},
	async scheduled(_controller, env, ctx) {
		ctx.waitUntil(purgeIdempotencyKeys(env.DB));
	},
} satisfies ExportedHandler<Env>;
