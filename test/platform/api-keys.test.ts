import { env } from "cloudflare:workers";
import { beforeEach, describe, expect, it } from "vitest";
import { call, countRows, createOrg, type TestOrg } from "../support/helpers";
import { expectProblem } from "../support/problems";

const SECRET_KEY = /^sk_live_[0-9A-Za-z]{32}$/;
const PUBLISHABLE_KEY = /^pk_live_[0-9A-Za-z]{32}$/;
const ISO_SECONDS = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/;

let org: TestOrg;
beforeEach(async () => {
	org = await createOrg();
});

async function createKey(type: "secret" | "publishable", name: string, key = org.secretKey) {
	const res = await call("/api/v1/api-keys", { key, body: { type, name } });
	expect(res.status, res.text).toBe(201);
	return res.json as {
		id: string;
		type: string;
		name: string;
		prefix: string;
		key: string;
		createdAt: string;
		lastUsedAt: string | null;
	};
}

/** The id of a key the org was created with, found through the list. */
async function defaultKeyId(type: "secret" | "publishable"): Promise<string> {
	const list = await call("/api/v1/api-keys", { key: org.secretKey });
	const found = list.json.data.find((k: { type: string; name: string }) => k.type === type);
	expect(found).toBeDefined();
	return found.id;
}

const revoke = (id: string, key = org.secretKey) => call(`/api/v1/api-keys/${id}`, { key, method: "DELETE" });

async function sha256Hex(text: string): Promise<string> {
	const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text));
	return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, "0")).join("");
}

let skuCounter = 0;
const product = () => ({ name: "Limited Edition Sneakers", price: 199.99, sku: `SNKR-${++skuCounter}` });

describe("POST /api/v1/api-keys", () => {
	it("creates a secret key, showing the full key once", async () => {
		const created = await createKey("secret", "CI server");
		expect(created).toMatchObject({ type: "secret", name: "CI server", lastUsedAt: null });
		expect(created.id).toMatch(/^key_[0-9A-Z]{26}$/);
		expect(created.key).toMatch(SECRET_KEY);
		expect(created.prefix).toBe(created.key.slice(0, created.prefix.length));
		expect(created.prefix.length).toBeGreaterThan("sk_live_".length);
		expect(created.prefix.length).toBeLessThan(created.key.length);
		expect(created.createdAt).toMatch(ISO_SECONDS);

		// Shown once: neither the single GET nor the list repeats it.
		const one = await call(`/api/v1/api-keys/${created.id}`, { key: org.secretKey });
		expect(one.status).toBe(200);
		expect(one.json).not.toHaveProperty("key");
		expect(one.text).not.toContain(created.key);
		const { key: _key, ...shown } = created;
		expect(one.json).toEqual(shown);
	});

	it("creates a publishable key", async () => {
		const created = await createKey("publishable", "Storefront");
		expect(created.type).toBe("publishable");
		expect(created.key).toMatch(PUBLISHABLE_KEY);
		expect(created.prefix.startsWith("pk_live_")).toBe(true);
	});

	it("mints a different key every time", async () => {
		const a = await createKey("secret", "same name");
		const b = await createKey("secret", "same name");
		expect(a.key).not.toBe(b.key);
		expect(a.id).not.toBe(b.id);
	});

	it("rejects an invalid type, a missing or blank name and unknown fields with 400, storing nothing", async () => {
		const before = await countRows("api_keys", org.organizationId);
		const bad: [unknown, string][] = [
			[{ type: "admin", name: "x" }, "type"],
			[{ type: "SECRET", name: "x" }, "type"],
			[{ name: "x" }, "type"],
			[{ type: "secret" }, "name"],
			[{ type: "secret", name: "  " }, "name"],
			[{ type: "secret", name: "n".repeat(201) }, "name"],
			[{ type: "secret", name: "x", key: "sk_live_chosenbythecaller0000000000" }, "key"],
		];
		for (const [body, path] of bad) {
			const res = await call("/api/v1/api-keys", { key: org.secretKey, body });
			expectProblem(res, 400, "Validation failed");
			expect(res.json.errors.map((e: { path: string }) => e.path)).toContain(path);
		}
		expect(await countRows("api_keys", org.organizationId)).toBe(before);
	});

	it("requires a secret key: none → 401, publishable → 403", async () => {
		const body = { type: "secret", name: "x" };
		expectProblem(await call("/api/v1/api-keys", { body }), 401, "Authentication required");
		expectProblem(await call("/api/v1/api-keys", { key: org.publishableKey, body }), 403, "Permission denied");
		expect(await countRows("api_keys", org.organizationId)).toBe(2);
	});

	it("replays an idempotent create with the same key, storing one row", async () => {
		const headers = { "X-Idempotency-Key": "create-key-1" };
		const body = { type: "secret", name: "Replayed" };
		const first = await call("/api/v1/api-keys", { key: org.secretKey, body, headers });
		expect(first.status).toBe(201);
		const again = await call("/api/v1/api-keys", { key: org.secretKey, body, headers });
		expect(again.status).toBe(201);
		expect(again.headers.get("Idempotent-Replayed")).toBe("true");
		expect(again.json).toEqual(first.json);
		expect(await countRows("api_keys", org.organizationId)).toBe(3);
	});
});

describe("GET /api/v1/api-keys", () => {
	it("lists prefix, name, createdAt and lastUsedAt, never the key", async () => {
		const created = await createKey("secret", "Listed");
		const list = await call("/api/v1/api-keys", { key: org.secretKey });
		expect(list.status).toBe(200);
		expect(list.json.nextCursor).toBeNull();
		// The org's two default keys plus the new one, newest first.
		expect(list.json.data).toHaveLength(3);
		expect(list.json.data[0].id).toBe(created.id);
		for (const item of list.json.data) {
			expect(Object.keys(item).sort()).toEqual(["createdAt", "id", "lastUsedAt", "name", "prefix", "scopes", "type"]);
			expect(item.prefix).toMatch(/^(sk|pk)_live_/);
			expect(item.createdAt).toMatch(ISO_SECONDS);
		}
		expect(list.text).not.toContain(created.key);
		expect(list.text).not.toContain(org.secretKey);
		expect(list.text).not.toContain(org.publishableKey);
	});

	it("pages newest first", async () => {
		const a = await createKey("secret", "a");
		const b = await createKey("publishable", "b");
		const page1 = await call("/api/v1/api-keys?limit=2", { key: org.secretKey });
		expect(page1.json.data.map((k: { id: string }) => k.id)).toEqual([b.id, a.id]);
		const page2 = await call(`/api/v1/api-keys?limit=2&cursor=${encodeURIComponent(page1.json.nextCursor)}`, {
			key: org.secretKey,
		});
		expect(page2.json.data).toHaveLength(2);
		expect(page2.json.nextCursor).toBeNull();
	});
});

describe("using a new key", () => {
	it("a new secret key works on /api/v1/products, and lastUsedAt becomes set", async () => {
		const created = await createKey("secret", "Sync job");
		expect(created.lastUsedAt).toBeNull();

		const res = await call("/api/v1/products", { key: created.key, body: product() });
		expect(res.status, res.text).toBe(201);
		expect(res.json.organizationId).toBe(org.organizationId);
		const list = await call("/api/v1/products", { key: created.key });
		expect(list.status).toBe(200);
		expect(list.json.data.map((p: { id: string }) => p.id)).toContain(res.json.id);

		// lastUsedAt is written in the background: give it a moment.
		let lastUsedAt: string | null = null;
		for (let i = 0; i < 40 && !lastUsedAt; i++) {
			const one = await call(`/api/v1/api-keys/${created.id}`, { key: org.secretKey });
			lastUsedAt = one.json.lastUsedAt;
			if (!lastUsedAt) await new Promise((r) => setTimeout(r, 50));
		}
		expect(lastUsedAt).toMatch(ISO_SECONDS);
		expect(Date.parse(lastUsedAt as string)).toBeGreaterThanOrEqual(Date.parse(created.createdAt));
		expect(Date.parse(lastUsedAt as string)).toBeLessThanOrEqual(Date.now() + 1000);
	});

	it("a new publishable key is refused on the admin API with 403", async () => {
		const created = await createKey("publishable", "Widget");
		expectProblem(await call("/api/v1/products", { key: created.key }), 403, "Permission denied");
	});
});

describe("DELETE /api/v1/api-keys/:id", () => {
	it("revokes: the key gets 401 on its next request, and disappears from the list", async () => {
		const created = await createKey("secret", "Temporary");
		expect((await call("/api/v1/products", { key: created.key })).status).toBe(200);

		const res = await revoke(created.id);
		expect(res.status).toBe(204);
		expect(res.text).toBe("");

		expectProblem(await call("/api/v1/products", { key: created.key }), 401, "Authentication required");
		expectProblem(await call("/api/v1/api-keys", { key: created.key, body: { type: "secret", name: "escape" } }), 401);
		expectProblem(await call(`/api/v1/api-keys/${created.id}`, { key: org.secretKey }), 404, "API key not found");
		const list = await call("/api/v1/api-keys", { key: org.secretKey });
		expect(list.json.data.map((k: { id: string }) => k.id)).not.toContain(created.id);
		// Revoking twice is a 404: the key is gone.
		expectProblem(await revoke(created.id), 404, "API key not found");
	});

	it("a key can revoke itself when another secret key remains", async () => {
		const created = await createKey("secret", "Self-revoking");
		expect((await revoke(created.id, created.key)).status).toBe(204);
		expectProblem(await call("/api/v1/products", { key: created.key }), 401);
		expect((await call("/api/v1/products", { key: org.secretKey })).status).toBe(200);
	});

	it("refuses to revoke the org's last active secret key with 409", async () => {
		const defaultSecret = await defaultKeyId("secret");
		const res = await revoke(defaultSecret);
		expectProblem(res, 409, "Cannot revoke the last secret key");
		expect((await call("/api/v1/products", { key: org.secretKey })).status).toBe(200);

		// With a second secret key the first can go; then the second is the last one.
		const second = await createKey("secret", "Rotation");
		expect((await revoke(defaultSecret, second.key)).status).toBe(204);
		expectProblem(await call("/api/v1/products", { key: org.secretKey }), 401);
		expectProblem(await revoke(second.id, second.key), 409, "Cannot revoke the last secret key");
		expect((await call("/api/v1/products", { key: second.key })).status).toBe(200);
	});

	it("never leaves the org without a secret key when two revocations race", async () => {
		const defaultSecret = await defaultKeyId("secret");
		const second = await createKey("secret", "Racer");
		const [a, b] = await Promise.all([revoke(defaultSecret, org.secretKey), revoke(second.id, second.key)]);
		expect([a.status, b.status].sort()).toEqual([204, 409]);
		const active = await env.DB.prepare(
			"SELECT COUNT(*) AS n FROM api_keys WHERE organization_id = ? AND type = 'secret' AND revoked_at IS NULL",
		)
			.bind(org.organizationId)
			.first<{ n: number }>();
		expect(active?.n).toBe(1);
	});

	it("may revoke the publishable key (only secret keys are protected)", async () => {
		const publishable = await defaultKeyId("publishable");
		expect((await revoke(publishable)).status).toBe(204);
		expectProblem(await call("/api/v1/products", { key: org.publishableKey }), 401);
	});

	it("answers 404 for another org's key id, and leaves that key working", async () => {
		const other = await createOrg();
		const theirs = await createKey("secret", "Theirs", other.secretKey);
		expectProblem(await revoke(theirs.id), 404, "API key not found");
		expectProblem(await call(`/api/v1/api-keys/${theirs.id}`, { key: org.secretKey }), 404, "API key not found");
		expect((await call("/api/v1/products", { key: theirs.key })).status).toBe(200);
		const list = await call("/api/v1/api-keys", { key: org.secretKey });
		expect(list.json.data.map((k: { id: string }) => k.id)).not.toContain(theirs.id);
	});

	it("answers 404 for an unknown id", async () => {
		expectProblem(await revoke("key_01HXYZ123456789ABCDEFGHJK"), 404, "API key not found");
	});
});

describe("keys at rest", () => {
	it("D1 stores only the SHA-256 of each key, never the key", async () => {
		const created = await createKey("secret", "Hashed", org.secretKey);
		const { results } = await env.DB.prepare("SELECT * FROM api_keys").all<Record<string, unknown>>();
		expect(results.length).toBeGreaterThanOrEqual(3);
		const secretPart = created.key.slice("sk_live_".length);
		for (const row of results) {
			for (const value of Object.values(row)) {
				for (const key of [created.key, org.secretKey, org.publishableKey]) {
					expect(String(value)).not.toContain(key);
					expect(String(value)).not.toContain(key.slice(-24));
				}
				expect(String(value)).not.toContain(secretPart);
			}
		}
		const row = results.find((r) => r.id === created.id);
		expect(row?.key_hash).toBe(await sha256Hex(created.key));
		expect(row?.prefix).toBe(created.prefix);
	});

	it("idempotency records do not hold a created key in plaintext", async () => {
		const res = await call("/api/v1/api-keys", {
			key: org.secretKey,
			body: { type: "secret", name: "Idempotent" },
			headers: { "Idempotency-Key": "at-rest-check" },
		});
		expect(res.status).toBe(201);
		const { results } = await env.DB.prepare("SELECT * FROM idempotency_keys").all<Record<string, unknown>>();
		expect(results.length).toBeGreaterThan(0);
		for (const row of results) {
			for (const value of Object.values(row)) expect(String(value)).not.toContain(res.json.key.slice(8));
		}
	});
});

describe("rate limits are per key", () => {
	it("a second secret key of the same org still gets 201 after the first exhausts its 100 product POSTs", async () => {
		const second = await createKey("secret", "Second");
		for (let i = 0; i < 100; i++) {
			const res = await call(i % 2 ? "/api/products" : "/api/v1/products", { key: org.secretKey, body: product() });
			expect(res.status, `request ${i + 1}: ${res.text}`).toBe(201);
		}
		const limited = await call("/api/v1/products", { key: org.secretKey, body: product() });
		expectProblem(limited, 429, "Rate limit exceeded");
		expect(Number(limited.headers.get("Retry-After"))).toBeGreaterThanOrEqual(1);
		expect(await countRows("products", org.organizationId)).toBe(100);

		const res = await call("/api/v1/products", { key: second.key, body: product() });
		expect(res.status, res.text).toBe(201);
		expect(res.headers.get("RateLimit-Remaining")).toBe("99");
		expect(await countRows("products", org.organizationId)).toBe(101);
	});
});
