/** What each API-key route does: validated input in, the service or repository, the key out. */
import { notFound } from "../../http/problems";
import type { AppRouteHandler } from "../../http/router";
import { getActiveKey, listActiveKeys, toApiKey } from "./repo";
import type * as routes from "./routes";
import { createKey, revokeKey } from "./service";

export const create: AppRouteHandler<typeof routes.create> = async (c) =>
	c.json(await createKey(c.env, c.get("tenant"), c.req.valid("json")), 201);

export const list: AppRouteHandler<typeof routes.list> = async (c) =>
	c.json(await listActiveKeys(c.env.DB, c.env.APP_SECRET, c.get("tenant").organizationId, c.req.valid("query")), 200);

export const get: AppRouteHandler<typeof routes.get> = async (c) => {
	const row = await getActiveKey(c.env.DB, c.get("tenant").organizationId, c.req.valid("param").id);
	if (!row) throw notFound("API key");
	return c.json(toApiKey(row), 200);
};

export const revoke: AppRouteHandler<typeof routes.revoke> = async (c) => {
	await revokeKey(c.env, c.get("tenant"), c.req.valid("param").id);
	return c.body(null, 204);
};
