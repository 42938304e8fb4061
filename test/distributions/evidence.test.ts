/**
 * Issue #15: evidence is never destroyed. A queue, draw or auction that has closed (drawn,
 * settled, completed) cannot be deleted — `409 Distribution has evidence` — and after the refusal
 * everything about it still reads as before: the row, its object's storage, the draw's proof and
 * results, the auction's log, the queue's entries; no `*.deleted` event is published. DRAFT and
 * SCHEDULED ones (and OPEN ones nobody joined) still delete.
 */
import { describe, expect, it } from "vitest";
import { bid, closeSoon, logOf, openAuction, waitLog } from "../support/auction";
import { createBackdated, createDistribution, PATH } from "../support/distributions";
import { enter as enterDraw, proofOf, resultsOf, shortDraw, waitDrawn } from "../support/draw";
import { settle, storedEvents } from "../support/events";
import { call, countRows, guest, type Tenant, tenant } from "../support/helpers";
import { type Kind, stubOf, tablesOf } from "../support/objects";
import { expectProblem } from "../support/problems";
import { enter as enterQueue, openQueue, queueEntries } from "../support/queue";
import { iso, waitFor } from "../support/time";

const HOUR = 3_600_000;
const remove = (t: Tenant, kind: Kind, id: string) =>
	call(`${PATH[kind]}/${id}`, { method: "DELETE", key: t.secretKey });
const read = (t: Tenant, kind: Kind, id: string) => call(`${PATH[kind]}/${id}`, { key: t.secretKey });

/** DELETE is refused with the evidence problem, and the row, the object's tables and the events stay as they were. */
async function expectKept(t: Tenant, kind: Kind, id: string) {
	const before = { row: (await read(t, kind, id)).json, tables: await tablesOf(stubOf(kind, id)) };
	expect(before.tables.length).toBeGreaterThan(0);
	const rows = await countRows("distributions", t.organizationId);
	const p = expectProblem(await remove(t, kind, id), 409, "Distribution has evidence");
	expect(p.detail).toMatch(/stay readable/);
	expect(p.detail).toMatch(/Nothing was deleted/);
	expect((await read(t, kind, id)).json).toEqual(before.row);
	expect(await tablesOf(stubOf(kind, id))).toEqual(before.tables);
	expect(await countRows("distributions", t.organizationId)).toBe(rows);
	await settle();
	expect(await storedEvents(id, `${kind}.deleted`)).toEqual([]);
}

describe("what closed, drew or settled is never deleted", () => {
	it("a queue that closed with a shopper in line: 409, its entries still listed", async () => {
		const t = await tenant();
		const q = await openQueue(t);
		const shopper = await guest(t);
		expect((await enterQueue(t, q.id, shopper)).status).toBe(200);
		const closeAt = iso(Date.now() + 800);
		expect((await call(`/api/v1/queues/${q.id}`, { method: "PUT", key: t.secretKey, body: { closeAt } })).status).toBe(
			200,
		);
		await waitFor(
			`${q.id} closed`,
			() => read(t, "queue", q.id),
			(r) => ["CLOSED", "COMPLETED"].includes(r.json.status),
		);
		const entries = await queueEntries(t, q.id);
		await expectKept(t, "queue", q.id);
		expect((await queueEntries(t, q.id)).map((e) => e.consumerId)).toEqual(entries.map((e) => e.consumerId));
		expect(entries.map((e) => e.consumerId)).toEqual([shopper.consumerId]);
	});

	it("a DRAWN draw: 409, its proof and results unchanged", async () => {
		const t = await tenant();
		const d = await shortDraw(t);
		const shopper = await guest(t);
		await enterDraw(t, d.id, shopper);
		const proof = await waitDrawn(t, d.id);
		expect(proof.seed).not.toBeNull();
		const results = await resultsOf(t, d.id);
		await expectKept(t, "draw", d.id);
		expect(await proofOf(t, d.id)).toEqual(proof);
		expect(await resultsOf(t, d.id)).toEqual(results);
	});

	it("a SETTLED auction: 409, its published log unchanged", async () => {
		const t = await tenant();
		const a = await openAuction(t);
		expect((await bid(t, a.id, await guest(t), 20)).status).toBe(200);
		await closeSoon(t, a.id);
		const log = await waitLog(t, a.id);
		await waitFor(
			`${a.id} settled`,
			() => read(t, "auction", a.id),
			(r) => r.json.status === "SETTLED",
		);
		await expectKept(t, "auction", a.id);
		const again = await logOf(t, a.id);
		expect(again.status, again.text).toBe(200);
		expect(again.json).toEqual(log);
	});

	it("closed or later with nobody in it is kept too (a past queue, draw and auction created so)", async () => {
		const t = await tenant();
		const now = Date.now();
		const past = { openAt: iso(now - 3 * HOUR), closeAt: iso(now - 2 * HOUR) };
		// A create refuses past times: these are backdated through the test seam.
		const made = {
			queue: await createBackdated(t, "queue", past),
			draw: await createBackdated(t, "draw", { ...past, drawAt: iso(now - HOUR), winnerCount: 1 }),
			auction: await createBackdated(t, "auction", { ...past, settleAt: iso(now + HOUR) }),
		};
		expect(made.auction.status).toBe("CLOSED");
		for (const kind of ["queue", "draw", "auction"] as const) {
			expectProblem(await remove(t, kind, made[kind].id), 409, "Distribution has evidence");
			expect((await read(t, kind, made[kind].id)).status).toBe(200);
		}
		expect(await countRows("distributions", t.organizationId)).toBe(3);
	});

	it("DRAFT and SCHEDULED ones, and an OPEN one nobody joined, still delete (204, object wiped)", async () => {
		const t = await tenant();
		const now = Date.now();
		const later = { openAt: iso(now + HOUR), closeAt: iso(now + 2 * HOUR) };
		const made: [Kind, string][] = [
			["queue", (await createDistribution(t, "queue")).id],
			["queue", (await createDistribution(t, "queue", later)).id],
			["queue", (await openQueue(t)).id],
			["draw", (await createDistribution(t, "draw", { openAt: null, drawAt: iso(now + 3 * HOUR), winnerCount: 1 })).id],
			["draw", (await createDistribution(t, "draw", { ...later, drawAt: iso(now + 3 * HOUR), winnerCount: 1 })).id],
			["auction", (await createDistribution(t, "auction", { settleAt: iso(now + 3 * HOUR) })).id],
			["auction", (await createDistribution(t, "auction", { ...later, settleAt: iso(now + 3 * HOUR) })).id],
			["auction", (await openAuction(t)).id],
		];
		for (const [kind, id] of made) {
			const res = await remove(t, kind, id);
			expect(res.status, `${kind} ${id}: ${res.text}`).toBe(204);
			expect((await read(t, kind, id)).status).toBe(404);
			expect(await tablesOf(stubOf(kind, id))).toEqual([]);
		}
		expect(await countRows("distributions", t.organizationId)).toBe(0);
	});
});
