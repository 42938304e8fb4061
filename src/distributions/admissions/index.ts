/** `/api/v1/admissions`: each contract bound to its handler, behind the merchant guards. */
import { adminGuards } from "../../http/middleware/guards";
import { createRouter } from "../../http/router";
import * as handlers from "./handlers";
import * as routes from "./routes";

const router = createRouter();
router.use(...adminGuards("admin"));

export const admissionRoutes = router
	.openapi(routes.validate, handlers.validate)
	.openapi(routes.complete, handlers.complete)
	.openapi(routes.revoke, handlers.revoke);
