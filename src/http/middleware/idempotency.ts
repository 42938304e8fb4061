/**
 * Idempotency keys on POST (`X-Idempotency-Key` or `Idempotency-Key`), per tenant, kept 24 h.
 * - first request with a key: runs; a 2xx response is stored, an error frees the key
 *   (so a client can fix a rejected request and retry it under the same key);
 * - same key, same method, path and body from the same API key: the stored response again,
 *   `Idempotent-Replayed: true`;
 * - same key, another request (or the same one from another API key): 422; same key while the
 *   first is still running: 409 with Retry-After (a claim older than IDEMPOTENCY_LEASE_MS, whose
 *   request was cancelled, is taken over).
 * Claiming a key is one atomic INSERT … ON CONFLICT, so concurrent duplicates cannot both run.
 */
import { and, eq, lt, or } from "drizzle-orm";
import { createMiddleware } from "hono/factory";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import { db } from "../../db/client";
import { idempotencyKeys } from "../../db/schema";
import { sha256Hex, timingSafeEqual } from "../../lib/crypto";
import { openWithSecret, sealWithSecret } from "../../lib/secrets";
import type { AppEnv } from "../env";
import { ApiError, fieldError } from "../problems";

export const IDEMPOTENCY_TTL_MS = 24 * 60 * 60 * 1000;
/**
 * How long a claimed key may stay "in progress". A request cancelled midway (its client went away,
 * or it was killed at a limit) never frees its key, which then answered 409 for the whole TTL; no
 * request here runs for a minute, so a claim older than that is taken over.
 */
export const IDEMPOTENCY_LEASE_MS = 60_000;
const KEY_RE = /^[\x21-\x7e]{1,255}$/;
/** Stored replies are sealed (their bodies may carry one-time secrets, like a new API key). */
const PURPOSE = "idempotency-response";

interface StoredResponse {
	contentType: string;
	body: string;
}

export const idempotency = createMiddleware<AppEnv>(async (c, next) => {
	const key = c.req.header("X-Idempotency-Key") ?? c.req.header("Idempotency-Key");
	if (c.req.method !== "POST" || key === undefined) return next();
	if (!KEY_RE.test(key)) {
		throw fieldError("X-Idempotency-Key", "1 to 255 printable ASCII characters, no spaces");
	}
	const tenant = c.get("tenant");
	const scope = tenant?.organizationId ?? "platform";
	// The key that sent it is part of the request: a stored reply (a new API key, say) is never
	// replayed to another of the organization's keys, which may hold fewer scopes.
	const sender = tenant?.apiKeyId ?? "";
	const requestHash = await sha256Hex(`${c.req.method} ${c.req.path} ${sender}\n${await c.req.text()}`);
	const now = Date.now();
	const table = idempotencyKeys;
	const claimed = await db(c.env.DB)
		.insert(table)
		.values({ scope, key, requestHash, state: "in_flight", createdAt: now })
		.onConflictDoUpdate({
			target: [table.scope, table.key],
			set: { requestHash, state: "in_flight", responseStatus: null, responseBody: null, createdAt: now },
			setWhere: or(
				lt(table.createdAt, now - IDEMPOTENCY_TTL_MS),
				and(eq(table.state, "in_flight"), lt(table.createdAt, now - IDEMPOTENCY_LEASE_MS)),
			),
		})
		.returning({ key: table.key });

	const aad = `${scope}|${key}`;
	const where = and(eq(table.scope, scope), eq(table.key, key));

	if (claimed.length === 0) {
		const prior = await db(c.env.DB).select().from(table).where(where).get();
		// The first request failed and freed the key between the two statements: a retry runs it.
		if (!prior) {
			throw new ApiError(409, "Request in progress", "Retry with the same idempotency key.", undefined, {
				"Retry-After": "1",
			});
		}
		if (!timingSafeEqual(prior.requestHash, requestHash)) {
			throw new ApiError(
				422,
				"Idempotency key reused",
				"This idempotency key was already used with a different request; use a new key.",
			);
		}
		if (prior.state !== "done" || !prior.responseBody) {
			throw new ApiError(
				409,
				"Request in progress",
				"A request with this idempotency key is still running.",
				undefined,
				{
					"Retry-After": "1",
				},
			);
		}
		const stored = await openWithSecret(c.env.APP_SECRET, PURPOSE, prior.responseBody, aad);
		// Sealed with an APP_SECRET version since removed (logged): the request ran, its reply is lost.
		if (!stored) {
			throw new ApiError(
				409,
				"Idempotency key unusable",
				"A request with this idempotency key already succeeded, but its stored response can no longer be read. Use a new key only if you mean to repeat the request.",
			);
		}
		const { contentType, body } = JSON.parse(stored) as StoredResponse;
		return c.body(body, prior.responseStatus as ContentfulStatusCode, {
			"Content-Type": contentType,
			"Idempotent-Replayed": "true",
		});
	}

	await next();
	const status = c.res.status;
	if (c.error || status >= 300) {
		await db(c.env.DB).delete(table).where(where);
		return;
	}
	const stored: StoredResponse = {
		contentType: c.res.headers.get("Content-Type") ?? "application/json",
		body: await c.res.clone().text(),
	};
	try {
		await db(c.env.DB)
			.update(table)
			.set({
				state: "done",
				responseStatus: status,
				responseBody: await sealWithSecret(c.env.APP_SECRET, PURPOSE, JSON.stringify(stored), aad),
			})
			.where(where);
	} catch (err) {
		// The request went through: its answer stands. A retry under the key waits out the lease (409), then runs.
		console.error("idempotency: storing the reply failed:", err instanceof Error ? err.message : err);
	}
});

/** Deletes records past their 24 h; run from the scheduled handler. */
export async function purgeIdempotencyKeys(d1: D1Database, now = Date.now()): Promise<void> {
	await db(d1)
		.delete(idempotencyKeys)
		.where(lt(idempotencyKeys.createdAt, now - IDEMPOTENCY_TTL_MS))
		.run();
}
