import { beforeEach, describe, expect, it } from "vitest";
import { call, countRows, createOrg, type TestOrg } from "./helpers";

let org: TestOrg;
beforeEach(async () => {
	org = await createOrg();
});

const sneaker = {
	name: "Limited Edition Sneakers",
	description: "Exclusive release",
	price: 199.99,
	sku: "SNKR-001",
	inventory: 100,
};

describe("products", () => {
	it("creates a product exactly as the spec's example", async () => {
		const res = await call("/api/products", { key: org.secretKey, body: sneaker });
		expect(res.status).toBe(201);
		expect(res.json).toMatchObject({ ...sneaker, organizationId: org.organizationId });
		expect(res.json.id).toMatch(/^prod_[0-9A-Z]{26}$/);
		expect(res.json.createdAt).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
		expect(res.headers.get("X-Request-Id")).toMatch(/^req_/);
	});
});
