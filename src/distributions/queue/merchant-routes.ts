/** The contracts of the merchant's controls of one queue, beside the queue CRUD (`/api/v1/queues`). */
import { createRoute } from "@hono/zod-openapi";
import { z } from "zod";
import { errors, json, jsonBody, SECURITY } from "../../http/openapi";
import { pageQuery, pageSchema } from "../../lib/pagination";
import { idParam } from "../../lib/schemas";
import { admitBody, denyBody, entryStatus, queueEntrySchema, queueStateSchema, queueStatsSchema } from "./schema";

const tags = ["Queues"];
const security = SECURITY.secret;
const notFound = { 404: "Queue not found" };

export const stats = createRoute({
	method: "get",
	path: "/{id}/stats",
	tags,
	summary: "Live counts of the queue",
	security,
	request: { params: idParam },
	responses: { 200: json(queueStatsSchema), ...errors(notFound) },
});

export const entries = createRoute({
	method: "get",
	path: "/{id}/entries",
	tags,
	summary: "The queue's entries, newest first",
	security,
	request: { params: idParam, query: pageQuery.extend({ status: entryStatus.optional() }) },
	responses: { 200: json(pageSchema(queueEntrySchema)), ...errors(notFound) },
});

export const admit = createRoute({
	method: "post",
	path: "/{id}/admit",
	tags,
	summary: "Admit up to `count` consumers now (in line order, within maxCapacity)",
	security,
	request: { params: idParam, body: jsonBody(admitBody) },
	responses: {
		200: json(z.object({ admitted: z.number().int() })),
		...errors({ ...notFound, 409: "Queue not open" }),
	},
});

export const deny = createRoute({
	method: "post",
	path: "/{id}/entries/{consumerId}/deny",
	tags,
	summary: "Deny a consumer: a waiting one loses its place, an admitted one its grant",
	security,
	request: { params: idParam.extend({ consumerId: z.string().min(1) }), body: jsonBody(denyBody) },
	responses: { 200: json(queueStateSchema), ...errors({ 404: "Queue not found / Not in queue" }) },
});
