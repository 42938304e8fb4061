import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { call, countOrganizations, countRows, createOrg } from "../support/helpers";
import { expectProblem } from "../support/problems";
import { shopWithHolders } from "../support/shop";

const ISO_SECONDS = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/;
const admin = () => env.PLATFORM_ADMIN_TOKEN;

async function listAllOrganizations(limit: number): Promise<{ ids: string[]; pages: number }> {
	const ids: string[] = [];
	let cursor: string | null = null;
	let pages = 0;
	do {
		const qs: string = cursor ? `limit=${limit}&cursor=${encodeURIComponent(cursor)}` : `limit=${limit}`;
		const page = await call(`/platform/v1/organizations?${qs}`, { key: admin() });
		expect(page.status, page.text).toBe(200);
		expect(page.json.data.length).toBeLessThanOrEqual(limit);
		ids.push(...page.json.data.map((o: { id: string }) => o.id));
		cursor = page.json.nextCursor;
		pages++;
	} while (cursor && pages < 1000);
	return { ids, pages };
}

describe("POST /platform/v1/organizations", () => {
	it("creates an organization with its first secret and publishable keys", async () => {
		const res = await call("/platform/v1/organizations", {
			key: admin(),
			body: { name: "Acme Drops", defaultTimeZone: "America/New_York" },
		});
		expect(res.status).toBe(201);
		expect(Object.keys(res.json).sort()).toEqual(["organization", "publishableKey", "secretKey"]);
		const { organization, secretKey, publishableKey } = res.json;
		expect(organization).toMatchObject({ name: "Acme Drops", defaultTimeZone: "America/New_York" });
		expect(organization.id).toMatch(/^org_[0-9A-Z]{26}$/);
		expect(organization.createdAt).toMatch(ISO_SECONDS);
		expect(organization.updatedAt).toMatch(ISO_SECONDS);

		expect(secretKey).toMatchObject({ type: "secret", lastUsedAt: null });
		expect(secretKey.key).toMatch(/^sk_live_[0-9A-Za-z]{32}$/);
		expect(secretKey.id).toMatch(/^key_[0-9A-Z]{26}$/);
		expect(secretKey.key.startsWith(secretKey.prefix)).toBe(true);
		expect(publishableKey).toMatchObject({ type: "publishable", lastUsedAt: null });
		expect(publishableKey.key).toMatch(/^pk_live_[0-9A-Za-z]{32}$/);
		expect(await countRows("api_keys", organization.id)).toBe(2);

		// The returned secret key works on the merchant API, for this organization.
		const product = await call("/api/v1/products", {
			key: secretKey.key,
			body: { name: "Limited Edition Sneakers", price: 199.99, sku: "SNKR-001" },
		});
		expect(product.status).toBe(201);
		expect(product.json.organizationId).toBe(organization.id);
	});

	it('defaults defaultTimeZone to "UTC"', async () => {
		const res = await call("/platform/v1/organizations", { key: admin(), body: { name: "No zone" } });
		expect(res.status).toBe(201);
		expect(res.json.organization.defaultTimeZone).toBe("UTC");
	});

	it("trims the name", async () => {
		const res = await call("/platform/v1/organizations", { key: admin(), body: { name: "  Spaced  " } });
		expect(res.status).toBe(201);
		expect(res.json.organization.name).toBe("Spaced");
	});

	it("rejects an unknown time zone with 400, creating nothing", async () => {
		const before = await countOrganizations();
		for (const defaultTimeZone of ["Mars/Olympus_Mons", "", "EST5EDT6", "x".repeat(65)]) {
			const res = await call("/platform/v1/organizations", {
				key: admin(),
				body: { name: "Bad zone", defaultTimeZone },
			});
			expectProblem(res, 400, "Validation failed");
			expect(res.json.errors.map((e: { path: string }) => e.path)).toContain("defaultTimeZone");
		}
		expect(await countOrganizations()).toBe(before);
	});

	it("rejects a missing or blank name, unknown fields and malformed JSON with 400", async () => {
		const before = await countOrganizations();
		for (const [body, path] of [
			[{}, "name"],
			[{ name: "   " }, "name"],
			[{ name: 42 }, "name"],
			[{ name: "n".repeat(201) }, "name"],
			[{ name: "Extra", plan: "enterprise" }, "plan"],
		] as const) {
			const res = await call("/platform/v1/organizations", { key: admin(), body });
			expectProblem(res, 400, "Validation failed");
			expect(res.json.errors.map((e: { path: string }) => e.path)).toContain(path);
		}
		const malformed = await call("/platform/v1/organizations", {
			key: admin(),
			method: "POST",
			raw: '{"name": ',
			headers: { "Content-Type": "application/json" },
		});
		expectProblem(malformed, 400, "Validation failed");
		expect(await countOrganizations()).toBe(before);
	});
});

describe("platform authentication", () => {
	it("answers 401 without a token, with a wrong token, and for merchant keys, creating nothing", async () => {
		const org = await createOrg();
		const before = await countOrganizations();
		const body = { name: "Intruder" };
		const attempts: (string | null)[] = [
			null,
			"",
			"wrong-token",
			`${admin()}x`,
			admin().slice(0, -1),
			org.secretKey,
			org.publishableKey,
		];
		for (const key of attempts) {
			expectProblem(await call("/platform/v1/organizations", { key, body }), 401, "Authentication required");
			expectProblem(await call("/platform/v1/organizations", { key }), 401, "Authentication required");
			expectProblem(await call(`/platform/v1/organizations/${org.organizationId}`, { key }), 401);
		}
		// Not a Bearer token.
		expectProblem(
			await call("/platform/v1/organizations", { headers: { Authorization: `Basic ${admin()}` }, body }),
			401,
		);
		expect(await countOrganizations()).toBe(before);
	});

	it("the platform token is not a merchant key", async () => {
		expectProblem(await call("/api/v1/products", { key: admin() }), 401, "Authentication required");
	});

	it("accepts a case-insensitive Bearer scheme", async () => {
		const res = await call("/platform/v1/organizations", { headers: { Authorization: `bearer ${admin()}` } });
		expect(res.status).toBe(200);
	});
});

describe("GET /platform/v1/organizations", () => {
	it("lists organizations newest first, with cursor paging", async () => {
		const created: string[] = [];
		for (let i = 0; i < 5; i++) created.push((await createOrg()).organizationId);

		const first = await call("/platform/v1/organizations", { key: admin() });
		expect(first.status).toBe(200);
		expect(first.json.data[0].id).toBe(created[4]);
		for (const item of first.json.data) {
			expect(Object.keys(item).sort()).toEqual(["createdAt", "defaultTimeZone", "id", "name", "updatedAt"]);
		}
		// No secrets in the list.
		expect(first.text).not.toMatch(/sk_live_|pk_live_/);

		const total = await countOrganizations();
		const { ids, pages } = await listAllOrganizations(2);
		expect(ids).toHaveLength(total);
		expect(new Set(ids).size).toBe(total);
		expect(pages).toBe(Math.ceil(total / 2));
		expect([...ids].sort().reverse()).toEqual(ids);
		// Our five appear newest first.
		const ours = ids.filter((id) => created.includes(id));
		expect(ours).toEqual([...created].reverse());
	});

	it("limit=1 pages one organization at a time", async () => {
		await createOrg();
		await createOrg();
		const page = await call("/platform/v1/organizations?limit=1", { key: admin() });
		expect(page.json.data).toHaveLength(1);
		expect(page.json.nextCursor).toEqual(expect.any(String));
	});

	it("rejects bad paging parameters and a merchant list's cursor with 400", async () => {
		for (const qs of ["limit=0", "limit=101", "cursor=nope"]) {
			expectProblem(await call(`/platform/v1/organizations?${qs}`, { key: admin() }), 400, "Validation failed");
		}
		const org = await createOrg();
		await call("/api/v1/consumers", { key: org.secretKey, body: { email: "a@example.com" } });
		await call("/api/v1/consumers", { key: org.secretKey, body: { email: "b@example.com" } });
		const merchantPage = await call("/api/v1/consumers?limit=1", { key: org.secretKey });
		const res = await call(`/platform/v1/organizations?cursor=${encodeURIComponent(merchantPage.json.nextCursor)}`, {
			key: admin(),
		});
		expectProblem(res, 400);
	});
});

describe("GET /platform/v1/organizations/:id", () => {
	it("gets an organization by id", async () => {
		const created = await call("/platform/v1/organizations", {
			key: admin(),
			body: { name: "Lookup", defaultTimeZone: "Europe/Paris" },
		});
		const res = await call(`/platform/v1/organizations/${created.json.organization.id}`, { key: admin() });
		expect(res.status).toBe(200);
		expect(res.json).toEqual(created.json.organization);
	});

	it("answers 404 for an unknown id", async () => {
		for (const id of ["org_01HXYZ123456789ABCDEFGHJK", "nope"]) {
			expectProblem(await call(`/platform/v1/organizations/${id}`, { key: admin() }), 404, "Organization not found");
		}
	});
});

describe("tenant isolation", () => {
	it("org A's key never sees org B's products, consumers or orders", async () => {
		// Each org: one product, one consumer (a guest admitted from a queue) and one order on its grant.
		const seed = async () => {
			const { s, queueId, holders } = await shopWithHolders(1);
			const [holder] = holders;
			const order = await call("/api/v1/orders", {
				key: s.secretKey,
				body: {
					consumerId: holder.consumerId,
					distributionId: queueId,
					externalOrderId: "SHARED-ORDER",
					totalAmount: 1,
				},
			});
			expect(order.status, order.text).toBe(201);
			return { org: s, mine: { product: s.productId, consumer: holder.consumerId, order: order.json.id } };
		};
		const { org: a, mine: mineA } = await seed();
		const { org: b, mine: mineB } = await seed();

		for (const [me, mine, theirs] of [
			[a, mineA, mineB],
			[b, mineB, mineA],
		] as const) {
			for (const [resource, path] of [
				["product", "products"],
				["consumer", "consumers"],
				["order", "orders"],
			] as const) {
				for (const prefix of ["/api/v1", "/api"]) {
					// The consumers are guests: listed only when asked for (?kind=all).
					const query = resource === "consumer" ? "?kind=all" : "";
					const list = await call(`${prefix}/${path}${query}`, { key: me.secretKey });
					expect(list.status).toBe(200);
					expect(list.json.data.map((r: { id: string }) => r.id)).toEqual([mine[resource]]);
					for (const row of list.json.data) expect(row.organizationId).toBe(me.organizationId);
					expect(list.text).not.toContain(theirs[resource]);
					expectProblem(await call(`${prefix}/${path}/${theirs[resource]}`, { key: me.secretKey }), 404);
				}
			}
			// Filters cannot reach across tenants either.
			const byConsumer = await call(`/api/v1/orders?consumerId=${theirs.consumer}`, { key: me.secretKey });
			expect(byConsumer.json.data).toEqual([]);
		}
	});

	it("org A's key cannot see or revoke org B's API keys", async () => {
		const a = await createOrg();
		const b = await createOrg();
		const listA = await call("/api/v1/api-keys", { key: a.secretKey });
		const listB = await call("/api/v1/api-keys", { key: b.secretKey });
		const idsA = listA.json.data.map((k: { id: string }) => k.id);
		const idsB = listB.json.data.map((k: { id: string }) => k.id);
		expect(idsA).toHaveLength(2);
		expect(idsB).toHaveLength(2);
		expect(idsA.filter((id: string) => idsB.includes(id))).toEqual([]);
		for (const id of idsB) {
			expectProblem(await call(`/api/v1/api-keys/${id}`, { key: a.secretKey }), 404);
			expectProblem(await call(`/api/v1/api-keys/${id}`, { key: a.secretKey, method: "DELETE" }), 404);
		}
		expect((await call("/api/v1/products", { key: b.secretKey })).status).toBe(200);
	});
});
