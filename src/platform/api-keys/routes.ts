/** The contracts of `/api/v1/api-keys`: a merchant's own keys. */
import { createRoute } from "@hono/zod-openapi";
import { empty, errors, json, jsonBody, SECURITY } from "../../http/openapi";
import { pageQuery, pageSchema } from "../../lib/pagination";
import { idParam } from "../../lib/schemas";
import { apiKeySchema, createApiKeyBody, createdApiKeySchema } from "./schema";

const tags = ["API keys"];
const security = SECURITY.secret;

export const create = createRoute({
	method: "post",
	path: "/",
	tags,
	summary: "Create an API key (the full key is in this response only)",
	security,
	request: { body: jsonBody(createApiKeyBody) },
	responses: { 201: json(createdApiKeySchema), ...errors() },
});

export const list = createRoute({
	method: "get",
	path: "/",
	tags,
	summary: "List active API keys",
	security,
	request: { query: pageQuery },
	responses: { 200: json(pageSchema(apiKeySchema)), ...errors() },
});

export const get = createRoute({
	method: "get",
	path: "/{id}",
	tags,
	summary: "Get an API key",
	security,
	request: { params: idParam },
	responses: { 200: json(apiKeySchema), ...errors({ 404: "API key not found" }) },
});

export const revoke = createRoute({
	method: "delete",
	path: "/{id}",
	tags,
	summary: "Revoke an API key",
	description: "The key gets 401 from its next request on. The last active secret key cannot be revoked.",
	security,
	request: { params: idParam },
	responses: {
		204: empty(),
		...errors({ 404: "API key not found", 409: "Cannot revoke the last secret key" }),
	},
});
