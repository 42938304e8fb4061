/** What each events route does: validated input in, the repository, the event out. */
import { notFound } from "../http/problems";
import type { AppRouteHandler } from "../http/router";
import { getEvent, listEvents, toEvent } from "./repo";
import type * as routes from "./routes";

export const list: AppRouteHandler<typeof routes.list> = async (c) =>
	c.json(await listEvents(c.env.DB, c.env.APP_SECRET, c.get("tenant").organizationId, c.req.valid("query")), 200);

export const get: AppRouteHandler<typeof routes.get> = async (c) => {
	const row = await getEvent(c.env.DB, c.get("tenant").organizationId, c.req.valid("param").id);
	if (!row) throw notFound("Event");
	return c.json(toEvent(row), 200);
};
