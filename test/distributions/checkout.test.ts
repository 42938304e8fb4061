import { Webhook } from "standardwebhooks";
import { describe, expect, inject, it } from "vitest";
import { validate } from "../support/admissions";
import { statusOf as auctionStatus, bid, closeSoon, openAuction } from "../support/auction";
import { enter as drawEnter, stateOf as drawState, shortDraw } from "../support/draw";
import { eventsOf } from "../support/events";
import { call, countRows, guest, guests, type Shopper } from "../support/helpers";
import { expectProblem } from "../support/problems";
import { enter, stats, status } from "../support/queue";
import {
	admitted,
	CHECKOUT_URL,
	extraSecretKey,
	grantQueue,
	inventoryOf,
	orderBody,
	type Shop,
	shop,
	shopWithHolders,
	storedInventory,
} from "../support/shop";
import { waitFor } from "../support/time";

/** GET /consumer/v1/checkout/:id with headers, or the browser way (?key=&token=). */
function checkout(s: Shop, distributionId: string, who: Shopper | null, via: "headers" | "query" = "headers") {
	const headers: Record<string, string> = {};
	let path = `/consumer/v1/checkout/${distributionId}`;
	if (via === "query") {
		path += `?key=${encodeURIComponent(s.publishableKey)}${who ? `&token=${encodeURIComponent(who.accessToken)}` : ""}`;
	} else {
		headers["X-Publishable-Key"] = s.publishableKey;
		if (who) headers.Authorization = `Bearer ${who.accessToken}`;
	}
	return call(path, { headers });
}

/** The redirect: 302 to `checkoutUrl`, the same link with either way of passing credentials. */
async function expectRedirect(s: Shop, distributionId: string, who: Shopper, checkoutUrl: string) {
	for (const via of ["headers", "query"] as const) {
		const res = await checkout(s, distributionId, who, via);
		expect(res.status, `${via}: ${res.text}`).toBe(302);
		expect(res.headers.get("Location"), via).toBe(checkoutUrl);
	}
}

/** The checkout link is `base` (its own query kept) plus the grant and the ids. */
function expectCheckoutUrl(
	link: string | undefined,
	base: string,
	want: { admissionToken: string; consumerId: string; distributionId: string; productId: string | null },
) {
	expect(typeof link, "checkoutUrl present").toBe("string");
	const url = new URL(link as string);
	const expected = new URL(base);
	expect(`${url.origin}${url.pathname}`).toBe(`${expected.origin}${expected.pathname}`);
	for (const [k, v] of expected.searchParams) expect(url.searchParams.get(k), k).toBe(v);
	expect(url.searchParams.get("admissionToken")).toBe(want.admissionToken);
	expect(url.searchParams.get("consumerId")).toBe(want.consumerId);
	expect(url.searchParams.get("distributionId")).toBe(want.distributionId);
	expect(url.searchParams.get("productId")).toBe(want.productId);
	return url;
}

/** What the merchant's checkout page reads off the redirect, reported back as the order. */
function orderFromRedirect(location: string, externalOrderId: string, totalAmount: number) {
	const p = new URL(location).searchParams;
	return {
		consumerId: p.get("consumerId"),
		distributionId: p.get("distributionId"),
		admissionToken: p.get("admissionToken"),
		externalOrderId,
		totalAmount,
	};
}

/** Waits for the order.created event of `orderId` in GET /api/v1/events. */
async function orderCreatedEvent(s: Shop, distributionId: string, orderId: string) {
	const rows = await waitFor(
		`order.created for ${orderId}`,
		() => eventsOf(s, distributionId, "order.created"),
		(rows) => rows.some((e) => e.data?.object?.id === orderId),
		8000,
	);
	return rows.filter((e) => e.data.object.id === orderId);
}

interface Subscription {
	name: string;
	secret: string;
}

/** A webhook endpoint for order.created on the test run's loopback receiver (a real HTTP server). */
async function subscribeOrders(s: Shop, name: string): Promise<Subscription> {
	const url = `${inject("receiverUrl")}/hooks/${name}-${s.organizationId}`;
	const res = await call("/api/v1/webhook-endpoints", { key: s.secretKey, body: { url, events: ["order.created"] } });
	expect(res.status, res.text).toBe(201);
	return { name: `${name}-${s.organizationId}`, secret: res.json.secret };
}

/** Waits for the order's webhook at the receiver and checks it with the public standardwebhooks verifier. */
async function verifiedOrderWebhook(sub: Subscription, orderId: string) {
	const received = await waitFor(
		`order.created webhook for ${orderId}`,
		async () =>
			(await (await fetch(`${inject("receiverUrl")}/hooks/${sub.name}`)).json()) as {
				headers: Record<string, string>;
				body: string;
			}[],
		(list) => list.some((r) => r.body.includes(orderId)),
		15_000,
	);
	const hit = received.find((r) => r.body.includes(orderId));
	if (!hit) throw new Error("no webhook");
	return new Webhook(sub.secret).verify(hit.body, hit.headers) as {
		id: string;
		type: string;
		data: { object: { id: string } };
	};
}

/** The order was published once as order.created: in the event log (with `fields`) and as a verified webhook. */
async function expectOrderPublished(s: Shop, hooks: Subscription, orderId: string, fields: Record<string, unknown>) {
	const [event] = await orderCreatedEvent(s, fields.distributionId as string, orderId);
	const hook = await verifiedOrderWebhook(hooks, orderId);
	expect(hook).toMatchObject({ id: event.id, type: "order.created", data: { object: { id: orderId } } });
	expect(event.data.object).toMatchObject(fields);
}

describe("end to end, per distribution type", () => {
	it("queue: admitted → checkoutUrl → 302 → order → stock −1, COMPLETED, order.created", async () => {
		const base = "https://shop.example.com/checkout?campaign=spring";
		const s = await shop({ checkoutUrl: base, inventory: 5 });
		const hooks = await subscribeOrders(s, "checkout-queue");
		const queue = await grantQueue(s);
		const shopper = await guest(s);

		const waiting = await enter(s, queue.id, shopper);
		expect(waiting.status, waiting.text).toBe(200);
		expect(waiting.json.status).toBe("QUEUED");
		expect(waiting.json.checkoutUrl).toBeUndefined();
		expectProblem(await checkout(s, queue.id, shopper), 409, "No admission");

		const admit = await call(`/api/v1/queues/${queue.id}/admit`, { key: s.secretKey, body: { count: 1 } });
		expect(admit.json).toEqual({ admitted: 1 });
		const st = await status(s, queue.id, shopper);
		expect(st.json.status).toBe("ADMITTED");
		expectCheckoutUrl(st.json.checkoutUrl, base, {
			admissionToken: st.json.admissionToken,
			consumerId: shopper.consumerId,
			distributionId: queue.id,
			productId: s.productId,
		});
		await expectRedirect(s, queue.id, shopper, st.json.checkoutUrl);

		const res = await call("/api/v1/orders", {
			key: s.secretKey,
			body: orderFromRedirect(st.json.checkoutUrl, "Q-1", 199.99),
		});
		expect(res.status, res.text).toBe(201);
		expect(res.json).toMatchObject({ consumerId: shopper.consumerId, distributionId: queue.id, totalAmount: 199.99 });

		expect(await inventoryOf(s)).toBe(4);
		const after = await status(s, queue.id, shopper);
		expect(after.json.status).toBe("COMPLETED");
		expect(after.json.checkoutUrl).toBeUndefined();
		expect((await stats(s, queue.id)).completed).toBe(1);
		expectProblem(await checkout(s, queue.id, shopper), 409, "No admission");

		await expectOrderPublished(s, hooks, res.json.id, {
			id: res.json.id,
			consumerId: shopper.consumerId,
			distributionId: queue.id,
			externalOrderId: "Q-1",
			totalAmount: 199.99,
			productId: s.productId,
		});
	});

	it("draw: winner → checkoutUrl → 302 → order → stock −1, CLAIMED, order.created", async () => {
		const s = await shop({ inventory: 5 });
		const hooks = await subscribeOrders(s, "checkout-draw");
		const d = await shortDraw(s, { winnerCount: 2 }, 1200, 1800);
		const [a, b] = await guests(s, 2);
		for (const p of [a, b]) {
			const entered = await drawEnter(s, d.id, p);
			expect(entered.admissionToken).toBeUndefined();
			expect((entered as any).checkoutUrl).toBeUndefined();
		}
		expectProblem(await checkout(s, d.id, a), 409, "No admission");

		const won = await waitFor(
			"draw winner",
			() => drawState(s, d.id, a),
			(st) => st.status === "WON",
			10_000,
		);
		const link = (won as any).checkoutUrl as string;
		expectCheckoutUrl(link, CHECKOUT_URL, {
			admissionToken: won.admissionToken as string,
			consumerId: a.consumerId,
			distributionId: d.id,
			productId: s.productId,
		});
		await expectRedirect(s, d.id, a, link);

		const res = await call("/api/orders", { key: s.secretKey, body: orderFromRedirect(link, "D-1", 150) });
		expect(res.status, res.text).toBe(201);
		expect(await inventoryOf(s)).toBe(4);
		const after = await drawState(s, d.id, a);
		expect(after.status).toBe("CLAIMED");
		expect(after.admissionToken).toBeUndefined();
		expect((after as any).checkoutUrl).toBeUndefined();
		expectProblem(await checkout(s, d.id, a), 409, "No admission");
		// The other winner is untouched.
		expect((await drawState(s, d.id, b)).status).toBe("WON");

		await expectOrderPublished(s, hooks, res.json.id, {
			consumerId: a.consumerId,
			distributionId: d.id,
			externalOrderId: "D-1",
			totalAmount: 150,
			productId: s.productId,
		});
	});

	it("auction: winner → checkoutUrl → 302 → order at the final price → stock −1, grant used, order.created", async () => {
		const s = await shop({ inventory: 5 });
		const hooks = await subscribeOrders(s, "checkout-auction");
		const a = await openAuction(s, { startingBid: 10, minimumIncrement: 1 });
		const low = await guest(s);
		const high = await guest(s);
		expect((await bid(s, a.id, low, 20)).status).toBe(200);
		expect((await bid(s, a.id, high, 30)).status).toBe(200);
		expectProblem(await checkout(s, a.id, high), 409, "No admission");
		await closeSoon(s, a.id);

		const won = await waitFor(
			"auction settled",
			() => auctionStatus(s, a.id, high),
			(st) => st.status === "WON",
			10_000,
		);
		expect(won.finalPrice).toBe(30);
		expectCheckoutUrl(won.checkoutUrl, CHECKOUT_URL, {
			admissionToken: won.admissionToken,
			consumerId: high.consumerId,
			distributionId: a.id,
			productId: s.productId,
		});
		await expectRedirect(s, a.id, high, won.checkoutUrl);

		// The loser holds nothing.
		const lost = await auctionStatus(s, a.id, low);
		expect(lost.status).toBe("LOST");
		expect(lost.checkoutUrl).toBeUndefined();
		expectProblem(await checkout(s, a.id, low), 409, "No admission");

		const res = await call("/api/v1/orders", {
			key: s.secretKey,
			body: orderFromRedirect(won.checkoutUrl, "A-1", won.finalPrice),
		});
		expect(res.status, res.text).toBe(201);
		expect(res.json.totalAmount).toBe(30);
		expect(await inventoryOf(s)).toBe(4);

		// The grant is used: the merchant's validate says so, a second order is refused.
		const v = await validate(s, won.admissionToken);
		expect(v.json).toMatchObject({ valid: false, reason: "used" });
		const again = await call("/api/v1/orders", {
			key: s.secretKey,
			body: orderFromRedirect(won.checkoutUrl, "A-2", won.finalPrice),
		});
		expectProblem(again, 409, "Admission already used");

		await expectOrderPublished(s, hooks, res.json.id, {
			consumerId: high.consumerId,
			distributionId: a.id,
			externalOrderId: "A-1",
			totalAmount: 30,
			productId: s.productId,
		});
	});

	it("auction: once the win is paid, the status offers no checkout and the redirect is 409", async () => {
		const s = await shop();
		const a = await openAuction(s, { startingBid: 10, minimumIncrement: 1 });
		const winner = await guest(s);
		expect((await bid(s, a.id, winner, 25)).status).toBe(200);
		await closeSoon(s, a.id);
		const won = await waitFor(
			"auction settled",
			() => auctionStatus(s, a.id, winner),
			(st) => st.status === "WON",
			10_000,
		);
		const res = await call("/api/v1/orders", {
			key: s.secretKey,
			body: orderBody(winner, a.id, "A-PAID", won.finalPrice),
		});
		expect(res.status, res.text).toBe(201);

		const after = await auctionStatus(s, a.id, winner);
		expect.soft(after.admissionToken, "a used grant is not handed out again").toBeUndefined();
		expect.soft(after.checkoutUrl, "a used grant is not offered for checkout").toBeUndefined();
		const again = await checkout(s, a.id, winner);
		expect.soft(again.status, `redirect after the order: ${again.headers.get("Location") ?? again.text}`).toBe(409);
		expect.soft(again.json?.title).toBe("No admission");
	});
});

describe("orders against grants and stock", () => {
	it("a second order on the same grant is 409; stock is taken once", async () => {
		const { s, queueId, holders } = await shopWithHolders(1, { inventory: 3 });
		const [h] = holders;
		const body = { ...orderBody(h, queueId, "ONE"), admissionToken: h.admissionToken };
		expect((await call("/api/v1/orders", { key: s.secretKey, body })).status).toBe(201);
		const second = await call("/api/v1/orders", { key: s.secretKey, body: { ...body, externalOrderId: "TWO" } });
		expectProblem(second, 409, "Admission already used");
		expect(await inventoryOf(s)).toBe(2);
		expect(await countRows("orders", s.organizationId)).toBe(1);
	});

	it("two concurrent orders on one grant: exactly one succeeds, stock taken once", async () => {
		const { s, queueId, holders } = await shopWithHolders(1, { inventory: 3 });
		const [h] = holders;
		const replies = await Promise.all(
			["X-1", "X-2", "X-3", "X-4"].map((id) =>
				call("/api/v1/orders", {
					key: s.secretKey,
					body: { ...orderBody(h, queueId, id), admissionToken: h.admissionToken },
				}),
			),
		);
		const statuses = replies.map((r) => r.status).sort();
		expect(statuses, replies.map((r) => r.text).join("\n")).toEqual([201, 409, 409, 409]);
		expect(await inventoryOf(s)).toBe(2);
		expect(await countRows("orders", s.organizationId)).toBe(1);
	});

	it("duplicate orders racing on one grant never make another consumer's order Out of stock", async () => {
		// Two units, two grants: A's grant can pay for one, B's for the other, whatever A's
		// duplicates do. Stock taken by a duplicate that then loses on the grant must not
		// be seen as missing by B.
		const { s, queueId, holders } = await shopWithHolders(2, { inventory: 2 });
		const [a, b] = holders;
		const replies = await Promise.all([
			...[1, 2, 3, 4].map((i) =>
				call("/api/v1/orders", {
					key: s.secretKey,
					body: { ...orderBody(a, queueId, `A-${i}`), admissionToken: a.admissionToken },
				}),
			),
			call("/api/v1/orders", { key: s.secretKey, body: orderBody(b, queueId, "B-1") }),
		]);
		const summary = replies.map((r) => `${r.status} ${r.json?.title ?? ""}`).join(" | ");
		expect(
			replies.slice(0, 4).filter((r) => r.status === 201),
			summary,
		).toHaveLength(1);
		expect(replies[4].status, `B's order: ${summary}`).toBe(201);
		expect(await inventoryOf(s)).toBe(0);
		expect(await countRows("orders", s.organizationId)).toBe(2);
	});

	it("100 concurrent orders against inventory 10: exactly 10 succeed, the 90 keep their grants", async () => {
		const { s, queueId, holders } = await shopWithHolders(100, { inventory: 10 });
		// Orders are limited to 50/min per key: spread the burst over four keys.
		const keys = await Promise.all([0, 1, 2, 3].map((i) => extraSecretKey(s, `burst-${i}`)));
		const replies = await Promise.all(
			holders.map((h, i) => call("/api/v1/orders", { key: keys[i % 4], body: orderBody(h, queueId, `BURST-${i}`) })),
		);
		const ok = replies.filter((r) => r.status === 201);
		const refused = replies.filter((r) => r.status !== 201);
		expect(ok.length, replies.map((r) => r.status).join(",")).toBe(10);
		expect(refused).toHaveLength(90);
		for (const r of refused) {
			expect(r.status, r.text).toBe(409);
			expect(r.json.title).toBe("Out of stock");
		}

		expect(await inventoryOf(s)).toBe(0);
		expect(await storedInventory(s.productId)).toBe(0);
		expect(await countRows("orders", s.organizationId)).toBe(10);
		const st = await stats(s, queueId);
		expect(st).toMatchObject({ completed: 10, active: 90 });

		const winners = new Set(ok.map((r) => r.json.consumerId));
		const losers = holders.filter((h) => !winners.has(h.consumerId));
		expect(losers).toHaveLength(90);
		const states = await Promise.all(losers.map((h) => status(s, queueId, h)));
		for (const res of states) expect(res.json.status).toBe("ADMITTED");
		for (const h of holders.filter((x) => winners.has(x.consumerId))) {
			expect((await status(s, queueId, h)).json.status).toBe("COMPLETED");
		}
		const v = await validate(s, losers[0].admissionToken);
		expect(v.json).toMatchObject({ valid: true, consumerId: losers[0].consumerId });

		// Restocked, the refused consumers can still buy with the same grants.
		const restock = await call(`/api/v1/products/${s.productId}`, {
			method: "PUT",
			key: s.secretKey,
			body: { inventory: 2 },
		});
		expect(restock.status, restock.text).toBe(200);
		for (const [i, h] of losers.slice(0, 3).entries()) {
			const res = await call("/api/v1/orders", { key: s.secretKey, body: orderBody(h, queueId, `RESTOCK-${i}`) });
			expect(res.status, res.text).toBe(i < 2 ? 201 : 409);
		}
		expect(await storedInventory(s.productId)).toBe(0);
	});

	it("an auction order must equal the final price: 400 on totalAmount, nothing stored, the grant stays live", async () => {
		const s = await shop({ inventory: 5 });
		const a = await openAuction(s, { startingBid: 10, minimumIncrement: 1 });
		const winner = await guest(s);
		expect((await bid(s, a.id, winner, 42.5)).status).toBe(200);
		await closeSoon(s, a.id);
		const won = await waitFor(
			"auction settled",
			() => auctionStatus(s, a.id, winner),
			(st) => st.status === "WON",
			10_000,
		);
		expect(typeof won.finalPrice).toBe("number");
		for (const wrong of [won.finalPrice + 1, won.finalPrice - 0.01, 0, 199.99]) {
			const res = await call("/api/v1/orders", {
				key: s.secretKey,
				body: orderBody(winner, a.id, `WRONG-${wrong}`, wrong),
			});
			expect(res.status, `${wrong}: ${res.text}`).toBe(400);
			expect(res.json.errors.map((e: { path: string }) => e.path)).toEqual(["totalAmount"]);
		}
		expect(await countRows("orders", s.organizationId)).toBe(0);
		expect(await inventoryOf(s)).toBe(5);
		expect((await validate(s, won.admissionToken)).json.valid).toBe(true);

		const ok = await call("/api/v1/orders", {
			key: s.secretKey,
			body: orderBody(winner, a.id, "RIGHT", won.finalPrice),
		});
		expect(ok.status, ok.text).toBe(201);
		expect(await inventoryOf(s)).toBe(4);
	});
});

describe("checkoutUrl and the redirect", () => {
	it("a sequence's checkoutUrl overrides the experience's; a sibling sequence without one uses the experience's", async () => {
		const override = "https://drops.example.com/buy/sneaker";
		const s = await shop({ sequenceCheckoutUrl: override });
		const queue = await grantQueue(s);
		const [h] = await admitted(s, queue.id, 1);
		expectCheckoutUrl(h.checkoutUrl, override, {
			admissionToken: h.admissionToken,
			consumerId: h.consumerId,
			distributionId: queue.id,
			productId: s.productId,
		});
		await expectRedirect(s, queue.id, h, h.checkoutUrl as string);

		const sibling = await call(`/api/v1/experiences/${s.experienceId}/sequences`, {
			key: s.secretKey,
			body: { name: "No override" },
		});
		expect(sibling.status, sibling.text).toBe(201);
		const q2 = await grantQueue({ ...s, sequenceId: sibling.json.id });
		const [h2] = await admitted(s, q2.id, 1);
		expectCheckoutUrl(h2.checkoutUrl, CHECKOUT_URL, {
			admissionToken: h2.admissionToken,
			consumerId: h2.consumerId,
			distributionId: q2.id,
			productId: null,
		});
	});

	it("409 No admission for a consumer without a live grant; 401 without a token; 404 for another org's queue", async () => {
		const s = await shop();
		const queue = await grantQueue(s);
		const outsider = await guest(s);
		const waiting = await guest(s);
		await enter(s, queue.id, waiting);
		expectProblem(await checkout(s, queue.id, outsider), 409, "No admission");
		expectProblem(await checkout(s, queue.id, waiting), 409, "No admission");
		expectProblem(await checkout(s, queue.id, waiting, "query"), 409, "No admission");
		expect((await checkout(s, queue.id, null)).status).toBe(401);

		// Denied after admission: the grant is gone.
		const q2 = await grantQueue(s);
		const [h] = await admitted(s, q2.id, 1);
		expect((await checkout(s, q2.id, h)).status).toBe(302);
		const denied = await call(`/api/v1/queues/${q2.id}/entries/${h.consumerId}/deny`, { key: s.secretKey, body: {} });
		expect(denied.status, denied.text).toBe(200);
		expectProblem(await checkout(s, q2.id, h), 409, "No admission");

		const other = await shopWithHolders(1);
		expect((await checkout(s, other.queueId, outsider)).status).toBe(404);
		expect((await checkout(s, "queue_01HXYZ123456789ABCDEFGHJK", outsider)).status).toBe(404);
	});

	it("a plain link with ?grant= redirects without the access token; a bad, expired, foreign or other queue's grant is 401", async () => {
		const { s, queueId, holders } = await shopWithHolders(2);
		const [h, other] = holders;
		const viaGrant = (distributionId: string, grant: string, key = s.publishableKey) =>
			call(`/consumer/v1/checkout/${distributionId}?key=${encodeURIComponent(key)}&grant=${encodeURIComponent(grant)}`);
		const res = await viaGrant(queueId, h.admissionToken);
		expect(res.status, res.text).toBe(302);
		expect(res.headers.get("Location")).toBe(h.checkoutUrl);
		expect(new URL(res.headers.get("Location") as string).searchParams.get("consumerId")).toBe(h.consumerId);

		expectProblem(await viaGrant(queueId, "garbage"), 401);
		expectProblem(await viaGrant(queueId, h.accessToken), 401);
		const q2 = await grantQueue(s);
		expectProblem(await viaGrant(q2.id, h.admissionToken), 401);
		const foreign = await shopWithHolders(1);
		expectProblem(await viaGrant(queueId, foreign.holders[0].admissionToken), 401);
		expectProblem(await viaGrant(foreign.queueId, foreign.holders[0].admissionToken), 401);
		// A grant that is no longer live: the consumer it names has no admission.
		const denied = await call(`/api/v1/queues/${queueId}/entries/${other.consumerId}/deny`, {
			key: s.secretKey,
			body: {},
		});
		expect(denied.status, denied.text).toBe(200);
		expectProblem(await viaGrant(queueId, other.admissionToken), 409, "No admission");
	});

	it("409 No checkout URL when neither the experience nor the sequence has one; orders still work", async () => {
		const { s, queueId, holders } = await shopWithHolders(1, { checkoutUrl: null });
		const [h] = holders;
		expect(h.checkoutUrl).toBeUndefined();
		expectProblem(await checkout(s, queueId, h), 409, "No checkout URL");
		const res = await call("/api/v1/orders", { key: s.secretKey, body: orderBody(h, queueId, "NO-URL") });
		expect(res.status, res.text).toBe(201);
	});

	it("a checkoutUrl set after a consumer was sent away takes effect at once", async () => {
		const { s, queueId, holders } = await shopWithHolders(1, { checkoutUrl: null });
		const [h] = holders;
		expectProblem(await checkout(s, queueId, h), 409, "No checkout URL");
		const put = await call(`/api/v1/experiences/${s.experienceId}`, {
			method: "PUT",
			key: s.secretKey,
			body: { checkoutUrl: CHECKOUT_URL },
		});
		expect(put.status, put.text).toBe(200);
		const st = await status(s, queueId, h);
		expect.soft(st.json.checkoutUrl, "status after the merchant set checkoutUrl").toEqual(expect.any(String));
		const again = await checkout(s, queueId, h);
		expect.soft(again.status, `redirect after the merchant set checkoutUrl: ${again.text}`).toBe(302);
	});

	it("after the sequence's product changes, orders take stock from the new product", async () => {
		const { s, queueId, holders } = await shopWithHolders(2, { inventory: 5 });
		expect(
			(await call("/api/v1/orders", { key: s.secretKey, body: orderBody(holders[0], queueId, "P1") })).status,
		).toBe(201);
		expect(await inventoryOf(s)).toBe(4);

		const p2 = await call("/api/v1/products", {
			key: s.secretKey,
			body: { name: "Sneaker v2", price: 199.99, sku: "SNK-2", inventory: 5 },
		});
		expect(p2.status, p2.text).toBe(201);
		const put = await call(`/api/v1/sequences/${s.sequenceId}`, {
			method: "PUT",
			key: s.secretKey,
			body: { productId: p2.json.id },
		});
		expect(put.status, put.text).toBe(200);

		const second = await call("/api/v1/orders", { key: s.secretKey, body: orderBody(holders[1], queueId, "P2") });
		expect(second.status, second.text).toBe(201);
		expect.soft(await inventoryOf(s, p2.json.id), "new product's stock").toBe(4);
		expect.soft(await inventoryOf(s), "old product's stock").toBe(4);
		const event = await orderCreatedEvent(s, queueId, second.json.id);
		expect.soft(event[0].data.object.productId, "order.created productId").toBe(p2.json.id);
	});
});
