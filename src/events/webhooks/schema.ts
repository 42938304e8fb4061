import { z } from "zod";
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

/** The syntax; where it may point (public https hosts only) is destination.ts, checked by the service. */
const webhookUrl = () =>
	z
		.url({ protocol: /^https?$/ })
		.max(2000)
		.describe(
			"https URL that receives POSTed events. Its host must be public: loopback, private, link-local, CGNAT, " +
				"unique-local, IPv4-mapped, multicast and cloud-metadata addresses (and names resolving to them), " +
				"local names and this API's own hostname are refused (400). http and local hosts only in local development.",
		)
		.meta({ example: "https://shop.example.com/webhooks/fanfare" });

export const createWebhookEndpointBody = z
	.strictObject({
		url: webhookUrl(),
		events: events(),
		description: z.string().max(500).optional(),
	})
	.meta({ id: "CreateWebhookEndpoint" });

export const updateWebhookEndpointBody = z
	.strictObject({
		url: webhookUrl().optional(),
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
				latencyMs: z.number().int().nullable().describe("null when no HTTP response came back"),
				error: z
					.string()
					.nullable()
					.describe(
						"Why it failed: `HTTP 500`, `redirect not followed (HTTP 302)`, `no response`, `destination refused: …`",
					),
				at: isoDateTime(),
			}),
		),
		nextRetryAt: isoDateTime().nullable(),
		createdAt: isoDateTime(),
	})
	.meta({ id: "WebhookDelivery" });

export const rotatedWebhookSecretSchema = createdWebhookEndpointSchema
	.extend({
		previousSecretExpiresAt: isoDateTime()
			.nullable()
			.describe("Until then deliveries carry a signature with the previous secret too; null when there is none"),
	})
	.meta({ id: "RotatedWebhookSecret" });

export const rotateWebhookSecretBody = z
	.strictObject({
		gracePeriodSeconds: z
			.number()
			.int()
			.min(0)
			.max(86_400)
			.default(86_400)
			.describe("How long the previous secret keeps signing (default 24 h; 0 ends it now, as after a leak)"),
	})
	.meta({ id: "RotateWebhookSecret" });

export const testDeliverySchema = z.object({ deliveryId: z.string(), eventId: z.string() });
export const retriedDeliverySchema = z.object({ deliveryId: z.string() });
