/** Helpers shared by the auction tests: tenants, guests, auctions, consumer calls, bounded polling. */
import { env } from "cloudflare:workers";
import { expect } from "vitest";
import type { AuctionLog } from "../../src/distributions/auction/verify";
import { call, guest, guests, iso, type Shopper, sleep, type Tenant, type TestOrg, tenant } from "./helpers";

export { guest, guests, iso, type Shopper, sleep, type Tenant, tenant };
/** Sleeps until the wall clock reaches `at` (epoch ms). */
export const sleepUntil = (at: number) => sleep(Math.max(0, at - Date.now()));

/** Creates an auction (201 expected); times are epoch ms, sent with milliseconds. */
export async function createAuction(
	t: Tenant,
	times: { openAt: number; closeAt?: number; settleAt: number },
	body: Record<string, unknown> = {},
) {
	const res = await call("/api/v1/auctions", {
		key: t.secretKey,
		body: {
			sequenceId: t.sequenceId,
			openAt: iso(times.openAt),
			...(times.closeAt == null ? {} : { closeAt: iso(times.closeAt) }),
			settleAt: iso(times.settleAt),
			startingBid: 10,
			minimumIncrement: 1,
			...body,
		},
	});
	expect(res.status, res.text).toBe(201);
	return res.json as { id: string; status: string } & Record<string, unknown>;
}

/** An auction open since a second ago, closing (and settling) `closeIn` ms from now. */
export async function openAuction(t: Tenant, body: Record<string, unknown> = {}, closeIn = 60_000, settleIn = closeIn) {
	const now = Date.now();
	const closeAtMs = now + closeIn;
	const settleAtMs = now + settleIn;
	const created = await createAuction(t, { openAt: now - 1000, closeAt: closeAtMs, settleAt: settleAtMs }, body);
	return { ...created, closeAtMs, settleAtMs };
}

const consumerHeaders = (t: TestOrg, extra: Record<string, string> = {}) => ({
	"X-Publishable-Key": t.publishableKey,
	...extra,
});

export function bid(
	t: TestOrg,
	auctionId: string,
	shopper: Shopper,
	amount: number,
	maxAmount?: number,
	headers: Record<string, string> = {},
) {
	return call(`/consumer/v1/auctions/${auctionId}/bids`, {
		key: shopper.accessToken,
		headers: consumerHeaders(t, headers),
		body: maxAmount == null ? { amount } : { amount, maxAmount },
	});
}

export function buyNow(t: TestOrg, auctionId: string, shopper: Shopper, headers: Record<string, string> = {}) {
	return call(`/consumer/v1/auctions/${auctionId}/buy-now`, {
		method: "POST",
		key: shopper.accessToken,
		headers: consumerHeaders(t, headers),
	});
}

export function publicState(t: TestOrg, auctionId: string) {
	return call(`/consumer/v1/auctions/${auctionId}`, { headers: consumerHeaders(t) });
}

export async function statusOf(t: TestOrg, auctionId: string, shopper: Shopper) {
	const res = await call(`/consumer/v1/auctions/${auctionId}/status`, {
		key: shopper.accessToken,
		headers: consumerHeaders(t),
	});
	expect(res.status, res.text).toBe(200);
	return res.json;
}

export function logOf(t: TestOrg, auctionId: string) {
	return call(`/consumer/v1/auctions/${auctionId}/log`, { headers: consumerHeaders(t) });
}

/** Polls `probe` until `done` (100 ms steps), failing after `timeoutMs`. */
export async function waitFor<T>(label: string, probe: () => Promise<T>, done: (v: T) => boolean, timeoutMs = 6000) {
	const deadline = Date.now() + timeoutMs;
	for (;;) {
		const value = await probe();
		if (done(value)) return value;
		if (Date.now() > deadline) throw new Error(`Timed out waiting for ${label}; last value: ${JSON.stringify(value)}`);
		await sleep(100);
	}
}

/** Waits until the published log is available (the SETTLED transition ran), then returns it. */
export async function waitLog(t: TestOrg, auctionId: string, timeoutMs = 8000): Promise<AuctionLog> {
	const res = await waitFor(
		`${auctionId} log published`,
		() => logOf(t, auctionId),
		(r) => r.status === 200,
		timeoutMs,
	);
	return res.json as AuctionLog;
}

export interface MerchantBid {
	seq: number;
	consumerId: string;
	bidder: string;
	amount: number;
	maxAmount: number | null;
	kind: "bid" | "proxy" | "buy_now";
	placedAt: string;
	hash: string;
}

/** Every page of GET /api/v1/auctions/:id/bids, newest first. */
export async function allBids(t: Tenant, auctionId: string, limit = 100): Promise<MerchantBid[]> {
	const out: MerchantBid[] = [];
	let cursor: string | null = null;
	for (let pages = 0; pages < 1000; pages++) {
		const q: string = cursor ? `&cursor=${encodeURIComponent(cursor)}` : "";
		const res = await call(`/api/v1/auctions/${auctionId}/bids?limit=${limit}${q}`, { key: t.secretKey });
		expect(res.status, res.text).toBe(200);
		out.push(...res.json.data);
		cursor = res.json.nextCursor;
		if (!cursor) break;
	}
	return out;
}

/** Events of `type` for a distribution through GET /api/v1/events. */
export async function eventsOf(t: Tenant, distributionId: string, type: string) {
	const res = await call(`/api/v1/events?type=${type}&distributionId=${distributionId}&limit=100`, {
		key: t.secretKey,
	});
	expect(res.status, res.text).toBe(200);
	return res.json.data as { id: string; type: string; data: any }[];
}

/** The distribution row's exact close/settle times (ms), as written through to D1. */
export async function storedTimes(id: string) {
	const row = await env.DB.prepare("SELECT close_at, settle_at, status FROM distributions WHERE id = ?")
		.bind(id)
		.first<{ close_at: number | null; settle_at: number | null; status: string }>();
	return { closeAt: row?.close_at ?? null, settleAt: row?.settle_at ?? null, status: row?.status ?? null };
}

export const auctionStub = (id: string) => env.AUCTION_OBJECT.getByName(id);

/** Claims a win through POST /api/v1/admissions/complete. */
export function complete(t: TestOrg, token: string, orderId = "ord_test") {
	return call("/api/v1/admissions/complete", { key: t.secretKey, body: { token, orderId } });
}

export function validate(t: TestOrg, token: string) {
	return call("/api/v1/admissions/validate", { key: t.secretKey, body: { token } });
}
