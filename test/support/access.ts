/**
 * Who may take part: setting a sequence's access, the merchant's vouched shoppers (consumers
 * with tokens from POST /api/v1/consumers/:id/tokens), access codes and the allow-list, and
 * the three enter paths with an optional access code in the body.
 */
import { env } from "cloudflare:workers";
import { expect } from "vitest";
import { type CallOptions, call, type Shopper, type Tenant, type TestOrg } from "./helpers";

export const SEQ = "/api/v1/sequences";

export async function setAccess(t: Tenant, access: string, sequenceId = t.sequenceId) {
	const res = await call(`${SEQ}/${sequenceId}`, { method: "PUT", key: t.secretKey, body: { access } });
	expect(res.status, res.text).toBe(200);
	expect(res.json.access).toBe(access);
}

let made = 0;

/** A consumer the merchant created (with these fields) and a session the merchant issued for it. */
export async function vouched(t: TestOrg, fields: { email?: string; phone?: string } = {}): Promise<Shopper> {
	const body = { email: fields.email ?? `shopper${++made}.${Date.now()}@example.com`, ...fields };
	const created = await call("/api/v1/consumers", { key: t.secretKey, body });
	expect(created.status, created.text).toBe(201);
	const session = await call(`/api/v1/consumers/${created.json.id}/tokens`, { key: t.secretKey, method: "POST" });
	expect(session.status, session.text).toBe(201);
	return {
		consumerId: created.json.id,
		accessToken: session.json.accessToken,
		refreshToken: session.json.refreshToken,
	};
}

export type Path = "queue" | "draw" | "bid" | "buy-now";

const PATHS: Record<Path, (id: string) => string> = {
	queue: (id) => `/consumer/v1/queues/${id}/enter`,
	draw: (id) => `/consumer/v1/draws/${id}/enter`,
	bid: (id) => `/consumer/v1/auctions/${id}/bids`,
	"buy-now": (id) => `/consumer/v1/auctions/${id}/buy-now`,
};

/** Enters (or bids 10 on, or buys) distribution `id` by `path`, with `body` (a bid's amount is added). */
export function enterBy(t: TestOrg, path: Path, id: string, shopper: Shopper, body?: Record<string, unknown>) {
	const payload = path === "bid" ? { amount: 10, ...body } : body;
	const opts: CallOptions = {
		method: "POST",
		key: shopper.accessToken,
		headers: { "X-Publishable-Key": t.publishableKey },
		...(payload === undefined ? {} : { body: payload }),
	};
	return call(PATHS[path](id), opts);
}

/** Enters with an access code. */
export const enterWithCode = (t: TestOrg, path: Path, id: string, shopper: Shopper, accessCode: string) =>
	enterBy(t, path, id, shopper, { accessCode });

export async function createCodes(t: Tenant, body: Record<string, unknown> = {}, sequenceId = t.sequenceId) {
	const res = await call(`${SEQ}/${sequenceId}/access-codes`, { key: t.secretKey, body });
	expect(res.status, res.text).toBe(201);
	return res.json as { batchId: string; data: (AccessCode & { code: string })[] };
}

export interface AccessCode {
	id: string;
	sequenceId: string;
	batchId: string;
	hint: string;
	maxUses: number;
	uses: number;
	status: string;
	expiresAt: string | null;
	revokedAt: string | null;
	createdAt: string;
}

export async function getCode(t: Tenant, codeId: string, sequenceId = t.sequenceId) {
	const res = await call(`${SEQ}/${sequenceId}/access-codes/${codeId}`, { key: t.secretKey });
	expect(res.status, res.text).toBe(200);
	return res.json as AccessCode;
}

export const allowList = (t: Tenant, body: unknown, action: "add" | "remove" = "add", sequenceId = t.sequenceId) =>
	call(`${SEQ}/${sequenceId}/allow-list${action === "remove" ? "/remove" : ""}`, { key: t.secretKey, body });

/** Rows of an access table for this organization, straight from D1. */
export async function accessRows<T = Record<string, unknown>>(table: string, organizationId: string): Promise<T[]> {
	const { results } = await env.DB.prepare(`SELECT * FROM ${table} WHERE organization_id = ?`)
		.bind(organizationId)
		.all<T>();
	return results;
}

/** Events of `type` the EVENTS consumer stored for the organization (they concern no distribution). */
export async function orgEvents(organizationId: string, type: string) {
	const { results } = await env.DB.prepare("SELECT data FROM events WHERE organization_id = ? AND type = ? ORDER BY id")
		.bind(organizationId, type)
		.all<{ data: string }>();
	return results.map((r) => JSON.parse(r.data));
}
