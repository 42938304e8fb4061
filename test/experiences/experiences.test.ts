/**
 * /api/v1/experiences and /api/v1/sequences: CRUD, validation, tenancy, and deletion
 * that takes sequences and distributions along — unless a distribution is OPEN.
 */
import { describe, expect, it } from "vitest";
import { createBackdated } from "../support/distributions";
import { call, countRows, createOrg, type TestOrg } from "../support/helpers";
import { expectFieldError, expectProblem } from "../support/problems";
import { iso } from "../support/time";

const EXP = "/api/v1/experiences";
const SEQ = "/api/v1/sequences";
const ULID = "[0-9A-HJKMNP-TV-Z]{26}";
const EXP_ID = new RegExp(`^exp_${ULID}$`);
const SEQ_ID = new RegExp(`^seq_${ULID}$`);
const ISO_UTC = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/;
const HOUR = 3_600_000;
const DAY = 24 * HOUR;
async function createExperience(org: TestOrg, body: Record<string, unknown> = { name: "Launch" }) {
	const res = await call(EXP, { key: org.secretKey, body });
	expect(res.status, res.text).toBe(201);
	return res.json;
}

async function createSequence(org: TestOrg, experienceId: string, body: Record<string, unknown> = { name: "Main" }) {
	const res = await call(`${EXP}/${experienceId}/sequences`, { key: org.secretKey, body });
	expect(res.status, res.text).toBe(201);
	return res.json;
}

async function createProduct(org: TestOrg, sku: string) {
	const res = await call("/api/v1/products", { key: org.secretKey, body: { name: `P ${sku}`, price: 10, sku } });
	expect(res.status, res.text).toBe(201);
	return res.json;
}

async function createQueue(org: TestOrg, sequenceId: string, openAt?: number, closeAt?: number) {
	const body: Record<string, unknown> = { sequenceId, name: "Q" };
	if (openAt !== undefined) body.openAt = iso(openAt);
	if (closeAt !== undefined) body.closeAt = iso(closeAt);
	// A create refuses times already past: such a queue is backdated (test/support/distributions.ts).
	if (openAt !== undefined && openAt < Date.now()) return createBackdated({ ...org, sequenceId }, "queue", body);
	const res = await call("/api/v1/queues", { key: org.secretKey, body });
	expect(res.status, res.text).toBe(201);
	return res.json;
}

describe("POST /experiences", () => {
	it("creates with only a name; optional fields default to null / []", async () => {
		const org = await createOrg();
		const res = await call(EXP, { key: org.secretKey, body: { name: "Holiday Launch" } });
		expect(res.status, res.text).toBe(201);
		expect(res.json).toEqual({
			id: expect.stringMatching(EXP_ID),
			organizationId: org.organizationId,
			name: "Holiday Launch",
			description: null,
			timeZone: null,
			checkoutUrl: null,
			productIds: [],
			metadata: null,
			theme: null,
			createdAt: expect.stringMatching(ISO_UTC),
			updatedAt: expect.stringMatching(ISO_UTC),
		});
		expect(await countRows("experiences", org.organizationId)).toBe(1);
	});

	it("creates with every field, and GET returns the same object", async () => {
		const org = await createOrg();
		const p1 = await createProduct(org, "A");
		const p2 = await createProduct(org, "B");
		const body = {
			name: "Sneaker Drop",
			description: "Limited run",
			timeZone: "America/New_York",
			checkoutUrl: "https://shop.example.com/checkout",
			productIds: [p2.id, p1.id],
			metadata: { campaign: "winter", tier: 2 },
		};
		const created = await createExperience(org, body);
		expect(created).toMatchObject(body);
		const got = await call(`${EXP}/${created.id}`, { key: org.secretKey });
		expect(got.status).toBe(200);
		expect(got.json).toEqual(created);
	});

	it("http checkoutUrl is accepted for localhost", async () => {
		const org = await createOrg();
		for (const url of ["http://localhost:3000/checkout", "http://127.0.0.1/checkout"]) {
			const exp = await createExperience(org, { name: "Dev", checkoutUrl: url });
			expect(exp.checkoutUrl).toBe(url);
		}
	});

	const bad: [string, Record<string, unknown>, string][] = [
		["missing name", {}, "name"],
		["blank name", { name: "   " }, "name"],
		[
			"http checkoutUrl on a public host",
			{ name: "X", checkoutUrl: "http://shop.example.com/checkout" },
			"checkoutUrl",
		],
		["non-URL checkoutUrl", { name: "X", checkoutUrl: "not a url" }, "checkoutUrl"],
		["ftp checkoutUrl", { name: "X", checkoutUrl: "ftp://shop.example.com/checkout" }, "checkoutUrl"],
		["javascript: checkoutUrl", { name: "X", checkoutUrl: "javascript:alert(1)" }, "checkoutUrl"],
		["unknown timeZone", { name: "X", timeZone: "Mars/Base" }, "timeZone"],
		["non-zone timeZone", { name: "X", timeZone: "EST5EDT-nonsense" }, "timeZone"],
		["unknown product id", { name: "X", productIds: ["prod_01ARZ3NDEKTSV4RRFFQ69G5FAV"] }, "productIds.0"],
		["productIds not an array", { name: "X", productIds: "prod_1" }, "productIds"],
		["duplicate productIds", { name: "X", productIds: ["prod_1", "prod_1"] }, "productIds"],
		["metadata not an object", { name: "X", metadata: [1, 2] }, "metadata"],
		["unknown field", { name: "X", colour: "red" }, "colour"],
	];
	for (const [label, body, path] of bad) {
		it(`${label} → 400 naming ${path}, nothing stored`, async () => {
			const org = await createOrg();
			expectFieldError(await call(EXP, { key: org.secretKey, body }), path);
			expect(await countRows("experiences", org.organizationId)).toBe(0);
		});
	}

	it("productIds names the first unknown entry by index", async () => {
		const org = await createOrg();
		const p = await createProduct(org, "OK");
		const res = await call(EXP, {
			key: org.secretKey,
			body: { name: "X", productIds: [p.id, "prod_01ARZ3NDEKTSV4RRFFQ69G5FAV"] },
		});
		expectFieldError(res, "productIds.1");
		expect(await countRows("experiences", org.organizationId)).toBe(0);
	});

	it("the most productIds allowed (100) are checked in one query: the first unknown is named, not a 500", async () => {
		const org = await createOrg();
		const p = await createProduct(org, "OK");
		const unknown = Array.from({ length: 99 }, (_, i) => `prod_${String(i).padStart(26, "0")}`);
		// Before: 100 ids and the tenant filter were 101 bound parameters, past D1's 100: a 500.
		const res = await call(EXP, { key: org.secretKey, body: { name: "X", productIds: [p.id, ...unknown] } });
		expectFieldError(res, "productIds.1");
		expect(await countRows("experiences", org.organizationId)).toBe(0);
	});

	it("another org's product in productIds → 400, nothing stored", async () => {
		const org = await createOrg();
		const other = await createOrg();
		const foreign = await createProduct(other, "THEIRS");
		const res = await call(EXP, { key: org.secretKey, body: { name: "X", productIds: [foreign.id] } });
		expectFieldError(res, "productIds.0");
		expect(await countRows("experiences", org.organizationId)).toBe(0);
	});
});

describe("GET /experiences", () => {
	it("lists newest first, pages with limit/cursor, and shows only the caller's", async () => {
		const org = await createOrg();
		const other = await createOrg();
		await createExperience(other, { name: "Theirs" });
		const made = [];
		for (let i = 0; i < 5; i++) made.push(await createExperience(org, { name: `E${i}` }));
		const all = await call(EXP, { key: org.secretKey });
		expect(all.status).toBe(200);
		expect(all.json).toEqual({ data: [...made].reverse(), nextCursor: null });

		const ids: string[] = [];
		let cursor: string | null = null;
		const sizes: number[] = [];
		do {
			const qs: string = `?limit=2${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`;
			const page = await call(`${EXP}${qs}`, { key: org.secretKey });
			expect(page.status, page.text).toBe(200);
			sizes.push(page.json.data.length);
			ids.push(...page.json.data.map((e: any) => e.id));
			cursor = page.json.nextCursor;
		} while (cursor && sizes.length < 10);
		expect(sizes).toEqual([2, 2, 1]);
		expect(ids).toEqual(made.map((e) => e.id).reverse());
	});
});

describe("PUT /experiences/:id", () => {
	it("changes only the fields sent; null clears optional fields", async () => {
		const org = await createOrg();
		const p = await createProduct(org, "A");
		const created = await createExperience(org, {
			name: "Before",
			description: "Desc",
			timeZone: "Europe/Paris",
			checkoutUrl: "https://shop.example.com/a",
			productIds: [p.id],
			metadata: { a: 1 },
		});
		const res = await call(`${EXP}/${created.id}`, { key: org.secretKey, method: "PUT", body: { name: "After" } });
		expect(res.status, res.text).toBe(200);
		const { updatedAt: _u, ...rest } = created;
		expect(res.json).toMatchObject({ ...rest, name: "After" });

		const cleared = await call(`${EXP}/${created.id}`, {
			key: org.secretKey,
			method: "PUT",
			body: { description: null, timeZone: null, checkoutUrl: null, metadata: null, productIds: [] },
		});
		expect(cleared.status, cleared.text).toBe(200);
		expect(cleared.json).toMatchObject({
			name: "After",
			description: null,
			timeZone: null,
			checkoutUrl: null,
			metadata: null,
			productIds: [],
		});
		const got = await call(`${EXP}/${created.id}`, { key: org.secretKey });
		expect(got.json).toEqual(cleared.json);
	});

	const badUpdates: [string, Record<string, unknown>, string][] = [
		["http checkoutUrl", { checkoutUrl: "http://shop.example.com" }, "checkoutUrl"],
		["bad timeZone", { timeZone: "Mars/Base" }, "timeZone"],
		["non-URL checkoutUrl", { checkoutUrl: "not a url" }, "checkoutUrl"],
		["unknown product", { productIds: ["prod_01ARZ3NDEKTSV4RRFFQ69G5FAV"] }, "productIds.0"],
		["name null", { name: null }, "name"],
		["read-only organizationId", { organizationId: "org_01ARZ3NDEKTSV4RRFFQ69G5FAV" }, "organizationId"],
	];
	for (const [label, body, path] of badUpdates) {
		it(`${label} → 400 naming ${path}, experience unchanged`, async () => {
			const org = await createOrg();
			const created = await createExperience(org);
			expectFieldError(await call(`${EXP}/${created.id}`, { key: org.secretKey, method: "PUT", body }), path);
			expect((await call(`${EXP}/${created.id}`, { key: org.secretKey })).json).toEqual(created);
		});
	}

	it("another org's product in productIds → 400, experience unchanged", async () => {
		const org = await createOrg();
		const other = await createOrg();
		const foreign = await createProduct(other, "THEIRS");
		const created = await createExperience(org);
		const res = await call(`${EXP}/${created.id}`, {
			key: org.secretKey,
			method: "PUT",
			body: { productIds: [foreign.id] },
		});
		expectFieldError(res, "productIds.0");
		expect((await call(`${EXP}/${created.id}`, { key: org.secretKey })).json).toEqual(created);
	});
});

describe("experiences: unknown ids and other orgs", () => {
	it("an unknown experience id → 404 on GET, PUT, DELETE and its sequences routes", async () => {
		const org = await createOrg();
		const id = "exp_01ARZ3NDEKTSV4RRFFQ69G5FAV";
		expectProblem(await call(`${EXP}/${id}`, { key: org.secretKey }), 404, "Experience not found");
		expectProblem(
			await call(`${EXP}/${id}`, { key: org.secretKey, method: "PUT", body: { name: "X" } }),
			404,
			"Experience not found",
		);
		expectProblem(await call(`${EXP}/${id}`, { key: org.secretKey, method: "DELETE" }), 404, "Experience not found");
		expectProblem(
			await call(`${EXP}/${id}/sequences`, { key: org.secretKey, body: { name: "S" } }),
			404,
			"Experience not found",
		);
		expectProblem(await call(`${EXP}/${id}/sequences`, { key: org.secretKey }), 404, "Experience not found");
		expect(await countRows("sequences", org.organizationId)).toBe(0);
	});

	it("another org's experience → 404 everywhere, and it stays unchanged", async () => {
		const owner = await createOrg();
		const other = await createOrg();
		const exp = await createExperience(owner, { name: "Mine" });
		const seq = await createSequence(owner, exp.id);
		const url = `${EXP}/${exp.id}`;
		expectProblem(await call(url, { key: other.secretKey }), 404, "Experience not found");
		expectProblem(
			await call(url, { key: other.secretKey, method: "PUT", body: { name: "Hijacked" } }),
			404,
			"Experience not found",
		);
		expectProblem(await call(url, { key: other.secretKey, method: "DELETE" }), 404, "Experience not found");
		expectProblem(await call(`${url}/sequences`, { key: other.secretKey }), 404, "Experience not found");
		expectProblem(
			await call(`${url}/sequences`, { key: other.secretKey, body: { name: "Intruder" } }),
			404,
			"Experience not found",
		);
		expect((await call(EXP, { key: other.secretKey })).json.data).toEqual([]);
		expect((await call(url, { key: owner.secretKey })).json).toEqual(exp);
		expect((await call(`${url}/sequences`, { key: owner.secretKey })).json.data).toEqual([seq]);
		expect(await countRows("sequences", other.organizationId)).toBe(0);
	});
});

describe("sequences", () => {
	it("POST /experiences/:id/sequences creates with defaults; GET /sequences/:id returns it", async () => {
		const org = await createOrg();
		const exp = await createExperience(org);
		const res = await call(`${EXP}/${exp.id}/sequences`, { key: org.secretKey, body: { name: "Early Access" } });
		expect(res.status, res.text).toBe(201);
		expect(res.json).toMatchObject({
			id: expect.stringMatching(SEQ_ID),
			organizationId: org.organizationId,
			experienceId: exp.id,
			name: "Early Access",
			priority: 0,
			productId: null,
			metadata: null,
			createdAt: expect.stringMatching(ISO_UTC),
			updatedAt: expect.stringMatching(ISO_UTC),
		});
		const got = await call(`${SEQ}/${res.json.id}`, { key: org.secretKey });
		expect(got.status).toBe(200);
		expect(got.json).toEqual(res.json);
		expect(await countRows("sequences", org.organizationId)).toBe(1);
	});

	it("accepts priority, productId and metadata", async () => {
		const org = await createOrg();
		const exp = await createExperience(org);
		const p = await createProduct(org, "A");
		const seq = await createSequence(org, exp.id, {
			name: "VIP",
			priority: 10,
			productId: p.id,
			metadata: { tier: "vip" },
		});
		expect(seq).toMatchObject({ name: "VIP", priority: 10, productId: p.id, metadata: { tier: "vip" } });
	});

	const bad: [string, Record<string, unknown>, string][] = [
		["missing name", {}, "name"],
		["priority 1.5", { name: "S", priority: 1.5 }, "priority"],
		["http checkoutUrl", { name: "S", checkoutUrl: "http://shop.example.com/c" }, "checkoutUrl"],
		["non-URL checkoutUrl", { name: "S", checkoutUrl: "not a url" }, "checkoutUrl"],
		['priority "1"', { name: "S", priority: "1" }, "priority"],
		["unknown productId", { name: "S", productId: "prod_01ARZ3NDEKTSV4RRFFQ69G5FAV" }, "productId"],
		["unknown field", { name: "S", experienceId: "exp_01ARZ3NDEKTSV4RRFFQ69G5FAV" }, "experienceId"],
	];
	for (const [label, body, path] of bad) {
		it(`${label} → 400 naming ${path}, nothing stored`, async () => {
			const org = await createOrg();
			const exp = await createExperience(org);
			expectFieldError(await call(`${EXP}/${exp.id}/sequences`, { key: org.secretKey, body }), path);
			expect(await countRows("sequences", org.organizationId)).toBe(0);
		});
	}

	it("another org's product as productId → 400, nothing stored", async () => {
		const org = await createOrg();
		const other = await createOrg();
		const foreign = await createProduct(other, "THEIRS");
		const exp = await createExperience(org);
		const res = await call(`${EXP}/${exp.id}/sequences`, {
			key: org.secretKey,
			body: { name: "S", productId: foreign.id },
		});
		expectFieldError(res, "productId");
		expect(await countRows("sequences", org.organizationId)).toBe(0);
	});

	it("GET /experiences/:id/sequences lists only that experience's, newest first, paginated", async () => {
		const org = await createOrg();
		const exp = await createExperience(org);
		const otherExp = await createExperience(org, { name: "Other" });
		await createSequence(org, otherExp.id, { name: "Elsewhere" });
		const made = [];
		for (let i = 0; i < 3; i++) made.push(await createSequence(org, exp.id, { name: `S${i}` }));
		const all = await call(`${EXP}/${exp.id}/sequences`, { key: org.secretKey });
		expect(all.status).toBe(200);
		expect(all.json).toEqual({ data: [...made].reverse(), nextCursor: null });

		const p1 = await call(`${EXP}/${exp.id}/sequences?limit=2`, { key: org.secretKey });
		expect(p1.json.data.map((s: any) => s.id)).toEqual([made[2].id, made[1].id]);
		expect(p1.json.nextCursor).toBeTypeOf("string");
		const p2 = await call(`${EXP}/${exp.id}/sequences?limit=2&cursor=${encodeURIComponent(p1.json.nextCursor)}`, {
			key: org.secretKey,
		});
		expect(p2.status, p2.text).toBe(200);
		expect(p2.json).toEqual({ data: [made[0]], nextCursor: null });
		expectFieldError(await call(`${EXP}/${exp.id}/sequences?limit=0`, { key: org.secretKey }), "limit");
	});

	it("PUT /sequences/:id is partial; productId null clears; bad values → 400 and unchanged", async () => {
		const org = await createOrg();
		const exp = await createExperience(org);
		const p = await createProduct(org, "A");
		const seq = await createSequence(org, exp.id, { name: "S", priority: 1, productId: p.id });
		const res = await call(`${SEQ}/${seq.id}`, { key: org.secretKey, method: "PUT", body: { priority: 5 } });
		expect(res.status, res.text).toBe(200);
		expect(res.json).toMatchObject({ id: seq.id, name: "S", priority: 5, productId: p.id, experienceId: exp.id });
		const cleared = await call(`${SEQ}/${seq.id}`, { key: org.secretKey, method: "PUT", body: { productId: null } });
		expect(cleared.status, cleared.text).toBe(200);
		expect(cleared.json.productId).toBeNull();
		expect((await call(`${SEQ}/${seq.id}`, { key: org.secretKey })).json).toEqual(cleared.json);

		for (const [body, path] of [
			[{ productId: "prod_01ARZ3NDEKTSV4RRFFQ69G5FAV" }, "productId"],
			[{ priority: "high" }, "priority"],
			[{ experienceId: "exp_01ARZ3NDEKTSV4RRFFQ69G5FAV" }, "experienceId"],
		] as const) {
			expectFieldError(await call(`${SEQ}/${seq.id}`, { key: org.secretKey, method: "PUT", body }), path);
		}
		expect((await call(`${SEQ}/${seq.id}`, { key: org.secretKey })).json).toEqual(cleared.json);
	});

	it("DELETE /sequences/:id → 204, then 404; its distributions go too", async () => {
		const org = await createOrg();
		const exp = await createExperience(org);
		const seq = await createSequence(org, exp.id);
		const keep = await createSequence(org, exp.id, { name: "Keep" });
		const q = await createQueue(org, seq.id, Date.now() + DAY, Date.now() + 2 * DAY);
		const kept = await createQueue(org, keep.id);
		const res = await call(`${SEQ}/${seq.id}`, { key: org.secretKey, method: "DELETE" });
		expect(res.status, res.text).toBe(204);
		expectProblem(await call(`${SEQ}/${seq.id}`, { key: org.secretKey }), 404, "Sequence not found");
		expectProblem(await call(`/api/v1/queues/${q.id}`, { key: org.secretKey }), 404, "Queue not found");
		expect((await call(`/api/v1/queues/${kept.id}`, { key: org.secretKey })).status).toBe(200);
		expect(await countRows("sequences", org.organizationId)).toBe(1);
		expect(await countRows("distributions", org.organizationId)).toBe(1);
		expectProblem(await call(`${SEQ}/${seq.id}`, { key: org.secretKey, method: "DELETE" }), 404, "Sequence not found");
	});

	it("DELETE /sequences/:id while one of its distributions is OPEN → 409, nothing deleted", async () => {
		const org = await createOrg();
		const exp = await createExperience(org);
		const seq = await createSequence(org, exp.id);
		const scheduled = await createQueue(org, seq.id, Date.now() + DAY, Date.now() + 2 * DAY);
		const open = await createQueue(org, seq.id, Date.now() - HOUR, Date.now() + DAY);
		expect(open.status).toBe("OPEN");
		const res = await call(`${SEQ}/${seq.id}`, { key: org.secretKey, method: "DELETE" });
		expectProblem(res, 409);
		expect((await call(`${SEQ}/${seq.id}`, { key: org.secretKey })).status).toBe(200);
		expect((await call(`/api/v1/queues/${open.id}`, { key: org.secretKey })).status).toBe(200);
		expect((await call(`/api/v1/queues/${scheduled.id}`, { key: org.secretKey })).status).toBe(200);
		expect(await countRows("distributions", org.organizationId)).toBe(2);
	});

	it("an unknown sequence id → 404 on GET, PUT and DELETE", async () => {
		const org = await createOrg();
		const url = `${SEQ}/seq_01ARZ3NDEKTSV4RRFFQ69G5FAV`;
		expectProblem(await call(url, { key: org.secretKey }), 404, "Sequence not found");
		expectProblem(
			await call(url, { key: org.secretKey, method: "PUT", body: { name: "X" } }),
			404,
			"Sequence not found",
		);
		expectProblem(await call(url, { key: org.secretKey, method: "DELETE" }), 404, "Sequence not found");
	});

	it("another org's sequence → 404 on GET, PUT and DELETE, and it stays unchanged", async () => {
		const owner = await createOrg();
		const other = await createOrg();
		const exp = await createExperience(owner);
		const seq = await createSequence(owner, exp.id);
		const url = `${SEQ}/${seq.id}`;
		expectProblem(await call(url, { key: other.secretKey }), 404, "Sequence not found");
		expectProblem(
			await call(url, { key: other.secretKey, method: "PUT", body: { name: "Hijacked" } }),
			404,
			"Sequence not found",
		);
		expectProblem(await call(url, { key: other.secretKey, method: "DELETE" }), 404, "Sequence not found");
		expect((await call(url, { key: owner.secretKey })).json).toEqual(seq);
		expect(await countRows("sequences", owner.organizationId)).toBe(1);
	});
});

describe("DELETE /experiences/:id", () => {
	it("removes the experience, its sequences and all their distributions", async () => {
		const org = await createOrg();
		const exp = await createExperience(org);
		const s1 = await createSequence(org, exp.id, { name: "One" });
		const s2 = await createSequence(org, exp.id, { name: "Two" });
		const now = Date.now();
		const queue = await createQueue(org, s1.id, now + DAY, now + 2 * DAY);
		const draft = await createQueue(org, s1.id);
		const draw = await call("/api/v1/draws", {
			key: org.secretKey,
			body: { sequenceId: s2.id, openAt: iso(now + DAY), drawAt: iso(now + 2 * DAY), winnerCount: 1 },
		});
		expect(draw.status, draw.text).toBe(201);
		const auction = await call("/api/v1/auctions", {
			key: org.secretKey,
			body: { sequenceId: s2.id, settleAt: iso(now + DAY) },
		});
		expect(auction.status, auction.text).toBe(201);
		// An unrelated experience must survive.
		const otherExp = await createExperience(org, { name: "Survivor" });
		const otherSeq = await createSequence(org, otherExp.id);
		const survivor = await createQueue(org, otherSeq.id);
		expect(await countRows("distributions", org.organizationId)).toBe(5);

		const res = await call(`${EXP}/${exp.id}`, { key: org.secretKey, method: "DELETE" });
		expect(res.status, res.text).toBe(204);
		expect(res.text).toBe("");

		expectProblem(await call(`${EXP}/${exp.id}`, { key: org.secretKey }), 404, "Experience not found");
		for (const s of [s1, s2]) {
			expectProblem(await call(`${SEQ}/${s.id}`, { key: org.secretKey }), 404, "Sequence not found");
		}
		for (const q of [queue, draft]) {
			expectProblem(await call(`/api/v1/queues/${q.id}`, { key: org.secretKey }), 404, "Queue not found");
		}
		expectProblem(await call(`/api/v1/draws/${draw.json.id}`, { key: org.secretKey }), 404, "Draw not found");
		expectProblem(await call(`/api/v1/auctions/${auction.json.id}`, { key: org.secretKey }), 404, "Auction not found");
		expect(await countRows("experiences", org.organizationId)).toBe(1);
		expect(await countRows("sequences", org.organizationId)).toBe(1);
		expect(await countRows("distributions", org.organizationId)).toBe(1);
		expect((await call(`/api/v1/queues/${survivor.id}`, { key: org.secretKey })).status).toBe(200);
		expect((await call(EXP, { key: org.secretKey })).json.data.map((e: any) => e.id)).toEqual([otherExp.id]);
		expect((await call("/api/v1/queues", { key: org.secretKey })).json.data.map((q: any) => q.id)).toEqual([
			survivor.id,
		]);
	});

	it("while one of its distributions has closed → 409 and nothing is deleted: that one keeps its evidence", async () => {
		const org = await createOrg();
		const exp = await createExperience(org);
		const s1 = await createSequence(org, exp.id, { name: "Upcoming" });
		const s2 = await createSequence(org, exp.id, { name: "Past" });
		const now = Date.now();
		const draft = await createQueue(org, s1.id);
		const closed = await createQueue(org, s2.id, now - 2 * DAY, now - DAY);
		expect(closed.status).toBe("CLOSED");

		for (const url of [`${EXP}/${exp.id}`, `${SEQ}/${s2.id}`]) {
			const p = expectProblem(await call(url, { key: org.secretKey, method: "DELETE" }), 409);
			expect(p.title).toMatch(/closed distribution/i);
			expect(p.detail).toContain(closed.id);
		}
		expect((await call(`${EXP}/${exp.id}`, { key: org.secretKey })).status).toBe(200);
		for (const s of [s1, s2]) expect((await call(`${SEQ}/${s.id}`, { key: org.secretKey })).status).toBe(200);
		for (const q of [draft, closed])
			expect((await call(`/api/v1/queues/${q.id}`, { key: org.secretKey })).status).toBe(200);
		expect(await countRows("sequences", org.organizationId)).toBe(2);
		expect(await countRows("distributions", org.organizationId)).toBe(2);
		// The sequence without it still deletes, with its own distributions.
		expect((await call(`${SEQ}/${s1.id}`, { key: org.secretKey, method: "DELETE" })).status).toBe(204);
		expect(await countRows("distributions", org.organizationId)).toBe(1);
	});

	it("an experience of 100 sequences deletes with them (their distributions read in one query)", async () => {
		const org = await createOrg();
		const exp = await createExperience(org);
		for (let i = 0; i < 100; i++) await createSequence(org, exp.id, { name: `s${i}` });
		const seq = (await call(`${EXP}/${exp.id}/sequences?limit=1`, { key: org.secretKey })).json.data[0];
		await createQueue(org, seq.id, Date.now() + DAY, Date.now() + 2 * DAY);
		// Before: one bound parameter per sequence, past D1's 100: every DELETE was a 500.
		const res = await call(`${EXP}/${exp.id}`, { key: org.secretKey, method: "DELETE" });
		expect(res.status, res.text).toBe(204);
		expect(await countRows("sequences", org.organizationId)).toBe(0);
		expect(await countRows("distributions", org.organizationId)).toBe(0);
	});

	it("an experience without sequences deletes → 204, then 404", async () => {
		const org = await createOrg();
		const exp = await createExperience(org);
		expect((await call(`${EXP}/${exp.id}`, { key: org.secretKey, method: "DELETE" })).status).toBe(204);
		expectProblem(await call(`${EXP}/${exp.id}`, { key: org.secretKey }), 404, "Experience not found");
		expectProblem(
			await call(`${EXP}/${exp.id}`, { key: org.secretKey, method: "DELETE" }),
			404,
			"Experience not found",
		);
		expect(await countRows("experiences", org.organizationId)).toBe(0);
	});

	it("while one of its distributions is OPEN → 409 and nothing is deleted", async () => {
		const org = await createOrg();
		const exp = await createExperience(org);
		const s1 = await createSequence(org, exp.id, { name: "Scheduled" });
		const s2 = await createSequence(org, exp.id, { name: "Live" });
		const now = Date.now();
		const scheduled = await createQueue(org, s1.id, now + DAY, now + 2 * DAY);
		const open = await createQueue(org, s2.id, now - HOUR, now + DAY);
		expect(open.status).toBe("OPEN");

		const res = await call(`${EXP}/${exp.id}`, { key: org.secretKey, method: "DELETE" });
		const p = expectProblem(res, 409);
		expect(p.title).toMatch(/open distribution/i);

		expect((await call(`${EXP}/${exp.id}`, { key: org.secretKey })).json).toEqual(exp);
		for (const s of [s1, s2]) expect((await call(`${SEQ}/${s.id}`, { key: org.secretKey })).json).toEqual(s);
		const q1 = await call(`/api/v1/queues/${scheduled.id}`, { key: org.secretKey });
		expect(q1.status).toBe(200);
		expect(q1.json.status).toBe("SCHEDULED");
		const q2 = await call(`/api/v1/queues/${open.id}`, { key: org.secretKey });
		expect(q2.status).toBe(200);
		expect(q2.json.status).toBe("OPEN");
		expect(await countRows("experiences", org.organizationId)).toBe(1);
		expect(await countRows("sequences", org.organizationId)).toBe(2);
		expect(await countRows("distributions", org.organizationId)).toBe(2);
	});
});
