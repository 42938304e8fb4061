import { env } from "cloudflare:workers";
import { sql } from "drizzle-orm";
import { drizzle } from "drizzle-orm/d1";
import { describe, expect, it } from "vitest";
import {
	type DistributionType,
	STATUSES,
	statusAt,
	statusSql,
	type Timeline,
} from "../../src/distributions/common/status";

const T = 1_000_000;
const types: DistributionType[] = ["queue", "draw", "auction"];
const maybe = [null, T, T + 10];

/** Every combination of unset, early and late times, read at instants around them. */
function* grid(): Generator<[DistributionType, Timeline, number]> {
	for (const type of types)
		for (const openAt of maybe)
			for (const closeAt of [null, T + 10, T + 20])
				for (const last of [null, T + 20, T + 30])
					for (const completedAt of [null, T + 25])
						for (const status of ["OPEN", "SOLD_OUT"])
							for (const now of [T - 1, T, T + 5, T + 10, T + 15, T + 20, T + 25, T + 30, T + 40]) {
								const t: Timeline = {
									openAt,
									closeAt,
									drawAt: type === "draw" ? last : null,
									settleAt: type === "auction" ? last : null,
									completedAt,
									status,
								};
								yield [type, t, now];
							}
}

describe("status rule", () => {
	it("follows the spec's lifecycle for each type", () => {
		const q = { openAt: T, closeAt: T + 10, drawAt: null, settleAt: null, completedAt: null };
		expect([T - 1, T, T + 10].map((n) => statusAt("queue", q, n))).toEqual(["SCHEDULED", "OPEN", "CLOSED"]);
		expect(statusAt("queue", { ...q, openAt: null }, T)).toBe("DRAFT");
		expect(statusAt("queue", { ...q, completedAt: T + 15 }, T + 15)).toBe("COMPLETED");
		const d = { ...q, drawAt: T + 20 };
		// DRAWN is no time's: past drawAt a draw is CLOSED until its object has drawn (draw-v2: after the beacon).
		expect([T + 5, T + 15, T + 20].map((n) => statusAt("draw", d, n))).toEqual(["OPEN", "CLOSED", "CLOSED"]);
		expect(statusAt("draw", { ...d, status: "DRAWN" }, T + 20), "written through by the object").toBe("DRAWN");
		expect(statusAt("draw", { ...d, drawnAt: T + 21 }, T + 25), "in the object").toBe("DRAWN");
		const a = { ...q, settleAt: T + 20 };
		expect([T + 5, T + 15, T + 20].map((n) => statusAt("auction", a, n))).toEqual(["OPEN", "CLOSED", "SETTLED"]);
		// SOLD_OUT, written through by a queue's object, shows only while the times say OPEN.
		const sold = { ...q, status: "SOLD_OUT" };
		expect([T - 1, T, T + 10].map((n) => statusAt("queue", sold, n))).toEqual(["SCHEDULED", "SOLD_OUT", "CLOSED"]);
		expect(statusAt("draw", { ...d, status: "SOLD_OUT" }, T + 5)).toBe("OPEN");
		// A draw without closeAt stops taking entries at drawAt.
		expect(statusAt("draw", { ...d, closeAt: null }, T + 20)).toBe("CLOSED");
	});

	it("only ever yields statuses the spec lists for the type", () => {
		for (const [type, t, now] of grid()) expect(STATUSES[type]).toContain(statusAt(type, t, now));
	});

	it("has an SQL twin that agrees with it on every case", async () => {
		const cases = [...grid()];
		const database = drizzle(env.DB);
		const c = {
			type: sql.raw("type"),
			openAt: sql.raw("open_at"),
			closeAt: sql.raw("close_at"),
			drawAt: sql.raw("draw_at"),
			settleAt: sql.raw("settle_at"),
			completedAt: sql.raw("completed_at"),
			status: sql.raw("status"),
		};
		for (let i = 0; i < cases.length; i += 200) {
			const chunk = cases.slice(i, i + 200);
			const results = await Promise.all(
				chunk.map(([type, t, now]) =>
					database.get<{ s: string }>(
						sql`SELECT ${statusSql(c, now)} AS s FROM (SELECT ${type} AS type, ${t.openAt} AS open_at, ${t.closeAt} AS close_at, ${t.drawAt} AS draw_at, ${t.settleAt} AS settle_at, ${t.completedAt} AS completed_at, ${t.status} AS status)`,
					),
				),
			);
			for (const [j, [type, t, now]] of chunk.entries()) {
				expect(results[j].s, JSON.stringify({ type, t, now })).toBe(statusAt(type, t, now));
			}
		}
	});
});
