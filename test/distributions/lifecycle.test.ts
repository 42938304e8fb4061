/**
 * Distribution lifecycle driven by each Durable Object's alarm: SCHEDULED → OPEN → CLOSED
 * (→ DRAWN / SETTLED) with no request in between, written through to D1 and published as
 * one event per transition; DRAFT has no alarm; PUT reschedules; a late alarm never shows a
 * stale status; DELETE leaves no storage; a doubled alarm or an eviction changes nothing.
 *
 * Alarms fire on their own at their time in this runtime, so every test waits with short
 * real sleeps, times relative to Date.now(), and bounded polls rather than fixed delays.
 * The queue engine also uses the alarm for admission ticks (briefly arming it at "now"), so
 * alarm times are polled until they settle.
 *
 * A queue that closes with nobody in line completes at once (CLOSED → COMPLETED in the same
 * alarm run). Tests that need to observe CLOSED on a queue first put one consumer in line
 * with the object's `enter` RPC (no admissionRate, so that consumer stays QUEUED).
 */
import { evictDurableObject, runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { STATUSES } from "../../src/distributions/common/status";
import type { DistributionObject } from "../../src/distributions/kernel/object";
import {
	createBackdated,
	createDistribution,
	expectAdminStatus,
	listedIds,
	putDistribution,
	storedStatus,
	waitStored,
} from "../support/distributions";
import { settle, storedEvents, waitStoredEvents } from "../support/events";
import { call, type Tenant, tenant } from "../support/helpers";
import {
	alarmOf,
	drawStub,
	dropAlarm,
	type Kind,
	queueStub,
	scheduleOf,
	setAlarm,
	stubOf,
	tablesOf,
	transitionsOf,
	waitAlarm,
} from "../support/objects";
import { iso, sleep } from "../support/time";

/** The status agrees everywhere: GET, the `?status=` list filter (and no other status lists it) and the D1 column. */
async function expectStatusEverywhere(t: Tenant, kind: Kind, id: string, status: string) {
	await expectAdminStatus(t, kind, id, status);
	expect(await storedStatus(id), `D1 distributions.status of ${id}`).toBe(status);
}

/** Enters one consumer in an OPEN draw (an RPC to the object): its win stays open, so the draw stays DRAWN. */
async function keepSomeoneEntered(t: Tenant, id: string) {
	const reply = await drawStub(id).enter(t.organizationId, "con_hoping_to_win");
	expect(reply.ok, JSON.stringify(reply)).toBe(true);
}

/** Puts one consumer in an OPEN queue's line (an RPC to the object, not an HTTP request): it then stays CLOSED at close. */
async function keepSomeoneInLine(t: Tenant, id: string) {
	const reply = await queueStub(id).enter(t.organizationId, "con_waiting_in_line");
	expect(reply.ok, JSON.stringify(reply)).toBe(true);
}

describe("alarm-driven lifecycle, no request in between", () => {
	const STEP = 2000;

	/** Creates one distribution of `kind` and follows it through every timed status. */
	async function followLifecycle(kind: Kind, final: string[], whenOpen?: (t: Tenant, id: string) => Promise<void>) {
		const t = await tenant();
		const now = Date.now();
		const times: Record<string, string> = { openAt: iso(now + STEP), closeAt: iso(now + 2 * STEP) };
		if (kind === "draw") Object.assign(times, { drawAt: iso(now + 3 * STEP), winnerCount: 1 });
		if (kind === "auction") times.settleAt = iso(now + 3 * STEP);
		const created = await createDistribution(t, kind, times);
		expect(created.status).toBe("SCHEDULED");
		await expectStatusEverywhere(t, kind, created.id, "SCHEDULED");

		const steps = ["OPEN", ...final];
		const verbs: Record<string, string> = { OPEN: "opened", CLOSED: "closed", DRAWN: "drawn", SETTLED: "settled" };
		for (const [i, status] of steps.entries()) {
			const due = now + (i + 1) * STEP;
			await waitStored(created.id, status, due - Date.now() + 1500);
			expect(Date.now(), `${status} not before its time`).toBeGreaterThanOrEqual(due);
			await expectStatusEverywhere(t, kind, created.id, status);
			const [event] = await waitStoredEvents(created.id, `${kind}.${verbs[status]}`);
			expect(event.data.object.status).toBe(status);
			if (status === "OPEN" && whenOpen) await whenOpen(t, created.id);
		}
		const transitions = await transitionsOf(stubOf(kind, created.id));
		expect(transitions.map((r) => r.status)).toEqual(steps);
		if (kind === "auction")
			expect(await waitAlarm(stubOf(kind, created.id), null), "nothing left to schedule").toBeNull();
	}

	it.concurrent("a queue goes SCHEDULED → OPEN → CLOSED on its alarm alone", async () => {
		await followLifecycle("queue", ["CLOSED"], keepSomeoneInLine);
	});

	it.concurrent("an empty queue goes SCHEDULED → OPEN → COMPLETED, passing CLOSED, on its alarm alone", async () => {
		const t = await tenant();
		const openAt = Date.now() + STEP;
		const closeAt = openAt + STEP;
		const q = await createDistribution(t, "queue", { openAt: iso(openAt), closeAt: iso(closeAt) });
		await expectStatusEverywhere(t, "queue", q.id, "SCHEDULED");
		await waitStored(q.id, "OPEN", openAt - Date.now() + 1500);
		await expectStatusEverywhere(t, "queue", q.id, "OPEN");
		await waitStored(q.id, "COMPLETED", closeAt - Date.now() + 1500);
		expect(Date.now()).toBeGreaterThanOrEqual(closeAt);
		await expectStatusEverywhere(t, "queue", q.id, "COMPLETED");
		const transitions = await transitionsOf(stubOf("queue", q.id));
		expect(transitions.map((r) => r.status)).toEqual(["OPEN", "CLOSED", "COMPLETED"]);
		expect(transitions[1].at).toBeGreaterThanOrEqual(closeAt);
		await waitStoredEvents(q.id, "queue.completed");
		const types = (await storedEvents(q.id)).map((e) => e.type).filter((x) => x !== "queue.created");
		expect(types).toEqual(["queue.opened", "queue.closed", "queue.completed"]);
		expect(await waitAlarm(stubOf("queue", q.id), null)).toBeNull();
	});

	it.concurrent("a draw goes SCHEDULED → OPEN → CLOSED → DRAWN on its alarm alone", async () => {
		await followLifecycle("draw", ["CLOSED", "DRAWN"], keepSomeoneEntered);
	});

	it.concurrent("an auction goes SCHEDULED → OPEN → CLOSED → SETTLED on its alarm alone", async () => {
		await followLifecycle("auction", ["CLOSED", "SETTLED"]);
	});
});

describe("DRAFT and scheduling", () => {
	it("a queue without openAt is DRAFT with no alarm; PUT openAt makes it SCHEDULED with an alarm at openAt", async () => {
		const t = await tenant();
		const q = await createDistribution(t, "queue", { name: "Draft" });
		expect(q.status).toBe("DRAFT");
		expect(q.openAt).toBeNull();
		await expectStatusEverywhere(t, "queue", q.id, "DRAFT");
		expect(await waitAlarm(stubOf("queue", q.id), null)).toBeNull();
		await sleep(300);
		expect(await alarmOf(stubOf("queue", q.id)), "still no alarm").toBeNull();

		const openAt = Date.now() + 60_000;
		const res = await putDistribution(t, "queue", q.id, { openAt: iso(openAt) });
		expect(res.status, res.text).toBe(200);
		expect(res.json.status).toBe("SCHEDULED");
		await expectStatusEverywhere(t, "queue", q.id, "SCHEDULED");
		expect(await waitAlarm(stubOf("queue", q.id), openAt)).toBe(openAt);
	});

	it("a late alarm never shows a stale status; when it finally runs it writes through once", async () => {
		const t = await tenant();
		const openAt = Date.now() + 1000;
		const q = await createDistribution(t, "queue", { openAt: iso(openAt), closeAt: iso(openAt + 60_000) });
		const s = stubOf("queue", q.id);
		await waitAlarm(stubOf("queue", q.id), openAt);
		await dropAlarm(s);
		expect(await alarmOf(stubOf("queue", q.id))).toBeNull();

		await sleep(openAt - Date.now() + 200);
		const got = await call(`/api/v1/queues/${q.id}`, { key: t.secretKey });
		expect(got.json.status).toBe("OPEN");
		expect(await listedIds(t, "queue", "OPEN")).toContain(q.id);
		expect(await listedIds(t, "queue", "SCHEDULED")).not.toContain(q.id);
		expect(await storedStatus(q.id), "the alarm has not run: D1 still holds the old column").toBe("SCHEDULED");
		expect(await storedEvents(q.id, "queue.opened")).toHaveLength(0);

		await setAlarm(s, Date.now());
		await runDurableObjectAlarm(s); // may already have fired on its own: either way it runs once
		await waitStored(q.id, "OPEN");
		await waitStoredEvents(q.id, "queue.opened");
		await settle();
		expect(await storedEvents(q.id, "queue.opened")).toHaveLength(1);
		expect(await waitAlarm(stubOf("queue", q.id), openAt + 60_000), "re-armed for closeAt").toBe(openAt + 60_000);
	});

	it("PUT moving openAt later moves the alarm; a PUT of name only publishes no distribution.updated", async () => {
		const t = await tenant();
		const openAt = Date.now() + 30_000;
		const q = await createDistribution(t, "queue", { openAt: iso(openAt), closeAt: iso(openAt + 60_000) });
		expect(await waitAlarm(stubOf("queue", q.id), openAt)).toBe(openAt);

		const later = openAt + 15_000;
		const moved = await putDistribution(t, "queue", q.id, { openAt: iso(later) });
		expect(moved.status, moved.text).toBe(200);
		expect(await waitAlarm(stubOf("queue", q.id), later)).toBe(later);
		const agenda = await scheduleOf(stubOf("queue", q.id));
		expect(agenda.filter((r) => r.kind === "open")).toEqual([{ kind: "open", at: later }]);

		const renamed = await putDistribution(t, "queue", q.id, { name: "Renamed" });
		expect(renamed.status, renamed.text).toBe(200);
		expect(await waitAlarm(stubOf("queue", q.id), later), "a name change leaves the schedule alone").toBe(later);

		await waitStoredEvents(q.id, "queue.updated", 2);
		await settle();
		const updates = await storedEvents(q.id, "distribution.updated");
		expect(updates, "only the openAt move is a scheduling event").toHaveLength(1);
		expect(updates[0].data.changed).toEqual(["openAt"]);
		expect(await storedEvents(q.id, "queue.updated")).toHaveLength(2);
	});

	it("PUT moving closeAt of an OPEN queue earlier closes it at the new time", async () => {
		const t = await tenant();
		const openAt = Date.now() + 500;
		const q = await createDistribution(t, "queue", { openAt: iso(openAt), closeAt: iso(openAt + 60_000) });
		await waitStored(q.id, "OPEN");
		await keepSomeoneInLine(t, q.id);
		expect(await waitAlarm(stubOf("queue", q.id), openAt + 60_000)).toBe(openAt + 60_000);

		const closeAt = Date.now() + 1500;
		const res = await putDistribution(t, "queue", q.id, { closeAt: iso(closeAt) });
		expect(res.status, res.text).toBe(200);
		expect(res.json.status).toBe("OPEN");
		expect(await waitAlarm(stubOf("queue", q.id), closeAt, 1000)).toBe(closeAt);

		await waitStored(q.id, "CLOSED", closeAt - Date.now() + 1500);
		expect(Date.now()).toBeGreaterThanOrEqual(closeAt);
		await expectStatusEverywhere(t, "queue", q.id, "CLOSED");
		const closed = (await transitionsOf(stubOf("queue", q.id))).find((r) => r.status === "CLOSED");
		expect(closed?.at).toBeGreaterThanOrEqual(closeAt);
		expect(closed?.at).toBeLessThan(closeAt + 1500);
		await waitStoredEvents(q.id, "queue.closed");
	});

	it("409 Cannot update closed distribution once the alarm has closed it", async () => {
		const t = await tenant();
		const closeAt = Date.now() + 1000;
		const q = await createDistribution(t, "queue", { openAt: iso(closeAt - 10_000), closeAt: iso(closeAt) });
		expect(q.status).toBe("OPEN");
		await waitStored(q.id, "OPEN");
		await keepSomeoneInLine(t, q.id);
		await waitStored(q.id, "CLOSED", 3000);

		const res = await putDistribution(t, "queue", q.id, { name: "Too late" });
		expect(res.status, res.text).toBe(409);
		expect(res.headers.get("Content-Type")).toMatch(/^application\/problem\+json/);
		expect(res.json.title).toBe("Cannot update closed distribution");
		const retime = await putDistribution(t, "queue", q.id, { closeAt: iso(Date.now() + 60_000) });
		expect(retime.status).toBe(409);
		const got = await call(`/api/v1/queues/${q.id}`, { key: t.secretKey });
		expect(got.json.name).toBeNull();
		expect(got.json.status).toBe("CLOSED");

		// An empty queue completes at close: COMPLETED is just as final.
		const empty = await createDistribution(t, "queue", {
			openAt: iso(Date.now() - 10_000),
			closeAt: iso(Date.now() + 500),
		});
		await waitStored(empty.id, "COMPLETED", 3000);
		const late = await putDistribution(t, "queue", empty.id, { name: "Too late" });
		expect(late.status, late.text).toBe(409);
		expect(late.json.title).toBe("Cannot update closed distribution");
	});
});

describe("write-through", () => {
	it("the D1 status column only ever moves forward, even when past transitions are delivered late", async () => {
		// Log every value the column takes (D1 storage is per test file, so the triggers stay here).
		await env.DB.batch([
			env.DB.prepare(
				"CREATE TABLE IF NOT EXISTS test_status_log (n INTEGER PRIMARY KEY AUTOINCREMENT, id TEXT NOT NULL, status TEXT NOT NULL)",
			),
			env.DB.prepare(
				"CREATE TRIGGER IF NOT EXISTS test_status_ins AFTER INSERT ON distributions BEGIN INSERT INTO test_status_log (id, status) VALUES (NEW.id, NEW.status); END",
			),
			env.DB.prepare(
				"CREATE TRIGGER IF NOT EXISTS test_status_upd AFTER UPDATE OF status ON distributions BEGIN INSERT INTO test_status_log (id, status) VALUES (NEW.id, NEW.status); END",
			),
		]);
		const t = await tenant();
		const now = Date.now();
		const d = await createBackdated(t, "draw", {
			openAt: iso(now - 3 * 3600_000),
			closeAt: iso(now - 2 * 3600_000),
			drawAt: iso(now - 3600_000),
			winnerCount: 1,
		});
		await waitStoredEvents(d.id, "draw.drawn", 1, 4000);
		const { results } = await env.DB.prepare("SELECT status FROM test_status_log WHERE id = ? ORDER BY n")
			.bind(d.id)
			.all<{ status: string }>();
		const history = results.map((r) => r.status);
		const rank = (status: string) => STATUSES.draw.indexOf(status as never);
		const backwards = history.filter((status, i) => i > 0 && rank(status) < rank(history[i - 1]));
		expect(backwards, `column history: ${history.join(" → ")}`).toEqual([]);
		// Nobody entered, so no win is open: the draw completes as soon as it is drawn.
		expect(history.at(-1)).toBe("COMPLETED");
	});
});

describe("DELETE", () => {
	it("leaves no storage and no alarm behind, answers 404 afterwards and publishes queue.deleted", async () => {
		const t = await tenant();
		const q = await createDistribution(t, "queue", { openAt: iso(Date.now() + 60_000) });
		expect(await alarmOf(stubOf("queue", q.id))).not.toBeNull();

		const del = await call(`/api/v1/queues/${q.id}`, { method: "DELETE", key: t.secretKey });
		expect(del.status, del.text).toBe(204);

		const leftover = { tables: await tablesOf(stubOf("queue", q.id)), alarm: await alarmOf(stubOf("queue", q.id)) };
		expect(leftover).toEqual({ tables: [], alarm: null });

		const got = await call(`/api/v1/queues/${q.id}`, { key: t.secretKey });
		expect(got.status).toBe(404);
		expect(got.json.title).toBe("Queue not found");
		expect(await storedStatus(q.id)).toBeNull();

		const [deleted] = await waitStoredEvents(q.id, "queue.deleted");
		expect(deleted.data.object.id).toBe(q.id);
	});
});

describe("idempotent transitions", () => {
	it("an alarm that runs twice (even concurrently) records and publishes each transition once", async () => {
		const t = await tenant();
		const openAt = Date.now() + 800;
		const q = await createDistribution(t, "queue", { openAt: iso(openAt), closeAt: iso(openAt + 60_000) });
		const s = stubOf("queue", q.id);
		// Hold the alarm back so that the transition is due when we run it by hand.
		await waitAlarm(stubOf("queue", q.id), openAt);
		await dropAlarm(s);
		await sleep(openAt - Date.now() + 100);

		await runInDurableObject(s, async (instance: DistributionObject) => {
			await Promise.all([instance.alarm(), instance.alarm()]);
			await instance.alarm();
		});
		await runDurableObjectAlarm(s); // the re-armed close alarm: not due yet, must do nothing
		await runDurableObjectAlarm(s);

		expect((await transitionsOf(stubOf("queue", q.id))).map((r) => r.status)).toEqual(["OPEN"]);
		expect(await storedStatus(q.id)).toBe("OPEN");
		expect(await waitAlarm(stubOf("queue", q.id), openAt + 60_000), "still armed for closeAt").toBe(openAt + 60_000);
		await waitStoredEvents(q.id, "queue.opened");
		await settle();
		expect(await storedEvents(q.id, "queue.opened")).toHaveLength(1);
		expect(await storedEvents(q.id, "queue.closed")).toHaveLength(0);
	});

	it("evicting the object between open and close loses nothing: the close still happens on time", async () => {
		const t = await tenant();
		const openAt = Date.now() + 500;
		const closeAt = openAt + 2000;
		const q = await createDistribution(t, "queue", { openAt: iso(openAt), closeAt: iso(closeAt) });
		await waitStored(q.id, "OPEN");
		await keepSomeoneInLine(t, q.id);
		const s = stubOf("queue", q.id);
		expect(await waitAlarm(stubOf("queue", q.id), closeAt)).toBe(closeAt); // also makes sure the object is running
		await evictDurableObject(s);
		expect(await alarmOf(stubOf("queue", q.id)), "the alarm survives eviction").toBe(closeAt);
		await evictDurableObject(s);

		await waitStored(q.id, "CLOSED", closeAt - Date.now() + 1500);
		expect(Date.now()).toBeGreaterThanOrEqual(closeAt);
		const transitions = await transitionsOf(stubOf("queue", q.id));
		expect(transitions.map((r) => r.status)).toEqual(["OPEN", "CLOSED"]);
		expect(transitions[1].at).toBeGreaterThanOrEqual(closeAt);
		expect(transitions[1].at).toBeLessThan(closeAt + 1500);
		await waitStoredEvents(q.id, "queue.closed");
		await settle();
		expect(await storedEvents(q.id, "queue.opened")).toHaveLength(1);
		expect(await storedEvents(q.id, "queue.closed")).toHaveLength(1);
	});

	it("a distribution whose times are already past transitions at once: OPEN then CLOSED, one event each, in order", async () => {
		// A create refuses past times: createBackdated (test/support/distributions.ts) makes one and hands its object the real times.
		const t = await tenant();
		const now = Date.now();
		const q = await createBackdated(t, "queue", { openAt: iso(now - 2 * 3600_000), closeAt: iso(now - 3600_000) });
		// Created already closed; with nobody in line it completes at once as well.
		expect(["CLOSED", "COMPLETED"]).toContain(q.status);

		await waitStoredEvents(q.id, "queue.completed", 1, 4000);
		await settle();
		const transitions = await transitionsOf(stubOf("queue", q.id));
		expect(transitions.map((r) => [r.status, r.seq])).toEqual([
			["OPEN", 0],
			["CLOSED", 1],
			["COMPLETED", 2],
		]);
		const events = (await storedEvents(q.id)).filter((e) => e.type !== "queue.created"); // see events/events.test.ts
		expect(events.map((e) => e.type)).toEqual(["queue.opened", "queue.closed", "queue.completed"]);
		expect(events.map((e) => e.data.object.status)).toEqual(["OPEN", "CLOSED", "COMPLETED"]);
		expect(events[0].created_at).toBeLessThanOrEqual(events[1].created_at);
		expect(events[1].created_at).toBeLessThanOrEqual(events[2].created_at);
		await expectStatusEverywhere(t, "queue", q.id, "COMPLETED");
		expect(await waitAlarm(stubOf("queue", q.id), null)).toBeNull();

		// A draw with past times opens, closes and seals at once; it draws once its (moved-on) beacon
		// round is out and verified — seconds later here; with nobody entered it completes.
		const d = await createBackdated(t, "draw", {
			openAt: iso(now - 3 * 3600_000),
			closeAt: iso(now - 2 * 3600_000),
			drawAt: iso(now - 3600_000),
			winnerCount: 1,
		});
		expect(d.status).toBe("CLOSED");
		await waitStoredEvents(d.id, "draw.drawn", 1, 8000);
		await settle();
		const all = await storedEvents(d.id);
		expect(all.filter((e) => e.type === "draw.sealed")).toHaveLength(1);
		const drawEvents = all.filter((e) => e.type !== "draw.created" && e.type !== "draw.sealed");
		expect(drawEvents.map((e) => e.type)).toEqual(["draw.opened", "draw.closed", "draw.drawn", "draw.completed"]);
		await expectStatusEverywhere(t, "draw", d.id, "COMPLETED");
	});
});
