/**
 * Limits on the consumer API's hot paths (issue 16, item 3), with the real default budgets
 * (budgets.ts; the suite raises them, test/support/limits.ts drops that): per consumer and per
 * client address — an IPv6 /64 as one — on enter, status, bids and live connects, each answer with
 * RateLimit-* headers, a spent budget a 429 `Rate limit exceeded` with Retry-After that stores
 * nothing; 1,000 rotated addresses in one /64 share one budget while another /64 has its own.
 */
import { runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { DEFAULT_BUDGETS } from "../../../src/distributions/limits/budgets";
import { shardIndex, shardName } from "../../../src/distributions/queue/shards/plan";
import { openAuction } from "../../support/auction";
import { allEntries, consumerDraw, shortDraw } from "../../support/draw";
import { call, countRows, guests, type Shopper, tenant } from "../../support/helpers";
import { consumerVia, inSlash64, realEnv } from "../../support/limits";
import { openQueue, queueEntries } from "../../support/queue";

const real = realEnv();

const enterQueue = (t: Awaited<ReturnType<typeof tenant>>, queueId: string, s: Shopper, ip?: string) =>
	consumerVia(real, t, `/queues/${queueId}/enter`, { method: "POST", token: s.accessToken, ip });

function expectRefused(res: { status: number; json: any; headers: Headers }, limit: number) {
	expect(res.status, JSON.stringify(res.json)).toBe(429);
	expect(res.json.title).toBe("Rate limit exceeded");
	expect(res.headers.get("Content-Type")).toContain("application/problem+json");
	expect(Number(res.headers.get("Retry-After"))).toBeGreaterThanOrEqual(1);
	expect(res.headers.get("RateLimit-Limit")).toBe(String(limit));
	expect(res.headers.get("RateLimit-Remaining")).toBe("0");
	expect(res.headers.get("RateLimit-Reset")).toMatch(/^\d+$/);
}

describe("the documented defaults", () => {
	it("per minute: enter 10/100, status 120/1200, bids 60/600, connects 20/200 (consumer/address)", () => {
		expect(DEFAULT_BUDGETS).toEqual({
			enter: { consumer: 10, address: 100 },
			status: { consumer: 120, address: 1200 },
			bids: { consumer: 60, address: 600 },
			connects: { consumer: 20, address: 200 },
		});
	});
});

describe("enter", () => {
	it("10 enters a minute per consumer, with RateLimit-* on each; the 11th is 429 and stores nothing; another consumer is unaffected", async () => {
		const t = await tenant();
		const [a, b] = await guests(t, 2);
		const q = await openQueue(t);
		const budget = DEFAULT_BUDGETS.enter.consumer;
		for (let i = 0; i < budget; i++) {
			const res = await enterQueue(t, q.id, a);
			expect(res.status, res.text).toBe(200);
			expect(res.headers.get("RateLimit-Limit")).toBe(String(budget));
			expect(res.headers.get("RateLimit-Remaining")).toBe(String(budget - 1 - i));
			expect(Number(res.headers.get("RateLimit-Reset"))).toBeGreaterThan(0);
		}
		// The 11th enter is at another queue: refused before it, so that queue holds nobody.
		const other = await openQueue(t);
		expectRefused(await enterQueue(t, other.id, a), budget);
		expect(await queueEntries(t, other.id)).toHaveLength(0);
		expect((await enterQueue(t, other.id, b)).status).toBe(200);
	});

	it("1,000 rotated addresses within one /64 share its 100 enters; another /64 and an IPv4 address have their own", {
		timeout: 120_000,
	}, async () => {
		const t = await tenant();
		const perAddress = DEFAULT_BUDGETS.enter.address;
		const perConsumer = DEFAULT_BUDGETS.enter.consumer;
		// 100 consumers × 10 enters each: every consumer's own budget holds all 1,000.
		const shoppers = await guests(t, 1000 / perConsumer);
		const q = await openQueue(t);
		const results = [];
		for (let round = 0; round < perConsumer; round++) {
			results.push(...(await Promise.all(shoppers.map((s, i) => enterQueue(t, q.id, s, inSlash64(round * 100 + i))))));
		}
		const ok = results.filter((r) => r.status === 200);
		const refused = results.filter((r) => r.status === 429);
		expect(ok).toHaveLength(perAddress);
		expect(refused).toHaveLength(1000 - perAddress);
		for (const r of refused) expect(r.json.detail).toContain("per client address");
		expectRefused(refused[0], perAddress);
		// Only the accepted enters hold places (an enter again returns the same place).
		expect((await queueEntries(t, q.id)).length).toBeLessThanOrEqual(perAddress);

		const [fresh] = await guests(t, 1);
		expect((await enterQueue(t, q.id, fresh, "2001:db8:aa:bc::1")).status, "another /64").toBe(200);
		expect((await enterQueue(t, q.id, fresh, "198.51.100.20")).status, "an IPv4 address").toBe(200);
		// The same /64 written differently (leading zeros, ::) is the same budget.
		expectRefused(await enterQueue(t, q.id, fresh, "2001:0db8:00aa:00bb:0000::9"), perAddress);
	});

	it("draw enter has the same budget", async () => {
		const t = await tenant();
		const [a] = await guests(t, 1);
		const d = await shortDraw(t, {}, 60_000, 120_000);
		for (let i = 0; i < DEFAULT_BUDGETS.enter.consumer; i++) {
			expect((await consumerVia(real, t, `/draws/${d.id}/enter`, { token: a.accessToken, body: {} })).status).toBe(200);
		}
		const d2 = await shortDraw(t, {}, 60_000, 120_000);
		expectRefused(
			await consumerVia(real, t, `/draws/${d2.id}/enter`, { token: a.accessToken, body: {} }),
			DEFAULT_BUDGETS.enter.consumer,
		);
		expect((await consumerDraw(t, d2.id, "status", a)).status, "no entry was made").toBe(404);
	});
});

describe("status", () => {
	it("120 polls a minute per consumer (counted in the isolate); the 121st is 429; a ticket alone is counted too", async () => {
		const t = await tenant();
		const [a] = await guests(t, 1);
		const q = await openQueue(t);
		const entered = await enterQueue(t, q.id, a);
		const budget = DEFAULT_BUDGETS.status.consumer;
		const polls = await Promise.all(
			Array.from({ length: budget }, () => consumerVia(real, t, `/queues/${q.id}/status`, { token: a.accessToken })),
		);
		expect(polls.map((p) => p.status)).toEqual(Array(budget).fill(200));
		const remaining = polls.map((p) => Number(p.headers.get("RateLimit-Remaining"))).sort((x, y) => x - y);
		expect(remaining).toEqual(Array.from({ length: budget }, (_, i) => i));
		expectRefused(await consumerVia(real, t, `/queues/${q.id}/status`, { token: a.accessToken }), budget);
		// The ticket is its own key: its polls are limited the same way.
		const ticket = { "X-Queue-Ticket": entered.json.ticket };
		const first = await consumerVia(real, t, `/queues/${q.id}/status`, { headers: ticket });
		expect(first.status).toBe(200);
		expect(first.headers.get("RateLimit-Remaining")).toBe(String(budget - 1));
	});

	it("per address: 1,200 polls a minute from one /64, whoever polls", { timeout: 60_000 }, async () => {
		const t = await tenant();
		const shoppers = await guests(t, 12);
		const q = await openQueue(t);
		for (const s of shoppers) await enterQueue(t, q.id, s);
		const budget = DEFAULT_BUDGETS.status.address;
		const poll = (s: Shopper, n: number) =>
			consumerVia(real, t, `/queues/${q.id}/status`, { token: s.accessToken, ip: inSlash64(n, "2001:db8:cc:dd") });
		const polls = await Promise.all(Array.from({ length: budget }, (_, n) => poll(shoppers[n % shoppers.length], n)));
		expect(polls.filter((p) => p.status === 200)).toHaveLength(budget);
		expectRefused(await poll(shoppers[0], budget), budget);
		expect(
			(
				await consumerVia(real, t, `/queues/${q.id}/status`, {
					token: shoppers[0].accessToken,
					ip: "2001:db8:cc:de::1",
				})
			).status,
		).toBe(200);
	});
});

describe("bids", () => {
	it("60 bids a minute per consumer; the 61st is 429 and is not in the log; another bidder still bids", {
		timeout: 60_000,
	}, async () => {
		const t = await tenant();
		const [a, b] = await guests(t, 2);
		const auction = await openAuction(t);
		const budget = DEFAULT_BUDGETS.bids.consumer;
		const bidAs = (s: Shopper, amount: number) =>
			consumerVia(real, t, `/auctions/${auction.id}/bids`, { token: s.accessToken, body: { amount } });
		for (let i = 0; i < budget; i++) {
			const res = await bidAs(a, 10 + i);
			expect(res.status, res.text).toBe(200);
			expect(res.headers.get("RateLimit-Remaining")).toBe(String(budget - 1 - i));
		}
		const before = (await consumerVia(real, t, `/auctions/${auction.id}`)).json.bidCount;
		expectRefused(await bidAs(a, 1000), budget);
		expect((await consumerVia(real, t, `/auctions/${auction.id}`)).json.bidCount).toBe(before);
		expect((await bidAs(b, 2000)).status).toBe(200);
	});
});

describe("live connects", () => {
	it("20 connects a minute per consumer: the 21st is 429 Rate limit exceeded, before any upgrade", async () => {
		const t = await tenant();
		const [a] = await guests(t, 1);
		const q = await openQueue(t);
		await enterQueue(t, q.id, a);
		const budget = DEFAULT_BUDGETS.connects.consumer;
		const url = `/queues/${q.id}/live?key=${t.publishableKey}&token=${a.accessToken}`;
		const connects = [];
		// Sequential: the first three are accepted (the cap on open sockets), the rest refused by it — each spends a connect.
		for (let i = 0; i < budget; i++)
			connects.push(await consumerVia(real, t, url, { headers: { Upgrade: "websocket" } }));
		expect(connects.filter((r) => r.status === 101)).toHaveLength(3);
		expect(connects.filter((r) => r.status === 429 && r.json.title === "Too many live connections")).toHaveLength(
			budget - 3,
		);
		expectRefused(await consumerVia(real, t, url, { headers: { Upgrade: "websocket" } }), budget);
	});

	it("on a sharded queue, a connect past the budget is refused before its shard is asked for anything", async () => {
		const t = await tenant();
		const [a] = await guests(t, 1);
		const q = await openQueue(t, { entryShards: 2 });
		const url = `/queues/${q.id}/live?key=${t.publishableKey}&token=${a.accessToken}`;
		for (let i = 0; i < DEFAULT_BUDGETS.connects.consumer; i++)
			await consumerVia(real, t, url, { headers: { Upgrade: "websocket" } });
		// Now an arrival pending in its shard, which a connect would forward (its alarm held back).
		const shard = env.QUEUE_SHARD.getByName(shardName(q.id, await shardIndex(q.encryptionSeed, a.consumerId, 2)));
		expect((await enterQueue(t, q.id, a)).status).toBe(200);
		await runInDurableObject(shard, (_instance, state) => state.storage.deleteAlarm());
		expect(await shard.pendingCount()).toBe(1);
		expectRefused(
			await consumerVia(real, t, url, { headers: { Upgrade: "websocket" } }),
			DEFAULT_BUDGETS.connects.consumer,
		);
		expect(await shard.pendingCount(), "the refused connect made the shard forward it").toBe(1);
	});

	it("a request that is not an upgrade spends nothing (426 first)", async () => {
		const t = await tenant();
		const d = await shortDraw(t, {}, 60_000, 120_000);
		const res = await call(`/consumer/v1/draws/${d.id}/live?key=${t.publishableKey}`);
		expect(res.status).toBe(426);
		expect(res.headers.get("RateLimit-Limit")).toBeNull();
	});
});

describe("guest sign-ups, per /64", () => {
	it("one process rotating 1,000 addresses of one /64 gets 60 guest consumers a minute; another /64 gets its own", {
		timeout: 60_000,
	}, async () => {
		const t = await tenant();
		const before = await countRows("consumers", t.organizationId);
		const signup = (ip: string) =>
			call("/consumer/v1/auth/guest", {
				method: "POST",
				headers: { "X-Publishable-Key": t.publishableKey, "CF-Connecting-IP": ip },
			});
		const results = [];
		for (let batch = 0; batch < 10; batch++) {
			results.push(
				...(await Promise.all(
					Array.from({ length: 100 }, (_, i) => signup(inSlash64(batch * 100 + i, "2001:db8:ee:ff"))),
				)),
			);
		}
		expect(results.filter((r) => r.status === 201)).toHaveLength(60);
		expect(results.filter((r) => r.status === 429)).toHaveLength(940);
		expect(await countRows("consumers", t.organizationId), "refused sign-ups create no consumer").toBe(before + 60);

		// The flood: each minted guest enters one draw, every enter from another address of the /64,
		// three times over: the /64's 100 enters a minute go through, holding at most 60 entries (not 3,582).
		const minted = results.filter((r) => r.status === 201).map((r) => r.json.accessToken as string);
		const d = await shortDraw(t, {}, 60_000, 120_000);
		const enters = await Promise.all(
			[0, 1, 2].flatMap((round) =>
				minted.map((token, i) =>
					consumerVia(real, t, `/draws/${d.id}/enter`, {
						token,
						body: {},
						ip: inSlash64(5000 + round * 100 + i, "2001:db8:ee:ff"),
					}),
				),
			),
		);
		expect(enters.filter((r) => r.status === 200)).toHaveLength(DEFAULT_BUDGETS.enter.address);
		expect((await allEntries(t, d.id)).length).toBeLessThanOrEqual(minted.length);
		expect((await signup("2001:db8:ee:100::1")).status).toBe(201);
	});
});
