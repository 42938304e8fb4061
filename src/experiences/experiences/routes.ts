/** The contracts of `/api/v1/experiences`, with the sequences created and listed under one. */
import { createRoute } from "@hono/zod-openapi";
import { empty, errors, json, jsonBody, SECURITY } from "../../http/openapi";
import { pageQuery, pageSchema } from "../../lib/pagination";
import { idParam } from "../../lib/schemas";
import { createSequenceBody, sequenceSchema } from "../sequences/schema";
import { createExperienceBody, experienceSchema, updateExperienceBody } from "./schema";

const tags = ["Experiences"];
const security = SECURITY.secret;
const notFound = { 404: "Experience not found" };

export const create = createRoute({
	method: "post",
	path: "/",
	tags,
	summary: "Create an experience",
	security,
	request: { body: jsonBody(createExperienceBody) },
	responses: { 201: json(experienceSchema), ...errors() },
});

export const list = createRoute({
	method: "get",
	path: "/",
	tags,
	summary: "List experiences",
	security,
	request: { query: pageQuery },
	responses: { 200: json(pageSchema(experienceSchema)), ...errors() },
});

export const get = createRoute({
	method: "get",
	path: "/{id}",
	tags,
	summary: "Get an experience",
	security,
	request: { params: idParam },
	responses: { 200: json(experienceSchema), ...errors(notFound) },
});

export const update = createRoute({
	method: "put",
	path: "/{id}",
	tags,
	summary: "Update an experience (partial)",
	security,
	request: { params: idParam, body: jsonBody(updateExperienceBody) },
	responses: { 200: json(experienceSchema), ...errors(notFound) },
});

export const remove = createRoute({
	method: "delete",
	path: "/{id}",
	tags,
	summary: "Delete an experience, its sequences and their distributions",
	description:
		"Refused (409, nothing deleted) while one of its distributions is OPEN, or once one has closed, drawn or settled: that one is kept with its proof and log, and so are its sequence and the experience.",
	security,
	request: { params: idParam },
	responses: {
		204: empty(),
		...errors({
			...notFound,
			409: "Cannot delete an experience with an open distribution; … with a closed distribution",
		}),
	},
});

export const createSequence = createRoute({
	method: "post",
	path: "/{id}/sequences",
	tags: ["Sequences"],
	summary: "Create a sequence in an experience",
	security,
	request: { params: idParam, body: jsonBody(createSequenceBody) },
	responses: {
		201: json(sequenceSchema),
		...errors({ ...notFound, 409: "Turnstile not configured (protection `turnstile` without organization settings)" }),
	},
});

export const listSequences = createRoute({
	method: "get",
	path: "/{id}/sequences",
	tags: ["Sequences"],
	summary: "List an experience's sequences",
	security,
	request: { params: idParam, query: pageQuery },
	responses: { 200: json(pageSchema(sequenceSchema)), ...errors(notFound) },
});
