/**
 * Times that mean what they say: a create or a PUT cannot set a time in the past (beyond a
 * minute's grace), milliseconds round-trip, and a draw given only drawAt opens at creation.
 */
import { describe, expect, it } from "vitest";
import { PAST_GRACE_MS } from "../../src/distributions/common/input";
import { createBackdated, createDistribution, PATH, putDistribution } from "../support/distributions";
import { call, countRows, type Tenant, tenant } from "../support/helpers";
import type { Kind } from "../support/objects";
import { expectFieldError, expectProblem } from "../support/problems";
import { iso } from "../support/time";

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const KINDS: Kind[] = ["queue", "draw", "auction"];
/** The field that ends each kind, if any. */
const LAST: Record<Kind, "drawAt" | "settleAt" | null> = { queue: null, draw: "drawAt", auction: "settleAt" };
const PAST = "Must not be in the past";

/** A create body of `kind` with times at the given offsets from now (ms). */
function timed(kind: Kind, openIn: number, closeIn: number, lastIn = closeIn + HOUR) {
	const now = Date.now();
	const body: Record<string, unknown> = { openAt: iso(now + openIn), closeAt: iso(now + closeIn) };
	if (kind === "draw") Object.assign(body, { drawAt: iso(now + lastIn), winnerCount: 1 });
	if (kind === "auction") body.settleAt = iso(now + lastIn);
	return body;
}

/** POSTs a create of `kind` and expects a 400 whose errors are exactly "Must not be in the past" on `fields`, nothing stored. */
async function expectPastRefused(t: Tenant, kind: Kind, body: Record<string, unknown>, fields: string[]) {
	const res = await call(PATH[kind], { key: t.secretKey, body: { sequenceId: t.sequenceId, ...body } });
	const p = expectProblem(res, 400, "Validation failed");
	expect(p.errors, res.text).toEqual(fields.map((path) => ({ path, message: PAST })));
	expect(await countRows("distributions", t.organizationId)).toBe(0);
}

for (const kind of KINDS) {
	const last = LAST[kind];
	const winners = kind === "draw" ? { winnerCount: 1 } : {};

	describe(`${kind}s: a create with times in the past`, () => {
		it("every time past (beyond the grace) → 400 naming each field, nothing stored", async () => {
			const t = await tenant();
			const body = timed(kind, -3 * HOUR, -2 * HOUR, -HOUR);
			await expectPastRefused(t, kind, body, ["openAt", "closeAt", ...(last ? [last] : [])]);
		});

		it("one time past → 400 naming just that field, nothing stored", async () => {
			const t = await tenant();
			const now = Date.now();
			const future = last ? { [last]: iso(now + DAY) } : {};
			await expectPastRefused(t, kind, { openAt: iso(now - HOUR), closeAt: iso(now + HOUR), ...future, ...winners }, [
				"openAt",
			]);
			await expectPastRefused(t, kind, { openAt: null, closeAt: iso(now - HOUR), ...future, ...winners }, ["closeAt"]);
			if (last) await expectPastRefused(t, kind, { openAt: null, [last]: iso(now - HOUR), ...winners }, [last]);
		});

		it("just beyond the grace → 400; 30 s back is inside it: 201 and OPEN", async () => {
			const t = await tenant();
			const beyond = timed(kind, -(PAST_GRACE_MS + 5000), HOUR);
			await expectPastRefused(t, kind, beyond, ["openAt"]);
			const sent = timed(kind, -30_000, HOUR);
			const d = await createDistribution(t, kind, sent);
			expect(d.status).toBe("OPEN");
			expect(d.openAt).toBe(sent.openAt);
		});

		it('an explicit "openAt": null still means not scheduled: 201 DRAFT', async () => {
			const t = await tenant();
			const body: Record<string, unknown> = { openAt: null, ...winners };
			if (last) body[last] = iso(Date.now() + DAY);
			const d = await createDistribution(t, kind, body);
			expect(d.status).toBe("DRAFT");
			expect(d.openAt).toBeNull();
		});
	});

	describe(`${kind}s: a PUT with times in the past`, () => {
		it("a PUT moving any time into the past → 400 naming that field, row unchanged", async () => {
			const t = await tenant();
			const d = await createDistribution(t, kind, timed(kind, DAY, 2 * DAY));
			const fields = ["openAt", "closeAt", ...(LAST[kind] ? [LAST[kind]] : [])];
			for (const field of fields) {
				expectFieldError(await putDistribution(t, kind, d.id, { [field]: iso(Date.now() - HOUR) }), field);
			}
			const got = await call(`${PATH[kind]}/${d.id}`, { key: t.secretKey });
			expect(got.json).toEqual(d);
		});

		it("a PUT moving a time just beyond the grace → 400; to 30 s back → 200 (it opens)", async () => {
			const t = await tenant();
			const d = await createDistribution(t, kind, timed(kind, DAY, 2 * DAY));
			const beyond = await putDistribution(t, kind, d.id, { openAt: iso(Date.now() - PAST_GRACE_MS - 5000) });
			expect(expectFieldError(beyond, "openAt").errors).toEqual([{ path: "openAt", message: PAST }]);
			const inside = await putDistribution(t, kind, d.id, { openAt: iso(Date.now() - 30_000) });
			expect(inside.status, inside.text).toBe(200);
			expect(inside.json.status).toBe("OPEN");
		});

		it("an OPEN one keeps its past openAt: a PUT leaving it, or resending it, still works", async () => {
			const t = await tenant();
			// Opened an hour ago, which a create refuses: backdated (test/support/distributions.ts).
			const d = await createBackdated(t, kind, timed(kind, -HOUR, DAY));
			expect(d.status).toBe("OPEN");
			const renamed = await putDistribution(t, kind, d.id, { name: "Renamed" });
			expect(renamed.status, renamed.text).toBe(200);
			const resent = await putDistribution(t, kind, d.id, { openAt: d.openAt, name: "Again" });
			expect(resent.status, resent.text).toBe(200);
			expect(resent.json.openAt).toBe(d.openAt);
		});

		it('an explicit "openAt": null on a PUT unschedules, not a past-time error', async () => {
			const t = await tenant();
			const d = await createDistribution(t, kind, timed(kind, DAY, 2 * DAY));
			const res = await putDistribution(t, kind, d.id, { openAt: null });
			expect(res.status, res.text).toBe(200);
			expect(res.json.openAt).toBeNull();
		});
	});
}

describe("milliseconds are kept", () => {
	it("an openAt with .123Z round-trips through create, GET and an echoing PUT", async () => {
		const t = await tenant();
		const at = Math.floor((Date.now() + DAY) / 1000) * 1000 + 123;
		const q = await createDistribution(t, "queue", { openAt: iso(at), closeAt: iso(at + DAY) });
		expect(q.openAt).toBe(new Date(at).toISOString());
		expect(q.openAt).toMatch(/\.123Z$/);
		const got = await call(`${PATH.queue}/${q.id}`, { key: t.secretKey });
		expect(got.json.openAt).toBe(q.openAt);
		// The echoed value is the same instant: no change, not a move by 123 ms.
		const echoed = await putDistribution(t, "queue", q.id, { openAt: q.openAt });
		expect(echoed.status, echoed.text).toBe(200);
		expect(echoed.json.openAt).toBe(q.openAt);
		// Whole seconds still print as before.
		expect(q.closeAt).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.123Z$/);
		const whole = await createDistribution(t, "queue", { openAt: "2030-12-15T09:00:00.000Z" });
		expect(whole.openAt).toBe("2030-12-15T09:00:00Z");
	});
});

describe("a draw given only drawAt", () => {
	it("opens at creation; an explicit openAt: null keeps it DRAFT", async () => {
		const t = await tenant();
		const drawAt = iso(Date.now() + DAY);
		const before = Date.now();
		const d = await createDistribution(t, "draw", { drawAt, winnerCount: 1 });
		expect(d.status).toBe("OPEN");
		expect(Date.parse(d.openAt)).toBeGreaterThanOrEqual(before);
		expect(Date.parse(d.openAt)).toBeLessThanOrEqual(Date.parse(d.createdAt) + 1000);
		const draft = await createDistribution(t, "draw", { openAt: null, drawAt, winnerCount: 1 });
		expect(draft.status).toBe("DRAFT");
		expect(draft.openAt).toBeNull();
	});
});
