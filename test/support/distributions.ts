/**
 * Queues, draws and auctions through the merchant API: create and update any kind, and the
 * places a status shows — the admin GET, the `?status=` list filter and the D1 column the
 * objects write through to. `createBackdated` is the one seam here: a distribution whose
 * times are already past, which a create refuses.
 */
import { env } from "cloudflare:workers";
import { expect } from "vitest";
import { engineRef } from "../../src/distributions/common/engine";
import { PAST_GRACE_MS } from "../../src/distributions/common/input";
import { getDistribution } from "../../src/distributions/common/repo";
import { configOf } from "../../src/distributions/common/service";
import { STATUSES, statusAt } from "../../src/distributions/common/status";
import { call, type Tenant } from "./helpers";
import type { Kind } from "./objects";
import { iso, waitFor } from "./time";

export const PATH: Record<Kind, string> = {
	queue: "/api/v1/queues",
	draw: "/api/v1/draws",
	auction: "/api/v1/auctions",
};

export type Distribution = { id: string; status: string } & Record<string, any>;

/** Where a distribution is created: the organization (its id and secret key) and the sequence. */
export type Parent = Pick<Tenant, "organizationId" | "secretKey" | "sequenceId">;

/** Creates a distribution of `kind` in the tenant's sequence (201 expected) and returns its JSON. */
export async function createDistribution(t: Parent, kind: Kind, body: Record<string, unknown> = {}) {
	const res = await call(PATH[kind], { key: t.secretKey, body: { sequenceId: t.sequenceId, ...body } });
	expect(res.status, res.text).toBe(201);
	return res.json as Distribution;
}

const TIME_FIELDS = ["openAt", "closeAt", "drawAt", "settleAt"] as const;
/** An ISO 8601 date-time that names its instant: `Z` or an offset (a local time would need the zone). */
const ABSOLUTE = /^\d{4}-\d\d-\d\dT[\d:.]+(Z|[+-]\d\d:?\d\d)$/i;

/**
 * How far `createBackdated` moves every time ahead for the create: a year, so the oldest time
 * a test uses (days back) lands in the future, and every time stays well before 2100.
 */
export const BACKDATE_SHIFT_MS = 365 * 24 * 3_600_000;

/**
 * Test seam: a distribution of `kind` created with times already past (`body` as for a
 * create, its times absolute: `Z` or an offset). The API refuses such a create (a time more
 * than PAST_GRACE_MS back is a 400), so suites that test what past times do — a status
 * derived from them, the catch-up of every transition already due, its events, a CLOSED
 * distribution's refusals — get one this way instead of through a weaker API:
 *
 * 1. POST the body with every time given moved BACKDATE_SHIFT_MS later (one offset, so their
 *    order and every rule between them hold): an ordinary, valid create — whose `*.created`
 *    event therefore shows the shifted times and status SCHEDULED.
 * 2. Write the real times into the D1 row, with the status they give now (`statusAt`), as a
 *    create with those times stored them before the rule.
 * 3. Read it back: the answer such a create gave (the status of its times; nothing finished yet).
 * 4. Configure its Durable Object with the real times through `configure(configOf(row))`, the
 *    RPC the service uses: the object records every transition already due at once and
 *    delivers them (written through to D1, published) exactly as a late alarm would.
 *
 * Returns the distribution as read in step 3. Times not in `body` (a draw's default openAt:
 * the creation time) stay as created.
 */
export async function createBackdated(t: Parent, kind: Kind, body: Record<string, unknown>) {
	const real: Partial<Record<(typeof TIME_FIELDS)[number], number | null>> = {};
	const shifted: Record<string, unknown> = { ...body };
	for (const field of TIME_FIELDS) {
		const value = body[field];
		if (value === undefined) continue;
		if (value === null) {
			real[field] = null;
			continue;
		}
		if (typeof value !== "string" || !ABSOLUTE.test(value)) {
			throw new Error(`createBackdated: ${field} must be an absolute ISO date-time, got ${JSON.stringify(value)}`);
		}
		const ms = Date.parse(value);
		if (ms + BACKDATE_SHIFT_MS < Date.now() + PAST_GRACE_MS) {
			throw new Error(`createBackdated: ${field} ${value} is further back than BACKDATE_SHIFT_MS`);
		}
		real[field] = ms;
		shifted[field] = iso(ms + BACKDATE_SHIFT_MS);
	}
	const created = await createDistribution(t, kind, shifted);

	const row = await getDistribution(env.DB, t.organizationId, kind, created.id);
	if (!row) throw new Error(`createBackdated: ${created.id} not in D1`);
	const backdated = { ...row, ...real };
	backdated.status = statusAt(kind, backdated, Date.now());
	await env.DB.prepare(
		"UPDATE distributions SET open_at = ?1, close_at = ?2, draw_at = ?3, settle_at = ?4, status = ?5 WHERE id = ?6",
	)
		.bind(...TIME_FIELDS.map((f) => backdated[f]), backdated.status, row.id)
		.run();
	const answered = await call(`${PATH[kind]}/${row.id}`, { key: t.secretKey });
	expect(answered.status, answered.text).toBe(200);

	await engineRef(env, kind, row.id).configure(configOf(backdated));
	return answered.json as Distribution;
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
