/**
 * /api/v1/products and its spec alias /api/products: CRUD, paging, validation and tenancy.
 * Every rejected write also proves that nothing was stored (countRows).
 */
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { SNEAKER } from "../support/catalog";
import { call, countRows, createOrg, type TestOrg } from "../support/helpers";
import { allPages } from "../support/pages";
import { expectFieldError, expectProblem } from "../support/problems";

const V1 = "/api/v1/products";
const SPEC = "/api/products";

const ISO_UTC = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/;
const PROD_ID = /^prod_[0-9A-HJKMNP-TV-Z]{26}$/;

async function create(org: TestOrg, body: Record<string, unknown>, path = V1) {
	const res = await call(path, { key: org.secretKey, body });
	expect(res.status, res.text).toBe(201);
	return res.json;
}

/** `n` products created one after the other, so their creation order is known (oldest first). */
async function createSequential(org: TestOrg, n: number, prefix = "P") {
	const out: any[] = [];
	for (let i = 0; i < n; i++)
		out.push(await create(org, { name: `${prefix} ${i}`, price: i + 0.5, sku: `${prefix}-${i}` }));
	return out;
}

describe("POST /products", () => {
	it("creates the spec's example product, field for field, on the spec path", async () => {
		const org = await createOrg();
		const res = await call(SPEC, { key: org.secretKey, body: SNEAKER });
		expect(res.status).toBe(201);
		expect(res.headers.get("Content-Type")).toMatch(/^application\/json/);
		expect(res.json.name).toBe("Limited Edition Sneakers");
		expect(res.json.description).toBe("Exclusive release");
		expect(res.json.price).toBe(199.99);
		expect(res.json.sku).toBe("SNKR-001");
		expect(res.json.inventory).toBe(100);
		expect(res.json.organizationId).toBe(org.organizationId);
		expect(res.json.id).toMatch(PROD_ID);
		expect(res.json.createdAt).toMatch(ISO_UTC);
		expect(res.json.updatedAt).toMatch(ISO_UTC);
		expect(Math.abs(Date.parse(res.json.createdAt) - Date.now())).toBeLessThan(60_000);
		expect(Object.keys(res.json).sort()).toEqual(
			["createdAt", "description", "id", "inventory", "name", "organizationId", "price", "sku", "updatedAt"].sort(),
		);
		expect(await countRows("products", org.organizationId)).toBe(1);
	});

	it("creates on /api/v1/products and both paths see the same catalog", async () => {
		const org = await createOrg();
		const created = await create(org, SNEAKER, V1);
		const viaSpec = await call(`${SPEC}/${created.id}`, { key: org.secretKey });
		expect(viaSpec.status).toBe(200);
		expect(viaSpec.json).toEqual(created);
		const list = await call(SPEC, { key: org.secretKey });
		expect(list.json.data.map((p: any) => p.id)).toEqual([created.id]);
	});

	it("omitting inventory and description stores null for both", async () => {
		const org = await createOrg();
		const res = await call(V1, { key: org.secretKey, body: { name: "Product Name", price: 99.99, sku: "SKU-123" } });
		expect(res.status).toBe(201);
		expect(res.json.inventory).toBeNull();
		expect(res.json.description).toBeNull();
		const got = await call(`${V1}/${res.json.id}`, { key: org.secretKey });
		expect(got.json.inventory).toBeNull();
		expect(got.json.description).toBeNull();
	});

	it("accepts boundary values: price 0, whole prices, inventory 0, 200-char name, 5000-char description", async () => {
		const org = await createOrg();
		const a = await create(org, { name: "x".repeat(200), price: 0, sku: "A", inventory: 0 });
		expect(a.price).toBe(0);
		expect(a.inventory).toBe(0);
		expect(a.name).toHaveLength(200);
		const b = await create(org, { name: "B", description: "d".repeat(5000), price: 100, sku: "B" });
		expect(b.price).toBe(100);
		expect(b.description).toHaveLength(5000);
		// Binary floating point must not reject or distort two-decimal prices.
		for (const [i, price] of [0.1, 0.29, 19.99, 1.15, 1_000_000_000].entries()) {
			const c = await create(org, { name: `C${i}`, price, sku: `C${i}` });
			expect(c.price).toBe(price);
			expect((await call(`${V1}/${c.id}`, { key: org.secretKey })).json.price).toBe(price);
		}
		expect(await countRows("products", org.organizationId)).toBe(7);
	});

	it("accepts application/json with a charset parameter", async () => {
		const org = await createOrg();
		const res = await call(V1, {
			key: org.secretKey,
			raw: JSON.stringify(SNEAKER),
			headers: { "Content-Type": "application/json; charset=utf-8" },
		});
		expect(res.status).toBe(201);
		expect(res.json.sku).toBe("SNKR-001");
	});
});

describe("POST /products: bad input stores nothing", () => {
	const cases: [string, unknown, string][] = [
		["missing name", { price: 1, sku: "S" }, "name"],
		["missing price", { name: "N", sku: "S" }, "price"],
		["missing sku", { name: "N", price: 1 }, "sku"],
		["negative price", { ...SNEAKER, price: -1 }, "price"],
		["negative fractional price", { ...SNEAKER, price: -0.01 }, "price"],
		["price as a string", { ...SNEAKER, price: "abc" }, "price"],
		["price as a numeric string", { ...SNEAKER, price: "199.99" }, "price"],
		["price with 3 decimals", { ...SNEAKER, price: 199.999 }, "price"],
		["price null", { ...SNEAKER, price: null }, "price"],
		["price above the maximum", { ...SNEAKER, price: 1_000_000_000.01 }, "price"],
		["price 1.005 (3 decimals)", { ...SNEAKER, price: 1.005 }, "price"],
		["inventory -1", { ...SNEAKER, inventory: -1 }, "inventory"],
		["inventory 1.5", { ...SNEAKER, inventory: 1.5 }, "inventory"],
		['inventory "10"', { ...SNEAKER, inventory: "10" }, "inventory"],
		["name over 200 chars", { ...SNEAKER, name: "n".repeat(201) }, "name"],
		["blank name", { ...SNEAKER, name: "   " }, "name"],
		["description over 5000 chars", { ...SNEAKER, description: "d".repeat(5001) }, "description"],
		["empty sku", { ...SNEAKER, sku: "" }, "sku"],
		["sku with a space", { ...SNEAKER, sku: "SNKR 001" }, "sku"],
		["name as a number", { ...SNEAKER, name: 42 }, "name"],
	];

	for (const [label, body, path] of cases) {
		it(`${label} → 400 naming ${path}`, async () => {
			const org = await createOrg();
			const res = await call(V1, { key: org.secretKey, body });
			expectFieldError(res, path);
			expect(await countRows("products", org.organizationId)).toBe(0);
		});
	}

	it("missing every required field → 400 naming name, price and sku", async () => {
		const org = await createOrg();
		const res = await call(V1, { key: org.secretKey, body: {} });
		const p = expectProblem(res, 400, "Validation failed");
		const paths = (p.errors ?? []).map((e) => e.path);
		expect(paths).toEqual(expect.arrayContaining(["name", "price", "sku"]));
		expect(await countRows("products", org.organizationId)).toBe(0);
	});

	it("unknown fields → 400 whose errors name each unknown field", async () => {
		const org = await createOrg();
		const res = await call(V1, { key: org.secretKey, body: { ...SNEAKER, color: "red", vendorId: 7 } });
		const p = expectFieldError(res, "color");
		const paths = (p.errors ?? []).flatMap((e) => e.path.split(/,\s*/));
		expect(paths).toContain("vendorId");
		expect(await countRows("products", org.organizationId)).toBe(0);
	});

	it("malformed JSON → 400 problem, not 500", async () => {
		const org = await createOrg();
		const res = await call(V1, {
			key: org.secretKey,
			raw: '{"name": "Sneakers", "price": ',
			headers: { "Content-Type": "application/json" },
		});
		expectProblem(res, 400, "Validation failed");
		expect(await countRows("products", org.organizationId)).toBe(0);
	});

	it("NaN as a bare JSON token → 400 (it is not valid JSON)", async () => {
		const org = await createOrg();
		const res = await call(V1, {
			key: org.secretKey,
			raw: '{"name": "N", "price": NaN, "sku": "S"}',
			headers: { "Content-Type": "application/json" },
		});
		expectProblem(res, 400);
		expect(await countRows("products", org.organizationId)).toBe(0);
	});

	it("a JSON array body → 400", async () => {
		const org = await createOrg();
		const res = await call(V1, { key: org.secretKey, body: [SNEAKER] });
		expectProblem(res, 400, "Validation failed");
		expect(await countRows("products", org.organizationId)).toBe(0);
	});

	it("text/plain body → 415 problem", async () => {
		const org = await createOrg();
		const res = await call(V1, {
			key: org.secretKey,
			raw: JSON.stringify(SNEAKER),
			headers: { "Content-Type": "text/plain" },
		});
		expectProblem(res, 415);
		expect(await countRows("products", org.organizationId)).toBe(0);
	});

	it("form-encoded body → 415 problem", async () => {
		const org = await createOrg();
		const res = await call(V1, {
			key: org.secretKey,
			raw: "name=Sneakers&price=1&sku=S",
			headers: { "Content-Type": "application/x-www-form-urlencoded" },
		});
		expectProblem(res, 415);
		expect(await countRows("products", org.organizationId)).toBe(0);
	});

	it("duplicate SKU in the same org → 409, first product intact", async () => {
		const org = await createOrg();
		const first = await create(org, SNEAKER);
		const res = await call(V1, { key: org.secretKey, body: { ...SNEAKER, name: "Another", price: 5 } });
		expectProblem(res, 409, "SKU already exists");
		expect(await countRows("products", org.organizationId)).toBe(1);
		const got = await call(`${V1}/${first.id}`, { key: org.secretKey });
		expect(got.json).toEqual(first);
	});

	it("the same SKU is allowed in another org", async () => {
		const a = await createOrg();
		const b = await createOrg();
		const pa = await create(a, SNEAKER);
		const pb = await create(b, SNEAKER);
		expect(pb.id).not.toBe(pa.id);
		expect(pb.organizationId).toBe(b.organizationId);
		expect(await countRows("products", a.organizationId)).toBe(1);
		expect(await countRows("products", b.organizationId)).toBe(1);
	});
});

describe("GET /products (list)", () => {
	it("an empty catalog lists as { data: [], nextCursor: null }", async () => {
		const org = await createOrg();
		const res = await call(V1, { key: org.secretKey });
		expect(res.status).toBe(200);
		expect(res.json).toEqual({ data: [], nextCursor: null });
	});

	it("lists newest first with full product objects", async () => {
		const org = await createOrg();
		const made = await createSequential(org, 4);
		const res = await call(V1, { key: org.secretKey });
		expect(res.status).toBe(200);
		expect(res.json.nextCursor).toBeNull();
		expect(res.json.data).toEqual([...made].reverse());
	});

	it("pages with limit/cursor through several pages with no duplicates or gaps", async () => {
		const org = await createOrg();
		const made = await createSequential(org, 7);
		const pages = await allPages(`${V1}?limit=3`, org.secretKey, 49);
		expect(pages.map((p) => p.data.length)).toEqual([3, 3, 1]);
		expect(pages.at(-1)?.nextCursor).toBeNull();
		for (const p of pages.slice(0, -1)) expect(p.nextCursor).toBeTypeOf("string");
		const ids = pages.flatMap((p) => p.data.map((x: any) => x.id));
		expect(ids).toEqual(made.map((p) => p.id).reverse());
		expect(new Set(ids).size).toBe(7);
	});

	it("a page that exactly fills the catalog has nextCursor null", async () => {
		const org = await createOrg();
		await createSequential(org, 3);
		const pages = await allPages(`${V1}?limit=3`, org.secretKey, 49);
		expect(pages).toHaveLength(1);
		expect(pages[0].data).toHaveLength(3);
		expect(pages[0].nextCursor).toBeNull();
	});

	it("limit=1 walks every product one by one", async () => {
		const org = await createOrg();
		const made = await createSequential(org, 4);
		const pages = await allPages(`${V1}?limit=1`, org.secretKey, 49);
		expect(pages.map((p) => p.data[0].id)).toEqual(made.map((p) => p.id).reverse());
	});

	it("the default page size is 50 and limit=100 is accepted", async () => {
		const org = await createOrg();
		await Promise.all(
			Array.from({ length: 51 }, (_, i) => create(org, { name: `Bulk ${i}`, price: 1, sku: `BULK-${i}` })),
		);
		const def = await call(V1, { key: org.secretKey });
		expect(def.status).toBe(200);
		expect(def.json.data).toHaveLength(50);
		expect(def.json.nextCursor).toBeTypeOf("string");
		const rest = await call(`${V1}?cursor=${encodeURIComponent(def.json.nextCursor)}`, { key: org.secretKey });
		expect(rest.json.data).toHaveLength(1);
		expect(rest.json.nextCursor).toBeNull();
		const max = await call(`${V1}?limit=100`, { key: org.secretKey });
		expect(max.status).toBe(200);
		expect(max.json.data).toHaveLength(51);
		const ids = [...def.json.data, ...rest.json.data].map((p: any) => p.id);
		expect(new Set(ids).size).toBe(51);
		expect(max.json.data.map((p: any) => p.id)).toEqual(ids);
	});

	it("stays stable while new rows are inserted between pages", async () => {
		const org = await createOrg();
		const made = await createSequential(org, 6, "OLD");
		const expectedOld = made.map((p) => p.id).reverse();

		const p1 = await call(`${V1}?limit=2`, { key: org.secretKey });
		expect(p1.json.data.map((p: any) => p.id)).toEqual(expectedOld.slice(0, 2));
		const inserted = await createSequential(org, 3, "NEW");

		const p2 = await call(`${V1}?limit=2&cursor=${encodeURIComponent(p1.json.nextCursor)}`, { key: org.secretKey });
		expect(p2.json.data.map((p: any) => p.id)).toEqual(expectedOld.slice(2, 4));
		await create(org, { name: "NEWER", price: 1, sku: "NEWER" });
		await call(`${V1}/${inserted[0].id}`, { key: org.secretKey, method: "DELETE" });

		const p3 = await call(`${V1}?limit=2&cursor=${encodeURIComponent(p2.json.nextCursor)}`, { key: org.secretKey });
		expect(p3.json.data.map((p: any) => p.id)).toEqual(expectedOld.slice(4, 6));
		expect(p3.json.nextCursor).toBeNull();

		// A fresh listing starts with the new rows.
		const fresh = await call(`${V1}?limit=3`, { key: org.secretKey });
		expect(fresh.json.data.map((p: any) => p.sku)).toEqual(["NEWER", "NEW-2", "NEW-1"]);
	});

	it("lists only the caller's products", async () => {
		const a = await createOrg();
		const b = await createOrg();
		const pa = await create(a, SNEAKER);
		await create(b, { ...SNEAKER, sku: "B-ONLY" });
		const res = await call(V1, { key: a.secretKey });
		expect(res.json.data.map((p: any) => p.id)).toEqual([pa.id]);
	});

	for (const limit of ["0", "101", "abc", "-1", "1.5"]) {
		it(`limit=${limit} → 400 naming limit`, async () => {
			const org = await createOrg();
			const res = await call(`${V1}?limit=${limit}`, { key: org.secretKey });
			expectFieldError(res, "limit");
		});
	}

	it("a tampered cursor → 400 naming cursor", async () => {
		const org = await createOrg();
		await createSequential(org, 3);
		const p1 = await call(`${V1}?limit=1`, { key: org.secretKey });
		const cursor: string = p1.json.nextCursor;
		expect(cursor).toBeTypeOf("string");
		// Flip one character of the payload (before the dot) and one of the MAC.
		const flip = (s: string, i: number) => s.slice(0, i) + (s[i] === "A" ? "B" : "A") + s.slice(i + 1);
		const dot = cursor.indexOf(".");
		for (const bad of [flip(cursor, 0), flip(cursor, cursor.length - 2), `${cursor}x`, cursor.slice(0, dot)]) {
			const res = await call(`${V1}?limit=1&cursor=${encodeURIComponent(bad)}`, { key: org.secretKey });
			expectFieldError(res, "cursor");
		}
	});

	it("a made-up cursor (the spec's example abc123) → 400", async () => {
		const org = await createOrg();
		const res = await call(`${V1}?cursor=abc123&limit=50`, { key: org.secretKey });
		expectFieldError(res, "cursor");
	});

	it("a cursor from another org's list → 400", async () => {
		const a = await createOrg();
		const b = await createOrg();
		await createSequential(a, 2);
		await createSequential(b, 2);
		const pa = await call(`${V1}?limit=1`, { key: a.secretKey });
		const res = await call(`${V1}?limit=1&cursor=${encodeURIComponent(pa.json.nextCursor)}`, { key: b.secretKey });
		expectFieldError(res, "cursor");
	});

	it("a cursor from another list (platform organizations) → 400", async () => {
		const org = await createOrg();
		await createOrg();
		const orgs = await call("/platform/v1/organizations?limit=1", { key: env.PLATFORM_ADMIN_TOKEN });
		expect(orgs.status).toBe(200);
		expect(orgs.json.nextCursor).toBeTypeOf("string");
		const res = await call(`${V1}?cursor=${encodeURIComponent(orgs.json.nextCursor)}`, { key: org.secretKey });
		expectFieldError(res, "cursor");
	});
});

describe("GET /products/:id", () => {
	it("returns the product", async () => {
		const org = await createOrg();
		const created = await create(org, SNEAKER);
		const res = await call(`${V1}/${created.id}`, { key: org.secretKey });
		expect(res.status).toBe(200);
		expect(res.json).toEqual(created);
	});

	for (const id of [
		"prod_01ARZ3NDEKTSV4RRFFQ69G5FAV",
		"queue_01ARZ3NDEKTSV4RRFFQ69G5FAV",
		"queue_xxx",
		"draw_123",
		"nonsense",
	]) {
		it(`unknown or wrong-type id ${id} → 404 on GET, PUT and DELETE`, async () => {
			const org = await createOrg();
			expectProblem(await call(`${V1}/${id}`, { key: org.secretKey }), 404, "Product not found");
			expectProblem(
				await call(`${V1}/${id}`, { key: org.secretKey, method: "PUT", body: { name: "X" } }),
				404,
				"Product not found",
			);
			expectProblem(await call(`${V1}/${id}`, { key: org.secretKey, method: "DELETE" }), 404, "Product not found");
			expect(await countRows("products", org.organizationId)).toBe(0);
		});
	}

	it("a very long id → 404, not 400", async () => {
		const org = await createOrg();
		const res = await call(`${V1}/prod_${"A".repeat(200)}`, { key: org.secretKey });
		expectProblem(res, 404, "Product not found");
	});
});

describe("another org's product", () => {
	it("is 404 on GET, PUT and DELETE and stays unchanged", async () => {
		const owner = await createOrg();
		const other = await createOrg();
		const product = await create(owner, SNEAKER);
		const url = `${V1}/${product.id}`;

		expectProblem(await call(url, { key: other.secretKey }), 404, "Product not found");
		expectProblem(
			await call(url, { key: other.secretKey, method: "PUT", body: { name: "Hijacked", price: 0 } }),
			404,
			"Product not found",
		);
		expectProblem(await call(url, { key: other.secretKey, method: "DELETE" }), 404, "Product not found");
		expectProblem(await call(`${SPEC}/${product.id}`, { key: other.secretKey }), 404, "Product not found");

		const still = await call(url, { key: owner.secretKey });
		expect(still.status).toBe(200);
		expect(still.json).toEqual(product);
		expect(await countRows("products", owner.organizationId)).toBe(1);
		expect(await countRows("products", other.organizationId)).toBe(0);
	});
});

describe("PUT /products/:id", () => {
	it("changes only the fields sent", async () => {
		const org = await createOrg();
		const created = await create(org, SNEAKER);
		const res = await call(`${V1}/${created.id}`, { key: org.secretKey, method: "PUT", body: { price: 149.5 } });
		expect(res.status).toBe(200);
		expect(res.json).toMatchObject({ ...created, price: 149.5, updatedAt: expect.stringMatching(ISO_UTC) });
		expect(res.json.createdAt).toBe(created.createdAt);
		const got = await call(`${V1}/${created.id}`, { key: org.secretKey });
		expect(got.json).toEqual(res.json);
	});

	it("updates several fields at once via the spec path", async () => {
		const org = await createOrg();
		const created = await create(org, SNEAKER);
		const res = await call(`${SPEC}/${created.id}`, {
			key: org.secretKey,
			method: "PUT",
			body: { name: "Renamed", sku: "SNKR-002", inventory: 5, description: "New text" },
		});
		expect(res.status).toBe(200);
		expect(res.json).toMatchObject({
			id: created.id,
			name: "Renamed",
			sku: "SNKR-002",
			inventory: 5,
			description: "New text",
			price: 199.99,
		});
	});

	it("an empty body changes nothing", async () => {
		const org = await createOrg();
		const created = await create(org, SNEAKER);
		const res = await call(`${V1}/${created.id}`, { key: org.secretKey, method: "PUT", body: {} });
		expect(res.status).toBe(200);
		const { updatedAt: _u, ...rest } = created;
		expect(res.json).toMatchObject(rest);
	});

	it("description: null clears the description", async () => {
		const org = await createOrg();
		const created = await create(org, SNEAKER);
		const res = await call(`${V1}/${created.id}`, { key: org.secretKey, method: "PUT", body: { description: null } });
		expect(res.status).toBe(200);
		expect(res.json.description).toBeNull();
		expect(res.json.inventory).toBe(100);
		const got = await call(`${V1}/${created.id}`, { key: org.secretKey });
		expect(got.json.description).toBeNull();
	});

	it("inventory: null stops tracking stock", async () => {
		const org = await createOrg();
		const created = await create(org, SNEAKER);
		const res = await call(`${V1}/${created.id}`, { key: org.secretKey, method: "PUT", body: { inventory: null } });
		expect(res.status).toBe(200);
		expect(res.json.inventory).toBeNull();
		expect(res.json.description).toBe("Exclusive release");
		const got = await call(`${V1}/${created.id}`, { key: org.secretKey });
		expect(got.json.inventory).toBeNull();
		// And tracking can start again.
		const again = await call(`${V1}/${created.id}`, { key: org.secretKey, method: "PUT", body: { inventory: 3 } });
		expect(again.json.inventory).toBe(3);
	});

	const badUpdates: [string, unknown, string][] = [
		["negative price", { price: -5 }, "price"],
		["3-decimal price", { price: 1.999 }, "price"],
		["string price", { price: "abc" }, "price"],
		["price null (required field)", { price: null }, "price"],
		["name null (required field)", { name: null }, "name"],
		["sku null (required field)", { sku: null }, "sku"],
		["inventory -1", { inventory: -1 }, "inventory"],
		["inventory 1.5", { inventory: 1.5 }, "inventory"],
		['inventory "10"', { inventory: "10" }, "inventory"],
		["name over 200 chars", { name: "n".repeat(201) }, "name"],
		["description over 5000 chars", { description: "d".repeat(5001) }, "description"],
		["unknown field", { colour: "red" }, "colour"],
		["read-only id", { id: "prod_01ARZ3NDEKTSV4RRFFQ69G5FAV" }, "id"],
		["read-only organizationId", { organizationId: "org_01ARZ3NDEKTSV4RRFFQ69G5FAV" }, "organizationId"],
	];
	for (const [label, body, path] of badUpdates) {
		it(`${label} → 400 naming ${path}, product unchanged`, async () => {
			const org = await createOrg();
			const created = await create(org, SNEAKER);
			const res = await call(`${V1}/${created.id}`, { key: org.secretKey, method: "PUT", body });
			expectFieldError(res, path);
			const got = await call(`${V1}/${created.id}`, { key: org.secretKey });
			expect(got.json).toEqual(created);
		});
	}

	it("malformed JSON → 400, product unchanged", async () => {
		const org = await createOrg();
		const created = await create(org, SNEAKER);
		const res = await call(`${V1}/${created.id}`, {
			key: org.secretKey,
			method: "PUT",
			raw: "{not json",
			headers: { "Content-Type": "application/json" },
		});
		expectProblem(res, 400);
		expect((await call(`${V1}/${created.id}`, { key: org.secretKey })).json).toEqual(created);
	});

	it("text/plain → 415, product unchanged", async () => {
		const org = await createOrg();
		const created = await create(org, SNEAKER);
		const res = await call(`${V1}/${created.id}`, {
			key: org.secretKey,
			method: "PUT",
			raw: JSON.stringify({ name: "X" }),
			headers: { "Content-Type": "text/plain" },
		});
		expectProblem(res, 415);
		expect((await call(`${V1}/${created.id}`, { key: org.secretKey })).json).toEqual(created);
	});

	it("changing the SKU to one already taken in the org → 409, product unchanged", async () => {
		const org = await createOrg();
		await create(org, SNEAKER);
		const other = await create(org, { ...SNEAKER, sku: "SNKR-002" });
		const res = await call(`${V1}/${other.id}`, { key: org.secretKey, method: "PUT", body: { sku: "SNKR-001" } });
		expectProblem(res, 409, "SKU already exists");
		expect((await call(`${V1}/${other.id}`, { key: org.secretKey })).json).toEqual(other);
	});

	it("re-sending a product's own SKU is fine", async () => {
		const org = await createOrg();
		const created = await create(org, SNEAKER);
		const res = await call(`${V1}/${created.id}`, { key: org.secretKey, method: "PUT", body: { sku: "SNKR-001" } });
		expect(res.status).toBe(200);
		expect(res.json.sku).toBe("SNKR-001");
	});
});

describe("DELETE /products/:id", () => {
	it("answers 204 with no body, then the product is gone", async () => {
		const org = await createOrg();
		const created = await create(org, SNEAKER);
		const del = await call(`${V1}/${created.id}`, { key: org.secretKey, method: "DELETE" });
		expect(del.status).toBe(204);
		expect(del.text).toBe("");
		expect(await countRows("products", org.organizationId)).toBe(0);
		expectProblem(await call(`${V1}/${created.id}`, { key: org.secretKey }), 404, "Product not found");
		expectProblem(
			await call(`${V1}/${created.id}`, { key: org.secretKey, method: "DELETE" }),
			404,
			"Product not found",
		);
		expect((await call(V1, { key: org.secretKey })).json.data).toEqual([]);
	});

	it("deleting frees the SKU for a new product", async () => {
		const org = await createOrg();
		const created = await create(org, SNEAKER);
		expect((await call(`${SPEC}/${created.id}`, { key: org.secretKey, method: "DELETE" })).status).toBe(204);
		const again = await create(org, SNEAKER);
		expect(again.id).not.toBe(created.id);
	});
});
