/** What each operator route does: validated input in, the repository, the organization out. */
import { notFound } from "../../http/problems";
import type { AppRouteHandler } from "../../http/router";
import { createOrganization, getOrganization, listOrganizations, toOrganization } from "./repo";
import type * as routes from "./routes";

export const create: AppRouteHandler<typeof routes.create> = async (c) => {
	const { name, defaultTimeZone } = c.req.valid("json");
	return c.json(await createOrganization(c.env.DB, name, defaultTimeZone), 201);
};

export const list: AppRouteHandler<typeof routes.list> = async (c) =>
	c.json(await listOrganizations(c.env.DB, c.env.APP_SECRET, c.req.valid("query")), 200);

export const get: AppRouteHandler<typeof routes.get> = async (c) => {
	const row = await getOrganization(c.env.DB, c.req.valid("param").id);
	if (!row) throw notFound("Organization");
	return c.json(toOrganization(row), 200);
};
