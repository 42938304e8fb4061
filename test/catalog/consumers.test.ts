import { beforeEach, describe, expect, it } from "vitest";
import { call, countRows, createOrg, guest, type TestOrg } from "../support/helpers";
import { expectProblem } from "../support/problems";

/** The spec's example consumer (its e-mail address is obfuscated in the published page). */
const john = { email: "john@example.com", fullName: "John Doe", phone: "+15551234567" };

const ISO_SECONDS = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/;

let org: TestOrg;
beforeEach(async () => {
	org = await createOrg();
});

async function createConsumer(body: Record<string, unknown>, key = org.secretKey, path = "/api/v1/consumers") {
	const res = await call(path, { key, body });
	expect(res.status, res.text).toBe(201);
	return res.json;
}

describe("POST /consumers", () => {
	it("creates a consumer from the spec's example on /api/consumers", async () => {
		const res = await call("/api/consumers", { key: org.secretKey, body: john });
		expect(res.status).toBe(201);
		expect(res.json).toMatchObject({ ...john, organizationId: org.organizationId });
		expect(res.json.id).toMatch(/^con_[0-9A-Z]{26}$/);
		expect(res.json.createdAt).toMatch(ISO_SECONDS);
		expect(res.json.updatedAt).toMatch(ISO_SECONDS);
		expect(await countRows("consumers", org.organizationId)).toBe(1);

		// The alias and the versioned path are the same resource.
		const got = await call(`/api/v1/consumers/${res.json.id}`, { key: org.secretKey });
		expect(got.status).toBe(200);
		expect(got.json).toEqual(res.json);
	});

	it("creates a consumer on /api/v1/consumers with only an email (other fields null)", async () => {
		const res = await call("/api/v1/consumers", { key: org.secretKey, body: { email: "solo@example.com" } });
		expect(res.status).toBe(201);
		expect(res.json).toMatchObject({ email: "solo@example.com", fullName: null, phone: null });
	});

	it("normalizes the email: trimmed and lower-cased", async () => {
		const created = await createConsumer({ ...john, email: "  John.Doe@Example.COM  " });
		expect(created.email).toBe("john.doe@example.com");
		const row = await call(`/api/v1/consumers/${created.id}`, { key: org.secretKey });
		expect(row.json.email).toBe("john.doe@example.com");
	});

	it("refuses a duplicate email in the same org, case-insensitively, with 409", async () => {
		await createConsumer(john);
		const res = await call("/api/consumers", {
			key: org.secretKey,
			body: { email: " JOHN@Example.com", fullName: "Other John" },
		});
		expectProblem(res, 409, "Email already exists");
		expect(await countRows("consumers", org.organizationId)).toBe(1);
	});

	it("lets only one of two concurrent creates with the same email through", async () => {
		const [a, b] = await Promise.all([
			call("/api/v1/consumers", { key: org.secretKey, body: john }),
			call("/api/consumers", { key: org.secretKey, body: { ...john, email: "JOHN@example.com" } }),
		]);
		expect([a.status, b.status].sort()).toEqual([201, 409]);
		expect(await countRows("consumers", org.organizationId)).toBe(1);
	});

	it("allows the same email in another org", async () => {
		const other = await createOrg();
		const a = await createConsumer(john);
		const b = await createConsumer(john, other.secretKey);
		expect(b.id).not.toBe(a.id);
		expect(b.organizationId).toBe(other.organizationId);
		expect(await countRows("consumers", org.organizationId)).toBe(1);
		expect(await countRows("consumers", other.organizationId)).toBe(1);
	});

	it("requires a secret key", async () => {
		expectProblem(await call("/api/v1/consumers", { body: john }), 401, "Authentication required");
		expectProblem(await call("/api/v1/consumers", { key: org.publishableKey, body: john }), 403, "Permission denied");
		expect(await countRows("consumers", org.organizationId)).toBe(0);
	});
});

describe("POST /consumers: bad input stores nothing", () => {
	const cases: [string, Record<string, unknown>, string][] = [
		["an invalid email", { ...john, email: "not-an-email" }, "email"],
		["an email with a space inside", { ...john, email: "john doe@example.com" }, "email"],
		["a phone without +", { ...john, phone: "5551234567" }, "phone"],
		["a phone with a leading 0 country code", { ...john, phone: "+0123" }, "phone"],
		["a phone with spaces", { ...john, phone: "+1 555 123" }, "phone"],
		["a missing email", { fullName: "John Doe", phone: "+15551234567" }, "email"],
		["an empty email", { ...john, email: "" }, "email"],
		["a fullName over 200 chars", { ...john, fullName: "x".repeat(201) }, "fullName"],
		["an empty fullName", { ...john, fullName: "   " }, "fullName"],
		["a non-string email", { ...john, email: 42 }, "email"],
		["an unknown field", { ...john, nickname: "JD" }, "nickname"],
	];

	for (const [label, body, path] of cases) {
		it(`rejects ${label} with 400 on errors[].path ${path}`, async () => {
			const res = await call("/api/v1/consumers", { key: org.secretKey, body });
			expectProblem(res, 400, "Validation failed");
			expect(res.json.errors.map((e: { path: string }) => e.path)).toContain(path);
			expect(await countRows("consumers", org.organizationId)).toBe(0);
		});
	}

	it("accepts a fullName of exactly 200 chars", async () => {
		const created = await createConsumer({ ...john, fullName: "x".repeat(200) });
		expect(created.fullName).toHaveLength(200);
	});

	it("rejects malformed JSON with 400, not 500", async () => {
		const res = await call("/api/consumers", {
			key: org.secretKey,
			method: "POST",
			raw: '{"email": "john@example.com",',
			headers: { "Content-Type": "application/json" },
		});
		expectProblem(res, 400, "Validation failed");
		expect(await countRows("consumers", org.organizationId)).toBe(0);
	});

	it("rejects a JSON array body with 400", async () => {
		const res = await call("/api/v1/consumers", { key: org.secretKey, body: [john] });
		expectProblem(res, 400, "Validation failed");
		expect(await countRows("consumers", org.organizationId)).toBe(0);
	});

	it("rejects a non-JSON body with 415", async () => {
		const res = await call("/api/v1/consumers", {
			key: org.secretKey,
			method: "POST",
			raw: "email=john@example.com",
			headers: { "Content-Type": "application/x-www-form-urlencoded" },
		});
		expectProblem(res, 415);
		expect(await countRows("consumers", org.organizationId)).toBe(0);
	});
});

describe("GET /consumers", () => {
	it("lists newest first, with cursor paging", async () => {
		const ids: string[] = [];
		for (let i = 0; i < 5; i++) ids.push((await createConsumer({ email: `c${i}@example.com` })).id);
		const newestFirst = [...ids].reverse();

		const all = await call("/api/consumers", { key: org.secretKey });
		expect(all.status).toBe(200);
		expect(all.json.data.map((c: { id: string }) => c.id)).toEqual(newestFirst);
		expect(all.json.nextCursor).toBeNull();

		const seen: string[] = [];
		let cursor: string | null = null;
		let pages = 0;
		do {
			const qs: string = cursor ? `limit=2&cursor=${encodeURIComponent(cursor)}` : "limit=2";
			const page = await call(`/api/v1/consumers?${qs}`, { key: org.secretKey });
			expect(page.status).toBe(200);
			expect(page.json.data.length).toBeLessThanOrEqual(2);
			seen.push(...page.json.data.map((c: { id: string }) => c.id));
			cursor = page.json.nextCursor;
			pages++;
		} while (cursor);
		expect(pages).toBe(3);
		expect(seen).toEqual(newestFirst);
	});

	it("keeps a page boundary stable while rows are inserted", async () => {
		const ids: string[] = [];
		for (let i = 0; i < 3; i++) ids.push((await createConsumer({ email: `s${i}@example.com` })).id);
		const first = await call("/api/v1/consumers?limit=2", { key: org.secretKey });
		expect(first.json.data.map((c: { id: string }) => c.id)).toEqual([ids[2], ids[1]]);
		await createConsumer({ email: "late@example.com" });
		const second = await call(`/api/v1/consumers?limit=2&cursor=${encodeURIComponent(first.json.nextCursor)}`, {
			key: org.secretKey,
		});
		expect(second.json.data.map((c: { id: string }) => c.id)).toEqual([ids[0]]);
		expect(second.json.nextCursor).toBeNull();
	});

	it("filters by email, case-insensitively", async () => {
		const target = await createConsumer(john);
		await createConsumer({ email: "jane@example.com" });
		const res = await call(`/api/consumers?email=${encodeURIComponent(" JOHN@Example.COM ")}`, {
			key: org.secretKey,
		});
		expect(res.status).toBe(200);
		expect(res.json.data).toEqual([target]);
		const none = await call("/api/v1/consumers?email=nobody%40example.com", { key: org.secretKey });
		expect(none.json).toEqual({ data: [], nextCursor: null });
	});

	it("keeps guests out of the list unless ?kind=guest|all asks for them", async () => {
		const mine = await createConsumer(john);
		const visitor = await guest(org);
		const ids = async (qs: string) => {
			const res = await call(`/api/v1/consumers${qs}`, { key: org.secretKey });
			expect(res.status, res.text).toBe(200);
			return res.json.data.map((c: { id: string }) => c.id);
		};
		expect(await ids("")).toEqual([mine.id]);
		expect(await ids("?kind=merchant")).toEqual([mine.id]);
		expect(await ids("?kind=guest")).toEqual([visitor.consumerId]);
		expect(await ids("?kind=all")).toEqual([visitor.consumerId, mine.id]);
		// A guest the merchant gives an email is theirs from then on.
		const named = await call(`/api/v1/consumers/${visitor.consumerId}`, {
			key: org.secretKey,
			method: "PUT",
			body: { email: "visitor@example.com" },
		});
		expect(named.status, named.text).toBe(200);
		expect(await ids("")).toEqual([visitor.consumerId, mine.id]);
		expect(await ids("?kind=guest")).toEqual([]);
	});

	it("rejects a bad limit, a malformed email filter, an unknown kind and a forged cursor with 400", async () => {
		for (const qs of [
			"limit=0",
			"limit=101",
			"limit=abc",
			"email=not-an-email",
			"kind=guests",
			"cursor=forged.cursor",
		]) {
			const res = await call(`/api/v1/consumers?${qs}`, { key: org.secretKey });
			expectProblem(res, 400, "Validation failed");
		}
	});

	it("rejects another org's cursor", async () => {
		const other = await createOrg();
		for (let i = 0; i < 2; i++) await createConsumer({ email: `o${i}@example.com` }, other.secretKey);
		const page = await call("/api/v1/consumers?limit=1", { key: other.secretKey });
		expect(page.json.nextCursor).toEqual(expect.any(String));
		const res = await call(`/api/v1/consumers?cursor=${encodeURIComponent(page.json.nextCursor)}`, {
			key: org.secretKey,
		});
		expectProblem(res, 400);
	});

	it("gets one consumer by id", async () => {
		const created = await createConsumer(john);
		const res = await call(`/api/consumers/${created.id}`, { key: org.secretKey });
		expect(res.status).toBe(200);
		expect(res.json).toEqual(created);
	});

	it("answers 404 for an unknown id", async () => {
		const res = await call("/api/v1/consumers/con_01HXYZ123456789ABCDEFGHJK", { key: org.secretKey });
		expectProblem(res, 404, "Consumer not found");
	});
});

describe("PUT /consumers/:id", () => {
	it("updates only the given fields", async () => {
		const created = await createConsumer(john);
		const res = await call(`/api/v1/consumers/${created.id}`, {
			key: org.secretKey,
			method: "PUT",
			body: { phone: "+447700900123" },
		});
		expect(res.status).toBe(200);
		expect(res.json).toMatchObject({
			id: created.id,
			email: john.email,
			fullName: john.fullName,
			phone: "+447700900123",
			createdAt: created.createdAt,
		});
		const again = await call(`/api/v1/consumers/${created.id}`, { key: org.secretKey });
		expect(again.json).toEqual(res.json);
	});

	it("clears fullName and phone with null", async () => {
		const created = await createConsumer(john);
		const res = await call(`/api/consumers/${created.id}`, {
			key: org.secretKey,
			method: "PUT",
			body: { fullName: null, phone: null },
		});
		expect(res.status).toBe(200);
		expect(res.json).toMatchObject({ email: john.email, fullName: null, phone: null });
	});

	it("normalizes a new email", async () => {
		const created = await createConsumer(john);
		const res = await call(`/api/v1/consumers/${created.id}`, {
			key: org.secretKey,
			method: "PUT",
			body: { email: " New.Address@Example.com" },
		});
		expect(res.status).toBe(200);
		expect(res.json.email).toBe("new.address@example.com");
	});

	it("refuses another consumer's email with 409 and leaves both unchanged", async () => {
		const a = await createConsumer(john);
		const b = await createConsumer({ email: "jane@example.com", fullName: "Jane" });
		const res = await call(`/api/v1/consumers/${b.id}`, {
			key: org.secretKey,
			method: "PUT",
			body: { email: "John@Example.com", fullName: "Changed" },
		});
		expectProblem(res, 409, "Email already exists");
		expect((await call(`/api/v1/consumers/${b.id}`, { key: org.secretKey })).json).toEqual(b);
		expect((await call(`/api/v1/consumers/${a.id}`, { key: org.secretKey })).json).toEqual(a);
	});

	it("allows setting the email it already has", async () => {
		const a = await createConsumer(john);
		const res = await call(`/api/v1/consumers/${a.id}`, {
			key: org.secretKey,
			method: "PUT",
			body: { email: "JOHN@example.com" },
		});
		expect(res.status).toBe(200);
		expect(res.json.email).toBe(john.email);
	});

	it("validates the body like create, and stores nothing on 400", async () => {
		const created = await createConsumer(john);
		const bad: [Record<string, unknown>, string][] = [
			[{ email: "nope" }, "email"],
			[{ email: null }, "email"],
			[{ phone: "5551234567" }, "phone"],
			[{ fullName: "y".repeat(201) }, "fullName"],
			[{ organizationId: "org_x" }, "organizationId"],
		];
		for (const [body, path] of bad) {
			const res = await call(`/api/v1/consumers/${created.id}`, { key: org.secretKey, method: "PUT", body });
			expectProblem(res, 400, "Validation failed");
			expect(res.json.errors.map((e: { path: string }) => e.path)).toContain(path);
		}
		const res = await call(`/api/v1/consumers/${created.id}`, {
			key: org.secretKey,
			method: "PUT",
			raw: "{not json",
			headers: { "Content-Type": "application/json" },
		});
		expectProblem(res, 400);
		expect((await call(`/api/v1/consumers/${created.id}`, { key: org.secretKey })).json).toEqual(created);
	});

	it("answers 404 for an unknown id", async () => {
		const res = await call("/api/v1/consumers/con_01HXYZ123456789ABCDEFGHJK", {
			key: org.secretKey,
			method: "PUT",
			body: { fullName: "Ghost" },
		});
		expectProblem(res, 404, "Consumer not found");
		expect(await countRows("consumers", org.organizationId)).toBe(0);
	});
});

describe("DELETE /consumers/:id", () => {
	it("deletes with 204, then 404", async () => {
		const created = await createConsumer(john);
		const res = await call(`/api/v1/consumers/${created.id}`, { key: org.secretKey, method: "DELETE" });
		expect(res.status).toBe(204);
		expect(res.text).toBe("");
		expect(await countRows("consumers", org.organizationId)).toBe(0);
		expectProblem(await call(`/api/v1/consumers/${created.id}`, { key: org.secretKey }), 404, "Consumer not found");
		expectProblem(await call(`/api/consumers/${created.id}`, { key: org.secretKey, method: "DELETE" }), 404);
	});

	it("frees the email for a new consumer", async () => {
		const created = await createConsumer(john);
		await call(`/api/v1/consumers/${created.id}`, { key: org.secretKey, method: "DELETE" });
		const again = await createConsumer(john);
		expect(again.id).not.toBe(created.id);
	});
});

describe("tenant isolation", () => {
	it("answers 404 for another org's consumer on GET, PUT and DELETE, and changes nothing", async () => {
		const other = await createOrg();
		const theirs = await createConsumer(john, other.secretKey);

		for (const path of [`/api/v1/consumers/${theirs.id}`, `/api/consumers/${theirs.id}`]) {
			expectProblem(await call(path, { key: org.secretKey }), 404, "Consumer not found");
			expectProblem(
				await call(path, { key: org.secretKey, method: "PUT", body: { fullName: "Hijacked" } }),
				404,
				"Consumer not found",
			);
			expectProblem(await call(path, { key: org.secretKey, method: "DELETE" }), 404, "Consumer not found");
		}

		const still = await call(`/api/v1/consumers/${theirs.id}`, { key: other.secretKey });
		expect(still.status).toBe(200);
		expect(still.json).toEqual(theirs);
	});

	it("never lists another org's consumers, even when filtering by their email", async () => {
		const other = await createOrg();
		await createConsumer(john, other.secretKey);
		const mine = await createConsumer({ email: "mine@example.com" });
		const list = await call("/api/v1/consumers", { key: org.secretKey });
		expect(list.json.data).toEqual([mine]);
		const filtered = await call(`/api/v1/consumers?email=${encodeURIComponent(john.email)}`, { key: org.secretKey });
		expect(filtered.json.data).toEqual([]);
	});
});
