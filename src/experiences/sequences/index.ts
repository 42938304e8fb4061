/** `/api/v1/sequences`: each contract bound to its handler, behind the merchant guards. */
import { sequenceAccessRoutes } from "../../distributions/access";
import { adminGuards } from "../../http/middleware/guards";
import { createRouter } from "../../http/router";
import * as handlers from "./handlers";
import * as routes from "./routes";

const router = createRouter();
router.use(...adminGuards("admin"));

export const sequenceRoutes = router
	.openapi(routes.get, handlers.get)
	.openapi(routes.update, handlers.update)
	.openapi(routes.remove, handlers.remove)
	.route("/", sequenceAccessRoutes);
