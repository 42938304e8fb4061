/**
 * Issue #15, auctions: what the merchant cannot see while bidding runs.
 * - Maxima are sealed until settlement, from the merchant too: its bid list shows the amounts
 *   placed and the proxy steps, with every maxAmount (and every hash, which commits to the
 *   maxima and would give them away to a search) null until SETTLED.
 */
import { describe, expect, it } from "vitest";
import { chainHash, GENESIS_HASH } from "../../../src/distributions/auction/log";
import { verifyAuction } from "../../../src/distributions/auction/verify";
import { allBids, bid, closeSoon, type MerchantBid, openAuction, statusOf, waitLog } from "../../support/auction";
import { eventsOf, waitEvents } from "../../support/events";
import { call, guests, tenant } from "../../support/helpers";

/** Every number and string anywhere in a JSON value. */
function leaves(v: unknown, out: unknown[] = []): unknown[] {
	if (Array.isArray(v)) for (const x of v) leaves(x, out);
	else if (v && typeof v === "object") for (const x of Object.values(v)) leaves(x, out);
	else out.push(v);
	return out;
}

/** Whether `json` holds the amount `major` anywhere, in major or minor units, as a number or a string. */
const mentions = (json: unknown, major: number) =>
	leaves(json).some((x) => [major, major * 100, String(major), String(major * 100)].includes(x as never));

/** The maximum of an explicit bid, found from its hash by trying every whole amount up to `limit` (minor units). */
function maximumFromHash(row: MerchantBid, prevHash: string, limit: number): number | null {
	if (!row.hash) return null;
	const amount = Math.round(row.amount * 100);
	for (let m = amount; m <= limit; m += 100) {
		const entry = {
			seq: row.seq,
			bidder: row.bidder,
			amount,
			maxAmount: m,
			kind: row.kind,
			placedAt: Date.parse(row.placedAt),
		};
		if (chainHash(prevHash, entry) === row.hash) return m;
	}
	return null;
}

describe("sealed maxima: the merchant's bid list", () => {
	it("while OPEN shows amounts and proxy steps but no maximum (nor hash); once SETTLED, the maxima", async () => {
		const t = await tenant();
		const a = await openAuction(t, { startingBid: 10, minimumIncrement: 1 });
		const [alice, bob, carol] = await guests(t, 3);
		// Alice is willing to pay 1,000: nobody but Alice may know it before the auction is settled.
		expect((await bid(t, a.id, alice, 100, 1000)).status).toBe(200);
		expect((await bid(t, a.id, bob, 200)).status).toBe(200);
		expect((await bid(t, a.id, carol, 300, 400)).status).toBe(200);

		const open = await allBids(t, a.id);
		expect(open.map((r) => [r.consumerId, r.kind, r.amount])).toEqual([
			[alice.consumerId, "proxy", 401],
			[carol.consumerId, "bid", 300],
			[alice.consumerId, "proxy", 201],
			[bob.consumerId, "bid", 200],
			[alice.consumerId, "bid", 100],
		]);
		for (const r of open) expect({ maxAmount: r.maxAmount, hash: r.hash }).toEqual({ maxAmount: null, hash: null });
		// The red team's merchant: no page, no field, no event tells it 1,000 (nor Carol's 400) to bid up to.
		for (const limit of [1, 2, 100]) {
			const page = await call(`/api/v1/auctions/${a.id}/bids?limit=${limit}`, { key: t.secretKey });
			expect(page.status, page.text).toBe(200);
			expect(mentions(page.json, 1000), page.text).toBe(false);
			expect(mentions(page.json, 400), page.text).toBe(false);
		}
		await waitEvents(t, a.id, "auction.bid.placed", 3);
		const events = await eventsOf(t, a.id, "auction.*");
		expect(events.length).toBeGreaterThanOrEqual(3);
		expect(mentions(events, 1000)).toBe(false);
		expect(mentions((await call(`/api/v1/auctions/${a.id}`, { key: t.secretKey })).json, 1000)).toBe(false);
		// Alice herself still sees her own maximum.
		expect((await statusOf(t, a.id, alice)).yourMaximum).toBe(1000);

		await closeSoon(t, a.id);
		const log = await waitLog(t, a.id);
		expect(verifyAuction(log).problems).toEqual([]);
		const settled = await allBids(t, a.id);
		expect(settled.map((r) => [r.consumerId, r.kind, r.amount, r.maxAmount])).toEqual([
			[alice.consumerId, "proxy", 401, null],
			[carol.consumerId, "bid", 300, 400],
			[alice.consumerId, "proxy", 201, null],
			[bob.consumerId, "bid", 200, 200],
			[alice.consumerId, "bid", 100, 1000],
		]);
		// Now the hashes are the published log's.
		const bySeq = new Map(log.entries.map((e) => [e.seq, e.hash]));
		for (const r of settled) expect(r.hash).toBe(bySeq.get(r.seq));
		// Why the hash stayed sealed too: it commits to the maximum, which a search over amounts recovers.
		const first = settled.at(-1) as MerchantBid;
		expect(maximumFromHash(first, GENESIS_HASH, 200_000)).toBe(100_000);
		expect(maximumFromHash(open.at(-1) as MerchantBid, GENESIS_HASH, 200_000)).toBeNull();
	});
});
