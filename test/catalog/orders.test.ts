/**
 * The order callback (`POST /api/v1/orders`, spec path `/api/orders`) and the order
 * reads. An order needs a consumer holding a live, unused admission grant for the
 * distribution: every accepted order below is reported for a consumer admitted from a
 * queue by the merchant (test/support/shop.ts). Validation, tenancy, duplicates,
 * idempotency, paging and the 50/min rate limit are checked against that rule.
 */
import { runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { FAULT } from "../support/faults";
import { call, countRows, createOrg, guest, type Res } from "../support/helpers";
import { queueStub } from "../support/objects";
import { expectProblem } from "../support/problems";
import { consumerCall, enter, status } from "../support/queue";
import {
	admitted,
	extraSecretKey,
	grantQueue,
	type Holder,
	inventoryOf,
	orderBody,
	type Shop,
	shop,
	shopWithHolders,
} from "../support/shop";

/** The spec's example order; consumerId and distributionId are replaced by real ones where the test needs them. */
const specOrder = {
	consumerId: "con_123",
	distributionId: "dist_456",
	externalOrderId: "YOUR-ORDER-123",
	totalAmount: 199.99,
};

const ISO_SECONDS = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/;

const paths = (res: Res) => (res.json.errors ?? []).map((e: { path: string }) => e.path);
const ids = (res: Res) => res.json.data.map((o: { id: string }) => o.id);

async function createOrder(s: Shop, body: Record<string, unknown>, key = s.secretKey, path = "/api/v1/orders") {
	const res = await call(path, { key, body });
	expect(res.status, res.text).toBe(201);
	return res.json;
}

/** The spec's example order for a holder of a grant on `queueId`. */
const exampleFor = (h: Holder, queueId: string) => ({
	...specOrder,
	consumerId: h.consumerId,
	distributionId: queueId,
});

async function queueStatusOf(s: Shop, queueId: string, h: Holder) {
	const res = await status(s, queueId, h);
	expect(res.status, res.text).toBe(200);
	return res.json.status as string;
}

describe("POST /orders", () => {
	it("reports the spec's example order on /api/orders, using the grant and one unit of stock", async () => {
		const { s, queueId, holders } = await shopWithHolders(1);
		const [h] = holders;
		const res = await call("/api/orders", { key: s.secretKey, body: exampleFor(h, queueId) });
		expect(res.status, res.text).toBe(201);
		expect(res.json).toMatchObject({
			...specOrder,
			consumerId: h.consumerId,
			distributionId: queueId,
			organizationId: s.organizationId,
			totalAmount: 199.99,
		});
		expect(res.json.id).toMatch(/^ord_[0-9A-Z]{26}$/);
		expect(res.json.createdAt).toMatch(ISO_SECONDS);
		expect(res.json.updatedAt).toMatch(ISO_SECONDS);
		expect(await countRows("orders", s.organizationId)).toBe(1);

		// Stored as integer minor units.
		const row = await env.DB.prepare("SELECT total_amount FROM orders WHERE id = ?")
			.bind(res.json.id)
			.first<{ total_amount: number }>();
		expect(row?.total_amount).toBe(19999);

		// The alias and the versioned path are the same resource.
		const got = await call(`/api/v1/orders/${res.json.id}`, { key: s.secretKey });
		expect(got.status).toBe(200);
		expect(got.json).toEqual(res.json);

		expect(await inventoryOf(s)).toBe(999);
		expect(await queueStatusOf(s, queueId, h)).toBe("COMPLETED");
	});

	it("accepts an explicit admissionToken of the consumer for the distribution", async () => {
		const { s, queueId, holders } = await shopWithHolders(1);
		const [h] = holders;
		const order = await createOrder(s, { ...exampleFor(h, queueId), admissionToken: h.admissionToken });
		expect(order.consumerId).toBe(h.consumerId);
		expect(await queueStatusOf(s, queueId, h)).toBe("COMPLETED");
	});

	it("accepts amounts at the edges: 0, whole numbers, one decimal, float-tricky cents", async () => {
		const amounts = [0, 100, 0.1, 0.29, 1.15, 19.99, 1_000_000_000];
		const { s, queueId, holders } = await shopWithHolders(amounts.length);
		for (const [i, totalAmount] of amounts.entries()) {
			const order = await createOrder(s, {
				...exampleFor(holders[i], queueId),
				externalOrderId: `EDGE-${i}`,
				totalAmount,
			});
			expect(order.totalAmount).toBe(totalAmount);
		}
		expect(await inventoryOf(s)).toBe(1000 - amounts.length);
	});

	it("answers 400 on consumerId for the spec's unknown consumer, storing nothing", async () => {
		const { s, queueId } = await shopWithHolders(1);
		const res = await call("/api/orders", { key: s.secretKey, body: { ...specOrder, distributionId: queueId } });
		expectProblem(res, 400, "Validation failed");
		expect(paths(res)).toEqual(["consumerId"]);
		expect(await countRows("orders", s.organizationId)).toBe(0);
		expect(await inventoryOf(s)).toBe(1000);
	});

	it("answers 400 on distributionId for the spec's unknown distribution, storing nothing", async () => {
		const { s, holders } = await shopWithHolders(1);
		const res = await call("/api/orders", {
			key: s.secretKey,
			body: { ...specOrder, consumerId: holders[0].consumerId },
		});
		expectProblem(res, 400, "Validation failed");
		expect(paths(res)).toEqual(["distributionId"]);
		expect(await countRows("orders", s.organizationId)).toBe(0);
		expect(await inventoryOf(s)).toBe(1000);
	});

	it("answers 400 for another org's consumer or distribution, storing nothing in either org", async () => {
		const mine = await shopWithHolders(1);
		const theirs = await shopWithHolders(1);
		const s = mine.s;

		const foreignConsumer = await call("/api/v1/orders", {
			key: s.secretKey,
			body: exampleFor(theirs.holders[0], mine.queueId),
		});
		expectProblem(foreignConsumer, 400, "Validation failed");
		expect(paths(foreignConsumer)).toEqual(["consumerId"]);

		const foreignQueue = await call("/api/v1/orders", {
			key: s.secretKey,
			body: exampleFor(mine.holders[0], theirs.queueId),
		});
		expectProblem(foreignQueue, 400, "Validation failed");
		expect(paths(foreignQueue)).toEqual(["distributionId"]);

		expect(await countRows("orders", s.organizationId)).toBe(0);
		expect(await countRows("orders", theirs.s.organizationId)).toBe(0);
		expect(await queueStatusOf(theirs.s, theirs.queueId, theirs.holders[0])).toBe("ADMITTED");
		expect(await inventoryOf(theirs.s)).toBe(1000);
	});

	it("answers 400 on consumerId for a consumer deleted before the order", async () => {
		const { s, queueId, holders } = await shopWithHolders(1);
		const del = await call(`/api/v1/consumers/${holders[0].consumerId}`, { key: s.secretKey, method: "DELETE" });
		expect(del.status, del.text).toBe(204);
		const res = await call("/api/v1/orders", { key: s.secretKey, body: exampleFor(holders[0], queueId) });
		expectProblem(res, 400, "Validation failed");
		expect(paths(res)).toEqual(["consumerId"]);
		expect(await countRows("orders", s.organizationId)).toBe(0);
		expect(await inventoryOf(s)).toBe(1000);
	});

	it("refuses a duplicate externalOrderId with 409, keeping one row, one unit taken, the second grant unused", async () => {
		const { s, queueId, holders } = await shopWithHolders(2);
		const first = await createOrder(s, exampleFor(holders[0], queueId));
		const res = await call("/api/orders", {
			key: s.secretKey,
			body: { ...exampleFor(holders[1], queueId), totalAmount: 5 },
		});
		expectProblem(res, 409, "Order already exists");
		expect(await countRows("orders", s.organizationId)).toBe(1);
		expect((await call(`/api/v1/orders/${first.id}`, { key: s.secretKey })).json.totalAmount).toBe(199.99);
		expect(await inventoryOf(s)).toBe(999);
		expect(await queueStatusOf(s, queueId, holders[1])).toBe("ADMITTED");
	});

	it("lets only one of two concurrent reports with the same externalOrderId through", async () => {
		const { s, queueId, holders } = await shopWithHolders(2);
		const [a, b] = await Promise.all([
			call("/api/v1/orders", { key: s.secretKey, body: exampleFor(holders[0], queueId) }),
			call("/api/orders", { key: s.secretKey, body: exampleFor(holders[1], queueId) }),
		]);
		expect([a.status, b.status].sort(), `${a.text} ${b.text}`).toEqual([201, 409]);
		const loser = a.status === 409 ? a : b;
		expect(loser.json.title).toBe("Order already exists");
		expect(await countRows("orders", s.organizationId)).toBe(1);
		expect(await inventoryOf(s)).toBe(999);
		const statuses = await Promise.all(holders.map((h) => queueStatusOf(s, queueId, h)));
		expect(statuses.sort()).toEqual(["ADMITTED", "COMPLETED"]);
	});

	it("allows the same externalOrderId in another org", async () => {
		const mine = await shopWithHolders(1);
		const theirs = await shopWithHolders(1);
		await createOrder(mine.s, exampleFor(mine.holders[0], mine.queueId));
		const order = await createOrder(theirs.s, exampleFor(theirs.holders[0], theirs.queueId));
		expect(order.organizationId).toBe(theirs.s.organizationId);
		expect(await countRows("orders", mine.s.organizationId)).toBe(1);
		expect(await countRows("orders", theirs.s.organizationId)).toBe(1);
	});

	it("requires a secret key", async () => {
		const { s, queueId, holders } = await shopWithHolders(1);
		const body = exampleFor(holders[0], queueId);
		expectProblem(await call("/api/v1/orders", { body }), 401, "Authentication required");
		expectProblem(await call("/api/v1/orders", { key: s.publishableKey, body }), 403, "Permission denied");
		expect(await countRows("orders", s.organizationId)).toBe(0);
		expect(await queueStatusOf(s, queueId, holders[0])).toBe("ADMITTED");
	});

	it("replays an idempotent report: the same order, Idempotent-Replayed, one row, one unit; another body → 422", async () => {
		const { s, queueId, holders } = await shopWithHolders(1);
		const body = exampleFor(holders[0], queueId);
		const headers = { "X-Idempotency-Key": "order-cb-1" };
		const first = await call("/api/v1/orders", { key: s.secretKey, body, headers });
		expect(first.status, first.text).toBe(201);
		expect(first.headers.get("Idempotent-Replayed")).toBeNull();

		const again = await call("/api/v1/orders", { key: s.secretKey, body, headers });
		expect(again.status, again.text).toBe(201);
		expect(again.headers.get("Idempotent-Replayed")).toBe("true");
		expect(again.json).toEqual(first.json);

		const other = await call("/api/v1/orders", { key: s.secretKey, body: { ...body, totalAmount: 1 }, headers });
		expectProblem(other, 422);

		expect(await countRows("orders", s.organizationId)).toBe(1);
		expect(await inventoryOf(s)).toBe(999);
	});
});

describe("POST /orders: the admission grant", () => {
	it("409 No admission for a consumer who never entered, or is still waiting; nothing stored", async () => {
		const s = await shop();
		const queue = await grantQueue(s);
		const outsider = await guest(s);
		const waiting = await guest(s);
		expect((await enter(s, queue.id, waiting)).json.status).toBe("QUEUED");

		for (const who of [outsider, waiting]) {
			const res = await call("/api/v1/orders", {
				key: s.secretKey,
				body: { ...specOrder, consumerId: who.consumerId, distributionId: queue.id },
			});
			expectProblem(res, 409, "No admission");
		}
		// A merchant-created consumer with no grant either.
		const created = await call("/api/v1/consumers", { key: s.secretKey, body: { email: "john@example.com" } });
		expect(created.status, created.text).toBe(201);
		const res = await call("/api/v1/orders", {
			key: s.secretKey,
			body: { ...specOrder, consumerId: created.json.id, distributionId: queue.id },
		});
		expectProblem(res, 409, "No admission");

		expect(await countRows("orders", s.organizationId)).toBe(0);
		expect(await inventoryOf(s)).toBe(1000);
		expect((await status(s, queue.id, waiting)).json.status).toBe("QUEUED");
	});

	it("is single use: a second order on the same grant is 409 Admission already used", async () => {
		const { s, queueId, holders } = await shopWithHolders(1);
		const [h] = holders;
		await createOrder(s, { ...exampleFor(h, queueId), externalOrderId: "FIRST" });

		const withToken = await call("/api/v1/orders", {
			key: s.secretKey,
			body: { ...exampleFor(h, queueId), externalOrderId: "SECOND", admissionToken: h.admissionToken },
		});
		expectProblem(withToken, 409, "Admission already used");

		// Without the token the consumer's grant is looked up: it is used, so still a 409.
		const withoutToken = await call("/api/v1/orders", {
			key: s.secretKey,
			body: { ...exampleFor(h, queueId), externalOrderId: "THIRD" },
		});
		expectProblem(withoutToken, 409);

		expect(await countRows("orders", s.organizationId)).toBe(1);
		expect(await inventoryOf(s)).toBe(999);
	});

	it("400 on admissionToken for another consumer's or another distribution's grant, or a forged one", async () => {
		const s = await shop();
		const qa = await grantQueue(s);
		const qb = await grantQueue(s);
		const [a1, a2] = await admitted(s, qa.id, 2);
		// a1 also holds a grant for queue B.
		expect((await enter(s, qb.id, a1)).status).toBe(200);
		expect((await call(`/api/v1/queues/${qb.id}/admit`, { key: s.secretKey, body: { count: 1 } })).status).toBe(200);
		const b1 = (await status(s, qb.id, a1)).json.admissionToken as string;
		expect(typeof b1).toBe("string");
		const other = await shopWithHolders(1);

		const tokens: [string, string][] = [
			["another consumer's grant", a2.admissionToken],
			["the consumer's grant for another distribution", b1],
			["another organization's grant", other.holders[0].admissionToken],
			["a forged token", `${a1.admissionToken.slice(0, -4)}AAAA`],
			["not a JWT", "garbage"],
		];
		for (const [label, admissionToken] of tokens) {
			const res = await call("/api/v1/orders", {
				key: s.secretKey,
				body: { ...exampleFor(a1, qa.id), admissionToken },
			});
			expect(res.status, `${label}: ${res.text}`).toBe(400);
			expect(paths(res), label).toEqual(["admissionToken"]);
		}
		expect(await countRows("orders", s.organizationId)).toBe(0);
		expect(await inventoryOf(s)).toBe(1000);
		for (const h of [a1, a2]) expect(await queueStatusOf(s, qa.id, h)).toBe("ADMITTED");
	});

	it("409 Admission revoked for a grant the merchant denied; nothing stored", async () => {
		const { s, queueId, holders } = await shopWithHolders(1);
		const [h] = holders;
		const denied = await call(`/api/v1/queues/${queueId}/entries/${h.consumerId}/deny`, {
			key: s.secretKey,
			body: { reason: "bot" },
		});
		expect(denied.status, denied.text).toBe(200);
		const res = await call("/api/v1/orders", {
			key: s.secretKey,
			body: { ...exampleFor(h, queueId), admissionToken: h.admissionToken },
		});
		expectProblem(res, 409, "Admission revoked");
		const noToken = await call("/api/v1/orders", { key: s.secretKey, body: exampleFor(h, queueId) });
		expectProblem(noToken, 409);
		expect(await countRows("orders", s.organizationId)).toBe(0);
		expect(await inventoryOf(s)).toBe(1000);
	});

	it("the grant's object fails before the use: 500, the order and its unit go back; the retry takes one unit", async () => {
		const { s, queueId, holders } = await shopWithHolders(1);
		const [h] = holders;
		await runInDurableObject(queueStub(queueId), (instance) => {
			const grants = (instance as unknown as { grants: { complete(...a: unknown[]): unknown } }).grants;
			const real = grants.complete.bind(grants);
			let calls = 0;
			grants.complete = (...a: unknown[]) => {
				if (calls++ === 0) throw new Error(`${FAULT} object reset mid-order`);
				return real(...a);
			};
		});
		const body = { ...exampleFor(h, queueId), externalOrderId: "LOST-1" };
		const failed = await call("/api/v1/orders", { key: s.secretKey, body });
		expect(failed.status, failed.text).toBe(500);
		expect(await countRows("orders", s.organizationId)).toBe(0);
		expect(await inventoryOf(s)).toBe(1000);
		expect(await queueStatusOf(s, queueId, h)).toBe("ADMITTED");
		// The merchant's retry of the same order goes through, and the grant buys one unit only.
		await createOrder(s, body);
		expect(await inventoryOf(s)).toBe(999);
		expect(await queueStatusOf(s, queueId, h)).toBe("COMPLETED");
	});

	it("the grant's answer is lost after the use: the order stands (201), one unit taken", async () => {
		const { s, queueId, holders } = await shopWithHolders(1);
		const [h] = holders;
		await runInDurableObject(queueStub(queueId), (instance) => {
			const target = instance as unknown as { arm(): Promise<void> };
			const real = target.arm.bind(instance);
			let calls = 0;
			target.arm = async () => {
				await real();
				if (calls++ === 0) throw new Error(`${FAULT} the answer was lost`);
			};
		});
		const res = await call("/api/v1/orders", { key: s.secretKey, body: exampleFor(h, queueId) });
		expect(res.status, res.text).toBe(201);
		expect(await countRows("orders", s.organizationId)).toBe(1);
		expect(await inventoryOf(s)).toBe(999);
		expect(await queueStatusOf(s, queueId, h)).toBe("COMPLETED");
	});

	it("409 Out of stock once the product has none left; the refused consumer keeps the grant", async () => {
		const { s, queueId, holders } = await shopWithHolders(2, { inventory: 1 });
		await createOrder(s, { ...exampleFor(holders[0], queueId), externalOrderId: "A" });
		expect(await inventoryOf(s)).toBe(0);
		const res = await call("/api/v1/orders", {
			key: s.secretKey,
			body: { ...exampleFor(holders[1], queueId), externalOrderId: "B" },
		});
		expectProblem(res, 409, "Out of stock");
		expect(await inventoryOf(s)).toBe(0);
		expect(await countRows("orders", s.organizationId)).toBe(1);
		expect(await queueStatusOf(s, queueId, holders[1])).toBe("ADMITTED");
	});

	it("untracked stock, or a sequence without a product, never runs out", async () => {
		const untracked = await shopWithHolders(2, { inventory: null });
		for (const [i, h] of untracked.holders.entries()) {
			await createOrder(untracked.s, { ...exampleFor(h, untracked.queueId), externalOrderId: `U-${i}` });
		}
		expect(await inventoryOf(untracked.s)).toBeNull();

		const noProduct = await shopWithHolders(1, { withProduct: false, inventory: 1 });
		await createOrder(noProduct.s, exampleFor(noProduct.holders[0], noProduct.queueId));
		expect(await inventoryOf(noProduct.s)).toBe(1);
	});
});

describe("POST /orders: bad input stores nothing", () => {
	const badAmounts: [string, unknown][] = [
		["a negative amount", -1],
		["a negative cent", -0.01],
		["three decimals", 199.999],
		["a sub-cent fraction hidden far out (199.990000001)", 199.990000001],
		["a sub-cent amount (0.000000001)", 0.000000001],
		["a string amount", "199.99"],
		["null", null],
		["a boolean", true],
		["an amount over the maximum", 1_000_000_000.01],
	];

	it("rejects bad amounts with 400 on totalAmount; the grant stays unused", async () => {
		const { s, queueId, holders } = await shopWithHolders(1);
		for (const [label, totalAmount] of badAmounts) {
			const res = await call("/api/v1/orders", {
				key: s.secretKey,
				body: { ...exampleFor(holders[0], queueId), totalAmount },
			});
			expect(res.status, `${label}: ${res.text}`).toBe(400);
			expect(res.json.title).toBe("Validation failed");
			expect(paths(res), label).toContain("totalAmount");
		}
		expect(await countRows("orders", s.organizationId)).toBe(0);
		expect(await inventoryOf(s)).toBe(1000);
		expect(await queueStatusOf(s, queueId, holders[0])).toBe("ADMITTED");
	});

	it("rejects each missing field, an empty body, blank strings and unknown fields with 400", async () => {
		const { s, queueId, holders } = await shopWithHolders(1);
		const full = exampleFor(holders[0], queueId);
		for (const field of ["consumerId", "distributionId", "externalOrderId", "totalAmount"] as const) {
			const body: Record<string, unknown> = { ...full };
			delete body[field];
			const res = await call("/api/v1/orders", { key: s.secretKey, body });
			expectProblem(res, 400, "Validation failed");
			expect(paths(res), field).toContain(field);
		}

		const empty = await call("/api/v1/orders", { key: s.secretKey, body: {} });
		expectProblem(empty, 400, "Validation failed");
		expect(paths(empty).sort()).toEqual(["consumerId", "distributionId", "externalOrderId", "totalAmount"].sort());

		for (const [body, path] of [
			[{ ...full, externalOrderId: "  " }, "externalOrderId"],
			[{ ...full, distributionId: "" }, "distributionId"],
			[{ ...full, consumerId: "" }, "consumerId"],
			[{ ...full, externalOrderId: "x".repeat(201) }, "externalOrderId"],
			[{ ...full, admissionToken: "" }, "admissionToken"],
			[{ ...full, currency: "USD" }, "currency"],
		] as const) {
			const res = await call("/api/v1/orders", { key: s.secretKey, body });
			expectProblem(res, 400, "Validation failed");
			expect(paths(res), JSON.stringify(body)).toContain(path);
		}
		expect(await countRows("orders", s.organizationId)).toBe(0);
		expect(await inventoryOf(s)).toBe(1000);
		expect(await queueStatusOf(s, queueId, holders[0])).toBe("ADMITTED");
	});

	it("rejects malformed JSON with 400, not 500", async () => {
		const { s, holders } = await shopWithHolders(1);
		const res = await call("/api/orders", {
			key: s.secretKey,
			method: "POST",
			raw: `{"consumerId": "${holders[0].consumerId}", "totalAmount": 1`,
			headers: { "Content-Type": "application/json" },
		});
		expectProblem(res, 400, "Validation failed");
		expect(await countRows("orders", s.organizationId)).toBe(0);
	});
});

describe("GET /orders", () => {
	it("lists newest first, filters by consumerId and distributionId, and pages", async () => {
		const s = await shop();
		const qa = await grantQueue(s);
		const qb = await grantQueue(s);
		const [c1, c2] = await admitted(s, qa.id, 2);
		expect((await enter(s, qb.id, c1)).status).toBe(200);
		expect((await call(`/api/v1/queues/${qb.id}/admit`, { key: s.secretKey, body: { count: 1 } })).json).toEqual({
			admitted: 1,
		});

		const o1 = await createOrder(s, { ...orderBody(c1, qa.id, "E1", 1) });
		const o2 = await createOrder(s, { ...orderBody(c1, qb.id, "E2", 2) });
		const o3 = await createOrder(s, { ...orderBody(c2, qa.id, "E3", 3) });

		const all = await call("/api/orders", { key: s.secretKey });
		expect(all.status).toBe(200);
		expect(ids(all)).toEqual([o3.id, o2.id, o1.id]);
		expect(all.json.data[0]).toEqual(o3);
		expect(all.json.nextCursor).toBeNull();

		const byConsumer = await call(`/api/v1/orders?consumerId=${c1.consumerId}`, { key: s.secretKey });
		expect(ids(byConsumer)).toEqual([o2.id, o1.id]);

		const byDistribution = await call(`/api/v1/orders?distributionId=${qa.id}`, { key: s.secretKey });
		expect(ids(byDistribution)).toEqual([o3.id, o1.id]);

		const both = await call(`/api/v1/orders?consumerId=${c1.consumerId}&distributionId=${qa.id}`, {
			key: s.secretKey,
		});
		expect(ids(both)).toEqual([o1.id]);

		const none = await call("/api/v1/orders?distributionId=dist_none", { key: s.secretKey });
		expect(none.json).toEqual({ data: [], nextCursor: null });

		const page1 = await call("/api/v1/orders?limit=2", { key: s.secretKey });
		expect(ids(page1)).toEqual([o3.id, o2.id]);
		expect(page1.json.nextCursor).toEqual(expect.any(String));
		const page2 = await call(`/api/v1/orders?limit=2&cursor=${encodeURIComponent(page1.json.nextCursor)}`, {
			key: s.secretKey,
		});
		expect(ids(page2)).toEqual([o1.id]);
		expect(page2.json.nextCursor).toBeNull();

		// Paging within a filter.
		const f1 = await call(`/api/v1/orders?distributionId=${qa.id}&limit=1`, { key: s.secretKey });
		expect(ids(f1)).toEqual([o3.id]);
		const f2 = await call(
			`/api/v1/orders?distributionId=${qa.id}&limit=1&cursor=${encodeURIComponent(f1.json.nextCursor)}`,
			{ key: s.secretKey },
		);
		expect(ids(f2)).toEqual([o1.id]);
		expect(f2.json.nextCursor).toBeNull();
	});

	it("rejects bad paging parameters with 400", async () => {
		const org = await createOrg();
		for (const qs of ["limit=0", "limit=101", "cursor=garbage"]) {
			expectProblem(await call(`/api/v1/orders?${qs}`, { key: org.secretKey }), 400, "Validation failed");
		}
	});

	it("gets one order by id, and 404 for an unknown id", async () => {
		const { s, queueId, holders } = await shopWithHolders(1);
		const order = await createOrder(s, exampleFor(holders[0], queueId));
		const res = await call(`/api/orders/${order.id}`, { key: s.secretKey });
		expect(res.status).toBe(200);
		expect(res.json).toEqual(order);
		expectProblem(
			await call("/api/v1/orders/ord_01HXYZ123456789ABCDEFGHJK", { key: s.secretKey }),
			404,
			"Order not found",
		);
	});

	it("keeps an order readable after its consumer is deleted", async () => {
		const { s, queueId, holders } = await shopWithHolders(1);
		const order = await createOrder(s, exampleFor(holders[0], queueId));
		const del = await call(`/api/v1/consumers/${holders[0].consumerId}`, { key: s.secretKey, method: "DELETE" });
		expect(del.status, del.text).toBe(204);
		const res = await call(`/api/v1/orders/${order.id}`, { key: s.secretKey });
		expect(res.status).toBe(200);
		expect(res.json).toEqual(order);
		const listed = await call(`/api/v1/orders?consumerId=${holders[0].consumerId}`, { key: s.secretKey });
		expect(ids(listed)).toEqual([order.id]);
	});
});

describe("tenant isolation", () => {
	it("answers 404 for another org's order and never lists it", async () => {
		const mine = await shopWithHolders(1);
		const theirs = await shopWithHolders(1);
		const s = mine.s;
		const order = await createOrder(theirs.s, exampleFor(theirs.holders[0], theirs.queueId));

		expectProblem(await call(`/api/v1/orders/${order.id}`, { key: s.secretKey }), 404, "Order not found");
		expectProblem(await call(`/api/orders/${order.id}`, { key: s.secretKey }), 404, "Order not found");

		const list = await call("/api/v1/orders", { key: s.secretKey });
		expect(list.json.data).toEqual([]);
		const filtered = await call(`/api/v1/orders?consumerId=${theirs.holders[0].consumerId}`, { key: s.secretKey });
		expect(filtered.json.data).toEqual([]);
		const byDist = await call(`/api/v1/orders?distributionId=${theirs.queueId}`, { key: s.secretKey });
		expect(byDist.json.data).toEqual([]);
	});
});

describe("rate limit", () => {
	it("allows 50 order POSTs per minute per key; the 51st gets 429 with Retry-After", async () => {
		// 51 consumers holding real grants, so every request would otherwise succeed.
		const { s, queueId, holders } = await shopWithHolders(51);
		for (let i = 0; i < 50; i++) {
			const res = await call(i % 2 ? "/api/orders" : "/api/v1/orders", {
				key: s.secretKey,
				body: orderBody(holders[i], queueId, `RL-${i}`),
			});
			expect(res.status, `request ${i + 1}: ${res.text}`).toBe(201);
			expect(res.headers.get("RateLimit-Limit")).toBe("50");
			expect(res.headers.get("RateLimit-Remaining")).toBe(String(49 - i));
		}
		const res = await call("/api/v1/orders", {
			key: s.secretKey,
			body: orderBody(holders[50], queueId, "RL-50"),
		});
		expectProblem(res, 429, "Rate limit exceeded");
		const retryAfter = Number(res.headers.get("Retry-After"));
		expect(Number.isInteger(retryAfter)).toBe(true);
		expect(retryAfter).toBeGreaterThanOrEqual(1);
		expect(retryAfter).toBeLessThanOrEqual(60);
		expect(res.headers.get("RateLimit-Remaining")).toBe("0");
		expect(await countRows("orders", s.organizationId)).toBe(50);
		expect(await queueStatusOf(s, queueId, holders[50])).toBe("ADMITTED");

		// The budget is per bucket: consumers and products still work with the same key.
		expect((await call("/api/v1/consumers", { key: s.secretKey })).status).toBe(200);
		expect(await inventoryOf(s)).toBe(950);

		// And per key: another secret key of the organization reports the 51st order.
		const other = await extraSecretKey(s);
		await createOrder(s, orderBody(holders[50], queueId, "RL-50"), other);
		expect(await countRows("orders", s.organizationId)).toBe(51);
	});
});

describe("consumer API", () => {
	it("a COMPLETED consumer's status carries no grant and no checkoutUrl", async () => {
		const { s, queueId, holders } = await shopWithHolders(1);
		await createOrder(s, exampleFor(holders[0], queueId));
		const st = await consumerCall(s, `/queues/${queueId}/status`, { token: holders[0].accessToken });
		expect(st.status, st.text).toBe(200);
		expect(st.json.status).toBe("COMPLETED");
		expect(st.json.admissionToken).toBeUndefined();
		expect(st.json.checkoutUrl).toBeUndefined();
	});
});
