/** What each experiences route does: validated input in, the service or repository, the experience out. */
import { notFound } from "../../http/problems";
import type { AppRouteHandler } from "../../http/router";
import { listSequences as listSequenceRows } from "../sequences/repo";
import { createSequence as createSequenceIn } from "../sequences/service";
import { getExperience, listExperiences, toExperience } from "./repo";
import type * as routes from "./routes";
import { createExperience, deleteExperience, updateExperience } from "./service";

export const create: AppRouteHandler<typeof routes.create> = async (c) =>
	c.json(await createExperience(c.env, c.get("tenant").organizationId, c.req.valid("json")), 201);

export const list: AppRouteHandler<typeof routes.list> = async (c) =>
	c.json(await listExperiences(c.env.DB, c.env.APP_SECRET, c.get("tenant").organizationId, c.req.valid("query")), 200);

/** The experience of the path, or 404. */
async function experienceOf(d1: D1Database, organizationId: string, id: string) {
	const row = await getExperience(d1, organizationId, id);
	if (!row) throw notFound("Experience");
	return row;
}

export const get: AppRouteHandler<typeof routes.get> = async (c) =>
	c.json(toExperience(await experienceOf(c.env.DB, c.get("tenant").organizationId, c.req.valid("param").id)), 200);

export const update: AppRouteHandler<typeof routes.update> = async (c) => {
	const updated = await updateExperience(
		c.env,
		c.get("tenant").organizationId,
		c.req.valid("param").id,
		c.req.valid("json"),
	);
	if (!updated) throw notFound("Experience");
	return c.json(updated, 200);
};

export const remove: AppRouteHandler<typeof routes.remove> = async (c) => {
	const tenant = c.get("tenant");
	const row = await experienceOf(c.env.DB, tenant.organizationId, c.req.valid("param").id);
	await deleteExperience(c.env, tenant, toExperience(row));
	return c.body(null, 204);
};

export const createSequence: AppRouteHandler<typeof routes.createSequence> = async (c) => {
	const { organizationId } = c.get("tenant");
	const experience = await experienceOf(c.env.DB, organizationId, c.req.valid("param").id);
	return c.json(await createSequenceIn(c.env, organizationId, experience.id, c.req.valid("json")), 201);
};

export const listSequences: AppRouteHandler<typeof routes.listSequences> = async (c) => {
	const { organizationId } = c.get("tenant");
	const experience = await experienceOf(c.env.DB, organizationId, c.req.valid("param").id);
	const page = await listSequenceRows(c.env.DB, c.env.APP_SECRET, organizationId, experience.id, c.req.valid("query"));
	return c.json(page, 200);
};
