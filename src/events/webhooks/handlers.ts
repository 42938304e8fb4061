/** What each webhook-endpoints route does: validated input in, the service or repository, the answer out. */
import { notFound } from "../../http/problems";
import type { AppRouteHandler } from "../../http/router";
import { deleteEndpoint, getEndpoint, listDeliveries, listEndpoints, toEndpoint } from "./repo";
import type * as routes from "./routes";
import { changeEndpoint, registerEndpoint, retryDelivery, rotateEndpointSecret, sendTest } from "./service";

/** The hostname this API was called on: an endpoint pointing back at it is refused. */
const ownHost = (url: string) => new URL(url).hostname;

/** The organization's endpoint of the path, or 404. */
async function ownedEndpoint(d1: D1Database, organizationId: string, id: string) {
	const row = await getEndpoint(d1, organizationId, id);
	if (!row) throw notFound("Webhook endpoint");
	return row;
}

export const create: AppRouteHandler<typeof routes.create> = async (c) =>
	c.json(await registerEndpoint(c.env, c.get("tenant").organizationId, c.req.valid("json"), ownHost(c.req.url)), 201);

export const list: AppRouteHandler<typeof routes.list> = async (c) =>
	c.json(await listEndpoints(c.env.DB, c.env.APP_SECRET, c.get("tenant").organizationId, c.req.valid("query")), 200);

export const get: AppRouteHandler<typeof routes.get> = async (c) =>
	c.json(toEndpoint(await ownedEndpoint(c.env.DB, c.get("tenant").organizationId, c.req.valid("param").id)), 200);

export const update: AppRouteHandler<typeof routes.update> = async (c) => {
	const row = await ownedEndpoint(c.env.DB, c.get("tenant").organizationId, c.req.valid("param").id);
	return c.json(await changeEndpoint(c.env, row.id, c.req.valid("json"), ownHost(c.req.url)), 200);
};

export const rotateSecret: AppRouteHandler<typeof routes.rotateSecret> = async (c) => {
	const row = await ownedEndpoint(c.env.DB, c.get("tenant").organizationId, c.req.valid("param").id);
	return c.json(await rotateEndpointSecret(c.env, row.id, c.req.valid("json").gracePeriodSeconds), 200);
};

export const remove: AppRouteHandler<typeof routes.remove> = async (c) => {
	const row = await ownedEndpoint(c.env.DB, c.get("tenant").organizationId, c.req.valid("param").id);
	await deleteEndpoint(c.env.DB, row.id);
	return c.body(null, 204);
};

export const test: AppRouteHandler<typeof routes.test> = async (c) => {
	const row = await ownedEndpoint(c.env.DB, c.get("tenant").organizationId, c.req.valid("param").id);
	return c.json(await sendTest(c.env, row), 202);
};

export const deliveries: AppRouteHandler<typeof routes.deliveries> = async (c) => {
	const { organizationId } = c.get("tenant");
	const row = await ownedEndpoint(c.env.DB, organizationId, c.req.valid("param").id);
	return c.json(await listDeliveries(c.env.DB, c.env.APP_SECRET, organizationId, row.id, c.req.valid("query")), 200);
};

export const retry: AppRouteHandler<typeof routes.retry> = async (c) => {
	const { id, deliveryId } = c.req.valid("param");
	const row = await ownedEndpoint(c.env.DB, c.get("tenant").organizationId, id);
	if (!(await retryDelivery(c.env, row.id, deliveryId))) throw notFound("Delivery");
	return c.json({ deliveryId }, 202);
};
