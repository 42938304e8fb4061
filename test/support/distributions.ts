/**
 * Queues, draws and auctions through the merchant API: create and update any kind, and the
 * places a status shows — the admin GET, the `?status=` list filter and the D1 column the
 * objects write through to.
 */
import { env } from "cloudflare:workers";
import { expect } from "vitest";
import { STATUSES } from "../../src/distributions/common/status";
import { call, type Tenant } from "./helpers";
import type { Kind } from "./objects";
import { waitFor } from "./time";

export const PATH: Record<Kind, string> = {
	queue: "/api/v1/queues",
	draw: "/api/v1/draws",
	auction: "/api/v1/auctions",
};

export type Distribution = { id: string; status: string } & Record<string, any>;

/** Creates a distribution of `kind` in the tenant's sequence (201 expected) and returns its JSON. */
export async function createDistribution(t: Tenant, kind: Kind, body: Record<string, unknown> = {}) {
	const res = await call(PATH[kind], { key: t.secretKey, body: { sequenceId: t.sequenceId, ...body } });
	expect(res.status, res.text).toBe(201);
	return res.json as Distribution;
}

export const putDistribution = (t: Tenant, kind: Kind, id: string, body: Record<string, unknown>) =>
	call(`${PATH[kind]}/${id}`, { method: "PUT", key: t.secretKey, body });

/** The `distributions.status` column as written through to D1 (null once deleted). */
export async function storedStatus(id: string): Promise<string | null> {
	return (await storedTimes(id)).status;
}

/** The distribution row's exact close/settle/updated times (ms) and status, as written through to D1. */
export async function storedTimes(id: string) {
	const row = await env.DB.prepare("SELECT close_at, settle_at, status, updated_at FROM distributions WHERE id = ?")
		.bind(id)
		.first<{ close_at: number | null; settle_at: number | null; status: string; updated_at: number }>();
	return {
		closeAt: row?.close_at ?? null,
		settleAt: row?.settle_at ?? null,
		status: row?.status ?? null,
		updatedAt: row?.updated_at ?? null,
	};
}

/** Waits until the D1 column says `status`. */
export const waitStored = (id: string, status: string, timeoutMs?: number) =>
	waitFor(
		`${id} stored as ${status}`,
		() => storedStatus(id),
		(s) => s === status,
		timeoutMs,
	);

/** Ids listed by `GET /api/v1/{kind}s?status=`. */
export async function listedIds(t: Tenant, kind: Kind, status: string): Promise<string[]> {
	const res = await call(`${PATH[kind]}?status=${status}&limit=100`, { key: t.secretKey });
	expect(res.status, res.text).toBe(200);
	return res.json.data.map((d: { id: string }) => d.id);
}

/** The admin GET and the `?status=` filter both say `status`, and no other status lists the id. */
export async function expectAdminStatus(t: Tenant, kind: Kind, id: string, status: string) {
	const got = await call(`${PATH[kind]}/${id}`, { key: t.secretKey });
	expect(got.status, got.text).toBe(200);
	expect(got.json.status, `GET ${kind} ${id}`).toBe(status);
	for (const s of STATUSES[kind]) {
		const listed = await listedIds(t, kind, s);
		expect(listed.includes(id), `?status=${s} lists ${id}`).toBe(s === status);
	}
}
