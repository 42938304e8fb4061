/**
 * Tokens and tickets that cannot be passed around (issue 16, item 4): a position ticket alone
 * reads a place but never gets the grant and cannot leave; tickets expire; the merchant
 * revokes grants (`POST /api/v1/admissions/revoke`) by the grant, its id or the consumer —
 * idempotently, with one event per grant revoked, and only its own organization's.
 */
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { sealTicket, TICKET_TTL_MS } from "../../src/lib/tickets";
import { orgEvents } from "../support/access";
import { complete, validate } from "../support/admissions";
import { call, guest, type Shopper, type Tenant, tenant } from "../support/helpers";
import { encryptionSeedOf } from "../support/keys";
import { admit, consumerCall, enter, openQueue, status } from "../support/queue";
import { waitFor } from "../support/time";

interface Admitted {
	t: Tenant;
	q: { id: string };
	shopper: Shopper;
	grant: string;
	ticket: string;
}

async function admitted(): Promise<Admitted> {
	const t = await tenant();
	const q = await openQueue(t);
	const shopper = await guest(t);
	const e = await enter(t, q.id, shopper);
	expect(e.status, e.text).toBe(200);
	expect((await admit(t, q.id, 1)).json).toEqual({ admitted: 1 });
	const st = await status(t, q.id, shopper);
	expect(st.json.status).toBe("ADMITTED");
	return { t, q, shopper, grant: st.json.admissionToken, ticket: st.json.ticket };
}

const revoke = (t: Tenant, body: Record<string, unknown>, key = t.secretKey) =>
	call("/api/v1/admissions/revoke", { key, body });

const jtiOf = (grant: string) => JSON.parse(atob(grant.split(".")[1].replaceAll("-", "+").replaceAll("_", "/"))).jti;

describe("a ticket alone never carries the grant", () => {
	it("an admitted consumer's ticket reads ADMITTED but gets no admissionToken or checkout link", async () => {
		const a = await admitted();
		expect(a.grant).toMatch(/^ey/);
		const byTicket = await consumerCall(a.t, `/queues/${a.q.id}/status`, { ticket: a.ticket });
		expect(byTicket.status, byTicket.text).toBe(200);
		expect(byTicket.json.status).toBe("ADMITTED");
		expect(byTicket.json.admissionToken).toBeUndefined();
		expect(byTicket.json.admissionExpiresAt).toBeUndefined();
		expect(byTicket.json.checkoutUrl).toBeUndefined();
		expect(byTicket.text).not.toContain(a.grant);
		// With the consumer's token the grant is there.
		const byToken = await consumerCall(a.t, `/queues/${a.q.id}/status`, {
			token: a.shopper.accessToken,
			ticket: a.ticket,
		});
		expect(byToken.json.admissionToken).toBe(a.grant);
	});

	it("a ticket alone cannot leave: 401, and the grant stays valid", async () => {
		const a = await admitted();
		const res = await consumerCall(a.t, `/queues/${a.q.id}/leave`, { method: "POST", ticket: a.ticket });
		expect(res.status, res.text).toBe(401);
		expect(res.headers.get("content-type")).toContain("application/problem+json");
		expect((await validate(a.t, a.grant)).json.valid).toBe(true);
	});
});

describe("tickets expire", () => {
	it(`a ticket sealed more than ${TICKET_TTL_MS / 3_600_000} h ago → 401 Invalid ticket; a fresh one works`, async () => {
		const t = await tenant();
		const q = await openQueue(t);
		const s = await guest(t);
		const e = await enter(t, q.id, s);
		const seed = await encryptionSeedOf(q.id);
		const content = { consumerId: s.consumerId, seq: 1 };
		const old = await sealTicket(env.APP_SECRET, seed, q.id, content, Date.now() - TICKET_TTL_MS - 1000);
		const res = await consumerCall(t, `/queues/${q.id}/status`, { ticket: old });
		expect(res.status, res.text).toBe(401);
		expect(res.json.title).toBe("Invalid ticket");
		const fresh = await sealTicket(env.APP_SECRET, seed, q.id, content, Date.now() - TICKET_TTL_MS + 60_000);
		expect((await consumerCall(t, `/queues/${q.id}/status`, { ticket: fresh })).status).toBe(200);
		expect((await consumerCall(t, `/queues/${q.id}/status`, { ticket: e.json.ticket })).status).toBe(200);
	});
});

describe("POST /api/v1/admissions/revoke", () => {
	it("by grant: validate says revoked, complete → 409, one event; again → nothing revoked, no event", async () => {
		const a = await admitted();
		const r = await revoke(a.t, { token: a.grant });
		expect(r.status, r.text).toBe(200);
		expect(r.json.revoked).toEqual([
			{ grantId: jtiOf(a.grant), consumerId: a.shopper.consumerId, distributionId: a.q.id },
		]);
		const v = await validate(a.t, a.grant);
		expect(v.json).toMatchObject({ valid: false, reason: "revoked" });
		const c = await complete(a.t, a.grant);
		expect(c.status, c.text).toBe(409);
		expect(c.json.title).toBe("Admission revoked");
		// The consumer's status shows no grant to take to checkout any more.
		expect((await status(a.t, a.q.id, a.shopper)).json.admissionToken).toBeUndefined();
		const again = await revoke(a.t, { token: a.grant });
		expect(again.status).toBe(200);
		expect(again.json.revoked).toEqual([]);
		const events = await waitFor(
			"admission.revoked",
			() => orgEvents(a.t.organizationId, "admission.revoked"),
			(rows) => rows.length >= 1,
		);
		expect(events).toHaveLength(1);
		expect(events[0].object).toMatchObject({ grantId: jtiOf(a.grant), distributionId: a.q.id });
	});

	it("by consumer + distribution, and by grant id + distribution", async () => {
		const a = await admitted();
		const r = await revoke(a.t, { distributionId: a.q.id, consumerId: a.shopper.consumerId });
		expect(r.status, r.text).toBe(200);
		expect(r.json.revoked).toHaveLength(1);
		expect((await validate(a.t, a.grant)).json.reason).toBe("revoked");

		const b = await admitted();
		const r2 = await revoke(b.t, { distributionId: b.q.id, grantId: jtiOf(b.grant) });
		expect(r2.status, r2.text).toBe(200);
		expect(r2.json.revoked).toEqual([{ grantId: jtiOf(b.grant), consumerId: null, distributionId: b.q.id }]);
		expect((await validate(b.t, b.grant)).json.reason).toBe("revoked");
	});

	it("a queue's revoked grant frees its place at once: DENIED, and the next in line is admitted", async () => {
		const t = await tenant();
		const q = await openQueue(t, { maxCapacity: 1, admissionRate: 600 });
		const [first, second] = [await guest(t), await guest(t)];
		for (const s of [first, second]) expect((await enter(t, q.id, s)).status).toBe(200);
		const admittedFirst = await waitFor(
			"the first admitted",
			() => status(t, q.id, first),
			(r) => r.json.status === "ADMITTED",
		);
		expect((await status(t, q.id, second)).json.status, "capacity 1: the second waits").toBe("QUEUED");
		expect((await revoke(t, { token: admittedFirst.json.admissionToken })).json.revoked).toHaveLength(1);
		// Not when the grant would have expired (sessionDurationSeconds, 900 s): now.
		await waitFor(
			"the second admitted",
			() => status(t, q.id, second),
			(r) => r.json.status === "ADMITTED",
			4000,
		);
		expect((await status(t, q.id, first)).json).toMatchObject({ status: "DENIED" });
	});

	it("a used grant is not revoked (it stays used)", async () => {
		const a = await admitted();
		expect((await complete(a.t, a.grant)).status).toBe(200);
		const r = await revoke(a.t, { distributionId: a.q.id, consumerId: a.shopper.consumerId });
		expect(r.json.revoked).toEqual([]);
		expect((await validate(a.t, a.grant)).json.reason).toBe("used");
	});

	it("another organization's grant or distribution → 404, and the grant stays valid", async () => {
		const a = await admitted();
		const other = await tenant();
		const byToken = await revoke(other, { token: a.grant });
		expect(byToken.status, byToken.text).toBe(404);
		const byId = await revoke(other, { distributionId: a.q.id, consumerId: a.shopper.consumerId });
		expect(byId.status, byId.text).toBe(404);
		expect(byId.json.title).toBe("Admission not found");
		expect((await validate(a.t, a.grant)).json.valid).toBe(true);
		expect(await orgEvents(other.organizationId, "admission.revoked")).toEqual([]);
	});

	it("bad bodies → 400; a publishable key → 403; no key → 401", async () => {
		const a = await admitted();
		for (const body of [
			{},
			{ distributionId: a.q.id },
			{ token: a.grant, consumerId: a.shopper.consumerId },
			{ grantId: "x" },
			{ distributionId: "queue_nope", grantId: "x", extra: 1 },
		]) {
			const res = await revoke(a.t, body);
			expect(res.status, JSON.stringify(body)).toBe(400);
			expect(res.json.title).toBe("Validation failed");
		}
		const notOurs = await revoke(a.t, { distributionId: "queue_nope", grantId: "x" });
		expect(notOurs.status).toBe(404);
		expect((await revoke(a.t, { token: a.grant }, a.t.publishableKey)).status).toBe(403);
		expect((await revoke(a.t, { token: a.grant }, "")).status).toBe(401);
		expect((await validate(a.t, a.grant)).json.valid).toBe(true);
	});
});
