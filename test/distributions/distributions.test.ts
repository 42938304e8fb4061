/**
 * /api/v1/queues, /api/v1/draws, /api/v1/auctions: CRUD, lists (newest first, paging,
 * sequenceId and status filters), every validation rule of the Distributions API
 * (each a 400 naming the field with nothing stored), PUT's partial semantics and its
 * 409s, ids of the wrong type and tenancy.
 */
import { describe, expect, it } from "vitest";
import { createBackdated } from "../support/distributions";
import { call, countRows, createOrg, launch, type TestOrg } from "../support/helpers";
import { allPages } from "../support/pages";
import { expectFieldError, expectProblem } from "../support/problems";
import { isoSeconds, waitFor } from "../support/time";

type Kind = "queue" | "draw" | "auction";
type Status = "DRAFT" | "SCHEDULED" | "OPEN" | "CLOSED";

const KINDS: Record<Kind, { path: string; title: string; last: "drawAt" | "settleAt" | null }> = {
	queue: { path: "/api/v1/queues", title: "Queue not found", last: null },
	draw: { path: "/api/v1/draws", title: "Draw not found", last: "drawAt" },
	auction: { path: "/api/v1/auctions", title: "Auction not found", last: "settleAt" },
};
const KIND_NAMES = Object.keys(KINDS) as Kind[];
/** A field each type does not have (another type's). */
const FOREIGN: Record<Kind, string> = { queue: "winnerCount", draw: "admissionRate", auction: "maxEntries" };

/** The spec's response keys, in the spec's order: the same head and tail around each type's own. */
const keysAround = (own: string[]) => [
	...["id", "organizationId", "sequenceId", "name", "timeZone", "status", "openAt", "closeAt"],
	...own,
	...["metadata", "createdAt", "updatedAt"],
];
const KEYS: Record<Kind, string[]> = {
	queue: keysAround(["encryptionSeed", "maxCapacity", "admissionRate", "sessionDurationSeconds"]),
	draw: keysAround(["drawAt", "winnerCount", "encryptionSeed", "maxEntries"]),
	auction: keysAround(["settleAt", "startingBid", "minimumIncrement", "reservePrice", "buyNowPrice", "encryptionSeed"]),
};

const ULID = "[0-9A-HJKMNP-TV-Z]{26}";
const ISO_UTC = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const STATUSES: Status[] = ["DRAFT", "SCHEDULED", "OPEN", "CLOSED"];

interface Ctx {
	org: TestOrg;
	sequenceId: string;
}

async function makeSequence(org: TestOrg, name = "Main"): Promise<string> {
	return (await launch(org, { name: `Exp ${name}` }, { name })).sequenceId;
}

async function setup(defaultTimeZone?: string): Promise<Ctx> {
	const org = await createOrg(defaultTimeZone);
	return { org, sequenceId: await makeSequence(org) };
}

/** openAt / closeAt / the type's last time (drawAt, settleAt) that give `status` right now. */
function timesFor(status: Status, now = Date.now()): { openAt?: number; closeAt?: number; last: number } {
	switch (status) {
		case "DRAFT":
			return { last: now + 3 * DAY };
		case "SCHEDULED":
			return { openAt: now + DAY, closeAt: now + 2 * DAY, last: now + 3 * DAY };
		case "OPEN":
			return { openAt: now - DAY, closeAt: now + DAY, last: now + 2 * DAY };
		case "CLOSED":
			return { openAt: now - 2 * DAY, closeAt: now - DAY, last: now + DAY };
	}
}

/** A valid create body of `kind` whose status is `status` now, plus `extra`. */
function bodyFor(kind: Kind, sequenceId: string, status: Status = "DRAFT", extra: Record<string, unknown> = {}) {
	const t = timesFor(status);
	const body: Record<string, unknown> = { sequenceId, name: `${kind} ${status}` };
	// An explicit null: a draw given no openAt at all opens at creation.
	body.openAt = t.openAt === undefined ? null : isoSeconds(t.openAt);
	if (t.closeAt !== undefined) body.closeAt = isoSeconds(t.closeAt);
	if (kind === "draw") Object.assign(body, { drawAt: isoSeconds(t.last), winnerCount: 10 });
	if (kind === "auction") body.settleAt = isoSeconds(t.last);
	return { ...body, ...extra };
}

/** The parent `createBackdated` takes: the organization and the sequence. */
const parentOf = (ctx: Ctx) => ({ ...ctx.org, sequenceId: ctx.sequenceId });

async function create(ctx: Ctx, kind: Kind, status: Status = "DRAFT", extra: Record<string, unknown> = {}) {
	const body = bodyFor(kind, ctx.sequenceId, status, extra);
	let created: Record<string, any>;
	if (status === "OPEN" || status === "CLOSED") {
		// Times a day or two back, which a create refuses: backdated instead (test/support/distributions.ts).
		created = await createBackdated(parentOf(ctx), kind, body);
	} else {
		const res = await call(KINDS[kind].path, { key: ctx.org.secretKey, body });
		expect(res.status, res.text).toBe(201);
		created = res.json;
	}
	expect(created.status).toBe(status);
	if (shown(kind, status) === status) return created;
	// An empty queue that is already closed completes as soon as its object writes the close through.
	for (let i = 0; i < 50; i++) {
		const now = await get(ctx, kind, created.id);
		if (now.json.status === "COMPLETED") return now.json;
		await new Promise((r) => setTimeout(r, 100));
	}
	throw new Error(`queue ${created.id} never completed`);
}

/** The status a fixture settles in: a closed queue with nobody in line is COMPLETED, by the queue's rules. */
const shown = (kind: Kind, status: Status) => (kind === "queue" && status === "CLOSED" ? "COMPLETED" : status);

const get = (ctx: Ctx, kind: Kind, id: string) => call(`${KINDS[kind].path}/${id}`, { key: ctx.org.secretKey });
const put = (ctx: Ctx, kind: Kind, id: string, body: unknown) =>
	call(`${KINDS[kind].path}/${id}`, { key: ctx.org.secretKey, method: "PUT", body });
const list = async (ctx: Ctx, kind: Kind, qs = "") => {
	const res = await call(`${KINDS[kind].path}${qs}`, { key: ctx.org.secretKey });
	expect(res.status, res.text).toBe(200);
	return res.json as { data: any[]; nextCursor: string | null };
};

/** POSTs `body` and expects a 400 naming `path` with no distribution stored. */
async function expectRejected(ctx: Ctx, kind: Kind, body: Record<string, unknown>, path: string) {
	const res = await call(KINDS[kind].path, { key: ctx.org.secretKey, body });
	const p = expectFieldError(res, path);
	expect(await countRows("distributions", ctx.org.organizationId)).toBe(0);
	return p;
}

for (const kind of KIND_NAMES) {
	const { path, title, last } = KINDS[kind];

	describe(`${kind}s: create and get`, () => {
		it("a minimal body → 201 DRAFT, spec keys in order, defaults null, generated UUID seed", async () => {
			const ctx = await setup();
			const body: Record<string, unknown> = { sequenceId: ctx.sequenceId };
			// `"openAt": null` keeps a draw DRAFT; without openAt it opens at creation (tested below).
			if (kind === "draw") Object.assign(body, { openAt: null, drawAt: isoSeconds(Date.now() + DAY), winnerCount: 1 });
			if (kind === "auction") body.settleAt = isoSeconds(Date.now() + DAY);
			const res = await call(path, { key: ctx.org.secretKey, body });
			expect(res.status, res.text).toBe(201);
			const d = res.json;
			expect(Object.keys(d)).toEqual(KEYS[kind]);
			expect(d.id).toMatch(new RegExp(`^${kind}_${ULID}$`));
			expect(d.organizationId).toBe(ctx.org.organizationId);
			expect(d.sequenceId).toBe(ctx.sequenceId);
			expect(d.name).toBeNull();
			expect(d.timeZone).toBe("UTC");
			expect(d.status).toBe("DRAFT");
			expect(d.openAt).toBeNull();
			expect(d.closeAt).toBeNull();
			expect(d.metadata).toBeNull();
			expect(d.encryptionSeed).toMatch(UUID);
			expect(d.createdAt).toMatch(ISO_UTC);
			expect(d.updatedAt).toBe(d.createdAt);
			for (const key of KEYS[kind].filter((k) => !(k in body) && !["id", "organizationId", "timeZone"].includes(k))) {
				if (["status", "encryptionSeed", "createdAt", "updatedAt"].includes(key)) continue;
				expect(d[key], key).toBeNull();
			}
			expect(await countRows("distributions", ctx.org.organizationId)).toBe(1);
			const got = await get(ctx, kind, d.id);
			expect(got.status).toBe(200);
			expect(got.json).toEqual(d);
		});

		it("name, metadata and times round-trip; times come back in UTC, milliseconds kept", async () => {
			const ctx = await setup();
			const res = await call(path, {
				key: ctx.org.secretKey,
				body: bodyFor(kind, ctx.sequenceId, "SCHEDULED", {
					name: "Launch",
					metadata: { campaign: "x", n: 1, nested: { a: [1, 2] } },
					openAt: "2031-03-01T10:00:00.750+02:00",
					closeAt: "2031-03-02T10:00:00Z",
					...(last ? { [last]: "2031-03-03T10:00:00Z" } : {}),
				}),
			});
			expect(res.status, res.text).toBe(201);
			expect(res.json).toMatchObject({
				name: "Launch",
				metadata: { campaign: "x", n: 1, nested: { a: [1, 2] } },
				openAt: "2031-03-01T08:00:00.750Z",
				closeAt: "2031-03-02T10:00:00Z",
				status: "SCHEDULED",
			});
			if (last) expect(res.json[last]).toBe("2031-03-03T10:00:00Z");
			expect((await get(ctx, kind, res.json.id)).json).toEqual(res.json);
		});

		for (const status of STATUSES) {
			it(`times chosen for ${status} show status ${status} on create, GET and list`, async () => {
				const ctx = await setup();
				const d = await create(ctx, kind, status);
				expect((await get(ctx, kind, d.id)).json.status).toBe(shown(kind, status));
				expect((await list(ctx, kind)).data[0].status).toBe(shown(kind, status));
			});
		}

		it("opened without closeAt: OPEN (and listed as OPEN) until entries stop", async () => {
			const ctx = await setup();
			const now = Date.now();
			const body: Record<string, unknown> = { sequenceId: ctx.sequenceId, openAt: isoSeconds(now - HOUR) };
			if (kind === "draw") Object.assign(body, { drawAt: isoSeconds(now + DAY), winnerCount: 1 });
			if (kind === "auction") body.settleAt = isoSeconds(now + DAY);
			// Opened an hour ago: backdated, as a create refuses that openAt.
			const d = await createBackdated(parentOf(ctx), kind, body);
			expect(d.status).toBe("OPEN");
			expect(d.closeAt).toBeNull();
			expect((await list(ctx, kind, "?status=OPEN")).data.map((x) => x.id)).toEqual([d.id]);
			expect((await list(ctx, kind, "?status=CLOSED")).data).toEqual([]);
		});

		it("a given encryptionSeed is kept; absent ones are generated and differ", async () => {
			const ctx = await setup();
			const seed = "my-own-seed-0123456789";
			const kept = await create(ctx, kind, "DRAFT", { encryptionSeed: seed });
			expect(kept.encryptionSeed).toBe(seed);
			expect((await get(ctx, kind, kept.id)).json.encryptionSeed).toBe(seed);
			const a = await create(ctx, kind);
			const b = await create(ctx, kind);
			expect(a.encryptionSeed).toMatch(UUID);
			expect(b.encryptionSeed).toMatch(UUID);
			expect(a.encryptionSeed).not.toBe(b.encryptionSeed);
		});

		it("an unknown id → 404 on GET, PUT and DELETE", async () => {
			const ctx = await setup();
			const id = `${kind}_01ARZ3NDEKTSV4RRFFQ69G5FAV`;
			expectProblem(await get(ctx, kind, id), 404, title);
			expectProblem(await put(ctx, kind, id, { name: "X" }), 404, title);
			expectProblem(await call(`${path}/${id}`, { key: ctx.org.secretKey, method: "DELETE" }), 404, title);
		});
	});

	describe(`${kind}s: create validation (400 naming the field, nothing stored)`, () => {
		it("an unknown sequenceId → 400 with errors[0].path sequenceId", async () => {
			const ctx = await setup();
			const p = await expectRejected(
				ctx,
				kind,
				bodyFor(kind, "seq_01ARZ3NDEKTSV4RRFFQ69G5FAV", "SCHEDULED"),
				"sequenceId",
			);
			expect(p.errors?.[0].path).toBe("sequenceId");
		});

		it("another org's sequenceId → 400 with errors[0].path sequenceId, nothing stored in either org", async () => {
			const ctx = await setup();
			const other = await setup();
			const p = await expectRejected(ctx, kind, bodyFor(kind, other.sequenceId, "SCHEDULED"), "sequenceId");
			expect(p.errors?.[0].path).toBe("sequenceId");
			expect(await countRows("distributions", other.org.organizationId)).toBe(0);
		});

		it("a missing sequenceId → 400 naming sequenceId", async () => {
			const ctx = await setup();
			const { sequenceId: _s, ...body } = bodyFor(kind, ctx.sequenceId, "SCHEDULED");
			await expectRejected(ctx, kind, body, "sequenceId");
		});

		/** Create bodies refused with a 400 naming `field`: the rest of the body is valid for `status`. */
		const rejected: { name: string; status: Status; extra: () => Record<string, unknown>; field: string }[] = [
			{
				name: "closeAt equal to openAt → 400 naming closeAt",
				status: "SCHEDULED",
				extra: () => {
					const at = isoSeconds(Date.now() + DAY);
					return { openAt: at, closeAt: at };
				},
				field: "closeAt",
			},
			{
				name: "closeAt before openAt → 400 naming closeAt",
				status: "SCHEDULED",
				extra: () => ({ openAt: isoSeconds(Date.now() + 2 * DAY), closeAt: isoSeconds(Date.now() + DAY) }),
				field: "closeAt",
			},
			{
				name: 'timeZone "Mars/Base" → 400 naming timeZone',
				status: "SCHEDULED",
				extra: () => ({ timeZone: "Mars/Base" }),
				field: "timeZone",
			},
			...["2030-13-01T00:00:00Z", "2030-02-30T10:00:00", "tomorrow", "2030-12-15", "2030-12-15T24:00:00Z"].map(
				(bad) => ({
					name: `openAt "${bad}" → 400 naming openAt`,
					status: "DRAFT" as const,
					extra: () => ({ openAt: bad }),
					field: "openAt",
				}),
			),
			{
				name: 'closeAt "2030-02-30T10:00:00" → 400 naming closeAt',
				status: "DRAFT",
				extra: () => ({ closeAt: "2030-02-30T10:00:00" }),
				field: "closeAt",
			},
			...(
				[
					["foo", 1],
					["status", "OPEN"],
					["id", `${kind}_01ARZ3NDEKTSV4RRFFQ69G5FAV`],
					["createdAt", "2030-01-01T00:00:00Z"],
				] as const
			).map(([field, value]) => ({
				name: `unknown or read-only field ${field} → 400 naming it`,
				status: "DRAFT" as const,
				extra: () => ({ [field]: value }),
				field,
			})),
			{
				name: "a field of another distribution type → 400 naming it",
				status: "DRAFT",
				extra: () => ({ [FOREIGN[kind]]: 5 }),
				field: FOREIGN[kind],
			},
			{
				name: "metadata that is not an object → 400 naming metadata",
				status: "DRAFT",
				extra: () => ({ metadata: "x" }),
				field: "metadata",
			},
		];
		for (const r of rejected) {
			it(r.name, async () => {
				const ctx = await setup();
				await expectRejected(ctx, kind, bodyFor(kind, ctx.sequenceId, r.status, r.extra()), r.field);
			});
		}
	});

	describe(`${kind}s: list`, () => {
		it("lists newest first and pages with limit/cursor without gaps", async () => {
			const ctx = await setup();
			const made = [];
			for (let i = 0; i < 5; i++) made.push(await create(ctx, kind, "DRAFT", { name: `D${i}` }));
			const all = await list(ctx, kind);
			expect(all).toEqual({ data: [...made].reverse(), nextCursor: null });

			const pages = await allPages(`${path}?limit=2`, ctx.org.secretKey, 10);
			const sizes = pages.map((p) => p.data.length);
			const ids = pages.flatMap((p) => p.data.map((d) => d.id));
			expect(sizes).toEqual([2, 2, 1]);
			expect(ids).toEqual(made.map((d) => d.id).reverse());
		});

		it(`lists only ${kind}s of the caller's organization`, async () => {
			const ctx = await setup();
			const mine = await create(ctx, kind);
			for (const other of KIND_NAMES.filter((k) => k !== kind)) await create(ctx, other);
			const otherOrg = await setup();
			await create(otherOrg, kind);
			const res = await list(ctx, kind);
			expect(res.data.map((d) => d.id)).toEqual([mine.id]);
		});

		it("?sequenceId= keeps only that sequence's; an unknown one lists nothing", async () => {
			const ctx = await setup();
			const seqB = await makeSequence(ctx.org, "B");
			const a1 = await create(ctx, kind);
			const b1 = await create({ ...ctx, sequenceId: seqB }, kind);
			const a2 = await create(ctx, kind, "SCHEDULED");
			const b2 = await create({ ...ctx, sequenceId: seqB }, kind, "OPEN");
			expect((await list(ctx, kind, `?sequenceId=${ctx.sequenceId}`)).data.map((d) => d.id)).toEqual([a2.id, a1.id]);
			expect((await list(ctx, kind, `?sequenceId=${seqB}`)).data.map((d) => d.id)).toEqual([b2.id, b1.id]);
			expect((await list(ctx, kind, "?sequenceId=seq_01ARZ3NDEKTSV4RRFFQ69G5FAV")).data).toEqual([]);
			expect((await list(ctx, kind, `?sequenceId=${seqB}&status=OPEN`)).data.map((d) => d.id)).toEqual([b2.id]);
			expect((await list(ctx, kind, `?sequenceId=${seqB}&status=SCHEDULED`)).data).toEqual([]);
		});

		it("?sequenceId= of another org's sequence lists nothing", async () => {
			const ctx = await setup();
			const other = await setup();
			await create(other, kind);
			expect((await list(ctx, kind, `?sequenceId=${other.sequenceId}`)).data).toEqual([]);
		});

		it("?status= returns exactly the items showing that status", async () => {
			const ctx = await setup();
			const byStatus: Record<string, string> = {};
			for (const status of STATUSES) byStatus[status] = (await create(ctx, kind, status)).id;
			const all = await list(ctx, kind);
			expect(all.data).toHaveLength(4);
			for (const status of STATUSES) {
				const res = await list(ctx, kind, `?status=${shown(kind, status)}`);
				expect(res.data.map((d) => d.id)).toEqual([byStatus[status]]);
				for (const d of res.data) expect(d.status).toBe(shown(kind, status));
			}
			// Every item is found under the status it shows, exactly once across all filters.
			const seen: string[] = [];
			for (const d of all.data) {
				const res = await list(ctx, kind, `?status=${d.status}`);
				expect(res.data.map((x) => x.id)).toContain(d.id);
				seen.push(d.id);
			}
			expect(new Set(seen).size).toBe(4);
		});

		it("?status= with paging keeps the filter on every page", async () => {
			const ctx = await setup();
			const open = [];
			for (let i = 0; i < 3; i++) {
				open.push(await create(ctx, kind, "OPEN"));
				await create(ctx, kind, "SCHEDULED");
			}
			const p1 = await list(ctx, kind, "?status=OPEN&limit=2");
			expect(p1.data.map((d) => d.id)).toEqual([open[2].id, open[1].id]);
			expect(p1.nextCursor).toBeTypeOf("string");
			const p2 = await list(ctx, kind, `?status=OPEN&limit=2&cursor=${encodeURIComponent(p1.nextCursor ?? "")}`);
			expect(p2.data.map((d) => d.id)).toEqual([open[0].id]);
			expect(p2.nextCursor).toBeNull();
		});

		it("?limit=0 and ?limit=101 → 400 naming limit", async () => {
			const ctx = await setup();
			for (const limit of ["0", "101", "x"]) {
				expectFieldError(await call(`${path}?limit=${limit}`, { key: ctx.org.secretKey }), "limit");
			}
		});

		const badStatuses = ["BOGUS", "open", ""];
		if (kind === "queue") badStatuses.push("DRAWN", "SETTLED");
		if (kind === "auction") badStatuses.push("DRAWN", "COMPLETED");
		if (kind === "draw") badStatuses.push("SETTLED");
		for (const bad of badStatuses) {
			it(`?status=${bad} (not a ${kind} status) → 400 naming status`, async () => {
				const ctx = await setup();
				await create(ctx, kind);
				const res = await call(`${path}?status=${bad}`, { key: ctx.org.secretKey });
				expectFieldError(res, "status");
			});
		}
	});

	describe(`${kind}s: update`, () => {
		it("PUT is partial: only the fields sent change", async () => {
			const ctx = await setup();
			const d = await create(ctx, kind, "SCHEDULED", { metadata: { a: 1 } });
			const res = await put(ctx, kind, d.id, { name: "Renamed" });
			expect(res.status, res.text).toBe(200);
			expect(Object.keys(res.json)).toEqual(KEYS[kind]);
			const { updatedAt: _u, ...rest } = d;
			expect(res.json).toEqual({ ...rest, name: "Renamed", updatedAt: expect.stringMatching(ISO_UTC) });
			expect(Date.parse(res.json.updatedAt)).toBeGreaterThanOrEqual(Date.parse(d.updatedAt));
			expect((await get(ctx, kind, d.id)).json).toEqual(res.json);
		});

		it("PUT moves times (a SCHEDULED one can become OPEN) and metadata null clears", async () => {
			const ctx = await setup();
			const d = await create(ctx, kind, "SCHEDULED", { metadata: { a: 1 } });
			// A past openAt is refused (test/distributions/times.test.ts): move it to a second from now.
			const openAt = isoSeconds(Date.now() + 2000);
			const res = await put(ctx, kind, d.id, { openAt, metadata: null });
			expect(res.status, res.text).toBe(200);
			expect(res.json.openAt).toBe(openAt);
			expect(res.json.metadata).toBeNull();
			expect(res.json.closeAt).toBe(d.closeAt);
			const got = await waitFor(
				`${d.id} OPEN`,
				async () => (await get(ctx, kind, d.id)).json,
				(x) => x.status === "OPEN",
			);
			expect(got).toEqual({ ...res.json, status: "OPEN" });
			expect((await list(ctx, kind, "?status=OPEN")).data.map((x) => x.id)).toEqual([d.id]);
		});

		it("an empty PUT body changes nothing", async () => {
			const ctx = await setup();
			const d = await create(ctx, kind, "SCHEDULED");
			const res = await put(ctx, kind, d.id, {});
			expect(res.status, res.text).toBe(200);
			const { updatedAt: _u, ...rest } = d;
			expect(res.json).toMatchObject(rest);
		});

		it("a PUT that would put closeAt before openAt → 400, row unchanged", async () => {
			const ctx = await setup();
			const d = await create(ctx, kind, "SCHEDULED");
			const early = await put(ctx, kind, d.id, { closeAt: isoSeconds(Date.parse(d.openAt) - HOUR) });
			expectFieldError(early, "closeAt");
			const late = await put(ctx, kind, d.id, { openAt: isoSeconds(Date.parse(d.closeAt) + HOUR) });
			const p = expectProblem(late, 400, "Validation failed");
			expect(p.errors?.map((e) => e.path).some((x) => x === "openAt" || x === "closeAt")).toBe(true);
			expect((await get(ctx, kind, d.id)).json).toEqual(d);
		});

		it("a PUT with a bad value → 400 naming it, row unchanged", async () => {
			const ctx = await setup();
			const d = await create(ctx, kind, "SCHEDULED");
			const cases: [Record<string, unknown>, string][] = [
				[{ timeZone: "Mars/Base" }, "timeZone"],
				[{ openAt: "2030-02-30T10:00:00" }, "openAt"],
				[{ closeAt: "tomorrow" }, "closeAt"],
				[{ name: "" }, "name"],
				[{ bogus: true }, "bogus"],
			];
			for (const [body, field] of cases) expectFieldError(await put(ctx, kind, d.id, body), field);
			expect((await get(ctx, kind, d.id)).json).toEqual(d);
		});

		for (const field of ["sequenceId", "encryptionSeed", "status", "organizationId"]) {
			it(`PUT cannot change ${field} (400 unknown field, row unchanged)`, async () => {
				const ctx = await setup();
				const d = await create(ctx, kind, "SCHEDULED");
				const value = field === "sequenceId" ? await makeSequence(ctx.org, "Other") : "new-value-123456";
				expectFieldError(await put(ctx, kind, d.id, { [field]: value }), field);
				expect((await get(ctx, kind, d.id)).json).toEqual(d);
			});
		}

		it('PUT on a CLOSED one (closeAt in the past) → 409 "Cannot update closed distribution", unchanged', async () => {
			const ctx = await setup();
			const d = await create(ctx, kind, "CLOSED");
			for (const body of [
				{ name: "Too late" },
				{ closeAt: isoSeconds(Date.now() + DAY) },
				{ metadata: { x: 1 } },
			] as Record<string, unknown>[]) {
				expectProblem(await put(ctx, kind, d.id, body), 409, "Cannot update closed distribution");
			}
			expect((await get(ctx, kind, d.id)).json).toEqual(d);
		});

		it("PUT on an OPEN one moving openAt → 409, unchanged", async () => {
			const ctx = await setup();
			const d = await create(ctx, kind, "OPEN");
			expectProblem(await put(ctx, kind, d.id, { openAt: isoSeconds(Date.now() + HOUR) }), 409);
			expectProblem(await put(ctx, kind, d.id, { openAt: isoSeconds(Date.parse(d.openAt) - HOUR) }), 409);
			expect((await get(ctx, kind, d.id)).json).toEqual(d);
		});

		it("PUT on an OPEN one may change name and extend closeAt, and resend the same openAt", async () => {
			const ctx = await setup();
			const d = await create(ctx, kind, "OPEN");
			const res = await put(ctx, kind, d.id, { name: "Live", openAt: d.openAt });
			expect(res.status, res.text).toBe(200);
			expect(res.json.name).toBe("Live");
			expect(res.json.openAt).toBe(d.openAt);
			const closeAt = isoSeconds(Date.parse(d.closeAt) + HOUR);
			const ext = await put(ctx, kind, d.id, { closeAt });
			expect(ext.status, ext.text).toBe(200);
			expect(ext.json.closeAt).toBe(closeAt);
			expect(ext.json.status).toBe("OPEN");
		});
	});

	describe(`${kind}s: ids of another type, other orgs, delete`, () => {
		for (const otherKind of KIND_NAMES.filter((k) => k !== kind)) {
			it(`${KINDS[otherKind].path}/<a ${kind} id> → 404 "${KINDS[otherKind].title}" on GET, PUT, DELETE`, async () => {
				const ctx = await setup();
				const d = await create(ctx, kind, "SCHEDULED");
				const url = `${KINDS[otherKind].path}/${d.id}`;
				const otherTitle = KINDS[otherKind].title;
				expectProblem(await call(url, { key: ctx.org.secretKey }), 404, otherTitle);
				expectProblem(await call(url, { key: ctx.org.secretKey, method: "PUT", body: { name: "X" } }), 404, otherTitle);
				expectProblem(await call(url, { key: ctx.org.secretKey, method: "DELETE" }), 404, otherTitle);
				expect((await get(ctx, kind, d.id)).json).toEqual(d);
				expect(await countRows("distributions", ctx.org.organizationId)).toBe(1);
			});
		}

		it(`another org's ${kind} → 404 on GET, PUT and DELETE, and it stays unchanged`, async () => {
			const owner = await setup();
			const other = await setup();
			const d = await create(owner, kind, "SCHEDULED");
			expectProblem(await get(other, kind, d.id), 404, title);
			expectProblem(await put(other, kind, d.id, { name: "Hijacked" }), 404, title);
			expectProblem(await call(`${path}/${d.id}`, { key: other.org.secretKey, method: "DELETE" }), 404, title);
			expect((await list(other, kind)).data).toEqual([]);
			expect((await get(owner, kind, d.id)).json).toEqual(d);
			expect(await countRows("distributions", owner.org.organizationId)).toBe(1);
		});

		for (const status of STATUSES.filter((s) => s !== "CLOSED")) {
			it(`DELETE a ${status} ${kind} → 204, then 404 everywhere and gone from the list`, async () => {
				const ctx = await setup();
				const keep = await create(ctx, kind);
				const d = await create(ctx, kind, status);
				const res = await call(`${path}/${d.id}`, { key: ctx.org.secretKey, method: "DELETE" });
				expect(res.status, res.text).toBe(204);
				expect(res.text).toBe("");
				expectProblem(await get(ctx, kind, d.id), 404, title);
				expectProblem(await put(ctx, kind, d.id, { name: "X" }), 404, title);
				expectProblem(await call(`${path}/${d.id}`, { key: ctx.org.secretKey, method: "DELETE" }), 404, title);
				expect((await list(ctx, kind)).data.map((x) => x.id)).toEqual([keep.id]);
				expect((await list(ctx, kind, `?status=${status}`)).data.map((x) => x.id)).not.toContain(d.id);
				expect(await countRows("distributions", ctx.org.organizationId)).toBe(1);
			});
		}

		it(`DELETE a CLOSED (or later) ${kind} → 409 Distribution has evidence; it stays, readable and listed`, async () => {
			const ctx = await setup();
			const keep = await create(ctx, kind);
			const d = await create(ctx, kind, "CLOSED");
			const res = await call(`${path}/${d.id}`, { key: ctx.org.secretKey, method: "DELETE" });
			const p = expectProblem(res, 409, "Distribution has evidence");
			expect(p.detail).toContain(`This ${kind} is ${shown(kind, "CLOSED")}`);
			expect((await get(ctx, kind, d.id)).json).toEqual(d);
			expect((await list(ctx, kind)).data.map((x) => x.id)).toEqual([d.id, keep.id]);
			expect(await countRows("distributions", ctx.org.organizationId)).toBe(2);
		});
	});
}

describe("queues: their own fields", () => {
	it("maxCapacity, admissionRate, sessionDurationSeconds round-trip; 30 s and 86400 s are the bounds", async () => {
		const ctx = await setup();
		const a = await create(ctx, "queue", "SCHEDULED", {
			maxCapacity: 1,
			admissionRate: 1,
			sessionDurationSeconds: 30,
		});
		expect(a).toMatchObject({ maxCapacity: 1, admissionRate: 1, sessionDurationSeconds: 30 });
		const b = await create(ctx, "queue", "SCHEDULED", { sessionDurationSeconds: 86_400 });
		expect(b.sessionDurationSeconds).toBe(86_400);
	});

	const bad: [string, Record<string, unknown>, string][] = [
		["admissionRate 0", { admissionRate: 0 }, "admissionRate"],
		["admissionRate -1", { admissionRate: -1 }, "admissionRate"],
		["admissionRate 1.5", { admissionRate: 1.5 }, "admissionRate"],
		["maxCapacity 0", { maxCapacity: 0 }, "maxCapacity"],
		['maxCapacity "10"', { maxCapacity: "10" }, "maxCapacity"],
		["sessionDurationSeconds 29", { sessionDurationSeconds: 29 }, "sessionDurationSeconds"],
		["sessionDurationSeconds 86401", { sessionDurationSeconds: 86_401 }, "sessionDurationSeconds"],
	];
	for (const [label, extra, field] of bad) {
		it(`${label} → 400 naming ${field}, nothing stored`, async () => {
			const ctx = await setup();
			await expectRejected(ctx, "queue", bodyFor("queue", ctx.sequenceId, "SCHEDULED", extra), field);
		});
		it(`PUT ${label} → 400 naming ${field}, row unchanged`, async () => {
			const ctx = await setup();
			const d = await create(ctx, "queue", "SCHEDULED", { maxCapacity: 10, admissionRate: 5 });
			expectFieldError(await put(ctx, "queue", d.id, extra), field);
			expect((await get(ctx, "queue", d.id)).json).toEqual(d);
		});
	}

	it("PUT null clears maxCapacity / admissionRate / sessionDurationSeconds", async () => {
		const ctx = await setup();
		const d = await create(ctx, "queue", "SCHEDULED", {
			maxCapacity: 10,
			admissionRate: 5,
			sessionDurationSeconds: 600,
		});
		const res = await put(ctx, "queue", d.id, { maxCapacity: null, admissionRate: null, sessionDurationSeconds: null });
		expect(res.status, res.text).toBe(200);
		expect(res.json).toMatchObject({ maxCapacity: null, admissionRate: null, sessionDurationSeconds: null });
		expect((await get(ctx, "queue", d.id)).json).toEqual(res.json);
	});
});

describe("draws: their own fields and rules", () => {
	it("drawAt and winnerCount are required", async () => {
		const ctx = await setup();
		const { drawAt: _d, ...noDrawAt } = bodyFor("draw", ctx.sequenceId, "SCHEDULED");
		await expectRejected(ctx, "draw", noDrawAt, "drawAt");
		const { winnerCount: _w, ...noWinners } = bodyFor("draw", ctx.sequenceId, "SCHEDULED");
		await expectRejected(ctx, "draw", noWinners, "winnerCount");
	});

	const bad: [string, (now: number) => Record<string, unknown>, string][] = [
		["winnerCount 0", () => ({ winnerCount: 0 }), "winnerCount"],
		["winnerCount -3", () => ({ winnerCount: -3 }), "winnerCount"],
		["winnerCount 2.5", () => ({ winnerCount: 2.5 }), "winnerCount"],
		["winnerCount > maxEntries", () => ({ winnerCount: 11, maxEntries: 10 }), "winnerCount"],
		["maxEntries 0", () => ({ maxEntries: 0 }), "maxEntries"],
		["drawAt before closeAt", (now) => ({ drawAt: isoSeconds(now + 2 * DAY - HOUR) }), "drawAt"],
		[
			"drawAt before openAt without closeAt",
			(now) => ({ closeAt: undefined, drawAt: isoSeconds(now + DAY - HOUR) }),
			"drawAt",
		],
		["drawAt malformed", () => ({ drawAt: "2030-13-01T00:00:00Z" }), "drawAt"],
		["drawAt on a day that does not exist", () => ({ drawAt: "2031-02-29T12:00:00" }), "drawAt"],
	];
	for (const [label, extra, field] of bad) {
		it(`${label} → 400 naming ${field}, nothing stored`, async () => {
			const ctx = await setup();
			const body = bodyFor("draw", ctx.sequenceId, "SCHEDULED", extra(Date.now()));
			await expectRejected(ctx, "draw", JSON.parse(JSON.stringify(body)), field);
		});
	}

	it("winnerCount equal to maxEntries and drawAt equal to closeAt are accepted", async () => {
		const ctx = await setup();
		const t = timesFor("SCHEDULED");
		const d = await create(ctx, "draw", "SCHEDULED", {
			winnerCount: 10,
			maxEntries: 10,
			drawAt: isoSeconds(t.closeAt as number),
		});
		expect(d).toMatchObject({ winnerCount: 10, maxEntries: 10, drawAt: d.closeAt });
	});

	it("a PUT that breaks winnerCount ≤ maxEntries or drawAt ≥ closeAt → 400, row unchanged", async () => {
		const ctx = await setup();
		const d = await create(ctx, "draw", "SCHEDULED", { winnerCount: 5, maxEntries: 10 });
		expectFieldError(await put(ctx, "draw", d.id, { maxEntries: 4 }), "winnerCount");
		expectFieldError(await put(ctx, "draw", d.id, { winnerCount: 11 }), "winnerCount");
		const late = await put(ctx, "draw", d.id, { closeAt: isoSeconds(Date.parse(d.drawAt) + HOUR) });
		const p = expectProblem(late, 400, "Validation failed");
		expect(p.errors?.some((e) => e.path === "drawAt" || e.path === "closeAt")).toBe(true);
		expectFieldError(await put(ctx, "draw", d.id, { drawAt: isoSeconds(Date.parse(d.closeAt) - HOUR) }), "drawAt");
		expectFieldError(await put(ctx, "draw", d.id, { winnerCount: 0 }), "winnerCount");
		expect((await get(ctx, "draw", d.id)).json).toEqual(d);
	});

	it("PUT on a draw whose drawAt has passed (no closeAt) → 409 Cannot update closed distribution", async () => {
		const ctx = await setup();
		const now = Date.now();
		const d = await createBackdated(parentOf(ctx), "draw", {
			openAt: isoSeconds(now - 2 * DAY),
			drawAt: isoSeconds(now - DAY),
			winnerCount: 1,
		});
		expect(d.status, "closed at once; drawn once its beacon round is out").toBe("CLOSED");
		const upd = await put(ctx, "draw", d.id, { winnerCount: 2 });
		expectProblem(upd, 409, "Cannot update closed distribution");
		expect((await get(ctx, "draw", d.id)).json.winnerCount).toBe(1);
	});

	it("PUT winnerCount / maxEntries / drawAt together is accepted; maxEntries null clears", async () => {
		const ctx = await setup();
		const d = await create(ctx, "draw", "SCHEDULED", { winnerCount: 5, maxEntries: 10 });
		const drawAt = isoSeconds(Date.parse(d.drawAt) + DAY);
		const res = await put(ctx, "draw", d.id, { winnerCount: 50, maxEntries: 100, drawAt });
		expect(res.status, res.text).toBe(200);
		expect(res.json).toMatchObject({ winnerCount: 50, maxEntries: 100, drawAt });
		const cleared = await put(ctx, "draw", d.id, { maxEntries: null });
		expect(cleared.status, cleared.text).toBe(200);
		expect(cleared.json.maxEntries).toBeNull();
		expect(cleared.json.winnerCount).toBe(50);
	});
});

describe("auctions: their own fields and rules", () => {
	it("settleAt is required", async () => {
		const ctx = await setup();
		const { settleAt: _s, ...body } = bodyFor("auction", ctx.sequenceId, "SCHEDULED");
		await expectRejected(ctx, "auction", body, "settleAt");
	});

	it("money fields round-trip as decimals", async () => {
		const ctx = await setup();
		const a = await create(ctx, "auction", "SCHEDULED", {
			startingBid: 99.99,
			minimumIncrement: 0.01,
			reservePrice: 150.5,
			buyNowPrice: 1_000,
		});
		expect(a).toMatchObject({ startingBid: 99.99, minimumIncrement: 0.01, reservePrice: 150.5, buyNowPrice: 1_000 });
		expect((await get(ctx, "auction", a.id)).json).toEqual(a);
	});

	it("equal startingBid, reservePrice and buyNowPrice are accepted; settleAt may equal closeAt", async () => {
		const ctx = await setup();
		const t = timesFor("SCHEDULED");
		const a = await create(ctx, "auction", "SCHEDULED", {
			startingBid: 100,
			reservePrice: 100,
			buyNowPrice: 100,
			settleAt: isoSeconds(t.closeAt as number),
		});
		expect(a.settleAt).toBe(a.closeAt);
	});

	const bad: [string, (now: number) => Record<string, unknown>, string][] = [
		["settleAt before closeAt", (now) => ({ settleAt: isoSeconds(now + 2 * DAY - HOUR) }), "settleAt"],
		["settleAt malformed", () => ({ settleAt: "tomorrow" }), "settleAt"],
		["startingBid > reservePrice", () => ({ startingBid: 600, reservePrice: 500 }), "startingBid"],
		["reservePrice > buyNowPrice", () => ({ reservePrice: 2500, buyNowPrice: 2000 }), "reservePrice"],
		["startingBid > buyNowPrice", () => ({ startingBid: 2500, buyNowPrice: 2000 }), "startingBid"],
		["minimumIncrement 0", () => ({ minimumIncrement: 0 }), "minimumIncrement"],
		["minimumIncrement -5", () => ({ minimumIncrement: -5 }), "minimumIncrement"],
		["startingBid -1", () => ({ startingBid: -1 }), "startingBid"],
		["startingBid with 3 decimals", () => ({ startingBid: 1.005 }), "startingBid"],
		['buyNowPrice "2000"', () => ({ buyNowPrice: "2000" }), "buyNowPrice"],
	];
	for (const [label, extra, field] of bad) {
		it(`${label} → 400 naming ${field}, nothing stored`, async () => {
			const ctx = await setup();
			await expectRejected(ctx, "auction", bodyFor("auction", ctx.sequenceId, "SCHEDULED", extra(Date.now())), field);
		});
	}

	it("a PUT that breaks a price rule or settleAt ≥ closeAt → 400, row unchanged", async () => {
		const ctx = await setup();
		const a = await create(ctx, "auction", "SCHEDULED", {
			startingBid: 100,
			minimumIncrement: 10,
			reservePrice: 500,
			buyNowPrice: 2000,
		});
		expectFieldError(await put(ctx, "auction", a.id, { reservePrice: 2500 }), "reservePrice");
		expectFieldError(await put(ctx, "auction", a.id, { startingBid: 600 }), "startingBid");
		expectFieldError(await put(ctx, "auction", a.id, { buyNowPrice: 400 }), "reservePrice");
		expectFieldError(await put(ctx, "auction", a.id, { minimumIncrement: 0 }), "minimumIncrement");
		expectFieldError(
			await put(ctx, "auction", a.id, { settleAt: isoSeconds(Date.parse(a.closeAt) - HOUR) }),
			"settleAt",
		);
		expect((await get(ctx, "auction", a.id)).json).toEqual(a);
	});

	it("PUT null clears a price, which lifts its rule", async () => {
		const ctx = await setup();
		const a = await create(ctx, "auction", "SCHEDULED", { reservePrice: 500, buyNowPrice: 2000 });
		const res = await put(ctx, "auction", a.id, { buyNowPrice: null, reservePrice: 3000 });
		expect(res.status, res.text).toBe(200);
		expect(res.json).toMatchObject({ buyNowPrice: null, reservePrice: 3000 });
	});
});

describe("time zones on create and update", () => {
	it("local times are read in the org default zone when none is given, and in the given zone otherwise", async () => {
		const ctx = await setup("Asia/Tokyo");
		const a = await create(ctx, "queue", "SCHEDULED", {
			openAt: "2031-01-10T09:00:00",
			closeAt: "2031-01-10T21:00:00",
		});
		expect(a).toMatchObject({
			timeZone: "Asia/Tokyo",
			openAt: "2031-01-10T00:00:00Z",
			closeAt: "2031-01-10T12:00:00Z",
		});
		const b = await call("/api/v1/queues", {
			key: ctx.org.secretKey,
			body: { sequenceId: ctx.sequenceId, timeZone: "UTC", openAt: "2031-01-10T09:00:00" },
		});
		expect(b.status, b.text).toBe(201);
		expect(b.json).toMatchObject({ timeZone: "UTC", openAt: "2031-01-10T09:00:00Z" });
	});

	it("a PUT changing timeZone reads the local times sent with it in the new zone", async () => {
		const ctx = await setup();
		const d = await create(ctx, "queue", "SCHEDULED", {
			openAt: "2031-01-10T09:00:00Z",
			closeAt: "2031-01-10T18:00:00Z",
		});
		const res = await put(ctx, "queue", d.id, { timeZone: "America/New_York", closeAt: "2031-01-10T18:00:00" });
		expect(res.status, res.text).toBe(200);
		expect(res.json).toMatchObject({
			timeZone: "America/New_York",
			openAt: "2031-01-10T09:00:00Z",
			closeAt: "2031-01-10T23:00:00Z",
		});
	});
});
