/**
 * Times that mean what they say: a PUT cannot move a time into the past, milliseconds
 * round-trip, and a draw given only drawAt opens at creation.
 */
import { describe, expect, it } from "vitest";
import { createDistribution, PATH, putDistribution } from "../support/distributions";
import { call, tenant } from "../support/helpers";
import type { Kind } from "../support/objects";
import { expectFieldError } from "../support/problems";
import { iso } from "../support/time";

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const KINDS: Kind[] = ["queue", "draw", "auction"];
/** The field that ends each kind, if any. */
const LAST: Record<Kind, "drawAt" | "settleAt" | null> = { queue: null, draw: "drawAt", auction: "settleAt" };

/** A create body of `kind` with times at the given offsets from now (ms). */
function timed(kind: Kind, openIn: number, closeIn: number, lastIn = closeIn + HOUR) {
	const now = Date.now();
	const body: Record<string, unknown> = { openAt: iso(now + openIn), closeAt: iso(now + closeIn) };
	if (kind === "draw") Object.assign(body, { drawAt: iso(now + lastIn), winnerCount: 1 });
	if (kind === "auction") body.settleAt = iso(now + lastIn);
	return body;
}

for (const kind of KINDS) {
	describe(`${kind}s: times in the past`, () => {
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

		it("an OPEN one keeps its past openAt: a PUT leaving it, or resending it, still works", async () => {
			const t = await tenant();
			const d = await createDistribution(t, kind, timed(kind, -HOUR, DAY));
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
