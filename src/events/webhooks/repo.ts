import { and, asc, eq, inArray, sql } from "drizzle-orm";
import type { z } from "zod";
import { db } from "../../db/client";
import { inIds } from "../../db/in-ids";
import { listPage } from "../../db/list";
import { events, webhookAttempts, webhookDeliveries, webhookEndpoints } from "../../db/schema";
import type { PageQuery } from "../../lib/pagination";
import { isoOrNull, isoSeconds } from "../../lib/time";
import type { EventMessage } from "../publish";
import type { createWebhookEndpointBody, updateWebhookEndpointBody } from "./schema";

type EndpointRow = typeof webhookEndpoints.$inferSelect;
type DeliveryRow = typeof webhookDeliveries.$inferSelect;
type AttemptRow = typeof webhookAttempts.$inferSelect;

export const toEndpoint = (r: EndpointRow) => ({
	id: r.id,
	url: r.url,
	description: r.description,
	events: r.events,
	enabled: r.enabled,
	createdAt: isoSeconds(r.createdAt),
	updatedAt: isoSeconds(r.updatedAt),
});

const toDelivery = (d: DeliveryRow, tries: AttemptRow[]) => ({
	id: d.id,
	eventId: d.eventId,
	eventType: d.eventType,
	status: d.status,
	attempts: tries
		.filter((t) => t.deliveryId === d.id)
		.map((t) => ({
			attempt: t.attempt,
			statusCode: t.statusCode,
			// Without a response the time says only how the connection failed (a port-scan oracle): not shown.
			latencyMs: t.statusCode == null ? null : t.latencyMs,
			error: t.error,
			at: isoSeconds(t.at),
		})),
	nextRetryAt: isoOrNull(d.nextRetryAt),
	createdAt: isoSeconds(d.createdAt),
});

// ── endpoints ────────────────────────────────────────────────────────────

export async function insertEndpoint(
	d1: D1Database,
	organizationId: string,
	id: string,
	input: z.infer<typeof createWebhookEndpointBody>,
	secretCiphertext: string,
): Promise<EndpointRow> {
	const now = Date.now();
	const [row] = await db(d1)
		.insert(webhookEndpoints)
		.values({
			id,
			organizationId,
			url: input.url,
			description: input.description ?? null,
			events: input.events,
			secretCiphertext,
			enabled: true,
			createdAt: now,
			updatedAt: now,
		})
		.returning();
	return row;
}

export const listEndpoints = (d1: D1Database, secret: string, organizationId: string, page: PageQuery) =>
	listPage(db(d1), secret, webhookEndpoints, organizationId, [], page, toEndpoint);

export const getEndpoint = (d1: D1Database, organizationId: string, id: string) =>
	db(d1)
		.select()
		.from(webhookEndpoints)
		.where(and(eq(webhookEndpoints.organizationId, organizationId), eq(webhookEndpoints.id, id)))
		.get();

/** By id alone: for the queue consumer, which holds a delivery, not a tenant. */
export const endpointById = (d1: D1Database, id: string) =>
	db(d1).select().from(webhookEndpoints).where(eq(webhookEndpoints.id, id)).get();

export async function updateEndpoint(d1: D1Database, id: string, input: z.infer<typeof updateWebhookEndpointBody>) {
	const [row] = await db(d1)
		.update(webhookEndpoints)
		.set({ ...input, updatedAt: Date.now() })
		.where(eq(webhookEndpoints.id, id))
		.returning();
	return row;
}

/**
 * The new secret in place, the one it replaces kept as the previous secret until `previousExpiresAt`
 * (null: dropped now). One statement: a delivery reads either the old row or the new one, and
 * both sign with a secret the receiver accepts during the grace period.
 */
export async function rotateSecret(d1: D1Database, id: string, ciphertext: string, previousExpiresAt: number | null) {
	const [row] = await db(d1)
		.update(webhookEndpoints)
		.set({
			previousSecretCiphertext: previousExpiresAt == null ? null : sql`${webhookEndpoints.secretCiphertext}`,
			previousSecretExpiresAt: previousExpiresAt,
			secretCiphertext: ciphertext,
			updatedAt: Date.now(),
		})
		.where(eq(webhookEndpoints.id, id))
		.returning();
	return row;
}

/** Its deliveries and their attempts go with it (ON DELETE CASCADE), so pending retries find nothing. */
export async function deleteEndpoint(d1: D1Database, id: string): Promise<void> {
	await db(d1).delete(webhookEndpoints).where(eq(webhookEndpoints.id, id));
}

/** The enabled endpoints of these organizations, with what they subscribe to. */
export const enabledEndpointsOf = (d1: D1Database, organizationIds: string[]) =>
	db(d1)
		.select({
			id: webhookEndpoints.id,
			organizationId: webhookEndpoints.organizationId,
			events: webhookEndpoints.events,
		})
		.from(webhookEndpoints)
		.where(and(inIds(webhookEndpoints.organizationId, organizationIds), eq(webhookEndpoints.enabled, true)));

// ── deliveries ───────────────────────────────────────────────────────────

export type NewDelivery = Pick<
	DeliveryRow,
	"id" | "organizationId" | "endpointId" | "eventId" | "eventType" | "status" | "createdAt" | "updatedAt"
>;

/** A delivery row per endpoint and event: one already there (a redelivered event) stays as it is. */
export async function insertDeliveries(d1: D1Database, rows: NewDelivery[]): Promise<void> {
	// Ten rows of eight columns stay under D1's 100 bound parameters per statement.
	for (let i = 0; i < rows.length; i += 10) {
		await db(d1)
			.insert(webhookDeliveries)
			.values(rows.slice(i, i + 10))
			.onConflictDoNothing();
	}
}

/** An event stored with its one delivery (a test event for one endpoint). */
export async function insertEventWithDelivery(d1: D1Database, event: EventMessage, delivery: NewDelivery) {
	const database = db(d1);
	await database.batch([
		database.insert(events).values({ ...event, data: event.data }),
		database.insert(webhookDeliveries).values(delivery),
	]);
}

/** The deliveries of these events never attempted yet (at most 50 events: one statement's parameters). */
export const unsentDeliveries = (d1: D1Database, eventIds: string[]) =>
	db(d1)
		.select({ id: webhookDeliveries.id })
		.from(webhookDeliveries)
		.where(
			and(
				inArray(webhookDeliveries.eventId, eventIds),
				eq(webhookDeliveries.status, "pending"),
				eq(webhookDeliveries.attempts, 0),
			),
		);

/** An endpoint's deliveries, newest first, each with every attempt. */
export async function listDeliveries(
	d1: D1Database,
	secret: string,
	organizationId: string,
	endpointId: string,
	page: PageQuery,
) {
	const database = db(d1);
	const filters = [eq(webhookDeliveries.endpointId, endpointId)];
	const rows = await listPage(database, secret, webhookDeliveries, organizationId, filters, page, (d) => d);
	const ids = rows.data.map((d) => d.id);
	const tries = ids.length
		? await database
				.select()
				.from(webhookAttempts)
				.where(inIds(webhookAttempts.deliveryId, ids))
				.orderBy(asc(webhookAttempts.attempt))
		: [];
	return { nextCursor: rows.nextCursor, data: rows.data.map((d) => toDelivery(d, tries)) };
}

export const deliveryById = (d1: D1Database, id: string) =>
	db(d1).select().from(webhookDeliveries).where(eq(webhookDeliveries.id, id)).get();

/** Marks the endpoint's delivery pending again; false when the endpoint has no such delivery. */
export async function markPending(d1: D1Database, endpointId: string, deliveryId: string): Promise<boolean> {
	const delivery = await db(d1)
		.select({ id: webhookDeliveries.id })
		.from(webhookDeliveries)
		.where(and(eq(webhookDeliveries.endpointId, endpointId), eq(webhookDeliveries.id, deliveryId)))
		.get();
	if (!delivery) return false;
	await db(d1)
		.update(webhookDeliveries)
		.set({ status: "pending", updatedAt: Date.now() })
		.where(eq(webhookDeliveries.id, delivery.id));
	return true;
}

/** Kept as failed, not dropped silently: a manual retry sends it once the endpoint is enabled again. */
export async function markEndpointDisabled(d1: D1Database, deliveryId: string): Promise<void> {
	await db(d1)
		.update(webhookDeliveries)
		.set({ status: "failed", lastError: "endpoint disabled", nextRetryAt: null, updatedAt: Date.now() })
		.where(eq(webhookDeliveries.id, deliveryId));
}

export interface Attempt {
	deliveryId: string;
	/** The delivery's attempts so far, this one included. */
	attempts: number;
	statusCode: number | null;
	latencyMs: number;
	error: string | null;
	startedAt: number;
	status: "succeeded" | "failed" | "dead";
	nextRetryAt: number | null;
}

/** The attempt's row and the delivery's new state, together (one D1 batch). */
export async function recordAttempt(d1: D1Database, a: Attempt): Promise<void> {
	const database = db(d1);
	const { deliveryId, attempts, statusCode, latencyMs, error } = a;
	await database.batch([
		database
			.insert(webhookAttempts)
			.values({ deliveryId, attempt: attempts, statusCode, latencyMs, error, at: a.startedAt })
			.onConflictDoNothing(),
		database
			.update(webhookDeliveries)
			.set({
				status: a.status,
				attempts,
				lastStatusCode: statusCode,
				lastLatencyMs: statusCode == null ? null : latencyMs,
				lastError: error,
				nextRetryAt: a.nextRetryAt,
				updatedAt: Date.now(),
			})
			.where(eq(webhookDeliveries.id, deliveryId)),
	]);
}

/** Given up for good, unless it succeeded or was already given up. */
export async function markDead(d1: D1Database, deliveryId: string): Promise<void> {
	await db(d1)
		.update(webhookDeliveries)
		.set({ status: "dead", nextRetryAt: null, updatedAt: Date.now() })
		.where(and(eq(webhookDeliveries.id, deliveryId), inArray(webhookDeliveries.status, ["pending", "failed"])));
}

/** Endpoints whose secret (or the one it replaced) is sealed without `prefix` (an older APP_SECRET version's). */
export const endpointsSealedOtherwise = (d1: D1Database, prefix: string, limit: number) =>
	db(d1)
		.select({
			id: webhookEndpoints.id,
			secretCiphertext: webhookEndpoints.secretCiphertext,
			previousSecretCiphertext: webhookEndpoints.previousSecretCiphertext,
		})
		.from(webhookEndpoints)
		.where(
			sql`${webhookEndpoints.secretCiphertext} NOT LIKE ${`${prefix}%`} OR (${webhookEndpoints.previousSecretCiphertext} IS NOT NULL AND ${webhookEndpoints.previousSecretCiphertext} NOT LIKE ${`${prefix}%`})`,
		)
		.orderBy(asc(webhookEndpoints.id))
		.limit(limit)
		.all();

/**
 * Replaces an endpoint's sealed secrets by the same secrets sealed anew, only if they are still the
 * ones read (a secret rolled meanwhile is left as it is: it was sealed with the active version).
 */
export async function resealEndpoint(
	d1: D1Database,
	read: { id: string; secretCiphertext: string; previousSecretCiphertext: string | null },
	sealed: { secretCiphertext: string; previousSecretCiphertext: string | null },
): Promise<boolean> {
	const unchanged = and(
		eq(webhookEndpoints.id, read.id),
		eq(webhookEndpoints.secretCiphertext, read.secretCiphertext),
		read.previousSecretCiphertext === null
			? sql`${webhookEndpoints.previousSecretCiphertext} IS NULL`
			: eq(webhookEndpoints.previousSecretCiphertext, read.previousSecretCiphertext),
	);
	const rows = await db(d1)
		.update(webhookEndpoints)
		.set(sealed)
		.where(unchanged)
		.returning({ id: webhookEndpoints.id });
	return rows.length === 1;
}
