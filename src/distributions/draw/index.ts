/**
 * The draw's routers: the merchant's (`/api/v1/draws`: the CRUD and its views and controls,
 * behind the CRUD's guards) and the shopper's (`/consumer/v1/draws`).
 */
import { createRouter } from "../../http/router";
import { distributionRoutes } from "../common";
import type { EntryEnv } from "../common/identify";
import * as merchant from "./merchant-handlers";
import * as merchantRoutes from "./merchant-routes";
import * as shopper from "./shopper-handlers";
import * as shopperRoutes from "./shopper-routes";

export const drawAdminRoutes = distributionRoutes("draw").route(
	"/",
	createRouter()
		.openapi(merchantRoutes.entries, merchant.entries)
		.openapi(merchantRoutes.exportEntries, merchant.exportEntries)
		.openapi(merchantRoutes.results, merchant.results)
		.openapi(merchantRoutes.run, merchant.run),
);

export const drawShopperRoutes = createRouter<EntryEnv>()
	.openapi(shopperRoutes.enter, shopper.enter)
	.openapi(shopperRoutes.leave, shopper.leave)
	.openapi(shopperRoutes.status, shopper.status)
	.openapi(shopperRoutes.proof, shopper.proof)
	.openapi(shopperRoutes.log, shopper.log)
	.openapi(shopperRoutes.logProof, shopper.logProof)
	.openapi(shopperRoutes.live, shopper.live);
