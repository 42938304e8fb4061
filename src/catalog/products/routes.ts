import { Hono } from "hono";
import { validator } from "hono-openapi";
import { db } from "../../db/client";
import { uniqueOr } from "../../db/errors";
import { listPage } from "../../db/list";
import { products as table } from "../../db/schema";
import type { AppEnv } from "../../http/env";
import { adminGuards } from "../../http/middleware/guards";
import { doc } from "../../http/openapi";
import { conflict, notFound } from "../../http/problems";
import { onInvalid } from "../../http/validation";
import { pageQuery, pageSchema } from "../../lib/pagination";
import { idParam } from "../../lib/schemas";
import { createProduct, deleteProduct, getProduct, toProduct, updateProduct } from "./repo";
import { createProductBody, productSchema, updateProductBody } from "./schema";

const tags = ["Products"];
const skuTaken = () => conflict("SKU already exists", "Another product of this organization has this SKU.");

const guardSku = <T>(write: Promise<T>) => uniqueOr(write, "sku", skuTaken);

export const productRoutes = new Hono<AppEnv>()
	.use(...adminGuards("products"))
	.post(
		"/",
		doc({ tags, summary: "Create a product", ok: [201, productSchema], errors: { 409: "SKU already exists" } }),
		validator("json", createProductBody, onInvalid),
		async (c) => {
			const row = await guardSku(createProduct(db(c.env.DB), c.get("tenant").organizationId, c.req.valid("json")));
			return c.json(toProduct(row), 201);
		},
	)
	.get(
		"/",
		doc({ tags, summary: "List products", ok: [200, pageSchema(productSchema)] }),
		validator("query", pageQuery, onInvalid),
		async (c) => {
			const page = c.req.valid("query");
			const { organizationId } = c.get("tenant");
			return c.json(await listPage(db(c.env.DB), c.env.APP_SECRET, table, organizationId, [], page, toProduct));
		},
	)
	.get(
		"/:id",
		doc({ tags, summary: "Get a product", ok: [200, productSchema], errors: { 404: "Product not found" } }),
		validator("param", idParam, onInvalid),
		async (c) => {
			const row = await getProduct(db(c.env.DB), c.get("tenant").organizationId, c.req.valid("param").id);
			if (!row) throw notFound("Product");
			return c.json(toProduct(row));
		},
	)
	.put(
		"/:id",
		doc({
			tags,
			summary: "Update a product (partial)",
			ok: [200, productSchema],
			errors: { 404: "Product not found", 409: "SKU already exists" },
		}),
		validator("param", idParam, onInvalid),
		validator("json", updateProductBody, onInvalid),
		async (c) => {
			const { organizationId } = c.get("tenant");
			const write = updateProduct(db(c.env.DB), organizationId, c.req.valid("param").id, c.req.valid("json"));
			const row = await guardSku(write);
			if (!row) throw notFound("Product");
			return c.json(toProduct(row));
		},
	)
	.delete(
		"/:id",
		doc({ tags, summary: "Delete a product", ok: [204, null], errors: { 404: "Product not found" } }),
		validator("param", idParam, onInvalid),
		async (c) => {
			const deleted = await deleteProduct(db(c.env.DB), c.get("tenant").organizationId, c.req.valid("param").id);
			if (!deleted) throw notFound("Product");
			return c.body(null, 204);
		},
	);
