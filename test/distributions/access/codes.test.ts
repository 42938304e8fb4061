/**
 * Access codes, through the worker: the merchant creates (in bulk), lists, gets and revokes them
 * (one, by batch, by ids, all); shoppers of a `codes` launch send one on enter, bid or buy-now.
 * A code binds to its first `maxUses` distinct consumers, atomically under concurrency; revoked,
 * expired, used-up, foreign and malformed codes are refused and store nothing.
 */
import { describe, expect, it } from "vitest";
import {
	accessRows,
	createCodes,
	enterBy,
	enterWithCode,
	getCode,
	orgEvents,
	type Path,
	SEQ,
	setAccess,
} from "../../support/access";
import { allBids, openAuction } from "../../support/auction";
import { allEntries, shortDraw } from "../../support/draw";
import { call, countRows, guest, guests, launch, type Tenant, tenant } from "../../support/helpers";
import { allItems } from "../../support/pages";
import { expectFieldError, expectProblem } from "../../support/problems";
import { setProtection, solved } from "../../support/protection";
import { openQueue, stats } from "../../support/queue";
import { sleep, waitFor } from "../../support/time";

async function codesLaunch() {
	const t = await tenant();
	await setAccess(t, "codes");
	return t;
}

describe("creating, listing and getting codes", () => {
	it("creates single-use codes shown once; the list and GET show only a hint; D1 holds only hashes", async () => {
		const t = await codesLaunch();
		const { batchId, data } = await createCodes(t, { count: 3 });
		expect(batchId).toMatch(/^acb_/);
		expect(data).toHaveLength(3);
		for (const c of data) {
			expect(c).toMatchObject({ sequenceId: t.sequenceId, batchId, maxUses: 1, uses: 0, status: "active" });
			expect(c.code).toMatch(/^[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}$/);
			expect(c.hint).toBe(c.code.slice(-4));
		}
		const listed = await allItems(`${SEQ}/${t.sequenceId}/access-codes`, t.secretKey);
		expect(listed.map((c) => c.id)).toEqual(data.map((c) => c.id).reverse());
		for (const c of listed) expect(c).not.toHaveProperty("code");
		const one = await getCode(t, data[0].id);
		expect(one).not.toHaveProperty("code");
		const stored = JSON.stringify(await accessRows("access_codes", t.organizationId));
		for (const c of data) {
			expect(stored).not.toContain(c.code);
			expect(stored).not.toContain(c.code.replaceAll("-", ""));
		}
	});

	it("paginates newest first and filters by batch", async () => {
		const t = await codesLaunch();
		const first = await createCodes(t, { count: 3 });
		const second = await createCodes(t, { count: 4, maxUses: 5 });
		const page = await call(`${SEQ}/${t.sequenceId}/access-codes?limit=2`, { key: t.secretKey });
		expect(page.json.data).toHaveLength(2);
		expect(page.json.nextCursor).toEqual(expect.any(String));
		const all = await allItems(`${SEQ}/${t.sequenceId}/access-codes?limit=2`, t.secretKey);
		expect(all.map((c) => c.id)).toEqual([...first.data, ...second.data].map((c) => c.id).reverse());
		const batch = await allItems(`${SEQ}/${t.sequenceId}/access-codes?batchId=${first.batchId}`, t.secretKey);
		expect(batch.map((c) => c.id).sort()).toEqual(first.data.map((c) => c.id).sort());
	});

	it("a thousand codes in one request", async () => {
		const t = await codesLaunch();
		const { data } = await createCodes(t, { count: 1000, maxUses: 2 });
		expect(new Set(data.map((c) => c.code)).size).toBe(1000);
		expect(await countRows("access_codes", t.organizationId)).toBe(1000);
	});

	it("publishes access_code.created (a summary, never the codes)", async () => {
		const t = await codesLaunch();
		const { batchId, data } = await createCodes(t, { count: 2, maxUses: 3 });
		const [event] = await waitFor(
			"access_code.created",
			() => orgEvents(t.organizationId, "access_code.created"),
			(e) => e.length > 0,
		);
		expect(event.object).toEqual({ sequenceId: t.sequenceId, batchId, count: 2, maxUses: 3, expiresAt: null });
		expect(JSON.stringify(event)).not.toContain(data[0].code);
	});

	it.each([
		[{ count: 0 }, "count"],
		[{ count: 1001 }, "count"],
		[{ count: 1.5 }, "count"],
		[{ count: "3" }, "count"],
		[{ maxUses: 0 }, "maxUses"],
		[{ maxUses: -1 }, "maxUses"],
		[{ expiresAt: "tomorrow" }, "expiresAt"],
		[{ expiresAt: "2020-01-01T00:00:00Z" }, "expiresAt"],
		[{ code: "MINE-MINE-MINE-MINE" }, "code"],
	])("%j → 400 on %s, nothing stored", async (body, path) => {
		const t = await codesLaunch();
		expectFieldError(await call(`${SEQ}/${t.sequenceId}/access-codes`, { key: t.secretKey, body }), path);
		expect(await countRows("access_codes", t.organizationId)).toBe(0);
		expect(await orgEvents(t.organizationId, "access_code.created")).toEqual([]);
	});

	it("malformed JSON → 400, nothing stored", async () => {
		const t = await codesLaunch();
		const res = await call(`${SEQ}/${t.sequenceId}/access-codes`, {
			key: t.secretKey,
			method: "POST",
			raw: "{count: 3",
			headers: { "Content-Type": "application/json" },
		});
		expectProblem(res, 400, "Validation failed");
		expect(await countRows("access_codes", t.organizationId)).toBe(0);
	});

	it("another organization's sequence and codes are 404 to every route", async () => {
		const a = await codesLaunch();
		const b = await tenant();
		const { data } = await createCodes(a, { count: 1 });
		const base = `${SEQ}/${a.sequenceId}`;
		const asB = (path: string, body?: unknown, method?: string) =>
			call(`${base}${path}`, { key: b.secretKey, body, method });
		expectProblem(await asB("/access-codes", { count: 1 }), 404, "Sequence not found");
		expectProblem(await asB("/access-codes"), 404, "Sequence not found");
		expectProblem(await asB(`/access-codes/${data[0].id}`), 404, "Sequence not found");
		expectProblem(await asB(`/access-codes/${data[0].id}/revoke`, undefined, "POST"), 404, "Sequence not found");
		expectProblem(await asB("/access-codes/revoke", { all: true }), 404, "Sequence not found");
		// B's own sequence does not reach A's code either.
		const own = await call(`${SEQ}/${b.sequenceId}/access-codes/${data[0].id}`, { key: b.secretKey });
		expectProblem(own, 404, "Access code not found");
		expect(await countRows("access_codes", b.organizationId)).toBe(0);
		expect((await getCode(a, data[0].id)).status).toBe("active");
	});
});

/** One OPEN distribution per path in the tenant's sequence. */
async function distributions(t: Tenant) {
	return {
		queue: (await openQueue(t)).id,
		draw: (await shortDraw(t, {}, 60_000, 61_000)).id,
		bid: (await openAuction(t)).id,
		"buy-now": (await openAuction(t, { buyNowPrice: 100 })).id,
	} as Record<Path, string>;
}
const PATHS: Path[] = ["queue", "draw", "bid", "buy-now"];

describe("entering with a code", () => {
	it("on every path: no code → 403, a live code → 200; the bound consumer needs no code again", async () => {
		const t = await codesLaunch();
		const ids = await distributions(t);
		const { data } = await createCodes(t, { count: 1 });
		const shopper = await guest(t);
		for (const path of PATHS) {
			const p = expectProblem(await enterBy(t, path, ids[path], shopper), 403, "Access code required");
			expect(p.errors?.[0].path).toBe("accessCode");
		}
		expect((await enterWithCode(t, "queue", ids.queue, shopper, data[0].code)).status).toBe(200);
		// Bound now: the other paths (and the queue again) take this consumer without the code.
		expect((await enterBy(t, "queue", ids.queue, shopper)).status).toBe(200);
		expect((await enterBy(t, "draw", ids.draw, shopper)).status).toBe(200);
		expect((await enterBy(t, "bid", ids.bid, shopper)).status).toBe(200);
		expect((await enterWithCode(t, "buy-now", ids["buy-now"], shopper, data[0].code)).status).toBe(200);
		expect(await getCode(t, data[0].id)).toMatchObject({ uses: 1, status: "used_up" });
	});

	it("with a challenge too, a request refused by the challenge uses up no code and binds no one", async () => {
		const t = await codesLaunch();
		await setProtection(t, { challenge: "pow" });
		const ids = await distributions(t);
		const { data } = await createCodes(t, { count: 1, maxUses: 4 });
		// Bots with a leaked code and no solved challenge, one per path.
		for (const path of PATHS) {
			const bot = await guest(t);
			expectProblem(await enterWithCode(t, path, ids[path], bot, data[0].code), 403, "Challenge required");
		}
		expect(await getCode(t, data[0].id), "no use spent").toMatchObject({ uses: 0, status: "active" });
		expect(await accessRows("access_code_redemptions", t.organizationId)).toEqual([]);
		const shopper = await guest(t);
		const headers = await solved(t, shopper, ids.queue, "enter");
		const entered = await call(`/consumer/v1/queues/${ids.queue}/enter`, {
			key: shopper.accessToken,
			headers: { "X-Publishable-Key": t.publishableKey, ...headers },
			body: { accessCode: data[0].code },
		});
		expect(entered.status, entered.text).toBe(200);
		expect(await getCode(t, data[0].id)).toMatchObject({ uses: 1 });
	});

	it("let in at the back of the line without a solved challenge, nobody redeems a code; a bound consumer still enters", async () => {
		const t = await codesLaunch();
		await setProtection(t, { challenge: "pow", onFailure: "back-of-line" });
		const queue = (await openQueue(t)).id;
		const { data } = await createCodes(t, { count: 1, maxUses: 5 });
		// Before: each of these bots got 200 at the back of the line and spent a use: all 5 gone.
		for (let i = 0; i < 5; i++) {
			expectProblem(await enterWithCode(t, "queue", queue, await guest(t), data[0].code), 403, "Challenge required");
		}
		expect(await getCode(t, data[0].id), "no use spent").toMatchObject({ uses: 0, status: "active" });
		expect(await accessRows("access_code_redemptions", t.organizationId)).toEqual([]);
		// A shopper who solved it redeems the code; entering again without a challenge, already bound,
		// it goes to the back of the line as the merchant chose, with no use spent.
		const shopper = await guest(t);
		const headers = await solved(t, shopper, queue, "enter");
		const entered = await call(`/consumer/v1/queues/${queue}/enter`, {
			key: shopper.accessToken,
			headers: { "X-Publishable-Key": t.publishableKey, ...headers },
			body: { accessCode: data[0].code },
		});
		expect(entered.status, entered.text).toBe(200);
		await call(`/consumer/v1/queues/${queue}/leave`, {
			key: shopper.accessToken,
			headers: { "X-Publishable-Key": t.publishableKey },
			method: "POST",
		});
		expect((await enterWithCode(t, "queue", queue, shopper, data[0].code)).status).toBe(200);
		expect(await getCode(t, data[0].id)).toMatchObject({ uses: 1 });
	});

	it("a single-use code is bound to the first consumer: anyone else → 403, nothing entered", async () => {
		const t = await codesLaunch();
		const ids = await distributions(t);
		const [code] = (await createCodes(t)).data;
		const [first, second] = await guests(t, 2);
		expect((await enterWithCode(t, "queue", ids.queue, first, code.code)).status).toBe(200);
		for (const path of PATHS) {
			const res = await enterWithCode(t, path, ids[path], second, code.code);
			const p = expectProblem(res, 403, "Access code already used");
			expect(res.text).not.toContain(first.consumerId);
			expect(p.errors?.[0].path).toBe("accessCode");
		}
		expect((await stats(t, ids.queue)).queued).toBe(1);
		expect(await allEntries(t, ids.draw)).toEqual([]);
		expect(await allBids(t, ids.bid)).toEqual([]);
	});

	it("reads the code forgivingly: lower case, no dashes", async () => {
		const t = await codesLaunch();
		const queue = await openQueue(t);
		const [code] = (await createCodes(t)).data;
		const res = await enterWithCode(t, "queue", queue.id, await guest(t), code.code.toLowerCase().replaceAll("-", ""));
		expect(res.status, res.text).toBe(200);
	});

	it("an n-use code lets n distinct consumers in; the same consumer again does not use it up", async () => {
		const t = await codesLaunch();
		const queue = await openQueue(t);
		const [code] = (await createCodes(t, { maxUses: 3 })).data;
		const shoppers = await guests(t, 4);
		expect((await enterWithCode(t, "queue", queue.id, shoppers[0], code.code)).status).toBe(200);
		expect((await enterWithCode(t, "queue", queue.id, shoppers[0], code.code)).status).toBe(200);
		expect((await getCode(t, code.id)).uses).toBe(1);
		expect((await enterWithCode(t, "queue", queue.id, shoppers[1], code.code)).status).toBe(200);
		expect((await enterWithCode(t, "queue", queue.id, shoppers[2], code.code)).status).toBe(200);
		expectProblem(await enterWithCode(t, "queue", queue.id, shoppers[3], code.code), 403, "Access code already used");
		expect(await getCode(t, code.id)).toMatchObject({ uses: 3, status: "used_up" });
		expect((await stats(t, queue.id)).queued).toBe(3);
	});

	it("hundreds of concurrent redemptions of a 7-use code: exactly 7 consumers get in", async () => {
		const t = await codesLaunch();
		const queue = await openQueue(t);
		const [code] = (await createCodes(t, { maxUses: 7 })).data;
		const shoppers = await guests(t, 300);
		const answers = await Promise.all(shoppers.map((s) => enterWithCode(t, "queue", queue.id, s, code.code)));
		const admitted = answers.filter((r) => r.status === 200);
		expect(admitted.length).toBe(7);
		for (const r of answers.filter((r) => r.status !== 200)) expectProblem(r, 403, "Access code already used");
		expect(await getCode(t, code.id)).toMatchObject({ uses: 7, status: "used_up" });
		const bound = await accessRows<{ consumer_id: string; use_number: number }>(
			"access_code_redemptions",
			t.organizationId,
		);
		expect(bound.map((r) => r.use_number).sort((x, y) => x - y)).toEqual([1, 2, 3, 4, 5, 6, 7]);
		expect(new Set(bound.map((r) => r.consumer_id))).toEqual(new Set(admitted.map((r) => r.json.consumerId)));
		expect((await stats(t, queue.id)).queued).toBe(7);
	}, 180_000);

	it("an expired code lets nobody in, bound consumers included", async () => {
		const t = await codesLaunch();
		const queue = await openQueue(t);
		const expiresAt = new Date(Date.now() + 1500).toISOString();
		const [code] = (await createCodes(t, { maxUses: 2, expiresAt })).data;
		const [bound, late] = await guests(t, 2);
		expect((await enterWithCode(t, "queue", queue.id, bound, code.code)).status).toBe(200);
		await sleep(1600);
		expectProblem(await enterWithCode(t, "queue", queue.id, late, code.code), 403, "Access code expired");
		expectProblem(await enterBy(t, "queue", queue.id, bound), 403, "Access code required");
		expectProblem(await enterWithCode(t, "queue", queue.id, bound, code.code), 403, "Access code expired");
		expect(await getCode(t, code.id)).toMatchObject({ status: "expired", uses: 1 });
	});

	it("a code of another sequence, of another organization, or no code at all → 403 Access code invalid", async () => {
		const t = await codesLaunch();
		const queue = await openQueue(t);
		const other = await launch(t, {}, { access: "codes" });
		const [foreignSeq] = (await createCodes(t, {}, other.sequenceId)).data;
		const b = await codesLaunch();
		const [foreignOrg] = (await createCodes(b)).data;
		const shopper = await guest(t);
		for (const accessCode of [foreignSeq.code, foreignOrg.code, "0000-0000-0000-0000", "not a code", "x"]) {
			const res = await enterWithCode(t, "queue", queue.id, shopper, accessCode);
			expectProblem(res, 403, "Access code invalid");
		}
		expect((await stats(t, queue.id)).queued).toBe(0);
		expect(await accessRows("access_code_redemptions", t.organizationId)).toEqual([]);
		expect(await accessRows("access_code_redemptions", b.organizationId)).toEqual([]);
	});

	it.each([
		[{ accessCode: "A".repeat(65) }, "accessCode"],
		[{ accessCode: "" }, "accessCode"],
		[{ accessCode: 1234 }, "accessCode"],
		[{ code: "ABCD" }, "code"],
	])("enter body %j → 400 on %s, nothing stored", async (body, path) => {
		const t = await codesLaunch();
		const ids = await distributions(t);
		const [code] = (await createCodes(t)).data;
		const shopper = await guest(t);
		for (const p of PATHS) expectFieldError(await enterBy(t, p, ids[p], shopper, body), path);
		expect((await stats(t, ids.queue)).queued).toBe(0);
		expect((await getCode(t, code.id)).uses).toBe(0);
	});

	it("the gate answers 404 for a distribution of another organization before looking at codes", async () => {
		const a = await codesLaunch();
		const b = await codesLaunch();
		const queue = await openQueue(a);
		const [code] = (await createCodes(b)).data;
		const res = await enterWithCode(b, "queue", queue.id, await guest(b), code.code);
		expectProblem(res, 404, "Queue not found");
		expect((await getCode(b, code.id)).uses).toBe(0);
	});
});

describe("revoking codes", () => {
	it("revokes one: it lets nobody in from then on; entries made stay; revoking again changes nothing", async () => {
		const t = await codesLaunch();
		const queue = await openQueue(t);
		const [code] = (await createCodes(t, { maxUses: 5 })).data;
		const [bound, later] = await guests(t, 2);
		expect((await enterWithCode(t, "queue", queue.id, bound, code.code)).status).toBe(200);
		const res = await call(`${SEQ}/${t.sequenceId}/access-codes/${code.id}/revoke`, {
			key: t.secretKey,
			method: "POST",
		});
		expect(res.status, res.text).toBe(200);
		expect(res.json).toMatchObject({ id: code.id, status: "revoked", revokedAt: expect.any(String) });
		expectProblem(await enterWithCode(t, "queue", queue.id, later, code.code), 403, "Access code revoked");
		expectProblem(await enterWithCode(t, "queue", queue.id, bound, code.code), 403, "Access code revoked");
		expectProblem(await enterBy(t, "queue", queue.id, bound), 403, "Access code required");
		expect((await stats(t, queue.id)).queued).toBe(1);
		const again = await call(`${SEQ}/${t.sequenceId}/access-codes/${code.id}/revoke`, {
			key: t.secretKey,
			method: "POST",
		});
		expect(again.json.revokedAt).toBe(res.json.revokedAt);
		const events = await waitFor(
			"access_code.revoked",
			() => orgEvents(t.organizationId, "access_code.revoked"),
			(e) => e.length > 0,
		);
		await sleep(1300);
		expect(await orgEvents(t.organizationId, "access_code.revoked")).toHaveLength(1);
		expect(events[0].object).toEqual({ sequenceId: t.sequenceId, revoked: 1, ids: [code.id] });
	});

	it("in bulk: by ids, by batch, then all; each counts only what it revoked", async () => {
		const t = await codesLaunch();
		const one = await createCodes(t, { count: 3 });
		const two = await createCodes(t, { count: 4 });
		const three = await createCodes(t, { count: 2 });
		const revoke = (body: unknown) => call(`${SEQ}/${t.sequenceId}/access-codes/revoke`, { key: t.secretKey, body });
		expect((await revoke({ ids: [one.data[0].id, one.data[1].id, "acc_unknown"] })).json).toEqual({ revoked: 2 });
		expect((await revoke({ batchId: two.batchId })).json).toEqual({ revoked: 4 });
		expect((await revoke({ batchId: two.batchId })).json).toEqual({ revoked: 0 });
		expect((await revoke({ all: true })).json).toEqual({ revoked: 3 });
		const codes = await allItems(`${SEQ}/${t.sequenceId}/access-codes`, t.secretKey);
		expect(codes.every((c) => c.status === "revoked")).toBe(true);
		const queue = await openQueue(t);
		expectProblem(
			await enterWithCode(t, "queue", queue.id, await guest(t), three.data[0].code),
			403,
			"Access code revoked",
		);
	});

	it("by ids, as many as a request may name (1,000), in one statement", async () => {
		const t = await codesLaunch();
		const { data } = await createCodes(t, { count: 1000 });
		const res = await call(`${SEQ}/${t.sequenceId}/access-codes/revoke`, {
			key: t.secretKey,
			body: { ids: data.map((c: { id: string }) => c.id) },
		});
		// Before: one bound parameter per id, past D1's 100 from 98 ids: a 500, and every code stayed live.
		expect(res.status, res.text).toBe(200);
		expect(res.json).toEqual({ revoked: 1000 });
	});

	it("bulk revoking never reaches another sequence's codes", async () => {
		const t = await codesLaunch();
		const other = await launch(t, {}, { access: "codes" });
		const mine = await createCodes(t, { count: 2 });
		const theirs = await createCodes(t, { count: 2 }, other.sequenceId);
		const revoke = (body: unknown) => call(`${SEQ}/${t.sequenceId}/access-codes/revoke`, { key: t.secretKey, body });
		expect((await revoke({ ids: theirs.data.map((c) => c.id) })).json).toEqual({ revoked: 0 });
		expect((await revoke({ batchId: theirs.batchId })).json).toEqual({ revoked: 0 });
		expect((await revoke({ all: true })).json).toEqual({ revoked: 2 });
		for (const c of theirs.data) expect((await getCode(t, c.id, other.sequenceId)).status).toBe("active");
		expect(mine.data).toHaveLength(2);
	});

	it.each([
		[{}],
		[{ ids: [] }],
		[{ ids: ["a"], all: true }],
		[{ batchId: "acb_x", ids: ["a"] }],
		[{ all: false }],
		[{ ids: "acc_1" }],
		[{ everything: true }],
	])("revoke body %j → 400, nothing revoked", async (body) => {
		const t = await codesLaunch();
		const { data } = await createCodes(t, { count: 2 });
		const res = await call(`${SEQ}/${t.sequenceId}/access-codes/revoke`, { key: t.secretKey, body });
		expectProblem(res, 400, "Validation failed");
		for (const c of data) expect((await getCode(t, c.id)).status).toBe("active");
	});

	it("an unknown code id → 404", async () => {
		const t = await codesLaunch();
		const res = await call(`${SEQ}/${t.sequenceId}/access-codes/acc_nope/revoke`, { key: t.secretKey, method: "POST" });
		expectProblem(res, 404, "Access code not found");
	});
});
