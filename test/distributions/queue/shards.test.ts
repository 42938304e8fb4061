/**
 * Sharded entry (entryShards > 1, src/distributions/queue/shards): the setting's validation and
 * freeze, 2,000 concurrent enters over 8 shards with shards and the queue's object evicted mid-burst
 * (every consumer exactly once, in arrival order within each shard, capacity never exceeded), a
 * re-sent batch changing nothing, the shards' gate (not_open, closed, sold_out), the pre-queue
 * shuffle spanning every shard, and the edge routing (enter, status, leave of a pending arrival).
 * Shards flush through their alarm (`runDurableObjectAlarm`); their real alarms may also fire.
 */
import { evictDurableObject, runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { afterEach, describe, expect, it } from "vitest";
import { SHARD_SILENT_MS, shardIndex, shardName } from "../../../src/distributions/queue/shards/plan";
import { type Distribution, putDistribution } from "../../support/distributions";
import { eventsOf } from "../../support/events";
import { FAULT } from "../../support/faults";
import { BASE, call, countRows, guest, type Tenant, tenant } from "../../support/helpers";
import { closeLive, connect } from "../../support/live";
import { objectRows, queueStub, runScheduleAt, transitionsOf } from "../../support/objects";
import { expectProblem } from "../../support/problems";
import { createQueue, enter, leave, openQueue, status } from "../../support/queue";
import { iso, sleepUntil, waitFor } from "../../support/time";

type Q = Distribution;

const shard = (q: Q, i: number) => env.QUEUE_SHARD.getByName(shardName(q.id, i));
const shardOf = async (q: Q, consumerId: string, k: number) =>
	shard(q, await shardIndex(q.encryptionSeed, consumerId, k));

/** Runs every shard's flush until none has anything pending. */
async function drain(q: Q, k: number) {
	for (let round = 0; round < 20; round++) {
		let pending = 0;
		for (let i = 0; i < k; i++) {
			await runDurableObjectAlarm(shard(q, i));
			pending += await shard(q, i).pendingCount();
		}
		if (pending === 0) return;
	}
	throw new Error("shards never drained");
}

/** One front-lane arrival as a shard's flush carries it. */
const arrival = (seq: number, consumerId: string, arrivedAt: number) => ({
	seq,
	consumerId,
	lane: 0 as const,
	arrivedAt,
	leftAt: null,
});

type Row = { consumer_id: string; seq: number | null; status: string; entered_at: number; admitted_at: number | null };
const entriesOf = (q: Q) =>
	objectRows<Row>(queueStub(q.id), "SELECT consumer_id, seq, status, entered_at, admitted_at FROM entries");

describe("entryShards, the setting", () => {
	it("is validated (1–64, whole): 0, 65, 1.5 and a string are 400 and store nothing", async () => {
		const t = await tenant();
		for (const entryShards of [0, 65, 1.5, "4"]) {
			const res = await call("/api/v1/queues", { key: t.secretKey, body: { sequenceId: t.sequenceId, entryShards } });
			expectProblem(res, 400);
		}
		expect(await countRows("distributions", t.organizationId)).toBe(0);
	});

	it("shows in the queue when above 1, and is fixed once the queue takes entries (409)", async () => {
		const t = await tenant();
		const plain = await createQueue(t, {});
		expect(plain.entryShards).toBeUndefined();
		const later = await createQueue(t, { openAt: iso(Date.now() + 3_600_000), entryShards: 4 });
		expect(later.entryShards).toBe(4);
		const moved = await putDistribution(t, "queue", later.id, { entryShards: 8 });
		expect(moved.status, moved.text).toBe(200);
		expect((await call(`/api/v1/queues/${later.id}`, { key: t.secretKey })).json.entryShards).toBe(8);
		const open = await openQueue(t, { entryShards: 4 });
		expectProblem(await putDistribution(t, "queue", open.id, { entryShards: 2 }), 409);
		expect((await call(`/api/v1/queues/${open.id}`, { key: t.secretKey })).json.entryShards).toBe(4);
	});
});

describe("2,000 concurrent enters over 8 shards", () => {
	it("every consumer exactly once, in arrival order within each shard; evictions lose and double nothing", async () => {
		const t: Tenant = await tenant();
		const q = await openQueue(t, { entryShards: 8, maxCapacity: 100 });
		const ids = Array.from({ length: 2000 }, (_, i) => `con_shard_${String(i).padStart(4, "0")}`);
		const enterAll = async (batch: string[]) => {
			const failed: string[] = [];
			await Promise.all(
				batch.map(async (id) => {
					try {
						const r = await (await shardOf(q, id, 8)).enter(t.organizationId, id, 0);
						expect(r.ok, JSON.stringify(r)).toBe(true);
					} catch {
						failed.push(id); // the object was evicted under the call: the shopper retries
					}
				}),
			);
			return failed;
		};
		const first = enterAll(ids.slice(0, 1000));
		await runDurableObjectAlarm(shard(q, 2));
		await evictDurableObject(shard(q, 0));
		await evictDurableObject(queueStub(q.id));
		let retry = await first;
		const second = enterAll(ids.slice(1000));
		await evictDurableObject(shard(q, 5));
		await runDurableObjectAlarm(shard(q, 5));
		retry = [...retry, ...(await second)];
		while (retry.length) retry = await enterAll(retry);
		// Entering again (pending or forwarded) never makes a second place.
		expect(await enterAll(ids.slice(0, 200))).toEqual([]);
		await drain(q, 8);

		const rows = await entriesOf(q);
		expect(rows.length).toBe(2000);
		expect(new Set(rows.map((r) => r.consumer_id)).size).toBe(2000);
		expect(rows.every((r) => r.status === "QUEUED" && r.seq != null)).toBe(true);
		// Within a shard, line order is arrival order exactly.
		const bySeq = [...rows].sort((a, b) => (a.seq as number) - (b.seq as number));
		const last = new Map<number, number>();
		for (const r of bySeq) {
			const i = await shardIndex(q.encryptionSeed, r.consumer_id, 8);
			expect(r.entered_at).toBeGreaterThanOrEqual(last.get(i) ?? 0);
			last.set(i, r.entered_at);
		}
		// Admission is the queue's object's, unchanged: capacity holds, in line order.
		const admitted = await queueStub(q.id).admitNow(t.organizationId, 5000);
		expect(admitted).toEqual({ ok: true, value: { admitted: 100 } });
		const after = await entriesOf(q);
		const first100 = bySeq.slice(0, 100).map((r) => r.consumer_id);
		expect(
			after
				.filter((r) => r.status === "ADMITTED")
				.map((r) => r.consumer_id)
				.sort(),
		).toEqual(first100.sort());
	});
});

describe("ingest", () => {
	it("a re-sent batch (a lost acknowledgement) changes nothing", async () => {
		const t = await tenant();
		const q = await openQueue(t, { entryShards: 2 });
		const now = Date.now();
		const batch = [1, 2, 3].map((seq) => arrival(seq, `con_dup_${seq}`, now));
		const a = await queueStub(q.id).ingest(0, batch, now);
		expect(a.acked).toBe(3);
		await queueStub(q.id).leave(t.organizationId, { consumerId: "con_dup_2" });
		const b = await queueStub(q.id).ingest(0, batch, now);
		expect(b.acked).toBe(3);
		const rows = await entriesOf(q);
		expect(rows.map((r) => [r.consumer_id, r.status]).sort()).toEqual([
			["con_dup_1", "QUEUED"],
			["con_dup_2", "LEFT"],
			["con_dup_3", "QUEUED"],
		]);
	});
});

describe("ingest of consumers the queue knows already", () => {
	it("one who left enters again at the back; one still waiting keeps its place", async () => {
		const t = await tenant();
		const q = await openQueue(t, { entryShards: 2 });
		const now = Date.now();
		await queueStub(q.id).ingest(0, [arrival(1, "con_k1", now), arrival(2, "con_k2", now)], now);
		await queueStub(q.id).leave(t.organizationId, { consumerId: "con_k1" });
		const ack = await queueStub(q.id).ingest(
			0,
			[arrival(3, "con_k1", now), arrival(4, "con_k2", now), arrival(5, "con_k3", now)],
			now,
		);
		expect(ack).toMatchObject({ acked: 5, waiting: 3 });
		const rows = await entriesOf(q);
		expect(rows.map((r) => [r.consumer_id, r.status, r.seq]).sort()).toEqual([
			["con_k1", "QUEUED", 3],
			["con_k2", "QUEUED", 2],
			["con_k3", "QUEUED", 4],
		]);
	});
});

describe("ingest writes its counters once per batch", () => {
	it("the line numbers and waiting count it kept in memory are stored: after eviction the next enter is behind the batch", async () => {
		const t = await tenant();
		const q = await openQueue(t, { entryShards: 2 });
		const now = Date.now();
		const batch = [1, 2, 3].map((seq) => arrival(seq, `con_cnt_${seq}`, now));
		expect((await queueStub(q.id).ingest(0, batch, now)).waiting).toBe(3);
		await evictDurableObject(queueStub(q.id));
		const next = await queueStub(q.id).enter(t.organizationId, "con_cnt_after", 0);
		expect(next.ok && next.value.position).toBe(4);
		const rows = await entriesOf(q);
		expect(rows.map((r) => [r.consumer_id, r.seq]).sort()).toEqual([
			["con_cnt_1", 1],
			["con_cnt_2", 2],
			["con_cnt_3", 3],
			["con_cnt_after", 4],
		]);
		const counters = await objectRows<{ name: string; value: number }>(
			queueStub(q.id),
			"SELECT name, value FROM counters WHERE name IN ('queued', 'next_seq', 'shard_seq_0')",
		);
		expect(Object.fromEntries(counters.map((c) => [c.name, c.value]))).toEqual({
			queued: 4,
			next_seq: 5,
			shard_seq_0: 3,
		});
	});
});

describe("a sharded queue's entered events", () => {
	it("one queue.consumer.entered per batch lists every arrival (consumerIds); a pending leave is its own event", async () => {
		const t = await tenant();
		const q = await openQueue(t, { entryShards: 2 });
		const org = t.organizationId;
		const ids = ["con_ev1", "con_ev2", "con_ev3", "con_ev4", "con_ev5"];
		for (const id of ids) expect((await shard(q, 0).enter(org, id, 0)).ok).toBe(true);
		await shard(q, 0).leave(org, { consumerId: "con_ev3" });
		await drain(q, 2);
		const events = await waitFor(
			"the batch's events",
			() => eventsOf(t, q.id, "queue.consumer.*"),
			(rows) => rows.some((r) => r.type === "queue.consumer.left"),
			10_000,
		);
		const entered = events.filter((e) => e.type === "queue.consumer.entered");
		expect(entered).toHaveLength(1);
		expect(entered[0].data.consumerId).toBeUndefined();
		expect([...(entered[0].data.consumerIds ?? [])].sort()).toEqual(ids);
		expect(events.filter((e) => e.type === "queue.consumer.left").map((e) => e.data.consumerId)).toEqual(["con_ev3"]);
	});
});

describe("a pending arrival's place", () => {
	it("is the line as last acknowledged + k × the live arrivals ahead in its shard + 1, through leaves, re-entries and flushes", async () => {
		const t = await tenant();
		const k = 4;
		const q = await openQueue(t, { entryShards: k });
		const s = shard(q, 0);
		const org = t.organizationId;
		const place = async (consumerId: string) => {
			const r = await s.enter(org, consumerId, 0);
			if (!r.ok) throw new Error(r.error);
			return r.value.position;
		};
		expect([await place("con_p1"), await place("con_p2"), await place("con_p3")]).toEqual([1, 1 + k, 1 + 2 * k]);
		await s.leave(org, { consumerId: "con_p2" });
		// con_p2 left: two live arrivals are ahead of the next one, and of its own re-entry.
		expect(await place("con_p4")).toBe(1 + 2 * k);
		expect(await place("con_p2")).toBe(1 + 3 * k);
		// The shard's own answer to an arrival already pending counts the same rows.
		const again = await s.state(org, { consumerId: "con_p4" });
		expect(again.ok && again.value.position).toBe(1 + 2 * k);
		await drain(q, k);
		// Four in the line now (con_p1, p3, p4, p2): the next pending arrival is behind them.
		expect(await place("con_p5")).toBe(5);
		expect(await place("con_p6")).toBe(5 + k);
	});
});

describe("the shard's gate refuses as the queue's object does", () => {
	it("not_open, closed, sold_out; another organization's queue is not found", async () => {
		const t = await tenant();
		const later = await createQueue(t, { openAt: iso(Date.now() + 3_600_000), entryShards: 2 });
		expect(await shard(later, 0).enter(t.organizationId, "con_a", 0)).toEqual({ ok: false, error: "not_open" });
		const closing = await openQueue(t, { entryShards: 2, closeAt: iso(Date.now() + 1500) });
		await sleepUntil(Date.now() + 1600);
		expect(await shard(closing, 1).enter(t.organizationId, "con_b", 0)).toEqual({ ok: false, error: "closed" });
		const open = await openQueue(t, { entryShards: 2 });
		const plan = await queueStub(open.id).entryPlan(t.organizationId);
		expect(plan?.entryShards).toBe(2);
		expect(await shard(open, 0).enter("org_other", "con_c", 0)).toEqual({ ok: false, error: "not_found" });
		await runDurableObjectAlarm(shard(open, 0));
		const gate = await objectRows<{ json: string }>(shard(open, 0), "SELECT json FROM gate");
		const { timeline: stored, index } = JSON.parse(gate[0].json);
		await shard(open, 0).setGate(stored, index, true);
		expect(await shard(open, 0).enter(t.organizationId, "con_d", 0)).toEqual({ ok: false, error: "sold_out" });
		expect((await entriesOf(open)).length).toBe(0);
	});
});

describe("the gate reaches every shard", () => {
	it("a shard that missed a push gets it again from the queue's alarm; the merchant's PUT still succeeds", async () => {
		const t = await tenant();
		const q = await openQueue(t, { entryShards: 2, closeAt: iso(Date.now() + 600_000) });
		let failed = 0;
		// The RPC's own storage write fails once (an RPC method itself cannot be patched on the instance).
		await runInDurableObject(shard(q, 1), (instance) => {
			const store = (instance as unknown as { store: { setGate(gate: unknown): void } }).store;
			const real = store.setGate.bind(store);
			store.setGate = (gate) => {
				if (failed++ === 0) throw new Error(`${FAULT} shard unreachable`);
				real(gate);
			};
		});
		const closeAt = Date.now() + 1_200_000;
		const put = await putDistribution(t, "queue", q.id, { closeAt: iso(closeAt) });
		expect(put.status, put.text).toBe(200);
		const gateClose = async (i: number) => {
			const [row] = await objectRows<{ json: string }>(shard(q, i), "SELECT json FROM gate");
			return JSON.parse(row.json).timeline.closeAt as number;
		};
		expect(await gateClose(0)).toBe(closeAt);
		await waitFor(
			"shard 1 told again",
			() => gateClose(1),
			(at) => at === closeAt,
			6000,
			100,
		);
		expect(failed).toBe(2);
	});
});

describe("closing a sharded queue", () => {
	it("an arrival its shard still holds at closeAt is admitted, not stranded in a COMPLETED queue", async () => {
		const t = await tenant();
		const closeAt = Date.now() + 1500;
		const q = await openQueue(t, { entryShards: 2, closeAt: iso(closeAt), admissionRate: 600 });
		const s = await guest(t);
		const holder = await shardOf(q, s.consumerId, 2);
		expect((await holder.enter(t.organizationId, s.consumerId, 0)).ok).toBe(true);
		// Its flush is late (the shard's alarm held back): the queue's object closes with nobody in line.
		await runInDurableObject(holder, (_instance, state) => state.storage.deleteAlarm());
		await sleepUntil(closeAt + 50);
		await runDurableObjectAlarm(queueStub(q.id));
		expect((await call(`/api/v1/queues/${q.id}`, { key: t.secretKey })).json.status).toBe("CLOSED");
		await holder.flush();
		await waitFor(
			"the late-flushed arrival admitted",
			() => status(t, q.id, s),
			(r) => r.json.status === "ADMITTED",
			5000,
			100,
		);
	});

	it("with nobody left it completes SHARD_SILENT_MS after closeAt, when its admission tick looks again", async () => {
		const t = await tenant();
		const closeAt = Date.now() + 1000;
		const q = await openQueue(t, { entryShards: 2, closeAt: iso(closeAt), admissionRate: 600 });
		await sleepUntil(closeAt + 50);
		await runDurableObjectAlarm(queueStub(q.id));
		const statuses = async () => (await transitionsOf(queueStub(q.id))).map((r) => r.status);
		expect(await statuses()).not.toContain("COMPLETED");
		const [admit] = await objectRows<{ at: number }>(queueStub(q.id), "SELECT at FROM schedule WHERE kind = 'admit'");
		expect(admit.at).toBe(closeAt + SHARD_SILENT_MS);
		expect(await runScheduleAt(queueStub(q.id), "admit", closeAt + SHARD_SILENT_MS - 1)).toBe(
			closeAt + SHARD_SILENT_MS,
		);
		expect(await statuses()).not.toContain("COMPLETED");
		await runScheduleAt(queueStub(q.id), "admit", closeAt + SHARD_SILENT_MS);
		expect(await statuses()).toContain("COMPLETED");
	});
});

describe("the pre-queue spans every shard", () => {
	it("every arrival before openAt is shuffled in at open, ahead of everyone after", async () => {
		const t = await tenant();
		const openAt = Date.now() + 2500;
		const q = await createQueue(t, { openAt: iso(openAt), prequeueSeconds: 600, entryShards: 4 });
		const early = Array.from({ length: 40 }, (_, i) => `con_pre_${i}`);
		for (const id of early) expect((await (await shardOf(q, id, 4)).enter(t.organizationId, id, 0)).ok).toBe(true);
		await sleepUntil(openAt + 50);
		const late = Array.from({ length: 10 }, (_, i) => `con_post_${i}`);
		for (const id of late) expect((await (await shardOf(q, id, 4)).enter(t.organizationId, id, 0)).ok).toBe(true);
		await drain(q, 4);
		const rows = await entriesOf(q);
		expect(rows.length).toBe(50);
		expect(rows.every((r) => r.seq != null)).toBe(true);
		const maxEarly = Math.max(...rows.filter((r) => r.consumer_id.startsWith("con_pre")).map((r) => r.seq as number));
		const minLate = Math.min(...rows.filter((r) => r.consumer_id.startsWith("con_post")).map((r) => r.seq as number));
		expect(maxEarly).toBe(40);
		expect(minLate).toBe(41);
	});
});

describe("through the consumer API", () => {
	it("enter goes to the shard; status answers while pending and after; leave cancels a pending arrival", async () => {
		const t = await tenant();
		const q = await openQueue(t, { entryShards: 4 });
		const [a, b] = [await guest(t), await guest(t)];
		const entered = await enter(t, q.id, a);
		expect(entered.status, entered.text).toBe(200);
		expect(entered.json.status).toBe("QUEUED");
		expect((await status(t, q.id, a)).json.status).toBe("QUEUED");
		expect((await enter(t, q.id, b)).status).toBe(200);
		const left = await leave(t, q.id, b);
		expect(left.status, left.text).toBe(200);
		expect(left.json.status).toBe("LEFT");
		await drain(q, 4);
		const rows = await entriesOf(q);
		expect(rows.find((r) => r.consumer_id === a.consumerId)?.status).toBe("QUEUED");
		expect(rows.find((r) => r.consumer_id === b.consumerId)?.status).toBe("LEFT");
		const polled = await status(t, q.id, a);
		expect(polled.json).toMatchObject({ status: "QUEUED", position: 1 });
	});
});

describe("the merchant denying a consumer still pending in its shard", () => {
	it("is forwarded and denied at once: DENIED for the merchant and the shopper, and a later flush brings nothing back", async () => {
		const t = await tenant();
		const q = await openQueue(t, { entryShards: 4 });
		const [a, b] = [await guest(t), await guest(t)];
		for (const s of [a, b]) expect((await enter(t, q.id, s)).status).toBe(200);
		expect(await (await shardOf(q, a.consumerId, 4)).pendingCount()).toBeGreaterThan(0);
		const denied = await call(`/api/v1/queues/${q.id}/entries/${a.consumerId}/deny`, {
			key: t.secretKey,
			body: { reason: "bot" },
		});
		expect(denied.status, denied.text).toBe(200);
		expect(denied.json.status).toBe("DENIED");
		expect((await status(t, q.id, a)).json.status).toBe("DENIED");
		// Entering again does not bring a denied consumer back through the shard.
		expect((await enter(t, q.id, a)).json.status).toBe("DENIED");
		await drain(q, 4);
		const rows = await entriesOf(q);
		expect(rows.filter((r) => r.consumer_id === a.consumerId).map((r) => r.status)).toEqual(["DENIED"]);
		expect(rows.find((r) => r.consumer_id === b.consumerId)?.status).toBe("QUEUED");
		// Someone who never entered is still 404 Not in queue, after asking the shard.
		const stranger = await guest(t);
		expectProblem(
			await call(`/api/v1/queues/${q.id}/entries/${stranger.consumerId}/deny`, { key: t.secretKey, body: {} }),
			404,
		);
	});
});

describe("the live socket of a consumer still pending in its shard", () => {
	afterEach(closeLive);

	it("connects with the consumer's place: the shard forwards the arrival before the socket opens", async () => {
		const t = await tenant();
		const q = await openQueue(t, { entryShards: 4 });
		const a = await guest(t);
		expect((await enter(t, q.id, a)).status).toBe(200);
		const qs = new URLSearchParams({ key: t.publishableKey, token: a.accessToken });
		const live = await connect(`${BASE}/consumer/v1/queues/${q.id}/live?${qs}`);
		expect(await live.next()).toMatchObject({ type: "status", status: "QUEUED", position: 1 });
		expect(await (await shardOf(q, a.consumerId, 4)).pendingCount()).toBe(0);
	});
});

describe("deleting a sharded queue", () => {
	it("wipes every shard: no arrival, gate or alarm is left behind", async () => {
		const t = await tenant();
		const q = await createQueue(t, { openAt: iso(Date.now() + 3_600_000), prequeueSeconds: 7200, entryShards: 2 });
		for (const id of ["con_del_1", "con_del_2", "con_del_3"]) {
			expect((await (await shardOf(q, id, 2)).enter(t.organizationId, id, 0)).ok).toBe(true);
		}
		const res = await call(`/api/v1/queues/${q.id}`, { method: "DELETE", key: t.secretKey });
		expect(res.status, res.text).toBeLessThan(300);
		for (const i of [0, 1]) {
			expect(await shard(q, i).enter(t.organizationId, "con_del_4", 0)).toEqual({ ok: false, error: "not_found" });
			expect(await runDurableObjectAlarm(shard(q, i))).toBe(false);
		}
	});
});
