/** `/api/v1/orders`: each contract bound to its handler, behind the merchant guards. */
import { adminGuards } from "../../http/middleware/guards";
import { createRouter } from "../../http/router";
import * as handlers from "./handlers";
import * as routes from "./routes";

const router = createRouter();
router.use(...adminGuards("orders"));

export const orderRoutes = router
	.openapi(routes.create, handlers.create)
	.openapi(routes.list, handlers.list)
	.openapi(routes.get, handlers.get);
