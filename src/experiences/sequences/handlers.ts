/** What each sequences route does: validated input in, the service or repository, the sequence out. */
import { notFound } from "../../http/problems";
import type { AppRouteHandler } from "../../http/router";
import { getSequence, toSequence } from "./repo";
import type * as routes from "./routes";
import { deleteSequence, updateSequence } from "./service";

export const get: AppRouteHandler<typeof routes.get> = async (c) => {
	const row = await getSequence(c.env.DB, c.get("tenant").organizationId, c.req.valid("param").id);
	if (!row) throw notFound("Sequence");
	return c.json(toSequence(row), 200);
};

export const update: AppRouteHandler<typeof routes.update> = async (c) => {
	const { organizationId } = c.get("tenant");
	const updated = await updateSequence(c.env, organizationId, c.req.valid("param").id, c.req.valid("json"));
	if (!updated) throw notFound("Sequence");
	return c.json(updated, 200);
};

export const remove: AppRouteHandler<typeof routes.remove> = async (c) => {
	const tenant = c.get("tenant");
	const row = await getSequence(c.env.DB, tenant.organizationId, c.req.valid("param").id);
	if (!row) throw notFound("Sequence");
	await deleteSequence(c.env, tenant, toSequence(row));
	return c.body(null, 204);
};
