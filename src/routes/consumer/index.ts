/** `/consumer/v1`: what shoppers' browsers call, with the merchant's publishable key. CORS is open. */
import { Hono } from "hono";
import type { ConsumerEnv } from "../../env";
import { publishableKeyAuth } from "../../middleware/consumer-auth";
import { openCors } from "../../middleware/cors";
import { consumerAuctionRoutes } from "./auctions";
import { consumerAuthRoutes } from "./auth";
import { checkoutRoutes } from "./checkout";
import { consumerDrawRoutes } from "./draws";
import { consumerQueueRoutes } from "./queues";

export const consumerRoutes = new Hono<ConsumerEnv>()
	.use(openCors, publishableKeyAuth)
	.route("/auth", consumerAuthRoutes)
	.route("/queues", consumerQueueRoutes)
	.route("/draws", consumerDrawRoutes)
	.route("/auctions", consumerAuctionRoutes)
	.route("/checkout", checkoutRoutes);
