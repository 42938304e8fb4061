/** What each distribution CRUD route does, for one type: validated input in, the service, the spec's object out. */
import type { AppRouteHandler } from "../../http/router";
import { engineRef } from "./engine";
import { listDistributions, toDistribution } from "./repo";
import type { DistributionContracts as Routes } from "./routes";
import { createDistribution, deleteDistribution, findOrThrow, updateDistribution } from "./service";
import type { DistributionType } from "./status";

export function distributionHandlers(type: DistributionType) {
	const create: AppRouteHandler<Routes["create"]> = async (c) => {
		const row = await createDistribution(c.env, c.get("tenant"), type, c.req.valid("json"));
		return c.json(toDistribution(row), 201);
	};

	const list: AppRouteHandler<Routes["list"]> = async (c) => {
		const { sequenceId, status, ...page } = c.req.valid("query");
		const { organizationId } = c.get("tenant");
		const filters = { sequenceId, status };
		return c.json(await listDistributions(c.env.DB, c.env.APP_SECRET, organizationId, type, filters, page), 200);
	};

	const get: AppRouteHandler<Routes["get"]> = async (c) => {
		const row = await findOrThrow(c.env, c.get("tenant"), type, c.req.valid("param").id);
		const object = toDistribution(row);
		// A settled auction shows its outcome (from its object: D1 holds no winner); before that the spec's fields only.
		if (row.type === "auction" && object.status === "SETTLED") {
			const outcome = await engineRef(c.env, "auction", row.id).outcome();
			if (outcome)
				return c.json({ ...object, winnerConsumerId: outcome.winnerConsumerId, finalPrice: outcome.finalPrice }, 200);
		}
		return c.json(object, 200);
	};

	const update: AppRouteHandler<Routes["update"]> = async (c) => {
		const row = await updateDistribution(c.env, c.get("tenant"), type, c.req.valid("param").id, c.req.valid("json"));
		return c.json(toDistribution(row), 200);
	};

	const remove: AppRouteHandler<Routes["remove"]> = async (c) => {
		await deleteDistribution(c.env, c.get("tenant"), type, c.req.valid("param").id);
		return c.body(null, 204);
	};

	return { create, list, get, update, remove };
}
