/**
 * A closed distribution stays closed, even against a PUT that raced its close: the API checked
 * the times (not closed yet) a few ms before closeAt and reached the object after it. Applied,
 * that configuration reopened a sealed draw (the beacon round fixed and soon public: whoever
 * enters then can pick entries that win) and a closed auction (bids again). The object that
 * closed it refuses, and nothing is stored in D1 either.
 */
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { changesAfterClose, hasClosed } from "../../src/distributions/kernel/closed-config";
import type { StoredTimeline } from "../../src/distributions/kernel/timeline";
import { bid, openAuction, publicState } from "../support/auction";
import { withD1Failing } from "../support/d1-faults";
import { putDistribution, storedTimes } from "../support/distributions";
import { consumerDraw, enterAll, proofOf, shortDraw, waitSealed } from "../support/draw";
import { storedEvents } from "../support/events";
import { guests, tenant } from "../support/helpers";
import type { Kind } from "../support/objects";
import { auctionStub, drawStub, objectRows, queueStub, transitionsOf } from "../support/objects";
import { createQueue } from "../support/queue";
import { iso, waitFor } from "../support/time";

const HOUR = 3_600_000;

/** The object's stored timeline. */
async function timelineIn(stub: DurableObjectStub) {
	const [{ json }] = await objectRows<{ json: string }>(stub, "SELECT json FROM timeline");
	return JSON.parse(json) as StoredTimeline;
}

/**
 * The D1 row as the racing PUT's check read it: still OPEN, closing later. (The object closed
 * meanwhile.) The PUT then moves the close an hour on.
 */
async function racedPut(t: Awaited<ReturnType<typeof tenant>>, kind: Kind, id: string, body: Record<string, unknown>) {
	await env.DB.prepare("UPDATE distributions SET close_at = ?1, status = 'OPEN' WHERE id = ?2")
		.bind(Date.now() + 60_000, id)
		.run();
	const before = await storedTimes(id);
	const res = await putDistribution(t, kind, id, body);
	return { res, before, after: await storedTimes(id) };
}

describe("the rule: what a closed distribution's configuration may change", () => {
	const draw = { type: "draw", openAt: 0, closeAt: 1000, drawAt: 2000, winnerCount: 3 } as unknown as StoredTimeline;

	it("closed by its times, or by a CLOSED recorded early", () => {
		expect(hasClosed(draw, new Set(), 999)).toBe(false);
		expect(hasClosed(draw, new Set(), 1000)).toBe(true);
		expect(hasClosed(draw, new Set(["OPEN", "CLOSED"]), 500)).toBe(true);
	});

	it("only a draw's drawAt, while undrawn", () => {
		expect(changesAfterClose(draw, { ...draw, drawAt: 1500 })).toEqual([]);
		expect(changesAfterClose(draw, { ...draw })).toEqual([]);
		// "Draw now" on a draw past its drawAt, waiting for its beacon.
		expect(changesAfterClose(draw, { ...draw, drawAt: 2500 })).toEqual([]);
		expect(changesAfterClose({ ...draw, drawnAt: 1900 }, { ...draw, drawAt: 1500 })).toEqual(["drawAt"]);
		expect(changesAfterClose(draw, { ...draw, closeAt: 5000, drawAt: 6000 })).toEqual(["closeAt"]);
		expect(changesAfterClose(draw, { ...draw, winnerCount: 4 })).toEqual(["winnerCount"]);
		const auction = { ...draw, type: "auction" } as StoredTimeline;
		expect(changesAfterClose(auction, { ...auction, drawAt: 1500 })).toEqual(["drawAt"]);
		// A column the object's copy predates (stored before a migration added it) is not compared.
		expect(changesAfterClose(draw, { ...draw, maxEntries: null })).toEqual([]);
		expect(changesAfterClose(draw, { ...draw, entryShards: 1 })).toEqual([]);
		expect(changesAfterClose({ ...draw, entryShards: 1 }, { ...draw, entryShards: 4 })).toEqual(["entryShards"]);
	});
});

describe("the order of the writes", () => {
	it("a PUT whose D1 write fails changes nothing in the object either (no transition it cannot take back)", async () => {
		const t = await tenant();
		const q = await createQueue(t, { openAt: iso(Date.now() + HOUR), closeAt: iso(Date.now() + 2 * HOUR) });
		const before = await timelineIn(queueStub(q.id));
		// Opening now: applied to the object first, OPEN would be recorded for good.
		await withD1Failing("UPDATE", "distributions", "id", q.id, async () => {
			const res = await putDistribution(t, "queue", q.id, { openAt: iso(Date.now()) });
			expect(res.status, res.text).toBe(500);
		});
		expect(await timelineIn(queueStub(q.id))).toEqual(before);
		expect((await transitionsOf(queueStub(q.id))).map((r) => r.status)).not.toContain("OPEN");
	});
});

describe("a PUT that raced the close does not reopen", () => {
	it("a sealed draw: the object refuses, no entry gets in after the seal, the seal stands", async () => {
		const t = await tenant();
		const d = await shortDraw(t, { winnerCount: 1 }, 1200, 60_000);
		await enterAll(t, d.id, await guests(t, 5));
		const sealed = (await waitSealed(t, d.id)).seal;

		// What the racing PUT's configure carries: the close and draw an hour on.
		const before = await timelineIn(drawStub(d.id));
		const reply = await drawStub(d.id).configure({ ...before, closeAt: Date.now() + HOUR, drawAt: Date.now() + HOUR });
		const [late] = await guests(t, 1);
		const entered = await consumerDraw(t, d.id, "enter", late);
		expect(entered.status, "an entry after the seal").toBe(409);
		expect(reply).toMatchObject({ ok: false, error: "closed", status: "CLOSED", fields: ["closeAt"] });
		expect(await timelineIn(drawStub(d.id))).toEqual(before);

		// Through the API: a 409, and D1 keeps the row the check read.
		const {
			res,
			before: row,
			after,
		} = await racedPut(t, "draw", d.id, {
			closeAt: iso(Date.now() + HOUR),
			drawAt: iso(Date.now() + HOUR),
		});
		expect(res.status, res.text).toBe(409);
		expect(res.json).toMatchObject({ title: "Cannot update closed distribution" });
		expect(after).toEqual(row);
		expect(await storedEvents(d.id, "draw.updated")).toEqual([]);

		expect((await consumerDraw(t, d.id, "enter", late)).status).toBe(409);
		expect((await proofOf(t, d.id)).seal).toEqual(sealed);
	});

	it("a draw run early after its close still moves its drawAt", async () => {
		const t = await tenant();
		const d = await shortDraw(t, { winnerCount: 1 }, 1000, 60_000);
		await enterAll(t, d.id, await guests(t, 2));
		await waitSealed(t, d.id);
		const before = await timelineIn(drawStub(d.id));
		const now = Date.now();
		expect(await drawStub(d.id).configure({ ...before, drawAt: now })).toEqual({ ok: true, value: null });
		expect((await timelineIn(drawStub(d.id))).drawAt).toBe(now);
	});

	it("a closed auction: the object refuses, and no bid is taken after the close", async () => {
		const t = await tenant();
		const a = await openAuction(t, { startingBid: 10, minimumIncrement: 1 }, 1000, 60_000);
		const [alice, bob] = await guests(t, 2);
		expect((await bid(t, a.id, alice, 20)).status).toBe(200);
		await waitFor(
			`${a.id} closed`,
			() => publicState(t, a.id),
			(r) => r.json.status === "CLOSED",
			5000,
			100,
		);

		const before = await timelineIn(auctionStub(a.id));
		const reply = await auctionStub(a.id).configure({ ...before, closeAt: Date.now() + HOUR });
		expect((await bid(t, a.id, bob, 40)).status, "a bid after the close").toBe(409);
		expect(reply).toMatchObject({ ok: false, error: "closed", fields: ["closeAt"] });

		const {
			res,
			before: row,
			after,
		} = await racedPut(t, "auction", a.id, {
			closeAt: iso(Date.now() + HOUR),
			settleAt: iso(Date.now() + 2 * HOUR),
		});
		expect(res.status, res.text).toBe(409);
		expect(after).toEqual(row);

		const late = await bid(t, a.id, bob, 50);
		expect(late.status, late.text).toBe(409);
		expect((await publicState(t, a.id)).json).toMatchObject({ status: "CLOSED", bidCount: 1 });
	});
});
