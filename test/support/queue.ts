/** Helpers shared by the queue-engine tests: tenants with a sequence, queues, guest consumers, consumer calls. */
import { env } from "cloudflare:workers";
import { expect } from "vitest";
import { type CallOptions, call, guest, guests, iso, type Shopper, sleep, type Tenant, tenant } from "./helpers";

export { guest, guests, iso, type Shopper, sleep, type Tenant, tenant };

/** Creates a queue (201 expected) and returns its JSON. */
export async function createQueue(t: Tenant, body: Record<string, unknown> = {}) {
	const res = await call("/api/v1/queues", { key: t.secretKey, body: { sequenceId: t.sequenceId, ...body } });
	expect(res.status, res.text).toBe(201);
	return res.json as { id: string; status: string } & Record<string, unknown>;
}

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
export function consumerCall(t: Tenant, path: string, opts: ConsumerCallOptions = {}) {
	const headers: Record<string, string> = { ...opts.headers };
	const pk = opts.pk === undefined ? t.publishableKey : opts.pk;
	if (pk) headers["X-Publishable-Key"] = pk;
	if (opts.ticket) headers["X-Queue-Ticket"] = opts.ticket;
	const o: CallOptions = { method: opts.method ?? "GET", key: opts.token ?? null, headers };
	return call(`/consumer/v1${path}`, o);
}

export const enter = (t: Tenant, queueId: string, s: Shopper) =>
	consumerCall(t, `/queues/${queueId}/enter`, { method: "POST", token: s.accessToken });
export const status = (t: Tenant, queueId: string, s: Shopper) =>
	consumerCall(t, `/queues/${queueId}/status`, { token: s.accessToken });
export const leave = (t: Tenant, queueId: string, s: Shopper) =>
	consumerCall(t, `/queues/${queueId}/leave`, { method: "POST", token: s.accessToken });

export async function stats(t: Tenant, queueId: string) {
	const res = await call(`/api/v1/queues/${queueId}/stats`, { key: t.secretKey });
	expect(res.status, res.text).toBe(200);
	return res.json as Record<string, number>;
}

export async function admit(t: Tenant, queueId: string, count: number) {
	return call(`/api/v1/queues/${queueId}/admit`, { key: t.secretKey, body: { count } });
}

export const queueStub = (id: string) => env.QUEUE_OBJECT.getByName(id);

/** Polls `probe` until `done` (50 ms steps), failing after `timeoutMs`. */
export async function waitFor<T>(label: string, probe: () => Promise<T>, done: (v: T) => boolean, timeoutMs = 5000) {
	const deadline = Date.now() + timeoutMs;
	for (;;) {
		const value = await probe();
		if (done(value)) return value;
		if (Date.now() > deadline) throw new Error(`Timed out waiting for ${label}; last value: ${JSON.stringify(value)}`);
		await sleep(50);
	}
}

/** Changes one character in the middle of a token (keeps it base64url). */
export function alter(token: string, at = Math.floor(token.length / 2)): string {
	const c = token[at];
	const swapped = c === "A" ? "B" : "A";
	return token.slice(0, at) + swapped + token.slice(at + 1);
}
