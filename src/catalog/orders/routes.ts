import { eq } from "drizzle-orm";
import { Hono } from "hono";
import { validator } from "hono-openapi";
import { db } from "../../db/client";
import { uniqueOr } from "../../db/errors";
import { listPage } from "../../db/list";
import { orders as table } from "../../db/schema";
import type { AppEnv } from "../../http/env";
import { doc } from "../../http/legacy-doc";
import { adminGuards } from "../../http/middleware/guards";
import { conflict, notFound } from "../../http/problems";
import { onInvalid } from "../../http/validation";
import { pageQuery, pageSchema } from "../../lib/pagination";
import { idParam } from "../../lib/schemas";
import { getOrder, toOrder } from "./repo";
import { createOrderBody, listOrdersQuery, orderSchema } from "./schema";
import { placeOrder } from "./service";

const tags = ["Orders"];
const duplicateOrder = () =>
	conflict("Order already exists", "An order with this externalOrderId was already reported.");

export const orderRoutes = new Hono<AppEnv>()
	.use(...adminGuards("orders"))
	.post(
		"/",
		doc({
			tags,
			summary: "Report an order: it uses the consumer's admission grant and one unit of stock",
			description:
				"The consumer must hold a live, unused grant for the distribution (admitted from a queue, or winner of a " +
				"draw or auction). The order uses it up, takes one unit of the product's inventory, and marks the " +
				"consumer COMPLETED. Auction orders must equal the final price.",
			ok: [201, orderSchema],
			errors: {
				409: "Order already exists / No admission / Admission already used / Admission expired / Out of stock",
			},
		}),
		validator("json", createOrderBody, onInvalid),
		async (c) => {
			const row = await uniqueOr(
				placeOrder(c.env, c.get("tenant"), c.req.valid("json")),
				"external_order_id",
				duplicateOrder,
			);
			return c.json(toOrder(row), 201);
		},
	)
	.get(
		"/",
		doc({ tags, summary: "List orders (filter by consumer or distribution)", ok: [200, pageSchema(orderSchema)] }),
		validator("query", pageQuery.extend(listOrdersQuery.shape), onInvalid),
		async (c) => {
			const { consumerId, distributionId, ...page } = c.req.valid("query");
			const filters = [
				consumerId ? eq(table.consumerId, consumerId) : undefined,
				distributionId ? eq(table.distributionId, distributionId) : undefined,
			];
			const { organizationId } = c.get("tenant");
			return c.json(await listPage(db(c.env.DB), c.env.APP_SECRET, table, organizationId, filters, page, toOrder));
		},
	)
	.get(
		"/:id",
		doc({ tags, summary: "Get an order", ok: [200, orderSchema], errors: { 404: "Order not found" } }),
		validator("param", idParam, onInvalid),
		async (c) => {
			const row = await getOrder(db(c.env.DB), c.get("tenant").organizationId, c.req.valid("param").id);
			if (!row) throw notFound("Order");
			return c.json(toOrder(row));
		},
	);
