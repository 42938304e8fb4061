/**
 * Webhook delivery: stored events fan out to the endpoints subscribed to them (one
 * delivery row per endpoint and event, so a redelivered event is never sent twice),
 * and the WEBHOOKS queue consumer posts each one, retrying with exponential backoff
 * for about a day before the queue dead-letters it. Each attempt first checks the destination
 * again (destination.ts: DNS may have changed since registration), never follows a redirect (a
 * 3xx is a failed attempt), and records a failure without a response as just `no response`,
 * with no timing: which of refused, timed out or bad TLS it was would map the network behind it.
 */

import { newId } from "../../lib/ids";
import { openWithSecret } from "../../lib/secrets";
import { isoSeconds } from "../../lib/time";
import type { EventMessage } from "../publish";
import { distributionTypeById, eventById } from "../repo";
import { distributionTypeOf } from "../types";
import { destinationRefusal, ResolverUnavailable } from "./destination";
import {
	deliveryById,
	enabledEndpointsOf,
	endpointById,
	insertDeliveries,
	markDead as markDeliveryDead,
	markEndpointDisabled,
	recordAttempt,
	unsentDeliveries,
} from "./repo";
import { signatureHeader, subscribed } from "./signing";

export interface DeliveryMessage {
	deliveryId: string;
}

/**
 * Doubling from WEBHOOK_RETRY_BASE_SECONDS (40 s in production): the 12th and last attempt
 * comes ≈ 22.7 h after the first (queue max_retries = 11), then the dead-letter queue.
 */
export const MAX_ATTEMPTS = 12;
export const backoffSeconds = (env: Env, attempt: number) =>
	Math.min(Number(env.WEBHOOK_RETRY_BASE_SECONDS || 40) * 2 ** (attempt - 1), 43_200);
const TIMEOUT_MS = 10_000;

/** Endpoint signing secrets are stored sealed under APP_SECRET (lib/secrets.ts), bound to the endpoint's id. */
export const SECRET_PURPOSE = "webhook-endpoint-secret";

/** Creates the deliveries for stored events and queues them. */
export async function fanOut(env: Env, stored: EventMessage[]): Promise<void> {
	const orgs = [...new Set(stored.map((e) => e.organizationId))];
	if (!orgs.length) return;
	const endpoints = await enabledEndpointsOf(env.DB, orgs);
	// Most launches' events (a million `entered`) concern no endpoint: skip the delivery queries.
	if (!endpoints.length) return;
	const now = Date.now();
	const rows = stored.flatMap((e) =>
		endpoints
			.filter((ep) => ep.organizationId === e.organizationId && subscribed(ep.events, e.type))
			.map((ep) => ({
				id: newId("dlv"),
				organizationId: e.organizationId,
				endpointId: ep.id,
				eventId: e.id,
				eventType: e.type,
				status: "pending" as const,
				createdAt: now,
				updatedAt: now,
			})),
	);
	await insertDeliveries(env.DB, rows);
	// Queue every delivery of these events not yet attempted — new ones, and any left behind by an
	// earlier run that stored the rows but failed to queue them (this batch is then redelivered).
	const eventIds = stored.map((e) => e.id);
	for (let i = 0; i < eventIds.length; i += 50) {
		const pending = await unsentDeliveries(env.DB, eventIds.slice(i, i + 50));
		for (let j = 0; j < pending.length; j += 100) {
			await env.WEBHOOKS.sendBatch(pending.slice(j, j + 100).map((d) => ({ body: { deliveryId: d.id } })));
		}
	}
}

type Outcome = "delivered" | "retry" | "drop";

/** One attempt at one delivery. "retry" asks the queue to try again after `backoffSeconds(attempt)`. */
export async function deliver(env: Env, deliveryId: string, attempt: number): Promise<Outcome> {
	const delivery = await deliveryById(env.DB, deliveryId);
	if (!delivery || delivery.status === "succeeded") return "drop";
	const endpoint = await endpointById(env.DB, delivery.endpointId);
	const event = await eventById(env.DB, delivery.eventId);
	if (!endpoint || !event) return "drop";
	if (!endpoint.enabled) {
		await markEndpointDisabled(env.DB, deliveryId);
		return "drop";
	}
	const secrets = await signingSecrets(env, endpoint);
	if (!secrets) {
		// Sealed with an APP_SECRET version no longer configured (logged by openWithSecret): nothing can
		// sign it. Recorded as a failed attempt and retried, so restoring that version recovers it.
		await recordAttempt(env.DB, {
			deliveryId,
			attempts: delivery.attempts + 1,
			statusCode: null,
			latencyMs: 0,
			error: "signing secret unreadable: the APP_SECRET version it was sealed with is not configured",
			startedAt: Date.now(),
			status: attempt >= MAX_ATTEMPTS ? "dead" : "failed",
			nextRetryAt: attempt >= MAX_ATTEMPTS ? null : Date.now() + backoffSeconds(env, attempt) * 1000,
		});
		return "retry";
	}
	const body = JSON.stringify({
		id: event.id,
		type: event.type,
		// What the event is about, at the top level as GET /api/v1/events has it: routable without reading `data`.
		distributionId: event.distributionId,
		distributionType: event.distributionId
			? (distributionTypeOf(event.type) ??
				(await distributionTypeById(env.DB, event.organizationId, event.distributionId)))
			: null,
		data: event.data,
		createdAt: isoSeconds(event.createdAt),
	});
	const timestamp = Math.floor(Date.now() / 1000);
	const started = Date.now();
	let statusCode: number | null = null;
	let error: string | null = await refusedDestination(env, endpoint.url);
	if (!error) {
		try {
			const res = await fetch(endpoint.url, {
				method: "POST",
				headers: {
					"Content-Type": "application/json",
					"User-Agent": "fanfare-edge-webhooks/1",
					"webhook-id": event.id,
					"webhook-timestamp": String(timestamp),
					"webhook-signature": await signatureHeader(secrets, event.id, timestamp, body),
				},
				body,
				redirect: "manual",
				signal: AbortSignal.timeout(TIMEOUT_MS),
			});
			statusCode = res.status;
			await res.body?.cancel();
		} catch {
			// Refused, reset, timed out or a bad certificate: all the same to the log.
			error = "no response";
		}
	}
	const ok = statusCode != null && statusCode >= 200 && statusCode < 300;
	if (!ok && !error) {
		error =
			statusCode != null && statusCode >= 300 && statusCode < 400
				? `redirect not followed (HTTP ${statusCode})`
				: `HTTP ${statusCode}`;
	}
	// Only a response has a latency worth showing (repo.ts answers null without one).
	const latencyMs = statusCode == null ? 0 : Date.now() - started;
	const attempts = delivery.attempts + 1;
	const final = !ok && attempt >= MAX_ATTEMPTS;
	const nextRetryAt = ok || final ? null : Date.now() + backoffSeconds(env, attempt) * 1000;
	await recordAttempt(env.DB, {
		deliveryId,
		attempts,
		statusCode,
		latencyMs,
		error,
		startedAt: started,
		status: ok ? "succeeded" : final ? "dead" : "failed",
		nextRetryAt,
	});
	return ok ? "delivered" : "retry";
}

/** The endpoint's signing secret, and the one it replaced while that is still in its grace period; null if unreadable. */
async function signingSecrets(env: Env, endpoint: NonNullable<Awaited<ReturnType<typeof endpointById>>>) {
	const secret = await openWithSecret(env.APP_SECRET, SECRET_PURPOSE, endpoint.secretCiphertext, endpoint.id);
	if (!secret) return null;
	const secrets = [secret];
	if (endpoint.previousSecretCiphertext && (endpoint.previousSecretExpiresAt ?? 0) > Date.now()) {
		const previous = await openWithSecret(
			env.APP_SECRET,
			SECRET_PURPOSE,
			endpoint.previousSecretCiphertext,
			endpoint.id,
		);
		if (previous) secrets.push(previous);
	}
	return secrets;
}

/** Why this attempt may not go out (its destination is no longer public, or DNS is down), or null. */
async function refusedDestination(env: Env, url: string): Promise<string | null> {
	try {
		const refusal = await destinationRefusal(env, url);
		return refusal ? `destination refused: ${refusal}` : null;
	} catch (err) {
		if (err instanceof ResolverUnavailable) return "destination refused: DNS lookup failed";
		throw err;
	}
}

/** The dead-letter queue's consumer: the delivery is given up for good. */
export async function markDead(env: Env, deliveryId: string): Promise<void> {
	await markDeliveryDead(env.DB, deliveryId);
}
