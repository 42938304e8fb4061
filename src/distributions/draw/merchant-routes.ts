/** The contracts of the merchant's views and controls of one draw, beside the draw CRUD (`/api/v1/draws`). */
import { createRoute } from "@hono/zod-openapi";
import { empty, errors, json, SECURITY } from "../../http/openapi";
import { pageQuery, pageSchema } from "../../lib/pagination";
import { idParam } from "../../lib/schemas";
import { drawSchema } from "../common/schema";
import { drawEntrySchema, drawResultsSchema } from "./schema";

const tags = ["Draws"];
const security = SECURITY.secret;
const request = { params: idParam };
const notFound = { 404: "Draw not found" };

export const entries = createRoute({
	method: "get",
	path: "/{id}/entries",
	tags,
	summary: "The draw's entries, newest first",
	security,
	request: { params: idParam, query: pageQuery },
	responses: { 200: json(pageSchema(drawEntrySchema)), ...errors(notFound) },
});

/** Streamed JSON, so the contract names no schema (as the document always said). */
export const exportEntries = createRoute({
	method: "get",
	path: "/{id}/entries/export",
	tags,
	summary: "Every entry id in the draw at close (not withdrawn), in entry order (no personal data)",
	description:
		'Streams `{"drawId": …, "entryIds": […]}`. Available once the draw has closed. The verifier needs no export: the entry log is public (`GET /consumer/v1/draws/{id}/log`).',
	security,
	request,
	responses: { 200: empty(), ...errors({ ...notFound, 409: "Draw not closed" }) },
});

export const results = createRoute({
	method: "get",
	path: "/{id}/results",
	tags,
	summary: "Winners (best rank first), their claim state and backfills",
	security,
	request,
	responses: { 200: json(drawResultsSchema), ...errors(notFound) },
});

export const run = createRoute({
	method: "post",
	path: "/{id}/run",
	tags,
	summary: "Draw now (only while CLOSED): drawAt becomes now; the draw happens as soon as the sealed round R is out",
	security,
	request,
	responses: { 200: json(drawSchema), ...errors({ ...notFound, 409: "Draw not closed" }) },
});
