/** The contracts of `/api/v1/orders` (and the spec's `/api/orders`): paths, inputs, answers. */
import { createRoute } from "@hono/zod-openapi";
import { errors, json, jsonBody, SECURITY } from "../../http/openapi";
import { pageQuery, pageSchema } from "../../lib/pagination";
import { idParam } from "../../lib/schemas";
import { createOrderBody, listOrdersQuery, orderSchema } from "./schema";

const tags = ["Orders"];
const security = SECURITY.secret;

export const create = createRoute({
	method: "post",
	path: "/",
	tags,
	summary: "Report an order: it uses the consumer's admission grant and one unit of stock",
	description:
		"The consumer must hold a live, unused grant for the distribution (admitted from a queue, or winner of a " +
		"draw or auction). The order uses it up, takes one unit of the product's inventory, and marks the " +
		"consumer COMPLETED. Auction orders must equal the final price.",
	security,
	request: { body: jsonBody(createOrderBody) },
	responses: {
		201: json(orderSchema),
		...errors({
			409: "Order already exists / No admission / Admission already used / Admission expired / Out of stock",
		}),
	},
});

export const list = createRoute({
	method: "get",
	path: "/",
	tags,
	summary: "List orders (filter by consumer or distribution)",
	security,
	request: { query: pageQuery.extend(listOrdersQuery.shape) },
	responses: { 200: json(pageSchema(orderSchema)), ...errors() },
});

export const get = createRoute({
	method: "get",
	path: "/{id}",
	tags,
	summary: "Get an order",
	security,
	request: { params: idParam },
	responses: { 200: json(orderSchema), ...errors({ 404: "Order not found" }) },
});
