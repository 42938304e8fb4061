/** Draws: creating one with short real times, the consumer calls on it, its proof, results, export and entries. */
import { expect } from "vitest";
import { rank, rankedSet, rankingKey } from "../../src/distributions/draw/fairness";
import { type HeldReceipt, type PublishedLog, verifyDraw } from "../../src/distributions/draw/verify";
import { type Jwks, JwksCache } from "../../src/sdk/admission";
import { createDistribution } from "./distributions";
import { call, type Shopper, type Tenant, type TestOrg } from "./helpers";
import { drawStub, runScheduleAt } from "./objects";
import { allItems } from "./pages";
import { iso, waitFor } from "./time";

/** Creates a draw (201 expected). */
export const createDraw = (t: Tenant, body: Record<string, unknown>) => createDistribution(t, "draw", body);

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

export type ReceiptJson = HeldReceipt;

export interface DrawStateJson {
	consumerId: string;
	status: string;
	ticket: string;
	receipt: ReceiptJson;
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

/** Waits until the proof shows the entries sealed (the CLOSED transition ran). */
export const waitSealed = (t: TestOrg, drawId: string, timeoutMs = 6000) =>
	waitFor(
		`${drawId} sealed`,
		() => proofOf(t, drawId),
		(p) => p.seal != null,
		timeoutMs,
		100,
	);

/** Waits until the proof shows the draw (beacon fetched and verified, winners picked: DRAWN). */
export const waitDrawn = (t: TestOrg, drawId: string, timeoutMs = 7000) =>
	waitFor(
		`${drawId} drawn`,
		() => proofOf(t, drawId),
		(p) => p.drawnAt != null,
		timeoutMs,
		100,
	);

/** GET /consumer/v1/draws/:id/log, parsed (the public entry log). */
export async function logOf(t: TestOrg, drawId: string) {
	const res = await consumerDraw(t, drawId, "log");
	expect(res.status, res.text).toBe(200);
	return res.json as PublishedLog;
}

/** The deployment's JWKS as a verifier's key source. */
export async function jwksKeys() {
	const res = await call("/.well-known/jwks.json");
	expect(res.status).toBe(200);
	return new JwksCache(async () => res.json as Jwks);
}

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

export interface DrawEntry {
	entryId: string;
	consumerId: string;
	status: string;
	enteredAt: string;
}

/** Every page of GET /api/v1/draws/:id/entries. */
export const allEntries = (t: TestOrg, drawId: string, limit = 100) =>
	allItems<DrawEntry>(`/api/v1/draws/${drawId}/entries?limit=${limit}`, t.secretKey);

/** Runs the claims schedule kind at a simulated time, inside a storage transaction. */
export const runClaimsAt = (drawId: string, at: number) => runScheduleAt(drawStub(drawId), "claims", at);

export const hexToBytes = (h: string) => Uint8Array.from(h.match(/../g) ?? [], (x) => Number.parseInt(x, 16));

/** verifyDraw on what anyone can download — proof, public log, JWKS — plus any receipts held. */
export async function verifiedDraw(t: TestOrg, drawId: string, receipts: HeldReceipt[] = []) {
	const [proof, log, keys] = await Promise.all([proofOf(t, drawId), logOf(t, drawId), jwksKeys()]);
	return verifyDraw(proof, log, { keys, receipts });
}

/** The ranking recomputed from the sealed root, the beacon's randomness and the public log. */
export async function rankingOf(t: TestOrg, drawId: string) {
	const proof = await proofOf(t, drawId);
	const log = await logOf(t, drawId);
	const entryIds = rankedSet(log.records);
	return { proof, log, entryIds, ranked: rank(rankingKey(drawId, proof.seal.root, proof.beacon.randomness), entryIds) };
}
