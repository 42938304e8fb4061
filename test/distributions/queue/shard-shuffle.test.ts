/**
 * A sharded pre-queue's shuffle when a shard does not report at openAt (src/distributions/queue/
 * shards/intake.ts, plan.ts `shuffleDue`): the queue's admission tick nudges a shard whose alarm
 * stopped, so the shuffle still spans every shard; a shard that stays down holds the line for
 * SHARD_SILENT_MS at most, and its pre-queue arrivals, when they come, go to the back, none lost.
 * The shard is taken down by fault injection on its live instance (its flush's batch fails).
 */
import { runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it, vi } from "vitest";
import { SHARD_SILENT_MS, shardIndex, shardName, shuffleDue } from "../../../src/distributions/queue/shards/plan";
import type { Distribution } from "../../support/distributions";
import { FAULT } from "../../support/faults";
import { tenant } from "../../support/helpers";
import { objectRows, queueStub, runScheduleAt } from "../../support/objects";
import { createQueue } from "../../support/queue";
import { iso, sleepUntil, waitFor } from "../../support/time";

const K = 4;
const shard = (q: Distribution, i: number) => env.QUEUE_SHARD.getByName(shardName(q.id, i));

type Row = { consumer_id: string; seq: number | null; status: string };
const entriesOf = (q: Distribution) =>
	objectRows<Row>(queueStub(q.id), "SELECT consumer_id, seq, status FROM entries ORDER BY seq");

/** A queue opening in 2.5 s with a pre-queue over K shards, and `n` consumers who entered before openAt, by shard. */
async function prequeued(n: number) {
	const t = await tenant();
	const openAt = Date.now() + 2500;
	const q = await createQueue(t, { openAt: iso(openAt), prequeueSeconds: 600, entryShards: K });
	const byShard: string[][] = Array.from({ length: K }, () => []);
	for (let i = 0; i < n; i++) {
		const id = `con_pre_${i}`;
		const index = await shardIndex(q.encryptionSeed, id, K);
		expect((await shard(q, index).enter(t.organizationId, id, 0)).ok).toBe(true);
		byShard[index].push(id);
	}
	for (const ids of byShard) expect(ids.length, "every shard holds part of the pre-queue").toBeGreaterThan(0);
	return { t, q, openAt, byShard };
}

describe("shuffleDue, the rule", () => {
	const openAt = 100_000;
	it("waits for every shard that has not drained past openAt, until each has been silent SHARD_SILENT_MS", () => {
		expect(shuffleDue(openAt, [0, 0], [], 0, openAt - 1)).toEqual({ due: false, waitingFor: [] });
		expect(shuffleDue(openAt, [openAt, openAt + 5], [], 0, openAt)).toEqual({ due: true, waitingFor: [] });
		expect(shuffleDue(openAt, [openAt, 0], [], 0, openAt + 10)).toEqual({ due: false, waitingFor: [1] });
		// Silence counts from openAt, or from the shard's last batch after it, or from the instance's start.
		expect(shuffleDue(openAt, [openAt, 0], [], 0, openAt + SHARD_SILENT_MS).due).toBe(true);
		expect(shuffleDue(openAt, [openAt, 0], [undefined, openAt + 4000], 0, openAt + SHARD_SILENT_MS).due).toBe(false);
		expect(shuffleDue(openAt, [openAt, 0], [], openAt + 2000, openAt + SHARD_SILENT_MS).due).toBe(false);
		expect(shuffleDue(openAt, [openAt, 0], [undefined, openAt - 1], 0, openAt + SHARD_SILENT_MS).due).toBe(true);
		// Every missing shard must be silent, not just one.
		expect(shuffleDue(openAt, [0, 0], [openAt + 3000, undefined], 0, openAt + SHARD_SILENT_MS).due).toBe(false);
	});
});

describe("a shard that does not report at openAt", () => {
	it("whose alarm stopped is nudged by the queue's tick: the shuffle still spans every shard", async () => {
		const { q, openAt, byShard } = await prequeued(40);
		// Shard 3 lost its alarm (as when the runtime gives up one that kept throwing): it would never flush.
		await runInDurableObject(shard(q, 3), (_instance, state) => state.storage.deleteAlarm());
		await sleepUntil(openAt + 50);
		for (let i = 0; i < 3; i++) await runDurableObjectAlarm(shard(q, i));
		const rows = await waitFor(
			"the pre-queue shuffled with shard 3's arrivals",
			() => entriesOf(q),
			(r) => r.length === 40 && r.every((e) => e.seq != null),
		);
		expect(rows.map((r) => r.seq)).toEqual(Array.from({ length: 40 }, (_, i) => i + 1));
		expect(await shard(q, 3).pendingCount()).toBe(0);
		expect(rows.filter((r) => byShard[3].includes(r.consumer_id)).length).toBe(byShard[3].length);
	});

	it("that stays down holds the line SHARD_SILENT_MS at most; its pre-queue comes in at the back, none lost", async () => {
		const { t, q, openAt, byShard } = await prequeued(40);
		await runInDurableObject(shard(q, 3), (instance, state) => {
			(instance as unknown as { forward(): Promise<void> }).forward = () =>
				Promise.reject(new Error(`${FAULT} shard down`));
			return state.storage.deleteAlarm();
		});
		await sleepUntil(openAt + 50);
		const late = Array.from({ length: 12 }, (_, i) => `con_post_${i}`);
		const lateUp: string[] = [];
		for (const id of late) {
			const index = await shardIndex(q.encryptionSeed, id, K);
			if (index === 3) continue;
			expect((await shard(q, index).enter(t.organizationId, id, 0)).ok).toBe(true);
			lateUp.push(id);
		}
		for (let i = 0; i < 3; i++) await runDurableObjectAlarm(shard(q, i));
		// The queue's clock past the silence: the shuffle goes on without shard 3.
		const warn = vi.spyOn(console, "warn").mockImplementation(() => {});
		try {
			await runScheduleAt(queueStub(q.id), "admit", openAt + SHARD_SILENT_MS + 1);
		} finally {
			warn.mockRestore();
		}
		const up = byShard.slice(0, 3).flat();
		let rows = await entriesOf(q);
		const seqOf = (id: string) => rows.find((r) => r.consumer_id === id)?.seq;
		expect(up.map(seqOf).sort((a, b) => (a as number) - (b as number))).toEqual(
			Array.from({ length: up.length }, (_, i) => i + 1),
		);
		// The later arrivals the shuffle held in their shards come in behind it.
		for (let i = 0; i < 3; i++) await runDurableObjectAlarm(shard(q, i));
		rows = await entriesOf(q);
		expect(lateUp.every((id) => (seqOf(id) as number) > up.length)).toBe(true);
		// Shard 3 comes back: its pre-queue is placed at the back, each consumer once.
		await runInDurableObject(shard(q, 3), (instance) => {
			delete (instance as unknown as { forward?: unknown }).forward;
		});
		await shard(q, 3).flush();
		rows = await entriesOf(q);
		expect(rows.length).toBe(40 + lateUp.length);
		expect(rows.every((r) => r.seq != null && r.status === "QUEUED")).toBe(true);
		expect(new Set(rows.map((r) => r.seq)).size).toBe(rows.length);
		const maxBefore = Math.max(...[...up, ...lateUp].map((id) => seqOf(id) as number));
		expect(byShard[3].every((id) => (seqOf(id) as number) > maxBefore)).toBe(true);
		expect(await shard(q, 3).pendingCount()).toBe(0);
	});

	it("while it waits, a pre-queue consumer who left and enters again does not jump the shuffle", async () => {
		const { t, q, openAt, byShard } = await prequeued(40);
		const jumper = byShard[0][0];
		// Forwarded before openAt, then left: entering again goes straight to the queue's object.
		await shard(q, 0).flush();
		expect((await shard(q, 0).leave(t.organizationId, { consumerId: jumper })).ok).toBe(true);
		// Shard 3 is down, so the shuffle waits for it.
		await runInDurableObject(shard(q, 3), (instance, state) => {
			(instance as unknown as { forward(): Promise<void> }).forward = () =>
				Promise.reject(new Error(`${FAULT} shard down`));
			return state.storage.deleteAlarm();
		});
		await sleepUntil(openAt + 50);
		for (let i = 0; i < 3; i++) await runDurableObjectAlarm(shard(q, i));
		const back = await shard(q, 0).enter(t.organizationId, jumper, 0);
		expect(back.ok).toBe(true);
		const seqOf = async (id: string) => (await entriesOf(q)).find((r) => r.consumer_id === id)?.seq;
		expect(await seqOf(jumper), "placed before the pre-queue was shuffled").toBeNull();

		// Shard 3 back: the shuffle places the 39 who stayed, then the one who came back.
		await runInDurableObject(shard(q, 3), (instance) => {
			delete (instance as unknown as { forward?: unknown }).forward;
		});
		await shard(q, 3).flush();
		const rows = await waitFor(
			"the pre-queue shuffled",
			() => entriesOf(q),
			(r) => r.length === 40 && r.every((e) => e.seq != null),
		);
		expect(rows.map((r) => r.seq)).toEqual(Array.from({ length: 40 }, (_, i) => i + 1));
		expect(await seqOf(jumper)).toBe(40);
	});
});
