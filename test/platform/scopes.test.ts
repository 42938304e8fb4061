/**
 * API key scopes (src/platform/api-keys/scopes.ts): the matrix of what each scope allows, keys
 * created and revoked only within the caller's scopes, the last full-access key kept, the cap of
 * live keys per organization, and the api_key.* events — all through the real worker and D1.
 */
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { API_KEY_SCOPES, missingScope, RESOURCE_SCOPES, resourceOf } from "../../src/platform/api-keys/scopes";
import { maxLiveKeys } from "../../src/platform/api-keys/service";
import { call, countRows, createOrg, type TestOrg } from "../support/helpers";
import { expectFieldError, expectProblem } from "../support/problems";
import { waitFor } from "../support/time";

const KEYS = "/api/v1/api-keys";

async function keyWith(org: TestOrg, scopes?: string[], key = org.secretKey) {
	const res = await call(KEYS, {
		key,
		body: { type: "secret", name: `scoped ${scopes}`, ...(scopes ? { scopes } : {}) },
	});
	expect(res.status, res.text).toBe(201);
	return res.json as { id: string; key: string; scopes: string[] };
}

let sku = 0;
/** One request per resource family, each a write unless GET. */
const REQUESTS: { scope: string; method: string; path: string; body?: () => unknown }[] = [
	{ scope: "catalog", method: "GET", path: "/api/v1/products" },
	{
		scope: "catalog",
		method: "POST",
		path: "/api/v1/products",
		body: () => ({ name: "P", price: 1, sku: `S-${++sku}` }),
	},
	{ scope: "catalog", method: "POST", path: "/api/products", body: () => ({ name: "P", price: 1, sku: `S-${++sku}` }) },
	{ scope: "catalog", method: "GET", path: "/api/consumers" },
	{ scope: "distributions", method: "GET", path: "/api/v1/experiences" },
	{ scope: "distributions", method: "POST", path: "/api/v1/experiences", body: () => ({ name: "E" }) },
	{ scope: "distributions", method: "GET", path: "/api/v1/queues" },
	{ scope: "events", method: "GET", path: "/api/v1/events" },
	{
		scope: "events",
		method: "POST",
		path: "/api/v1/webhook-endpoints",
		body: () => ({ url: "https://hooks.example.com/h", events: ["*"] }),
	},
	{ scope: "keys", method: "GET", path: KEYS },
	{ scope: "keys", method: "POST", path: KEYS, body: () => ({ type: "publishable", name: "pk" }) },
];

describe("scopes: what each one allows", () => {
	it("new keys and the organization's first key hold every scope unless told otherwise", async () => {
		const org = await createOrg();
		const list = await call(KEYS, { key: org.secretKey });
		const byType = Object.fromEntries(list.json.data.map((k: any) => [k.type, k.scopes]));
		expect(byType).toEqual({ secret: [...API_KEY_SCOPES], publishable: [] });
		expect((await keyWith(org)).scopes).toEqual([...API_KEY_SCOPES]);
		// A row written without scopes (as every key before migration 0007) gets them all from the column default.
		await env.DB.prepare(
			"INSERT INTO api_keys (id, organization_id, type, name, prefix, key_hash, created_at) VALUES (?, ?, 'secret', 'old', 'sk_live_old', ?, ?)",
		)
			.bind(`key_old${Date.now()}`, org.organizationId, `hash-${Math.random()}`, Date.now())
			.run();
		const old = (await call(KEYS, { key: org.secretKey })).json.data.find((k: any) => k.name === "old");
		expect(old.scopes).toEqual([...API_KEY_SCOPES]);
	});

	for (const scope of API_KEY_SCOPES) {
		it(`a key with only "${scope}"`, async () => {
			const org = await createOrg();
			const { key } = await keyWith(org, [scope]);
			for (const r of REQUESTS) {
				const allowed = r.scope === scope || (scope === "read" && r.method === "GET");
				const res = await call(r.path, { key, method: r.method, body: r.body?.() });
				const what = `${scope}: ${r.method} ${r.path} → ${res.status} ${res.text.slice(0, 200)}`;
				if (allowed) {
					expect(res.status, what).toBeLessThan(300);
				} else {
					const p = expectProblem(res, 403, "Permission denied");
					expect(p.detail, what).toContain(`"${r.scope}" scope`);
					expect(p.errors, what).toEqual([{ path: "scopes", message: `Missing scope: ${r.scope}` }]);
				}
			}
		});
	}

	it("a refused write stores nothing", async () => {
		const org = await createOrg();
		const { key } = await keyWith(org, ["read", "events"]);
		const before = await countRows("products", org.organizationId);
		const res = await call("/api/v1/products", { key, body: { name: "P", price: 1, sku: "NOPE" } });
		expectProblem(res, 403);
		expect(await countRows("products", org.organizationId)).toBe(before);
		expect(await countRows("api_keys", org.organizationId)).toBe(3);
	});

	it("every merchant path in the OpenAPI document has a scope (anything unmapped needs them all)", async () => {
		const doc = (await call("/openapi.json")).json;
		const resources = new Set(
			Object.keys(doc.paths)
				.filter((p) => p.startsWith("/api/"))
				.map(resourceOf),
		);
		expect(resources.size).toBeGreaterThan(8);
		for (const r of resources) expect(RESOURCE_SCOPES[r], r).toBeDefined();
		expect(missingScope(["read", "catalog"], "GET", "/api/v1/unmapped")).toBe("distributions");
		expect(missingScope([...API_KEY_SCOPES], "POST", "/api/v1/unmapped")).toBeNull();
	});
});

describe("scopes: granting and revoking", () => {
	it("a key grants only scopes it holds; without scopes a new key gets the creator's", async () => {
		const org = await createOrg();
		const keeper = await keyWith(org, ["keys", "catalog"]);
		expect((await keyWith(org, undefined, keeper.key)).scopes).toEqual(["catalog", "keys"]);
		expect((await keyWith(org, ["catalog"], keeper.key)).scopes).toEqual(["catalog"]);
		const before = await countRows("api_keys", org.organizationId);
		const res = await call(KEYS, {
			key: keeper.key,
			body: { type: "secret", name: "escalate", scopes: ["catalog", "distributions", "read"] },
		});
		const p = expectProblem(res, 403, "Permission denied");
		expect(p.detail).toContain("distributions, read");
		expect(p.errors?.map((e) => e.message)).toEqual(["Missing scope: distributions", "Missing scope: read"]);
		expect(await countRows("api_keys", org.organizationId)).toBe(before);
	});

	it("another key of the organization replaying a stored create under its idempotency key gets 422, not the new key", async () => {
		const org = await createOrg();
		const keeper = await keyWith(org, ["keys", "catalog"]);
		const headers = { "X-Idempotency-Key": "create-key-1" };
		const body = { type: "secret", name: "ci" };
		const full = await call(KEYS, { key: org.secretKey, body, headers });
		expect(full.status, full.text).toBe(201);
		const before = await countRows("api_keys", org.organizationId);
		// Without scopes the new key took all of its creator's: replayed to `keeper`, that was an escalation.
		const replayed = await call(KEYS, { key: keeper.key, body, headers });
		expectProblem(replayed, 422, "Idempotency key reused");
		expect(replayed.text).not.toContain(full.json.key);
		expect(await countRows("api_keys", org.organizationId)).toBe(before);
		// The key that sent it still gets its reply.
		const again = await call(KEYS, { key: org.secretKey, body, headers });
		expect(again.headers.get("Idempotent-Replayed")).toBe("true");
		expect(again.json).toEqual(full.json);
	});

	it("only a key with `keys` creates or revokes keys", async () => {
		const org = await createOrg();
		const victim = await keyWith(org, ["catalog"]);
		const { key } = await keyWith(org, ["catalog", "distributions", "events", "read"]);
		expectProblem(await call(KEYS, { key, body: { type: "secret", name: "x", scopes: ["catalog"] } }), 403);
		expectProblem(await call(`${KEYS}/${victim.id}`, { key, method: "DELETE" }), 403);
		expect((await call(`${KEYS}/${victim.id}`, { key: org.secretKey })).status).toBe(200);
	});

	it("a key cannot revoke one holding scopes it lacks", async () => {
		const org = await createOrg();
		const keeper = await keyWith(org, ["keys", "catalog"]);
		const full = await keyWith(org);
		const res = await call(`${KEYS}/${full.id}`, { key: keeper.key, method: "DELETE" });
		expect(expectProblem(res, 403).detail).toContain("read, distributions, events");
		expect((await call(`${KEYS}/${full.id}`, { key: org.secretKey })).status).toBe(200);
		const narrow = await keyWith(org, ["catalog"], keeper.key);
		expect((await call(`${KEYS}/${narrow.id}`, { key: keeper.key, method: "DELETE" })).status).toBe(204);
	});

	it("the last full-access secret key cannot be revoked (409); with another one it can", async () => {
		const org = await createOrg();
		await keyWith(org, ["catalog", "keys"]);
		const list = (await call(KEYS, { key: org.secretKey })).json.data;
		const firstId = list.find((k: any) => k.type === "secret" && k.scopes.length === API_KEY_SCOPES.length).id;
		const res = await call(`${KEYS}/${firstId}`, { key: org.secretKey, method: "DELETE" });
		expectProblem(res, 409, "Cannot revoke the last full-access key");
		const spare = await keyWith(org);
		expect((await call(`${KEYS}/${firstId}`, { key: spare.key, method: "DELETE" })).status).toBe(204);
		expect((await call(KEYS, { key: org.secretKey })).status).toBe(401);
	});

	it.each([
		[{ type: "secret", name: "x", scopes: [] }, "scopes"],
		[{ type: "secret", name: "x", scopes: ["admin"] }, "scopes.0"],
		[{ type: "secret", name: "x", scopes: ["read", "read"] }, "scopes"],
		[{ type: "secret", name: "x", scopes: "read" }, "scopes"],
		[{ type: "publishable", name: "x", scopes: ["read"] }, "scopes"],
	])("bad scopes %j → 400, nothing stored", async (body, path) => {
		const org = await createOrg();
		expectFieldError(await call(KEYS, { key: org.secretKey, body }), path);
		expect(await countRows("api_keys", org.organizationId)).toBe(2);
	});
});

const MAX_LIVE_KEYS = maxLiveKeys(env);

describe("the cap on live keys", () => {
	it("is 50 in wrangler.toml, and the tests run with it", () => {
		expect(MAX_LIVE_KEYS).toBe(50);
		expect(maxLiveKeys({})).toBe(50);
		expect(maxLiveKeys({ MAX_LIVE_API_KEYS: "5000" })).toBe(5000);
	});

	it(`${MAX_LIVE_KEYS} live keys per organization: the next is 409 and stores nothing; revoking one frees a place`, async () => {
		const org = await createOrg();
		for (let i = 2; i < MAX_LIVE_KEYS - 2; i++) await keyWith(org, ["read"]);
		// The last places, raced: exactly two of five concurrent creations get one.
		const raced = await Promise.all(
			Array.from({ length: 5 }, (_, i) =>
				call(KEYS, { key: org.secretKey, body: { type: "publishable", name: `race ${i}` } }),
			),
		);
		expect(raced.map((r) => r.status).sort()).toEqual([201, 201, 409, 409, 409]);
		const refused = raced.find((r) => r.status === 409);
		if (!refused) throw new Error("no refusal");
		expect(expectProblem(refused, 409, "API key limit reached").detail).toContain(`${MAX_LIVE_KEYS}`);
		expect(await countRows("api_keys", org.organizationId)).toBe(MAX_LIVE_KEYS);

		const one = raced.find((r) => r.status === 201)?.json.id;
		expect((await call(`${KEYS}/${one}`, { key: org.secretKey, method: "DELETE" })).status).toBe(204);
		expect((await call(KEYS, { key: org.secretKey, body: { type: "secret", name: "again" } })).status).toBe(201);
		expect((await call(KEYS, { key: org.secretKey, body: { type: "secret", name: "over" } })).status).toBe(409);
	});
});

describe("api_key events", () => {
	it("api_key.created and api_key.revoked: the key's public fields and who did it, never the key", async () => {
		const org = await createOrg();
		const created = await keyWith(org, ["catalog"]);
		expect((await call(`${KEYS}/${created.id}`, { key: org.secretKey, method: "DELETE" })).status).toBe(204);
		const events = await waitFor(
			"api_key events",
			async () => (await call("/api/v1/events?type=api_key.*", { key: org.secretKey })).json.data as any[],
			(list) => list.length >= 2,
			8000,
		);
		expect(events.map((e) => e.type)).toEqual(["api_key.revoked", "api_key.created"]);
		const actor = (await call(KEYS, { key: org.secretKey })).json.data.find((k: any) => k.type === "secret").id;
		for (const e of events) {
			expect(e.data).toEqual({
				object: {
					id: created.id,
					type: "secret",
					name: "scoped catalog",
					prefix: created.key.slice(0, 12),
					scopes: ["catalog"],
					createdAt: expect.any(String),
					lastUsedAt: null,
				},
				actorApiKeyId: actor,
			});
			expect(JSON.stringify(e)).not.toContain(created.key);
		}
		const stored = await env.DB.prepare("SELECT data FROM events WHERE organization_id = ?")
			.bind(org.organizationId)
			.all<{ data: string }>();
		for (const row of stored.results) expect(row.data).not.toContain(created.key.slice(8));
	});

	it("a refused creation or revocation publishes nothing", async () => {
		const org = await createOrg();
		const narrow = await keyWith(org, ["keys"]);
		const apiKeyEvents = async () =>
			(await call("/api/v1/events?type=api_key.*", { key: org.secretKey })).json.data as any[];
		await waitFor("narrow key's api_key.created", apiKeyEvents, (list) => list.length === 1, 8000);
		expectProblem(await call(KEYS, { key: narrow.key, body: { type: "secret", name: "x", scopes: ["read"] } }), 403);
		const list = (await call(KEYS, { key: org.secretKey })).json.data;
		const full = list.find((k: any) => k.id !== narrow.id && k.type === "secret").id;
		expectProblem(await call(`${KEYS}/${full}`, { key: narrow.key, method: "DELETE" }), 403);
		await new Promise((r) => setTimeout(r, 1500));
		expect((await apiKeyEvents()).map((e) => e.data.object.id)).toEqual([narrow.id]);
	});
});
