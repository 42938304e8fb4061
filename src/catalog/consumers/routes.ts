/** The contracts of `/api/v1/consumers` (and the spec's `/api/consumers`): paths, inputs, answers. */
import { createRoute } from "@hono/zod-openapi";
import { empty, errors, json, jsonBody, optionalJsonBody, SECURITY } from "../../http/openapi";
import { pageQuery, pageSchema } from "../../lib/pagination";
import { idParam } from "../../lib/schemas";
import {
	consumerSchema,
	createConsumerBody,
	issueTokenBody,
	listConsumersQuery,
	sessionSchema,
	updateConsumerBody,
} from "./schema";

const tags = ["Consumers"];
const security = SECURITY.secret;

export const create = createRoute({
	method: "post",
	path: "/",
	tags,
	summary: "Create a consumer",
	security,
	request: { body: jsonBody(createConsumerBody) },
	responses: { 201: json(consumerSchema), ...errors({ 409: "Email already exists" }) },
});

export const list = createRoute({
	method: "get",
	path: "/",
	tags,
	summary: "List consumers (optionally by email)",
	security,
	request: { query: pageQuery.extend(listConsumersQuery.shape) },
	responses: { 200: json(pageSchema(consumerSchema)), ...errors() },
});

export const get = createRoute({
	method: "get",
	path: "/{id}",
	tags,
	summary: "Get a consumer",
	security,
	request: { params: idParam },
	responses: { 200: json(consumerSchema), ...errors({ 404: "Consumer not found" }) },
});

export const update = createRoute({
	method: "put",
	path: "/{id}",
	tags,
	summary: "Update a consumer (partial)",
	security,
	request: { params: idParam, body: jsonBody(updateConsumerBody) },
	responses: { 200: json(consumerSchema), ...errors({ 404: "Consumer not found", 409: "Email already exists" }) },
});

export const issueToken = createRoute({
	method: "post",
	path: "/{id}/tokens",
	tags,
	summary: "Issue an access token and a refresh token for this consumer (your logged-in shopper)",
	description:
		"Hand both to the shopper's browser for the consumer API. The access token is valid one hour; the refresh token renews it (POST /consumer/v1/auth/refresh) for 30 days from its last use. Deleting the consumer revokes its refresh tokens.",
	security,
	request: { params: idParam, body: optionalJsonBody(issueTokenBody) },
	responses: { 201: json(sessionSchema), ...errors({ 404: "Consumer not found" }) },
});

export const remove = createRoute({
	method: "delete",
	path: "/{id}",
	tags,
	summary: "Delete a consumer",
	description: "Orders keep the consumer id they were reported with.",
	security,
	request: { params: idParam },
	responses: { 204: empty(), ...errors({ 404: "Consumer not found" }) },
});
