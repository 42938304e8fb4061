/**
 * The auction's routers: the merchant's (`/api/v1/auctions`: the CRUD and the bid list,
 * behind the CRUD's guards) and the bidder's (`/consumer/v1/auctions`).
 */
import { createRouter } from "../../http/router";
import { distributionRoutes } from "../common";
import type { EntryEnv } from "../common/identify";
import * as merchant from "./merchant-handlers";
import * as merchantRoutes from "./merchant-routes";
import * as shopper from "./shopper-handlers";
import * as shopperRoutes from "./shopper-routes";

export const auctionAdminRoutes = distributionRoutes("auction").route(
	"/",
	createRouter().openapi(merchantRoutes.bids, merchant.bids),
);

export const auctionShopperRoutes = createRouter<EntryEnv>()
	.openapi(shopperRoutes.publicState, shopper.publicState)
	.openapi(shopperRoutes.bid, shopper.bid)
	.openapi(shopperRoutes.buyNow, shopper.buyNow)
	.openapi(shopperRoutes.status, shopper.status)
	.openapi(shopperRoutes.log, shopper.log)
	.openapi(shopperRoutes.live, shopper.live);
