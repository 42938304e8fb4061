/**
 * Events name their subject: every engine flow's events, delivered to the real local
 * receiver, carry distributionId and distributionType at the top level, and the consumer,
 * the distribution and the product in `data`; `auction.settled` carries the outcome.
 * Endpoint `events` are checked against the known types (a typo is a 400, nothing stored).
 */
import { describe, expect, it } from "vitest";
import { bid, buyNow, closeSoon, openAuction } from "../support/auction";
import { SNEAKER } from "../support/catalog";
import { enterAll, shortDraw, waitDrawn } from "../support/draw";
import { call, countRows, createOrg, guests, launch, type Tenant } from "../support/helpers";
import { expectProblem } from "../support/problems";
import { enter, openQueue, status } from "../support/queue";
import { orderBody, shop } from "../support/shop";
import { waitFor } from "../support/time";
import { createEndpoint, EP, hook, verify, waitForArrivals } from "../support/webhooks";

/** A tenant whose sequence sells one product, and that product's id. */
async function stockedTenant(): Promise<Tenant & { productId: string }> {
	const org = await createOrg();
	const product = await call("/api/v1/products", { key: org.secretKey, body: SNEAKER });
	expect(product.status, product.text).toBe(201);
	return { ...org, ...(await launch(org, {}, { productId: product.json.id })), productId: product.json.id };
}

/** What the endpoint for `events` received, verified, once `n` have arrived. */
async function deliveredTo(name: string, secret: string, n: number) {
	return (await waitForArrivals(name, n)).map((a) => verify(secret, a));
}

describe("delivered events name their subject", () => {
	it("queue.consumer.admitted: distributionId/Type on top; consumer, distribution and product in data", async () => {
		const t = await stockedTenant();
		const { name, endpoint } = await hook(t, ["queue.consumer.admitted"]);
		const q = await openQueue(t, { admissionRate: 100 });
		const [s] = await guests(t, 1);
		expect((await enter(t, q.id, s)).status).toBe(200);
		const [e] = await deliveredTo(name, endpoint.secret, 1);
		expect(e).toMatchObject({
			type: "queue.consumer.admitted",
			distributionId: q.id,
			distributionType: "queue",
			data: { consumerId: s.consumerId, distributionId: q.id, distributionType: "queue", productId: t.productId },
		});
	});

	it("queue.opened and queue.sold_out: the queue's lifecycle events name it on top", async () => {
		const s = await shop({ inventory: 1 });
		const { name, endpoint } = await hook(s, ["queue.opened", "queue.sold_out"]);
		const q = await openQueue(s, { admissionRate: 100 });
		const [p] = await guests(s, 1);
		expect((await enter(s, q.id, p)).status).toBe(200);
		await waitFor(
			"admitted",
			async () => (await status(s, q.id, p)).json.status,
			(v) => v === "ADMITTED",
		);
		const order = await call("/api/v1/orders", { key: s.secretKey, body: orderBody(p, q.id, "SO-1") });
		expect(order.status, order.text).toBe(201);
		const got = await deliveredTo(name, endpoint.secret, 2);
		expect(got.map((e) => e.type).sort()).toEqual(["queue.opened", "queue.sold_out"]);
		for (const e of got) expect(e).toMatchObject({ distributionId: q.id, distributionType: "queue" });
	});

	it("draw.consumer.won and draw.consumer.lost (one event listing the losers' ids)", async () => {
		const t = await stockedTenant();
		const { name, endpoint } = await hook(t, ["draw.consumer.*"]);
		const d = await shortDraw(t, { winnerCount: 1 }, 1500, 2000);
		const shoppers = await guests(t, 3);
		await enterAll(t, d.id, shoppers);
		await waitDrawn(t, d.id);
		const got = await deliveredTo(name, endpoint.secret, 5);
		for (const e of got) expect(e).toMatchObject({ distributionId: d.id, distributionType: "draw" });
		const won = got.filter((e) => e.type === "draw.consumer.won");
		const lost = got.filter((e) => e.type === "draw.consumer.lost");
		expect(won).toHaveLength(1);
		expect(lost).toHaveLength(1);
		expect(won[0].data).toMatchObject({ distributionId: d.id, productId: t.productId });
		expect(lost[0].data).toMatchObject({ distributionId: d.id, distributionType: "draw", productId: t.productId });
		const ids = [won[0].data.consumerId, ...lost[0].data.consumerIds].sort();
		expect(ids).toEqual(shoppers.map((s) => s.consumerId).sort());
	});

	it("auction.outbid and auction.settled: the outbid bidder; the winner, finalPrice and reserveMet; GET shows the outcome", async () => {
		const t = await stockedTenant();
		const { name, endpoint } = await hook(t, ["auction.outbid", "auction.settled"]);
		const a = await openAuction(t, { reservePrice: 15 });
		const before = await call(`/api/v1/auctions/${a.id}`, { key: t.secretKey });
		expect(before.json).not.toHaveProperty("winnerConsumerId");
		expect(before.json).not.toHaveProperty("finalPrice");
		const [alice, bob] = await guests(t, 2);
		expect((await bid(t, a.id, alice, 10)).status).toBe(200);
		expect((await bid(t, a.id, bob, 20)).status).toBe(200);
		await closeSoon(t, a.id);
		const got = await deliveredTo(name, endpoint.secret, 2);
		const outbid = got.find((e) => e.type === "auction.outbid");
		const settled = got.find((e) => e.type === "auction.settled");
		expect(outbid).toMatchObject({
			distributionId: a.id,
			distributionType: "auction",
			data: { consumerId: alice.consumerId, distributionId: a.id, productId: t.productId },
		});
		expect(settled).toMatchObject({
			distributionId: a.id,
			distributionType: "auction",
			data: { winnerConsumerId: bob.consumerId, finalPrice: 20, reserveMet: true, object: { id: a.id } },
		});
		const after = await call(`/api/v1/auctions/${a.id}`, { key: t.secretKey });
		expect(after.json).toMatchObject({ status: "SETTLED", winnerConsumerId: bob.consumerId, finalPrice: 20 });
	});

	it("auction.settled without a winner (reserve not met): winnerConsumerId and finalPrice null", async () => {
		const t = await stockedTenant();
		const { name, endpoint } = await hook(t, ["auction.settled"]);
		const a = await openAuction(t, { reservePrice: 50 });
		const [alice] = await guests(t, 1);
		expect((await bid(t, a.id, alice, 10)).status).toBe(200);
		await closeSoon(t, a.id);
		const [settled] = await deliveredTo(name, endpoint.secret, 1);
		expect(settled.data).toMatchObject({ winnerConsumerId: null, finalPrice: null, reserveMet: false });
		const after = await call(`/api/v1/auctions/${a.id}`, { key: t.secretKey });
		expect(after.json).toMatchObject({ status: "SETTLED", winnerConsumerId: null, finalPrice: null });
	});

	it("auction.settled after a buy-now names the buyer at the buy-now price", async () => {
		const t = await stockedTenant();
		const { name, endpoint } = await hook(t, ["auction.settled"]);
		const a = await openAuction(t, { buyNowPrice: 99 });
		const [alice] = await guests(t, 1);
		expect((await buyNow(t, a.id, alice)).status).toBe(200);
		const [settled] = await deliveredTo(name, endpoint.secret, 1);
		expect(settled.data).toMatchObject({ winnerConsumerId: alice.consumerId, finalPrice: 99, reserveMet: true });
	});
});

describe("webhook endpoint events are known types", () => {
	it("a misspelled type is a 400 naming it (events.N) on create and update; nothing is stored or changed", async () => {
		const t = await createOrg();
		const url = "https://hooks.example.com/fanfare";
		const created = await call(EP, { key: t.secretKey, body: { url, events: ["queue.consumer.admited"] } });
		expect(expectProblem(created, 400).errors).toEqual([
			{ path: "events.0", message: expect.stringMatching(/queue\.consumer\.admited/) },
		]);
		const prefix = await call(EP, { key: t.secretKey, body: { url, events: ["draw.*", "queu.*"] } });
		expect(expectProblem(prefix, 400).errors).toEqual([
			{ path: "events.1", message: expect.stringMatching(/queu\.\*/) },
		]);
		expect(await countRows("webhook_endpoints", t.organizationId)).toBe(0);

		const endpoint = await createEndpoint(t, { url, events: ["queue.consumer.*", "auction.settled", "*"] });
		const put = await call(`${EP}/${endpoint.id}`, {
			key: t.secretKey,
			method: "PUT",
			body: { events: ["draw.consumer.won", "draw.consumer.lose"] },
		});
		expect(expectProblem(put, 400).errors).toEqual([
			{ path: "events.1", message: expect.stringMatching(/draw\.consumer\.lose/) },
		]);
		const got = await call(`${EP}/${endpoint.id}`, { key: t.secretKey });
		expect(got.json.events).toEqual(["queue.consumer.*", "auction.settled", "*"]);
	});
});
