import { and, asc, eq, inArray } from "drizzle-orm";
import { Hono } from "hono";
import { validator } from "hono-openapi";
import { z } from "zod";
import { db } from "../../db/client";
import { listPage } from "../../db/list";
import { events, webhookAttempts, webhookDeliveries, webhookEndpoints } from "../../db/schema";
import type { AppEnv } from "../../http/env";
import { doc } from "../../http/legacy-doc";
import { adminGuards } from "../../http/middleware/guards";
import { notFound } from "../../http/problems";
import { onInvalid } from "../../http/validation";
import { encrypt } from "../../lib/crypto";
import { newId } from "../../lib/ids";
import { pageQuery, pageSchema } from "../../lib/pagination";
import { idParam } from "../../lib/schemas";
import { isoOrNull, isoSeconds } from "../../lib/time";
import { newEvent } from "../publish";
import { secretKey } from "./delivery";
import {
	createdWebhookEndpointSchema,
	createWebhookEndpointBody,
	updateWebhookEndpointBody,
	webhookDeliverySchema,
	webhookEndpointSchema,
} from "./schema";
import { newWebhookSecret } from "./signing";

const tags = ["Webhooks"];
const errors = { 404: "Webhook endpoint not found" };
type Row = typeof webhookEndpoints.$inferSelect;

const toEndpoint = (r: Row) => ({
	id: r.id,
	url: r.url,
	description: r.description,
	events: r.events,
	enabled: r.enabled,
	createdAt: isoSeconds(r.createdAt),
	updatedAt: isoSeconds(r.updatedAt),
});

async function ownedEndpoint(env: Env, organizationId: string, id: string): Promise<Row> {
	const row = await db(env.DB)
		.select()
		.from(webhookEndpoints)
		.where(and(eq(webhookEndpoints.organizationId, organizationId), eq(webhookEndpoints.id, id)))
		.get();
	if (!row) throw notFound("Webhook endpoint");
	return row;
}

/** Queues one delivery of `eventId` to `endpointId` (a new delivery row, or the failed one again). */
async function queueDelivery(env: Env, deliveryId: string) {
	await env.WEBHOOKS.send({ deliveryId });
}

export const webhookEndpointRoutes = new Hono<AppEnv>()
	.use(...adminGuards("admin"))
	.post(
		"/",
		doc({
			tags,
			summary: "Register a webhook endpoint (the signing secret is shown once)",
			ok: [201, createdWebhookEndpointSchema],
		}),
		validator("json", createWebhookEndpointBody, onInvalid),
		async (c) => {
			const body = c.req.valid("json");
			const id = newId("wh");
			const secret = newWebhookSecret();
			const now = Date.now();
			const [row] = await db(c.env.DB)
				.insert(webhookEndpoints)
				.values({
					id,
					organizationId: c.get("tenant").organizationId,
					url: body.url,
					description: body.description ?? null,
					events: body.events,
					secretCiphertext: await encrypt(await secretKey(c.env), secret, id),
					enabled: true,
					createdAt: now,
					updatedAt: now,
				})
				.returning();
			return c.json({ ...toEndpoint(row), secret }, 201);
		},
	)
	.get(
		"/",
		doc({ tags, summary: "List webhook endpoints", ok: [200, pageSchema(webhookEndpointSchema)] }),
		validator("query", pageQuery, onInvalid),
		async (c) => {
			const { organizationId } = c.get("tenant");
			const page = c.req.valid("query");
			return c.json(
				await listPage(db(c.env.DB), c.env.APP_SECRET, webhookEndpoints, organizationId, [], page, toEndpoint),
			);
		},
	)
	.get(
		"/:id",
		doc({ tags, summary: "Get a webhook endpoint", ok: [200, webhookEndpointSchema], errors }),
		validator("param", idParam, onInvalid),
		async (c) =>
			c.json(toEndpoint(await ownedEndpoint(c.env, c.get("tenant").organizationId, c.req.valid("param").id))),
	)
	.put(
		"/:id",
		doc({ tags, summary: "Update a webhook endpoint (partial)", ok: [200, webhookEndpointSchema], errors }),
		validator("param", idParam, onInvalid),
		validator("json", updateWebhookEndpointBody, onInvalid),
		async (c) => {
			const row = await ownedEndpoint(c.env, c.get("tenant").organizationId, c.req.valid("param").id);
			const [updated] = await db(c.env.DB)
				.update(webhookEndpoints)
				.set({ ...c.req.valid("json"), updatedAt: Date.now() })
				.where(eq(webhookEndpoints.id, row.id))
				.returning();
			return c.json(toEndpoint(updated));
		},
	)
	.delete(
		"/:id",
		doc({ tags, summary: "Delete a webhook endpoint (pending retries stop)", ok: [204, null], errors }),
		validator("param", idParam, onInvalid),
		async (c) => {
			const row = await ownedEndpoint(c.env, c.get("tenant").organizationId, c.req.valid("param").id);
			await db(c.env.DB).delete(webhookEndpoints).where(eq(webhookEndpoints.id, row.id));
			return c.body(null, 204);
		},
	)
	.post(
		"/:id/test",
		doc({
			tags,
			summary: "Send a `webhook.test` event to this endpoint only",
			ok: [202, z.object({ deliveryId: z.string(), eventId: z.string() })],
			errors,
		}),
		validator("param", idParam, onInvalid),
		async (c) => {
			const row = await ownedEndpoint(c.env, c.get("tenant").organizationId, c.req.valid("param").id);
			const event = newEvent(row.organizationId, "webhook.test", {
				endpointId: row.id,
				message: "Hello from fanfare-edge",
			});
			const deliveryId = newId("dlv");
			const database = db(c.env.DB);
			await database.batch([
				database.insert(events).values({ ...event, data: event.data }),
				database.insert(webhookDeliveries).values({
					id: deliveryId,
					organizationId: row.organizationId,
					endpointId: row.id,
					eventId: event.id,
					eventType: event.type,
					status: "pending",
					createdAt: event.createdAt,
					updatedAt: event.createdAt,
				}),
			]);
			await queueDelivery(c.env, deliveryId);
			return c.json({ deliveryId, eventId: event.id }, 202);
		},
	)
	.get(
		"/:id/deliveries",
		doc({
			tags,
			summary: "Deliveries to this endpoint, newest first, with every attempt",
			ok: [200, pageSchema(webhookDeliverySchema)],
			errors,
		}),
		validator("param", idParam, onInvalid),
		validator("query", pageQuery, onInvalid),
		async (c) => {
			const { organizationId } = c.get("tenant");
			const row = await ownedEndpoint(c.env, organizationId, c.req.valid("param").id);
			const database = db(c.env.DB);
			const page = await listPage(
				database,
				c.env.APP_SECRET,
				webhookDeliveries,
				organizationId,
				[eq(webhookDeliveries.endpointId, row.id)],
				c.req.valid("query"),
				(d) => d,
			);
			const ids = page.data.map((d) => d.id);
			const tries = ids.length
				? await database
						.select()
						.from(webhookAttempts)
						.where(inArray(webhookAttempts.deliveryId, ids))
						.orderBy(asc(webhookAttempts.attempt))
				: [];
			return c.json({
				nextCursor: page.nextCursor,
				data: page.data.map((d) => ({
					id: d.id,
					eventId: d.eventId,
					eventType: d.eventType,
					status: d.status,
					attempts: tries
						.filter((t) => t.deliveryId === d.id)
						.map((t) => ({
							attempt: t.attempt,
							statusCode: t.statusCode,
							latencyMs: t.latencyMs,
							error: t.error,
							at: isoSeconds(t.at),
						})),
					nextRetryAt: isoOrNull(d.nextRetryAt),
					createdAt: isoSeconds(d.createdAt),
				})),
			});
		},
	)
	.post(
		"/:id/deliveries/:deliveryId/retry",
		doc({ tags, summary: "Try a delivery again now", ok: [202, z.object({ deliveryId: z.string() })], errors }),
		validator("param", idParam.extend({ deliveryId: z.string().min(1) }), onInvalid),
		async (c) => {
			const { id, deliveryId } = c.req.valid("param");
			const row = await ownedEndpoint(c.env, c.get("tenant").organizationId, id);
			const delivery = await db(c.env.DB)
				.select({ id: webhookDeliveries.id })
				.from(webhookDeliveries)
				.where(and(eq(webhookDeliveries.endpointId, row.id), eq(webhookDeliveries.id, deliveryId)))
				.get();
			if (!delivery) throw notFound("Delivery");
			await db(c.env.DB)
				.update(webhookDeliveries)
				.set({ status: "pending", updatedAt: Date.now() })
				.where(eq(webhookDeliveries.id, delivery.id));
			await queueDelivery(c.env, delivery.id);
			return c.json({ deliveryId: delivery.id }, 202);
		},
	);
