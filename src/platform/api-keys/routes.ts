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
	description:
		"Needs the `keys` scope. A secret key gets the `scopes` asked for (default: the calling key's), never one the " +
		"calling key lacks (403). At most 50 live keys per organization (409). Publishes `api_key.created`.",
	security,
	request: { body: jsonBody(createApiKeyBody) },
	responses: { 201: json(createdApiKeySchema), ...errors({ 409: "API key limit reached" }) },
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
	description:
		"Needs the `keys` scope and every scope the revoked key holds. The key gets 401 from its next request on. " +
		"The last active secret key, and the last one holding every scope, cannot be revoked. Publishes `api_key.revoked`.",
	security,
	request: { params: idParam },
	responses: {
		204: empty(),
		...errors({
			404: "API key not found",
			409: "Cannot revoke the last secret key, or the last full-access key",
		}),
	},
});
