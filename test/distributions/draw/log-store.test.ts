/**
 * The draw's entry log keeps its head and the tree's right edge in memory (log-store.ts): an append
 * rolled back with its transaction must leave nothing there, or the next record would take a wrong
 * seq or hash against a node that was never stored. Checked against a fresh LogStore, which reads
 * everything from the tables, and against the RFC 9162 root of the records themselves.
 */
import { runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { encodeRecord, type LogRecord } from "../../../src/distributions/draw/fairness";
import { LogStore } from "../../../src/distributions/draw/log-store";
import type { DrawObject } from "../../../src/distributions/draw/object";
import { fromPerfect, leafHash, nodeHash, rootOf } from "../../../src/distributions/draw/transparency";
import { newId } from "../../../src/lib/ids";
import { hex, utf8 } from "../../../src/lib/sha256";

type Inside = { log: LogStore; atomically<T>(fn: () => T): T };

/** The root of `records` computed from their leaves alone (no store, no cache). */
function rootOfRecords(records: LogRecord[]): string {
	const leaves = records.map((r) => leafHash(utf8(encodeRecord(r))));
	const perfect = (level: number, index: number): Uint8Array =>
		level === 0 ? leaves[index] : nodeHash(perfect(level - 1, 2 * index), perfect(level - 1, 2 * index + 1));
	return hex(rootOf(fromPerfect(perfect), records.length));
}

const record = (n: number): LogRecord => ({ type: "enter", entryId: `ent_${n}`, at: 1_000 + n });

describe("the draw log's memory", () => {
	it("forgets an append rolled back with its transaction: the next record takes its place", async () => {
		const stub = env.DRAW_OBJECT.getByName(newId("draw"));
		await runInDurableObject(stub, (instance: DrawObject, state) => {
			const inside = instance as unknown as Inside;
			const kept = [record(0), record(1), record(2)];
			for (const r of kept) inside.log.append(r);
			expect(() =>
				inside.atomically(() => {
					// Record 3 would complete nodes up to level 2: all of them go with the rollback.
					inside.log.append(record(99));
					throw new Error("rolled back");
				}),
			).toThrow("rolled back");
			expect(inside.log.head().size).toBe(3);
			const next = inside.log.append(record(3));
			expect(next.seq).toBe(3);
			kept.push(record(3));
			expect(next.root).toBe(rootOfRecords(kept));
			const fresh = new LogStore(state.storage.sql);
			expect(fresh.head()).toEqual(inside.log.head());
			expect(fresh.inclusion(1, 4)).toEqual(inside.log.inclusion(1, 4));
		});
	});
});
