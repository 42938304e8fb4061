/**
 * The auction's live WebSocket (`GET /consumer/v1/auctions/:id/live?key=pk…`, hibernation API):
 * a `price` message (the public state) on connect, a new `price` after every accepted bid,
 * `extended` when a soft-close bid moves closeAt, `settled` with the final result (from the
 * alarm, or at once on buy-now), ping/pong, and the refusals (426 without an upgrade, 401
 * without a key, 404 for another organization's auction).
 */
import { exports } from "cloudflare:workers";
import { afterEach, describe, expect, it } from "vitest";
import type { AuctionLog } from "../../../src/distributions/auction/verify";
import { bid, buyNow, createAuction, openAuction, publicState, waitLog } from "../../support/auction";
import { BASE, call, guest, guests, type Tenant, tenant } from "../../support/helpers";
import { closeLive, connect, ofType } from "../../support/live";
import { isoSeconds } from "../../support/time";

afterEach(closeLive);

const liveUrl = (t: Tenant, auctionId: string, params: Record<string, string> = {}) =>
	`${BASE}/consumer/v1/auctions/${auctionId}/live?${new URLSearchParams({ key: t.publishableKey, ...params })}`;

describe("auction live", () => {
	it("the first message is the price (the public state), and the reserve never appears", async () => {
		const t = await tenant();
		const a = await openAuction(t, { startingBid: 10, minimumIncrement: 1, reservePrice: 77.77, buyNowPrice: 150 });
		const live = await connect(liveUrl(t, a.id));
		const first = await live.next();
		const { type, ...state } = first as Record<string, unknown>;
		expect(type).toBe("price");
		expect(state).toEqual((await publicState(t, a.id)).json);
		expect(state).toMatchObject({
			auctionId: a.id,
			status: "OPEN",
			currentPrice: null,
			bidCount: 0,
			reserveMet: false,
		});
		expect(JSON.stringify(first)).not.toContain("77.77");
		expect(JSON.stringify(first)).not.toContain("7777");
	});

	it("an accepted bid pushes a new price to every socket; a refused bid pushes nothing", async () => {
		const t = await tenant();
		const a = await openAuction(t, { startingBid: 10, minimumIncrement: 1, reservePrice: 77.77 });
		const [alice, bob] = await guests(t, 2);
		const one = await connect(liveUrl(t, a.id));
		const two = await connect(liveUrl(t, a.id, { token: alice.accessToken }));
		await one.next(ofType("price"));
		await two.next(ofType("price"));

		expect((await bid(t, a.id, alice, 12)).status).toBe(200);
		for (const live of [one, two]) {
			expect(await live.next(ofType("price"))).toMatchObject({ type: "price", currentPrice: 12, bidCount: 1 });
		}
		// Outbid by proxy: the pushed price is the proxy price.
		expect((await bid(t, a.id, bob, 20, 40)).status).toBe(200);
		expect(await one.next(ofType("price"))).toMatchObject({ currentPrice: 20, bidCount: 2, minimumNextBid: 21 });
		expect((await bid(t, a.id, alice, 30)).status).toBe(200);
		expect(await one.next(ofType("price"))).toMatchObject({ currentPrice: 31, bidCount: 3, reserveMet: false });

		const count = one.messages.length;
		expect((await bid(t, a.id, alice, 5)).status).toBe(409);
		// Probe with a ping: its pong arrives after anything the refused bid could have pushed.
		one.ws.send("ping");
		await one.next((m) => m === "pong");
		expect(one.messages.slice(count)).toEqual(["pong"]);
		for (const m of [...one.messages, ...two.messages]) expect(JSON.stringify(m)).not.toContain("77.77");
	});

	it("ping → pong; any other frame gets no reply at all (prices are pushed, never asked for)", async () => {
		const t = await tenant();
		const a = await openAuction(t);
		const live = await connect(liveUrl(t, a.id));
		await live.next(ofType("price"));
		for (const junk of ["price?", "price", '{"type":"price"}', "PING", "x".repeat(2000)]) live.ws.send(junk);
		live.ws.send(new Uint8Array([1, 2, 3]));
		live.ws.send("ping");
		expect(await live.next((m) => m === "pong")).toBe("pong");
		expect(live.messages, "only the first price and the pong").toHaveLength(2);
	});

	it("a soft-close extension pushes extended; settlement (by the alarm) pushes settled", async () => {
		const t = await tenant();
		const [alice, bob] = await guests(t, 2);
		const t0 = Date.now();
		const a = await createAuction(
			t,
			{ openAt: t0 - 1000, closeAt: t0 + 1500, settleAt: t0 + 1500 },
			{ startingBid: 10, minimumIncrement: 1, softCloseSeconds: 2, maxExtensionSeconds: 2 },
		);
		const live = await connect(liveUrl(t, a.id));
		await live.next(ofType("price"));

		// Inside the window from the start: the first leader extends closeAt to now + 2 s.
		const before = Date.now();
		expect((await bid(t, a.id, alice, 10)).status).toBe(200);
		const extended = (await live.next(ofType("extended"))) as Record<string, string>;
		expect(Date.parse(extended.closeAt)).toBeGreaterThanOrEqual(Math.floor((before + 2000) / 1000) * 1000);
		expect(Date.parse(extended.closeAt)).toBeLessThanOrEqual(t0 + 1500 + 2000);
		expect(extended.settleAt).toBe(extended.closeAt);
		const price = await live.next(ofType("price"));
		expect(price).toMatchObject({ currentPrice: 10, closeAt: extended.closeAt });

		expect((await bid(t, a.id, bob, 15)).status).toBe(200);
		await live.next(ofType("extended"));
		expect(await live.next(ofType("price"))).toMatchObject({ currentPrice: 15 });

		const settled = (await live.next(ofType("settled"), 6000)) as Record<string, unknown>;
		expect(settled).toMatchObject({ type: "settled", finalPrice: 15, reserveMet: true });
		expect(settled.winner).toMatch(/^bidder_/);
		const log: AuctionLog = await waitLog(t, a.id);
		expect(settled.winner).toBe(log.winner);
		expect(live.messages.filter(ofType("settled"))).toHaveLength(1);
		expect(Date.now()).toBeLessThan(t0 + 1500 + 2000 + 4000);
		// The stored close never passed the cap.
		const merchant = await call(`/api/v1/auctions/${a.id}`, { key: t.secretKey });
		expect(Date.parse(merchant.json.closeAt)).toBeLessThanOrEqual(Date.parse(isoSeconds(t0 + 3500)));
	});

	it("buy-now pushes settled at once", async () => {
		const t = await tenant();
		const a = await openAuction(t, { startingBid: 10, minimumIncrement: 1, buyNowPrice: 99.5 });
		const buyer = await guest(t);
		const live = await connect(liveUrl(t, a.id));
		await live.next(ofType("price"));
		expect((await buyNow(t, a.id, buyer)).status).toBe(200);
		const settled = await live.next(ofType("settled"));
		expect(settled).toMatchObject({ type: "settled", finalPrice: 99.5, reserveMet: true });
		expect(await live.next(ofType("price"))).toMatchObject({
			status: "SETTLED",
			currentPrice: 99.5,
			buyNowPrice: null,
		});
	});

	it("refusals: 426 without an upgrade, 401 without a key, 404 for another organization's auction", async () => {
		const t = await tenant();
		const other = await tenant();
		const a = await openAuction(t);

		const plain = await call(`/consumer/v1/auctions/${a.id}/live?key=${t.publishableKey}`);
		expect(plain.status, plain.text).toBe(426);
		expect(plain.headers.get("Upgrade")).toBe("websocket");

		const noKey = await exports.default.fetch(
			new Request(`${BASE}/consumer/v1/auctions/${a.id}/live`, { headers: { Upgrade: "websocket" } }),
		);
		expect(noKey.status).toBe(401);
		expect(noKey.webSocket).toBeNull();

		const foreign = await exports.default.fetch(
			new Request(liveUrl(other, a.id), { headers: { Upgrade: "websocket" } }),
		);
		expect(foreign.status).toBe(404);
		expect(foreign.webSocket).toBeNull();

		const unknown = await exports.default.fetch(
			new Request(liveUrl(t, "auction_01J0000000000000000000000Z"), { headers: { Upgrade: "websocket" } }),
		);
		expect(unknown.status).toBe(404);
	});
});
