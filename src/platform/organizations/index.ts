/** `/platform/v1`: each contract bound to its handler, behind the operator's token (then idempotency). */
import { platformAuth } from "../../http/middleware/auth";
import { idempotency } from "../../http/middleware/idempotency";
import { createRouter } from "../../http/router";
import * as handlers from "./handlers";
import * as routes from "./routes";

const router = createRouter();
router.use(platformAuth, idempotency);

export const platformRoutes = router
	.openapi(routes.create, handlers.create)
	.openapi(routes.list, handlers.list)
	.openapi(routes.get, handlers.get);
