/** The contracts of `/api/v1/products` (and the spec's `/api/products`): paths, inputs, answers. */
import { createRoute } from "@hono/zod-openapi";
import { empty, errors, json, jsonBody, SECURITY } from "../../http/openapi";
import { pageQuery, pageSchema } from "../../lib/pagination";
import { idParam } from "../../lib/schemas";
import { createProductBody, productSchema, updateProductBody } from "./schema";

const tags = ["Products"];
const security = SECURITY.secret;

export const create = createRoute({
	method: "post",
	path: "/",
	tags,
	summary: "Create a product",
	security,
	request: { body: jsonBody(createProductBody) },
	responses: { 201: json(productSchema), ...errors({ 409: "SKU already exists" }) },
});

export const list = createRoute({
	method: "get",
	path: "/",
	tags,
	summary: "List products",
	security,
	request: { query: pageQuery },
	responses: { 200: json(pageSchema(productSchema)), ...errors() },
});

export const get = createRoute({
	method: "get",
	path: "/{id}",
	tags,
	summary: "Get a product",
	security,
	request: { params: idParam },
	responses: { 200: json(productSchema), ...errors({ 404: "Product not found" }) },
});

export const update = createRoute({
	method: "put",
	path: "/{id}",
	tags,
	summary: "Update a product (partial)",
	security,
	request: { params: idParam, body: jsonBody(updateProductBody) },
	responses: { 200: json(productSchema), ...errors({ 404: "Product not found", 409: "SKU already exists" }) },
});

export const remove = createRoute({
	method: "delete",
	path: "/{id}",
	tags,
	summary: "Delete a product",
	security,
	request: { params: idParam },
	responses: { 204: empty(), ...errors({ 404: "Product not found" }) },
});
