/**
 * The auction engine over HTTP (worker → AuctionObject → D1): public state, bids accepted and
 * refused with their reasons, 300 concurrent bids replayed against the published log, soft
 * close and its cap, buy-now racing bids, reserve not met, settlement once under a doubled
 * alarm, eviction, idempotent bids, the merchant's bid list, tenancy and the winner's grant.
 *
 * Alarms fire on their own at their time in this runtime, so tests use short real times
 * relative to Date.now() and bounded polls.
 */
import { evictDurableObject, runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import type { AuctionObject } from "../../../src/distributions/auction/object";
import { type AuctionLog, verifyAuction } from "../../../src/distributions/auction/verify";
import { claim, validate } from "../../support/admissions";
import {
	allBids,
	bid,
	buyNow,
	closeSoon,
	createAuction,
	logOf,
	type MerchantBid,
	openAuction,
	publicState,
	statusOf,
	waitLog,
} from "../../support/auction";
import { storedTimes } from "../../support/distributions";
import { eventsOf, waitEvents } from "../../support/events";
import { call, guest, guests, type Shopper, tenant } from "../../support/helpers";
import { alarmOf, auctionStub, dropAlarm, transitionsOf } from "../../support/objects";
import { mulberry32 } from "../../support/random";
import { isoInstant, isoSeconds, sleep, sleepUntil, waitFor } from "../../support/time";

/** Key of an accepted bid as the merchant list shows it: consumer, amount and the maximum the rules read. */
const bidKey = (consumerId: string, amount: number, maxAmount: number | null) =>
	`${consumerId}|${amount}|${maxAmount ?? amount}`;

function multiset(keys: string[]) {
	const m = new Map<string, number>();
	for (const k of keys) m.set(k, (m.get(k) ?? 0) + 1);
	return [...m.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}

const explicitBids = (rows: MerchantBid[]) => rows.filter((r) => r.kind === "bid" || r.kind === "buy_now");

/** A bid key without its maximum: what the merchant list shows before settlement (maxima sealed). */
const placedKey = (key: string) => key.split("|").slice(0, 2).join("|");

/** Before settlement the merchant sees no maximum and no hash (which commits to the maxima). */
/** Maxima sealed; the hash shown (it covers a salted commitment to the maximum, not the maximum). */
function expectSealed(rows: MerchantBid[]) {
	for (const r of rows) {
		expect({ seq: r.seq, maxAmount: r.maxAmount }).toEqual({ seq: r.seq, maxAmount: null });
		expect(r.hash).toMatch(/^[0-9a-f]{64}$/);
	}
}

describe("public state and bids", () => {
	it("public state: price, bid count, next minimum, reserveMet without the reserve, buy-now, times", async () => {
		const t = await tenant();
		// The reserve is a distinctive amount, so any leak of it is easy to spot.
		const a = await openAuction(t, { startingBid: 10, minimumIncrement: 1, reservePrice: 77.77, buyNowPrice: 150 });
		const [alice, bob, carol] = await guests(t, 3);
		const noReserve = (res: { text: string; json: any }) => {
			expect(res.text).not.toContain("77.77");
			// As a number (minor units): hashes, tokens and tickets may contain the digits by chance.
			expect(res.text).not.toMatch(/(?<![\w-])7777(?![\w-])/);
			expect(Object.keys(res.json ?? {}).filter((k) => /reserve/i.test(k) && k !== "reserveMet")).toEqual([]);
		};

		const s0 = await publicState(t, a.id);
		expect(s0.status, s0.text).toBe(200);
		expect(s0.json).toEqual({
			auctionId: a.id,
			status: "OPEN",
			currentPrice: null,
			bidCount: 0,
			minimumNextBid: 10,
			reserveMet: false,
			buyNowPrice: 150,
			closeAt: isoInstant(a.closeAtMs),
			settleAt: isoInstant(a.settleAtMs),
			// No bid, no chain: no head yet.
			head: null,
		});
		noReserve(s0);

		const none = await statusOf(t, a.id, carol);
		expect(none).toMatchObject({ consumerId: carol.consumerId, status: "NOT_BID", yourMaximum: null });

		// First bid below startingBid.
		const tooLow0 = await bid(t, a.id, alice, 9.99);
		expect(tooLow0.status, tooLow0.text).toBe(409);
		expect(tooLow0.json.title).toBe("Bid too low");
		expect(tooLow0.json.detail).toContain("10");
		noReserve(tooLow0);

		const b1 = await bid(t, a.id, alice, 12);
		expect(b1.status, b1.text).toBe(200);
		expect(b1.json).toMatchObject({
			consumerId: alice.consumerId,
			status: "BIDDING",
			yourMaximum: 12,
			currentPrice: 12,
			minimumNextBid: 13,
		});
		noReserve(b1);

		const tooLow = await bid(t, a.id, bob, 12.5);
		expect(tooLow.status, tooLow.text).toBe(409);
		expect(tooLow.headers.get("Content-Type")).toContain("application/problem+json");
		expect(tooLow.json.title).toBe("Bid too low");
		expect(tooLow.json.detail).toContain("13");
		noReserve(tooLow);

		const b2 = await bid(t, a.id, bob, 20, 40);
		expect(b2.status, b2.text).toBe(200);
		expect(b2.json).toMatchObject({ status: "BIDDING", yourMaximum: 40, currentPrice: 20, minimumNextBid: 21 });
		noReserve(b2);
		expect((await statusOf(t, a.id, alice)).status).toBe("OUTBID");

		// alice bids 30 against bob's maximum of 40: bob stays ahead by proxy at 31.
		const b3 = await bid(t, a.id, alice, 30);
		expect(b3.status, b3.text).toBe(200);
		expect(b3.json).toMatchObject({ status: "OUTBID", yourMaximum: 30, currentPrice: 31, minimumNextBid: 32 });
		const s1 = await publicState(t, a.id);
		expect(s1.json).toMatchObject({
			status: "OPEN",
			currentPrice: 31,
			bidCount: 3,
			minimumNextBid: 32,
			reserveMet: false,
			buyNowPrice: 150,
		});
		noReserve(s1);
		for (const who of [alice, bob, carol]) {
			const own = await statusOf(t, a.id, who);
			noReserve({ text: JSON.stringify(own), json: own });
		}
		const bobState = await statusOf(t, a.id, bob);
		expect(bobState).toMatchObject({ status: "BIDDING", yourMaximum: 40, currentPrice: 31 });
		expect(JSON.stringify(bobState)).not.toContain("77.77");

		// alice's maximum of 90 passes the reserve: the price jumps to it and she is WINNING.
		const b4 = await bid(t, a.id, alice, 45, 90);
		expect(b4.status, b4.text).toBe(200);
		expect(b4.json).toMatchObject({ status: "WINNING", yourMaximum: 90 });
		const s2 = await publicState(t, a.id);
		expect(s2.json).toMatchObject({ reserveMet: true, bidCount: 4, buyNowPrice: 150 });
		expect(s2.json.currentPrice).toBe(b4.json.currentPrice);
		expect(s2.json.minimumNextBid).toBe(s2.json.currentPrice + 1);
		expect((await statusOf(t, a.id, bob)).status).toBe("OUTBID");
		expect((await statusOf(t, a.id, carol)).status).toBe("NOT_BID");
	});

	it("refuses malformed bids: 400 for bad amounts, 401 without a token", async () => {
		const t = await tenant();
		const a = await openAuction(t);
		const alice = await guest(t);
		for (const body of [{ amount: -1 }, { amount: 12.345 }, { amount: 20, maxAmount: 15 }, {}, { amount: "20" }]) {
			const res = await call(`/consumer/v1/auctions/${a.id}/bids`, {
				key: alice.accessToken,
				headers: { "X-Publishable-Key": t.publishableKey },
				body,
			});
			expect(res.status, `${JSON.stringify(body)} → ${res.text}`).toBe(400);
		}
		const malformed = await call(`/consumer/v1/auctions/${a.id}/bids`, {
			key: alice.accessToken,
			headers: { "X-Publishable-Key": t.publishableKey, "Content-Type": "application/json" },
			raw: "{not json",
		});
		expect(malformed.status).toBe(400);
		const noToken = await call(`/consumer/v1/auctions/${a.id}/bids`, {
			headers: { "X-Publishable-Key": t.publishableKey },
			body: { amount: 20 },
		});
		expect(noToken.status).toBe(401);
		expect((await publicState(t, a.id)).json.bidCount).toBe(0);
	});

	it("409 Auction not open before openAt, Auction closed after closeAt; the log is 409 until settled", async () => {
		const t = await tenant();
		const now = Date.now();
		const scheduled = await createAuction(t, { openAt: now + 60_000, closeAt: now + 120_000, settleAt: now + 120_000 });
		const closed = await createAuction(t, { openAt: now - 10_000, closeAt: now - 2000, settleAt: now + 60_000 });
		const alice = await guest(t);

		const early = await bid(t, scheduled.id, alice, 20);
		expect(early.status, early.text).toBe(409);
		expect(early.json.title).toBe("Auction not open");
		expect((await publicState(t, scheduled.id)).json.status).toBe("SCHEDULED");

		const late = await bid(t, closed.id, alice, 20);
		expect(late.status, late.text).toBe(409);
		expect(late.json.title).toBe("Auction closed");
		expect((await publicState(t, closed.id)).json.status).toBe("CLOSED");

		// The log is readable at any time: before any bid it has no genesis and no entries.
		for (const id of [scheduled.id, closed.id]) {
			const log = await logOf(t, id);
			expect(log.status, log.text).toBe(200);
			expect(log.json).toMatchObject({ genesis: null, genesisHash: null, head: null, entries: [] });
			expect(log.json.rules).toBeUndefined();
		}
		expect((await statusOf(t, closed.id, alice)).status).toBe("NOT_BID");
	});

	it("buy-now without a buyNowPrice is 409 Buy now unavailable", async () => {
		const t = await tenant();
		const a = await openAuction(t, { startingBid: 10, minimumIncrement: 1 });
		const alice = await guest(t);
		const res = await buyNow(t, a.id, alice);
		expect(res.status, res.text).toBe(409);
		expect(res.json.title).toBe("Buy now unavailable");
		expect((await publicState(t, a.id)).json).toMatchObject({ status: "OPEN", bidCount: 0, buyNowPrice: null });
	});

	it("once proxy bidding has carried the price past buyNowPrice, a higher bid is accepted as an ordinary bid", async () => {
		const t = await tenant();
		const a = await openAuction(t, { startingBid: 10, minimumIncrement: 1, buyNowPrice: 50 });
		const [alice, bob, carol] = await guests(t, 3);
		expect((await bid(t, a.id, alice, 10, 90)).status).toBe(200);
		expect((await bid(t, a.id, bob, 40, 60)).status).toBe(200);
		const s = await publicState(t, a.id);
		expect(s.json).toMatchObject({ currentPrice: 61, minimumNextBid: 62, buyNowPrice: null, status: "OPEN" });
		// 62 is the minimum next bid; buy-now is over, so it must count as an ordinary bid.
		const res = await bid(t, a.id, carol, 62);
		expect(res.status, res.text).toBe(200);
	});
});

describe("concurrency", () => {
	it("300 concurrent bids from 30 bidders: the published log replays to the final leader and price, no bid lost", async () => {
		const t = await tenant();
		const a = await openAuction(t, { startingBid: 10, minimumIncrement: 1, reservePrice: 40 });
		const bidders = await guests(t, 30);
		const rnd = mulberry32(20240601);
		const requests = Array.from({ length: 300 }, (_, i) => {
			const who = bidders[Math.floor(rnd() * bidders.length)];
			// Around a rising minimum, in cents, so arrival order decides many of them.
			const amount = Math.max(1, Math.round((10 + i * 1.5 + (rnd() * 6 - 3)) * 100) / 100);
			const maxAmount = rnd() < 0.3 ? Math.round((amount + rnd() * 6) * 100) / 100 : undefined;
			return { who, amount, maxAmount };
		});
		const replies = await Promise.all(requests.map((r) => bid(t, a.id, r.who, r.amount, r.maxAmount)));

		const acceptedKeys: string[] = [];
		for (const [i, res] of replies.entries()) {
			const r = requests[i];
			if (res.status === 200) {
				acceptedKeys.push(bidKey(r.who.consumerId, r.amount, r.maxAmount ?? null));
				expect(res.json.consumerId).toBe(r.who.consumerId);
				expect(["BIDDING", "WINNING", "OUTBID"]).toContain(res.json.status);
				continue;
			}
			expect(res.status, `request ${i} ${JSON.stringify(r.amount)} → ${res.text}`).toBe(409);
			expect(res.json.title).toBe("Bid too low");
			const minimum = Number(/minimum next bid is (\d+(?:\.\d+)?)/.exec(res.json.detail)?.[1]);
			expect(r.amount, res.json.detail).toBeLessThan(minimum);
		}
		expect(acceptedKeys.length).toBeGreaterThan(30);
		expect(acceptedKeys.length).toBeLessThan(300);

		const before = await publicState(t, a.id);
		expect(before.json.bidCount).toBe(acceptedKeys.length);

		// Every 200 is in the merchant's list, once; nothing else is (maxima sealed until settled).
		const open = await allBids(t, a.id);
		expectSealed(open);
		expect(multiset(explicitBids(open).map((r) => `${r.consumerId}|${r.amount}`))).toEqual(
			multiset(acceptedKeys.map(placedKey)),
		);

		await closeSoon(t, a.id);
		const log = await waitLog(t, a.id);
		// Settled: the same list, now with every maximum.
		const rows = await allBids(t, a.id);
		expect(rows.map((r) => ({ ...r, maxAmount: null }))).toEqual(open);
		const explicit = explicitBids(rows);
		expect(explicit.length).toBe(acceptedKeys.length);
		expect(multiset(explicit.map((r) => bidKey(r.consumerId, r.amount, r.maxAmount)))).toEqual(multiset(acceptedKeys));
		expect(new Set(rows.map((r) => r.seq)).size).toBe(rows.length);
		const result = verifyAuction(log);
		expect(result.problems).toEqual([]);
		expect(result.ok).toBe(true);
		// The log also holds closeSoon's time change (a "times" entry), which the bid list does not.
		expect(log.entries.filter((e) => e.kind !== "times").length).toBe(rows.length);
		expect(log.entries.filter((e) => e.kind === "times").map((e) => e.cause)).toEqual(["merchant"]);
		expect(result.replayed.bidCount).toBe(acceptedKeys.length);
		// The final leader and price are those of a sequential replay.
		expect(log.finalPrice).toBe(result.replayed.price);
		expect(log.winner).toBe(result.replayed.leader?.id);
		const after = await publicState(t, a.id);
		expect(after.json.status).toBe("SETTLED");
		expect(Math.round(after.json.currentPrice * 100)).toBe(log.finalPrice);
		expect(after.json.currentPrice).toBe(before.json.currentPrice);
		// Pseudonymous: no consumer id in the public log.
		expect(JSON.stringify(log)).not.toContain("con_");

		// The winner (by pseudonym → consumer in the merchant list) is WON at the final price; every other bidder LOST.
		const winnerId = rows.find((r) => r.bidder === log.winner)?.consumerId;
		expect(winnerId).toBeDefined();
		const winner = bidders.find((b) => b.consumerId === winnerId) as Shopper;
		const won = await statusOf(t, a.id, winner);
		expect(won).toMatchObject({ status: "WON", finalPrice: after.json.currentPrice });
		expect(typeof won.admissionToken).toBe("string");
		const didBid = new Set(explicit.map((r) => r.consumerId));
		for (const b of bidders.filter((x) => x.consumerId !== winnerId).slice(0, 10)) {
			expect((await statusOf(t, a.id, b)).status).toBe(didBid.has(b.consumerId) ? "LOST" : "NOT_BID");
		}

		// The winner's grant validates and completes once.
		const v = await validate(t, won.admissionToken);
		expect(v.status, v.text).toBe(200);
		expect(v.json).toMatchObject({ valid: true, consumerId: winnerId, distributionId: a.id });
		const c1 = await claim(t, won.admissionToken);
		expect(c1.status, c1.text).toBe(200);
		expect(c1.json).toMatchObject({ completed: true, consumerId: winnerId, distributionId: a.id });
		const c2 = await claim(t, won.admissionToken, "ord_second");
		expect(c2.status, c2.text).toBe(409);
		expect((await validate(t, won.admissionToken)).json).toMatchObject({ valid: false, reason: "used" });
	});

	it("buy-now racing bids: exactly one winner, the auction settles at once, later bids 409", async () => {
		const t = await tenant();
		const a = await openAuction(t, { startingBid: 10, minimumIncrement: 1, reservePrice: 40, buyNowPrice: 100 });
		const early = await guest(t);
		expect((await bid(t, a.id, early, 20)).status).toBe(200);
		const buyers = await guests(t, 5);
		const highBidders = await guests(t, 5);
		const lowBidders = await guests(t, 20);
		const rnd = mulberry32(7);
		const calls = [
			...buyers.map((s) => ({ s, kind: "buy" as const, go: () => buyNow(t, a.id, s) })),
			...highBidders.map((s, i) => ({ s, kind: "buy" as const, go: () => bid(t, a.id, s, 100 + i * 10) })),
			...lowBidders.map((s) => ({ s, kind: "low" as const, go: () => bid(t, a.id, s, 21 + Math.floor(rnd() * 70)) })),
		];
		// Interleave the kinds so none gets a head start.
		calls.sort(() => rnd() - 0.5);
		const replies = await Promise.all(calls.map((c) => c.go()));

		const wins = replies.map((r, i) => ({ r, c: calls[i] })).filter(({ r, c }) => c.kind === "buy" && r.status === 200);
		expect(wins.length, JSON.stringify(replies.map((r) => r.status))).toBe(1);
		const winner = wins[0].c.s;
		for (const [i, r] of replies.entries()) {
			if (calls[i].kind === "buy" && r.status !== 200) {
				expect(r.status, r.text).toBe(409);
				expect(r.json.title).toBe("Auction closed");
			}
			if (calls[i].kind === "low" && r.status !== 200) {
				expect(r.status, r.text).toBe(409);
				expect(["Bid too low", "Auction closed"]).toContain(r.json.title);
			}
		}

		const state = await waitFor(
			"SETTLED",
			() => publicState(t, a.id),
			(s) => s.json.status === "SETTLED",
		);
		expect(state.json).toMatchObject({ currentPrice: 100, buyNowPrice: null, reserveMet: true });
		const won = await statusOf(t, a.id, winner);
		expect(won).toMatchObject({ status: "WON", finalPrice: 100 });
		expect(typeof won.admissionToken).toBe("string");
		expect((await statusOf(t, a.id, early)).status).toBe("LOST");

		const later = await bid(t, a.id, early, 500);
		expect(later.status, later.text).toBe(409);
		expect(later.json.title).toBe("Auction closed");
		const laterBuy = await buyNow(t, a.id, early);
		expect(laterBuy.status, laterBuy.text).toBe(409);

		const rows = await allBids(t, a.id);
		const buys = rows.filter((r) => r.kind === "buy_now");
		expect(buys).toHaveLength(1);
		expect(buys[0]).toMatchObject({ consumerId: winner.consumerId, amount: 100 });
		expect(rows[0].kind).toBe("buy_now"); // newest first: nothing after it
		const acceptedLow = replies.filter((r, i) => calls[i].kind === "low" && r.status === 200).length;
		expect(explicitBids(rows)).toHaveLength(1 + acceptedLow + 1);

		const log = (await logOf(t, a.id)).json as AuctionLog;
		expect(verifyAuction(log).problems).toEqual([]);
		expect(log.winner).toBe(buys[0].bidder);
		expect(log.finalPrice).toBe(10000);

		await waitFor(
			"D1 status SETTLED",
			() => storedTimes(a.id),
			(s) => s.status === "SETTLED",
		);
		const settled = await waitEvents(t, a.id, "auction.settled");
		await sleep(1300);
		expect(await eventsOf(t, a.id, "auction.settled")).toHaveLength(1);
		expect(settled[0].data.object.status).toBe("SETTLED");

		const v = await validate(t, won.admissionToken);
		expect(v.json).toMatchObject({ valid: true, consumerId: winner.consumerId });
		expect((await claim(t, won.admissionToken)).status).toBe(200);
		expect((await claim(t, won.admissionToken)).status).toBe(409);
	});

	it("eviction mid-auction loses no accepted bid", async () => {
		const t = await tenant();
		const a = await openAuction(t, { startingBid: 10, minimumIncrement: 1 });
		const shoppers = await guests(t, 6);
		const accepted: string[] = [];
		const place = async (s: Shopper, amount: number, max?: number) => {
			const res = await bid(t, a.id, s, amount, max);
			if (res.status === 200) accepted.push(bidKey(s.consumerId, amount, max ?? null));
			return res;
		};
		expect((await place(shoppers[0], 10, 30)).status).toBe(200);
		expect((await place(shoppers[1], 15)).status).toBe(200);
		expect((await place(shoppers[2], 40)).status).toBe(200);
		const before = (await publicState(t, a.id)).json;

		await evictDurableObject(auctionStub(a.id));
		const after = (await publicState(t, a.id)).json;
		expect(after).toEqual(before);
		expect((await statusOf(t, a.id, shoppers[2])).status).toBe("WINNING");
		// The minimum is honoured from the stored state: 40 + 1.
		expect((await bid(t, a.id, shoppers[3], 40.5)).status).toBe(409);
		expect((await place(shoppers[3], 41)).status).toBe(200);

		// Evict while concurrent bids are in flight: every 200 must survive.
		const inflight = Array.from({ length: 24 }, (_, i) => place(shoppers[i % 6], 42 + i));
		// (evictDurableObject needs the object running: a read wakes it among the bids.)
		await publicState(t, a.id);
		await evictDurableObject(auctionStub(a.id));
		const replies = await Promise.all(inflight);
		for (const r of replies) expect([200, 409, 500, 503], r.text).toContain(r.status);
		expect(replies.some((r) => r.status === 200)).toBe(true);
		await publicState(t, a.id);
		await evictDurableObject(auctionStub(a.id));

		const open = await allBids(t, a.id);
		expectSealed(open);
		expect((await publicState(t, a.id)).json.bidCount).toBe(explicitBids(open).length);

		await closeSoon(t, a.id);
		const log = await waitLog(t, a.id);
		expect(verifyAuction(log).problems).toEqual([]);
		expect(log.entries.filter((e) => e.kind !== "times").length).toBe(open.length);
		// Settled, the list shows the maxima: every accepted bid is there with its own.
		const rows = await allBids(t, a.id);
		expect(rows.map((r) => r.seq)).toEqual(open.map((r) => r.seq));
		const listed = multiset(explicitBids(rows).map((r) => bidKey(r.consumerId, r.amount, r.maxAmount)));
		for (const [key, n] of multiset(accepted)) {
			expect(listed.find(([k]) => k === key)?.[1] ?? 0, `accepted bid ${key}`).toBeGreaterThanOrEqual(n);
		}
	});

	it("an idempotency key makes a bid count at most once", async () => {
		const t = await tenant();
		const a = await openAuction(t, { startingBid: 10, minimumIncrement: 1 });
		const [alice, bob, carol] = await guests(t, 3);
		const key = (k: string) => ({ "X-Idempotency-Key": k });

		const first = await bid(t, a.id, alice, 20, undefined, key("bid-1"));
		expect(first.status, first.text).toBe(200);
		const again = await bid(t, a.id, alice, 20, undefined, key("bid-1"));
		expect(again.status, again.text).toBe(200);
		expect(again.json).toMatchObject({ consumerId: alice.consumerId, status: "WINNING", yourMaximum: 20 });

		// Five concurrent retries of one bid.
		const retries = await Promise.all(Array.from({ length: 5 }, () => bid(t, a.id, bob, 25, undefined, key("bid-2"))));
		for (const r of retries) expect(r.status, r.text).toBe(200);
		// The same key with another amount is not a second bid either.
		const changed = await bid(t, a.id, bob, 40, undefined, key("bid-2"));
		expect(changed.status).not.toBe(500);
		// Idempotency-Key works too.
		expect((await bid(t, a.id, carol, 30, undefined, { "Idempotency-Key": "c-1" })).status).toBe(200);
		expect((await bid(t, a.id, carol, 30, undefined, { "Idempotency-Key": "c-1" })).status).toBe(200);

		const rows = explicitBids(await allBids(t, a.id));
		expect(rows.filter((r) => r.consumerId === alice.consumerId)).toHaveLength(1);
		expect(rows.filter((r) => r.consumerId === bob.consumerId)).toHaveLength(1);
		expect(rows.filter((r) => r.consumerId === carol.consumerId)).toHaveLength(1);
		expect((await publicState(t, a.id)).json.bidCount).toBe(3);

		// A refused bid does not use up its key.
		const low = await bid(t, a.id, alice, 11, undefined, key("bid-3"));
		expect(low.status).toBe(409);
		expect((await bid(t, a.id, alice, 50, undefined, key("bid-3"))).status).toBe(200);
		expect((await publicState(t, a.id)).json.bidCount).toBe(4);
	});

	it("DESIGN.md idempotency convention on a bid: a replay says Idempotent-Replayed, the same key with another body is 422", async () => {
		const t = await tenant();
		const a = await openAuction(t, { startingBid: 10, minimumIncrement: 1 });
		const alice = await guest(t);
		const key = { "X-Idempotency-Key": "same-key" };
		expect((await bid(t, a.id, alice, 20, undefined, key)).status).toBe(200);
		const replay = await bid(t, a.id, alice, 20, undefined, key);
		expect(replay.status).toBe(200);
		// The bid was not placed twice either way.
		const other = await bid(t, a.id, alice, 40, undefined, key);
		expect(explicitBids(await allBids(t, a.id))).toHaveLength(1);
		expect.soft(replay.headers.get("Idempotent-Replayed"), "replay header").toBe("true");
		expect.soft(other.status, `same key, other amount → ${other.status} ${other.text}`).toBe(422);
	});
});

describe("soft close", () => {
	it("a leader-changing bid in the last softCloseSeconds extends closeAt (and settleAt), capped at maxExtensionSeconds", async () => {
		const t = await tenant();
		const [alice, bob, carol] = await guests(t, 3);
		const t0 = Date.now();
		const original = t0 + 3000;
		const cap = original + 3000;
		const a = await createAuction(
			t,
			{ openAt: t0 - 1000, closeAt: original, settleAt: original },
			{ startingBid: 10, minimumIncrement: 1, softCloseSeconds: 2, maxExtensionSeconds: 3 },
		);
		const closeNow = async () => (await storedTimes(a.id)).closeAt as number;

		// Outside the window (it starts at original - 2 s): no extension.
		expect((await bid(t, a.id, alice, 10, 100)).status).toBe(200);
		expect(Date.now()).toBeLessThan(original - 2000);
		expect(await closeNow()).toBe(original);

		await sleepUntil(t0 + 1300);
		// Inside the window, but the leader stays (alice's maximum): no extension.
		const proxied = await bid(t, a.id, bob, 20);
		expect(proxied.status).toBe(200);
		expect(proxied.json.status).toBe("OUTBID");
		// Inside the window, refused: no extension.
		expect((await bid(t, a.id, carol, 5)).status).toBe(409);
		expect(await closeNow()).toBe(original);
		expect((await storedTimes(a.id)).settleAt).toBe(original);

		// bob takes the lead: closeAt = now + 2 s.
		const before1 = Date.now();
		expect((await bid(t, a.id, bob, 150)).status).toBe(200);
		const after1 = Date.now();
		const close1 = await closeNow();
		expect(close1).toBeGreaterThanOrEqual(before1 + 2000);
		expect(close1).toBeLessThanOrEqual(after1 + 2000);
		expect((await storedTimes(a.id)).settleAt).toBe(close1);
		const merchant = await call(`/api/v1/auctions/${a.id}`, { key: t.secretKey });
		expect(merchant.json.closeAt).toBe(isoInstant(close1));
		expect(merchant.json.settleAt).toBe(isoInstant(close1));
		expect((await publicState(t, a.id)).json.closeAt).toBe(isoInstant(close1));

		// Past the original close, still OPEN thanks to the extension.
		await sleepUntil(original + 150);
		expect(Date.now()).toBeLessThan(close1);
		expect((await publicState(t, a.id)).json.status).toBe("OPEN");
		const before2 = Date.now();
		expect((await bid(t, a.id, alice, 160, 300)).status).toBe(200);
		const close2 = await closeNow();
		expect(close2).toBeGreaterThanOrEqual(before2 + 2000);
		expect(close2).toBeLessThanOrEqual(cap);

		// A refused bid in the window changes nothing.
		expect((await bid(t, a.id, carol, 100)).status).toBe(409);
		expect(await closeNow()).toBe(close2);

		// This one would extend past the cap: closeAt stops at original + maxExtensionSeconds.
		await sleepUntil(t0 + 4300);
		expect((await bid(t, a.id, bob, 310)).status).toBe(200);
		expect(await closeNow()).toBe(cap);
		expect((await storedTimes(a.id)).settleAt).toBe(cap);

		// At the cap, another leader change does not extend.
		await sleepUntil(t0 + 5000);
		expect((await bid(t, a.id, alice, 320)).status).toBe(200);
		expect(await closeNow()).toBe(cap);
		expect((await call(`/api/v1/auctions/${a.id}`, { key: t.secretKey })).json.closeAt).toBe(isoInstant(cap));

		await sleepUntil(cap + 50);
		const late = await bid(t, a.id, carol, 1000);
		expect(late.status, late.text).toBe(409);
		expect(late.json.title).toBe("Auction closed");

		const log = await waitLog(t, a.id);
		expect(verifyAuction(log).problems).toEqual([]);
		expect(log.finalPrice).toBe(32000);
		const won = await statusOf(t, a.id, alice);
		expect(won).toMatchObject({ status: "WON", finalPrice: 320 });
		expect((await statusOf(t, a.id, bob)).status).toBe("LOST");

		// Events: 6 accepted bids, 3 extensions, 4 outbids, settled once.
		const extended = await waitEvents(t, a.id, "auction.extended", 3);
		await waitEvents(t, a.id, "auction.settled", 1);
		await waitEvents(t, a.id, "auction.bid.placed", 6);
		const outbid = await waitEvents(t, a.id, "auction.outbid", 4);
		await sleep(1300);
		expect(await eventsOf(t, a.id, "auction.extended")).toHaveLength(3);
		expect(await eventsOf(t, a.id, "auction.bid.placed")).toHaveLength(6);
		expect(await eventsOf(t, a.id, "auction.outbid")).toHaveLength(4);
		expect(await eventsOf(t, a.id, "auction.settled")).toHaveLength(1);
		expect(extended.map((e) => e.data.closeAt).sort()).toEqual(
			[isoInstant(close1), isoInstant(close2), isoInstant(cap)].sort(),
		);
		expect(new Set(outbid.map((e) => e.data.consumerId))).toEqual(new Set([alice.consumerId, bob.consumerId]));
		expect((await storedTimes(a.id)).status).toBe("SETTLED");
	});

	it("an extension bumps updatedAt in D1 and the API", async () => {
		const t = await tenant();
		const [alice] = await guests(t, 1);
		const t0 = Date.now();
		const a = await createAuction(
			t,
			{ openAt: t0 - 1000, closeAt: t0 + 4000, settleAt: t0 + 4000 },
			{ startingBid: 10, minimumIncrement: 1, softCloseSeconds: 3 },
		);
		const before = await storedTimes(a.id);
		await sleep(1100);
		expect((await bid(t, a.id, alice, 10)).status).toBe(200);
		const after = await storedTimes(a.id);
		expect(after.closeAt, "extended").toBeGreaterThan(t0 + 4000);
		expect(after.updatedAt as number).toBeGreaterThan(before.updatedAt as number);
		const got = await call(`/api/v1/auctions/${a.id}`, { key: t.secretKey });
		expect(got.json.updatedAt).toBe(isoSeconds(after.updatedAt as number));
		expect(got.json.updatedAt).not.toBe(a.updatedAt);
	});

	it("settleAt later than the extended close stays put; a buy-now in the window ends it now, without extending", async () => {
		const t = await tenant();
		const [alice, bob] = await guests(t, 2);
		const t0 = Date.now();
		const a = await createAuction(
			t,
			{ openAt: t0 - 1000, closeAt: t0 + 1500, settleAt: t0 + 30_000 },
			{ startingBid: 10, minimumIncrement: 1, softCloseSeconds: 2, maxExtensionSeconds: 3, buyNowPrice: 100 },
		);
		expect((await bid(t, a.id, alice, 10)).status).toBe(200);
		const extended = await storedTimes(a.id);
		expect(extended.closeAt, "closeAt extended by the first bid").toBeGreaterThan(t0 + 1500);
		expect(extended.settleAt, "settleAt after the extended close stays put").toBe(t0 + 30_000);

		const buyFrom = Date.now();
		const bought = await buyNow(t, a.id, bob);
		const buyTo = Date.now();
		expect(bought.status, bought.text).toBe(200);
		expect(bought.json.status).toBe("WON");
		// The auction ended now: closeAt and settleAt say when (no extension), in D1 and in the API.
		const after = await storedTimes(a.id);
		expect(after.closeAt, "closeAt after buy-now").toBeGreaterThanOrEqual(buyFrom);
		expect(after.closeAt, "closeAt after buy-now").toBeLessThanOrEqual(buyTo);
		expect(after.settleAt, "settleAt after buy-now").toBe(after.closeAt);
		const got = await call(`/api/v1/auctions/${a.id}`, { key: t.secretKey });
		expect(got.json).toMatchObject({
			status: "SETTLED",
			closeAt: isoInstant(after.closeAt as number),
			settleAt: isoInstant(after.closeAt as number),
			winnerConsumerId: bob.consumerId,
			finalPrice: 100,
		});
		// Waited for (the alarm delivers it, later on a loaded machine), then long enough for a second to show.
		await waitEvents(t, a.id, "auction.extended", 1, 10_000);
		await sleep(1300);
		expect(await eventsOf(t, a.id, "auction.extended")).toHaveLength(1);
	});
});

describe("settlement", () => {
	it("reserve not met: SETTLED with no winner, bidders LOST, log winner null", async () => {
		const t = await tenant();
		const [alice, bob, carol] = await guests(t, 3);
		const a = await openAuction(t, { startingBid: 10, minimumIncrement: 1, reservePrice: 50 }, 1500);
		expect((await bid(t, a.id, alice, 20)).status).toBe(200);
		expect((await bid(t, a.id, bob, 25, 30)).status).toBe(200);
		expect((await statusOf(t, a.id, bob)).status).toBe("BIDDING");

		const log = await waitLog(t, a.id);
		expect(verifyAuction(log).problems).toEqual([]);
		// bob leads with his explicit 25 (max 30) over alice's 20: the price is bob's own bid.
		expect(log).toMatchObject({ winner: null, reserveMet: false, finalPrice: 2500 });
		expect(log.rules?.reservePrice).toBe(5000);
		for (const who of [alice, bob]) {
			const s = await statusOf(t, a.id, who);
			expect(s.status).toBe("LOST");
			expect(s.admissionToken).toBeUndefined();
		}
		expect((await statusOf(t, a.id, carol)).status).toBe("NOT_BID");
		expect((await publicState(t, a.id)).json).toMatchObject({ status: "SETTLED", reserveMet: false });
		await waitEvents(t, a.id, "auction.settled");
		await sleep(1300);
		expect(await eventsOf(t, a.id, "auction.consumer.won")).toHaveLength(0);
	});

	it("a late alarm: once settleAt has passed, the log is published even before the alarm runs", async () => {
		const t = await tenant();
		const alice = await guest(t);
		const a = await openAuction(t, { startingBid: 10, minimumIncrement: 1 }, 1000);
		expect((await bid(t, a.id, alice, 20)).status).toBe(200);
		// The bid's event is sent by an alarm due at once, which then re-arms at the close: that
		// is the alarm made late here (deleted; the next request that re-arms it would bring it back).
		const stub = auctionStub(a.id);
		await waitFor(
			"the alarm re-armed in the future",
			() => alarmOf(stub),
			(at) => at !== null && at > Date.now(),
		);
		await dropAlarm(stub);
		await sleepUntil(a.settleAtMs + 300);
		// Nothing has run the settle transition yet: no alarm, and nobody asked for a bidder's status.
		const pending = {
			alarm: await alarmOf(auctionStub(a.id)),
			settled: (await transitionsOf(auctionStub(a.id))).filter((r) => r.status === "SETTLED").length,
		};
		expect(pending).toEqual({ alarm: null, settled: 0 });
		expect((await publicState(t, a.id)).json.status).toBe("SETTLED");
		const log = await logOf(t, a.id);
		expect(log.status, `GET /log with a late alarm → ${log.text}`).toBe(200);
		expect(log.json.winner).toMatch(/^bidder_/);
	});

	it("settlement runs once even if the alarm fires twice", async () => {
		const t = await tenant();
		const [alice, bob] = await guests(t, 2);
		const a = await openAuction(t, { startingBid: 10, minimumIncrement: 1, claimWindowSeconds: 120 }, 1200);
		expect((await bid(t, a.id, alice, 20, 50)).status).toBe(200);
		expect((await bid(t, a.id, bob, 30)).status).toBe(200);
		await sleepUntil(a.settleAtMs + 20);

		const stub = auctionStub(a.id);
		// Two alarm runs back to back (plus whatever the runtime fires on its own).
		await runInDurableObject(stub, async (instance: AuctionObject) => {
			await Promise.all([instance.alarm(), instance.alarm()]);
		});
		const first = await statusOf(t, a.id, alice);
		expect(first).toMatchObject({ status: "WON", finalPrice: 31 });
		// The grant lasts claimWindowSeconds from settlement.
		const claimBy = Date.parse(first.claimBy);
		expect(claimBy).toBeGreaterThanOrEqual(Math.floor(a.settleAtMs / 1000) * 1000 + 119_000);
		expect(claimBy).toBeLessThanOrEqual(Date.now() + 120_000);
		expect((await validate(t, first.admissionToken)).json).toMatchObject({ valid: true, expiresAt: first.claimBy });
		await runInDurableObject(stub, (instance: AuctionObject) => instance.alarm());
		await runDurableObjectAlarm(stub);
		const second = await statusOf(t, a.id, alice);
		expect(second).toEqual(first);
		expect((await statusOf(t, a.id, bob)).status).toBe("LOST");

		const transitions = await transitionsOf(stub);
		expect(transitions.map((r) => r.status)).toEqual(["OPEN", "CLOSED", "SETTLED"]);

		await waitEvents(t, a.id, "auction.settled");
		await waitEvents(t, a.id, "auction.consumer.won");
		await sleep(1300);
		expect(await eventsOf(t, a.id, "auction.settled")).toHaveLength(1);
		const won = await eventsOf(t, a.id, "auction.consumer.won");
		expect(won).toHaveLength(1);
		expect(won[0].data).toMatchObject({ consumerId: alice.consumerId, price: 31 });
		const log = (await logOf(t, a.id)).json as AuctionLog;
		expect(verifyAuction(log).ok).toBe(true);
		expect(log.finalPrice).toBe(3100);
	});
});

describe("merchant bid list and tenancy", () => {
	it("GET /api/v1/auctions/:id/bids pages newest first with consumer ids; a bad cursor is 400", async () => {
		const t = await tenant();
		const a = await openAuction(t, { startingBid: 10, minimumIncrement: 1 });
		const [alice, bob, carol] = await guests(t, 3);
		const plan: [Shopper, number, number?][] = [
			[alice, 10, 50],
			[bob, 20],
			[carol, 60],
			[bob, 61, 80],
			[alice, 82],
			[carol, 90, 95],
		];
		for (const [s, amount, max] of plan) expect((await bid(t, a.id, s, amount, max)).status).toBe(200);

		const open = await allBids(t, a.id);
		expect(open.length).toBeGreaterThan(plan.length); // proxy steps too
		// While OPEN: amounts and proxy steps, no maximum and no hash (sealed until settlement).
		expectSealed(open);
		expect(
			explicitBids(open)
				.reverse()
				.map((r) => [r.consumerId, r.amount]),
		).toEqual(plan.map(([s, amount]) => [s.consumerId, amount]));
		await closeSoon(t, a.id);
		await waitLog(t, a.id);

		const all = await allBids(t, a.id);
		const seqs = all.map((r) => r.seq);
		expect(seqs).toEqual([...seqs].sort((x, y) => y - x));
		expect(seqs.at(-1)).toBe(1);
		for (const r of all) {
			expect(r.hash).toMatch(/^[0-9a-f]{64}$/);
			expect(r.bidder).toMatch(/^bidder_/);
			expect(new Date(r.placedAt).toISOString()).toBe(r.placedAt);
			if (r.kind === "proxy") expect(r.maxAmount).toBeNull();
			else expect(r.maxAmount).toBeGreaterThanOrEqual(r.amount);
		}
		expect(all.map((r) => ({ ...r, maxAmount: null }))).toEqual(open);
		// The explicit bids, oldest first, are the plan, maxima included once settled.
		expect(
			explicitBids(all)
				.reverse()
				.map((r) => [r.consumerId, r.amount, r.maxAmount]),
		).toEqual(plan.map(([s, amount, max]) => [s.consumerId, amount, max ?? amount]));
		// One pseudonym per consumer.
		const names = new Map<string, string>();
		for (const r of all) {
			expect(names.get(r.consumerId) ?? r.bidder).toBe(r.bidder);
			names.set(r.consumerId, r.bidder);
		}
		expect(new Set(names.values()).size).toBe(3);

		const paged = await allBids(t, a.id, 3);
		expect(paged).toEqual(all);

		const page1 = await call(`/api/v1/auctions/${a.id}/bids?limit=2`, { key: t.secretKey });
		expect(page1.json.data).toHaveLength(2);
		expect(typeof page1.json.nextCursor).toBe("string");
		const bad = await call(`/api/v1/auctions/${a.id}/bids?cursor=not-a-cursor`, { key: t.secretKey });
		expect(bad.status, bad.text).toBe(400);
		const tampered = await call(`/api/v1/auctions/${a.id}/bids?cursor=${page1.json.nextCursor}x`, {
			key: t.secretKey,
		});
		expect(tampered.status, tampered.text).toBe(400);
		// A cursor of another auction's list is not one of this list.
		const other = await openAuction(t);
		const foreign = await call(`/api/v1/auctions/${other.id}/bids?cursor=${page1.json.nextCursor}`, {
			key: t.secretKey,
		});
		expect(foreign.status, foreign.text).toBe(400);
		for (const limit of ["0", "101", "x"]) {
			const r = await call(`/api/v1/auctions/${a.id}/bids?limit=${limit}`, { key: t.secretKey });
			expect(r.status, `limit=${limit}`).toBe(400);
		}
		const pk = await call(`/api/v1/auctions/${a.id}/bids`, { key: t.publishableKey });
		expect(pk.status).toBe(403);
	});

	it("another organization's auction is 404 everywhere", async () => {
		const t = await tenant();
		const other = await tenant();
		const a = await openAuction(t, { startingBid: 10, minimumIncrement: 1, buyNowPrice: 100 }, 1200);
		const mine = await guest(t);
		const theirs = await guest(other);
		expect((await bid(t, a.id, mine, 10)).status).toBe(200);

		expect((await call(`/api/v1/auctions/${a.id}`, { key: other.secretKey })).status).toBe(404);
		expect((await call(`/api/v1/auctions/${a.id}/bids`, { key: other.secretKey })).status).toBe(404);
		const pub = await publicState(other, a.id);
		expect(pub.status).toBe(404);
		expect(pub.json.title).toBe("Auction not found");
		expect((await bid(other, a.id, theirs, 50)).status).toBe(404);
		expect((await buyNow(other, a.id, theirs)).status).toBe(404);
		const st = await call(`/consumer/v1/auctions/${a.id}/status`, {
			key: theirs.accessToken,
			headers: { "X-Publishable-Key": other.publishableKey },
		});
		expect(st.status).toBe(404);
		// A token of org B with org A's publishable key: 401.
		const mixed = await bid(t, a.id, theirs, 50);
		expect(mixed.status).toBe(401);
		// Unknown auction id.
		expect((await publicState(t, "auction_01J0000000000000000000000Z")).status).toBe(404);

		await waitLog(t, a.id);
		expect((await logOf(other, a.id)).status).toBe(404);
		expect((await publicState(t, a.id)).json.bidCount).toBe(1);
	});
});
