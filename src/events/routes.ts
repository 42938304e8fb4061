/** The contracts of `/api/v1/events`: what happened, newest first. */
import { createRoute } from "@hono/zod-openapi";
import { errors, json, SECURITY } from "../http/openapi";
import { pageQuery, pageSchema } from "../lib/pagination";
import { idParam } from "../lib/schemas";
import { eventSchema, listEventsQuery } from "./schema";

const tags = ["Events"];
const security = SECURITY.secret;

export const list = createRoute({
	method: "get",
	path: "/",
	tags,
	summary: "List events (filter by type or type prefix, and distribution)",
	security,
	request: { query: pageQuery.extend(listEventsQuery.shape) },
	responses: { 200: json(pageSchema(eventSchema)), ...errors() },
});

export const get = createRoute({
	method: "get",
	path: "/{id}",
	tags,
	summary: "Get an event",
	security,
	request: { params: idParam },
	responses: { 200: json(eventSchema), ...errors({ 404: "Event not found" }) },
});
