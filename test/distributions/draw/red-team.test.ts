/**
 * The red team's draw attack, as a test: whoever runs the server reads everything the draw's object
 * holds while it is OPEN, adds bot entries and withdraws the ones that look bad. Under draw-v2 there
 * is nothing to look at — no seed, no rank key, nothing derived from the future beacon round — and
 * every withdrawal stays in the public log, so the draw still verifies and the bots' withdrawals are
 * there for anyone to count.
 */
import { describe, expect, it } from "vitest";
import { rankedSet } from "../../../src/distributions/draw/fairness";
import { consumerDraw, enterAll, logOf, proofOf, shortDraw, verifiedDraw, waitDrawn } from "../../support/draw";
import { guests, tenant } from "../../support/helpers";
import { drawStub, objectRows, tablesOf } from "../../support/objects";

describe("red team: the operator reads the object while OPEN", () => {
	it("(a) learns nothing that predicts the winners; (b) withdrawing after looking stays in the log and verifies", async () => {
		const t = await tenant();
		const honest = await guests(t, 10);
		const bots = await guests(t, 30);
		const d = await shortDraw(t, { winnerCount: 3 }, 3000, 4000);
		await enterAll(t, d.id, [...honest, ...bots]);

		// (a) Everything in the object's storage, while OPEN.
		const stub = drawStub(d.id);
		const tables = await tablesOf(stub);
		expect(tables, "no v1 seed or sealed tree survives").not.toEqual(expect.arrayContaining(["fairness"]));
		expect(tables).not.toContain("merkle");
		const ranks = await objectRows<{ rank_key: string }>(stub, "SELECT DISTINCT rank_key FROM entries");
		expect(ranks, "no entry has a rank before R").toEqual([{ rank_key: "" }]);
		const [state] = await objectRows<{ json: string }>(stub, "SELECT json FROM draw");
		const record = JSON.parse(state.json);
		expect(record).toMatchObject({ seal: null, beacon: null, drawnAt: null });
		const open = await proofOf(t, d.id);
		expect(open.status).toBe("OPEN");
		expect(Date.parse(open.roundAt), "R's randomness does not exist yet").toBeGreaterThan(Date.now());

		// (b) The bots withdraw "the bad ones" — all they can go by is entry order.
		for (const b of bots.slice(0, 27)) expect((await consumerDraw(t, d.id, "leave", b)).status).toBe(200);
		await waitDrawn(t, d.id, 10_000);
		const log = await logOf(t, d.id);
		expect(log.records.filter((r) => r.type === "withdraw")).toHaveLength(27);
		expect(rankedSet(log.records)).toHaveLength(13);
		const result = await verifiedDraw(t, d.id);
		expect(result.checks.filter((c) => !c.ok)).toEqual([]);
		// Ranks appear only after R, from its randomness.
		const after = await objectRows<{ n: number }>(
			stub,
			"SELECT COUNT(*) AS n FROM entries WHERE rank_key = '' AND status != 'LEFT'",
		);
		expect(after[0].n).toBe(0);
	});
});
