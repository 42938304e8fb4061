/** Worker entry: HTTP through the Hono app, hourly housekeeping, and the Durable Object classes. */
import app from "./app";
import { purgeIdempotencyKeys } from "./middleware/idempotency";

export { RateLimiter } from "./objects/rate-limiter";

export default {
	fetch: app.fetch,
	async scheduled(_controller, env, ctx) {
		ctx.waitUntil(purgeIdempotencyKeys(env.DB));
	},
} satisfies ExportedHandler<Env>;
