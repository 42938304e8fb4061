/** Merchant controls of one queue, mounted beside the queue CRUD (which supplies auth and limits). */
import { Hono } from "hono";
import { validator } from "hono-openapi";
import { z } from "zod";
import { queueStateSchema } from "../../catalog/consumers/shopper-schema";
import type { AppEnv } from "../../http/env";
import { doc } from "../../http/legacy-doc";
import { onInvalid } from "../../http/validation";
import { objectPage, pageQuery, pageSchema } from "../../lib/pagination";
import { idParam } from "../../lib/schemas";
import { findOrThrow } from "../common/service";
import { admitBody, denyBody, entryStatus, queueEntrySchema, queueStatsSchema } from "./schema";
import { unwrapQueue } from "./shopper-routes";

const tags = ["Queues"];
const errors = { 404: "Queue not found" };

/** The queue's object after checking, in D1, that the queue is this tenant's. */
async function ownedQueue(env: Env, tenant: AppEnv["Variables"]["tenant"], id: string) {
	const row = await findOrThrow(env, tenant, "queue", id);
	return env.QUEUE_OBJECT.getByName(row.id);
}

export const queueAdminRoutes = new Hono<AppEnv>()
	.get(
		"/:id/stats",
		doc({ tags, summary: "Live counts of the queue", ok: [200, queueStatsSchema], errors }),
		validator("param", idParam, onInvalid),
		async (c) => c.json(await (await ownedQueue(c.env, c.get("tenant"), c.req.valid("param").id)).stats()),
	)
	.get(
		"/:id/entries",
		doc({ tags, summary: "The queue's entries, newest first", ok: [200, pageSchema(queueEntrySchema)], errors }),
		validator("param", idParam, onInvalid),
		validator("query", pageQuery.extend({ status: entryStatus.optional() }), onInvalid),
		async (c) => {
			const { id } = c.req.valid("param");
			const { status, ...page } = c.req.valid("query");
			const ref = await ownedQueue(c.env, c.get("tenant"), id);
			return c.json(
				await objectPage(c.env.APP_SECRET, `queue-entries|${id}`, page, (before, n) => ref.entries(status, n, before)),
			);
		},
	)
	.post(
		"/:id/admit",
		doc({
			tags,
			summary: "Admit up to `count` consumers now (in line order, within maxCapacity)",
			ok: [200, z.object({ admitted: z.number().int() })],
			errors: { ...errors, 409: "Queue not open" },
		}),
		validator("param", idParam, onInvalid),
		validator("json", admitBody, onInvalid),
		async (c) => {
			const tenant = c.get("tenant");
			const ref = await ownedQueue(c.env, tenant, c.req.valid("param").id);
			return c.json(unwrapQueue(await ref.admitNow(tenant.organizationId, c.req.valid("json").count)));
		},
	)
	.post(
		"/:id/entries/:consumerId/deny",
		doc({
			tags,
			summary: "Deny a consumer: a waiting one loses its place, an admitted one its grant",
			ok: [200, queueStateSchema],
			errors: { 404: "Queue not found / Not in queue" },
		}),
		validator("param", idParam.extend({ consumerId: z.string().min(1) }), onInvalid),
		validator("json", denyBody, onInvalid),
		async (c) => {
			const { id, consumerId } = c.req.valid("param");
			const tenant = c.get("tenant");
			const ref = await ownedQueue(c.env, tenant, id);
			return c.json(unwrapQueue(await ref.deny(tenant.organizationId, consumerId, c.req.valid("json").reason ?? null)));
		},
	);
