/** What each orders route does: validated input in, the service or repository, the order out. */
import { uniqueOr } from "../../db/errors";
import { notFound } from "../../http/problems";
import type { AppRouteHandler } from "../../http/router";
import { getOrder, listOrders, toOrder } from "./repo";
import type * as routes from "./routes";
import { duplicateOrder, placeOrder } from "./service";

export const create: AppRouteHandler<typeof routes.create> = async (c) => {
	// Two reports of one order racing past the service's check meet at the unique index.
	const row = await uniqueOr(
		placeOrder(c.env, c.get("tenant"), c.req.valid("json")),
		"external_order_id",
		duplicateOrder,
	);
	return c.json(toOrder(row), 201);
};

export const list: AppRouteHandler<typeof routes.list> = async (c) =>
	c.json(await listOrders(c.env.DB, c.env.APP_SECRET, c.get("tenant").organizationId, c.req.valid("query")), 200);

export const get: AppRouteHandler<typeof routes.get> = async (c) => {
	const row = await getOrder(c.env.DB, c.get("tenant").organizationId, c.req.valid("param").id);
	if (!row) throw notFound("Order");
	return c.json(toOrder(row), 200);
};
