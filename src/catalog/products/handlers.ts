/** What each products route does: validated input in, the repository, the product out. */
import { uniqueOr } from "../../db/errors";
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
	const row = await guardSku(updateProduct(c.env.DB, organizationId, c.req.valid("param").id, c.req.valid("json")));
	if (!row) throw notFound("Product");
	return c.json(toProduct(row), 200);
};

export const remove: AppRouteHandler<typeof routes.remove> = async (c) => {
	const deleted = await deleteProduct(c.env.DB, c.get("tenant").organizationId, c.req.valid("param").id);
	if (!deleted) throw notFound("Product");
	return c.body(null, 204);
};
