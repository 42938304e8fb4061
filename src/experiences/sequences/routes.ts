import { and, eq } from "drizzle-orm";
import { Hono } from "hono";
import { validator } from "hono-openapi";
import { db } from "../../db/client";
import { sequences } from "../../db/schema";
import { newEvent, publish } from "../../events/publish";
import type { AppEnv } from "../../http/env";
import { doc } from "../../http/legacy-doc";
import { adminGuards } from "../../http/middleware/guards";
import { fieldError, notFound } from "../../http/problems";
import { onInvalid } from "../../http/validation";
import { idParam } from "../../lib/schemas";
import { firstUnknownProduct, getSequence, toSequence } from "../experiences/repo";
import { sequenceSchema, updateSequenceBody } from "../experiences/schema";
import { deleteSequence } from "../experiences/service";

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
