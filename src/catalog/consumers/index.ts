/**
 * `/api/v1/consumers` (merchant guards) and `/consumer/v1/auth` (behind the shopper surface's
 * publishable-key auth, set in http/app.ts): each contract bound to its handler.
 */
import type { ConsumerEnv } from "../../http/env";
import { adminGuards } from "../../http/middleware/guards";
import { createRouter } from "../../http/router";
import * as handlers from "./handlers";
import * as routes from "./routes";
import * as shopperHandlers from "./shopper-handlers";
import * as shopperRoutes from "./shopper-routes";

const router = createRouter();
router.use(...adminGuards("consumers"));

export const consumerRoutes = router
	.openapi(routes.create, handlers.create)
	.openapi(routes.list, handlers.list)
	.openapi(routes.get, handlers.get)
	.openapi(routes.update, handlers.update)
	.openapi(routes.issueToken, handlers.issueToken)
	.openapi(routes.remove, handlers.remove);

export const consumerAuthRoutes = createRouter<ConsumerEnv>()
	.openapi(shopperRoutes.guest, shopperHandlers.guest)
	.openapi(shopperRoutes.refresh, shopperHandlers.refresh)
	.openapi(shopperRoutes.revoke, shopperHandlers.revoke);
