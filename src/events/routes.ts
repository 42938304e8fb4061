import { and, eq, like } from "drizzle-orm";
import { Hono } from "hono";
import { validator } from "hono-openapi";
import { z } from "zod";
import { db } from "../db/client";
import { listPage } from "../db/list";
import { events } from "../db/schema";
import type { AppEnv } from "../http/env";
import { doc } from "../http/legacy-doc";
import { adminGuards } from "../http/middleware/guards";
import { notFound } from "../http/problems";
import { onInvalid } from "../http/validation";
import { pageQuery, pageSchema } from "../lib/pagination";
import { idParam, isoDateTime } from "../lib/schemas";
import { isoSeconds } from "../lib/time";

const tags = ["Events"];

export const eventSchema = z
	.object({
		id: z.string().meta({ example: "evt_01HXYZ123456789ABCDEFGHJK" }),
		type: z.string().meta({ example: "queue.opened" }),
		distributionId: z.string().nullable(),
		data: z.record(z.string(), z.unknown()),
		createdAt: isoDateTime(),
	})
	.meta({ id: "Event" });

const toEvent = (row: typeof events.$inferSelect) => ({
	id: row.id,
	type: row.type,
	distributionId: row.distributionId,
	data: row.data,
	createdAt: isoSeconds(row.createdAt),
});

const listQuery = pageQuery.extend({
	type: z
		.string()
		.regex(/^[a-z_]+(\.[a-z_]+)*(\.\*)?$/, "An event type such as queue.opened, or a prefix such as queue.*")
		.optional(),
	distributionId: z.string().max(100).optional(),
});

export const eventRoutes = new Hono<AppEnv>()
	.use(...adminGuards("admin"))
	.get(
		"/",
		doc({
			tags,
			summary: "List events (filter by type or type prefix, and distribution)",
			ok: [200, pageSchema(eventSchema)],
		}),
		validator("query", listQuery, onInvalid),
		async (c) => {
			const { type, distributionId, ...page } = c.req.valid("query");
			const filters = [
				type?.endsWith(".*") ? like(events.type, `${type.slice(0, -1)}%`) : type ? eq(events.type, type) : undefined,
				distributionId ? eq(events.distributionId, distributionId) : undefined,
			];
			const { organizationId } = c.get("tenant");
			return c.json(await listPage(db(c.env.DB), c.env.APP_SECRET, events, organizationId, filters, page, toEvent));
		},
	)
	.get(
		"/:id",
		doc({ tags, summary: "Get an event", ok: [200, eventSchema], errors: { 404: "Event not found" } }),
		validator("param", idParam, onInvalid),
		async (c) => {
			const row = await db(c.env.DB)
				.select()
				.from(events)
				.where(and(eq(events.organizationId, c.get("tenant").organizationId), eq(events.id, c.req.valid("param").id)))
				.get();
			if (!row) throw notFound("Event");
			return c.json(toEvent(row));
		},
	);
