/** The contracts of `/api/v1/sequences` (they are created and listed under their experience). */
import { createRoute } from "@hono/zod-openapi";
import { empty, errors, json, jsonBody, SECURITY } from "../../http/openapi";
import { idParam } from "../../lib/schemas";
import { sequenceSchema, updateSequenceBody } from "./schema";

const tags = ["Sequences"];
const security = SECURITY.secret;
const notFound = { 404: "Sequence not found" };

export const get = createRoute({
	method: "get",
	path: "/{id}",
	tags,
	summary: "Get a sequence",
	security,
	request: { params: idParam },
	responses: { 200: json(sequenceSchema), ...errors(notFound) },
});

export const update = createRoute({
	method: "put",
	path: "/{id}",
	tags,
	summary: "Update a sequence (partial)",
	security,
	request: { params: idParam, body: jsonBody(updateSequenceBody) },
	responses: {
		200: json(sequenceSchema),
		...errors({ ...notFound, 409: "Turnstile not configured (protection `turnstile` without organization settings)" }),
	},
});

export const remove = createRoute({
	method: "delete",
	path: "/{id}",
	tags,
	summary: "Delete a sequence and its distributions",
	description:
		"Refused (409, nothing deleted) while one of its distributions is OPEN, or once one has closed, drawn or settled: that one is kept with its proof and log, and so is the sequence.",
	security,
	request: { params: idParam },
	responses: {
		204: empty(),
		...errors({ ...notFound, 409: "Cannot delete a sequence with an open distribution; … with a closed distribution" }),
	},
});
