/**
 * Cross-cutting rules of DESIGN.md: authentication, problem details, request ids,
 * body limits, idempotency, per-key rate limits and the public meta endpoints.
 */
import { env, exports } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { IDEMPOTENCY_LEASE_MS } from "../../src/http/middleware/idempotency";
import { sha256Hex } from "../../src/lib/crypto";
import { SNEAKER } from "../support/catalog";
import { BASE, call, countOrganizations, countRows, createOrg, type Res } from "../support/helpers";
import { expectProblem } from "../support/problems";

const PRODUCTS = "/api/v1/products";
const ORGS = "/platform/v1/organizations";

/** A key of the right shape that was never issued. */
const unknownSecretKey = `sk_live_${"A1b2C3d4".repeat(4)}`;

describe("authentication", () => {
	it("no Authorization header → 401 Authentication required on both product paths", async () => {
		for (const path of [PRODUCTS, "/api/products", `${PRODUCTS}/prod_01ARZ3NDEKTSV4RRFFQ69G5FAV`]) {
			const res = await call(path);
			expectProblem(res, 401, "Authentication required");
			expect(res.headers.get("WWW-Authenticate")).toMatch(/^Bearer/);
		}
	});

	it("no Authorization on a POST → 401 and nothing stored", async () => {
		const org = await createOrg();
		const res = await call(PRODUCTS, { body: SNEAKER });
		expectProblem(res, 401, "Authentication required");
		expect(await countRows("products", org.organizationId)).toBe(0);
	});

	const badHeaders: [string, string][] = [
		["an empty Bearer", "Bearer "],
		["a malformed key", "Bearer not-a-key"],
		["an unknown key of the right shape", `Bearer ${unknownSecretKey}`],
		["an unknown publishable key", `Bearer pk_live_${"Z9y8X7w6".repeat(4)}`],
		["a Basic scheme", `Basic ${btoa("user:pass")}`],
		["a key with a trailing extra character", "__KEY__x"],
		["a truncated key", "__KEY__-1"],
		["the key without the Bearer scheme", "__RAW__"],
	];
	for (const [label, template] of badHeaders) {
		it(`${label} → 401`, async () => {
			const org = await createOrg();
			const header = template
				.replace("__KEY__-1", `Bearer ${org.secretKey.slice(0, -1)}`)
				.replace("__KEY__", `Bearer ${org.secretKey}`)
				.replace("__RAW__", org.secretKey);
			const res = await call(PRODUCTS, { headers: { Authorization: header }, body: SNEAKER });
			expectProblem(res, 401, "Authentication required");
			expect(await countRows("products", org.organizationId)).toBe(0);
		});
	}

	it("a revoked secret key → 401 (when /api/v1/api-keys exists)", async (ctx) => {
		const org = await createOrg();
		const made = await call("/api/v1/api-keys", { key: org.secretKey, body: { type: "secret", name: "to revoke" } });
		if (made.status === 404 && made.json?.title === "Not found") {
			ctx.skip("POST /api/v1/api-keys does not exist yet");
			return;
		}
		expect(made.status, made.text).toBe(201);
		expect((await call(PRODUCTS, { key: made.json.key })).status).toBe(200);
		const del = await call(`/api/v1/api-keys/${made.json.id}`, { key: org.secretKey, method: "DELETE" });
		expect(del.status, del.text).toBe(204);
		const res = await call(PRODUCTS, { key: made.json.key, body: SNEAKER });
		expectProblem(res, 401, "Authentication required");
		expect(await countRows("products", org.organizationId)).toBe(0);
		// The org's original key still works.
		expect((await call(PRODUCTS, { key: org.secretKey })).status).toBe(200);
	});

	it("the Bearer scheme is case-insensitive", async () => {
		const org = await createOrg();
		const res = await call(PRODUCTS, { headers: { Authorization: `bearer ${org.secretKey}` } });
		expect(res.status).toBe(200);
	});

	it("a publishable key on /api/v1/products → 403 Permission denied, nothing stored", async () => {
		const org = await createOrg();
		expect(org.publishableKey).toMatch(/^pk_live_/);
		const post = await call(PRODUCTS, { key: org.publishableKey, body: SNEAKER });
		expectProblem(post, 403, "Permission denied");
		expect(await countRows("products", org.organizationId)).toBe(0);
		expectProblem(await call(PRODUCTS, { key: org.publishableKey }), 403, "Permission denied");
		expectProblem(await call("/api/products", { key: org.publishableKey }), 403, "Permission denied");
	});

	it("a secret key works, and the org's publishable key is refused on its own data", async () => {
		const org = await createOrg();
		const created = await call(PRODUCTS, { key: org.secretKey, body: SNEAKER });
		expect(created.status).toBe(201);
		expectProblem(await call(`${PRODUCTS}/${created.json.id}`, { key: org.publishableKey }), 403, "Permission denied");
		expectProblem(
			await call(`${PRODUCTS}/${created.json.id}`, { key: org.publishableKey, method: "DELETE" }),
			403,
			"Permission denied",
		);
		expect(await countRows("products", org.organizationId)).toBe(1);
	});
});

describe("platform API", () => {
	it("a wrong or missing platform token → 401, nothing created", async () => {
		const org = await createOrg();
		const before = await countOrganizations();
		for (const key of [null, "wrong-token", `${env.PLATFORM_ADMIN_TOKEN}x`, org.secretKey]) {
			expectProblem(await call(ORGS, { key }), 401, "Authentication required");
			expectProblem(await call(ORGS, { key, body: { name: "Intruder" } }), 401, "Authentication required");
		}
		expect(await countOrganizations()).toBe(before);
	});

	it("creates an organization with its default time zone and one secret + one publishable key", async () => {
		const res = await call(ORGS, {
			key: env.PLATFORM_ADMIN_TOKEN,
			body: { name: "Acme", defaultTimeZone: "America/New_York" },
		});
		expect(res.status).toBe(201);
		expect(res.json.organization).toMatchObject({ name: "Acme", defaultTimeZone: "America/New_York" });
		expect(res.json.organization.id).toMatch(/^org_[0-9A-Z]{26}$/);
		expect(res.json.secretKey.key).toMatch(/^sk_live_[A-Za-z0-9]{32}$/);
		expect(res.json.publishableKey.key).toMatch(/^pk_live_[A-Za-z0-9]{32}$/);
		const got = await call(`${ORGS}/${res.json.organization.id}`, { key: env.PLATFORM_ADMIN_TOKEN });
		expect(got.status).toBe(200);
		expect(got.json).toEqual(res.json.organization);
	});

	it("defaultTimeZone defaults to UTC", async () => {
		const res = await call(ORGS, { key: env.PLATFORM_ADMIN_TOKEN, body: { name: "No zone" } });
		expect(res.status).toBe(201);
		expect(res.json.organization.defaultTimeZone).toBe("UTC");
	});

	for (const zone of ["Mars/Olympus_Mons", "", "EST5EDT/Nowhere", "America/New York"]) {
		it(`defaultTimeZone ${JSON.stringify(zone)} → 400 naming defaultTimeZone, nothing created`, async () => {
			const before = await countOrganizations();
			const res = await call(ORGS, {
				key: env.PLATFORM_ADMIN_TOKEN,
				body: { name: "Bad zone", defaultTimeZone: zone },
			});
			const p = expectProblem(res, 400, "Validation failed");
			expect(p.errors?.map((e) => e.path)).toContain("defaultTimeZone");
			expect(await countOrganizations()).toBe(before);
		});
	}

	it("unknown fields and a missing name → 400, nothing created", async () => {
		const before = await countOrganizations();
		expectProblem(
			await call(ORGS, { key: env.PLATFORM_ADMIN_TOKEN, body: { name: "X", plan: "gold" } }),
			400,
			"Validation failed",
		);
		expectProblem(await call(ORGS, { key: env.PLATFORM_ADMIN_TOKEN, body: {} }), 400, "Validation failed");
		expect(await countOrganizations()).toBe(before);
	});

	it("an unknown organization id → 404", async () => {
		const res = await call(`${ORGS}/org_01ARZ3NDEKTSV4RRFFQ69G5FAV`, { key: env.PLATFORM_ADMIN_TOKEN });
		expectProblem(res, 404, "Organization not found");
	});

	it("the new organization's secret key works on /api/v1 right away", async () => {
		const org = await createOrg("Europe/Paris");
		const res = await call(PRODUCTS, { key: org.secretKey });
		expect(res.status).toBe(200);
		expect(res.json).toEqual({ data: [], nextCursor: null });
	});
});

describe("X-Request-Id", () => {
	it("is on every response: success, errors, unknown routes and meta endpoints", async () => {
		const org = await createOrg();
		const created = await call(PRODUCTS, { key: org.secretKey, body: SNEAKER });
		const responses: [string, Res][] = [
			["201 create", created],
			["200 list", await call(PRODUCTS, { key: org.secretKey })],
			["200 get", await call(`${PRODUCTS}/${created.json.id}`, { key: org.secretKey })],
			["400 validation", await call(PRODUCTS, { key: org.secretKey, body: {} })],
			["401", await call(PRODUCTS)],
			["403", await call(PRODUCTS, { key: org.publishableKey })],
			["404 product", await call(`${PRODUCTS}/prod_01ARZ3NDEKTSV4RRFFQ69G5FAV`, { key: org.secretKey })],
			["404 route", await call("/no/such/route")],
			["409", await call(PRODUCTS, { key: org.secretKey, body: SNEAKER })],
			["415", await call(PRODUCTS, { key: org.secretKey, raw: "x", headers: { "Content-Type": "text/plain" } })],
			["204 delete", await call(`${PRODUCTS}/${created.json.id}`, { key: org.secretKey, method: "DELETE" })],
			[
				"413",
				await call(PRODUCTS, {
					key: org.secretKey,
					raw: "x".repeat(70_000),
					headers: { "Content-Type": "application/json" },
				}),
			],
			["healthz", await call("/healthz")],
			["openapi", await call("/openapi.json")],
			["platform 401", await call(ORGS)],
		];
		const ids = new Set<string>();
		for (const [label, res] of responses) {
			const id = res.headers.get("X-Request-Id");
			expect(id, label).toMatch(/^req_[0-9A-Z]{26}$/);
			ids.add(id as string);
		}
		expect(ids.size).toBe(responses.length);
	});
});

describe("routing and bodies", () => {
	it("an unknown route → 404 problem+json", async () => {
		const org = await createOrg();
		for (const [path, opts] of [
			["/nope", {}],
			["/api/v1/widgets", { key: org.secretKey }],
			["/api/v2/products", { key: org.secretKey }],
			["/api/v1/products/prod_01ARZ3NDEKTSV4RRFFQ69G5FAV/extra", { key: org.secretKey }],
		] as const) {
			const res = await call(path, opts);
			expectProblem(res, 404);
		}
	});

	it("a body over 64 KB → 413 problem, nothing stored", async () => {
		const org = await createOrg();
		const body = JSON.stringify({ ...SNEAKER, description: "d".repeat(64 * 1024) });
		const res = await call(PRODUCTS, {
			key: org.secretKey,
			raw: body,
			headers: { "Content-Type": "application/json" },
		});
		expectProblem(res, 413);
		expect(await countRows("products", org.organizationId)).toBe(0);
	});

	it("a body of exactly 64 KB is read (and then validated), one byte more is 413", async () => {
		const org = await createOrg();
		const make = (size: number) => {
			const shell = JSON.stringify({ ...SNEAKER, description: "" });
			return JSON.stringify({ ...SNEAKER, description: "d".repeat(size - shell.length) });
		};
		const exact = make(64 * 1024);
		expect(new TextEncoder().encode(exact).byteLength).toBe(64 * 1024);
		const ok = await call(PRODUCTS, {
			key: org.secretKey,
			raw: exact,
			headers: { "Content-Type": "application/json" },
		});
		// The description is too long for a product, so validation answers, not the size limit.
		const p = expectProblem(ok, 400, "Validation failed");
		expect(p.errors?.map((e) => e.path)).toContain("description");
		const over = await call(PRODUCTS, {
			key: org.secretKey,
			raw: make(64 * 1024 + 1),
			headers: { "Content-Type": "application/json" },
		});
		expectProblem(over, 413);
		expect(await countRows("products", org.organizationId)).toBe(0);
	});

	it("a streamed body over 64 KB without Content-Length → 413", async () => {
		const org = await createOrg();
		const chunk = new TextEncoder().encode("d".repeat(16 * 1024));
		let sent = 0;
		const stream = new ReadableStream<Uint8Array>({
			pull(controller) {
				if (sent === 0) controller.enqueue(new TextEncoder().encode('{"name":"N","price":1,"sku":"S","description":"'));
				if (sent >= 6) {
					controller.enqueue(new TextEncoder().encode('"}'));
					controller.close();
					return;
				}
				controller.enqueue(chunk);
				sent++;
			},
		});
		const res = await exports.default.fetch(
			new Request(`${BASE}${PRODUCTS}`, {
				method: "POST",
				headers: { Authorization: `Bearer ${org.secretKey}`, "Content-Type": "application/json" },
				body: stream,
			}),
		);
		const text = await res.text();
		expect(res.status, text).toBe(413);
		expect(res.headers.get("Content-Type")).toMatch(/^application\/problem\+json/);
		expect(await countRows("products", org.organizationId)).toBe(0);
	});

	it("a POST body without a JSON Content-Type → 415 even before authentication", async () => {
		const res = await call(PRODUCTS, { raw: JSON.stringify(SNEAKER), headers: { "Content-Type": "text/plain" } });
		expectProblem(res, 415);
	});
});

describe("idempotency", () => {
	it("same X-Idempotency-Key + same body → same status and body, Idempotent-Replayed: true, one product", async () => {
		const org = await createOrg();
		const headers = { "X-Idempotency-Key": "unique-request-id-123" };
		const first = await call(PRODUCTS, { key: org.secretKey, body: SNEAKER, headers });
		expect(first.status).toBe(201);
		expect(first.headers.get("Idempotent-Replayed")).toBeNull();
		const second = await call(PRODUCTS, { key: org.secretKey, body: SNEAKER, headers });
		expect(second.status).toBe(201);
		expect(second.headers.get("Idempotent-Replayed")).toBe("true");
		expect(second.headers.get("Content-Type")).toMatch(/^application\/json/);
		expect(second.text).toBe(first.text);
		const third = await call(PRODUCTS, { key: org.secretKey, body: SNEAKER, headers });
		expect(third.text).toBe(first.text);
		expect(await countRows("products", org.organizationId)).toBe(1);
	});

	it("the Idempotency-Key header works the same way", async () => {
		const org = await createOrg();
		const headers = { "Idempotency-Key": "ik-plain-header" };
		const first = await call(PRODUCTS, { key: org.secretKey, body: SNEAKER, headers });
		expect(first.status).toBe(201);
		const second = await call(PRODUCTS, { key: org.secretKey, body: SNEAKER, headers });
		expect(second.status).toBe(201);
		expect(second.headers.get("Idempotent-Replayed")).toBe("true");
		expect(second.json).toEqual(first.json);
		expect(await countRows("products", org.organizationId)).toBe(1);
	});

	it("without a key, a repeated create is not deduplicated (second one is a SKU conflict)", async () => {
		const org = await createOrg();
		expect((await call(PRODUCTS, { key: org.secretKey, body: SNEAKER })).status).toBe(201);
		const again = await call(PRODUCTS, { key: org.secretKey, body: SNEAKER });
		expectProblem(again, 409, "SKU already exists");
		expect(again.headers.get("Idempotent-Replayed")).toBeNull();
	});

	it("same key + different body → 422, nothing more stored", async () => {
		const org = await createOrg();
		const headers = { "X-Idempotency-Key": "reused-key" };
		const first = await call(PRODUCTS, { key: org.secretKey, body: SNEAKER, headers });
		expect(first.status).toBe(201);
		const other = await call(PRODUCTS, { key: org.secretKey, body: { ...SNEAKER, sku: "SNKR-002" }, headers });
		expectProblem(other, 422);
		expect(other.headers.get("Idempotent-Replayed")).toBeNull();
		expect(await countRows("products", org.organizationId)).toBe(1);
		// The original request still replays.
		const replay = await call(PRODUCTS, { key: org.secretKey, body: SNEAKER, headers });
		expect(replay.status).toBe(201);
		expect(replay.json.id).toBe(first.json.id);
	});

	it("a replay returns the stored response even after the product was deleted (no re-creation)", async () => {
		const org = await createOrg();
		const headers = { "X-Idempotency-Key": "create-then-delete" };
		const first = await call(PRODUCTS, { key: org.secretKey, body: SNEAKER, headers });
		expect(first.status).toBe(201);
		const del = await call(`${PRODUCTS}/${first.json.id}`, { key: org.secretKey, method: "DELETE" });
		expect(del.status).toBe(204);
		const replay = await call(PRODUCTS, { key: org.secretKey, body: SNEAKER, headers });
		expect(replay.status).toBe(201);
		expect(replay.headers.get("Idempotent-Replayed")).toBe("true");
		expect(replay.json.id).toBe(first.json.id);
		expect(await countRows("products", org.organizationId)).toBe(0);
	});

	it("keys are per organization: the same key in two orgs creates two products", async () => {
		const a = await createOrg();
		const b = await createOrg();
		const headers = { "X-Idempotency-Key": "shared-key-across-orgs" };
		const ra = await call(PRODUCTS, { key: a.secretKey, body: SNEAKER, headers });
		const rb = await call(PRODUCTS, { key: b.secretKey, body: SNEAKER, headers });
		expect(ra.status).toBe(201);
		expect(rb.status).toBe(201);
		expect(rb.headers.get("Idempotent-Replayed")).toBeNull();
		expect(rb.json.id).not.toBe(ra.json.id);
		expect(rb.json.organizationId).toBe(b.organizationId);
		expect(await countRows("products", a.organizationId)).toBe(1);
		expect(await countRows("products", b.organizationId)).toBe(1);
	});

	for (const [label, key] of [
		["with a space", "has space"],
		["over 255 characters", "k".repeat(256)],
	] as const) {
		it(`an idempotency key ${label} → 400, nothing stored`, async () => {
			const org = await createOrg();
			const res = await call(PRODUCTS, { key: org.secretKey, body: SNEAKER, headers: { "X-Idempotency-Key": key } });
			const p = expectProblem(res, 400, "Validation failed");
			expect(p.errors?.map((e) => e.path)).toContain("X-Idempotency-Key");
			expect(await countRows("products", org.organizationId)).toBe(0);
		});
	}

	it("100 concurrent POSTs with one key (within the rate limit): every response 201 or 409 in progress, one product", async () => {
		const org = await createOrg();
		const headers = { "X-Idempotency-Key": "burst-100" };
		const results = await Promise.all(
			Array.from({ length: 100 }, () => call(PRODUCTS, { key: org.secretKey, body: SNEAKER, headers })),
		);
		const created = results.filter((r) => r.status === 201);
		const inProgress = results.filter((r) => r.status === 409);
		expect(created.length + inProgress.length, results.map((r) => r.status).join(",")).toBe(100);
		expect(created.filter((r) => r.headers.get("Idempotent-Replayed") !== "true")).toHaveLength(1);
		expect(new Set(created.map((r) => r.json.id)).size).toBe(1);
		for (const r of inProgress) expectProblem(r, 409, "Request in progress");
		expect(await countRows("products", org.organizationId)).toBe(1);
	});

	it("a key left in progress by a cancelled request is taken over once its lease has passed", async () => {
		const org = await createOrg();
		const key = `cancelled-${crypto.randomUUID()}`;
		// What a request cut off after claiming its key leaves behind: a claim nothing will ever finish,
		// with the request's own hash (method, path, the sending key's id, the body: idempotency.ts).
		const sender = await env.DB.prepare("SELECT id FROM api_keys WHERE organization_id = ? AND type = 'secret'")
			.bind(org.organizationId)
			.first<{ id: string }>();
		const hash = await sha256Hex(`POST ${PRODUCTS} ${sender?.id}\n${JSON.stringify(SNEAKER)}`);
		const claim = (at: number) =>
			env.DB.prepare(
				"INSERT OR REPLACE INTO idempotency_keys (scope, key, request_hash, state, created_at) VALUES (?, ?, ?, 'in_flight', ?)",
			)
				.bind(org.organizationId, key, hash, at)
				.run();
		const post = () => call(PRODUCTS, { key: org.secretKey, body: SNEAKER, headers: { "X-Idempotency-Key": key } });
		await claim(Date.now() - 1000);
		const busy = await post();
		expectProblem(busy, 409, "Request in progress");
		expect(busy.headers.get("Retry-After")).toBe("1");
		// Before: 409 for the whole 24 h the key is kept.
		await claim(Date.now() - IDEMPOTENCY_LEASE_MS - 1);
		const res = await post();
		expect(res.status, res.text).toBe(201);
		expect((await post()).headers.get("Idempotent-Replayed")).toBe("true");
		expect(await countRows("products", org.organizationId)).toBe(1);
	});

	it("200 concurrent POSTs with one key create exactly one product", async () => {
		const org = await createOrg();
		const headers = { "X-Idempotency-Key": "burst-200" };
		const results = await Promise.all(
			Array.from({ length: 200 }, () => call(PRODUCTS, { key: org.secretKey, body: SNEAKER, headers })),
		);
		const statuses = results.map((r) => r.status);
		// 201 (first or replayed) or 409 "Request in progress". The per-key budget of 100
		// product requests a minute also applies, so requests past it are 429.
		for (const r of results) expect([201, 409, 429], `status ${r.status}: ${r.text}`).toContain(r.status);
		const created = results.filter((r) => r.status === 201);
		expect(created.filter((r) => r.headers.get("Idempotent-Replayed") !== "true")).toHaveLength(1);
		expect(new Set(created.map((r) => r.json.id)).size).toBe(1);
		for (const r of results.filter((x) => x.status === 409)) expectProblem(r, 409, "Request in progress");
		for (const r of results.filter((x) => x.status === 429)) expectProblem(r, 429, "Rate limit exceeded");
		expect(statuses.filter((s) => s !== 429).length).toBeGreaterThanOrEqual(100);
		expect(await countRows("products", org.organizationId)).toBe(1);
	});

	it("platform organization creation is idempotent too (same org, keys replayed)", async () => {
		const before = await countOrganizations();
		const headers = { "X-Idempotency-Key": `platform-${crypto.randomUUID()}` };
		const opts = { key: env.PLATFORM_ADMIN_TOKEN, body: { name: "Once only" }, headers };
		const first = await call(ORGS, opts);
		const second = await call(ORGS, opts);
		expect(first.status).toBe(201);
		expect(second.status).toBe(201);
		expect(second.headers.get("Idempotent-Replayed")).toBe("true");
		expect(second.json).toEqual(first.json);
		expect(await countOrganizations()).toBe(before + 1);
	});
});

describe("rate limits", () => {
	it("100 product POSTs a minute succeed; the 101st is 429 with Retry-After and RateLimit-* headers", async () => {
		const org = await createOrg();
		const results = await Promise.all(
			Array.from({ length: 100 }, (_, i) =>
				call(PRODUCTS, { key: org.secretKey, body: { name: `P${i}`, price: 1, sku: `RL-${i}` } }),
			),
		);
		expect(results.map((r) => r.status)).toEqual(Array(100).fill(201));
		for (const r of results) expect(r.headers.get("RateLimit-Limit")).toBe("100");
		const remaining = results.map((r) => Number(r.headers.get("RateLimit-Remaining"))).sort((x, y) => x - y);
		expect(remaining).toEqual(Array.from({ length: 100 }, (_, i) => i));

		const over = await call(PRODUCTS, { key: org.secretKey, body: { name: "P100", price: 1, sku: "RL-100" } });
		expectProblem(over, 429, "Rate limit exceeded");
		const retryAfter = Number(over.headers.get("Retry-After"));
		expect(Number.isInteger(retryAfter)).toBe(true);
		expect(retryAfter).toBeGreaterThanOrEqual(1);
		expect(retryAfter).toBeLessThanOrEqual(60);
		expect(over.headers.get("RateLimit-Limit")).toBe("100");
		expect(over.headers.get("RateLimit-Remaining")).toBe("0");
		expect(over.headers.get("RateLimit-Reset")).toMatch(/^\d+$/);
		expect(over.headers.get("X-Request-Id")).toMatch(/^req_/);
		expect(await countRows("products", org.organizationId)).toBe(100);

		// Reads spend the general budget, not the products write budget.
		const read = await call(PRODUCTS, { key: org.secretKey });
		expect(read.status).toBe(200);
		expect(read.headers.get("RateLimit-Limit")).toBe("300");

		// Another organization's key has its own budget.
		const other = await createOrg();
		const fresh = await call(PRODUCTS, { key: other.secretKey, body: SNEAKER });
		expect(fresh.status).toBe(201);
		expect(fresh.headers.get("RateLimit-Remaining")).toBe("99");
	});

	it("a first request reports the full budget minus one", async () => {
		const org = await createOrg();
		const res = await call(PRODUCTS, { key: org.secretKey, body: SNEAKER });
		expect(res.status).toBe(201);
		expect(res.headers.get("RateLimit-Limit")).toBe("100");
		expect(res.headers.get("RateLimit-Remaining")).toBe("99");
		expect(Number(res.headers.get("RateLimit-Reset"))).toBeGreaterThan(0);
	});

	it("limits are per API key: a second secret key of the same org has its own budget", async (ctx) => {
		const org = await createOrg();
		const made = await call("/api/v1/api-keys", { key: org.secretKey, body: { type: "secret", name: "second" } });
		if (made.status === 404 && made.json?.title === "Not found") {
			ctx.skip("POST /api/v1/api-keys does not exist yet");
			return;
		}
		expect(made.status, made.text).toBe(201);
		const second: string = made.json.key;
		expect(second).toMatch(/^sk_live_/);
		// The api-keys call used the admin bucket, not products: spend the products budget of the first key.
		const results = await Promise.all(
			Array.from({ length: 100 }, (_, i) =>
				call(PRODUCTS, { key: org.secretKey, body: { name: `P${i}`, price: 1, sku: `PK-${i}` } }),
			),
		);
		expect(results.every((r) => r.status === 201)).toBe(true);
		expectProblem(await call(PRODUCTS, { key: org.secretKey, body: SNEAKER }), 429, "Rate limit exceeded");
		const viaSecond = await call(PRODUCTS, { key: second, body: SNEAKER });
		expect(viaSecond.status).toBe(201);
		expect(viaSecond.headers.get("RateLimit-Remaining")).toBe("99");
		expect(await countRows("products", org.organizationId)).toBe(101);
	});

	it("101 product GETs in a minute are not throttled by the products budget: reads use the general 300", async () => {
		const org = await createOrg();
		const reads = await Promise.all(Array.from({ length: 101 }, () => call(PRODUCTS, { key: org.secretKey })));
		expect(reads.map((r) => r.status)).toEqual(Array(101).fill(200));
		for (const r of reads) expect(r.headers.get("RateLimit-Limit")).toBe("300");
		// The write budget is untouched by those reads.
		const write = await call(PRODUCTS, { key: org.secretKey, body: SNEAKER });
		expect(write.status).toBe(201);
		expect(write.headers.get("RateLimit-Limit")).toBe("100");
		expect(write.headers.get("RateLimit-Remaining")).toBe("99");
	});
});

describe("meta endpoints", () => {
	it("GET /healthz → 200", async () => {
		const res = await call("/healthz");
		expect(res.status).toBe(200);
		expect(res.json).toEqual({ status: "ok" });
	});

	it("GET /openapi.json → OpenAPI 3.1.0 describing the products API", async () => {
		const res = await call("/openapi.json");
		expect(res.status).toBe(200);
		expect(res.headers.get("Content-Type")).toMatch(/^application\/json/);
		const doc = res.json;
		expect(doc.openapi).toBe("3.1.0");
		expect(Object.keys(doc.paths)).toContain("/api/v1/products");
		expect(doc.paths["/api/v1/products"]).toHaveProperty("post");
		expect(doc.paths["/api/v1/products"]).toHaveProperty("get");
		const item = doc.paths["/api/v1/products/{id}"];
		expect(item).toBeDefined();
		expect(Object.keys(item)).toEqual(expect.arrayContaining(["get", "put", "delete"]));
		expect(doc.paths["/api/v1/products"].post.responses).toHaveProperty("201");
		expect(doc.components.securitySchemes).toHaveProperty("secretKey");
		// Meta endpoints are not part of the API description.
		expect(Object.keys(doc.paths)).not.toContain("/healthz");
	});

	it("GET /docs → 200 HTML", async () => {
		const res = await call("/docs");
		expect(res.status).toBe(200);
		expect(res.headers.get("Content-Type")).toMatch(/^text\/html/);
		expect(res.text).toMatch(/<html/i);
		expect(res.text).toContain("/openapi.json");
	});

	it("GET /docs works offline: it loads only same-origin scripts, and its script is served as JavaScript", async () => {
		const page = await call("/docs");
		expect(page.status).toBe(200);
		const scripts = [...page.text.matchAll(/<script\b[^>]*\bsrc="([^"]+)"/gi)].map((m) => m[1]);
		expect(scripts.length).toBeGreaterThan(0);
		for (const src of scripts) expect(new URL(src, `${BASE}/docs`).origin, src).toBe(BASE);
		// Nothing else on the page points off-site either (stylesheets, fonts, ES module imports).
		expect(page.text).not.toMatch(/(?:src|href)="(?:https?:)?\/\//i);
		expect(page.text).not.toMatch(/import[^'"]*['"]https?:/i);
		for (const src of scripts) {
			const res = await call(new URL(src, `${BASE}/docs`).pathname);
			expect(res.status, src).toBe(200);
			expect(res.headers.get("Content-Type"), src).toMatch(/javascript/);
			expect(res.text).toContain("createApiReference");
		}
	});

	it("meta endpoints need no credentials", async () => {
		for (const path of ["/healthz", "/openapi.json", "/docs"]) {
			const res = await call(path);
			expect(res.status, path).toBe(200);
			expect(res.headers.get("WWW-Authenticate"), path).toBeNull();
		}
	});
});
