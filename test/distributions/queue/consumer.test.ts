/**
 * The shopper's side of a queue over HTTP: consumer identity (guest and merchant-issued
 * access tokens), enter / status / leave, one place per consumer however often and however
 * concurrently it enters, a thousand concurrent entrants getting places 1..1000 exactly
 * once, the entry window (DRAFT, CLOSED, pre-queue and its shuffle at open), position
 * tickets bound to queue and consumer, token rejection, and CORS.
 *
 * Queues here mostly have no admissionRate, so nobody is admitted and positions stay put.
 */
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { newId } from "../../../src/lib/ids";
import { signToken } from "../../../src/lib/tokens";
import { createBackdated, putDistribution } from "../../support/distributions";
import { call, countRows, guest, guests, type Shopper, type Tenant, tenant } from "../../support/helpers";
import { admit, alter, consumerCall, createQueue, enter, leave, openQueue, stats, status } from "../../support/queue";
import { iso, sleep, waitFor } from "../../support/time";

const JWT = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/;
const ISO_UTC = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/;

function decodeClaims(jwt: string) {
	const body = jwt.split(".")[1];
	return JSON.parse(atob(body.replaceAll("-", "+").replaceAll("_", "/")));
}

describe("consumer identity", () => {
	it("a guest session creates a consumer of the publishable key's organization and an EdDSA access token", async () => {
		const t = await tenant();
		const res = await call("/consumer/v1/auth/guest", {
			method: "POST",
			headers: { "X-Publishable-Key": t.publishableKey },
		});
		expect(res.status, res.text).toBe(201);
		expect(res.json.consumerId).toMatch(/^con_[0-9A-HJKMNP-TV-Z]{26}$/);
		expect(res.json.accessToken).toMatch(JWT);
		expect(res.json.tokenType).toBe("Bearer");
		expect(res.json.expiresAt).toMatch(ISO_UTC);
		const ttl = Date.parse(res.json.expiresAt) - Date.now();
		expect(ttl).toBeGreaterThan(3500_000);
		expect(ttl).toBeLessThanOrEqual(3600_000);
		const header = JSON.parse(atob(res.json.accessToken.split(".")[0].replaceAll("-", "+").replaceAll("_", "/")));
		expect(header.alg).toBe("EdDSA");
		const claims = decodeClaims(res.json.accessToken);
		expect(claims).toMatchObject({ sub: res.json.consumerId, org: t.organizationId, typ: "consumer" });
		// The consumer exists in the merchant's API.
		const got = await call(`/api/v1/consumers/${res.json.consumerId}`, { key: t.secretKey });
		expect(got.status, got.text).toBe(200);
	});

	it("a merchant issues an access token for its consumer; another org's consumer is 404", async () => {
		const t = await tenant();
		const other = await tenant();
		const created = await call("/api/v1/consumers", {
			key: t.secretKey,
			body: { email: "shopper@example.com", fullName: "Shopper One" },
		});
		expect(created.status, created.text).toBe(201);
		const tok = await call(`/api/v1/consumers/${created.json.id}/tokens`, { key: t.secretKey, method: "POST" });
		expect(tok.status, tok.text).toBe(201);
		expect(tok.json.consumerId).toBe(created.json.id);
		expect(tok.json.accessToken).toMatch(JWT);

		const q = await openQueue(t);
		const entered = await enter(t, q.id, { consumerId: created.json.id, accessToken: tok.json.accessToken });
		expect(entered.status, entered.text).toBe(200);
		expect(entered.json.consumerId).toBe(created.json.id);

		const foreign = await call(`/api/v1/consumers/${created.json.id}/tokens`, { key: other.secretKey, method: "POST" });
		expect(foreign.status, foreign.text).toBe(404);
	});

	it("guest sessions are limited to 60 a minute per client address; other addresses and organizations are unaffected", async () => {
		const t = await tenant();
		const other = await tenant();
		const signup = (key: string, ip: string) =>
			call("/consumer/v1/auth/guest", {
				method: "POST",
				headers: { "X-Publishable-Key": key, "CF-Connecting-IP": ip },
			});
		const before = await countRows("consumers", t.organizationId);
		const burst = await Promise.all(Array.from({ length: 70 }, () => signup(t.publishableKey, "203.0.113.7")));
		const codes = burst.map((r) => r.status).sort();
		expect(codes.filter((s) => s === 201)).toHaveLength(60);
		expect(codes.filter((s) => s === 429)).toHaveLength(10);
		expect(await countRows("consumers", t.organizationId), "refused signups create no consumer").toBe(before + 60);
		const refused = burst.find((r) => r.status === 429);
		expect(refused?.json.title).toBe("Rate limit exceeded");
		expect(Number(refused?.headers.get("Retry-After"))).toBeGreaterThanOrEqual(1);
		expect(refused?.headers.get("RateLimit-Remaining")).toBe("0");
		expect((await signup(t.publishableKey, "203.0.113.8")).status).toBe(201);
		expect((await signup(other.publishableKey, "203.0.113.7")).status).toBe(201);
	});
});

describe("enter, status, leave", () => {
	it("enter → QUEUED with position, ticket and estimated wait; entering again returns the same place", async () => {
		const t = await tenant();
		const q = await openQueue(t);
		const [a, b] = await guests(t, 2);
		const ea = await enter(t, q.id, a);
		expect(ea.status, ea.text).toBe(200);
		expect(ea.json).toMatchObject({ consumerId: a.consumerId, status: "QUEUED", position: 1 });
		expect(typeof ea.json.ticket).toBe("string");
		expect(ea.json.ticket.length).toBeGreaterThan(10);
		expect(ea.json).toHaveProperty("estimatedWaitSeconds");
		expect(ea.json.admissionToken).toBeUndefined();
		const eb = await enter(t, q.id, b);
		expect(eb.json).toMatchObject({ consumerId: b.consumerId, status: "QUEUED", position: 2 });

		const again = await enter(t, q.id, a);
		expect(again.status, again.text).toBe(200);
		expect(again.json).toMatchObject({ consumerId: a.consumerId, status: "QUEUED", position: 1 });

		const sa = await status(t, q.id, a);
		expect(sa.status, sa.text).toBe(200);
		expect(sa.json).toMatchObject({ consumerId: a.consumerId, status: "QUEUED", position: 1 });
		const sb = await status(t, q.id, b);
		expect(sb.json).toMatchObject({ status: "QUEUED", position: 2 });
		expect(await stats(t, q.id)).toMatchObject({ queued: 2 });
	});

	it("estimatedWaitSeconds follows the admission rate", async () => {
		const t = await tenant();
		// One a minute: the first entrant is admitted at once, the others wait a minute per place.
		const q = await openQueue(t, { admissionRate: 1 });
		const [a, b, c] = await guests(t, 3);
		await enter(t, q.id, a);
		await waitFor(
			"first entrant admitted",
			async () => (await status(t, q.id, a)).json.status,
			(s) => s === "ADMITTED",
		);
		const eb = await enter(t, q.id, b);
		const ec = await enter(t, q.id, c);
		expect(eb.json).toMatchObject({ status: "QUEUED", position: 1, estimatedWaitSeconds: 60 });
		expect(ec.json).toMatchObject({ status: "QUEUED", position: 2, estimatedWaitSeconds: 120 });
	});

	it("status of a consumer who never entered → 404 Not in queue", async () => {
		const t = await tenant();
		const q = await openQueue(t);
		const s = await guest(t);
		const res = await status(t, q.id, s);
		expect(res.status, res.text).toBe(404);
		expect(res.json.title).toBe("Not in queue");
		expect(res.headers.get("Content-Type")).toContain("application/problem+json");
	});

	it("leave → LEFT; status then says LEFT; the one behind moves up", async () => {
		const t = await tenant();
		const q = await openQueue(t);
		const [a, b] = await guests(t, 2);
		await enter(t, q.id, a);
		await enter(t, q.id, b);
		const left = await leave(t, q.id, a);
		expect(left.status, left.text).toBe(200);
		expect(left.json).toMatchObject({ consumerId: a.consumerId, status: "LEFT", position: null });
		expect((await status(t, q.id, a)).json).toMatchObject({ status: "LEFT", position: null });
		expect((await status(t, q.id, b)).json).toMatchObject({ status: "QUEUED", position: 1 });
		expect(await stats(t, q.id)).toMatchObject({ queued: 1, left: 1 });
		// Leaving twice changes nothing.
		const again = await leave(t, q.id, a);
		expect(again.status, again.text).toBe(200);
		expect(again.json.status).toBe("LEFT");
	});

	it("the same consumer entering 50 times at once gets one place", async () => {
		const t = await tenant();
		const q = await openQueue(t);
		const s = await guest(t);
		const replies = await Promise.all(Array.from({ length: 50 }, () => enter(t, q.id, s)));
		for (const r of replies) {
			expect(r.status, r.text).toBe(200);
			expect(r.json).toMatchObject({ consumerId: s.consumerId, status: "QUEUED", position: 1 });
		}
		expect(await stats(t, q.id)).toMatchObject({ queued: 1 });
		const entries = await call(`/api/v1/queues/${q.id}/entries?limit=100`, { key: t.secretKey });
		expect(entries.status, entries.text).toBe(200);
		expect(entries.json.data).toHaveLength(1);
	});

	it("1,000 concurrent entrants get positions 1..1000, each exactly once", { timeout: 90_000 }, async () => {
		const t = await tenant();
		const q = await openQueue(t);
		const shoppers = await guests(t, 1000, 200);
		expect(new Set(shoppers.map((s) => s.consumerId)).size).toBe(1000);
		const replies = await Promise.all(shoppers.map((s) => enter(t, q.id, s)));
		const failed = replies.filter((r) => r.status !== 200);
		expect(failed.map((r) => r.text).slice(0, 3)).toEqual([]);
		for (const [i, r] of replies.entries()) {
			expect(r.json.consumerId).toBe(shoppers[i].consumerId);
			expect(r.json.status).toBe("QUEUED");
		}
		const positions = replies.map((r) => r.json.position as number).sort((x, y) => x - y);
		expect(positions).toEqual(Array.from({ length: 1000 }, (_, i) => i + 1));
		expect(await stats(t, q.id)).toMatchObject({ queued: 1000, admitted: 0 });
		// Status agrees with what enter said.
		const sample = [0, 1, 499, 998, 999];
		for (const i of sample) {
			const s = await status(t, q.id, shoppers[i]);
			expect(s.json.position).toBe(replies[i].json.position);
		}
	});
});

describe("the entry window", () => {
	it("a DRAFT queue → 409 Queue not open", async () => {
		const t = await tenant();
		const q = await createQueue(t);
		expect(q.status).toBe("DRAFT");
		const res = await enter(t, q.id, await guest(t));
		expect(res.status, res.text).toBe(409);
		expect(res.json.title).toBe("Queue not open");
	});

	it("a CLOSED (or completed) queue → 409 Queue closed", async () => {
		const t = await tenant();
		// Closed an hour ago, which a create refuses: backdated (test/support/distributions.ts).
		const q = await createBackdated(t, "queue", {
			openAt: iso(Date.now() - 7200_000),
			closeAt: iso(Date.now() - 3600_000),
		});
		const res = await enter(t, q.id, await guest(t));
		expect(res.status, res.text).toBe(409);
		expect(res.json.title).toBe("Queue closed");
	});

	it("closing an open queue stops new entries", async () => {
		const t = await tenant();
		const q = await openQueue(t);
		const [a, b] = await guests(t, 2);
		expect((await enter(t, q.id, a)).status).toBe(200);
		const put = await putDistribution(t, "queue", q.id, { closeAt: iso(Date.now() + 300) });
		expect(put.status, put.text).toBe(200);
		await sleep(400);
		const res = await enter(t, q.id, b);
		expect(res.status, res.text).toBe(409);
		expect(res.json.title).toBe("Queue closed");
		// The one in line is still there.
		expect((await status(t, q.id, a)).json).toMatchObject({ status: "QUEUED", position: 1 });
	});

	it("another organization's queue → 404, even with that org's own key and token", async () => {
		const t = await tenant();
		const other = await tenant();
		const q = await openQueue(t);
		const s = await guest(other);
		const res = await enter(other, q.id, s);
		expect(res.status, res.text).toBe(404);
		expect(res.json.title).toBe("Queue not found");
		const st = await status(other, q.id, s);
		expect(st.status, st.text).toBe(404);
	});

	it("a deleted queue → 404 for enter, status and leave (never a 500)", async () => {
		const t = await tenant();
		const q = await openQueue(t);
		const [a, b] = await guests(t, 2);
		expect((await enter(t, q.id, a)).status).toBe(200);
		expect((await leave(t, q.id, a)).status).toBe(200);
		const del = await call(`/api/v1/queues/${q.id}`, { method: "DELETE", key: t.secretKey });
		expect(del.status, del.text).toBe(204);
		for (const res of [await enter(t, q.id, b), await status(t, q.id, a), await leave(t, q.id, a)]) {
			expect(res.status, res.text).toBe(404);
			expect(res.json.title).toBe("Queue not found");
		}
	});

	it("an id that is not a queue's → 404", async () => {
		const t = await tenant();
		const s = await guest(t);
		for (const id of [newId("queue"), newId("draw"), "nonsense", newId("prod")]) {
			const res = await enter(t, id, s);
			expect(res.status, `${id}: ${res.text}`).toBe(404);
		}
	});

	it("without a pre-queue, entering before openAt → 409 Queue not open", async () => {
		const t = await tenant();
		const q = await createQueue(t, { openAt: iso(Date.now() + 3600_000) });
		expect(q.status).toBe("SCHEDULED");
		const res = await enter(t, q.id, await guest(t));
		expect(res.status, res.text).toBe(409);
		expect(res.json.title).toBe("Queue not open");
	});

	it("before the pre-queue window opens → 409 Queue not open", async () => {
		const t = await tenant();
		const q = await createQueue(t, { openAt: iso(Date.now() + 3600_000), prequeueSeconds: 60 });
		const res = await enter(t, q.id, await guest(t));
		expect(res.status, res.text).toBe(409);
		expect(res.json.title).toBe("Queue not open");
	});

	it("pre-queue: entrants wait unplaced, are shuffled at open, later entrants queue FCFS behind them", async () => {
		const t = await tenant();
		const shoppers = await guests(t, 21);
		const early = shoppers.slice(0, 20);
		const late = shoppers[20];
		const openAt = Date.now() + 2500;
		const q = await createQueue(t, { openAt: iso(openAt), prequeueSeconds: 600 });
		expect(q.status).toBe("SCHEDULED");
		// Arrival order: one after the other.
		for (const s of early) {
			const r = await enter(t, q.id, s);
			expect(r.status, r.text).toBe(200);
			expect(r.json).toMatchObject({ status: "QUEUED", position: null });
		}
		expect(Date.now(), "pre-queue entries must all happen before open").toBeLessThan(openAt);
		const again = await enter(t, q.id, early[0]);
		expect(again.json).toMatchObject({ status: "QUEUED", position: null });

		await sleep(Math.max(0, openAt - Date.now()) + 100);
		const positions: number[] = [];
		for (const s of early) {
			const r = await status(t, q.id, s);
			expect(r.status, r.text).toBe(200);
			expect(r.json.status).toBe("QUEUED");
			positions.push(r.json.position);
		}
		expect([...positions].sort((a, b) => a - b)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
		// 1/20! chance that a fair shuffle reproduces arrival order.
		expect(positions).not.toEqual(Array.from({ length: 20 }, (_, i) => i + 1));

		const r = await enter(t, q.id, late);
		expect(r.status, r.text).toBe(200);
		expect(r.json).toMatchObject({ status: "QUEUED", position: 21 });
		expect(await stats(t, q.id)).toMatchObject({ queued: 21 });
	});
});

describe("position tickets", () => {
	async function setup() {
		const t = await tenant();
		const q = await openQueue(t);
		const q2 = await openQueue(t);
		const [a, b] = await guests(t, 2);
		const ea = await enter(t, q.id, a);
		const eb = await enter(t, q.id, b);
		expect(ea.status, ea.text).toBe(200);
		expect(eb.status, eb.text).toBe(200);
		return { t, q, q2, a, b, ticketA: ea.json.ticket as string, ticketB: eb.json.ticket as string };
	}

	it("status works with the ticket alone (header or ?ticket=)", async () => {
		const { t, q, a, ticketA } = await setup();
		const byHeader = await consumerCall(t, `/queues/${q.id}/status`, { ticket: ticketA });
		expect(byHeader.status, byHeader.text).toBe(200);
		expect(byHeader.json).toMatchObject({ consumerId: a.consumerId, status: "QUEUED", position: 1 });
		const byQuery = await consumerCall(t, `/queues/${q.id}/status?ticket=${encodeURIComponent(ticketA)}`);
		expect(byQuery.status, byQuery.text).toBe(200);
		expect(byQuery.json).toMatchObject({ consumerId: a.consumerId, position: 1 });
	});

	it("a ticket alone cannot leave the line (401): leaving takes the consumer's token", async () => {
		const { t, q, a, b, ticketA } = await setup();
		const res = await consumerCall(t, `/queues/${q.id}/leave`, { method: "POST", ticket: ticketA });
		expect(res.status, res.text).toBe(401);
		expect((await status(t, q.id, a)).json.status).toBe("QUEUED");
		expect((await status(t, q.id, b)).json.position).toBe(2);
		const own = await consumerCall(t, `/queues/${q.id}/leave`, {
			method: "POST",
			token: a.accessToken,
			ticket: ticketA,
		});
		expect(own.status, own.text).toBe(200);
		expect(own.json.status).toBe("LEFT");
	});

	it("an altered ticket → 401 Invalid ticket", async () => {
		const { t, q, ticketA } = await setup();
		for (const bad of [alter(ticketA), alter(ticketA, 3), `${ticketA}A`, "not-a-ticket", "x".repeat(600)]) {
			const res = await consumerCall(t, `/queues/${q.id}/status`, { ticket: bad });
			expect(res.status, `${bad.slice(0, 20)}…: ${res.text}`).toBe(401);
			expect(res.json.title).toBe("Invalid ticket");
		}
		const leaveRes = await consumerCall(t, `/queues/${q.id}/leave`, { method: "POST", ticket: alter(ticketA) });
		expect(leaveRes.status, leaveRes.text).toBe(401);
	});

	it("a ticket of another queue → 401 Invalid ticket", async () => {
		const { t, q, q2, a } = await setup();
		const other = await enter(t, q2.id, a);
		expect(other.status, other.text).toBe(200);
		const res = await consumerCall(t, `/queues/${q.id}/status`, { ticket: other.json.ticket });
		expect(res.status, res.text).toBe(401);
		expect(res.json.title).toBe("Invalid ticket");
	});

	it("a ticket of another organization's queue → rejected", async () => {
		const { t, q } = await setup();
		const other = await tenant();
		const oq = await openQueue(other);
		const s = await guest(other);
		const e = await enter(other, oq.id, s);
		const res = await consumerCall(t, `/queues/${q.id}/status`, { ticket: e.json.ticket });
		expect(res.status, res.text).toBe(401);
	});

	it("another consumer's ticket presented with this consumer's token → rejected", async () => {
		const { t, q, b, ticketA } = await setup();
		const res = await consumerCall(t, `/queues/${q.id}/status`, { token: b.accessToken, ticket: ticketA });
		// The ticket names consumer A, the token consumer B: they do not match.
		expect(res.status, res.text).toBe(401);
		const leaveRes = await consumerCall(t, `/queues/${q.id}/leave`, {
			method: "POST",
			token: b.accessToken,
			ticket: ticketA,
		});
		expect(leaveRes.status, leaveRes.text).toBe(401);
	});

	it("a consumer's own ticket with its own token is fine", async () => {
		const { t, q, a, ticketA } = await setup();
		const res = await consumerCall(t, `/queues/${q.id}/status`, { token: a.accessToken, ticket: ticketA });
		expect(res.status, res.text).toBe(200);
		expect(res.json.consumerId).toBe(a.consumerId);
	});
});

describe("access tokens", () => {
	async function setup() {
		const t = await tenant();
		const q = await openQueue(t);
		const s = await guest(t);
		return { t, q, s };
	}

	const enterWith = (t: Tenant, queueId: string, token: string | null, pk?: string | null) =>
		consumerCall(t, `/queues/${queueId}/enter`, { method: "POST", token, pk });

	it("an altered byte → 401", async () => {
		const { t, q, s } = await setup();
		const [h, b, sig] = s.accessToken.split(".");
		for (const bad of [`${h}.${alter(b)}.${sig}`, `${h}.${b}.${alter(sig)}`, `${alter(h, 2)}.${b}.${sig}`]) {
			const res = await enterWith(t, q.id, bad);
			expect(res.status, res.text).toBe(401);
			expect(res.json.title).toBe("Authentication required");
		}
		expect(await stats(t, q.id)).toMatchObject({ queued: 0 });
	});

	it("another organization's token → 401", async () => {
		const { t, q } = await setup();
		const other = await tenant();
		const foreign = await guest(other);
		const res = await enterWith(t, q.id, foreign.accessToken);
		expect(res.status, res.text).toBe(401);
	});

	it("an expired token → 401", async () => {
		const { t, q, s } = await setup();
		const expired = await signToken(env.JWT_SIGNING_KEY, {
			sub: s.consumerId,
			org: t.organizationId,
			typ: "consumer",
			iat: Math.floor(Date.now() / 1000) - 7200,
			exp: Math.floor(Date.now() / 1000) - 60,
		});
		const res = await enterWith(t, q.id, expired);
		expect(res.status, res.text).toBe(401);
		// The same claims, unexpired, are accepted (so it really was the expiry).
		const fresh = await signToken(env.JWT_SIGNING_KEY, {
			sub: s.consumerId,
			org: t.organizationId,
			typ: "consumer",
			exp: Math.floor(Date.now() / 1000) + 60,
		});
		expect((await enterWith(t, q.id, fresh)).status).toBe(200);
	});

	it("a token signed by another key → 401", async () => {
		const { t, q, s } = await setup();
		const pair = (await crypto.subtle.generateKey({ name: "Ed25519" }, true, ["sign", "verify"])) as CryptoKeyPair;
		const jwk = (await crypto.subtle.exportKey("jwk", pair.privateKey)) as JsonWebKey;
		const forged = await signToken(JSON.stringify(jwk), {
			sub: s.consumerId,
			org: t.organizationId,
			typ: "consumer",
			exp: Math.floor(Date.now() / 1000) + 600,
		});
		expect((await enterWith(t, q.id, forged)).status).toBe(401);
	});

	it("an admission grant used as an access token → 401", async () => {
		const { t, q, s } = await setup();
		expect((await enter(t, q.id, s)).status).toBe(200);
		const a = await admit(t, q.id, 1);
		expect(a.json).toEqual({ admitted: 1 });
		const st = await status(t, q.id, s);
		expect(st.json.status).toBe("ADMITTED");
		const grant = st.json.admissionToken as string;
		expect(grant).toMatch(JWT);
		const res = await consumerCall(t, `/queues/${q.id}/status`, { token: grant });
		expect(res.status, res.text).toBe(401);
		const other = await openQueue(t);
		expect((await enterWith(t, other.id, grant)).status).toBe(401);
	});

	it("no token → 401; garbage token → 401", async () => {
		const { t, q } = await setup();
		expect((await enterWith(t, q.id, null)).status).toBe(401);
		expect((await enterWith(t, q.id, "garbage")).status).toBe(401);
		expect((await enterWith(t, q.id, "a.b.c")).status).toBe(401);
	});

	it("missing publishable key → 401; a secret key as X-Publishable-Key → 403; unknown pk → 401", async () => {
		const { t, q, s } = await setup();
		const missing = await enterWith(t, q.id, s.accessToken, null);
		expect(missing.status, missing.text).toBe(401);
		const secret = await enterWith(t, q.id, s.accessToken, t.secretKey);
		expect(secret.status, secret.text).toBe(403);
		expect(secret.json.title).toBe("Permission denied");
		const unknown = await enterWith(t, q.id, s.accessToken, `pk_live_${"a".repeat(32)}`);
		expect(unknown.status, unknown.text).toBe(401);
		const guestWithSecret = await call("/consumer/v1/auth/guest", {
			method: "POST",
			headers: { "X-Publishable-Key": t.secretKey },
		});
		expect(guestWithSecret.status).toBe(403);
		expect(await stats(t, q.id)).toMatchObject({ queued: 0 });
	});

	it("a publishable key on the merchant API → 403", async () => {
		const { t, q } = await setup();
		const res = await call(`/api/v1/queues/${q.id}/stats`, { key: t.publishableKey });
		expect(res.status, res.text).toBe(403);
	});
});

describe("CORS", () => {
	it("preflight on a consumer route → 204 with Access-Control-Allow-Origin", async () => {
		const res = await call("/consumer/v1/queues/x/enter", {
			method: "OPTIONS",
			headers: {
				Origin: "https://shop.example",
				"Access-Control-Request-Method": "POST",
				"Access-Control-Request-Headers": "authorization, content-type, x-publishable-key",
			},
		});
		expect(res.status, res.text).toBe(204);
		expect(res.headers.get("Access-Control-Allow-Origin")).toBeTruthy();
		expect(res.headers.get("Access-Control-Allow-Methods") ?? "").toContain("POST");
		const allowed = (res.headers.get("Access-Control-Allow-Headers") ?? "").toLowerCase();
		expect(allowed).toContain("authorization");
		expect(allowed).toContain("x-publishable-key");
	});

	it("actual responses carry Access-Control-Allow-Origin too (errors included)", async () => {
		const t = await tenant();
		const q = await openQueue(t);
		const s: Shopper = await guest(t);
		const ok = await consumerCall(t, `/queues/${q.id}/enter`, {
			method: "POST",
			token: s.accessToken,
			headers: { Origin: "https://shop.example" },
		});
		expect(ok.status).toBe(200);
		expect(ok.headers.get("Access-Control-Allow-Origin")).toBeTruthy();
		const denied = await consumerCall(t, `/queues/${q.id}/enter`, {
			method: "POST",
			token: "garbage",
			headers: { Origin: "https://shop.example" },
		});
		expect(denied.status).toBe(401);
		expect(denied.headers.get("Access-Control-Allow-Origin")).toBeTruthy();
	});
});
