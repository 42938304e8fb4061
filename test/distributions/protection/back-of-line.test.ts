/**
 * Protection `onFailure: "back-of-line"` on queues: a consumer whose challenge is missing or
 * failed is queued, but behind every consumer who passed — admitted only when none of them
 * waits — with places and the edge-answered poll counting the lanes; the pre-queue shuffles each
 * lane apart; entering again with a passing challenge moves to the front lane. Draw enter and
 * bids still refuse.
 */
import { describe, expect, it } from "vitest";
import { openAuction } from "../../support/auction";
import { allEntries, shortDraw } from "../../support/draw";
import { guests, type Shopper, type Tenant, tenant } from "../../support/helpers";
import { expectProblem } from "../../support/problems";
import { enterWith, setProtection, solved } from "../../support/protection";
import { admit, consumerCall, createQueue, openQueue, stats, status } from "../../support/queue";
import { iso, sleep } from "../../support/time";
import { DUMMY_TOKEN, FAILS, setTurnstile } from "../../support/turnstile";

async function backOfLineTenant() {
	const t = await tenant();
	await setProtection(t, { challenge: "pow", onFailure: "back-of-line" });
	return t;
}

/** Enters with a solved challenge (`pass`) or none. */
async function enterAs(t: Tenant, queueId: string, s: Shopper, pass: boolean) {
	const headers = pass ? await solved(t, s, queueId, "enter") : {};
	const res = await enterWith(t, "queue", queueId, s, headers);
	expect(res.status, res.text).toBe(200);
	return res.json;
}

const statusOf = async (t: Tenant, queueId: string, s: Shopper) => (await status(t, queueId, s)).json;

describe("back-of-line", () => {
	it("100 mixed enters at once: every consumer who passed is placed and admitted before any who did not", async () => {
		const t = await backOfLineTenant();
		const q = await openQueue(t);
		const shoppers = await guests(t, 100);
		const passed = new Set(shoppers.filter((_, i) => i % 2 === 0).map((s) => s.consumerId));
		const states = await Promise.all(shoppers.map((s) => enterAs(t, q.id, s, passed.has(s.consumerId))));
		expect((await stats(t, q.id)).queued).toBe(100);
		const places = new Map(states.map((s) => [s.consumerId as string, s]));
		// Places move while the others enter: read them again once everyone is in.
		const now = await Promise.all(shoppers.map((s) => statusOf(t, q.id, s)));
		const front = now.filter((s) => passed.has(s.consumerId)).map((s) => s.position);
		const back = now.filter((s) => !passed.has(s.consumerId)).map((s) => s.position);
		expect([...front].sort((a, b) => a - b)).toEqual(Array.from({ length: 50 }, (_, i) => i + 1));
		expect([...back].sort((a, b) => a - b)).toEqual(Array.from({ length: 50 }, (_, i) => i + 51));
		for (const s of now) expect(s.backOfLine, s.consumerId).toBe(passed.has(s.consumerId) ? undefined : true);
		for (const [id, s] of places) expect(s.backOfLine === true, id).toBe(!passed.has(id));

		// Admitting 50 admits exactly the ones who passed; the back moves up to 1…50.
		expect((await admit(t, q.id, 50)).json).toEqual({ admitted: 50 });
		const after = await Promise.all(shoppers.map((s) => statusOf(t, q.id, s)));
		for (const s of after) expect(s.status, s.consumerId).toBe(passed.has(s.consumerId) ? "ADMITTED" : "QUEUED");
		const backAfter = after.filter((s) => !passed.has(s.consumerId)).map((s) => s.position);
		expect([...backAfter].sort((a, b) => a - b)).toEqual(Array.from({ length: 50 }, (_, i) => i + 1));
		// With nobody who passed waiting, the back is admitted.
		expect((await admit(t, q.id, 50)).json).toEqual({ admitted: 50 });
		expect((await stats(t, q.id)).queued).toBe(0);
	});

	it("a consumer who passes after back-lane admissions queues ahead of the back, and places stay exact", async () => {
		const t = await backOfLineTenant();
		const q = await openQueue(t);
		const [a, b, c, d, late, later] = await guests(t, 6);
		await enterAs(t, q.id, a, true);
		await enterAs(t, q.id, b, false);
		await enterAs(t, q.id, c, false);
		await enterAs(t, q.id, d, false);
		// a, then b from the back.
		expect((await admit(t, q.id, 2)).json).toEqual({ admitted: 2 });
		expect(await statusOf(t, q.id, b)).toMatchObject({ status: "ADMITTED" });
		// late passes: first in line, ahead of c and d.
		expect(await enterAs(t, q.id, late, true)).toMatchObject({ position: 1 });
		expect(await statusOf(t, q.id, c)).toMatchObject({ position: 2, backOfLine: true });
		expect(await statusOf(t, q.id, d)).toMatchObject({ position: 3, backOfLine: true });
		// A later front entrant: behind late, still ahead of the back.
		expect(await enterAs(t, q.id, later, true)).toMatchObject({ position: 2 });
		expect(await statusOf(t, q.id, d)).toMatchObject({ position: 4 });
		// The edge answers a front ticket poll from its snapshot with the same place.
		const ticket = (await statusOf(t, q.id, later)).ticket as string;
		await sleep(1_100);
		const polled = await consumerCall(t, `/queues/${q.id}/status`, { ticket });
		expect(polled.json).toMatchObject({ status: "QUEUED", position: 2 });
		const backTicket = (await statusOf(t, q.id, d)).ticket as string;
		expect((await consumerCall(t, `/queues/${q.id}/status`, { ticket: backTicket })).json).toMatchObject({
			position: 4,
			backOfLine: true,
		});
		// Admission order: late, later, c, d.
		expect((await admit(t, q.id, 2)).json).toEqual({ admitted: 2 });
		expect(await statusOf(t, q.id, later)).toMatchObject({ status: "ADMITTED" });
		expect(await statusOf(t, q.id, c)).toMatchObject({ status: "QUEUED", position: 1 });
	});

	it("entering again with a passing challenge moves a back-lane consumer to the back of the front", async () => {
		const t = await backOfLineTenant();
		const q = await openQueue(t);
		const [a, b, c] = await guests(t, 3);
		await enterAs(t, q.id, a, false);
		await enterAs(t, q.id, b, true);
		await enterAs(t, q.id, c, false);
		expect(await statusOf(t, q.id, a)).toMatchObject({ position: 2, backOfLine: true });
		// Entering again without a challenge keeps the place it has (front or back).
		expect(await enterAs(t, q.id, b, false)).toMatchObject({ position: 1 });
		expect((await enterAs(t, q.id, b, false)).backOfLine).toBeUndefined();
		const promoted = await enterAs(t, q.id, a, true);
		expect(promoted).toMatchObject({ position: 2 });
		expect(promoted.backOfLine).toBeUndefined();
		expect(await statusOf(t, q.id, c)).toMatchObject({ position: 3, backOfLine: true });
		expect((await stats(t, q.id)).queued).toBe(3);
		expect((await admit(t, q.id, 2)).json).toEqual({ admitted: 2 });
		expect(await statusOf(t, q.id, a)).toMatchObject({ status: "ADMITTED" });
	});

	it("a failed Turnstile check goes to the back too; siteverify down is still a 503", async () => {
		const t = await tenant();
		await setTurnstile(t, FAILS);
		await setProtection(t, { challenge: "turnstile", onFailure: "back-of-line" });
		const q = await openQueue(t);
		const [a] = await guests(t, 1);
		const res = await enterWith(t, "queue", q.id, a, { "X-Turnstile-Token": DUMMY_TOKEN });
		expect(res.status, res.text).toBe(200);
		expect(res.json).toMatchObject({ status: "QUEUED", position: 1, backOfLine: true });
	});

	it("the pre-queue shuffle keeps the lanes apart: at open, every consumer who passed is ahead", async () => {
		const t = await backOfLineTenant();
		const shoppers = await guests(t, 16);
		const openAt = Date.now() + 4000;
		const q = await createQueue(t, { openAt: iso(openAt), prequeueSeconds: 600 });
		const passed = new Set(shoppers.filter((_, i) => i % 2 === 1).map((s) => s.consumerId));
		for (const s of shoppers) {
			expect(await enterAs(t, q.id, s, passed.has(s.consumerId))).toMatchObject({ position: null });
		}
		expect(Date.now(), "pre-queue entries must all happen before open").toBeLessThan(openAt);
		await sleep(Math.max(0, openAt - Date.now()) + 100);
		const now = await Promise.all(shoppers.map((s) => statusOf(t, q.id, s)));
		const front = now.filter((s) => passed.has(s.consumerId)).map((s) => s.position);
		const back = now.filter((s) => !passed.has(s.consumerId)).map((s) => s.position);
		expect([...front].sort((a, b) => a - b)).toEqual(Array.from({ length: 8 }, (_, i) => i + 1));
		expect([...back].sort((a, b) => a - b)).toEqual(Array.from({ length: 8 }, (_, i) => i + 9));
	});

	it("draw enter, bids and buy-now still refuse a missing challenge (back-of-line is for queues only)", async () => {
		const t = await backOfLineTenant();
		const draw = await shortDraw(t, {}, 60_000, 61_000);
		const auction = await openAuction(t);
		const buyable = await openAuction(t, { buyNowPrice: 100 });
		const [g] = await guests(t, 1);
		expectProblem(await enterWith(t, "draw", draw.id, g), 403, "Challenge required");
		expectProblem(await enterWith(t, "bid", auction.id, g), 403, "Challenge required");
		expectProblem(await enterWith(t, "buy-now", buyable.id, g), 403, "Challenge required");
		expect(await allEntries(t, draw.id)).toEqual([]);
	});
});
