/** `/consumer/v1`: what shoppers' browsers call, with the merchant's publishable key. CORS is open. */
import { Hono } from "hono";
import { cors } from "hono/cors";
import type { ConsumerEnv } from "../../env";
import { publishableKeyAuth } from "../../middleware/consumer-auth";
import { consumerAuctionRoutes } from "./auctions";
import { consumerAuthRoutes } from "./auth";
import { checkoutRoutes } from "./checkout";
import { consumerDrawRoutes } from "./draws";
import { consumerQueueRoutes } from "./queues";

export const consumerRoutes = new Hono<ConsumerEnv>()
	.use(
		cors({
			origin: "*",
			allowHeaders: [
				"Content-Type",
				"Authorization",
				"X-Publishable-Key",
				"X-Queue-Ticket",
				"X-Idempotency-Key",
				"Idempotency-Key",
			],
			exposeHeaders: ["X-Request-Id", "Retry-After", "RateLimit-Limit", "RateLimit-Remaining", "RateLimit-Reset"],
			maxAge: 86_400,
		}),
		publishableKeyAuth,
	)
	.route("/auth", consumerAuthRoutes)
	.route("/queues", consumerQueueRoutes)
	.route("/draws", consumerDrawRoutes)
	.route("/auctions", consumerAuctionRoutes)
	.route("/checkout", checkoutRoutes);
