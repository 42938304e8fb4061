import { and, eq } from "drizzle-orm";
import { Hono } from "hono";
import { validator } from "hono-openapi";
import { db } from "../db/client";
import { firstUnknownProduct, getSequence, toSequence } from "../db/experiences";
import { sequences } from "../db/schema";
import type { AppEnv } from "../env";
import { fieldError, notFound } from "../lib/errors";
import { newEvent, publish } from "../lib/events";
import { doc } from "../lib/openapi";
import { onInvalid } from "../lib/validate";
import { adminGuards } from "../middleware/guards";
import { idParam } from "../schemas/common";
import { sequenceSchema, updateSequenceBody } from "../schemas/experiences";
import { deleteSequence } from "../services/experiences";

const tags = ["Sequences"];
const notFoundDoc = { 404: "Sequence not found" };

export const sequenceRoutes = new Hono<AppEnv>()
	.use(...adminGuards("admin"))
	.get(
		"/:id",
		doc({ tags, summary: "Get a sequence", ok: [200, sequenceSchema], errors: notFoundDoc }),
		validator("param", idParam, onInvalid),
		async (c) => {
			const row = await getSequence(db(c.env.DB), c.get("tenant").organizationId, c.req.valid("param").id);
			if (!row) throw notFound("Sequence");
			return c.json(toSequence(row));
		},
	)
	.put(
		"/:id",
		doc({ tags, summary: "Update a sequence (partial)", ok: [200, sequenceSchema], errors: notFoundDoc }),
		validator("param", idParam, onInvalid),
		validator("json", updateSequenceBody, onInvalid),
		async (c) => {
			const body = c.req.valid("json");
			const { organizationId } = c.get("tenant");
			const database = db(c.env.DB);
			if (body.productId && (await firstUnknownProduct(database, organizationId, [body.productId])) >= 0) {
				throw fieldError("productId", "Unknown product");
			}
			const [row] = await database
				.update(sequences)
				.set({ ...body, updatedAt: Date.now() })
				.where(and(eq(sequences.organizationId, organizationId), eq(sequences.id, c.req.valid("param").id)))
				.returning();
			if (!row) throw notFound("Sequence");
			await publish(c.env.EVENTS, [newEvent(organizationId, "sequence.updated", { object: toSequence(row) })]);
			return c.json(toSequence(row));
		},
	)
	.delete(
		"/:id",
		doc({
			tags,
			summary: "Delete a sequence and its distributions",
			ok: [204, null],
			errors: { ...notFoundDoc, 409: "Cannot delete a sequence with an open distribution" },
		}),
		validator("param", idParam, onInvalid),
		async (c) => {
			const tenant = c.get("tenant");
			const row = await getSequence(db(c.env.DB), tenant.organizationId, c.req.valid("param").id);
			if (!row) throw notFound("Sequence");
			await deleteSequence(c.env, tenant, row.id);
			await publish(c.env.EVENTS, [newEvent(tenant.organizationId, "sequence.deleted", { object: toSequence(row) })]);
			return c.body(null, 204);
		},
	);
