/** `/api/v1/webhook-endpoints`: each contract bound to its handler, behind the merchant guards. */
import { adminGuards } from "../../http/middleware/guards";
import { createRouter } from "../../http/router";
import * as handlers from "./handlers";
import * as routes from "./routes";

const router = createRouter();
router.use(...adminGuards("admin"));

export const webhookEndpointRoutes = router
	.openapi(routes.create, handlers.create)
	.openapi(routes.list, handlers.list)
	.openapi(routes.get, handlers.get)
	.openapi(routes.update, handlers.update)
	.openapi(routes.remove, handlers.remove)
	.openapi(routes.rotateSecret, handlers.rotateSecret)
	.openapi(routes.test, handlers.test)
	.openapi(routes.deliveries, handlers.deliveries)
	.openapi(routes.retry, handlers.retry);
