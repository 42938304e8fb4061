/**
 * The queue's counters (src/distributions/queue/counters.ts) on a real queue object's SQLite:
 * deferred changes are written once at the end (nothing if the batch throws), a line number is
 * never below its lane's first, and a counter deleted inside a deferred batch stays deleted.
 */
import { runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { Counters } from "../../../src/distributions/queue/counters";
import { tenant } from "../../support/helpers";
import { queueStub } from "../../support/objects";
import { createQueue } from "../../support/queue";

const stored = (sql: SqlStorage) =>
	Object.fromEntries(
		sql
			.exec<{ name: string; value: number }>("SELECT name, value FROM counters WHERE name LIKE 't_%'")
			.toArray()
			.map((r) => [r.name, r.value]),
	);

describe("Counters", () => {
	it("writes deferred changes once at the end, nothing when the batch throws, and keeps a deleted counter deleted", async () => {
		const q = await createQueue(await tenant(), {});
		await runInDurableObject(queueStub(q.id), (_instance, state) => {
			const sql = state.storage.sql;
			const c = new Counters(sql);
			expect(c.take("t_seq", 1)).toBe(1);
			expect(c.take("t_seq", 1)).toBe(2);
			expect(c.take("t_back", 100)).toBe(100);
			c.set("t_stock", 5);
			c.deferred(() => {
				c.add("t_queued", 3);
				expect(c.take("t_seq", 1)).toBe(3);
				c.delete("t_stock");
				expect(stored(sql).t_queued, "not written before the batch ends").toBeUndefined();
			});
			expect(stored(sql)).toEqual({ t_seq: 4, t_back: 101, t_queued: 3 });
			expect(c.find("t_stock")).toBeNull();
			expect(() =>
				state.storage.transactionSync(() =>
					c.deferred(() => {
						c.add("t_queued", 10);
						throw new Error("batch failed");
					}),
				),
			).toThrow("batch failed");
			c.forget();
			expect(c.get("t_queued")).toBe(3);
			expect(new Counters(sql).get("t_seq")).toBe(4);
		});
	});
});
