/**
 * Shopper sessions (POST /consumer/v1/auth/refresh): rotation, reuse detection revoking the
 * family, expiry and revocation, tenant isolation — and a guest who wins a draw and claims
 * it after the access token they entered with has expired. Expiry is simulated: an access
 * token signed with a past `exp` by the test signing key, a refresh token's `expires_at`
 * moved into the past in D1.
 */
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { signToken } from "../../src/lib/tokens";
import { claim } from "../support/admissions";
import { bid, closeSoon, openAuction } from "../support/auction";
import { withD1Failing, withD1Trigger } from "../support/d1-faults";
import { consumerDraw, shortDraw, waitDrawn } from "../support/draw";
import { call, countRows, createOrg, guest, refreshCall, type TestOrg, tenant } from "../support/helpers";
import { expectProblem } from "../support/problems";
import { waitFor } from "../support/time";

const me = (t: TestOrg, accessToken: string, drawId: string) =>
	consumerDraw(t, drawId, "status", { consumerId: "", accessToken });

async function refreshed(t: TestOrg, refreshToken: string) {
	const res = await refreshCall(t, { refreshToken });
	expect(res.status, res.text).toBe(200);
	expect(Object.keys(res.json).sort()).toEqual(
		["accessToken", "consumerId", "expiresAt", "refreshExpiresAt", "refreshToken", "tokenType"].sort(),
	);
	return res.json as { consumerId: string; accessToken: string; refreshToken: string; refreshExpiresAt: string };
}

const tokenRows = (consumerId: string) =>
	env.DB.prepare("SELECT token_hash, used_at, revoked_at, expires_at FROM refresh_tokens WHERE consumer_id = ?")
		.bind(consumerId)
		.all<{ token_hash: string; used_at: number | null; revoked_at: number | null }>()
		.then((r) => r.results);

describe("refresh tokens", () => {
	it("guest sign-up and merchant-issued tokens carry a refresh token, stored only as its SHA-256", async () => {
		const t = await createOrg();
		const g = await guest(t);
		expect(g.refreshToken).toMatch(/^rt_[0-9A-Za-z]{43}$/);
		const con = await call("/api/v1/consumers", { key: t.secretKey, body: { email: "rt@example.com" } });
		const issued = await call(`/api/v1/consumers/${con.json.id}/tokens`, { key: t.secretKey, method: "POST" });
		expect(issued.status, issued.text).toBe(201);
		expect(issued.json.refreshToken).toMatch(/^rt_/);
		expect(Date.parse(issued.json.refreshExpiresAt) - Date.now()).toBeGreaterThan(29 * 86_400_000);
		const rows = await tokenRows(g.consumerId);
		expect(rows).toHaveLength(1);
		const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(g.refreshToken)));
		expect(rows[0].token_hash).toBe([...digest].map((b) => b.toString(16).padStart(2, "0")).join(""));
	});

	it("rotates through a simulated day of hourly refreshes; reusing an old one revokes the family", async () => {
		const t = await createOrg();
		const g = await guest(t);
		const seen = [g.refreshToken as string];
		for (let hour = 0; hour < 24; hour++) {
			const next = await refreshed(t, seen[seen.length - 1]);
			expect(next.consumerId).toBe(g.consumerId);
			expect(seen).not.toContain(next.refreshToken);
			seen.push(next.refreshToken);
		}
		const current = seen[seen.length - 1];
		// An old token presented again: a copy is in someone else's hands.
		expectProblem(await refreshCall(t, { refreshToken: seen[3] }), 401, "Refresh token reused");
		// …so the family is gone, the newest token included.
		expectProblem(await refreshCall(t, { refreshToken: current }), 401, "Refresh token revoked");
		const rows = await tokenRows(g.consumerId);
		expect(rows).toHaveLength(25);
		expect(rows.every((r) => r.revoked_at !== null)).toBe(true);
		// Another sign-in of the same shopper is its own family, untouched.
		const again = await call(`/api/v1/consumers/${g.consumerId}/tokens`, { key: t.secretKey, method: "POST" });
		await refreshed(t, again.json.refreshToken);
	});

	it("one refresh token used twice at once: one answer wins, the other is a reuse", async () => {
		const t = await createOrg();
		const g = await guest(t);
		const [a, b] = await Promise.all([1, 2].map(() => refreshCall(t, { refreshToken: g.refreshToken })));
		expect([a.status, b.status].sort()).toEqual([200, 401]);
		const winner = a.status === 200 ? a : b;
		expectProblem(await refreshCall(t, { refreshToken: winner.json.refreshToken }), 401);
	});

	it("a refresh that fails on its way into D1 stores nothing: its retry (the SDK's) is no reuse", async () => {
		const t = await createOrg();
		const g = await guest(t);
		// A real D1 failure while the successor is stored, for this consumer only.
		await withD1Failing("INSERT", "refresh_tokens", "consumer_id", g.consumerId, async () => {
			const failed = await refreshCall(t, { refreshToken: g.refreshToken });
			expect(failed.status, failed.text).toBe(500);
			expect((await tokenRows(g.consumerId)).map((r) => r.used_at)).toEqual([null]);
		});
		const retried = await refreshed(t, g.refreshToken as string);
		expect(retried.consumerId).toBe(g.consumerId);
		expect((await tokenRows(g.consumerId)).filter((r) => r.revoked_at !== null)).toEqual([]);
	});

	it("refuses missing, garbage, unknown, expired and other organizations' tokens, storing nothing", async () => {
		const t = await createOrg();
		const other = await createOrg();
		const g = await guest(t);
		const foreign = await guest(other);
		const before = await countRows("refresh_tokens", t.organizationId);
		expectProblem(await refreshCall(t, {}), 400);
		expectProblem(await refreshCall(t, { refreshToken: "" }), 400);
		expectProblem(await refreshCall(t, { refreshToken: 42 }), 400);
		expectProblem(await refreshCall(t, { refreshToken: g.refreshToken, extra: 1 }), 400);
		expectProblem(await refreshCall(t, { refreshToken: "rt_garbage" }), 401, "Refresh token invalid");
		expectProblem(await refreshCall(t, { refreshToken: `rt_${"A".repeat(43)}` }), 401, "Refresh token invalid");
		expectProblem(await refreshCall(t, { refreshToken: foreign.refreshToken }), 401, "Refresh token invalid");
		expectProblem(await refreshCall(t, { refreshToken: g.accessToken }), 401, "Refresh token invalid");
		const noKey = await call("/consumer/v1/auth/refresh", { body: { refreshToken: g.refreshToken } });
		expectProblem(noKey, 401);
		await env.DB.prepare("UPDATE refresh_tokens SET expires_at = ? WHERE consumer_id = ?")
			.bind(Date.now() - 1, g.consumerId)
			.run();
		expectProblem(await refreshCall(t, { refreshToken: g.refreshToken }), 401, "Refresh token expired");
		expect(await countRows("refresh_tokens", t.organizationId)).toBe(before);
		// The other organization's shopper was never touched.
		await refreshed(other, foreign.refreshToken as string);
	});

	it("revoke signs out the whole family; deleting the consumer deletes its tokens", async () => {
		const t = await createOrg();
		const g = await guest(t);
		const next = await refreshed(t, g.refreshToken as string);
		expectProblem(await refreshCall(t, { refreshToken: "rt_nope" }, "revoke"), 401, "Refresh token invalid");
		const revoked = await refreshCall(t, { refreshToken: g.refreshToken }, "revoke");
		expect(revoked.status, revoked.text).toBe(204);
		expectProblem(await refreshCall(t, { refreshToken: next.refreshToken }), 401, "Refresh token revoked");

		const h = await guest(t);
		expect(await tokenRows(h.consumerId)).toHaveLength(1);
		const del = await call(`/api/v1/consumers/${h.consumerId}`, { key: t.secretKey, method: "DELETE" });
		expect(del.status).toBe(204);
		expect(await tokenRows(h.consumerId)).toHaveLength(0);
		expectProblem(await refreshCall(t, { refreshToken: h.refreshToken }), 401, "Refresh token invalid");
	});

	it("a sign-out landing between a refresh's check and its rotation leaves no live token", async () => {
		const t = await createOrg();
		const g = await guest(t);
		// The revoke, as it would land after the refresh read the token and before its batch stored the
		// successor: a trigger on that insert revokes the family's rows of the moment.
		const res = await withD1Trigger(
			"INSERT",
			"refresh_tokens",
			"consumer_id",
			g.consumerId,
			`UPDATE refresh_tokens SET revoked_at = ${Date.now()} WHERE consumer_id = NEW.consumer_id AND id <> NEW.id`,
			() => refreshCall(t, { refreshToken: g.refreshToken }),
		);
		// Before the fix: 200 with a successor that went on refreshing after the sign-out.
		expect(res.status, res.text).toBe(401);
		const rows = await tokenRows(g.consumerId);
		expect(rows).toHaveLength(2);
		expect(rows.every((r) => r.revoked_at !== null)).toBe(true);
	});
});

describe("a guest's session outlives its access token", () => {
	it("wins a draw, and claims the win after the access token expired, by refreshing", async () => {
		const t = await tenant();
		const d = await shortDraw(t, { winnerCount: 1 });
		const g = await guest(t);
		expect((await consumerDraw(t, d.id, "enter", g)).status).toBe(200);
		await waitDrawn(t, d.id);
		// The access token of the morning, expired: signed like ours, but an hour past its exp.
		const exp = Math.floor(Date.now() / 1000) - 3600;
		const stale = await signToken(env.JWT_SIGNING_KEY, {
			sub: g.consumerId,
			org: t.organizationId,
			typ: "consumer",
			exp,
		});
		expectProblem(await me(t, stale, d.id), 401);
		const fresh = await refreshed(t, g.refreshToken as string);
		const won = await me(t, fresh.accessToken, d.id);
		expect(won.status, won.text).toBe(200);
		expect(won.json.status).toBe("WON");
		const claimed = await claim(t, won.json.admissionToken);
		expect(claimed.status, claimed.text).toBe(200);
		expect((await me(t, fresh.accessToken, d.id)).json.status).toBe("CLAIMED");
	});
});

describe("draw entries by ticket", () => {
	const byTicket = (t: TestOrg, drawId: string, ticket: string, accessToken?: string) =>
		call(`/consumer/v1/draws/${drawId}/status`, {
			key: accessToken ?? null,
			headers: { "X-Publishable-Key": t.publishableKey, "X-Draw-Ticket": ticket },
		});

	it("enter answers a ticket; status by X-Draw-Ticket alone follows the entry to the win", async () => {
		const t = await tenant();
		const d = await shortDraw(t, { winnerCount: 1 });
		const [g, other] = await Promise.all([guest(t), guest(t)]);
		const entered = await consumerDraw(t, d.id, "enter", g);
		expect(typeof entered.json.ticket).toBe("string");
		const mine = await byTicket(t, d.id, entered.json.ticket);
		expect(mine.status, mine.text).toBe(200);
		expect(mine.json).toMatchObject({ consumerId: g.consumerId, status: "ENTERED" });
		expect(mine.json.receipt.entryId).toBe(entered.json.receipt.entryId);

		// Refused: garbage, another consumer's token with this ticket, another draw's ticket.
		expectProblem(await byTicket(t, d.id, "garbage"), 401, "Invalid ticket");
		expectProblem(await byTicket(t, d.id, entered.json.ticket, other.accessToken), 401, "Invalid ticket");
		const d2 = await shortDraw(t, { winnerCount: 1 });
		expectProblem(await byTicket(t, d2.id, entered.json.ticket), 401, "Invalid ticket");
		// Without ticket or token: 401 as before.
		expectProblem(await consumerDraw(t, d.id, "status", null), 401);

		await waitDrawn(t, d.id);
		const won = await byTicket(t, d.id, entered.json.ticket);
		expect(won.json).toMatchObject({ consumerId: g.consumerId, status: "WON" });
		// A ticket alone never carries the grant away (README, Admission grants): the token does.
		expect(won.json.admissionToken).toBeUndefined();
	});
});

describe("auction bidding by ticket", () => {
	const byTicket = (t: TestOrg, auctionId: string, ticket: string, accessToken?: string) =>
		call(`/consumer/v1/auctions/${auctionId}/status`, {
			key: accessToken ?? null,
			headers: { "X-Publishable-Key": t.publishableKey, "X-Auction-Ticket": ticket },
		});

	it("a bid answers a ticket; status by X-Auction-Ticket alone follows the bidder to the win", async () => {
		const t = await tenant();
		const a = await openAuction(t);
		const [g, other] = await Promise.all([guest(t), guest(t)]);
		const placed = await bid(t, a.id, g, 10);
		expect(placed.status, placed.text).toBe(200);
		expect(typeof placed.json.ticket).toBe("string");
		const mine = await byTicket(t, a.id, placed.json.ticket);
		expect(mine.status, mine.text).toBe(200);
		expect(mine.json).toMatchObject({ consumerId: g.consumerId, status: "WINNING", yourMaximum: 10 });

		// Refused: garbage, another consumer's token with this ticket, another auction's ticket.
		expectProblem(await byTicket(t, a.id, "garbage"), 401, "Invalid ticket");
		expectProblem(await byTicket(t, a.id, placed.json.ticket, other.accessToken), 401, "Invalid ticket");
		const a2 = await openAuction(t);
		expectProblem(await byTicket(t, a2.id, placed.json.ticket), 401, "Invalid ticket");
		// A ticket only reads: bidding still needs the access token.
		const noToken = await call(`/consumer/v1/auctions/${a.id}/bids`, {
			key: null,
			headers: { "X-Publishable-Key": t.publishableKey, "X-Auction-Ticket": placed.json.ticket },
			body: { amount: 20 },
		});
		expectProblem(noToken, 401);

		await closeSoon(t, a.id);
		const won = await waitFor(
			"settled",
			() => byTicket(t, a.id, placed.json.ticket),
			(r) => r.json.status === "WON",
		);
		expect(won.json).toMatchObject({ consumerId: g.consumerId, status: "WON" });
		// A ticket alone never carries the grant away (README, Admission grants), nor the price it is claimed at.
		expect(won.json.admissionToken).toBeUndefined();
	});
});
