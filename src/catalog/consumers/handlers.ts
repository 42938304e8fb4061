/** What each merchant consumers route does: validated input in, the repository, the consumer out. */
import { uniqueOr } from "../../db/errors";
import { conflict, notFound } from "../../http/problems";
import type { AppRouteHandler } from "../../http/router";
import { issueSession } from "./access-tokens";
import { createConsumer, deleteConsumer, getConsumer, listConsumers, toConsumer, updateConsumer } from "./repo";
import type * as routes from "./routes";

const emailTaken = () => conflict("Email already exists", "Another consumer of this organization has this email.");
const guardEmail = <T>(write: Promise<T>) => uniqueOr(write, "email", emailTaken);

export const create: AppRouteHandler<typeof routes.create> = async (c) => {
	const row = await guardEmail(createConsumer(c.env.DB, c.get("tenant").organizationId, c.req.valid("json")));
	return c.json(toConsumer(row), 201);
};

export const list: AppRouteHandler<typeof routes.list> = async (c) =>
	c.json(await listConsumers(c.env.DB, c.env.APP_SECRET, c.get("tenant").organizationId, c.req.valid("query")), 200);

export const get: AppRouteHandler<typeof routes.get> = async (c) => {
	const row = await getConsumer(c.env.DB, c.get("tenant").organizationId, c.req.valid("param").id);
	if (!row) throw notFound("Consumer");
	return c.json(toConsumer(row), 200);
};

export const update: AppRouteHandler<typeof routes.update> = async (c) => {
	const { organizationId } = c.get("tenant");
	const row = await guardEmail(updateConsumer(c.env.DB, organizationId, c.req.valid("param").id, c.req.valid("json")));
	if (!row) throw notFound("Consumer");
	return c.json(toConsumer(row), 200);
};

export const issueToken: AppRouteHandler<typeof routes.issueToken> = async (c) => {
	const { organizationId } = c.get("tenant");
	const row = await getConsumer(c.env.DB, organizationId, c.req.valid("param").id);
	if (!row) throw notFound("Consumer");
	// The merchant vouches for this shopper: the session may enter `verified` launches.
	const { sessionId } = c.req.valid("json");
	return c.json(await issueSession(c.env, organizationId, row.id, true, sessionId), 201);
};

export const remove: AppRouteHandler<typeof routes.remove> = async (c) => {
	const deleted = await deleteConsumer(c.env.DB, c.get("tenant").organizationId, c.req.valid("param").id);
	if (!deleted) throw notFound("Consumer");
	return c.body(null, 204);
};
