/** Auctions: creating one, bids and buy-now, the public state, a bidder's status, the published log (and rewriting it), the bid list. */
import { runInDurableObject } from "cloudflare:test";
import { expect } from "vitest";
import { chainHash } from "../../src/distributions/auction/log";
import { AuctionStore } from "../../src/distributions/auction/store";
import type { AuctionLog } from "../../src/distributions/auction/verify";
import { createDistribution } from "./distributions";
import { call, type Shopper, type Tenant, type TestOrg } from "./helpers";
import { auctionStub } from "./objects";
import { allItems } from "./pages";
import { iso, waitFor } from "./time";

/** Creates an auction (201 expected); times are epoch ms, sent with milliseconds. */
export async function createAuction(
	t: Tenant,
	times: { openAt: number; closeAt?: number; settleAt: number },
	body: Record<string, unknown> = {},
) {
	return createDistribution(t, "auction", {
		openAt: iso(times.openAt),
		...(times.closeAt == null ? {} : { closeAt: iso(times.closeAt) }),
		settleAt: iso(times.settleAt),
		startingBid: 10,
		minimumIncrement: 1,
		...body,
	});
}

/** An auction open since a second ago, closing (and settling) `closeIn` ms from now. */
export async function openAuction(t: Tenant, body: Record<string, unknown> = {}, closeIn = 60_000, settleIn = closeIn) {
	const now = Date.now();
	const closeAtMs = now + closeIn;
	const settleAtMs = now + settleIn;
	const created = await createAuction(t, { openAt: now - 1000, closeAt: closeAtMs, settleAt: settleAtMs }, body);
	return { ...created, closeAtMs, settleAtMs };
}

/** Moves an OPEN auction's close and settle to `inMs` from now (merchant PUT), so it settles soon. */
export async function closeSoon(t: TestOrg, id: string, inMs = 800) {
	const at = new Date(Date.now() + inMs).toISOString();
	const res = await call(`/api/v1/auctions/${id}`, {
		method: "PUT",
		key: t.secretKey,
		body: { closeAt: at, settleAt: at },
	});
	expect(res.status, res.text).toBe(200);
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

/** Waits until the published log is settled (the SETTLED transition ran: maxima revealed), then returns it. */
export async function waitLog(t: TestOrg, auctionId: string, timeoutMs = 8000): Promise<AuctionLog> {
	const res = await waitFor(
		`${auctionId} log settled`,
		() => logOf(t, auctionId),
		(r) => r.status === 200 && r.json.status === "SETTLED",
		timeoutMs,
		100,
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
	/** The entry's hash in the published log (it covers the maximum's salted commitment, not the maximum). */
	hash: string;
}

/** Every page of GET /api/v1/auctions/:id/bids, newest first. */
export const allBids = (t: TestOrg, auctionId: string, limit = 100) =>
	allItems<MerchantBid>(`/api/v1/auctions/${auctionId}/bids?limit=${limit}`, t.secretKey);

/**
 * The red team inside the object (a test seam, like objects.ts): entry `seq`'s amount becomes
 * `amount` (minor units) and every hash from the genesis on is recomputed — a consistent rewrite.
 */
export function rewriteAuctionLog(auctionId: string, seq: number, amount: number) {
	return runInDurableObject(auctionStub(auctionId), (_instance, state) => {
		const sql = state.storage.sql;
		const store = new AuctionStore(sql);
		let prev = store.load().chain?.hash ?? "";
		for (const row of store.entries(0, 1_000_000)) {
			const e = row.seq === seq ? { ...row, amount } : row;
			const hash = chainHash(prev, e);
			sql.exec("UPDATE log SET amount = ?, prev_hash = ?, hash = ? WHERE seq = ?", e.amount ?? 0, prev, hash, e.seq);
			prev = hash;
		}
	});
}
