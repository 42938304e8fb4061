import { and, eq, isNull } from "drizzle-orm";
import { Hono } from "hono";
import { validator } from "hono-openapi";
import { db } from "../../db/client";
import { listPage } from "../../db/list";
import { apiKeys } from "../../db/schema";
import type { AppEnv } from "../../http/env";
import { doc } from "../../http/legacy-doc";
import { adminGuards } from "../../http/middleware/guards";
import { conflict, notFound } from "../../http/problems";
import { onInvalid } from "../../http/validation";
import { pageQuery, pageSchema } from "../../lib/pagination";
import { idParam } from "../../lib/schemas";
import { apiKeySchema, createApiKeyBody, createdApiKeySchema } from "../organizations/schema";
import { activeKeys, mintApiKey, revokeApiKey, toApiKey } from "./repo";

const tags = ["API keys"];

export const apiKeyRoutes = new Hono<AppEnv>()
	.use(...adminGuards("admin"))
	.post(
		"/",
		doc({ tags, summary: "Create an API key (the full key is in this response only)", ok: [201, createdApiKeySchema] }),
		validator("json", createApiKeyBody, onInvalid),
		async (c) => {
			const { type, name } = c.req.valid("json");
			const { row, created } = await mintApiKey(c.get("tenant").organizationId, type, name);
			await db(c.env.DB).insert(apiKeys).values(row);
			return c.json(created, 201);
		},
	)
	.get(
		"/",
		doc({ tags, summary: "List active API keys", ok: [200, pageSchema(apiKeySchema)] }),
		validator("query", pageQuery, onInvalid),
		async (c) => {
			const { organizationId } = c.get("tenant");
			const page = c.req.valid("query");
			return c.json(
				await listPage(
					db(c.env.DB),
					c.env.APP_SECRET,
					apiKeys,
					organizationId,
					[isNull(apiKeys.revokedAt)],
					page,
					toApiKey,
				),
			);
		},
	)
	.get(
		"/:id",
		doc({ tags, summary: "Get an API key", ok: [200, apiKeySchema], errors: { 404: "API key not found" } }),
		validator("param", idParam, onInvalid),
		async (c) => {
			const where = and(activeKeys(c.get("tenant").organizationId), eq(apiKeys.id, c.req.valid("param").id));
			const row = await db(c.env.DB).select().from(apiKeys).where(where).get();
			if (!row) throw notFound("API key");
			return c.json(toApiKey(row));
		},
	)
	.delete(
		"/:id",
		doc({
			tags,
			summary: "Revoke an API key",
			description: "The key gets 401 from its next request on. The last active secret key cannot be revoked.",
			ok: [204, null],
			errors: { 404: "API key not found", 409: "Cannot revoke the last secret key" },
		}),
		validator("param", idParam, onInvalid),
		async (c) => {
			const outcome = await revokeApiKey(c.env.DB, c.get("tenant").organizationId, c.req.valid("param").id);
			if (outcome === "not_found") throw notFound("API key");
			if (outcome === "last_secret") {
				throw conflict("Cannot revoke the last secret key", "Create another secret key first, then revoke this one.");
			}
			return c.body(null, 204);
		},
	);
