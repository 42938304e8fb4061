/** Helpers shared by the draw tests: tenants, guests, draws, consumer calls, bounded polling. */
import { runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { expect } from "vitest";
import { call, guest, guests, iso, type Shopper, sleep, type Tenant, type TestOrg, tenant } from "./helpers";

export { guest, guests, iso, type Shopper, sleep, type Tenant, tenant };

/** Creates a draw (201 expected). */
export async function createDraw(t: Tenant, body: Record<string, unknown>) {
	const res = await call("/api/v1/draws", { key: t.secretKey, body: { sequenceId: t.sequenceId, ...body } });
	expect(res.status, res.text).toBe(201);
	return res.json as { id: string; status: string } & Record<string, unknown>;
}

/**
 * A draw open since a second ago, closing after `closeIn` ms and drawing `drawIn` ms from now.
 * `closeAtMs` / `drawAtMs` are the exact times sent (responses round to the second).
 */
export async function shortDraw(t: Tenant, body: Record<string, unknown> = {}, closeIn = 2000, drawIn = 3000) {
	const now = Date.now();
	const closeAtMs = now + closeIn;
	const drawAtMs = now + drawIn;
	const created = await createDraw(t, {
		openAt: iso(now - 1000),
		closeAt: iso(closeAtMs),
		drawAt: iso(drawAtMs),
		winnerCount: 1,
		...body,
	});
	return { ...created, closeAtMs, drawAtMs };
}

/** A consumer-API call on a draw. */
export function consumerDraw(t: TestOrg, drawId: string, action: string, shopper?: Shopper | null) {
	const method = action === "enter" || action === "leave" ? "POST" : "GET";
	return call(`/consumer/v1/draws/${drawId}/${action}`, {
		method,
		key: shopper?.accessToken ?? null,
		headers: { "X-Publishable-Key": t.publishableKey },
	});
}

export async function enter(t: TestOrg, drawId: string, shopper: Shopper) {
	const res = await consumerDraw(t, drawId, "enter", shopper);
	expect(res.status, res.text).toBe(200);
	expect(res.json.status).toBe("ENTERED");
	return res.json as DrawStateJson;
}

export async function enterAll(t: TestOrg, drawId: string, shoppers: Shopper[]) {
	return Promise.all(shoppers.map((s) => enter(t, drawId, s)));
}

export interface DrawStateJson {
	consumerId: string;
	status: string;
	receipt: {
		entryId: string;
		enteredAt: string;
		commitment: string;
		signature: string;
		leafIndex?: number;
		merkleRoot?: string;
		inclusionProof?: { sibling: string | null; side: "left" | "right" }[];
	};
	admissionToken?: string;
	claimBy?: string;
}

export async function stateOf(t: TestOrg, drawId: string, shopper: Shopper) {
	const res = await consumerDraw(t, drawId, "status", shopper);
	expect(res.status, res.text).toBe(200);
	return res.json as DrawStateJson;
}

export async function proofOf(t: TestOrg, drawId: string) {
	const res = await consumerDraw(t, drawId, "proof");
	expect(res.status, res.text).toBe(200);
	return res.json;
}

/** Polls `probe` until `done` (100 ms steps), failing after `timeoutMs`. */
export async function waitFor<T>(label: string, probe: () => Promise<T>, done: (v: T) => boolean, timeoutMs = 5000) {
	const deadline = Date.now() + timeoutMs;
	for (;;) {
		const value = await probe();
		if (done(value)) return value;
		if (Date.now() > deadline) throw new Error(`Timed out waiting for ${label}; last value: ${JSON.stringify(value)}`);
		await sleep(100);
	}
}

/** Waits until the proof shows the entries sealed (the CLOSED transition ran). */
export const waitSealed = (t: TestOrg, drawId: string, timeoutMs = 6000) =>
	waitFor(
		`${drawId} sealed`,
		() => proofOf(t, drawId),
		(p) => p.merkleRoot != null,
		timeoutMs,
	);

/** Waits until the proof reveals the seed (the DRAWN transition ran). */
export const waitDrawn = (t: TestOrg, drawId: string, timeoutMs = 7000) =>
	waitFor(
		`${drawId} drawn`,
		() => proofOf(t, drawId),
		(p) => p.seed != null,
		timeoutMs,
	);

/** GET /api/v1/draws/:id/entries/export, parsed. */
export async function exportOf(t: TestOrg, drawId: string) {
	const res = await call(`/api/v1/draws/${drawId}/entries/export`, { key: t.secretKey });
	expect(res.status, res.text).toBe(200);
	return res.json as { drawId: string; entryIds: string[] };
}

export async function resultsOf(t: TestOrg, drawId: string) {
	const res = await call(`/api/v1/draws/${drawId}/results`, { key: t.secretKey });
	expect(res.status, res.text).toBe(200);
	return res.json;
}

/** Every page of GET /api/v1/draws/:id/entries. */
export async function allEntries(t: TestOrg, drawId: string, limit = 100) {
	const out: { entryId: string; consumerId: string; status: string; enteredAt: string }[] = [];
	let cursor: string | null = null;
	for (let pages = 0; pages < 1000; pages++) {
		const q: string = cursor ? `&cursor=${encodeURIComponent(cursor)}` : "";
		const res = await call(`/api/v1/draws/${drawId}/entries?limit=${limit}${q}`, { key: t.secretKey });
		expect(res.status, res.text).toBe(200);
		out.push(...res.json.data);
		cursor = res.json.nextCursor;
		if (!cursor) break;
	}
	return out;
}

/** Events of `type` for a draw through GET /api/v1/events. */
export async function eventsOf(t: TestOrg, drawId: string, type: string) {
	const res = await call(`/api/v1/events?type=${type}&distributionId=${drawId}&limit=100`, { key: t.secretKey });
	expect(res.status, res.text).toBe(200);
	return res.json.data as { id: string; type: string; data: any }[];
}

export const drawStub = (id: string) => env.DRAW_OBJECT.getByName(id);

/** Runs the claims schedule kind at a simulated time, inside a storage transaction. */
export async function runClaimsAt(drawId: string, at: number) {
	return runInDurableObject(drawStub(drawId), (instance, state) =>
		state.storage.transactionSync(() => (instance as any).onSchedule("claims", at) as number | null),
	);
}

/** The transitions recorded by the object, oldest first. */
export async function transitionsOf(drawId: string) {
	return runInDurableObject(drawStub(drawId), (_instance, state) =>
		state.storage.sql.exec<{ status: string; at: number }>("SELECT status, at FROM transitions ORDER BY seq").toArray(),
	);
}

/** Claims a win through POST /api/v1/admissions/complete. */
export async function claim(t: TestOrg, admissionToken: string, orderId = "ord_test") {
	return call("/api/v1/admissions/complete", { key: t.secretKey, body: { token: admissionToken, orderId } });
}

export const hexToBytes = (h: string) => Uint8Array.from(h.match(/../g) ?? [], (x) => Number.parseInt(x, 16));
