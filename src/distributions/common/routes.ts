/**
 * `/api/v1/queues`, `/api/v1/draws`, `/api/v1/auctions`: the same five routes for
 * each type, built from that type's schemas. An id of another type is a 404.
 */
import { eq } from "drizzle-orm";
import { Hono } from "hono";
import { validator } from "hono-openapi";
import { z } from "zod";
import { db } from "../../db/client";
import { listPage } from "../../db/list";
import { distributions as table } from "../../db/schema";
import type { AppEnv } from "../../http/env";
import { doc } from "../../http/legacy-doc";
import { adminGuards } from "../../http/middleware/guards";
import { onInvalid } from "../../http/validation";
import { pageQuery, pageSchema } from "../../lib/pagination";
import { idParam } from "../../lib/schemas";
import { toDistribution } from "./repo";
import * as schemas from "./schema";
import { createDistribution, deleteDistribution, findOrThrow, TYPE_NAMES, updateDistribution } from "./service";
import { type DistributionType, STATUSES, statusSql } from "./status";

const SHAPES = {
	queue: { create: schemas.createQueueBody, update: schemas.updateQueueBody, response: schemas.queueSchema },
	draw: { create: schemas.createDrawBody, update: schemas.updateDrawBody, response: schemas.drawSchema },
	auction: { create: schemas.createAuctionBody, update: schemas.updateAuctionBody, response: schemas.auctionSchema },
} as const;

export function distributionRoutes<T extends DistributionType>(type: T) {
	const { create, update, response } = SHAPES[type];
	const name = TYPE_NAMES[type];
	const tags = [`${name}s`];
	const notFound = { 404: `${name} not found` };
	const listQuery = pageQuery.extend({
		sequenceId: z.string().max(100).optional(),
		status: z.enum(STATUSES[type]).optional(),
	});

	return new Hono<AppEnv>()
		.use(...adminGuards("admin"))
		.post(
			"/",
			doc({ tags, summary: `Create a ${type}`, ok: [201, response] }),
			validator("json", create, onInvalid),
			async (c) => {
				const row = await createDistribution(c.env, c.get("tenant"), type, c.req.valid("json"));
				return c.json(toDistribution(row), 201);
			},
		)
		.get(
			"/",
			doc({ tags, summary: `List ${type}s (filter by sequenceId, status)`, ok: [200, pageSchema(response)] }),
			validator("query", listQuery, onInvalid),
			async (c) => {
				const { sequenceId, status, ...page } = c.req.valid("query");
				const now = Date.now();
				const filters = [
					eq(table.type, type),
					sequenceId ? eq(table.sequenceId, sequenceId) : undefined,
					status ? eq(statusSql(table, now), status) : undefined,
				];
				const { organizationId } = c.get("tenant");
				const map = (row: typeof table.$inferSelect) => toDistribution(row, now);
				return c.json(await listPage(db(c.env.DB), c.env.APP_SECRET, table, organizationId, filters, page, map));
			},
		)
		.get(
			"/:id",
			doc({ tags, summary: `Get a ${type}`, ok: [200, response], errors: notFound }),
			validator("param", idParam, onInvalid),
			async (c) => c.json(toDistribution(await findOrThrow(c.env, c.get("tenant"), type, c.req.valid("param").id))),
		)
		.put(
			"/:id",
			doc({
				tags,
				summary: `Update a ${type} (partial)`,
				description: "Moving a time reschedules its transitions. CLOSED (or later) distributions cannot change.",
				ok: [200, response],
				errors: { ...notFound, 409: "Cannot update closed distribution" },
			}),
			validator("param", idParam, onInvalid),
			validator("json", update, onInvalid),
			async (c) => {
				const { id } = c.req.valid("param");
				const row = await updateDistribution(c.env, c.get("tenant"), type, id, c.req.valid("json"));
				return c.json(toDistribution(row));
			},
		)
		.delete(
			"/:id",
			doc({
				tags,
				summary: `Delete a ${type}`,
				description:
					"Removes the distribution and all its live state. An OPEN one with participants must be closed first.",
				ok: [204, null],
				errors: { ...notFound, 409: "Distribution has participants" },
			}),
			validator("param", idParam, onInvalid),
			async (c) => {
				await deleteDistribution(c.env, c.get("tenant"), type, c.req.valid("param").id);
				return c.body(null, 204);
			},
		);
}
