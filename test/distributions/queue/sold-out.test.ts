/**
 * Stock-aware queues: a queue whose sequence sells a product with tracked inventory never
 * holds more live grants than units left; out of stock with no grant outstanding it is
 * SOLD_OUT (written through to D1, `queue.sold_out` once), its waiting consumers are told
 * SOLD_OUT (object poll, edge ticket poll, WebSocket) and new entries are `409 Sold out`;
 * an expired grant gives its unit back, and a restock reopens the queue.
 */
import { afterEach, describe, expect, it } from "vitest";
import { storedStatus } from "../../support/distributions";
import { eventsOf, settle, waitEvents } from "../../support/events";
import { BASE, call, guest, guests, type Shopper } from "../../support/helpers";
import { closeLive, connect, ofType } from "../../support/live";
import { objectRows, queueStub, runScheduleAt } from "../../support/objects";
import { expectProblem } from "../../support/problems";
import { admit, consumerCall, enter, openQueue, stats, status } from "../../support/queue";
import { inventoryOf, orderBody, type Shop, shop } from "../../support/shop";
import { waitFor } from "../../support/time";

afterEach(closeLive);

/** One slot a millisecond: only the stock holds admission back. */
const FAST = { admissionRate: 60_000 };

async function line(s: Shop, n: number) {
	const q = await openQueue(s, FAST);
	const shoppers = await guests(s, n);
	const tickets: string[] = [];
	// One by one: the line's order is the shoppers' order.
	for (const p of shoppers) {
		const res = await enter(s, q.id, p);
		expect(res.status, res.text).toBe(200);
		tickets.push(res.json.ticket);
	}
	return { q, shoppers, tickets };
}

const admittedCount = (s: Shop, queueId: string, n: number) =>
	waitFor(
		`${n} admitted`,
		() => stats(s, queueId),
		(st) => st.admitted >= n,
	);

async function order(s: Shop, queueId: string, p: Shopper, ref: string) {
	const res = await call("/api/v1/orders", { key: s.secretKey, body: orderBody(p, queueId, ref) });
	expect(res.status, res.text).toBe(201);
}

const queueStatus = async (s: Shop, id: string) =>
	(await call(`/api/v1/queues/${id}`, { key: s.secretKey })).json.status as string;

/** Lets the admission tick run now, as its alarm would: what it admitted shows in the stats. */
const tickNow = (queueId: string) => runScheduleAt(queueStub(queueId), "admit", Date.now());

describe("stock-aware queue", () => {
	it("admits no more than the stock, gives an expired grant's unit to the next, sells out, reopens on restock", async () => {
		const s = await shop({ inventory: 3 });
		const { q, shoppers, tickets } = await line(s, 10);

		// Exactly 3 admitted at once, however many ticks run.
		await admittedCount(s, q.id, 3);
		await tickNow(q.id);
		expect(await stats(s, q.id)).toMatchObject({ admitted: 3, active: 3, queued: 7 });
		expect((await status(s, q.id, shoppers[3])).json).toMatchObject({ status: "QUEUED", position: 1 });

		// Two orders and one expiry: the third unit goes to the next in line.
		await order(s, q.id, shoppers[0], "A");
		await order(s, q.id, shoppers[1], "B");
		await objectRows(
			queueStub(q.id),
			"UPDATE entries SET expires_at = ? WHERE consumer_id = ?",
			Date.now() - 1,
			shoppers[2].consumerId,
		);
		await tickNow(q.id);
		expect(await stats(s, q.id)).toMatchObject({ admitted: 4, active: 1, expired: 1, completed: 2, queued: 6 });
		expect((await status(s, q.id, shoppers[3])).json.status).toBe("ADMITTED");
		expect(await queueStatus(s, q.id)).toBe("OPEN");

		// The last unit sold: SOLD_OUT for the queue and for everyone still waiting.
		const live = await connect(
			`${BASE}/consumer/v1/queues/${q.id}/live?${new URLSearchParams({ key: s.publishableKey, token: shoppers[9].accessToken })}`,
		);
		await live.next(ofType("status"));
		await order(s, q.id, shoppers[3], "C");
		expect(await inventoryOf(s)).toBe(0);
		expect(await live.next(ofType("sold_out"))).toEqual({ type: "sold_out" });
		for (const p of shoppers.slice(4)) {
			expect((await status(s, q.id, p)).json).toMatchObject({ status: "SOLD_OUT", estimatedWaitSeconds: null });
		}
		const edge = await consumerCall(s, `/queues/${q.id}/status`, { ticket: tickets[9] });
		expect(edge.status, edge.text).toBe(200);
		expect(edge.json.status).toBe("SOLD_OUT");
		await waitFor(
			"SOLD_OUT in D1",
			() => storedStatus(q.id),
			(v) => v === "SOLD_OUT",
		);
		expect(await queueStatus(s, q.id)).toBe("SOLD_OUT");
		const listed = await call(`/api/v1/queues?status=SOLD_OUT`, { key: s.secretKey });
		expect(listed.json.data.map((r: { id: string }) => r.id)).toEqual([q.id]);
		const [soldOut] = await waitEvents(s, q.id, "queue.sold_out");
		expect(soldOut).toMatchObject({ type: "queue.sold_out" });

		// Entering is refused; someone already in line keeps their place.
		expectProblem(await enter(s, q.id, await guest(s)), 409, "Sold out");
		expect((await enter(s, q.id, shoppers[9])).json).toMatchObject({ status: "SOLD_OUT", position: 6 });
		await tickNow(q.id);
		expect(await stats(s, q.id)).toMatchObject({ admitted: 4, active: 0, queued: 6 });

		// Restock 2: the queue is OPEN again and two more are admitted, in line order.
		const restock = await call(`/api/v1/products/${s.productId}`, {
			method: "PUT",
			key: s.secretKey,
			body: { inventory: 2 },
		});
		expect(restock.status, restock.text).toBe(200);
		await admittedCount(s, q.id, 6);
		await tickNow(q.id);
		expect(await stats(s, q.id)).toMatchObject({ admitted: 6, active: 2, queued: 4 });
		expect((await status(s, q.id, shoppers[5])).json.status).toBe("ADMITTED");
		expect((await status(s, q.id, shoppers[6])).json).toMatchObject({ status: "QUEUED", position: 1 });
		expect(await queueStatus(s, q.id)).toBe("OPEN");
		await waitFor(
			"OPEN in D1 again",
			() => storedStatus(q.id),
			(v) => v === "OPEN",
		);
		await settle();
		expect(await eventsOf(s, q.id, "queue.sold_out")).toHaveLength(1);
		// Reopening writes OPEN through again without announcing a second opening.
		expect(await eventsOf(s, q.id, "queue.opened")).toHaveLength(1);
	});

	it("a grant given back before the sell-out returns its unit to the line", async () => {
		const s = await shop({ inventory: 1 });
		const { q, shoppers } = await line(s, 3);
		await admittedCount(s, q.id, 1);
		const left = await consumerCall(s, `/queues/${q.id}/leave`, { method: "POST", token: shoppers[0].accessToken });
		expect(left.status, left.text).toBe(200);
		await admittedCount(s, q.id, 2);
		expect((await status(s, q.id, shoppers[1])).json.status).toBe("ADMITTED");
		expect(await stats(s, q.id)).toMatchObject({ admitted: 2, active: 1, queued: 1 });
	});

	it("a stock read from before an order, told after it, does not hand the order's unit out again", async () => {
		const s = await shop({ inventory: 3 });
		const { q, shoppers } = await line(s, 5);
		await admittedCount(s, q.id, 3);
		// What tellQueueStock read just before the order (3 units, no order yet), delivered after it:
		// a restock's push racing the order. Before the fix the object took the 3 and admitted a fourth.
		await order(s, q.id, shoppers[0], "A");
		expect(await inventoryOf(s)).toBe(2);
		await queueStub(q.id).setStock(3, 0);
		await tickNow(q.id);
		expect(await stats(s, q.id)).toMatchObject({ admitted: 3, active: 2, completed: 1, queued: 2 });
		// A read that saw the order tells the same units; a real restock still counts in full.
		await queueStub(q.id).setStock(2, 1);
		await tickNow(q.id);
		expect(await stats(s, q.id)).toMatchObject({ admitted: 3, active: 2, queued: 2 });
		const restock = await call(`/api/v1/products/${s.productId}`, {
			method: "PUT",
			key: s.secretKey,
			body: { inventory: 3 },
		});
		expect(restock.status, restock.text).toBe(200);
		await admittedCount(s, q.id, 4);
		await tickNow(q.id);
		expect(await stats(s, q.id)).toMatchObject({ admitted: 4, active: 3, queued: 1 });
	});

	it("the merchant's admit-now skips the rate, not the stock", async () => {
		const s = await shop({ inventory: 2 });
		const q = await openQueue(s, { admissionRate: 1 });
		const shoppers = await guests(s, 5);
		for (const p of shoppers) expect((await enter(s, q.id, p)).status).toBe(200);
		const first = await admit(s, q.id, 5);
		expect(first.status, first.text).toBe(200);
		// One was admitted on entering (the first slot); admit-now fills only the other unit.
		expect(await stats(s, q.id)).toMatchObject({ admitted: 2, active: 2, queued: 3 });
		expect((await admit(s, q.id, 5)).json).toEqual({ admitted: 0 });
		expect((await status(s, q.id, shoppers[2])).json.status).toBe("QUEUED");
	});

	it("a queue opened with no stock left is SOLD_OUT at once", async () => {
		const s = await shop({ inventory: 0 });
		const q = await openQueue(s, FAST);
		await waitFor(
			"SOLD_OUT in D1",
			() => storedStatus(q.id),
			(v) => v === "SOLD_OUT",
		);
		expectProblem(await enter(s, q.id, await guest(s)), 409, "Sold out");
	});

	it("untracked inventory admits as before: no cap, never sold out", async () => {
		const s = await shop({ inventory: null });
		const { q } = await line(s, 5);
		await admittedCount(s, q.id, 5);
		expect(await queueStatus(s, q.id)).toBe("OPEN");
		expect(await eventsOf(s, q.id, "queue.sold_out")).toHaveLength(0);
	});
});
