import { z } from "zod";
import { checkoutUrl } from "../../experiences/experiences/schema";
import { isoDateTime } from "../../lib/schemas";
import { isKnownEventPattern } from "../types";

const eventPattern = z
	.string()
	.regex(/^(\*|[a-z_]+(\.[a-z_]+)*(\.\*)?)$/, "An event type (queue.opened), a prefix (queue.*) or *")
	// A misspelled type would make an endpoint that silently never fires: name it instead.
	.refine(isKnownEventPattern, { error: (issue) => `Unknown event type or prefix "${String(issue.input)}"` });

export const webhookEndpointSchema = z
	.object({
		id: z.string().meta({ example: "wh_01HXYZ123456789ABCDEFGHJK" }),
		url: z.string(),
		description: z.string().nullable(),
		events: z.array(z.string()),
		enabled: z.boolean(),
		createdAt: isoDateTime(),
		updatedAt: isoDateTime(),
	})
	.meta({ id: "WebhookEndpoint" });

export const createdWebhookEndpointSchema = webhookEndpointSchema
	.extend({ secret: z.string().describe("Signing secret (whsec_…). Shown only in this response.") })
	.meta({ id: "CreatedWebhookEndpoint" });

const events = () => z.array(eventPattern).min(1).max(50);

export const createWebhookEndpointBody = z
	.strictObject({
		url: checkoutUrl().describe("https URL (http only for localhost) that receives POSTed events"),
		events: events(),
		description: z.string().max(500).optional(),
	})
	.meta({ id: "CreateWebhookEndpoint" });

export const updateWebhookEndpointBody = z
	.strictObject({
		url: checkoutUrl().optional(),
		events: events().optional(),
		description: z.string().max(500).nullable().optional(),
		enabled: z.boolean().optional(),
	})
	.meta({ id: "UpdateWebhookEndpoint" });

export const webhookDeliverySchema = z
	.object({
		id: z.string(),
		eventId: z.string(),
		eventType: z.string(),
		status: z.enum(["pending", "succeeded", "failed", "dead"]),
		attempts: z.array(
			z.object({
				attempt: z.number().int(),
				statusCode: z.number().int().nullable(),
				latencyMs: z.number().int(),
				error: z.string().nullable(),
				at: isoDateTime(),
			}),
		),
		nextRetryAt: isoDateTime().nullable(),
		createdAt: isoDateTime(),
	})
	.meta({ id: "WebhookDelivery" });

export const testDeliverySchema = z.object({ deliveryId: z.string(), eventId: z.string() });
export const retriedDeliverySchema = z.object({ deliveryId: z.string() });
