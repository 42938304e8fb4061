/**
 * Issue #15, auctions: what the merchant can neither see nor change while bidding runs.
 * - Maxima are sealed until settlement, from the merchant too: its bid list shows the amounts placed
 *   and the proxy steps, with every maxAmount null until SETTLED. The hashes are shown: they cover a
 *   salted commitment to each maximum, so a search over amounts (which found a v1 maximum) finds nothing.
 * - The rules freeze at the first bid: a PUT changing any of them is a 409 that stores, changes
 *   and publishes nothing; resending a value unchanged, and changing times, name or metadata, still works.
 * - Even a configuration racing the first bid does not change the rules the object judges by.
 */
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { chainHash, commit } from "../../../src/distributions/auction/log";
import { verifyAuction } from "../../../src/distributions/auction/verify";
import {
	allBids,
	bid,
	closeSoon,
	type MerchantBid,
	openAuction,
	publicState,
	statusOf,
	waitLog,
} from "../../support/auction";
import { putDistribution } from "../../support/distributions";
import { eventsOf, settle, storedEvents, waitEvents, waitStoredEvents } from "../../support/events";
import { call, guests, tenant } from "../../support/helpers";
import { auctionStub, objectRows } from "../../support/objects";
import { expectProblem } from "../../support/problems";

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

/**
 * The maximum of an explicit bid, searched for by trying every whole amount up to `limit` (minor
 * units) as its commitment — with the salt if one is given (as after settlement), else with none
 * (all a searcher has while the auction runs). Null if no amount matches.
 */
function maximumFromCommitment(commitment: string | null, amount: number, limit: number, salt = ""): number | null {
	for (let m = amount; m <= limit; m += 100) if (commit(m, salt) === commitment) return m;
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
		for (const r of open) expect(r.maxAmount).toBeNull();
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
		// The hashes are the published log's, the same before and after settlement.
		const bySeq = new Map(log.entries.map((e) => [e.seq, e]));
		for (const r of settled) expect(r.hash).toBe(bySeq.get(r.seq)?.hash);
		expect(open.map((r) => r.hash)).toEqual(settled.map((r) => r.hash));
		// Why showing them is safe now: they cover a salted commitment, and without its salt no amount matches it.
		const first = bySeq.get((settled.at(-1) as MerchantBid).seq);
		expect(first?.commitment).toMatch(/^[0-9a-f]{64}$/);
		expect(chainHash(first?.prevHash ?? "", first as never)).toBe(first?.hash);
		expect(maximumFromCommitment(first?.commitment ?? null, 10_000, 200_000)).toBeNull();
		// With the salt revealed at settlement, the commitment is the maximum's: 1,000.
		expect(maximumFromCommitment(first?.commitment ?? null, 10_000, 200_000, first?.salt ?? "")).toBe(100_000);
	});
});

/** The rules of the auction below, and a different value of each. */
const RULES = {
	startingBid: 10,
	minimumIncrement: 1,
	reservePrice: 50,
	buyNowPrice: 500,
	softCloseSeconds: 30,
	maxExtensionSeconds: 120,
} as const;
const CHANGED: Record<keyof typeof RULES, number> = {
	startingBid: 11,
	minimumIncrement: 2,
	reservePrice: 60,
	buyNowPrice: 600,
	softCloseSeconds: 40,
	maxExtensionSeconds: 240,
};

const row = (id: string) => env.DB.prepare("SELECT * FROM distributions WHERE id = ?").bind(id).first();

describe("rules frozen at the first bid", () => {
	it("before a bid each rule can change; after it, each change is a 409 that stores and publishes nothing", async () => {
		const t = await tenant();
		const a = await openAuction(t, { ...RULES });
		const [alice] = await guests(t, 1);
		// Before any bid the rules are the merchant's to change (and back).
		for (const [field, value] of Object.entries(CHANGED)) {
			const res = await putDistribution(t, "auction", a.id, { [field]: value });
			expect(res.status, `${field}: ${res.text}`).toBe(200);
			expect(res.json[field]).toBe(value);
		}
		const back = await putDistribution(t, "auction", a.id, { ...RULES });
		expect(back.status, back.text).toBe(200);
		expect(back.json).toMatchObject(RULES);
		// 6 + 1 updates so far.
		await waitStoredEvents(a.id, "auction.updated", 7);

		expect((await bid(t, a.id, alice, 20)).status).toBe(200);
		const storedBefore = await row(a.id);
		const readBefore = (await call(`/api/v1/auctions/${a.id}`, { key: t.secretKey })).json;
		for (const [field, value] of Object.entries(CHANGED)) {
			const res = await putDistribution(t, "auction", a.id, { [field]: value });
			const p = expectProblem(res, 409, "Auction rules frozen");
			expect(p.errors?.map((e) => e.path)).toEqual([field]);
			expect(p.detail).toMatch(/Nothing was updated/);
		}
		// Every changed field is named; a change beside an allowed one does not slip through, nor does the allowed one.
		const mixed = await putDistribution(t, "auction", a.id, { name: "Renamed", reservePrice: 1, buyNowPrice: 500 });
		expect(expectProblem(mixed, 409, "Auction rules frozen").errors?.map((e) => e.path)).toEqual(["reservePrice"]);
		const cleared = await putDistribution(t, "auction", a.id, { reservePrice: null, buyNowPrice: null });
		expect(expectProblem(cleared, 409, "Auction rules frozen").errors?.map((e) => e.path)).toEqual([
			"reservePrice",
			"buyNowPrice",
		]);
		expect(await row(a.id)).toEqual(storedBefore);
		expect((await call(`/api/v1/auctions/${a.id}`, { key: t.secretKey })).json).toEqual(readBefore);
		expect((await publicState(t, a.id)).json).toMatchObject({
			minimumNextBid: 21,
			buyNowPrice: 500,
			reserveMet: false,
		});

		// Resending the rules as they are is no change; name, metadata and times still change.
		const same = await putDistribution(t, "auction", a.id, { ...RULES });
		expect(same.status, same.text).toBe(200);
		const named = await putDistribution(t, "auction", a.id, { name: "Renamed", metadata: { lot: 7 } });
		expect(named.status, named.text).toBe(200);
		expect(named.json).toMatchObject({ name: "Renamed", metadata: { lot: 7 }, ...RULES });
		const later = new Date(a.closeAtMs + 60_000).toISOString();
		const moved = await putDistribution(t, "auction", a.id, { closeAt: later, settleAt: later });
		expect(moved.status, moved.text).toBe(200);
		expect(Date.parse(moved.json.closeAt)).toBe(Date.parse(later));

		// 7 before the bid, then the three accepted PUTs: none of the refused ones published anything.
		await waitStoredEvents(a.id, "auction.updated", 10);
		await settle();
		expect(await storedEvents(a.id, "auction.updated")).toHaveLength(10);
	});

	it("a configuration racing the first bid does not change the rules the object judges and settles by", async () => {
		const t = await tenant();
		const a = await openAuction(t, { startingBid: 10, minimumIncrement: 1, reservePrice: 50 });
		const [alice] = await guests(t, 1);
		expect((await bid(t, a.id, alice, 60)).status).toBe(200);
		// What a PUT that checked before the bid arrived would tell the object: a reserve above the bid.
		const [{ json }] = await objectRows<{ json: string }>(auctionStub(a.id), "SELECT json FROM timeline");
		const soon = Date.now() + 800;
		await auctionStub(a.id).configure({
			...(JSON.parse(json) as any),
			reservePrice: 7000,
			closeAt: soon,
			settleAt: soon,
		});
		expect((await publicState(t, a.id)).json).toMatchObject({ reserveMet: true, minimumNextBid: 61 });

		const log = await waitLog(t, a.id);
		expect(log.rules).toEqual({
			startingBid: 1000,
			minimumIncrement: 100,
			reservePrice: 5000,
			buyNowPrice: null,
			softCloseSeconds: null,
			maxExtensionSeconds: null,
		});
		// The genesis committed to the same rules (the reserve by its commitment), and the raced time change is logged.
		expect(log.genesis?.rules).toMatchObject({ startingBid: 1000, minimumIncrement: 100, buyNowPrice: null });
		expect(log.entries.filter((e) => e.kind === "times").map((e) => e.cause)).toEqual(["merchant"]);
		expect(verifyAuction(log).problems).toEqual([]);
		expect(log).toMatchObject({ reserveMet: true, finalPrice: 6000 });
		expect((await statusOf(t, a.id, alice)).status).toBe("WON");
	});
});
