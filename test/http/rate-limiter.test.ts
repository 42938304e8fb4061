/**
 * The RateLimiter shards behind the consumer API's exact budgets (rate-limit.ts `spendSharded`):
 * each key keeps its own sliding log inside a shared shard, and the in-memory copy of the log
 * never lets an eviction hand a consumer a fresh budget.
 */
import { evictDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { LIMITER_SHARDS, limiterShard, spendSharded } from "../../src/http/middleware/rate-limit";
import { newId } from "../../src/lib/ids";

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

		// A fresh instance reads the logs back from its table: no budget comes back with it.
		await evictDurableObject(env.RATE_LIMITER.getByName(`limits:${limiterShard(a)}`));
		expect((await spendSharded(env, a, "enter", 3)).allowed).toBe(false);
		expect(await spendSharded(env, b, "enter", 3)).toMatchObject({ allowed: true, remaining: 1 });
	});
});
