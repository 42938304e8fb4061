/** What each products route does: validated input in, the repository, the product out. */
import { uniqueOr } from "../../db/errors";
import { tellQueueStock } from "../../distributions/queue/stock";
import { conflict, notFound } from "../../http/problems";
import type { AppRouteHandler } from "../../http/router";
import { createProduct, deleteProduct, getProduct, listProducts, toProduct, updateProduct } from "./repo";
import type * as routes from "./routes";

const skuTaken = () => conflict("SKU already exists", "Another product of this organization has this SKU.");
const guardSku = <T>(write: Promise<T>) => uniqueOr(write, "sku", skuTaken);

export const create: AppRouteHandler<typeof routes.create> = async (c) => {
	const row = await guardSku(createProduct(c.env.DB, c.get("tenant").organizationId, c.req.valid("json")));
	return c.json(toProduct(row), 201);
};

export const list: AppRouteHandler<typeof routes.list> = async (c) =>
	c.json(await listProducts(c.env.DB, c.env.APP_SECRET, c.get("tenant").organizationId, c.req.valid("query")), 200);

export const get: AppRouteHandler<typeof routes.get> = async (c) => {
	const row = await getProduct(c.env.DB, c.get("tenant").organizationId, c.req.valid("param").id);
	if (!row) throw notFound("Product");
	return c.json(toProduct(row), 200);
};

export const update: AppRouteHandler<typeof routes.update> = async (c) => {
	const { organizationId } = c.get("tenant");
	const body = c.req.valid("json");
	const row = await guardSku(updateProduct(c.env.DB, organizationId, c.req.valid("param").id, body));
	if (!row) throw notFound("Product");
	// A restock (or a new count) reaches the queues selling it: admission resumes or stops at once.
	if (body.inventory !== undefined) await tellQueueStock(c.env, organizationId, { productId: row.id });
	return c.json(toProduct(row), 200);
};

export const remove: AppRouteHandler<typeof routes.remove> = async (c) => {
	const { organizationId } = c.get("tenant");
	const id = c.req.valid("param").id;
	if (!(await deleteProduct(c.env.DB, organizationId, id))) throw notFound("Product");
	// Its queues sell nothing tracked any more (orders take no stock from a deleted product).
	await tellQueueStock(c.env, organizationId, { productId: id });
	return c.body(null, 204);
};
