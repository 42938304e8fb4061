/** Queues: creating one, the consumer calls on it (enter / status / leave, with key, token or ticket), stats and admit. */
import { expect } from "vitest";
import { createDistribution } from "./distributions";
import { type CallOptions, call, type Shopper, type Tenant, type TestOrg } from "./helpers";
import { allItems } from "./pages";
import { iso } from "./time";

/** Creates a queue (201 expected) and returns its JSON. */
export const createQueue = (t: Tenant, body: Record<string, unknown> = {}) => createDistribution(t, "queue", body);

/** An OPEN queue (opened a second ago, no closeAt). */
export const openQueue = (t: Tenant, body: Record<string, unknown> = {}) =>
	createQueue(t, { openAt: iso(Date.now() - 1000), ...body });

export interface ConsumerCallOptions {
	method?: string;
	/** Publishable key; defaults to the tenant's. null sends none. */
	pk?: string | null;
	token?: string | null;
	ticket?: string;
	headers?: Record<string, string>;
}

/** A consumer-API call with the tenant's publishable key and (optionally) a token and/or ticket. */
export function consumerCall(t: TestOrg, path: string, opts: ConsumerCallOptions = {}) {
	const headers: Record<string, string> = { ...opts.headers };
	const pk = opts.pk === undefined ? t.publishableKey : opts.pk;
	if (pk) headers["X-Publishable-Key"] = pk;
	if (opts.ticket) headers["X-Queue-Ticket"] = opts.ticket;
	const o: CallOptions = { method: opts.method ?? "GET", key: opts.token ?? null, headers };
	return call(`/consumer/v1${path}`, o);
}

export const enter = (t: TestOrg, queueId: string, s: Shopper) =>
	consumerCall(t, `/queues/${queueId}/enter`, { method: "POST", token: s.accessToken });
export const status = (t: TestOrg, queueId: string, s: Shopper) =>
	consumerCall(t, `/queues/${queueId}/status`, { token: s.accessToken });
export const leave = (t: TestOrg, queueId: string, s: Shopper) =>
	consumerCall(t, `/queues/${queueId}/leave`, { method: "POST", token: s.accessToken });

export async function stats(t: TestOrg, queueId: string) {
	const res = await call(`/api/v1/queues/${queueId}/stats`, { key: t.secretKey });
	expect(res.status, res.text).toBe(200);
	return res.json as Record<string, number>;
}

export async function admit(t: TestOrg, queueId: string, count: number) {
	return call(`/api/v1/queues/${queueId}/admit`, { key: t.secretKey, body: { count } });
}

export interface QueueEntry {
	consumerId: string;
	status: string;
	position: number | null;
	enteredAt: string;
	admittedAt: string | null;
	expiresAt: string | null;
	finishedAt: string | null;
	reason: string | null;
}

/** Every page of GET /api/v1/queues/:id/entries, optionally filtered (`query`, e.g. `status=DENIED`). */
export const queueEntries = (t: TestOrg, queueId: string, query = "") =>
	allItems<QueueEntry>(`/api/v1/queues/${queueId}/entries?limit=100${query ? `&${query}` : ""}`, t.secretKey);

/** Changes one character in the middle of a token (keeps it base64url). */
export function alter(token: string, at = Math.floor(token.length / 2)): string {
	const c = token[at];
	const swapped = c === "A" ? "B" : "A";
	return token.slice(0, at) + swapped + token.slice(at + 1);
}
