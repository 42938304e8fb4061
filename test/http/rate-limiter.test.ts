/**
 * The RateLimiter shards behind the consumer API's exact budgets (rate-limit.ts `spendSharded`):
 * each key keeps its own sliding log inside a shared shard, counted in memory as hits arrive and
 * stored behind the answers (within WRITE_BEHIND_MS), so an instance evicted once idle hands no
 * consumer a fresh budget.
 */
import { evictDurableObject, runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { LIMITER_SHARDS, limiterShard, spend, spendSharded } from "../../src/http/middleware/rate-limit";
import { WRITE_BEHIND_MS } from "../../src/http/middleware/rate-limiter-object";
import { newId } from "../../src/lib/ids";
import { sleep, waitFor } from "../support/time";

const shardOf = (key: string) => env.RATE_LIMITER.getByName(`limits:${limiterShard(key)}`);

/** The rows `bucket` has in its shard's table. */
const storedHits = (key: string, bucket: string) =>
	runInDurableObject(
		shardOf(key),
		(_instance, state) =>
			state.storage.sql
				.exec<{ n: number }>("SELECT COUNT(*) AS n FROM hits WHERE bucket = ?", `${bucket}|${key}`)
				.toArray()[0].n,
	);

describe("RateLimiter shards", () => {
	it("spreads keys over the shards and always names the same one for a key", () => {
		const seen = new Set<number>();
		for (let i = 0; i < 2000; i++) {
			const key = `consumer:${newId("con")}`;
			const shard = limiterShard(key);
			expect(shard).toBe(limiterShard(key));
			expect(shard).toBeGreaterThanOrEqual(0);
			expect(shard).toBeLessThan(LIMITER_SHARDS);
			seen.add(shard);
		}
		expect(seen.size).toBe(LIMITER_SHARDS);
	});

	it("keeps each key's log apart within one shard, and exact across an eviction", async () => {
		// Two keys of the same shard: one spending its budget leaves the other's whole.
		const a = `consumer:${newId("con")}`;
		let b = `consumer:${newId("con")}`;
		while (limiterShard(b) !== limiterShard(a)) b = `consumer:${newId("con")}`;
		for (let i = 0; i < 3; i++) expect((await spendSharded(env, a, "enter", 3)).allowed).toBe(true);
		const refused = await spendSharded(env, a, "enter", 3);
		expect(refused).toMatchObject({ allowed: false, remaining: 0, limit: 3 });
		expect(refused.resetMs).toBeGreaterThan(0);
		expect(await spendSharded(env, b, "enter", 3)).toMatchObject({ allowed: true, remaining: 2 });
		// Another path of the same key has its own bucket.
		expect(await spendSharded(env, a, "bids", 3)).toMatchObject({ allowed: true, remaining: 2 });

		// Once the hits are stored, a fresh instance reads the logs back: no budget comes back with it.
		await waitFor(
			"a's hits stored",
			() => storedHits(a, "enter"),
			(n) => n === 3,
		);
		await evictDurableObject(shardOf(a));
		expect((await spendSharded(env, a, "enter", 3)).allowed).toBe(false);
		expect(await spendSharded(env, b, "enter", 3)).toMatchObject({ allowed: true, remaining: 1 });
	});

	it("allows exactly the budget of 300 concurrent hits, stores each one, and keeps the count across eviction", async () => {
		const key = `consumer:${newId("con")}`;
		const results = await Promise.all(Array.from({ length: 300 }, () => spendSharded(env, key, "enter", 50)));
		expect(results.filter((r) => r.allowed)).toHaveLength(50);
		// Every allowed answer names a distinct remaining count: no two hits took the same slot.
		const remaining = results.filter((r) => r.allowed).map((r) => r.remaining);
		expect(new Set(remaining).size).toBe(50);
		// Written behind the answers: all 50 rows, and no refused one, within WRITE_BEHIND_MS or so.
		expect(
			await waitFor(
				"50 hits stored",
				() => storedHits(key, "enter"),
				(n) => n >= 50,
			),
		).toBe(50);
		await sleep(WRITE_BEHIND_MS);
		expect(await storedHits(key, "enter")).toBe(50);
		await evictDurableObject(shardOf(key));
		expect((await spendSharded(env, key, "enter", 50)).allowed).toBe(false);
	});

	it("prunes a bucket's hits that left its window when the bucket is hit again", async () => {
		const key = `consumer:${newId("con")}`;
		const windowMs = 2000;
		for (let i = 0; i < 3; i++) expect((await spendSharded(env, key, "bids", 3, windowMs)).allowed).toBe(true);
		expect((await spendSharded(env, key, "bids", 3, windowMs)).allowed).toBe(false);
		await waitFor(
			"3 hits stored",
			() => storedHits(key, "bids"),
			(n) => n === 3,
		);
		await sleep(windowMs + 50);
		// The window has passed: the budget is whole again, and the old rows go with the next write.
		expect(await spendSharded(env, key, "bids", 3, windowMs)).toMatchObject({ allowed: true, remaining: 2 });
		expect(
			await waitFor(
				"old rows pruned",
				() => storedHits(key, "bids"),
				(n) => n === 1,
			),
		).toBe(1);
		await evictDurableObject(shardOf(key));
		expect(await spendSharded(env, key, "bids", 3, windowMs)).toMatchObject({ allowed: true, remaining: 1 });
	});

	it("a quiet limiter (an API key's) stores a hit before answering; a busy one stores the next hits together, behind", async () => {
		const name = newId("key");
		const stub = env.RATE_LIMITER.getByName(name);
		const rows = () =>
			runInDurableObject(stub, (_instance, state) =>
				state.storage.sql.exec<{ at: number }>("SELECT at FROM hits WHERE bucket = 'admin'").toArray(),
			);
		expect((await spend(env, name, "admin", 300)).remaining).toBe(299);
		expect(await rows()).toHaveLength(1);
		// Busy now: these are counted at once and written in one go after WRITE_BEHIND_MS.
		const burst = await Promise.all(Array.from({ length: 20 }, () => spend(env, name, "admin", 300)));
		expect(new Set(burst.map((r) => r.remaining)).size).toBe(20);
		expect(await waitFor("the burst stored", rows, (r) => r.length === 21)).toHaveLength(21);
		await evictDurableObject(stub);
		expect((await spend(env, name, "admin", 300)).remaining).toBe(278);
	});
});
