/**
 * The queue's routers: the merchant's (`/api/v1/queues`: the CRUD and its controls, behind
 * the CRUD's guards) and the shopper's (`/consumer/v1/queues`).
 */
import { createRouter } from "../../http/router";
import { distributionRoutes } from "../common";
import type { QueueEnv } from "./identify";
import * as merchant from "./merchant-handlers";
import * as merchantRoutes from "./merchant-routes";
import * as shopper from "./shopper-handlers";
import * as shopperRoutes from "./shopper-routes";

export const queueAdminRoutes = distributionRoutes("queue").route(
	"/",
	createRouter()
		.openapi(merchantRoutes.stats, merchant.stats)
		.openapi(merchantRoutes.entries, merchant.entries)
		.openapi(merchantRoutes.admit, merchant.admit)
		.openapi(merchantRoutes.deny, merchant.deny),
);

export const queueShopperRoutes = createRouter<QueueEnv>()
	.openapi(shopperRoutes.enter, shopper.enter)
	.openapi(shopperRoutes.status, shopper.status)
	.openapi(shopperRoutes.leave, shopper.leave)
	.openapi(shopperRoutes.live, shopper.live);
