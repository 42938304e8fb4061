/**
 * Cloudflare Turnstile: the organization's widget settings (`/api/v1/organization/turnstile`,
 * table `turnstile_settings`) and siteverify (the gate calls it, ../gate.ts).
 */
import { adminGuards } from "../../../http/middleware/guards";
import { createRouter } from "../../../http/router";
import * as handlers from "./handlers";
import * as routes from "./routes";

const router = createRouter();
router.use(...adminGuards("admin"));

export const organizationRoutes = router
	.openapi(routes.get, handlers.get)
	.openapi(routes.put, handlers.put)
	.openapi(routes.remove, handlers.remove);
