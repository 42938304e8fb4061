/**
 * What the merchant does with endpoints beyond storing them: registering one (or changing its
 * URL) checks where it points first (destination.ts); registering mints its signing secret
 * (stored encrypted, shown once) and rotating replaces it, the previous one still signing for a
 * grace period; a test or a retry queues one delivery now.
 */
import type { z } from "zod";
import { ApiError, fieldError, notFound } from "../../http/problems";
import { newId } from "../../lib/ids";
import { sealWithSecret } from "../../lib/secrets";
import { isoOrNull } from "../../lib/time";
import { newEvent } from "../publish";
import { SECRET_PURPOSE } from "./delivery";
import { destinationRefusal, ResolverUnavailable } from "./destination";
import { insertEndpoint, insertEventWithDelivery, markPending, rotateSecret, toEndpoint, updateEndpoint } from "./repo";
import type { createWebhookEndpointBody, updateWebhookEndpointBody } from "./schema";
import { newWebhookSecret } from "./signing";

/** The default grace period of a rotated secret: 24 h. */
export const ROTATION_GRACE_SECONDS = 86_400;

/** 400 naming `url` when the URL may not receive webhooks; 503 when its DNS cannot be checked now. */
async function assertDestination(env: Env, url: string, ownHost: string) {
	let refusal: string | null;
	try {
		refusal = await destinationRefusal(env, url, ownHost);
	} catch (err) {
		if (!(err instanceof ResolverUnavailable)) throw err;
		throw new ApiError(503, "Service unavailable", "The webhook URL's host could not be looked up; retry shortly.", [
			{ path: "url", message: "DNS lookup failed" },
		]);
	}
	if (refusal) throw fieldError("url", refusal);
}

export async function registerEndpoint(
	env: Env,
	organizationId: string,
	input: z.infer<typeof createWebhookEndpointBody>,
	ownHost: string,
) {
	await assertDestination(env, input.url, ownHost);
	const id = newId("wh");
	const secret = newWebhookSecret();
	const ciphertext = await sealWithSecret(env.APP_SECRET, SECRET_PURPOSE, secret, id);
	const row = await insertEndpoint(env.DB, organizationId, id, input, ciphertext);
	return { ...toEndpoint(row), secret };
}

export async function changeEndpoint(
	env: Env,
	id: string,
	input: z.infer<typeof updateWebhookEndpointBody>,
	ownHost: string,
) {
	if (input.url !== undefined) await assertDestination(env, input.url, ownHost);
	return toEndpoint(found(await updateEndpoint(env.DB, id, input)));
}

/** The row a write returned; none when the endpoint was deleted since the caller found it (a 404, not a 500). */
function found<T>(row: T | undefined): T {
	if (!row) throw notFound("Webhook endpoint");
	return row;
}

/**
 * A new signing secret, shown once. The one it replaces keeps signing (a second signature in
 * `webhook-signature`) for `graceSeconds`, so a receiver can switch over without a failed delivery.
 */
export async function rotateEndpointSecret(env: Env, endpointId: string, graceSeconds = ROTATION_GRACE_SECONDS) {
	const secret = newWebhookSecret();
	const ciphertext = await sealWithSecret(env.APP_SECRET, SECRET_PURPOSE, secret, endpointId);
	const expiresAt = graceSeconds > 0 ? Date.now() + graceSeconds * 1000 : null;
	const row = found(await rotateSecret(env.DB, endpointId, ciphertext, expiresAt));
	return { ...toEndpoint(row), secret, previousSecretExpiresAt: isoOrNull(expiresAt) };
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
