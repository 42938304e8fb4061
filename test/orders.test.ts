import { env } from "cloudflare:workers";
import { beforeEach, describe, expect, it } from "vitest";
import { call, countRows, createOrg, type TestOrg } from "./helpers";

/** The spec's example order; `consumerId` is replaced by a real consumer where the test needs one. */
const specOrder = {
	consumerId: "con_123",
	distributionId: "dist_456",
	externalOrderId: "YOUR-ORDER-123",
	totalAmount: 199.99,
};

const ISO_SECONDS = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/;

let org: TestOrg;
let consumerId: string;

async function createConsumer(key: string, email: string): Promise<string> {
	const res = await call("/api/v1/consumers", { key, body: { email } });
	expect(res.status, res.text).toBe(201);
	return res.json.id;
}

async function createOrder(body: Record<string, unknown>, key = org.secretKey, path = "/api/v1/orders") {
	const res = await call(path, { key, body });
	expect(res.status, res.text).toBe(201);
	return res.json;
}

function expectProblem(res: Awaited<ReturnType<typeof call>>, status: number, title?: string) {
	expect(res.status, res.text).toBe(status);
	expect(res.headers.get("Content-Type")).toMatch(/^application\/problem\+json/);
	expect(res.json.status).toBe(status);
	if (title) expect(res.json.title).toBe(title);
}

const ids = (res: Awaited<ReturnType<typeof call>>) => res.json.data.map((o: { id: string }) => o.id);

beforeEach(async () => {
	org = await createOrg();
	consumerId = await createConsumer(org.secretKey, "john@example.com");
});

describe("POST /orders", () => {
	it("reports the spec's example order on /api/orders", async () => {
		const res = await call("/api/orders", { key: org.secretKey, body: { ...specOrder, consumerId } });
		expect(res.status).toBe(201);
		expect(res.json).toMatchObject({
			...specOrder,
			consumerId,
			organizationId: org.organizationId,
			totalAmount: 199.99,
		});
		expect(res.json.id).toMatch(/^ord_[0-9A-Z]{26}$/);
		expect(res.json.createdAt).toMatch(ISO_SECONDS);
		expect(res.json.updatedAt).toMatch(ISO_SECONDS);
		expect(await countRows("orders", org.organizationId)).toBe(1);

		// Stored as integer minor units.
		const row = await env.DB.prepare("SELECT total_amount FROM orders WHERE id = ?")
			.bind(res.json.id)
			.first<{ total_amount: number }>();
		expect(row?.total_amount).toBe(19999);

		// The alias and the versioned path are the same resource.
		const got = await call(`/api/v1/orders/${res.json.id}`, { key: org.secretKey });
		expect(got.status).toBe(200);
		expect(got.json).toEqual(res.json);
	});

	it("accepts amounts at the edges: 0, whole numbers, one decimal, float-tricky cents", async () => {
		const amounts = [0, 100, 0.1, 0.29, 1.15, 19.99, 1_000_000_000];
		for (const [i, totalAmount] of amounts.entries()) {
			const order = await createOrder({ ...specOrder, consumerId, externalOrderId: `EDGE-${i}`, totalAmount });
			expect(order.totalAmount).toBe(totalAmount);
		}
	});

	it("answers 400 on consumerId for the spec's unknown consumer, storing nothing", async () => {
		const res = await call("/api/orders", { key: org.secretKey, body: specOrder });
		expectProblem(res, 400, "Validation failed");
		expect(res.json.errors[0].path).toBe("consumerId");
		expect(await countRows("orders", org.organizationId)).toBe(0);
	});

	it("answers 400 for another org's consumer, storing nothing in either org", async () => {
		const other = await createOrg();
		const theirConsumer = await createConsumer(other.secretKey, "theirs@example.com");
		const res = await call("/api/v1/orders", {
			key: org.secretKey,
			body: { ...specOrder, consumerId: theirConsumer },
		});
		expectProblem(res, 400, "Validation failed");
		expect(res.json.errors[0].path).toBe("consumerId");
		expect(await countRows("orders", org.organizationId)).toBe(0);
		expect(await countRows("orders", other.organizationId)).toBe(0);
	});

	it("answers 400 for a consumer deleted before the order", async () => {
		await call(`/api/v1/consumers/${consumerId}`, { key: org.secretKey, method: "DELETE" });
		const res = await call("/api/v1/orders", { key: org.secretKey, body: { ...specOrder, consumerId } });
		expectProblem(res, 400);
		expect(res.json.errors[0].path).toBe("consumerId");
		expect(await countRows("orders", org.organizationId)).toBe(0);
	});

	it("refuses a duplicate externalOrderId with 409, keeping one row", async () => {
		const first = await createOrder({ ...specOrder, consumerId });
		const res = await call("/api/orders", {
			key: org.secretKey,
			body: { ...specOrder, consumerId, totalAmount: 5 },
		});
		expectProblem(res, 409, "Order already exists");
		expect(await countRows("orders", org.organizationId)).toBe(1);
		expect((await call(`/api/v1/orders/${first.id}`, { key: org.secretKey })).json.totalAmount).toBe(199.99);
	});

	it("lets only one of two concurrent reports with the same externalOrderId through", async () => {
		const body = { ...specOrder, consumerId };
		const [a, b] = await Promise.all([
			call("/api/v1/orders", { key: org.secretKey, body }),
			call("/api/orders", { key: org.secretKey, body }),
		]);
		expect([a.status, b.status].sort()).toEqual([201, 409]);
		expect(await countRows("orders", org.organizationId)).toBe(1);
	});

	it("allows the same externalOrderId in another org", async () => {
		const other = await createOrg();
		const theirConsumer = await createConsumer(other.secretKey, "john@example.com");
		await createOrder({ ...specOrder, consumerId });
		const theirs = await createOrder({ ...specOrder, consumerId: theirConsumer }, other.secretKey);
		expect(theirs.organizationId).toBe(other.organizationId);
		expect(await countRows("orders", org.organizationId)).toBe(1);
		expect(await countRows("orders", other.organizationId)).toBe(1);
	});

	it("requires a secret key", async () => {
		const body = { ...specOrder, consumerId };
		expectProblem(await call("/api/v1/orders", { body }), 401, "Authentication required");
		expectProblem(await call("/api/v1/orders", { key: org.publishableKey, body }), 403, "Permission denied");
		expect(await countRows("orders", org.organizationId)).toBe(0);
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
	for (const [label, totalAmount] of badAmounts) {
		it(`rejects ${label} with 400 on totalAmount`, async () => {
			const res = await call("/api/v1/orders", {
				key: org.secretKey,
				body: { ...specOrder, consumerId, totalAmount },
			});
			expectProblem(res, 400, "Validation failed");
			expect(res.json.errors.map((e: { path: string }) => e.path)).toContain("totalAmount");
			expect(await countRows("orders", org.organizationId)).toBe(0);
		});
	}

	for (const field of ["consumerId", "distributionId", "externalOrderId", "totalAmount"] as const) {
		it(`rejects a missing ${field} with 400`, async () => {
			const body: Record<string, unknown> = { ...specOrder, consumerId };
			delete body[field];
			const res = await call("/api/v1/orders", { key: org.secretKey, body });
			expectProblem(res, 400, "Validation failed");
			expect(res.json.errors.map((e: { path: string }) => e.path)).toContain(field);
			expect(await countRows("orders", org.organizationId)).toBe(0);
		});
	}

	it("rejects an empty body, listing every required field", async () => {
		const res = await call("/api/v1/orders", { key: org.secretKey, body: {} });
		expectProblem(res, 400, "Validation failed");
		expect(res.json.errors.map((e: { path: string }) => e.path).sort()).toEqual(
			["consumerId", "distributionId", "externalOrderId", "totalAmount"].sort(),
		);
		expect(await countRows("orders", org.organizationId)).toBe(0);
	});

	it("rejects blank strings and an unknown field", async () => {
		for (const [body, path] of [
			[{ ...specOrder, consumerId, externalOrderId: "  " }, "externalOrderId"],
			[{ ...specOrder, consumerId, distributionId: "" }, "distributionId"],
			[{ ...specOrder, consumerId, currency: "USD" }, "currency"],
		] as const) {
			const res = await call("/api/v1/orders", { key: org.secretKey, body });
			expectProblem(res, 400, "Validation failed");
			expect(res.json.errors.map((e: { path: string }) => e.path)).toContain(path);
		}
		expect(await countRows("orders", org.organizationId)).toBe(0);
	});

	it("rejects malformed JSON with 400, not 500", async () => {
		const res = await call("/api/orders", {
			key: org.secretKey,
			method: "POST",
			raw: `{"consumerId": "${consumerId}", "totalAmount": 1`,
			headers: { "Content-Type": "application/json" },
		});
		expectProblem(res, 400, "Validation failed");
		expect(await countRows("orders", org.organizationId)).toBe(0);
	});
});

describe("GET /orders", () => {
	it("lists newest first, filters by consumerId and distributionId, and pages", async () => {
		const otherConsumer = await createConsumer(org.secretKey, "jane@example.com");
		const o1 = await createOrder({ consumerId, distributionId: "dist_A", externalOrderId: "E1", totalAmount: 1 });
		const o2 = await createOrder({ consumerId, distributionId: "dist_B", externalOrderId: "E2", totalAmount: 2 });
		const o3 = await createOrder({
			consumerId: otherConsumer,
			distributionId: "dist_A",
			externalOrderId: "E3",
			totalAmount: 3,
		});

		const all = await call("/api/orders", { key: org.secretKey });
		expect(all.status).toBe(200);
		expect(ids(all)).toEqual([o3.id, o2.id, o1.id]);
		expect(all.json.data[0]).toEqual(o3);
		expect(all.json.nextCursor).toBeNull();

		const byConsumer = await call(`/api/v1/orders?consumerId=${consumerId}`, { key: org.secretKey });
		expect(ids(byConsumer)).toEqual([o2.id, o1.id]);

		const byDistribution = await call("/api/v1/orders?distributionId=dist_A", { key: org.secretKey });
		expect(ids(byDistribution)).toEqual([o3.id, o1.id]);

		const both = await call(`/api/v1/orders?consumerId=${consumerId}&distributionId=dist_A`, {
			key: org.secretKey,
		});
		expect(ids(both)).toEqual([o1.id]);

		const none = await call("/api/v1/orders?distributionId=dist_none", { key: org.secretKey });
		expect(none.json).toEqual({ data: [], nextCursor: null });

		const page1 = await call("/api/v1/orders?limit=2", { key: org.secretKey });
		expect(ids(page1)).toEqual([o3.id, o2.id]);
		expect(page1.json.nextCursor).toEqual(expect.any(String));
		const page2 = await call(`/api/v1/orders?limit=2&cursor=${encodeURIComponent(page1.json.nextCursor)}`, {
			key: org.secretKey,
		});
		expect(ids(page2)).toEqual([o1.id]);
		expect(page2.json.nextCursor).toBeNull();

		// Paging within a filter.
		const f1 = await call("/api/v1/orders?distributionId=dist_A&limit=1", { key: org.secretKey });
		expect(ids(f1)).toEqual([o3.id]);
		const f2 = await call(
			`/api/v1/orders?distributionId=dist_A&limit=1&cursor=${encodeURIComponent(f1.json.nextCursor)}`,
			{ key: org.secretKey },
		);
		expect(ids(f2)).toEqual([o1.id]);
		expect(f2.json.nextCursor).toBeNull();
	});

	it("rejects bad paging parameters with 400", async () => {
		for (const qs of ["limit=0", "limit=101", "cursor=garbage"]) {
			expectProblem(await call(`/api/v1/orders?${qs}`, { key: org.secretKey }), 400, "Validation failed");
		}
	});

	it("gets one order by id, and 404 for an unknown id", async () => {
		const order = await createOrder({ ...specOrder, consumerId });
		const res = await call(`/api/orders/${order.id}`, { key: org.secretKey });
		expect(res.status).toBe(200);
		expect(res.json).toEqual(order);
		expectProblem(
			await call("/api/v1/orders/ord_01HXYZ123456789ABCDEFGHJK", { key: org.secretKey }),
			404,
			"Order not found",
		);
	});

	it("keeps an order readable after its consumer is deleted", async () => {
		const order = await createOrder({ ...specOrder, consumerId });
		await call(`/api/v1/consumers/${consumerId}`, { key: org.secretKey, method: "DELETE" });
		const res = await call(`/api/v1/orders/${order.id}`, { key: org.secretKey });
		expect(res.status).toBe(200);
		expect(res.json.consumerId).toBe(consumerId);
	});
});

describe("tenant isolation", () => {
	it("answers 404 for another org's order and never lists it", async () => {
		const other = await createOrg();
		const theirConsumer = await createConsumer(other.secretKey, "theirs@example.com");
		const theirs = await createOrder({ ...specOrder, consumerId: theirConsumer }, other.secretKey);

		expectProblem(await call(`/api/v1/orders/${theirs.id}`, { key: org.secretKey }), 404, "Order not found");
		expectProblem(await call(`/api/orders/${theirs.id}`, { key: org.secretKey }), 404, "Order not found");

		const list = await call("/api/v1/orders", { key: org.secretKey });
		expect(list.json.data).toEqual([]);
		const filtered = await call(`/api/v1/orders?consumerId=${theirConsumer}`, { key: org.secretKey });
		expect(filtered.json.data).toEqual([]);
		const byDist = await call("/api/v1/orders?distributionId=dist_456", { key: org.secretKey });
		expect(byDist.json.data).toEqual([]);
	});
});

describe("rate limit", () => {
	it("allows 50 order POSTs per minute per key; the 51st gets 429 with Retry-After", async () => {
		for (let i = 0; i < 50; i++) {
			const res = await call(i % 2 ? "/api/orders" : "/api/v1/orders", {
				key: org.secretKey,
				body: { ...specOrder, consumerId, externalOrderId: `RL-${i}` },
			});
			expect(res.status, `request ${i + 1}: ${res.text}`).toBe(201);
			expect(res.headers.get("RateLimit-Limit")).toBe("50");
			expect(res.headers.get("RateLimit-Remaining")).toBe(String(49 - i));
		}
		const res = await call("/api/v1/orders", {
			key: org.secretKey,
			body: { ...specOrder, consumerId, externalOrderId: "RL-50" },
		});
		expectProblem(res, 429, "Rate limit exceeded");
		const retryAfter = Number(res.headers.get("Retry-After"));
		expect(Number.isInteger(retryAfter)).toBe(true);
		expect(retryAfter).toBeGreaterThanOrEqual(1);
		expect(retryAfter).toBeLessThanOrEqual(60);
		expect(res.headers.get("RateLimit-Remaining")).toBe("0");
		expect(await countRows("orders", org.organizationId)).toBe(50);

		// The budget is per bucket: consumers still work with the same key.
		const consumers = await call("/api/v1/consumers", { key: org.secretKey });
		expect(consumers.status).toBe(200);
	});
});
