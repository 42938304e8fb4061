/**
 * The draw engine (DrawObject) through the real worker: winner selection, a doubled
 * alarm, eviction, claim windows with and without backfill, COMPLETED, the merchant's
 * run / results / entries / export endpoints, and a late alarm.
 *
 * Short real times (open a second ago, close ≈ +2 s, draw ≈ +3 s) and bounded polls.
 * Claim expiry uses a simulated clock: the `claims` schedule kind is run at a future
 * time inside a storage transaction (see runClaimsAt). A completion reached that way is
 * stamped at the simulated time, so it is checked in the object's transitions; the
 * write-through to GET /api/v1/draws/:id is checked with real-time claims.
 */
import { evictDurableObject, runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { rankedSet } from "../../../src/distributions/draw/fairness";
import type { DrawObject } from "../../../src/distributions/draw/object";
import { claim } from "../../support/admissions";
import {
	allEntries,
	consumerDraw,
	createDraw,
	enter,
	enterAll,
	logOf,
	proofOf,
	rankingOf,
	resultsOf,
	runClaimsAt,
	shortDraw,
	stateOf,
	verifiedDraw,
	waitDrawn,
	waitSealed,
} from "../../support/draw";
import { eventsOf, waitEvents } from "../../support/events";
import { call, guests, type Shopper, type Tenant, tenant } from "../../support/helpers";
import { alarmOf, drawStub, holdAlarm, objectRows, transitionsOf, waitAlarm } from "../../support/objects";
import { iso, sleep, waitFor } from "../../support/time";

const getDraw = async (t: Tenant, id: string) => {
	const res = await call(`/api/v1/draws/${id}`, { key: t.secretKey });
	expect(res.status, res.text).toBe(200);
	return res.json;
};

const waitStatus = (t: Tenant, id: string, status: string, timeoutMs = 5000) =>
	waitFor(
		`${id} GET status ${status}`,
		() => getDraw(t, id),
		(d) => d.status === status,
		timeoutMs,
	);

/** Maps entry ids to the shoppers that made them. */
async function enterAndIndex(t: Tenant, drawId: string, shoppers: Shopper[]) {
	const receipts = await enterAll(t, drawId, shoppers);
	return new Map(receipts.map((r, i) => [r.receipt.entryId, shoppers[i]]));
}

const ranking = rankingOf;

describe("winner selection", () => {
	it("exactly winnerCount distinct winners, the head of the ranking; results and entries agree", async () => {
		const t = await tenant();
		const shoppers = await guests(t, 10);
		const d = await shortDraw(t, { winnerCount: 3 });
		const byEntry = await enterAndIndex(t, d.id, shoppers);
		await waitDrawn(t, d.id);
		const { proof, entryIds, ranked } = await ranking(t, d.id);

		expect(proof.status).toBe("DRAWN");
		expect(proof.seal.size, "the rules record and ten entries").toBe(11);
		expect(entryIds).toHaveLength(10);
		expect(new Set(entryIds)).toEqual(new Set(byEntry.keys()));
		expect(proof.winners).toHaveLength(3);
		expect(new Set(proof.winners).size).toBe(3);
		expect(proof.winners).toEqual(ranked.slice(0, 3));
		expect(proof.backfills).toEqual([]);
		expect((await verifiedDraw(t, d.id)).ok).toBe(true);

		const results = await resultsOf(t, d.id);
		expect(results).toMatchObject({ drawId: d.id, status: "DRAWN", entryCount: 10, winnerCount: 3 });
		expect(results.winners.map((w: { entryId: string }) => w.entryId)).toEqual(proof.winners);
		for (const w of results.winners) {
			expect(Object.keys(w).sort()).toEqual(
				["backfilled", "claimBy", "consumerId", "entryId", "finishedAt", "status", "wonAt"].sort(),
			);
			expect(w.consumerId).toBe(byEntry.get(w.entryId)?.consumerId);
			expect(w).toMatchObject({ status: "WON", backfilled: false, finishedAt: null });
			expect(w.wonAt).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/);
			expect(w.wonAt).toBe(proof.drawnAt);
			// Default claim window: 86,400 s.
			expect(Date.parse(w.claimBy) - Date.parse(w.wonAt)).toBeGreaterThanOrEqual(86_399_000);
			expect(Date.parse(w.claimBy) - Date.parse(w.wonAt)).toBeLessThanOrEqual(86_401_000);
		}
		const entries = await allEntries(t, d.id);
		const counts = entries.reduce<Record<string, number>>((acc, e) => {
			acc[e.status] = (acc[e.status] ?? 0) + 1;
			return acc;
		}, {});
		expect(counts).toEqual({ WON: 3, LOST: 7 });
		const drawnEvents = await waitEvents(t, d.id, "draw.drawn");
		expect(drawnEvents[0].data.object).toMatchObject({ id: d.id, status: "DRAWN" });
	});

	it("fewer entries than winnerCount → every entrant wins; no entries → DRAWN then COMPLETED", async () => {
		const t = await tenant();
		const shoppers = await guests(t, 2);
		const d = await shortDraw(t, { winnerCount: 5 });
		const empty = await shortDraw(t, { winnerCount: 5 });
		const byEntry = await enterAndIndex(t, d.id, shoppers);
		const proof = await waitDrawn(t, d.id);
		expect(new Set(proof.winners)).toEqual(new Set(byEntry.keys()));
		for (const s of shoppers) expect((await stateOf(t, d.id, s)).status).toBe("WON");
		expect((await resultsOf(t, d.id)).winners).toHaveLength(2);

		const emptyProof = await waitDrawn(t, empty.id);
		expect(emptyProof.seal.size, "only the rules record").toBe(1);
		expect(emptyProof.winners).toEqual([]);
		expect((await verifiedDraw(t, empty.id)).ok).toBe(true);
		await waitStatus(t, empty.id, "COMPLETED");
		expect((await transitionsOf(drawStub(empty.id))).map((r) => r.status)).toEqual([
			"OPEN",
			"CLOSED",
			"DRAWN",
			"COMPLETED",
		]);
	});
});

describe("once, and durable", () => {
	it("the draw happens once even if the alarm runs twice: same winners, one draw.drawn event", async () => {
		const t = await tenant();
		const shoppers = await guests(t, 8);
		const d = await shortDraw(t, { winnerCount: 3 }, 1500, 3500);
		await enterAll(t, d.id, shoppers);
		const sealed = await waitSealed(t, d.id);
		// The draw is due at drawAt, or at R's time if later.
		const drawAt = Math.max(d.drawAtMs, Date.parse(sealed.roundAt));
		// Hold the alarm back so that the draw is due when we run it by hand.
		await holdAlarm(drawStub(d.id), drawAt, 3000);
		await sleep(drawAt - Date.now() + 100);

		await runInDurableObject(drawStub(d.id), async (instance: DrawObject) => {
			await Promise.all([instance.alarm(), instance.alarm()]);
		});
		const first = await resultsOf(t, d.id);
		const firstProof = await proofOf(t, d.id);
		expect(first.winners).toHaveLength(3);
		await runInDurableObject(drawStub(d.id), async (instance: DrawObject) => {
			await instance.alarm();
		});
		await runDurableObjectAlarm(drawStub(d.id));
		await runDurableObjectAlarm(drawStub(d.id));
		expect(await resultsOf(t, d.id)).toEqual(first);
		const again = await proofOf(t, d.id);
		expect(again.beacon).toEqual(firstProof.beacon);
		expect(again.winners).toEqual(firstProof.winners);
		expect(again.drawnAt).toBe(firstProof.drawnAt);
		expect((await transitionsOf(drawStub(d.id))).filter((r) => r.status === "DRAWN")).toHaveLength(1);

		await waitEvents(t, d.id, "draw.drawn");
		await sleep(1300); // a duplicate would show up by now (the event consumer batches for up to 1 s)
		expect(await eventsOf(t, d.id, "draw.drawn")).toHaveLength(1);
		expect(await eventsOf(t, d.id, "draw.consumer.won")).toHaveLength(3);
	});

	it("eviction before and after close loses nothing: the draw picks from every entry", async () => {
		const t = await tenant();
		const shoppers = await guests(t, 12);
		const d = await shortDraw(t, { winnerCount: 4 }, 2000, 3500);
		const byEntry = await enterAndIndex(t, d.id, shoppers);
		await evictDurableObject(drawStub(d.id));
		const sealed = await waitSealed(t, d.id);
		expect(sealed.seal.size).toBe(13);
		const drawAt = Math.max(d.drawAtMs, Date.parse(sealed.roundAt));
		await waitAlarm(drawStub(d.id), drawAt);
		await evictDurableObject(drawStub(d.id));
		expect(await alarmOf(drawStub(d.id)), "the draw alarm survives eviction").toBe(drawAt);
		await evictDurableObject(drawStub(d.id));

		await waitDrawn(t, d.id);
		const { proof, entryIds, ranked } = await ranking(t, d.id);
		expect(proof.seal).toEqual(sealed.seal);
		expect(new Set(entryIds)).toEqual(new Set(byEntry.keys()));
		expect(proof.winners).toEqual(ranked.slice(0, 4));
		expect((await verifiedDraw(t, d.id)).ok).toBe(true);
	});
});

describe("claim windows", () => {
	it("with backfill: exactly the expired places go to the next entrants in the ranking, with fresh grants", async () => {
		const t = await tenant();
		const shoppers = await guests(t, 7);
		const d = await shortDraw(t, { winnerCount: 3, backfill: true, claimWindowSeconds: 60 });
		const byEntry = await enterAndIndex(t, d.id, shoppers);
		await waitDrawn(t, d.id);
		const { proof, ranked } = await ranking(t, d.id);
		expect(proof.winners).toEqual(ranked.slice(0, 3));
		const shopperOf = (entryId: string) => byEntry.get(entryId) as Shopper;

		// ranked[0] claims; ranked[1] and ranked[2] let their window pass.
		const w0 = await stateOf(t, d.id, shopperOf(ranked[0]));
		expect((await claim(t, w0.admissionToken as string)).status).toBe(200);
		const claimBy = Date.parse(w0.claimBy as string);
		const round1 = claimBy + 1000;
		const next = await runClaimsAt(d.id, round1);
		expect(next, "the next claims run is the backfills' deadline").toBe(round1 + 60_000);

		const after1 = await proofOf(t, d.id);
		expect(after1.winners).toEqual(ranked.slice(0, 3));
		expect(after1.backfills).toEqual(ranked.slice(3, 5));
		expect((await verifiedDraw(t, d.id)).ok).toBe(true);
		const statuses1 = await Promise.all(ranked.map(async (id) => (await stateOf(t, d.id, shopperOf(id))).status));
		expect(statuses1).toEqual(["CLAIMED", "EXPIRED", "EXPIRED", "WON", "WON", "LOST", "LOST"]);
		const results1 = await resultsOf(t, d.id);
		expect(
			results1.winners.map((w: { entryId: string; status: string; backfilled: boolean }) => [
				w.entryId,
				w.status,
				w.backfilled,
			]),
		).toEqual([
			[ranked[0], "CLAIMED", false],
			[ranked[1], "EXPIRED", false],
			[ranked[2], "EXPIRED", false],
			[ranked[3], "WON", true],
			[ranked[4], "WON", true],
		]);
		for (const id of ranked.slice(3, 5)) {
			const st = await stateOf(t, d.id, shopperOf(id));
			expect(st.admissionToken, "backfilled winners get a grant").toBeTruthy();
			expect(Date.parse(st.claimBy as string)).toBe(Math.floor((round1 + 60_000) / 1000) * 1000);
			const check = await call("/api/v1/admissions/validate", { key: t.secretKey, body: { token: st.admissionToken } });
			expect(check.json.valid, check.text).toBe(true);
		}
		expect((await transitionsOf(drawStub(d.id))).map((r) => r.status)).not.toContain("COMPLETED");

		// Round 2: ranked[3] claims, ranked[4] expires → ranked[5] backfills; then ranked[5] claims.
		const w3 = await stateOf(t, d.id, shopperOf(ranked[3]));
		expect((await claim(t, w3.admissionToken as string)).status).toBe(200);
		await runClaimsAt(d.id, round1 + 61_000);
		const after2 = await proofOf(t, d.id);
		expect(after2.backfills).toEqual(ranked.slice(3, 6));
		expect((await verifiedDraw(t, d.id)).ok).toBe(true);
		const w5 = await stateOf(t, d.id, shopperOf(ranked[5]));
		expect(w5.status).toBe("WON");
		expect((await stateOf(t, d.id, shopperOf(ranked[6]))).status).toBe("LOST");
		expect((await transitionsOf(drawStub(d.id))).map((r) => r.status)).not.toContain("COMPLETED");

		expect((await claim(t, w5.admissionToken as string)).status).toBe(200);
		const done = await waitStatus(t, d.id, "COMPLETED");
		expect(done.status).toBe("COMPLETED");
		expect((await resultsOf(t, d.id)).status).toBe("COMPLETED");
		await waitFor(
			"draw.completed",
			() => eventsOf(t, d.id, "draw.completed"),
			(e) => e.length === 1,
		);
	});

	it("with backfill and no one left: the place stays empty and the draw completes", async () => {
		const t = await tenant();
		const shoppers = await guests(t, 3);
		const d = await shortDraw(t, { winnerCount: 2, backfill: true, claimWindowSeconds: 60 });
		await enterAll(t, d.id, shoppers);
		await waitDrawn(t, d.id);
		const { ranked } = await ranking(t, d.id);
		const drawnAt = Date.parse((await proofOf(t, d.id)).drawnAt);

		const round1 = drawnAt + 62_000;
		await runClaimsAt(d.id, round1);
		const p1 = await proofOf(t, d.id);
		expect(p1.backfills, "two places expired, one entrant left").toEqual([ranked[2]]);
		expect((await transitionsOf(drawStub(d.id))).map((r) => r.status)).not.toContain("COMPLETED");

		const round2 = round1 + 61_000;
		expect(await runClaimsAt(d.id, round2), "nothing left to expire").toBeNull();
		const results = await resultsOf(t, d.id);
		expect(results.winners.map((w: { status: string }) => w.status)).toEqual(["EXPIRED", "EXPIRED", "EXPIRED"]);
		const completed = (await transitionsOf(drawStub(d.id))).find((r) => r.status === "COMPLETED");
		expect(completed?.at).toBe(round2);
	});

	it("without backfill expired places stay empty; COMPLETED once every win is claimed or expired", async () => {
		const t = await tenant();
		const shoppers = await guests(t, 5);
		const d = await shortDraw(t, { winnerCount: 3, claimWindowSeconds: 60 });
		const byEntry = await enterAndIndex(t, d.id, shoppers);
		await waitDrawn(t, d.id);
		const { ranked } = await ranking(t, d.id);
		const shopperOf = (entryId: string) => byEntry.get(entryId) as Shopper;
		const [w0, w1, w2] = await Promise.all(ranked.slice(0, 3).map((id) => stateOf(t, d.id, shopperOf(id))));

		// One expires (simulated clock), while the two others are still within their window.
		await objectRows(
			drawStub(d.id),
			"UPDATE entries SET claim_by = claim_by + 3600000 WHERE entry_id IN (?, ?)",
			ranked[0],
			ranked[1],
		);
		await runClaimsAt(d.id, Date.parse(w2.claimBy as string) + 1000);
		expect((await stateOf(t, d.id, shopperOf(ranked[2]))).status).toBe("EXPIRED");
		const p = await proofOf(t, d.id);
		expect(p.backfills).toEqual([]);
		expect((await stateOf(t, d.id, shopperOf(ranked[3]))).status, "no backfill").toBe("LOST");
		expect((await stateOf(t, d.id, shopperOf(ranked[4]))).status).toBe("LOST");
		await waitStatus(t, d.id, "DRAWN");

		// The other two claim in real time: every win is settled → COMPLETED, written through.
		expect((await claim(t, w0.admissionToken as string)).status).toBe(200);
		expect((await getDraw(t, d.id)).status, "one win still open").toBe("DRAWN");
		expect((await claim(t, w1.admissionToken as string)).status).toBe(200);
		await waitStatus(t, d.id, "COMPLETED");
		const results = await resultsOf(t, d.id);
		expect(results.status).toBe("COMPLETED");
		expect(results.winners.map((w: { status: string }) => w.status).sort()).toEqual(["CLAIMED", "CLAIMED", "EXPIRED"]);
		for (const w of results.winners) expect(w.finishedAt).toMatch(/Z$/);
		const listed = await call(`/api/v1/draws?status=COMPLETED`, { key: t.secretKey });
		expect(listed.json.data.map((x: { id: string }) => x.id)).toContain(d.id);
	});

	it("without backfill, every win expiring completes the draw (at the simulated time)", async () => {
		const t = await tenant();
		const shoppers = await guests(t, 4);
		const d = await shortDraw(t, { winnerCount: 2, claimWindowSeconds: 60 });
		await enterAll(t, d.id, shoppers);
		const proof = await waitDrawn(t, d.id);
		const at = Date.parse(proof.drawnAt) + 61_000;
		expect(await runClaimsAt(d.id, at)).toBeNull();
		const results = await resultsOf(t, d.id);
		expect(results.winners.map((w: { status: string }) => w.status)).toEqual(["EXPIRED", "EXPIRED"]);
		expect((await proofOf(t, d.id)).backfills).toEqual([]);
		const entries = await allEntries(t, d.id);
		expect(entries.map((e) => e.status).sort()).toEqual(["EXPIRED", "EXPIRED", "LOST", "LOST"]);
		expect((await transitionsOf(drawStub(d.id))).find((r) => r.status === "COMPLETED")?.at).toBe(at);
	});
});

describe("merchant endpoints", () => {
	it("POST /run: 409 while SCHEDULED or OPEN; on a CLOSED draw → 200, drawn as soon as R is out; then 409", async () => {
		const t = await tenant();
		const shoppers = await guests(t, 5);
		const scheduled = await createDraw(t, {
			openAt: iso(Date.now() + 3600_000),
			drawAt: iso(Date.now() + 7200_000),
			winnerCount: 1,
		});
		const sRun = await call(`/api/v1/draws/${scheduled.id}/run`, { method: "POST", key: t.secretKey });
		expect(sRun.status, sRun.text).toBe(409);
		expect(sRun.json.title).toBe("Draw not closed");

		const d = await shortDraw(t, { winnerCount: 2 }, 1500, 3600_000);
		await enterAll(t, d.id, shoppers);
		const open = await call(`/api/v1/draws/${d.id}/run`, { method: "POST", key: t.secretKey });
		expect(open.status, open.text).toBe(409);
		expect(open.json.title).toBe("Draw not closed");
		expect((await proofOf(t, d.id)).beacon).toBeNull();

		await waitStatus(t, d.id, "CLOSED", 4000);
		const sealed = await waitSealed(t, d.id);
		const before = Date.now();
		const run = await call(`/api/v1/draws/${d.id}/run`, { method: "POST", key: t.secretKey });
		expect(run.status, run.text).toBe(200);
		expect(Date.parse(run.json.drawAt)).toBeGreaterThanOrEqual(Math.floor(before / 1000) * 1000);
		expect(Date.parse(run.json.drawAt)).toBeLessThanOrEqual(Date.now());

		// drawAt an hour away no longer holds it back; round R (sealed, never earlier) still does.
		const proof = await waitDrawn(t, d.id, 5000);
		// R moved earlier, by one more rules record and a new seal; the first seal's log is a prefix of it.
		expect(proof.round).toBeLessThan(sealed.seal.round);
		expect(proof.seal.size).toBe(sealed.seal.size + 1);
		const log = await logOf(t, d.id);
		expect(log.records.at(-1)).toMatchObject({ type: "rules", round: proof.round });
		const prefix = await consumerDraw(t, d.id, `log/proof?size=${proof.seal.size}&from=${sealed.seal.size}`);
		expect(prefix.status, prefix.text).toBe(200);
		expect(prefix.json.fromRoot).toBe(sealed.seal.root);
		const { verifyConsistency } = await import("../../../src/distributions/draw/transparency");
		const { fromHex } = await import("../../../src/lib/sha256");
		expect(
			verifyConsistency(
				sealed.seal.size,
				proof.seal.size,
				fromHex(sealed.seal.root),
				fromHex(proof.seal.root),
				prefix.json.consistencyProof.map(fromHex),
			),
		).toBe(true);
		expect(Date.parse(proof.drawnAt)).toBeGreaterThanOrEqual(Math.floor(Date.parse(proof.roundAt) / 1000) * 1000);
		expect(proof.winners).toHaveLength(2);
		const results = await resultsOf(t, d.id);
		expect(results.status).toBe("DRAWN");
		expect(results.winners).toHaveLength(2);
		expect((await verifiedDraw(t, d.id)).ok).toBe(true);
		await waitStatus(t, d.id, "DRAWN");
		await waitFor(
			"draw.drawn",
			() => eventsOf(t, d.id, "draw.drawn"),
			(e) => e.length === 1,
		);

		const again = await call(`/api/v1/draws/${d.id}/run`, { method: "POST", key: t.secretKey });
		expect(again.status).toBe(409);
		expect((await proofOf(t, d.id)).winners).toEqual(proof.winners);
	});

	it("entries: paginated newest first; bad cursor, another draw's cursor and bad limits → 400", async () => {
		const t = await tenant();
		const shoppers = await guests(t, 7);
		const d = await shortDraw(t, {}, 60_000, 120_000);
		const other = await shortDraw(t, {}, 60_000, 120_000);
		const ids: string[] = [];
		for (const s of shoppers) ids.push((await enter(t, d.id, s)).receipt.entryId);
		await enter(t, other.id, shoppers[0]);
		await enter(t, other.id, shoppers[1]);

		const pages: string[][] = [];
		let cursor: string | null = null;
		let firstCursor: string | null = null;
		do {
			const q: string = cursor ? `&cursor=${encodeURIComponent(cursor)}` : "";
			const res = await call(`/api/v1/draws/${d.id}/entries?limit=3${q}`, { key: t.secretKey });
			expect(res.status, res.text).toBe(200);
			expect(Object.keys(res.json).sort()).toEqual(["data", "nextCursor"]);
			for (const e of res.json.data) {
				expect(Object.keys(e).sort()).toEqual(["consumerId", "enteredAt", "entryId", "status"]);
			}
			pages.push(res.json.data.map((e: { entryId: string }) => e.entryId));
			cursor = res.json.nextCursor;
			firstCursor ??= cursor;
		} while (cursor && pages.length < 10);
		expect(pages.map((p) => p.length)).toEqual([3, 3, 1]);
		expect(pages.flat()).toEqual([...ids].reverse());

		const def = await call(`/api/v1/draws/${d.id}/entries`, { key: t.secretKey });
		expect(def.json.data).toHaveLength(7);
		expect(def.json.nextCursor).toBeNull();

		const bad = await call(`/api/v1/draws/${d.id}/entries?cursor=not-a-cursor`, { key: t.secretKey });
		expect(bad.status, bad.text).toBe(400);
		expect(bad.json.title).toBe("Validation failed");
		const foreign = await call(`/api/v1/draws/${other.id}/entries?cursor=${encodeURIComponent(firstCursor ?? "")}`, {
			key: t.secretKey,
		});
		expect(foreign.status, "a cursor of another draw's list").toBe(400);
		for (const limit of ["0", "101", "abc"]) {
			const res = await call(`/api/v1/draws/${d.id}/entries?limit=${limit}`, { key: t.secretKey });
			expect(res.status, `limit=${limit}`).toBe(400);
		}
	});

	it("export: 409 before close; after close every entry id still in the draw, in entry order, and nothing personal", async () => {
		const t = await tenant();
		const shoppers = await guests(t, 9);
		const d = await shortDraw(t, { winnerCount: 2 }, 2000, 60_000);
		const ids: string[] = [];
		for (const s of shoppers) ids.push((await enter(t, d.id, s)).receipt.entryId);
		expect((await consumerDraw(t, d.id, "leave", shoppers[4])).json.status).toBe("LEFT");

		const early = await call(`/api/v1/draws/${d.id}/entries/export`, { key: t.secretKey });
		expect(early.status, early.text).toBe(409);
		expect(early.json.title).toBe("Draw not closed");

		const proof = await waitSealed(t, d.id);
		const res = await call(`/api/v1/draws/${d.id}/entries/export`, { key: t.secretKey });
		expect(res.status, res.text).toBe(200);
		expect(res.headers.get("Content-Type")).toMatch(/^application\/json/);
		expect(Object.keys(res.json).sort()).toEqual(["drawId", "entryIds"]);
		expect(res.json.drawId).toBe(d.id);
		const expected = ids.filter((_, i) => i !== 4);
		expect(res.json.entryIds, "entry order, without the one who left").toEqual(expected);
		expect(res.json.entryIds).toEqual(rankedSet((await logOf(t, d.id)).records));
		expect(proof.seal.size, "rules, every entry, one withdrawal").toBe(ids.length + 2);
		for (const s of shoppers) expect(res.text).not.toContain(s.consumerId);
	});
});

describe("a late alarm", () => {
	// DESIGN.md: "Status is computed from stored times and events, so a late alarm never shows a
	// stale status"; distribution.ts: "Every RPC first catches up (advance)". The public proof,
	// results and export are read without catching up.
	it("proof, results and export catch up with the close even before the alarm runs; DRAWN waits for the beacon", async () => {
		const t = await tenant();
		const shoppers = await guests(t, 4);
		const d = await shortDraw(t, { winnerCount: 2 }, 2000, 3000);
		await enterAll(t, d.id, shoppers);
		await holdAlarm(drawStub(d.id), d.closeAtMs, 3000);
		await sleep(d.drawAtMs - Date.now() + 200);

		// Past drawAt with no alarm run: the reads seal the log themselves, but nothing is drawn
		// until an alarm has fetched and verified round R — the draw says CLOSED, not DRAWN.
		const proof = await proofOf(t, d.id);
		const results = await resultsOf(t, d.id);
		const exported = await call(`/api/v1/draws/${d.id}/entries/export`, { key: t.secretKey });
		expect({
			status: proof.status,
			// Rules and four entries — plus a second rules record if the seal came after R's time (R moves on).
			sealed: proof.seal?.size === 5 || (proof.seal?.size === 6 && proof.round > 0),
			beacon: proof.beacon,
			winners: proof.winners.length,
			resultsStatus: results.status,
			resultsEntryCount: results.entryCount,
			exportStatus: exported.status,
		}).toEqual({
			status: "CLOSED",
			sealed: true,
			beacon: null,
			winners: 0,
			resultsStatus: "CLOSED",
			resultsEntryCount: 4,
			exportStatus: 200,
		});
		// The alarm (re-armed at the draw's time by the reads) fetches R and draws.
		const drawn = await waitDrawn(t, d.id, 8000);
		expect(drawn.status).toBe("DRAWN");
		expect(drawn.winners).toHaveLength(2);
		expect((await verifiedDraw(t, d.id)).ok).toBe(true);
	});
});
