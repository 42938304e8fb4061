/**
 * Proof-of-work protection through the worker: the sequence's `protection` field, challenges
 * (issued, bound, single use), and every protected path — queue enter, draw enter, bid, buy-now —
 * refusing missing, malformed, forged, unsolved, expired, reused and misbound challenges with a
 * 403 and nothing stored, and taking a solved one.
 */
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { issueChallenge } from "../../../src/distributions/protection/challenge-token";
import { difficultyFor, leadingZeroBits } from "../../../src/distributions/protection/pow";
import { solvePow } from "../../../src/sdk/pow";
import type { Path } from "../../support/access";
import { allBids, openAuction } from "../../support/auction";
import { allEntries, shortDraw } from "../../support/draw";
import { call, guest, launch, type Tenant, tenant } from "../../support/helpers";
import { expectFieldError, expectProblem } from "../../support/problems";
import {
	askChallenge,
	challengeFor,
	enterWith,
	PURPOSE,
	setProtection,
	solved,
	spentCount,
} from "../../support/protection";
import { openQueue, stats } from "../../support/queue";
import { sleep } from "../../support/time";

const PATHS: Path[] = ["queue", "draw", "bid", "buy-now"];

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

describe("the sequence's protection field", () => {
	it("defaults to none/refuse, is set on create and update, and GET shows it", async () => {
		const t = await tenant();
		const got = await call(`/api/v1/sequences/${t.sequenceId}`, { key: t.secretKey });
		expect(got.json.protection).toEqual({ challenge: "none", onFailure: "refuse" });
		const other = await launch(t, {}, { protection: { challenge: "pow" } });
		const seq = await call(`/api/v1/sequences/${other.sequenceId}`, { key: t.secretKey });
		expect(seq.json.protection).toEqual({ challenge: "pow", onFailure: "refuse" });
		expect(await setProtection(t, { challenge: "pow", onFailure: "back-of-line" })).toEqual({
			challenge: "pow",
			onFailure: "back-of-line",
		});
		// The object replaces the stored one; other fields leave it alone.
		expect(await setProtection(t, { challenge: "pow" })).toEqual({ challenge: "pow", onFailure: "refuse" });
		const renamed = await call(`/api/v1/sequences/${t.sequenceId}`, {
			method: "PUT",
			key: t.secretKey,
			body: { name: "Renamed" },
		});
		expect(renamed.json.protection).toEqual({ challenge: "pow", onFailure: "refuse" });
	});

	it.each([
		[{ challenge: "captcha" }],
		[{ challenge: "pow", extra: 1 }],
		[{ onFailure: "ignore" }],
		["pow"],
		[null],
		[[]],
	])("protection %j → 400, nothing changed", async (protection) => {
		const t = await tenant();
		await setProtection(t, { challenge: "pow" });
		const put = await call(`/api/v1/sequences/${t.sequenceId}`, {
			method: "PUT",
			key: t.secretKey,
			body: { protection },
		});
		const problem = expectProblem(put, 400, "Validation failed");
		expect(problem.errors?.[0].path).toMatch(/^protection/);
		const exp = await call("/api/v1/experiences", { key: t.secretKey, body: { name: "X" } });
		const create = await call(`/api/v1/experiences/${exp.json.id}/sequences`, {
			key: t.secretKey,
			body: { name: "S", protection },
		});
		expect(create.status).toBe(400);
		expect((await call(`/api/v1/experiences/${exp.json.id}/sequences`, { key: t.secretKey })).json.data).toEqual([]);
		const seq = await call(`/api/v1/sequences/${t.sequenceId}`, { key: t.secretKey });
		expect(seq.json.protection.challenge).toBe("pow");
	});

	it("the OpenAPI document names the setting and the challenge route", async () => {
		const doc = (await call("/openapi.json")).json;
		expect(doc.components.schemas.Sequence.properties.protection).toBeDefined();
		expect(doc.components.schemas.Protection.properties.challenge.enum).toEqual(["none", "pow", "turnstile"]);
		expect(doc.paths["/consumer/v1/challenges"].post).toBeDefined();
		expect(doc.components.schemas.PowChallenge.properties.bits).toBeDefined();
		expect(doc.components.schemas.TurnstileChallenge.properties.siteKey).toBeDefined();
	});
});

describe("the difficulty", () => {
	it("follows bits = min(18, 12 + ceil(log2(max(1, arrivalsPerMinute / 60))))", () => {
		const table = [
			[0, 12],
			[60, 12],
			[61, 13],
			[120, 13],
			[240, 14],
			[3_840, 18],
			[1_000_000, 18],
		];
		for (const [rate, bits] of table) expect(difficultyFor(rate), `${rate}/min`).toBe(bits);
	});

	it("counts leading zero bits", () => {
		expect(leadingZeroBits(new Uint8Array([0, 0, 0x10, 0xff]))).toBe(19);
		expect(leadingZeroBits(new Uint8Array([0x80]))).toBe(0);
		expect(leadingZeroBits(new Uint8Array([0, 0]))).toBe(16);
	});
});

describe("challenges", () => {
	it("are handed out only for a pow distribution, for its purpose, to a consumer", async () => {
		const t = await tenant();
		const ids = await distributions(t);
		const g = await guest(t);
		expectProblem(await askChallenge(t, g, ids.queue, "enter"), 409, "No challenge needed");
		await setProtection(t, { challenge: "pow" });
		const ok = await challengeFor(t, g, ids.queue, "enter");
		expect(ok.bits).toBe(12);
		expect(Date.parse(ok.expiresAt)).toBeGreaterThan(Date.now());
		expectFieldError(await askChallenge(t, g, ids.queue, "bid"), "purpose");
		expectFieldError(await askChallenge(t, g, ids.bid, "enter"), "purpose");
		expectFieldError(await askChallenge(t, g, "prod_01HXYZ123456789ABCDEFGHJK", "enter"), "distributionId");
		expectFieldError(await askChallenge(t, g, ids.queue, "guess"), "purpose");
		expectProblem(await askChallenge(t, g, "queue_01HXYZ123456789ABCDEFGHJK", "enter"), 404, "Queue not found");
		const anonymous = await call("/consumer/v1/challenges", {
			headers: { "X-Publishable-Key": t.publishableKey },
			body: { distributionId: ids.queue, purpose: "enter" },
		});
		expectProblem(anonymous, 401);
		// Another organization's distribution does not exist for this one.
		const other = await tenant();
		expectProblem(await askChallenge(other, await guest(other), ids.queue, "enter"), 404, "Queue not found");
	});
});

describe("pow on every protected path", () => {
	it("a solved challenge is accepted on queue enter, draw enter, a bid and buy-now", async () => {
		const t = await tenant();
		await setProtection(t, { challenge: "pow" });
		const ids = await distributions(t);
		for (const path of PATHS) {
			const g = await guest(t);
			const res = await enterWith(t, path, ids[path], g, await solved(t, g, ids[path], PURPOSE[path]));
			expect(res.status, `${path}: ${res.text}`).toBe(200);
		}
		expect((await stats(t, ids.queue)).queued).toBe(1);
	});

	it("no challenge → 403 Challenge required on every path, nothing stored", async () => {
		const t = await tenant();
		await setProtection(t, { challenge: "pow" });
		const ids = await distributions(t);
		const g = await guest(t);
		for (const path of PATHS) {
			const p = expectProblem(await enterWith(t, path, ids[path], g), 403, "Challenge required");
			expect(p.detail).toContain("/consumer/v1/challenges");
		}
		await expectNothingEntered(t, ids);
	});

	it("malformed, forged, unsolved and misbound challenges → 403 Challenge invalid, nothing stored", async () => {
		const t = await tenant();
		await setProtection(t, { challenge: "pow" });
		const ids = await distributions(t);
		const g = await guest(t);
		const other = await guest(t);
		const { challenge, bits } = await challengeFor(t, g, ids.queue, "enter");
		const nonce = solvePow(challenge, bits);
		const parts = challenge.split(".");
		const forgedBits = [...parts.slice(0, 6), "1", ...parts.slice(7)].join(".");
		const cases: [string, Record<string, string>][] = [
			["nonce missing", { "X-Challenge": challenge }],
			["challenge missing", { "X-Challenge-Nonce": nonce }],
			["nonce not digits", { "X-Challenge": challenge, "X-Challenge-Nonce": "-1" }],
			["garbage", { "X-Challenge": "pow.nope", "X-Challenge-Nonce": "1" }],
			["easier bits, same MAC", { "X-Challenge": forgedBits, "X-Challenge-Nonce": solvePow(forgedBits, 1) }],
			["MAC of another key", { "X-Challenge": `${parts.slice(0, 8).join(".")}.AAAA`, "X-Challenge-Nonce": nonce }],
			["huge", { "X-Challenge": "p".repeat(600), "X-Challenge-Nonce": "1" }],
		];
		// Unsolved: a nonce whose hash lacks the bits.
		for (let n = 0; ; n++) {
			const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(challenge + n)));
			if (leadingZeroBits(digest) < bits) {
				cases.push(["unsolved", { "X-Challenge": challenge, "X-Challenge-Nonce": String(n) }]);
				break;
			}
		}
		for (const [what, headers] of cases) {
			expectProblem(await enterWith(t, "queue", ids.queue, g, headers), 403, "Challenge invalid");
			void what;
		}
		// Bound to its consumer, distribution and purpose.
		const solvedHeaders = { "X-Challenge": challenge, "X-Challenge-Nonce": nonce };
		expectProblem(await enterWith(t, "queue", ids.queue, other, solvedHeaders), 403, "Challenge invalid");
		const otherQueue = await openQueue(t);
		expectProblem(await enterWith(t, "queue", otherQueue.id, g, solvedHeaders), 403, "Challenge invalid");
		const drawChallenge = await solved(t, g, ids.draw, "enter");
		expectProblem(await enterWith(t, "queue", ids.queue, g, drawChallenge), 403, "Challenge invalid");
		await expectNothingEntered(t, ids);
		expect(await spentCount(ids.queue)).toBe(0);
		// Still good for its own request after all that.
		expect((await enterWith(t, "queue", ids.queue, g, solvedHeaders)).status).toBe(200);
	});

	it("a challenge is accepted once: reused → 403 Challenge already used, on the same or another consumer's request", async () => {
		const t = await tenant();
		await setProtection(t, { challenge: "pow" });
		const draw = await shortDraw(t, {}, 60_000, 61_000);
		const g = await guest(t);
		const headers = await solved(t, g, draw.id, "enter");
		expect((await enterWith(t, "draw", draw.id, g, headers)).status).toBe(200);
		expectProblem(await enterWith(t, "draw", draw.id, g, headers), 403, "Challenge already used");
		expect(await allEntries(t, draw.id)).toHaveLength(1);
		expect(await spentCount(draw.id)).toBe(1);
	});

	it("a challenge spent just before it expires is not spent again just after (the ledger's own clock)", async () => {
		const ledger = env.CHALLENGE_LEDGER.getByName(`queue_${crypto.randomUUID()}`);
		const expiresAt = Date.now() + 150;
		expect(await ledger.spend("chl_edge", expiresAt)).toBe(true);
		expect(await ledger.spend("chl_edge", expiresAt)).toBe(false);
		await sleep(200);
		// A request the worker let through a moment before expiry, reaching the ledger after it.
		expect(await ledger.spend("chl_edge", expiresAt)).toBe(false);
		expect(await ledger.spend("chl_other", expiresAt), "expired, never spent").toBe(false);
	});

	it("an expired challenge → 403 Challenge expired, nothing stored", async () => {
		const t = await tenant();
		await setProtection(t, { challenge: "pow" });
		const queue = await openQueue(t);
		const g = await guest(t);
		const old = await issueChallenge(
			env.APP_SECRET,
			{ distributionId: queue.id, purpose: "enter", consumerId: g.consumerId },
			8,
			Date.now() - 10 * 60_000,
		);
		const headers = { "X-Challenge": old.challenge, "X-Challenge-Nonce": solvePow(old.challenge, 8) };
		expectProblem(await enterWith(t, "queue", queue.id, g, headers), 403, "Challenge expired");
		expect((await stats(t, queue.id)).queued).toBe(0);
	});

	it("an auction asks for a challenge on a consumer's first bid only", async () => {
		const t = await tenant();
		await setProtection(t, { challenge: "pow" });
		const auction = await openAuction(t);
		const g = await guest(t);
		const first = await call(`/consumer/v1/auctions/${auction.id}/bids`, {
			key: g.accessToken,
			headers: { "X-Publishable-Key": t.publishableKey, ...(await solved(t, g, auction.id, "bid")) },
			body: { amount: 10 },
		});
		expect(first.status, first.text).toBe(200);
		const second = await call(`/consumer/v1/auctions/${auction.id}/bids`, {
			key: g.accessToken,
			headers: { "X-Publishable-Key": t.publishableKey },
			body: { amount: 20 },
		});
		expect(second.status, second.text).toBe(200);
		const stranger = await guest(t);
		expectProblem(await enterWith(t, "bid", auction.id, stranger), 403, "Challenge required");
	});

	it("difficulty rises with arrivals: after 61 entries in a minute the next challenge is 13 bits", async () => {
		const t = await tenant();
		await setProtection(t, { challenge: "pow" });
		const draw = await shortDraw(t, {}, 60_000, 61_000);
		const g = await guest(t);
		for (let i = 0; i < 61; i++) {
			const { challenge, bits } = await challengeFor(t, g, draw.id, "enter");
			const res = await enterWith(t, "draw", draw.id, g, {
				"X-Challenge": challenge,
				"X-Challenge-Nonce": solvePow(challenge, bits),
			});
			expect(res.status, res.text).toBe(200);
		}
		expect(await spentCount(draw.id)).toBe(61);
		// The per-isolate rate cache holds a second.
		await new Promise((r) => setTimeout(r, 1_100));
		expect((await challengeFor(t, g, draw.id, "enter")).bits).toBe(13);
	});
});
