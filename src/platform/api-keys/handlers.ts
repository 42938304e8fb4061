/** What each API-key route does: validated input in, the repository, the key out. */
import { conflict, notFound } from "../../http/problems";
import type { AppRouteHandler } from "../../http/router";
import { createApiKey, getActiveKey, listActiveKeys, revokeApiKey, toApiKey } from "./repo";
import type * as routes from "./routes";

export const create: AppRouteHandler<typeof routes.create> = async (c) => {
	const { type, name } = c.req.valid("json");
	return c.json(await createApiKey(c.env.DB, c.get("tenant").organizationId, type, name), 201);
};

export const list: AppRouteHandler<typeof routes.list> = async (c) =>
	c.json(await listActiveKeys(c.env.DB, c.env.APP_SECRET, c.get("tenant").organizationId, c.req.valid("query")), 200);

export const get: AppRouteHandler<typeof routes.get> = async (c) => {
	const row = await getActiveKey(c.env.DB, c.get("tenant").organizationId, c.req.valid("param").id);
	if (!row) throw notFound("API key");
	return c.json(toApiKey(row), 200);
};

export const revoke: AppRouteHandler<typeof routes.revoke> = async (c) => {
	const outcome = await revokeApiKey(c.env.DB, c.get("tenant").organizationId, c.req.valid("param").id);
	if (outcome === "not_found") throw notFound("API key");
	if (outcome === "last_secret") {
		throw conflict("Cannot revoke the last secret key", "Create another secret key first, then revoke this one.");
	}
	return c.body(null, 204);
};
