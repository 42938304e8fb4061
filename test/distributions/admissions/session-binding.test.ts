/**
 * Grants bound to the shopper's session (#16 item 4): a merchant issues consumer tokens with a
 * `sessionId`; the access token carries it as `sid` (and keeps it across refreshes); every grant
 * handed to that token — status, enter, bid, buy-now, the checkout redirect, a checkout link with
 * the grant itself — carries the same `sid`, the queue's
 * socket never carries the grant itself; the merchant's validate/complete with another
 * `sessionId` refuse a grant that was passed on, and it stays usable in its own session.
 */
import { env } from "cloudflare:workers";
import { afterEach, describe, expect, it } from "vitest";
import { signToken } from "../../../src/lib/tokens";
import { bid, buyNow, openAuction } from "../../support/auction";
import { consumerDraw, shortDraw, waitDrawn } from "../../support/draw";
import { BASE, call, guest, type Shopper, tenant } from "../../support/helpers";
import { closeLive, connect, ofType } from "../../support/live";
import { expectFieldError, expectProblem } from "../../support/problems";
import { admit, consumerCall, enter, openQueue, status } from "../../support/queue";

afterEach(closeLive);

const claims = (jwt: string) => JSON.parse(atob(jwt.split(".")[1].replace(/-/g, "+").replace(/_/g, "/")));
const SESSION = "sess_merchant_5f2c8e1b9a";

async function boundShopper(t: Awaited<ReturnType<typeof tenant>>, sessionId = SESSION) {
	const consumer = await call("/api/v1/consumers", {
		key: t.secretKey,
		body: { email: `s${Math.random()}@example.com` },
	});
	expect(consumer.status, consumer.text).toBe(201);
	const res = await call(`/api/v1/consumers/${consumer.json.id}/tokens`, { key: t.secretKey, body: { sessionId } });
	expect(res.status, res.text).toBe(201);
	return res.json as Shopper & { refreshToken: string };
}

async function admittedGrant(t: Awaited<ReturnType<typeof tenant>>, s: Shopper, queueId: string) {
	expect((await enter(t, queueId, s)).status).toBe(200);
	expect((await admit(t, queueId, 1)).status).toBe(200);
	const res = await status(t, queueId, s);
	expect(res.json.status, res.text).toBe("ADMITTED");
	return res.json.admissionToken as string;
}

const validate = (t: { secretKey: string }, body: Record<string, unknown>) =>
	call("/api/v1/admissions/validate", { key: t.secretKey, body });

describe("session-bound consumer tokens", () => {
	it("carry the session as `sid`, and keep it across a refresh", async () => {
		const t = await tenant();
		const s = await boundShopper(t);
		expect(claims(s.accessToken).sid).toBe(SESSION);
		const refreshed = await call("/consumer/v1/auth/refresh", {
			body: { refreshToken: s.refreshToken },
			headers: { "X-Publishable-Key": t.publishableKey },
		});
		expect(refreshed.status, refreshed.text).toBe(200);
		expect(claims(refreshed.json.accessToken).sid).toBe(SESSION);
		// Without a sessionId (or a body at all) nothing changes.
		const plain = await call("/api/v1/consumers", { key: t.secretKey, body: { email: "plain@example.com" } });
		const unbound = await call(`/api/v1/consumers/${plain.json.id}/tokens`, { key: t.secretKey, method: "POST" });
		expect(unbound.status).toBe(201);
		expect(claims(unbound.json.accessToken).sid).toBeUndefined();
	});

	it.each([
		["too short", "abc"],
		["with spaces", "my session id"],
		["over 128 characters", "x".repeat(129)],
		["not a string", 42],
	])("refuses a sessionId %s with 400, issuing nothing", async (_what, sessionId) => {
		const t = await tenant();
		const consumer = await call("/api/v1/consumers", { key: t.secretKey, body: { email: "bad@example.com" } });
		const res = await call(`/api/v1/consumers/${consumer.json.id}/tokens`, { key: t.secretKey, body: { sessionId } });
		expectFieldError(res, "sessionId");
		const rows = await call(`/api/v1/consumers/${consumer.json.id}`, { key: t.secretKey });
		expect(rows.status).toBe(200);
	});
});

describe("grants bound to the session", () => {
	it("a bound grant names the session; validate and complete refuse it in another, accept it in its own", async () => {
		const t = await tenant();
		const queue = await openQueue(t);
		const s = await boundShopper(t);
		const grant = await admittedGrant(t, s, queue.id);
		expect(claims(grant)).toMatchObject({ sid: SESSION, sub: s.consumerId, dist: queue.id });

		const elsewhere = await validate(t, { token: grant, sessionId: "sess_someone_else" });
		expect(elsewhere.json).toMatchObject({ valid: false, reason: "session_mismatch", sessionId: SESSION });
		const own = await validate(t, { token: grant, sessionId: SESSION });
		expect(own.json).toMatchObject({ valid: true, consumerId: s.consumerId, sessionId: SESSION });
		// Without a sessionId the merchant is told the binding and checks it itself.
		expect((await validate(t, { token: grant })).json).toMatchObject({ valid: true, sessionId: SESSION });

		const passedOn = await call("/api/v1/admissions/complete", {
			key: t.secretKey,
			body: { token: grant, sessionId: "sess_someone_else", orderId: "A-1" },
		});
		expectProblem(passedOn, 403, "Admission bound to another session");
		expect((await validate(t, { token: grant, sessionId: SESSION })).json.valid).toBe(true);
		const done = await call("/api/v1/admissions/complete", {
			key: t.secretKey,
			body: { token: grant, sessionId: SESSION, orderId: "A-1" },
		});
		expect(done.status, done.text).toBe(200);
		expect((await validate(t, { token: grant, sessionId: SESSION })).json).toMatchObject({
			valid: false,
			reason: "used",
		});
	});

	it("an unbound grant (a guest's) ignores the sessionId and names none", async () => {
		const t = await tenant();
		const queue = await openQueue(t);
		const g = await guest(t);
		const grant = await admittedGrant(t, g, queue.id);
		expect(claims(grant).sid).toBeUndefined();
		const res = await validate(t, { token: grant, sessionId: SESSION });
		expect(res.json.valid).toBe(true);
		expect(res.json).not.toHaveProperty("sessionId");
	});

	it("a grant re-signed with another sid is refused (the signature covers the binding)", async () => {
		const t = await tenant();
		const queue = await openQueue(t);
		const s = await boundShopper(t);
		const grant = await admittedGrant(t, s, queue.id);
		const [h, , sig] = grant.split(".");
		const body = btoa(JSON.stringify({ ...claims(grant), sid: "sess_someone_else" }))
			.replace(/\+/g, "-")
			.replace(/\//g, "_")
			.replace(/=+$/, "");
		const forged = await validate(t, { token: `${h}.${body}.${sig}`, sessionId: "sess_someone_else" });
		expect(forged.json).toMatchObject({ valid: false, reason: "invalid" });
	});

	it("the checkout redirect carries the bound grant", async () => {
		const t = await tenant();
		const exp = await call(`/api/v1/experiences/${t.experienceId}`, {
			key: t.secretKey,
			method: "PUT",
			body: { checkoutUrl: "https://shop.example.com/checkout" },
		});
		expect(exp.status).toBe(200);
		const queue = await openQueue(t);
		const s = await boundShopper(t);
		await admittedGrant(t, s, queue.id);
		const res = await consumerCall(t, `/checkout/${queue.id}`, { token: s.accessToken });
		expect(res.status, res.text).toBe(302);
		const token = new URL(res.headers.get("Location") ?? "").searchParams.get("admissionToken") ?? "";
		expect(claims(token).sid).toBe(SESSION);
	});

	it("the queue's socket of a bound token never carries the grant; status brings it bound", async () => {
		const t = await tenant();
		const queue = await openQueue(t);
		const s = await boundShopper(t);
		expect((await enter(t, queue.id, s)).status).toBe(200);
		const live = await connect(
			`${BASE}/consumer/v1/queues/${queue.id}/live?${new URLSearchParams({ key: t.publishableKey, token: s.accessToken })}`,
		);
		await live.next(ofType("status"));
		expect((await admit(t, queue.id, 1)).status).toBe(200);
		const admitted = await live.next(ofType("admitted"));
		expect(admitted).toMatchObject({ type: "admitted", status: "ADMITTED" });
		expect(admitted).not.toHaveProperty("admissionToken");
		const polled = await status(t, queue.id, s);
		expect(claims(polled.json.admissionToken).sid).toBe(SESSION);
	});

	it("a checkout link with the bound grant itself (?grant=) redirects with it still bound", async () => {
		const t = await tenant();
		await withCheckoutUrl(t);
		const queue = await openQueue(t);
		const s = await boundShopper(t);
		const grant = await admittedGrant(t, s, queue.id);
		// Whoever holds the link (no access token, no session) must not get the grant back unbound.
		const res = await viaLink(t, queue.id, grant);
		expect(res.status, res.text).toBe(302);
		const token = new URL(res.headers.get("Location") ?? "").searchParams.get("admissionToken") ?? "";
		expect(claims(token)).toMatchObject({ sid: SESSION, jti: claims(grant).jti });
		const elsewhere = await validate(t, { token, sessionId: "sess_someone_else" });
		expect(elsewhere.json).toMatchObject({ valid: false, reason: "session_mismatch" });
	});

	it("an expired grant in a checkout link identifies no one (401), though its consumer holds a live one", async () => {
		const t = await tenant();
		await withCheckoutUrl(t);
		const queue = await openQueue(t);
		const s = await boundShopper(t);
		const grant = await admittedGrant(t, s, queue.id);
		const { iss: _iss, ...live } = claims(grant);
		const expired = await signToken(env.JWT_SIGNING_KEY, { ...live, exp: Math.floor(Date.now() / 1000) - 60 });
		expectProblem(await viaLink(t, queue.id, expired), 401);
		expect((await viaLink(t, queue.id, grant)).status).toBe(302);
	});

	it("a draw's winner entering again gets its grant bound", async () => {
		const t = await tenant();
		const s = await boundShopper(t);
		const d = await shortDraw(t, { winnerCount: 1 }, 1000, 1500);
		expect((await consumerDraw(t, d.id, "enter", s)).status).toBe(200);
		await waitDrawn(t, d.id);
		const again = await consumerDraw(t, d.id, "enter", s);
		expect(again.status, again.text).toBe(200);
		expect(again.json.admissionToken, again.text).toEqual(expect.any(String));
		expect(claims(again.json.admissionToken).sid).toBe(SESSION);
	});

	it("buy-now answers like a winning bid: the grant bound, with the checkout link", async () => {
		const t = await tenant();
		await withCheckoutUrl(t);
		const s = await boundShopper(t);
		const a = await openAuction(t, { startingBid: 10, minimumIncrement: 1, buyNowPrice: 50 });
		const bought = await buyNow(t, a.id, s);
		expect(bought.status, bought.text).toBe(200);
		expect(claims(bought.json.admissionToken).sid).toBe(SESSION);
		expect(bought.json.checkoutUrl).toContain("https://shop.example.com/checkout");
	});

	it("a bid at the buy-now price wins with its grant bound", async () => {
		const t = await tenant();
		const s = await boundShopper(t);
		const a = await openAuction(t, { startingBid: 10, minimumIncrement: 1, buyNowPrice: 50 });
		const won = await bid(t, a.id, s, 50);
		expect(won.status, won.text).toBe(200);
		expect(won.json.admissionToken, won.text).toEqual(expect.any(String));
		expect(claims(won.json.admissionToken).sid).toBe(SESSION);
	});
});

async function withCheckoutUrl(t: Awaited<ReturnType<typeof tenant>>) {
	const res = await call(`/api/v1/experiences/${t.experienceId}`, {
		key: t.secretKey,
		method: "PUT",
		body: { checkoutUrl: "https://shop.example.com/checkout" },
	});
	expect(res.status, res.text).toBe(200);
}

const viaLink = (t: Awaited<ReturnType<typeof tenant>>, id: string, grant: string) =>
	call(`/consumer/v1/checkout/${id}?key=${t.publishableKey}&grant=${encodeURIComponent(grant)}`);
