/**
 * What the merchant does with endpoints beyond storing them: registering one mints its signing
 * secret (stored encrypted, shown once), and a test or a retry queues one delivery now.
 */
import type { z } from "zod";
import { encrypt } from "../../lib/crypto";
import { newId } from "../../lib/ids";
import { newEvent } from "../publish";
import { secretKey } from "./delivery";
import { insertEndpoint, insertEventWithDelivery, markPending, toEndpoint } from "./repo";
import type { createWebhookEndpointBody } from "./schema";
import { newWebhookSecret } from "./signing";

export async function registerEndpoint(
	env: Env,
	organizationId: string,
	input: z.infer<typeof createWebhookEndpointBody>,
) {
	const id = newId("wh");
	const secret = newWebhookSecret();
	const ciphertext = await encrypt(await secretKey(env), secret, id);
	const row = await insertEndpoint(env.DB, organizationId, id, input, ciphertext);
	return { ...toEndpoint(row), secret };
}

/** A `webhook.test` event for this endpoint only: stored with its delivery, then queued. */
export async function sendTest(env: Env, endpoint: { id: string; organizationId: string }) {
	const event = newEvent(endpoint.organizationId, "webhook.test", {
		endpointId: endpoint.id,
		message: "Hello from fanfare-edge",
	});
	const deliveryId = newId("dlv");
	await insertEventWithDelivery(env.DB, event, {
		id: deliveryId,
		organizationId: endpoint.organizationId,
		endpointId: endpoint.id,
		eventId: event.id,
		eventType: event.type,
		status: "pending",
		createdAt: event.createdAt,
		updatedAt: event.createdAt,
	});
	await env.WEBHOOKS.send({ deliveryId });
	return { deliveryId, eventId: event.id };
}

/** Queues the endpoint's delivery again now; false when the endpoint has no such delivery. */
export async function retryDelivery(env: Env, endpointId: string, deliveryId: string): Promise<boolean> {
	if (!(await markPending(env.DB, endpointId, deliveryId))) return false;
	await env.WEBHOOKS.send({ deliveryId });
	return true;
}
