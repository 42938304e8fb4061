/**
 * Resilience: abuse (issue #9).
 *
 * Proves that one consumer never holds two places in a queue or two entries in a draw,
 * whatever it sends at once — 50 concurrent enters through several access tokens, then
 * fast-check-generated races of enter / leave / status, then retries — and never takes a
 * second slot of a capped draw; that per-key rate limits hold under a concurrent burst
 * (exactly the budget passes, the rest is 429 with Retry-After and RateLimit-* and stores
 * nothing) while another organization's key is unaffected; and that request bodies over
 * 64 KB are refused with 413 on admin, consumer and operator routes, streamed or not,
 * storing nothing.
 */
import { env, exports } from "cloudflare:workers";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { openAuction, publicState } from "../support/auction";
import { allEntries, consumerDraw, shortDraw } from "../support/draw";
import {
	BASE,
	call,
	countRows,
	createOrg,
	guest,
	guests,
	issueToken,
	type Shopper,
	type Tenant,
	tenant,
} from "../support/helpers";
import { auctionStub } from "../support/objects";
import { consumerCall, enter, openQueue, queueEntries, stats, status } from "../support/queue";
import { FC, jsonOfSize } from "../support/resilience";

type Op = "enter" | "leave" | "status";
const ops = fc.array(fc.constantFrom<Op>("enter", "leave", "status"), { minLength: 10, maxLength: 50 });

/** The consumer under attack, with three access tokens of its own (guest + two issued by the merchant). */
async function attacker(t: Tenant): Promise<Shopper & { tokens: string[] }> {
	const s = await guest(t);
	return { ...s, tokens: [s.accessToken, await issueToken(t, s.consumerId), await issueToken(t, s.consumerId)] };
}

describe("one consumer, one place", () => {
	it("a queue: concurrent enters, leave/re-enter races and retries through three tokens never yield two places", {
		timeout: 60_000,
	}, async () => {
		const t = await tenant();
		const q = await openQueue(t, { maxCapacity: 10_000 });
		for (const s of await guests(t, 3)) expect((await enter(t, q.id, s)).status).toBe(200);
		const c = await attacker(t);
		const act = (op: Op, i: number) =>
			consumerCall(t, `/queues/${q.id}/${op}`, { method: op === "status" ? "GET" : "POST", token: c.tokens[i % 3] });

		const burst = await Promise.all(Array.from({ length: 50 }, (_, i) => act("enter", i)));
		for (const r of burst) expect(r.status, r.text).toBe(200);
		expect(new Set(burst.map((r) => r.json.position))).toEqual(new Set([4]));
		expect((await stats(t, q.id)).queued).toBe(4);

		await fc.assert(
			fc.asyncProperty(ops, async (sequence) => {
				const replies = await Promise.all(sequence.map((op, i) => act(op, i)));
				for (const r of replies) expect(r.status, r.text).toBe(200);
				const mine = (await queueEntries(t, q.id)).filter((e) => e.consumerId === c.consumerId);
				expect(mine, "one row for the consumer, whatever the race").toHaveLength(1);
				const queued = (await stats(t, q.id)).queued;
				expect(queued).toBe(mine[0].status === "QUEUED" ? 4 : 3);
			}),
			{ ...FC, numRuns: 12 },
		);
		// Retries converge: entering again (with any token) gives one place at the back, the same every time.
		const retries = await Promise.all(Array.from({ length: 20 }, (_, i) => act("enter", i)));
		expect(new Set(retries.map((r) => `${r.json.status}@${r.json.position}`))).toEqual(new Set(["QUEUED@4"]));
		const rows = await queueEntries(t, q.id);
		expect(rows.filter((e) => e.consumerId === c.consumerId)).toHaveLength(1);
		const places = rows.filter((e) => e.status === "QUEUED").map((e) => e.position);
		expect(places.sort()).toEqual([1, 2, 3, 4]);
		expect((await stats(t, q.id)).queued).toBe(4);
	});

	it("a capped draw: however the consumer races enter and leave, it holds one entry and one slot", {
		timeout: 60_000,
	}, async () => {
		const t = await tenant();
		const d = await shortDraw(t, { maxEntries: 3 }, 600_000, 601_000);
		const [x, y, z] = await guests(t, 3);
		for (const s of [x, y]) expect((await consumerDraw(t, d.id, "enter", s)).status).toBe(200);
		const c = await attacker(t);
		const act = (op: Op, i: number) =>
			call(`/consumer/v1/draws/${d.id}/${op}`, {
				method: op === "status" ? "GET" : "POST",
				key: c.tokens[i % 3],
				headers: { "X-Publishable-Key": t.publishableKey },
			});

		const burst = await Promise.all(Array.from({ length: 50 }, (_, i) => act("enter", i)));
		for (const r of burst) expect(r.status, r.text).toBe(200);
		const entryIds = new Set(burst.map((r) => r.json.receipt.entryId));
		expect(entryIds.size).toBe(1);
		const [entryId] = entryIds;

		await fc.assert(
			fc.asyncProperty(ops, async (sequence) => {
				const replies = await Promise.all(sequence.map((op, i) => act(op, i)));
				for (const r of replies) {
					expect(r.status, `never "Draw full" for its own second slot: ${r.text}`).toBe(200);
					expect(r.json.receipt.entryId).toBe(entryId);
				}
				const mine = (await allEntries(t, d.id)).filter((e) => e.consumerId === c.consumerId);
				expect(mine.map((e) => e.entryId)).toEqual([entryId]);
			}),
			{ ...FC, numRuns: 12 },
		);
		const final = await act("enter", 0);
		expect(final.json).toMatchObject({ status: "ENTERED", receipt: { entryId } });
		const full = await consumerDraw(t, d.id, "enter", z);
		expect(full.status, "the third slot is the consumer's, so the draw is full").toBe(409);
		expect(full.json.title).toBe("Draw full");
		const entries = await allEntries(t, d.id);
		expect(entries.map((e) => e.status)).toEqual(["ENTERED", "ENTERED", "ENTERED"]);
		expect(new Set(entries.map((e) => e.consumerId))).toEqual(new Set([x, y, c].map((p) => p.consumerId)));
	});
});

describe("rate limits hold per key", () => {
	it("a concurrent burst past the budget: exactly the budget passes, the rest is 429 and stores nothing; another org is unaffected", {
		timeout: 60_000,
	}, async () => {
		const [a, b] = await Promise.all([createOrg(), createOrg()]);
		const create = (i: number) => call("/api/v1/consumers", { key: a.secretKey, body: { email: `c${i}@example.com` } });
		const listB = () => call("/api/v1/consumers?limit=1", { key: b.secretKey });
		const [created, bystander] = await Promise.all([
			Promise.all(Array.from({ length: 130 }, (_, i) => create(i))),
			Promise.all(Array.from({ length: 30 }, listB)),
		]);
		expect(created.filter((r) => r.status === 201)).toHaveLength(100);
		const limited = created.filter((r) => r.status === 429);
		expect(limited).toHaveLength(30);
		for (const r of limited) {
			expect(r.headers.get("Content-Type")).toMatch(/^application\/problem\+json/);
			expect(r.json.title).toBe("Rate limit exceeded");
			const retryAfter = Number(r.headers.get("Retry-After"));
			expect(Number.isInteger(retryAfter) && retryAfter >= 1 && retryAfter <= 60, `Retry-After ${retryAfter}`).toBe(
				true,
			);
			expect(r.headers.get("RateLimit-Limit")).toBe("100");
			expect(r.headers.get("RateLimit-Remaining")).toBe("0");
			expect(r.headers.get("RateLimit-Reset")).toMatch(/^\d+$/);
		}
		expect(await countRows("consumers", a.organizationId), "a refused request stores nothing").toBe(100);
		for (const r of bystander) expect(r.status, r.text).toBe(200);
		const remaining = bystander.map((r) => Number(r.headers.get("RateLimit-Remaining"))).sort((x, y) => y - x);
		// B's reads spend its general budget (300), not the consumers' write budget.
		expect(remaining).toEqual(Array.from({ length: 30 }, (_, i) => 299 - i));

		// Another bucket of the same key (admin: 300 a minute) has its own budget, and holds as well.
		const queues = await Promise.all(Array.from({ length: 310 }, () => call("/api/v1/queues", { key: a.secretKey })));
		expect(queues.filter((r) => r.status === 200)).toHaveLength(300);
		expect(queues.filter((r) => r.status === 429)).toHaveLength(10);
		expect((await call("/api/v1/queues", { key: b.secretKey })).status).toBe(200);
		expect((await create(999)).status, "still over budget").toBe(429);
	});
});

describe("bodies over 64 KB → 413, nothing stored", () => {
	const LIMIT = 64 * 1024;

	it("admin, operator and consumer routes refuse an oversized body (fast-check over sizes and routes)", {
		timeout: 60_000,
	}, async () => {
		const t = await tenant();
		const q = await openQueue(t);
		const d = await shortDraw(t, {}, 600_000, 601_000);
		const a = await openAuction(t, { startingBid: 10, minimumIncrement: 1 }, 600_000);
		const [s] = await guests(t, 1);
		const pk = { "X-Publishable-Key": t.publishableKey };
		const json = { "Content-Type": "application/json" };
		const routes: [string, { key?: string; headers?: Record<string, string> }, Record<string, unknown>][] = [
			["/api/v1/queues", { key: t.secretKey }, { sequenceId: t.sequenceId }],
			["/api/v1/consumers", { key: t.secretKey }, { email: "big@example.com" }],
			["/api/v1/products", { key: t.secretKey }, { name: "Big", price: 1, sku: "BIG" }],
			["/api/v1/admissions/validate", { key: t.secretKey }, { token: "x" }],
			["/platform/v1/organizations", { key: env.PLATFORM_ADMIN_TOKEN }, { name: "Big" }],
			["/consumer/v1/auth/guest", { headers: pk }, {}],
			[`/consumer/v1/queues/${q.id}/enter`, { key: s.accessToken, headers: pk }, {}],
			[`/consumer/v1/draws/${d.id}/enter`, { key: s.accessToken, headers: pk }, {}],
			[`/consumer/v1/auctions/${a.id}/bids`, { key: s.accessToken, headers: pk }, { amount: 10 }],
		];
		const counts = async () => ({
			distributions: await countRows("distributions", t.organizationId),
			consumers: await countRows("consumers", t.organizationId),
			products: await countRows("products", t.organizationId),
			orgs: (await env.DB.prepare("SELECT COUNT(*) AS n FROM organizations").first<{ n: number }>())?.n,
		});
		const before = await counts();
		await fc.assert(
			fc.asyncProperty(
				fc.integer({ min: 0, max: routes.length - 1 }),
				fc.integer({ min: LIMIT + 1, max: 4 * LIMIT }),
				async (r, size) => {
					const [path, opts, fields] = routes[r];
					const res = await call(path, {
						...opts,
						raw: jsonOfSize(size, fields),
						headers: { ...opts.headers, ...json },
					});
					expect(res.status, `${path} with ${size} bytes: ${res.text}`).toBe(413);
					expect(res.headers.get("Content-Type")).toMatch(/^application\/problem\+json/);
				},
			),
			{ ...FC, numRuns: 40 },
		);
		// A streamed body without Content-Length is counted as it arrives.
		const chunks = Array.from({ length: 5 }, () => new TextEncoder().encode(" ".repeat(LIMIT / 4)));
		const streamed = await exports.default.fetch(
			new Request(`${BASE}/consumer/v1/queues/${q.id}/enter`, {
				method: "POST",
				headers: { ...pk, Authorization: `Bearer ${s.accessToken}`, "Content-Type": "application/json" },
				body: new ReadableStream({
					pull(controller) {
						const next = chunks.shift();
						if (next) controller.enqueue(next);
						else controller.close();
					},
				}),
			}),
		);
		expect(streamed.status, await streamed.text()).toBe(413);

		expect(await counts()).toEqual(before);
		expect((await status(t, q.id, s)).status, "never entered the queue").toBe(404);
		expect((await consumerDraw(t, d.id, "status", s)).status, "never entered the draw").toBe(404);
		expect((await publicState(t, a.id)).json.bidCount).toBe(0);
		expect(await auctionStub(a.id).participantCount()).toBe(0);
		// At the limit the body is read (and then judged on its content): 64 KB is not a 413.
		const atLimit = await call(`/consumer/v1/auctions/${a.id}/bids`, {
			key: s.accessToken,
			headers: { ...pk, ...json },
			raw: jsonOfSize(LIMIT, { amount: 10 }),
		});
		expect(atLimit.status, atLimit.text).toBe(400);
	});
});
