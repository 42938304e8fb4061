/** The contracts of `/api/v1/webhook-endpoints`: where events are POSTed, and how that went. */
import { createRoute } from "@hono/zod-openapi";
import { z } from "zod";
import { empty, errors, json, jsonBody, SECURITY } from "../../http/openapi";
import { pageQuery, pageSchema } from "../../lib/pagination";
import { idParam } from "../../lib/schemas";
import {
	createdWebhookEndpointSchema,
	createWebhookEndpointBody,
	retriedDeliverySchema,
	rotatedWebhookSecretSchema,
	rotateWebhookSecretBody,
	testDeliverySchema,
	updateWebhookEndpointBody,
	webhookDeliverySchema,
	webhookEndpointSchema,
} from "./schema";

const tags = ["Webhooks"];
const security = SECURITY.secret;
const notFound = { 404: "Webhook endpoint not found" };

export const create = createRoute({
	method: "post",
	path: "/",
	tags,
	summary: "Register a webhook endpoint (the signing secret is shown once)",
	description: "The URL must be https on a public host (see `url`); 503 when its DNS could not be checked.",
	security,
	request: { body: jsonBody(createWebhookEndpointBody) },
	responses: { 201: json(createdWebhookEndpointSchema), ...errors({ 503: "Service unavailable" }) },
});

export const list = createRoute({
	method: "get",
	path: "/",
	tags,
	summary: "List webhook endpoints",
	security,
	request: { query: pageQuery },
	responses: { 200: json(pageSchema(webhookEndpointSchema)), ...errors() },
});

export const get = createRoute({
	method: "get",
	path: "/{id}",
	tags,
	summary: "Get a webhook endpoint",
	security,
	request: { params: idParam },
	responses: { 200: json(webhookEndpointSchema), ...errors(notFound) },
});

export const update = createRoute({
	method: "put",
	path: "/{id}",
	tags,
	summary: "Update a webhook endpoint (partial)",
	security,
	request: { params: idParam, body: jsonBody(updateWebhookEndpointBody) },
	responses: { 200: json(webhookEndpointSchema), ...errors({ ...notFound, 503: "Service unavailable" }) },
});

export const remove = createRoute({
	method: "delete",
	path: "/{id}",
	tags,
	summary: "Delete a webhook endpoint (pending retries stop)",
	security,
	request: { params: idParam },
	responses: { 204: empty(), ...errors(notFound) },
});

export const rotateSecret = createRoute({
	method: "post",
	path: "/{id}/rotate-secret",
	tags,
	summary: "Roll the signing secret (the new one is shown once)",
	description:
		"The previous secret keeps signing for `gracePeriodSeconds` (default 86,400): meanwhile every delivery's " +
		"`webhook-signature` holds two signatures, `v1,<new> v1,<previous>`, so a receiver verifying with either " +
		"secret accepts it. Rotating again ends the older grace at once. The body is optional.",
	security,
	request: {
		params: idParam,
		body: { content: { "application/json": { schema: rotateWebhookSecretBody } }, required: false },
	},
	responses: { 200: json(rotatedWebhookSecretSchema), ...errors(notFound) },
});

export const test = createRoute({
	method: "post",
	path: "/{id}/test",
	tags,
	summary: "Send a `webhook.test` event to this endpoint only",
	security,
	request: { params: idParam },
	responses: { 202: json(testDeliverySchema), ...errors(notFound) },
});

export const deliveries = createRoute({
	method: "get",
	path: "/{id}/deliveries",
	tags,
	summary: "Deliveries to this endpoint, newest first, with every attempt",
	security,
	request: { params: idParam, query: pageQuery },
	responses: { 200: json(pageSchema(webhookDeliverySchema)), ...errors(notFound) },
});

export const retry = createRoute({
	method: "post",
	path: "/{id}/deliveries/{deliveryId}/retry",
	tags,
	summary: "Try a delivery again now",
	security,
	request: { params: idParam.extend({ deliveryId: z.string().min(1) }) },
	responses: { 202: json(retriedDeliverySchema), ...errors(notFound) },
});
