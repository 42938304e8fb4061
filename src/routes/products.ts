import { Hono } from "hono";
import { validator } from "hono-openapi";
import { db } from "../db/client";
import { listPage } from "../db/list";
import { createProduct, deleteProduct, getProduct, toProduct, updateProduct } from "../db/products";
import { products as table } from "../db/schema";
import type { AppEnv } from "../env";
import { uniqueOr } from "../lib/db-errors";
import { conflict, notFound } from "../lib/errors";
import { doc } from "../lib/openapi";
import { pageQuery, pageSchema } from "../lib/pagination";
import { onInvalid } from "../lib/validate";
import { adminGuards } from "../middleware/guards";
import { idParam } from "../schemas/common";
import { createProductBody, productSchema, updateProductBody } from "../schemas/products";

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
