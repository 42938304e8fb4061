/**
 * `draw.consumer.lost` is announced 1,000 consumer ids an event: a large draw (staged in the
 * object's own table through the test seam: no request can enter that many quickly) tells
 * each loser exactly once, in at most one event per 1,000 entries.
 */
import { describe, expect, it } from "vitest";
import { chunked, LOST_CHUNK } from "../../../src/distributions/draw/awards";
import { shortDraw, waitDrawn } from "../../support/draw";
import { storedEvents } from "../../support/events";
import { tenant } from "../../support/helpers";
import { drawStub, objectRows } from "../../support/objects";
import { waitFor } from "../../support/time";

/** The size: 100,000 losers announced in at most 100 events (≈ 13 s here, staging included). */
const ENTRIES = 100_000;

describe("draw.consumer.lost in chunks", () => {
	it("100,000 entries, 1 winner: every loser listed once across ≤ 100 events of ≤ 1,000 ids", async () => {
		const t = await tenant();
		const d = await shortDraw(t, { winnerCount: 1 }, 3000, 3500);
		// Staged while OPEN (entries only: the log is not what this tests); the draw ranks them after R.
		await objectRows(
			drawStub(d.id),
			`WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ?)
			 INSERT INTO entries (entry_id, consumer_id, rank_key, status, entered_at)
			 SELECT 'ent_' || i, 'con_' || i, '', 'ENTERED', ? FROM n`,
			ENTRIES,
			Date.now(),
		);
		await objectRows(drawStub(d.id), "INSERT OR REPLACE INTO tally (id, entered) VALUES (1, ?)", ENTRIES);
		await waitDrawn(t, d.id, 30_000);
		const lost = await waitFor(
			"every loser announced",
			() => storedEvents(d.id, "draw.consumer.lost"),
			(rows) => rows.reduce((n, r) => n + r.data.consumerIds.length, 0) >= ENTRIES - 1,
			60_000,
			500,
		);
		expect(lost.length).toBeLessThanOrEqual(Math.ceil(ENTRIES / LOST_CHUNK));
		for (const e of lost) {
			expect(e.data.consumerIds.length).toBeLessThanOrEqual(LOST_CHUNK);
			expect(e.data).toMatchObject({ distributionId: d.id, distributionType: "draw" });
		}
		const ids = new Set(lost.flatMap((e) => e.data.consumerIds));
		expect(ids.size).toBe(ENTRIES - 1);
		const [won] = await storedEvents(d.id, "draw.consumer.won");
		expect(ids.has(won.data.consumerId)).toBe(false);
	}, 90_000);

	it("chunked: runs of at most the size, in order, nothing lost", () => {
		const items = Array.from({ length: 2501 }, (_, i) => i);
		const runs = chunked(items, 1000);
		expect(runs.map((r) => r.length)).toEqual([1000, 1000, 501]);
		expect(runs.flat()).toEqual(items);
		expect(chunked([], 1000)).toEqual([]);
	});
});
