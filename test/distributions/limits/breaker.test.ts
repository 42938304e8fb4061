/**
 * The per-distribution circuit breaker (issue 16, item 3): enters past the threshold in one
 * second are shed with 429 `Distribution busy` and Retry-After before they reach the object, so a
 * shed enter stores nothing; another distribution is unaffected. The threshold is lowered to 5 a
 * second here (BREAKER_ENTERS_PER_SECOND), the budgets are the real ones.
 */
import { describe, expect, it } from "vitest";
import { admitArrival } from "../../../src/distributions/limits/breaker";
import { DEFAULT_BREAKER_PER_SECOND } from "../../../src/distributions/limits/budgets";
import { guests, tenant } from "../../support/helpers";
import { consumerVia, realEnv } from "../../support/limits";
import { openQueue, queueEntries } from "../../support/queue";

const THRESHOLD = 5;
const tight = realEnv({ BREAKER_ENTERS_PER_SECOND: String(THRESHOLD) });

describe("circuit breaker", () => {
	it("defaults to 800 enters a second per distribution; counts per second", () => {
		expect(DEFAULT_BREAKER_PER_SECOND).toBe(800);
		const key = `unit|${crypto.randomUUID()}`;
		const second = 1_000_000_000_000;
		expect([1, 2, 3].map(() => admitArrival(key, 2, second))).toEqual([true, true, false]);
		expect(admitArrival(key, 2, second + 999), "same second").toBe(false);
		expect(admitArrival(key, 2, second + 1000), "the next second").toBe(true);
		expect(admitArrival(`${key}-other`, 2, second), "another distribution").toBe(true);
	});

	it("a burst of 40 enters at one queue: the excess is 429 Distribution busy with Retry-After, and only the taken enters hold places", {
		timeout: 60_000,
	}, async () => {
		const t = await tenant();
		const shoppers = await guests(t, 40);
		const q = await openQueue(t);
		const results = await Promise.all(
			shoppers.map((s) => consumerVia(tight, t, `/queues/${q.id}/enter`, { method: "POST", token: s.accessToken })),
		);
		const taken = results.filter((r) => r.status === 200);
		const shed = results.filter((r) => r.status === 429);
		expect(taken.length + shed.length).toBe(40);
		expect(shed.length).toBeGreaterThan(0);
		for (const r of shed) {
			expect(r.json.title).toBe("Distribution busy");
			expect(r.headers.get("Content-Type")).toContain("application/problem+json");
			expect(Number(r.headers.get("Retry-After"))).toBeGreaterThanOrEqual(1);
			expect(Number(r.headers.get("Retry-After"))).toBeLessThanOrEqual(3);
		}
		const entries = await queueEntries(t, q.id);
		expect(entries, "a shed enter stores nothing").toHaveLength(taken.length);
		expect(new Set(entries.map((e) => e.consumerId))).toEqual(new Set(taken.map((r) => r.json.consumerId)));

		// Another queue's first arrival is counted on its own.
		const other = await openQueue(t);
		const elsewhere = await consumerVia(tight, t, `/queues/${other.id}/enter`, {
			method: "POST",
			token: shoppers[0].accessToken,
		});
		expect(elsewhere.status, elsewhere.text).toBe(200);
	});

	it("a sharded queue's threshold is k times the object's: 40 enters at a queue of 8 shards are all taken", {
		timeout: 60_000,
	}, async () => {
		const t = await tenant();
		const shoppers = await guests(t, 40);
		const q = await openQueue(t, { entryShards: 8 });
		const results = await Promise.all(
			shoppers.map((s) => consumerVia(tight, t, `/queues/${q.id}/enter`, { method: "POST", token: s.accessToken })),
		);
		// 8 × 5 a second: the burst fits in any second it lands in (an unsharded queue took ≤ 5 a second).
		expect(results.map((r) => r.status)).toEqual(results.map(() => 200));
	});
});
