/**
 * Cloudflare Turnstile protection through the worker, against the local siteverify
 * (test/support/turnstile.global.ts): the organization's settings (the secret never comes back),
 * sequences that need them, and every protected path refusing missing, failed, spent and
 * mismatched tokens with a 403 and nothing stored, a siteverify outage with a 503, and taking a
 * passing token — with each organization's own secret only.
 */
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import type { Path } from "../../support/access";
import { allBids, openAuction } from "../../support/auction";
import { allEntries, shortDraw } from "../../support/draw";
import { call, guest, launch, type Tenant, tenant } from "../../support/helpers";
import { expectProblem } from "../../support/problems";
import { askChallenge, enterWith, setProtection } from "../../support/protection";
import { openQueue, stats } from "../../support/queue";
import {
	DUMMY_TOKEN,
	FAILS,
	mint,
	PASSES,
	putTurnstile,
	realSecret,
	received,
	SPENT,
	setTurnstile,
	TEST_SITE_KEY,
} from "../../support/turnstile";

const PATHS: Path[] = ["queue", "draw", "bid", "buy-now"];
const token = (value: string) => ({ "X-Turnstile-Token": value });

async function distributions(t: Tenant) {
	const queue = await openQueue(t);
	const draw = await shortDraw(t, {}, 60_000, 61_000);
	const auction = await openAuction(t);
	const buyable = await openAuction(t, { buyNowPrice: 100 });
	return { queue: queue.id, draw: draw.id, bid: auction.id, "buy-now": buyable.id } as Record<Path, string>;
}

async function expectNothingEntered(t: Tenant, ids: Record<Path, string>) {
	expect((await stats(t, ids.queue)).queued).toBe(0);
	expect(await allEntries(t, ids.draw)).toEqual([]);
	expect(await allBids(t, ids.bid)).toEqual([]);
	expect(await allBids(t, ids["buy-now"])).toEqual([]);
}

/** A tenant whose sequence is protected by Turnstile with `secret`. */
async function protectedTenant(secret: string, extra: Record<string, unknown> = {}) {
	const t = await tenant();
	await setTurnstile(t, secret, extra);
	await setProtection(t, { challenge: "turnstile" });
	return t;
}

describe("the organization's Turnstile settings", () => {
	it("are set, shown without the secret, kept when the secret is omitted, and removed", async () => {
		const t = await tenant();
		expectProblem(await call("/api/v1/organization/turnstile", { key: t.secretKey }), 404);
		// The first time, a secret is required.
		const noSecret = await putTurnstile(t, { siteKey: TEST_SITE_KEY });
		expect(noSecret.status).toBe(400);
		const secret = realSecret();
		const put = await putTurnstile(t, { siteKey: TEST_SITE_KEY, secret, hostnames: ["Shop.Example.com"] });
		expect(put.status, put.text).toBe(200);
		expect(put.json).toMatchObject({ siteKey: TEST_SITE_KEY, secretSet: true, hostnames: ["shop.example.com"] });
		expect(put.text).not.toContain(secret);
		const got = await call("/api/v1/organization/turnstile", { key: t.secretKey });
		expect(got.json).toEqual(put.json);
		expect(got.text).not.toContain(secret);
		// Stored sealed: the D1 row does not hold the secret either.
		const row = await env.DB.prepare("SELECT * FROM turnstile_settings WHERE organization_id = ?")
			.bind(t.organizationId)
			.first<Record<string, string>>();
		expect(JSON.stringify(row)).not.toContain(secret);
		expect(row?.secret_ciphertext).toMatch(/^v1\./);
		// A new site key without a secret keeps the stored secret: its tokens still pass.
		const renamed = await putTurnstile(t, { siteKey: "0x4AAAAAAAnewkey" });
		expect(renamed.json).toMatchObject({ siteKey: "0x4AAAAAAAnewkey", hostnames: ["shop.example.com"] });
		await setProtection(t, { challenge: "turnstile" });
		const queue = await openQueue(t);
		const g = await guest(t);
		const passing = await enterWith(t, "queue", queue.id, g, token(await mint(secret)));
		expect(passing.status, passing.text).toBe(200);
		// In use: not removable.
		expectProblem(
			await call("/api/v1/organization/turnstile", { method: "DELETE", key: t.secretKey }),
			409,
			"Turnstile in use",
		);
		await setProtection(t, { challenge: "none" });
		const removed = await call("/api/v1/organization/turnstile", { method: "DELETE", key: t.secretKey });
		expect(removed.status).toBe(204);
		expectProblem(await call("/api/v1/organization/turnstile", { key: t.secretKey }), 404);
	});

	it.each([
		[{ siteKey: "has space", secret: "0xabcdefgh" }],
		[{ siteKey: "", secret: "0xabcdefgh" }],
		[{ siteKey: TEST_SITE_KEY, secret: "" }],
		[{ siteKey: TEST_SITE_KEY, secret: "0xabcdefgh", extra: 1 }],
		[{ siteKey: TEST_SITE_KEY, secret: "0xabcdefgh", hostnames: ["not a host"] }],
		[{ siteKey: TEST_SITE_KEY, secret: "0xabcdefgh", hostnames: "shop.example.com" }],
		[{ secret: "0xabcdefgh" }],
	])("%j → 400, nothing stored", async (body) => {
		const t = await tenant();
		expect((await putTurnstile(t, body)).status).toBe(400);
		expectProblem(await call("/api/v1/organization/turnstile", { key: t.secretKey }), 404);
	});

	it("a sequence cannot choose Turnstile before the organization has settings (409, nothing changed)", async () => {
		const t = await tenant();
		const put = await call(`/api/v1/sequences/${t.sequenceId}`, {
			method: "PUT",
			key: t.secretKey,
			body: { protection: { challenge: "turnstile" } },
		});
		const problem = expectProblem(put, 409, "Turnstile not configured");
		expect(problem.detail).toContain("/api/v1/organization/turnstile");
		const seq = await call(`/api/v1/sequences/${t.sequenceId}`, { key: t.secretKey });
		expect(seq.json.protection.challenge).toBe("none");
		const exp = await call("/api/v1/experiences", { key: t.secretKey, body: { name: "X" } });
		const create = await call(`/api/v1/experiences/${exp.json.id}/sequences`, {
			key: t.secretKey,
			body: { name: "S", protection: { challenge: "turnstile" } },
		});
		expectProblem(create, 409, "Turnstile not configured");
		expect((await call(`/api/v1/experiences/${exp.json.id}/sequences`, { key: t.secretKey })).json.data).toEqual([]);
		// Another organization's settings do not count for this one.
		await setTurnstile(await tenant(), PASSES);
		expectProblem(await launchTurnstile(t), 409, "Turnstile not configured");
	});

	it("a key without the distributions scope cannot read or change them", async () => {
		const t = await tenant();
		const key = await call("/api/v1/api-keys", {
			key: t.secretKey,
			body: { type: "secret", name: "ro", scopes: ["catalog"] },
		});
		expect(key.status, key.text).toBe(201);
		const res = await call("/api/v1/organization/turnstile", {
			method: "PUT",
			key: key.json.key,
			body: { siteKey: TEST_SITE_KEY, secret: PASSES },
		});
		expect(res.status).toBe(403);
		expectProblem(await call("/api/v1/organization/turnstile", { key: t.secretKey }), 404);
	});
});

const launchTurnstile = (t: Tenant) =>
	call(`/api/v1/experiences/${t.experienceId}/sequences`, {
		key: t.secretKey,
		body: { name: "T", protection: { challenge: "turnstile" } },
	});

describe("the site key for shoppers", () => {
	it("POST /consumer/v1/challenges answers the site key and action, never the secret", async () => {
		const secret = realSecret();
		const t = await protectedTenant(secret);
		const ids = await distributions(t);
		const g = await guest(t);
		const res = await askChallenge(t, g, ids.queue, "enter");
		expect(res.status, res.text).toBe(201);
		expect(res.json).toEqual({
			type: "turnstile",
			siteKey: TEST_SITE_KEY,
			action: "enter",
			header: "X-Turnstile-Token",
		});
		expect((await askChallenge(t, g, ids.bid, "bid")).json.action).toBe("bid");
		const guestRes = await call("/consumer/v1/challenges/guest", {
			headers: { "X-Publishable-Key": t.publishableKey },
			body: { distributionId: ids.draw },
		});
		expect(guestRes.json).toMatchObject({ type: "turnstile", action: "guest" });
		for (const text of [
			res.text,
			guestRes.text,
			(await call(`/api/v1/sequences/${t.sequenceId}`, { key: t.secretKey })).text,
		]) {
			expect(text).not.toContain(secret);
		}
	});
});

describe("Turnstile on every protected path", () => {
	it("Cloudflare's always-passing test secret: the dummy token is accepted on queue enter, draw enter, a bid and buy-now", async () => {
		const t = await protectedTenant(PASSES);
		const ids = await distributions(t);
		for (const path of PATHS) {
			const res = await enterWith(t, path, ids[path], await guest(t), token(DUMMY_TOKEN));
			expect(res.status, `${path}: ${res.text}`).toBe(200);
		}
		expect((await stats(t, ids.queue)).queued).toBe(1);
	});

	it("no token → 403 Turnstile token required on every path, nothing stored", async () => {
		const t = await protectedTenant(PASSES);
		const ids = await distributions(t);
		const g = await guest(t);
		for (const path of PATHS) {
			const p = expectProblem(await enterWith(t, path, ids[path], g), 403, "Turnstile token required");
			expect(p.detail).toContain("X-Turnstile-Token");
		}
		await expectNothingEntered(t, ids);
	});

	it("the always-failing test secret → 403 Turnstile token invalid; the spent-token one → 403 expired or already used", async () => {
		for (const [secret, title] of [
			[FAILS, "Turnstile token invalid"],
			[SPENT, "Turnstile token expired or already used"],
		]) {
			const t = await protectedTenant(secret);
			const ids = await distributions(t);
			const g = await guest(t);
			for (const path of PATHS) expectProblem(await enterWith(t, path, ids[path], g, token(DUMMY_TOKEN)), 403, title);
			await expectNothingEntered(t, ids);
		}
	});

	it("a real secret: a token passes once; again (or forged, or too long) it is refused and nothing more is stored", async () => {
		const secret = realSecret();
		const t = await protectedTenant(secret);
		const draw = await shortDraw(t, {}, 60_000, 61_000);
		const g = await guest(t);
		const other = await guest(t);
		const once = await mint(secret);
		expect((await enterWith(t, "draw", draw.id, g, token(once))).status).toBe(200);
		expectProblem(
			await enterWith(t, "draw", draw.id, other, token(once)),
			403,
			"Turnstile token expired or already used",
		);
		expectProblem(await enterWith(t, "draw", draw.id, other, token("0.forged")), 403, "Turnstile token invalid");
		expectProblem(await enterWith(t, "draw", draw.id, other, token("x".repeat(2049))), 403, "Turnstile token invalid");
		expect(await allEntries(t, draw.id)).toHaveLength(1);
		// What siteverify was sent: the form, with the client address and an idempotency key.
		const [form] = await received(once);
		expect(form.secret).toBe(secret);
		expect(form.idempotency_key).toMatch(/^[0-9a-f-]{36}$/);
	});

	it("forwards the client address as remoteip", async () => {
		const secret = realSecret();
		const t = await protectedTenant(secret);
		const queue = await openQueue(t);
		const g = await guest(t);
		const value = await mint(secret);
		const res = await enterWith(t, "queue", queue.id, g, { ...token(value), "CF-Connecting-IP": "203.0.113.7" });
		expect(res.status, res.text).toBe(200);
		expect((await received(value))[0].remoteip).toBe("203.0.113.7");
	});

	it("a token solved for another action or on a hostname not listed → 403, nothing stored", async () => {
		const secret = realSecret();
		const t = await protectedTenant(secret, { hostnames: ["shop.example.com"] });
		const queue = await openQueue(t);
		const g = await guest(t);
		const wrongAction = await mint(secret, { action: "bid" });
		expectProblem(await enterWith(t, "queue", queue.id, g, token(wrongAction)), 403, "Turnstile token invalid");
		const wrongHost = await mint(secret, { hostname: "evil.example.net" });
		expectProblem(await enterWith(t, "queue", queue.id, g, token(wrongHost)), 403, "Turnstile token invalid");
		expect((await stats(t, queue.id)).queued).toBe(0);
		const right = await mint(secret, { hostname: "shop.example.com", action: "enter" });
		expect((await enterWith(t, "queue", queue.id, g, token(right))).status).toBe(200);
	});

	it.each([
		["unreachable (connection dropped)", "0xDOWN"],
		["answering 500", "0xERROR"],
		["answering HTML", "0xGARBAGE"],
	])("siteverify %s → 503 Turnstile unavailable, never a pass, nothing stored", async (_, prefix) => {
		const secret = realSecret(prefix);
		const t = await protectedTenant(secret);
		const ids = await distributions(t);
		const g = await guest(t);
		for (const path of PATHS) {
			const res = await enterWith(t, path, ids[path], g, token(await mint(secret)));
			const p = expectProblem(res, 503, "Turnstile unavailable");
			expect(p.detail).not.toContain(secret);
			expect(res.headers.get("Retry-After")).toBe("5");
		}
		await expectNothingEntered(t, ids);
	});

	it("a secret Cloudflare refuses → 503 telling the merchant, not the shopper, to fix it", async () => {
		const t = await protectedTenant("not-a-turnstile-secret");
		const queue = await openQueue(t);
		const p = expectProblem(await enterWith(t, "queue", queue.id, await guest(t), token(DUMMY_TOKEN)), 503);
		expect(p.detail).toContain("PUT /api/v1/organization/turnstile");
		expect((await stats(t, queue.id)).queued).toBe(0);
	});

	it("an auction asks for a token on a consumer's first bid only", async () => {
		const secret = realSecret();
		const t = await protectedTenant(secret);
		const auction = await openAuction(t);
		const g = await guest(t);
		expect((await enterWith(t, "bid", auction.id, g, token(await mint(secret)))).status).toBe(200);
		const second = await call(`/consumer/v1/auctions/${auction.id}/bids`, {
			key: g.accessToken,
			headers: { "X-Publishable-Key": t.publishableKey },
			body: { amount: 20 },
		});
		expect(second.status, second.text).toBe(200);
		expectProblem(await enterWith(t, "bid", auction.id, await guest(t)), 403, "Turnstile token required");
	});
});

describe("tenant isolation", () => {
	it("organization A's tokens are checked with A's secret only: B's settings are never used for A", async () => {
		const secretA = realSecret();
		const secretB = realSecret();
		const a = await protectedTenant(secretA);
		const b = await protectedTenant(secretB);
		const queueA = await openQueue(a);
		const ga = await guest(a);
		// A token for B's widget, on A's queue: checked with A's secret, so refused.
		const forB = await mint(secretB);
		expectProblem(await enterWith(a, "queue", queueA.id, ga, token(forB)), 403, "Turnstile token invalid");
		expect((await received(forB)).map((f) => f.secret)).toEqual([secretA]);
		expect((await stats(a, queueA.id)).queued).toBe(0);
		// B's token still passes on B's own queue (it was not spent by A's check).
		const queueB = await openQueue(b);
		expect((await enterWith(b, "queue", queueB.id, await guest(b), token(forB))).status).toBe(200);
		// An organization without settings of its own, whose sequence somehow says turnstile, is not checked with B's.
		const c = await tenant();
		await launch(c);
		await env.DB.prepare(
			`UPDATE sequences SET protection = '{"challenge":"turnstile","onFailure":"refuse"}' WHERE id = ?`,
		)
			.bind(c.sequenceId)
			.run();
		const queueC = await openQueue(c);
		expectProblem(
			await enterWith(c, "queue", queueC.id, await guest(c), token(await mint(secretB))),
			503,
			"Turnstile unavailable",
		);
	});
});
