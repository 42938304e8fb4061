/** `/consumer/v1`: what shoppers' browsers call, with the merchant's publishable key. CORS is open. */
import { Hono } from "hono";
import { consumerAuthRoutes } from "../catalog/consumers/shopper-routes";
import { consumerAuctionRoutes } from "../distributions/auction/shopper-routes";
import { checkoutRoutes } from "../distributions/checkout/routes";
import { consumerDrawRoutes } from "../distributions/draw/shopper-routes";
import { consumerQueueRoutes } from "../distributions/queue/shopper-routes";
import type { ConsumerEnv } from "./env";
import { publishableKeyAuth } from "./middleware/consumer-auth";
import { openCors } from "./middleware/cors";

export const consumerRoutes = new Hono<ConsumerEnv>()
	.use(openCors, publishableKeyAuth)
	.route("/auth", consumerAuthRoutes)
	.route("/queues", consumerQueueRoutes)
	.route("/draws", consumerDrawRoutes)
	.route("/auctions", consumerAuctionRoutes)
	.route("/checkout", checkoutRoutes);
