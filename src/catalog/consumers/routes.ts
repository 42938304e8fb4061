import { eq } from "drizzle-orm";
import { Hono } from "hono";
import { validator } from "hono-openapi";
import { db } from "../../db/client";
import { uniqueOr } from "../../db/errors";
import { listPage } from "../../db/list";
import { consumers as table } from "../../db/schema";
import type { AppEnv } from "../../http/env";
import { doc } from "../../http/legacy-doc";
import { adminGuards } from "../../http/middleware/guards";
import { conflict, notFound } from "../../http/problems";
import { onInvalid } from "../../http/validation";
import { pageQuery, pageSchema } from "../../lib/pagination";
import { idParam } from "../../lib/schemas";
import { issueAccessToken } from "./access-tokens";
import { createConsumer, deleteConsumer, getConsumer, toConsumer, updateConsumer } from "./repo";
import { consumerSchema, createConsumerBody, listConsumersQuery, updateConsumerBody } from "./schema";
import { accessTokenSchema } from "./shopper-schema";

const tags = ["Consumers"];
const emailTaken = () => conflict("Email already exists", "Another consumer of this organization has this email.");
const guardEmail = <T>(write: Promise<T>) => uniqueOr(write, "email", emailTaken);

export const consumerRoutes = new Hono<AppEnv>()
	.use(...adminGuards("consumers"))
	.post(
		"/",
		doc({ tags, summary: "Create a consumer", ok: [201, consumerSchema], errors: { 409: "Email already exists" } }),
		validator("json", createConsumerBody, onInvalid),
		async (c) => {
			const row = await guardEmail(createConsumer(db(c.env.DB), c.get("tenant").organizationId, c.req.valid("json")));
			return c.json(toConsumer(row), 201);
		},
	)
	.get(
		"/",
		doc({ tags, summary: "List consumers (optionally by email)", ok: [200, pageSchema(consumerSchema)] }),
		validator("query", pageQuery.extend(listConsumersQuery.shape), onInvalid),
		async (c) => {
			const { email, ...page } = c.req.valid("query");
			const filters = [email ? eq(table.email, email) : undefined];
			const { organizationId } = c.get("tenant");
			return c.json(await listPage(db(c.env.DB), c.env.APP_SECRET, table, organizationId, filters, page, toConsumer));
		},
	)
	.get(
		"/:id",
		doc({ tags, summary: "Get a consumer", ok: [200, consumerSchema], errors: { 404: "Consumer not found" } }),
		validator("param", idParam, onInvalid),
		async (c) => {
			const row = await getConsumer(db(c.env.DB), c.get("tenant").organizationId, c.req.valid("param").id);
			if (!row) throw notFound("Consumer");
			return c.json(toConsumer(row));
		},
	)
	.put(
		"/:id",
		doc({
			tags,
			summary: "Update a consumer (partial)",
			ok: [200, consumerSchema],
			errors: { 404: "Consumer not found", 409: "Email already exists" },
		}),
		validator("param", idParam, onInvalid),
		validator("json", updateConsumerBody, onInvalid),
		async (c) => {
			const { organizationId } = c.get("tenant");
			const write = updateConsumer(db(c.env.DB), organizationId, c.req.valid("param").id, c.req.valid("json"));
			const row = await guardEmail(write);
			if (!row) throw notFound("Consumer");
			return c.json(toConsumer(row));
		},
	)
	.post(
		"/:id/tokens",
		doc({
			tags,
			summary: "Issue an access token for this consumer (your logged-in shopper)",
			description: "Hand the token to the shopper's browser for the consumer API. Valid one hour.",
			ok: [201, accessTokenSchema],
			errors: { 404: "Consumer not found" },
		}),
		validator("param", idParam, onInvalid),
		async (c) => {
			const { organizationId } = c.get("tenant");
			const row = await getConsumer(db(c.env.DB), organizationId, c.req.valid("param").id);
			if (!row) throw notFound("Consumer");
			return c.json(await issueAccessToken(c.env.JWT_SIGNING_KEY, organizationId, row.id), 201);
		},
	)
	.delete(
		"/:id",
		doc({
			tags,
			summary: "Delete a consumer",
			description: "Orders keep the consumer id they were reported with.",
			ok: [204, null],
			errors: { 404: "Consumer not found" },
		}),
		validator("param", idParam, onInvalid),
		async (c) => {
			const deleted = await deleteConsumer(db(c.env.DB), c.get("tenant").organizationId, c.req.valid("param").id);
			if (!deleted) throw notFound("Consumer");
			return c.body(null, 204);
		},
	);
