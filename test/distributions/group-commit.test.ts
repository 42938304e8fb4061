/**
 * Group commit (kernel/group-commit.ts): the calls that arrive before the next turn share one
 * flush, each answered with its own outcome; the kernel's `grouped` runs each change in its own
 * savepoint of one transaction, so one that throws rolls back alone.
 */
import { evictDurableObject, runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { BUSY_MS, GroupCommit, settle } from "../../src/distributions/kernel/group-commit";
import { newId } from "../../src/lib/ids";

describe("GroupCommit", () => {
	it("flushes a call to an idle group at once, then the calls of one busy turn together, in arrival order, each with its own outcome", async () => {
		const flushes: number[][] = [];
		const group = new GroupCommit<number, number>((items) => {
			flushes.push(items);
			return items.map((n) =>
				settle(() => {
					if (n === 3) throw new Error("three");
					return n * 10;
				}),
			);
		});
		const calls = [1, 2, 3, 4].map((n) => group.add(n));
		// Idle: the first call was flushed in the caller's own task, before add returned.
		expect(flushes).toEqual([[1]]);
		const outcomes = await Promise.allSettled(calls);
		expect(flushes).toEqual([[1], [2, 3, 4]]);
		expect(outcomes.map((o) => (o.status === "fulfilled" ? o.value : (o.reason as Error).message))).toEqual([
			10,
			20,
			"three",
			40,
		]);
		// A call right after a flush is still busy: the next group's.
		expect(await group.add(5)).toBe(50);
		expect(flushes).toEqual([[1], [2, 3, 4], [5]]);
		// Idle again once BUSY_MS has passed: flushed at once.
		await new Promise((resolve) => setTimeout(resolve, BUSY_MS + 5));
		const six = group.add(6);
		expect(flushes.at(-1)).toEqual([6]);
		expect(await six).toBe(60);
	});

	it("fails every call of a group whose flush throws, and serves the next group", async () => {
		let fail = true;
		const group = new GroupCommit<string, string>(async (items) => {
			if (fail) throw new Error("storage down");
			return items.map((s) => ({ ok: true, value: s.toUpperCase() }));
		});
		const failed = await Promise.allSettled([group.add("a"), group.add("b"), group.add("c")]);
		expect(failed.map((o) => o.status)).toEqual(["rejected", "rejected", "rejected"]);
		fail = false;
		expect(await Promise.all([group.add("d"), group.add("e")])).toEqual(["D", "E"]);
	});
});

interface Grouping {
	grouped<T>(change: (now: number) => T): Promise<T>;
}

describe("DistributionObject.grouped", () => {
	it("runs concurrent changes in arrival order, a busy turn's in one transaction, and rolls back only the one that throws", async () => {
		const stub = env.QUEUE_OBJECT.getByName(newId("queue"));
		await runInDurableObject(stub, async (instance, state) => {
			const sql = state.storage.sql;
			const set = (name: string, value: number) =>
				sql.exec("INSERT OR REPLACE INTO counters (name, value) VALUES (?, ?)", name, value);
			const read = (name: string) =>
				sql.exec<{ value: number }>("SELECT value FROM counters WHERE name = ?", name).toArray()[0]?.value ?? null;
			const q = instance as unknown as Grouping;
			const times: number[] = [];
			const first = q.grouped((now) => {
				times.push(now);
				set("test_a", 1);
				return "a";
			});
			const failing = q.grouped((now) => {
				times.push(now);
				set("test_b", 2);
				throw new Error("refused mid-change");
			});
			// Sees the first change's write: arrival order.
			const third = q.grouped((now) => {
				times.push(now);
				set("test_c", (read("test_a") ?? 0) + 10);
				return "c";
			});
			const outcomes = await Promise.allSettled([first, failing, third]);
			expect(outcomes.map((o) => o.status)).toEqual(["fulfilled", "rejected", "fulfilled"]);
			expect((outcomes[1] as PromiseRejectedResult).reason).toMatchObject({ message: "refused mid-change" });
			expect([read("test_a"), read("test_b"), read("test_c")]).toEqual([1, null, 11]);
			// The first ran at once (idle); the two after it as one group, at the group's one `now`.
			expect(times[1]).toBe(times[2]);
		});
		// Stored, not only in memory: a fresh instance reads the same.
		await evictDurableObject(stub);
		await runInDurableObject(stub, async (_instance, state) => {
			const rows = state.storage.sql
				.exec<{ name: string; value: number }>(
					"SELECT name, value FROM counters WHERE name LIKE 'test_%' ORDER BY name",
				)
				.toArray();
			expect(rows).toEqual([
				{ name: "test_a", value: 1 },
				{ name: "test_c", value: 11 },
			]);
		});
	});
});
