/**
 * The queue's admission engine: admissionRate per minute spread evenly, never more than
 * maxCapacity ADMITTED at once, expired grants freeing their place, merchant admit / deny,
 * leave, closing (those in line still admitted, COMPLETED when nobody is QUEUED or
 * ADMITTED), eviction losing nothing, stats and the entries list.
 *
 * Long horizons run on a simulated clock: inside the object (runInDurableObject) the
 * admission tick `onSchedule("admit", t)` is called in a storage transaction — as the
 * alarm's `advance` does — for t stepping through ten minutes in 250 ms steps. The loop
 * is synchronous, so no real alarm interleaves with it. Consumers for those runs enter
 * through the object's RPC (`enter(org, consumerId)`), which is what the HTTP route calls.
 */
import { evictDurableObject, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import type { QueueObject } from "../../../src/distributions/queue/object";
import { complete, validate } from "../../support/admissions";
import { putDistribution } from "../../support/distributions";
import { call, guests, type Shopper, type Tenant, tenant } from "../../support/helpers";
import { objectRows, queueStub, rowsIn, runScheduleAt, type ScheduleHandler } from "../../support/objects";
import {
	admit,
	consumerCall,
	createQueue,
	enter,
	leave,
	openQueue,
	queueEntries,
	stats,
	status,
} from "../../support/queue";
import { iso, sleep, waitFor } from "../../support/time";

const STEP_MS = 250;
const MINUTE = 60_000;

/** Puts `n` synthetic consumers in line through the object's RPC, in parallel. */
async function fill(t: Tenant, queueId: string, n: number, prefix = "con_sim") {
	const stub = queueStub(queueId);
	const replies = await Promise.all(
		Array.from({ length: n }, (_, i) => stub.enter(t.organizationId, `${prefix}_${String(i).padStart(4, "0")}`)),
	);
	for (const r of replies) expect(r.ok, JSON.stringify(r)).toBe(true);
}

interface SimResult {
	t0: number;
	maxActive: number;
	/** Admissions per simulated minute [t0 + k·60 s, t0 + (k+1)·60 s). */
	perMinute: number[];
}

/**
 * Steps a simulated clock from now to now + `minutes` in 250 ms steps, running the
 * admission tick at each step inside a transaction, and checks ADMITTED ≤ capacity
 * after every step. Synchronous inside the object, so no real alarm interleaves; the
 * counts are read from its entries table (the seam: no RPC answers without catching up
 * to the real clock, and the API rounds admission times to the second).
 */
function simulate(queueId: string, minutes: number, capacity: number): Promise<SimResult> {
	return runInDurableObject(queueStub(queueId), (instance: QueueObject, state) => {
		const engine = instance as unknown as ScheduleHandler;
		const count = (where: string, ...bindings: unknown[]) =>
			rowsIn<{ n: number }>(state, `SELECT COUNT(*) AS n FROM entries WHERE ${where}`, ...bindings)[0].n;
		const active = () => count("status = 'ADMITTED'");
		const t0 = Date.now();
		let maxActive = active();
		for (let t = t0; t <= t0 + minutes * MINUTE; t += STEP_MS) {
			state.storage.transactionSync(() => engine.onSchedule("admit", t));
			const n = active();
			if (n > capacity) throw new Error(`${n} ADMITTED at t0+${t - t0} ms, maxCapacity is ${capacity}`);
			maxActive = Math.max(maxActive, n);
		}
		const perMinute = Array.from({ length: minutes }, (_, k) =>
			count("admitted_at >= ? AND admitted_at < ?", t0 + k * MINUTE, t0 + (k + 1) * MINUTE),
		);
		return { t0, maxActive, perMinute };
	});
}

/** When the consumer was admitted and when its grant expires, to the millisecond (the API rounds to the second). */
async function admissionTimes(queueId: string, consumerId: string) {
	const [row] = await objectRows<{ admitted_at: number | null; expires_at: number | null }>(
		queueStub(queueId),
		"SELECT admitted_at, expires_at FROM entries WHERE consumer_id = ?",
		consumerId,
	);
	return row;
}

/** The consumer's status as the queue object's state() RPC reports it. */
async function entryStatus(t: Tenant, queueId: string, consumerId: string) {
	const reply = await queueStub(queueId).state(t.organizationId, { consumerId });
	if (!reply.ok) throw new Error(`state of ${consumerId}: ${JSON.stringify(reply)}`);
	return reply.value.status;
}

/** A queue of capacity 1 with two consumers in line, `a` then `b`, once the alarm has admitted `a` (its status). */
async function twoInLine(queueBody: Record<string, unknown>) {
	const t = await tenant();
	const q = await openQueue(t, { maxCapacity: 1, ...queueBody });
	const [a, b] = await guests(t, 2);
	await enter(t, q.id, a);
	await enter(t, q.id, b);
	const sa = await waitFor(
		"a admitted",
		async () => (await status(t, q.id, a)).json,
		(s) => s.status === "ADMITTED",
	);
	return { t, q, a, b, sa };
}

describe("rate and capacity over a simulated ten minutes", () => {
	it("admits admissionRate per minute (±1) when capacity does not bind; ADMITTED ≤ maxCapacity throughout", {
		timeout: 60_000,
	}, async () => {
		const t = await tenant();
		// 30/min with 60 s sessions keeps ~30 admitted at once: under maxCapacity 40, so the rate is what binds.
		const q = await openQueue(t, { admissionRate: 30, maxCapacity: 40, sessionDurationSeconds: 60 });
		await fill(t, q.id, 400);
		const sim = await simulate(q.id, 10, 40);
		for (const [k, n] of sim.perMinute.entries()) {
			expect(n, `admissions in simulated minute ${k}: ${sim.perMinute.join(", ")}`).toBeGreaterThanOrEqual(29);
			expect(n, `admissions in simulated minute ${k}: ${sim.perMinute.join(", ")}`).toBeLessThanOrEqual(31);
		}
		expect(sim.maxActive).toBeLessThanOrEqual(40);
		expect(sim.maxActive).toBeGreaterThanOrEqual(29);
		// Sessions of 60 s expire, one per slot, from the second minute on.
		const s = await queueStub(q.id).stats();
		expect(s.expired).toBeGreaterThan(250);
		expect(s.queued + s.active + s.expired).toBe(400);
	});

	it("never exceeds maxCapacity when it binds (rate 30, capacity 20, 60 s sessions): expiries free the places", {
		timeout: 60_000,
	}, async () => {
		const t = await tenant();
		const q = await openQueue(t, { admissionRate: 30, maxCapacity: 20, sessionDurationSeconds: 60 });
		await fill(t, q.id, 400);
		const sim = await simulate(q.id, 10, 20);
		expect(sim.maxActive).toBe(20);
		// Never faster than the rate…
		for (const n of sim.perMinute) expect(n, sim.perMinute.join(", ")).toBeLessThanOrEqual(31);
		// …and with 20 places held 60 s each, 20 a minute: the first minute fills the room in 40 s,
		// then every place is reused as soon as its grant expires.
		for (const [k, n] of sim.perMinute.entries()) {
			expect(n, `minute ${k}: ${sim.perMinute.join(", ")}`).toBeGreaterThanOrEqual(19);
			expect(n, `minute ${k}: ${sim.perMinute.join(", ")}`).toBeLessThanOrEqual(21);
		}
		expect((await queueStub(q.id).stats()).expired).toBeGreaterThanOrEqual(170);
	});
});

describe("admission in real time", () => {
	it("the alarm admits at the rate without any request (120/min → ~2–4 within 1.5 s)", async () => {
		const t = await tenant();
		const q = await openQueue(t, { admissionRate: 120 });
		await fill(t, q.id, 10);
		await sleep(1500);
		// stats() only reads: it does not run the admission tick.
		const s = await queueStub(q.id).stats();
		expect(s.admitted).toBeGreaterThanOrEqual(2);
		expect(s.admitted).toBeLessThanOrEqual(5);
		expect(s.active).toBe(s.admitted);
		expect(s.queued).toBe(10 - s.admitted);
		expect(s.admittedLastMinute).toBe(s.admitted);
	});

	it("respects maxCapacity", async () => {
		const t = await tenant();
		const q = await openQueue(t, { admissionRate: 600, maxCapacity: 3 });
		await fill(t, q.id, 10);
		await waitFor(
			"3 admitted",
			() => queueStub(q.id).stats(),
			(s) => s.active === 3,
		);
		await sleep(1000);
		const s = await stats(t, q.id);
		expect(s).toMatchObject({ active: 3, admitted: 3, queued: 7 });
		// A merchant admit cannot exceed it either.
		const res = await admit(t, q.id, 5);
		expect(res.status, res.text).toBe(200);
		expect(res.json).toEqual({ admitted: 0 });
	});

	it("an admitted consumer sees ADMITTED with a grant; the next in line moves to position 1", async () => {
		const { t, q, b, sa } = await twoInLine({ admissionRate: 600, maxCapacity: 1, sessionDurationSeconds: 300 });
		expect(sa.position).toBeNull();
		expect(sa.admissionToken).toMatch(/^[\w-]+\.[\w-]+\.[\w-]+$/);
		const exp = Date.parse(sa.admissionExpiresAt);
		expect(exp - Date.now()).toBeGreaterThan(290_000);
		expect(exp - Date.now()).toBeLessThanOrEqual(300_000);
		expect((await status(t, q.id, b)).json).toMatchObject({ status: "QUEUED", position: 1 });
	});
});

describe("spacing after an idle period", () => {
	/** admitted_at of every admitted entry, in order. */
	const admittedTimes = async (queueId: string) =>
		(
			await objectRows<{ at: number }>(
				queueStub(queueId),
				"SELECT admitted_at AS at FROM entries WHERE admitted_at IS NOT NULL ORDER BY admitted_at",
			)
		).map((r) => r.at);

	it("after the line was empty for a while, the next two entrants are admitted an interval apart", async () => {
		const t = await tenant();
		const q = await openQueue(t, { admissionRate: 60 }); // one a second
		const stub = queueStub(q.id);
		await stub.enter(t.organizationId, "con_first");
		await waitFor(
			"first admitted",
			() => stub.stats(),
			(s) => s.admitted === 1,
		);
		await sleep(2500); // nobody waits: no tick runs
		await stub.enter(t.organizationId, "con_second");
		await stub.enter(t.organizationId, "con_third");
		await sleep(400);
		const times = await admittedTimes(q.id);
		// At 60/min, the third may not be admitted within 400 ms of the second.
		expect(times.length, `admitted_at: ${times.map((x) => x - times[0]).join(", ")} ms`).toBe(2);
		expect((await stub.state(t.organizationId, { consumerId: "con_third" })).ok).toBe(true);
	});

	it("after the room was full for a while, places freed together are refilled at the rate", async () => {
		const t = await tenant();
		const q = await openQueue(t, { admissionRate: 60, maxCapacity: 3, sessionDurationSeconds: 600 });
		const stub = queueStub(q.id);
		for (const i of [0, 1, 2, 3, 4, 5]) await stub.enter(t.organizationId, `con_w${i}`);
		await waitFor(
			"room full",
			() => stub.stats(),
			(s) => s.active === 3,
		);
		await sleep(2500); // the room is full: no tick runs
		for (const i of [0, 1, 2]) {
			const st = await stub.state(t.organizationId, { consumerId: `con_w${i}` });
			if (!st.ok) throw new Error(JSON.stringify(st));
			expect((await complete(t, st.value.admissionToken as string)).status).toBe(200);
		}
		await sleep(300);
		const times = await admittedTimes(q.id);
		const refills = times.slice(3);
		// Three places are free, but at 60/min at most one refill fits in these ~300 ms.
		expect(
			refills.length,
			`refills at ${refills.map((x) => x - times[2]).join(", ")} ms after the 3rd`,
		).toBeLessThanOrEqual(1);
	});
});

describe("expiry", () => {
	it("an expired grant frees its place for the next in line (simulated clock)", async () => {
		const { t, q, a, b, sa } = await twoInLine({ admissionRate: 600, maxCapacity: 1, sessionDurationSeconds: 30 });
		await sleep(500);
		expect((await status(t, q.id, b)).json).toMatchObject({ status: "QUEUED", position: 1 });
		const row = await admissionTimes(q.id, a.consumerId);
		expect(row.expires_at).not.toBeNull();
		expect((row.expires_at as number) - (row.admitted_at as number)).toBe(30_000);

		// Just before the expiry nothing changes; at it, a expires and b is admitted.
		await runScheduleAt(queueStub(q.id), "admit", (row.expires_at as number) - 1);
		expect(await entryStatus(t, q.id, a.consumerId)).toBe("ADMITTED");
		await runScheduleAt(queueStub(q.id), "admit", row.expires_at as number);
		expect(await entryStatus(t, q.id, a.consumerId)).toBe("EXPIRED");
		expect(await entryStatus(t, q.id, b.consumerId)).toBe("ADMITTED");
		expect((await status(t, q.id, a)).json).toMatchObject({ status: "EXPIRED", position: null });
		const sb = (await status(t, q.id, b)).json;
		expect(sb.status).toBe("ADMITTED");
		expect(sb.admissionToken).toBeTruthy();
		expect(await stats(t, q.id)).toMatchObject({ expired: 1, active: 1, queued: 0, admitted: 2 });
		// a's grant no longer works.
		const v = await validate(t, sa.admissionToken);
		expect(v.json).toMatchObject({ valid: false, reason: "expired" });
		// Entering again after expiry does not give a new place.
		const again = await enter(t, q.id, a);
		expect(again.json.status).toBe("EXPIRED");
	});
});

describe("merchant controls", () => {
	it("admit {count} admits in line order within capacity and returns the number", async () => {
		const t = await tenant();
		const q = await openQueue(t, { maxCapacity: 5 });
		const shoppers = await guests(t, 8);
		for (const s of shoppers) await enter(t, q.id, s);
		const first = await admit(t, q.id, 3);
		expect(first.status, first.text).toBe(200);
		expect(first.json).toEqual({ admitted: 3 });
		for (const s of shoppers.slice(0, 3)) expect((await status(t, q.id, s)).json.status).toBe("ADMITTED");
		expect((await status(t, q.id, shoppers[3])).json).toMatchObject({ status: "QUEUED", position: 1 });
		const second = await admit(t, q.id, 10);
		expect(second.json).toEqual({ admitted: 2 });
		expect(await stats(t, q.id)).toMatchObject({ active: 5, queued: 3, admitted: 5, nowServing: 5 });
		expect((await status(t, q.id, shoppers[5])).json).toMatchObject({ status: "QUEUED", position: 1 });
	});

	it("admit without maxCapacity admits up to count; bad bodies → 400; DRAFT → 409; another org → 404", async () => {
		const t = await tenant();
		const q = await openQueue(t);
		await fill(t, q.id, 4);
		expect((await admit(t, q.id, 10)).json).toEqual({ admitted: 4 });
		expect((await admit(t, q.id, 10)).json).toEqual({ admitted: 0 });
		for (const body of [{ count: 0 }, { count: -1 }, { count: 1.5 }, {}, { count: "2" }]) {
			const res = await call(`/api/v1/queues/${q.id}/admit`, { key: t.secretKey, body });
			expect(res.status, `${JSON.stringify(body)}: ${res.text}`).toBe(400);
		}
		const draft = await createQueue(t);
		const d = await admit(t, draft.id, 1);
		expect(d.status, d.text).toBe(409);
		expect(d.json.title).toBe("Queue not open");
		const other = await tenant();
		const foreign = await call(`/api/v1/queues/${q.id}/admit`, { key: other.secretKey, body: { count: 1 } });
		expect(foreign.status, foreign.text).toBe(404);
	});

	it("deny a QUEUED consumer → DENIED with the reason; positions behind move up by one", async () => {
		const t = await tenant();
		const q = await openQueue(t);
		const [a, b, c, d] = await guests(t, 4);
		for (const s of [a, b, c, d]) await enter(t, q.id, s);
		const res = await call(`/api/v1/queues/${q.id}/entries/${b.consumerId}/deny`, {
			key: t.secretKey,
			body: { reason: "Automated traffic" },
		});
		expect(res.status, res.text).toBe(200);
		expect(res.json).toMatchObject({ consumerId: b.consumerId, status: "DENIED", position: null });
		expect((await status(t, q.id, a)).json.position).toBe(1);
		expect((await status(t, q.id, b)).json).toMatchObject({ status: "DENIED", position: null });
		expect((await status(t, q.id, c)).json.position).toBe(2);
		expect((await status(t, q.id, d)).json.position).toBe(3);
		expect(await stats(t, q.id)).toMatchObject({ queued: 3, denied: 1 });
		const denied = await queueEntries(t, q.id, "status=DENIED");
		expect(denied).toHaveLength(1);
		expect(denied[0]).toMatchObject({ consumerId: b.consumerId, reason: "Automated traffic" });
		// Entering again does not undo a denial.
		expect((await enter(t, q.id, b)).json.status).toBe("DENIED");
		// Admission skips the denied one.
		expect((await admit(t, q.id, 2)).json).toEqual({ admitted: 2 });
		expect((await status(t, q.id, c)).json.status).toBe("ADMITTED");
		expect((await status(t, q.id, d)).json).toMatchObject({ status: "QUEUED", position: 1 });
	});

	it("deny an ADMITTED consumer revokes the grant and frees the place; unknown consumer → 404", async () => {
		const t = await tenant();
		const q = await openQueue(t, { maxCapacity: 1 });
		const [a, b] = await guests(t, 2);
		await enter(t, q.id, a);
		await enter(t, q.id, b);
		expect((await admit(t, q.id, 1)).json).toEqual({ admitted: 1 });
		const grant = (await status(t, q.id, a)).json.admissionToken as string;
		const res = await call(`/api/v1/queues/${q.id}/entries/${a.consumerId}/deny`, { key: t.secretKey, body: {} });
		expect(res.status, res.text).toBe(200);
		expect(res.json.status).toBe("DENIED");
		expect((await validate(t, grant)).json).toMatchObject({ valid: false, reason: "revoked" });
		expect((await admit(t, q.id, 1)).json).toEqual({ admitted: 1 });
		expect((await status(t, q.id, b)).json.status).toBe("ADMITTED");
		const unknown = await call(`/api/v1/queues/${q.id}/entries/con_nobody/deny`, { key: t.secretKey, body: {} });
		expect(unknown.status, unknown.text).toBe(404);
		expect(unknown.json.title).toBe("Not in queue");
	});

	it("leave → LEFT; positions behind move up; an admitted consumer leaving frees its place", async () => {
		const t = await tenant();
		const q = await openQueue(t, { maxCapacity: 1 });
		const [a, b, c, d] = await guests(t, 4);
		for (const s of [a, b, c, d]) await enter(t, q.id, s);
		expect((await leave(t, q.id, b)).json.status).toBe("LEFT");
		expect((await status(t, q.id, a)).json.position).toBe(1);
		expect((await status(t, q.id, c)).json.position).toBe(2);
		expect((await status(t, q.id, d)).json.position).toBe(3);
		expect((await admit(t, q.id, 1)).json).toEqual({ admitted: 1 });
		expect((await status(t, q.id, c)).json.position).toBe(1);
		const left = await leave(t, q.id, a);
		expect(left.json).toMatchObject({ status: "LEFT", position: null });
		expect((await admit(t, q.id, 1)).json).toEqual({ admitted: 1 });
		expect((await status(t, q.id, c)).json.status).toBe("ADMITTED");
		expect((await status(t, q.id, d)).json.position).toBe(1);
		// Re-entering after leaving goes to the back of the line.
		const back = await enter(t, q.id, b);
		expect(back.json).toMatchObject({ status: "QUEUED", position: 2 });
		expect(await stats(t, q.id)).toMatchObject({ queued: 2, active: 1, left: 1 });
	});
});

describe("closing", () => {
	it("those in line are still admitted after close; COMPLETED when nobody is QUEUED or ADMITTED", {
		timeout: 30_000,
	}, async () => {
		const t = await tenant();
		const q = await openQueue(t, { admissionRate: 600, maxCapacity: 2 });
		const [a, b, c, d, late] = await guests(t, 5);
		for (const s of [a, b, c, d]) expect((await enter(t, q.id, s)).status).toBe(200);
		await waitFor(
			"two admitted",
			() => stats(t, q.id),
			(s) => s.active === 2,
		);
		const put = await putDistribution(t, "queue", q.id, { closeAt: iso(Date.now() + 300) });
		expect(put.status, put.text).toBe(200);
		await sleep(500);
		const closed = await enter(t, q.id, late);
		expect(closed.status, closed.text).toBe(409);
		expect(closed.json.title).toBe("Queue closed");
		const get = async () => (await call(`/api/v1/queues/${q.id}`, { key: t.secretKey })).json.status;
		expect(await get()).toBe("CLOSED");

		// Finish the first two; the two still in line are admitted.
		for (const s of [a, b]) {
			const grant = (await status(t, q.id, s)).json.admissionToken;
			expect((await complete(t, grant)).status).toBe(200);
		}
		await waitFor(
			"c and d admitted after close",
			async () => [(await status(t, q.id, c)).json.status, (await status(t, q.id, d)).json.status],
			(v) => v[0] === "ADMITTED" && v[1] === "ADMITTED",
		);
		expect(await get()).toBe("CLOSED");
		// c completes, d leaves: nobody QUEUED or ADMITTED → COMPLETED.
		expect((await complete(t, (await status(t, q.id, c)).json.admissionToken)).status).toBe(200);
		expect(await get()).toBe("CLOSED");
		expect((await leave(t, q.id, d)).json.status).toBe("LEFT");
		await waitFor("queue COMPLETED", get, (s) => s === "COMPLETED");
		expect(await stats(t, q.id)).toMatchObject({ queued: 0, active: 0, completed: 3, left: 1, admitted: 4 });
		const list = await call(`/api/v1/queues?status=COMPLETED`, { key: t.secretKey });
		expect(list.json.data.map((x: { id: string }) => x.id)).toContain(q.id);
	});
});

describe("eviction", () => {
	it("evicting the Durable Object mid-queue loses no entry and no admission", async () => {
		const t = await tenant();
		const q = await openQueue(t, { maxCapacity: 10, sessionDurationSeconds: 600 });
		const shoppers = await guests(t, 12);
		for (const s of shoppers) await enter(t, q.id, s);
		expect((await admit(t, q.id, 4)).json).toEqual({ admitted: 4 });
		await leave(t, q.id, shoppers[5]);
		await call(`/api/v1/queues/${q.id}/entries/${shoppers[6].consumerId}/deny`, { key: t.secretKey, body: {} });
		const grants = await Promise.all(
			shoppers.slice(0, 4).map(async (s) => (await status(t, q.id, s)).json.admissionToken as string),
		);
		const before = {
			stats: await stats(t, q.id),
			entries: await queueEntries(t, q.id),
			statuses: await Promise.all(shoppers.map(async (s) => (await status(t, q.id, s)).json)),
		};
		expect(before.stats).toMatchObject({ queued: 6, active: 4, left: 1, denied: 1, admitted: 4 });

		await evictDurableObject(queueStub(q.id));

		expect(await stats(t, q.id)).toEqual(before.stats);
		expect(await queueEntries(t, q.id)).toEqual(before.entries);
		const after = await Promise.all(shoppers.map(async (s) => (await status(t, q.id, s)).json));
		for (const [i, s] of after.entries()) {
			const { ticket: _t1, ...rest } = s;
			const { ticket: _t2, ...was } = before.statuses[i];
			expect(rest, `consumer ${i}`).toEqual(was);
		}
		for (const g of grants) expect((await validate(t, g)).json).toMatchObject({ valid: true });
		// Admission continues from the right place.
		expect((await admit(t, q.id, 1)).json).toEqual({ admitted: 1 });
		expect((await status(t, q.id, shoppers[4])).json.status).toBe("ADMITTED");
		expect((await status(t, q.id, shoppers[7])).json.position).toBe(1);
		// Entering again after eviction still returns the same place.
		expect((await enter(t, q.id, shoppers[8])).json.position).toBe(2);
	});

	it("an eviction while the alarm admits keeps counters and entries consistent", async () => {
		const t = await tenant();
		const q = await openQueue(t, { admissionRate: 600, maxCapacity: 5 });
		await fill(t, q.id, 20);
		await sleep(300);
		await evictDurableObject(queueStub(q.id));
		await waitFor(
			"capacity filled",
			() => queueStub(q.id).stats(),
			(s) => s.active === 5,
		);
		const entries = await queueEntries(t, q.id);
		expect(entries).toHaveLength(20);
		const s = await stats(t, q.id);
		expect(s).toMatchObject({ active: 5, admitted: 5, queued: 15 });
		expect(entries.filter((e) => e.status === "ADMITTED")).toHaveLength(5);
		const queuedPositions = entries
			.filter((e) => e.status === "QUEUED")
			.map((e) => e.position as number)
			.sort((x, y) => x - y);
		expect(queuedPositions).toEqual(Array.from({ length: 15 }, (_, i) => i + 1));
	});
});

describe("stats and entries", () => {
	it("stats has every count", async () => {
		const t = await tenant();
		const q = await openQueue(t);
		const shoppers = await guests(t, 6);
		for (const s of shoppers) await enter(t, q.id, s);
		expect((await admit(t, q.id, 3)).json).toEqual({ admitted: 3 });
		const grant = (await status(t, q.id, shoppers[0])).json.admissionToken;
		expect((await complete(t, grant)).status).toBe(200);
		await leave(t, q.id, shoppers[3]);
		await call(`/api/v1/queues/${q.id}/entries/${shoppers[4].consumerId}/deny`, { key: t.secretKey, body: {} });
		const s = await stats(t, q.id);
		expect(Object.keys(s).sort()).toEqual(
			[
				"active",
				"admitted",
				"admittedLastMinute",
				"completed",
				"denied",
				"expired",
				"left",
				"nowServing",
				"queued",
			].sort(),
		);
		expect(s).toEqual({
			queued: 1,
			admitted: 3,
			active: 2,
			completed: 1,
			left: 1,
			denied: 1,
			expired: 0,
			admittedLastMinute: 3,
			nowServing: 3,
		});
		const other = await tenant();
		expect((await call(`/api/v1/queues/${q.id}/stats`, { key: other.secretKey })).status).toBe(404);
	});

	it("entries: newest first, paged with an opaque cursor, filtered by status; bad cursor → 400", async () => {
		const t = await tenant();
		const q = await openQueue(t);
		const q2 = await openQueue(t);
		const shoppers: Shopper[] = await guests(t, 7);
		for (const s of shoppers) await enter(t, q.id, s);
		await enter(t, q2.id, shoppers[0]);
		await enter(t, q2.id, shoppers[1]);
		expect((await admit(t, q.id, 2)).json).toEqual({ admitted: 2 });

		const seen: Record<string, unknown>[] = [];
		let cursor: string | null = null;
		const sizes: number[] = [];
		for (let i = 0; i < 5; i++) {
			const res = await call(`/api/v1/queues/${q.id}/entries?limit=3${cursor ? `&cursor=${cursor}` : ""}`, {
				key: t.secretKey,
			});
			expect(res.status, res.text).toBe(200);
			sizes.push(res.json.data.length);
			seen.push(...res.json.data);
			cursor = res.json.nextCursor;
			if (!cursor) break;
		}
		expect(sizes).toEqual([3, 3, 1]);
		expect(seen.map((e) => e.consumerId)).toEqual([...shoppers].reverse().map((s) => s.consumerId));
		const e0 = seen.at(-1) as Record<string, unknown>;
		expect(e0).toMatchObject({ consumerId: shoppers[0].consumerId, status: "ADMITTED", position: null, reason: null });
		expect(e0.enteredAt).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
		expect(e0.admittedAt).toMatch(/Z$/);
		expect(e0.expiresAt).toMatch(/Z$/);
		expect(e0.finishedAt).toBeNull();
		expect(seen[0]).toMatchObject({ consumerId: shoppers[6].consumerId, status: "QUEUED", position: 5 });

		const admitted = await call(`/api/v1/queues/${q.id}/entries?status=ADMITTED`, { key: t.secretKey });
		expect(admitted.json.data.map((e: { consumerId: string }) => e.consumerId)).toEqual([
			shoppers[1].consumerId,
			shoppers[0].consumerId,
		]);
		expect(admitted.json.nextCursor).toBeNull();
		const queued = await call(`/api/v1/queues/${q.id}/entries?status=QUEUED&limit=2`, { key: t.secretKey });
		expect(queued.json.data).toHaveLength(2);
		for (const e of queued.json.data) expect(e.status).toBe("QUEUED");
		const queuedNext = await call(
			`/api/v1/queues/${q.id}/entries?status=QUEUED&limit=10&cursor=${queued.json.nextCursor}`,
			{
				key: t.secretKey,
			},
		);
		expect(queuedNext.json.data).toHaveLength(3);

		for (const bad of ["garbage", "abc.def", `${cursor ?? "x"}x`]) {
			const res = await call(`/api/v1/queues/${q.id}/entries?cursor=${encodeURIComponent(bad)}`, { key: t.secretKey });
			expect(res.status, `${bad}: ${res.text}`).toBe(400);
		}
		// A cursor of another queue's list is refused.
		const page2 = await call(`/api/v1/queues/${q2.id}/entries?limit=1`, { key: t.secretKey });
		expect(page2.json.nextCursor).toBeTruthy();
		const foreign = await call(`/api/v1/queues/${q.id}/entries?cursor=${page2.json.nextCursor}`, { key: t.secretKey });
		expect(foreign.status, foreign.text).toBe(400);
		expect((await call(`/api/v1/queues/${q.id}/entries?status=NOPE`, { key: t.secretKey })).status).toBe(400);
		expect((await call(`/api/v1/queues/${q.id}/entries?limit=0`, { key: t.secretKey })).status).toBe(400);
		const other = await tenant();
		expect((await call(`/api/v1/queues/${q.id}/entries`, { key: other.secretKey })).status).toBe(404);
		// Consumers cannot see the merchant's list.
		const asConsumer = await consumerCall(t, `/queues/${q.id}/entries`);
		expect(asConsumer.status).toBe(404);
	});
});
