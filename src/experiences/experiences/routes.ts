import { and, eq } from "drizzle-orm";
import { Hono } from "hono";
import { validator } from "hono-openapi";
import { db } from "../../db/client";
import { listPage } from "../../db/list";
import { experiences, sequences } from "../../db/schema";
import { newEvent, publish } from "../../events/publish";
import type { AppEnv } from "../../http/env";
import { doc } from "../../http/legacy-doc";
import { adminGuards } from "../../http/middleware/guards";
import { fieldError, notFound } from "../../http/problems";
import { onInvalid } from "../../http/validation";
import { newId } from "../../lib/ids";
import { pageQuery, pageSchema } from "../../lib/pagination";
import { idParam } from "../../lib/schemas";
import { firstUnknownProduct, getExperience, toExperience, toSequence } from "./repo";
import {
	createExperienceBody,
	createSequenceBody,
	experienceSchema,
	sequenceSchema,
	updateExperienceBody,
} from "./schema";
import { deleteExperience } from "./service";

const tags = ["Experiences"];
const notFoundDoc = { 404: "Experience not found" };

async function checkProductIds(database: ReturnType<typeof db>, organizationId: string, ids: string[] | undefined) {
	const missing = ids ? await firstUnknownProduct(database, organizationId, ids) : -1;
	if (missing >= 0) throw fieldError(`productIds.${missing}`, "Unknown product");
}

export const experienceRoutes = new Hono<AppEnv>()
	.use(...adminGuards("admin"))
	.post(
		"/",
		doc({ tags, summary: "Create an experience", ok: [201, experienceSchema] }),
		validator("json", createExperienceBody, onInvalid),
		async (c) => {
			const body = c.req.valid("json");
			const { organizationId } = c.get("tenant");
			const database = db(c.env.DB);
			await checkProductIds(database, organizationId, body.productIds);
			const now = Date.now();
			const [row] = await database
				.insert(experiences)
				.values({
					id: newId("exp"),
					organizationId,
					name: body.name,
					description: body.description ?? null,
					timeZone: body.timeZone ?? null,
					checkoutUrl: body.checkoutUrl ?? null,
					productIds: body.productIds ?? [],
					metadata: body.metadata ?? null,
					createdAt: now,
					updatedAt: now,
				})
				.returning();
			await publish(c.env.EVENTS, [newEvent(organizationId, "experience.created", { object: toExperience(row) })]);
			return c.json(toExperience(row), 201);
		},
	)
	.get(
		"/",
		doc({ tags, summary: "List experiences", ok: [200, pageSchema(experienceSchema)] }),
		validator("query", pageQuery, onInvalid),
		async (c) => {
			const { organizationId } = c.get("tenant");
			const page = c.req.valid("query");
			return c.json(
				await listPage(db(c.env.DB), c.env.APP_SECRET, experiences, organizationId, [], page, toExperience),
			);
		},
	)
	.get(
		"/:id",
		doc({ tags, summary: "Get an experience", ok: [200, experienceSchema], errors: notFoundDoc }),
		validator("param", idParam, onInvalid),
		async (c) => {
			const row = await getExperience(db(c.env.DB), c.get("tenant").organizationId, c.req.valid("param").id);
			if (!row) throw notFound("Experience");
			return c.json(toExperience(row));
		},
	)
	.put(
		"/:id",
		doc({ tags, summary: "Update an experience (partial)", ok: [200, experienceSchema], errors: notFoundDoc }),
		validator("param", idParam, onInvalid),
		validator("json", updateExperienceBody, onInvalid),
		async (c) => {
			const body = c.req.valid("json");
			const { organizationId } = c.get("tenant");
			const database = db(c.env.DB);
			await checkProductIds(database, organizationId, body.productIds);
			const [row] = await database
				.update(experiences)
				.set({ ...body, updatedAt: Date.now() })
				.where(and(eq(experiences.organizationId, organizationId), eq(experiences.id, c.req.valid("param").id)))
				.returning();
			if (!row) throw notFound("Experience");
			await publish(c.env.EVENTS, [newEvent(organizationId, "experience.updated", { object: toExperience(row) })]);
			return c.json(toExperience(row));
		},
	)
	.delete(
		"/:id",
		doc({
			tags,
			summary: "Delete an experience, its sequences and their distributions",
			ok: [204, null],
			errors: { ...notFoundDoc, 409: "Cannot delete an experience with an open distribution" },
		}),
		validator("param", idParam, onInvalid),
		async (c) => {
			const tenant = c.get("tenant");
			const row = await getExperience(db(c.env.DB), tenant.organizationId, c.req.valid("param").id);
			if (!row) throw notFound("Experience");
			await deleteExperience(c.env, tenant, row.id);
			await publish(c.env.EVENTS, [
				newEvent(tenant.organizationId, "experience.deleted", { object: toExperience(row) }),
			]);
			return c.body(null, 204);
		},
	)
	.post(
		"/:id/sequences",
		doc({
			tags: ["Sequences"],
			summary: "Create a sequence in an experience",
			ok: [201, sequenceSchema],
			errors: notFoundDoc,
		}),
		validator("param", idParam, onInvalid),
		validator("json", createSequenceBody, onInvalid),
		async (c) => {
			const body = c.req.valid("json");
			const { organizationId } = c.get("tenant");
			const database = db(c.env.DB);
			const experience = await getExperience(database, organizationId, c.req.valid("param").id);
			if (!experience) throw notFound("Experience");
			if (body.productId && (await firstUnknownProduct(database, organizationId, [body.productId])) >= 0) {
				throw fieldError("productId", "Unknown product");
			}
			const now = Date.now();
			const [row] = await database
				.insert(sequences)
				.values({
					id: newId("seq"),
					organizationId,
					experienceId: experience.id,
					name: body.name,
					priority: body.priority ?? 0,
					productId: body.productId ?? null,
					checkoutUrl: body.checkoutUrl ?? null,
					metadata: body.metadata ?? null,
					createdAt: now,
					updatedAt: now,
				})
				.returning();
			await publish(c.env.EVENTS, [newEvent(organizationId, "sequence.created", { object: toSequence(row) })]);
			return c.json(toSequence(row), 201);
		},
	)
	.get(
		"/:id/sequences",
		doc({
			tags: ["Sequences"],
			summary: "List an experience's sequences",
			ok: [200, pageSchema(sequenceSchema)],
			errors: notFoundDoc,
		}),
		validator("param", idParam, onInvalid),
		validator("query", pageQuery, onInvalid),
		async (c) => {
			const { organizationId } = c.get("tenant");
			const database = db(c.env.DB);
			const experience = await getExperience(database, organizationId, c.req.valid("param").id);
			if (!experience) throw notFound("Experience");
			const filters = [eq(sequences.experienceId, experience.id)];
			const page = c.req.valid("query");
			return c.json(await listPage(database, c.env.APP_SECRET, sequences, organizationId, filters, page, toSequence));
		},
	);
