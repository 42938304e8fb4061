/** The contracts of the operator's API, `/platform/v1`: tenants. */
import { createRoute } from "@hono/zod-openapi";
import { errors, json, jsonBody, SECURITY } from "../../http/openapi";
import { pageQuery, pageSchema } from "../../lib/pagination";
import { idParam } from "../../lib/schemas";
import { createdOrganizationSchema, createOrganizationBody, organizationSchema } from "./schema";

const tags = ["Platform"];
const security = SECURITY.platform;

export const create = createRoute({
	method: "post",
	path: "/organizations",
	tags,
	summary: "Create an organization and its first keys",
	security,
	request: { body: jsonBody(createOrganizationBody) },
	responses: { 201: json(createdOrganizationSchema), ...errors({}, "platform") },
});

export const list = createRoute({
	method: "get",
	path: "/organizations",
	tags,
	summary: "List organizations",
	security,
	request: { query: pageQuery },
	responses: { 200: json(pageSchema(organizationSchema)), ...errors({}, "platform") },
});

export const get = createRoute({
	method: "get",
	path: "/organizations/{id}",
	tags,
	summary: "Get an organization",
	security,
	request: { params: idParam },
	responses: { 200: json(organizationSchema), ...errors({ 404: "Organization not found" }, "platform") },
});
