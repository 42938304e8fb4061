/**
 * The CRUD router of one distribution type, behind the merchant guards. The type's own
 * merchant routes (queue stats, draw results, auction bids, …) are mounted on it, so they
 * run behind the same guards.
 */
import { adminGuards } from "../../http/middleware/guards";
import { createRouter } from "../../http/router";
import { distributionHandlers } from "./handlers";
import { distributionContracts } from "./routes";
import type { DistributionType } from "./status";

export function distributionRoutes(type: DistributionType) {
	const routes = distributionContracts(type);
	const handlers = distributionHandlers(type);
	const router = createRouter();
	router.use(...adminGuards("admin"));
	return router
		.openapi(routes.create, handlers.create)
		.openapi(routes.list, handlers.list)
		.openapi(routes.get, handlers.get)
		.openapi(routes.update, handlers.update)
		.openapi(routes.remove, handlers.remove);
}
