/**
 * Admission grants: the single-use EdDSA JWT a queue issues on admission. The merchant
 * validates and completes it (`/api/v1/admissions/*`); anyone verifies it offline with the
 * JWKS. Expired, used, revoked, altered, foreign and wrong-kind tokens are refused with
 * the right answer; queue.consumer.* events reach the event log.
 *
 * Queues here have no admissionRate: consumers are admitted with the merchant's
 * `admit {count}`, so who holds a grant is deterministic.
 */
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { signToken } from "../../src/lib/tokens";
import { complete, validate } from "../support/admissions";
import { call, guest, guests, type Shopper, type Tenant, tenant } from "../support/helpers";
import { objectRows, queueStub, runScheduleAt } from "../support/objects";
import { admit, alter, enter, leave, openQueue, status } from "../support/queue";
import { sleep, waitFor } from "../support/time";

const ISO_UTC = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/;

interface Admitted {
	t: Tenant;
	q: { id: string };
	shopper: Shopper;
	grant: string;
	expiresAt: string;
}

/** A tenant, an open queue, and one consumer admitted by the merchant, with its grant. */
async function admitted(queueBody: Record<string, unknown> = {}): Promise<Admitted> {
	const t = await tenant();
	const q = await openQueue(t, queueBody);
	const shopper = await guest(t);
	expect((await enter(t, q.id, shopper)).status).toBe(200);
	expect((await admit(t, q.id, 1)).json).toEqual({ admitted: 1 });
	const st = await status(t, q.id, shopper);
	expect(st.json.status).toBe("ADMITTED");
	return { t, q, shopper, grant: st.json.admissionToken, expiresAt: st.json.admissionExpiresAt };
}

/** The claims of an admission grant of `shopper` in `q`, signed the way the queue signs them. */
const grantClaims = (a: Pick<Admitted, "t" | "q" | "shopper">, jti: string, exp: number) => ({
	sub: a.shopper.consumerId,
	org: a.t.organizationId,
	typ: "admission" as const,
	dist: a.q.id,
	jti,
	exp,
});

function b64urlDecode(text: string): Uint8Array {
	const bin = atob(text.replaceAll("-", "+").replaceAll("_", "/"));
	return Uint8Array.from(bin, (c) => c.charCodeAt(0));
}

/** Offline verification with WebCrypto and the published JWKS only: the claims, or null. */
async function verifyOffline(token: string, jwks: { keys: (JsonWebKey & { kid?: string })[] }) {
	const [h, b, s] = token.split(".");
	const header = JSON.parse(new TextDecoder().decode(b64urlDecode(h)));
	if (header.alg !== "EdDSA") return null;
	const jwk = jwks.keys.find((k) => k.kid === header.kid);
	if (!jwk) return null;
	const key = await crypto.subtle.importKey("jwk", jwk, { name: "Ed25519" }, false, ["verify"]);
	const ok = await crypto.subtle.verify("Ed25519", key, b64urlDecode(s), new TextEncoder().encode(`${h}.${b}`));
	if (!ok) return null;
	const claims = JSON.parse(new TextDecoder().decode(b64urlDecode(b)));
	if (typeof claims.exp !== "number" || claims.exp * 1000 <= Date.now()) return null;
	return claims as Record<string, unknown>;
}

/** validate answers 200 valid:false with `reason` (and the grant's consumer and distribution); complete answers 409 `title`. */
async function expectRefused(t: Tenant, grant: string, reason: string, title: string, names: Record<string, string>) {
	const v = await validate(t, grant);
	expect(v.status, v.text).toBe(200);
	expect(v.json).toMatchObject({ valid: false, reason, ...names });
	const c = await complete(t, grant);
	expect(c.status, c.text).toBe(409);
	expect(c.json.title).toBe(title);
}

describe("validate and complete", () => {
	it("validate → valid with consumer, distribution and expiry; complete → COMPLETED; then used", async () => {
		const { t, q, shopper, grant, expiresAt } = await admitted({ sessionDurationSeconds: 600 });
		expect(expiresAt).toMatch(ISO_UTC);
		const v = await validate(t, grant);
		expect(v.status, v.text).toBe(200);
		expect(v.json).toEqual({ valid: true, consumerId: shopper.consumerId, distributionId: q.id, expiresAt });
		// Validating does not use it up.
		expect((await validate(t, grant)).json.valid).toBe(true);

		const c = await complete(t, grant, { orderId: "ord-123", orderAmount: 199.99 });
		expect(c.status, c.text).toBe(200);
		expect(c.json).toEqual({ completed: true, consumerId: shopper.consumerId, distributionId: q.id });
		expect((await status(t, q.id, shopper)).json).toMatchObject({ status: "COMPLETED", position: null });
		expect((await status(t, q.id, shopper)).json.admissionToken).toBeUndefined();

		await expectRefused(t, grant, "used", "Admission already used", {
			consumerId: shopper.consumerId,
			distributionId: q.id,
		});
		const stats = await call(`/api/v1/queues/${q.id}/stats`, { key: t.secretKey });
		expect(stats.json).toMatchObject({ completed: 1, active: 0 });
		// Entering again after completing keeps the finished entry.
		expect((await enter(t, q.id, shopper)).json.status).toBe("COMPLETED");
	});

	it("completing the same grant 10 times at once succeeds exactly once", async () => {
		const { t, grant } = await admitted();
		const replies = await Promise.all(Array.from({ length: 10 }, (_, i) => complete(t, grant, { orderId: `o${i}` })));
		const codes = replies.map((r) => r.status).sort();
		expect(codes).toEqual([200, ...Array(9).fill(409)]);
		for (const r of replies.filter((x) => x.status === 409)) expect(r.json.title).toBe("Admission already used");
	});

	it("complete: a bad body → 400", async () => {
		const { t, grant } = await admitted();
		for (const body of [{}, { token: "" }, { token: grant, orderAmount: -1 }, { token: grant, orderAmount: 1.234 }]) {
			const res = await call("/api/v1/admissions/complete", { key: t.secretKey, body });
			expect(res.status, `${JSON.stringify(body).slice(0, 40)}: ${res.text}`).toBe(400);
		}
		// Nothing was used up.
		expect((await validate(t, grant)).json.valid).toBe(true);
	});
});

describe("grants that cannot be used", () => {
	it("an expired grant (simulated clock past the session) → valid:false expired; complete 409", async () => {
		const { t, q, shopper, grant } = await admitted({ sessionDurationSeconds: 30 });
		const stub = queueStub(q.id);
		const live = await stub.checkGrant(shopper.consumerId, (await stub.grantIdOf(shopper.consumerId)) ?? "");
		if (!live.valid) throw new Error(`the grant should still be live: ${JSON.stringify(live)}`);
		await runScheduleAt(stub, "admit", live.expiresAt);
		expect((await status(t, q.id, shopper)).json.status).toBe("EXPIRED");
		await expectRefused(t, grant, "expired", "Admission expired", {
			consumerId: shopper.consumerId,
			distributionId: q.id,
		});
	});

	it("a grant past its expiry before any tick ran → expired, not usable", async () => {
		const { t, q, shopper, grant } = await admitted({ sessionDurationSeconds: 600 });
		// Move the stored expiry into the past without running the admission tick.
		await objectRows(
			queueStub(q.id),
			"UPDATE entries SET expires_at = ? WHERE consumer_id = ?",
			Date.now() - 1000,
			shopper.consumerId,
		);
		expect((await validate(t, grant)).json).toMatchObject({ valid: false, reason: "expired" });
		const c = await complete(t, grant);
		expect(c.status, c.text).toBe(409);
		expect(c.json.title).toBe("Admission expired");
	});

	it("a grant whose token has expired (exp in the past) → expired", async () => {
		const { t, q, shopper } = await admitted({ sessionDurationSeconds: 30 });
		const jti = await queueStub(q.id).grantIdOf(shopper.consumerId);
		if (!jti) throw new Error("the admitted consumer should hold a grant");
		// Same grant id, but the session is over: the object's record says so.
		await objectRows(
			queueStub(q.id),
			"UPDATE entries SET expires_at = ? WHERE consumer_id = ?",
			Date.now() - 5000,
			shopper.consumerId,
		);
		const token = await signToken(
			env.JWT_SIGNING_KEY,
			grantClaims({ t, q, shopper }, jti, Math.floor(Date.now() / 1000) - 5),
		);
		const v = await validate(t, token);
		expect(v.json).toMatchObject({ valid: false, reason: "expired" });
		expect(v.json.expiresAt).toMatch(ISO_UTC);
		expect((await complete(t, token)).status).toBe(409);
	});

	it("an altered grant → valid:false invalid; complete → 400", async () => {
		const { t, grant } = await admitted();
		const [h, b, s] = grant.split(".");
		for (const bad of [`${h}.${alter(b)}.${s}`, `${h}.${b}.${alter(s)}`, `${h}.${b}`, "garbage"]) {
			const v = await validate(t, bad);
			expect(v.status, v.text).toBe(200);
			expect(v.json).toEqual({
				valid: false,
				consumerId: null,
				distributionId: null,
				expiresAt: null,
				reason: "invalid",
			});
			const c = await complete(t, bad);
			expect(c.status, c.text).toBe(400);
		}
		expect((await validate(t, grant)).json.valid).toBe(true);
	});

	it("another organization's merchant key → valid:false; complete → 4xx and the grant stays usable", async () => {
		const { t, grant } = await admitted();
		const other = await tenant();
		const v = await validate(other, grant);
		expect(v.status, v.text).toBe(200);
		expect(v.json.valid).toBe(false);
		expect(v.json.consumerId).toBeNull();
		const c = await complete(other, grant);
		expect(c.status).toBeGreaterThanOrEqual(400);
		expect(c.status).toBeLessThan(500);
		expect((await validate(t, grant)).json.valid).toBe(true);
		// A publishable key cannot use the merchant endpoints at all.
		expect((await validate(t, grant, t.publishableKey)).status).toBe(403);
		expect((await call("/api/v1/admissions/validate", { body: { token: grant } })).status).toBe(401);
	});

	it("a consumer access token passed as a grant → invalid", async () => {
		const { t, shopper } = await admitted();
		const v = await validate(t, shopper.accessToken);
		expect(v.json).toMatchObject({ valid: false, reason: "invalid" });
		expect((await complete(t, shopper.accessToken)).status).toBe(400);
	});

	it("a grant signed by another key → invalid", async () => {
		const { t, q, shopper } = await admitted();
		const pair = (await crypto.subtle.generateKey({ name: "Ed25519" }, true, ["sign", "verify"])) as CryptoKeyPair;
		const jwk = await crypto.subtle.exportKey("jwk", pair.privateKey);
		const forged = await signToken(
			JSON.stringify(jwk),
			grantClaims({ t, q, shopper }, "adm_forged", Math.floor(Date.now() / 1000) + 600),
		);
		expect((await validate(t, forged)).json).toMatchObject({ valid: false, reason: "invalid" });
		expect((await complete(t, forged)).status).toBe(400);
	});

	it("a genuine-looking grant the queue never issued → unknown; complete → 404", async () => {
		const { t, q, shopper } = await admitted();
		const token = await signToken(
			env.JWT_SIGNING_KEY,
			grantClaims({ t, q, shopper }, "adm_never_issued", Math.floor(Date.now() / 1000) + 600),
		);
		expect((await validate(t, token)).json).toMatchObject({ valid: false, reason: "unknown" });
		const c = await complete(t, token);
		expect(c.status, c.text).toBe(404);
		expect(c.json.title).toBe("Admission not found");
	});

	it("leaving or being denied revokes the grant", async () => {
		const t = await tenant();
		const q = await openQueue(t);
		const [a, b] = await guests(t, 2);
		await enter(t, q.id, a);
		await enter(t, q.id, b);
		expect((await admit(t, q.id, 2)).json).toEqual({ admitted: 2 });
		const ga = (await status(t, q.id, a)).json.admissionToken;
		const gb = (await status(t, q.id, b)).json.admissionToken;
		expect((await leave(t, q.id, a)).json.status).toBe("LEFT");
		await call(`/api/v1/queues/${q.id}/entries/${b.consumerId}/deny`, { key: t.secretKey, body: { reason: "fraud" } });
		for (const g of [ga, gb]) {
			expect((await validate(t, g)).json).toMatchObject({ valid: false, reason: "revoked" });
			const c = await complete(t, g);
			expect(c.status, c.text).toBe(409);
			expect(c.json.title).toBe("Admission revoked");
		}
	});

	it("a grant of a deleted queue is no longer valid (and never a 500)", async () => {
		const { t, q, grant, shopper } = await admitted();
		// Once nobody is QUEUED or ADMITTED the queue may be deleted: complete, then delete.
		const other = await guest(t);
		expect((await enter(t, q.id, other)).status).toBe(200);
		const res0 = await call(`/api/v1/queues/${q.id}/entries/${other.consumerId}/deny`, { key: t.secretKey, body: {} });
		expect(res0.status).toBe(200);
		await call(`/api/v1/queues/${q.id}/entries/${shopper.consumerId}/deny`, { key: t.secretKey, body: {} });
		const del = await call(`/api/v1/queues/${q.id}`, { method: "DELETE", key: t.secretKey });
		expect(del.status, del.text).toBe(204);
		const v = await validate(t, grant);
		expect(v.status, v.text).toBe(200);
		expect(v.json.valid).toBe(false);
		const c = await complete(t, grant);
		expect(c.status, c.text).toBeGreaterThanOrEqual(400);
		expect(c.status).toBeLessThan(500);
	});
});

describe("offline verification", () => {
	it("the grant verifies with the JWKS and WebCrypto alone, with the expected claims", async () => {
		const { t, q, shopper, grant, expiresAt } = await admitted({ sessionDurationSeconds: 900 });
		const res = await call("/.well-known/jwks.json");
		expect(res.status, res.text).toBe(200);
		expect(res.headers.get("Cache-Control")).toContain("max-age");
		const jwks = res.json;
		expect(jwks.keys.length).toBeGreaterThanOrEqual(1);
		for (const k of jwks.keys) {
			expect(k).toMatchObject({ kty: "OKP", crv: "Ed25519", alg: "EdDSA", use: "sig" });
			expect(typeof k.kid).toBe("string");
			expect(typeof k.x).toBe("string");
			expect(k.d).toBeUndefined();
		}
		const claims = await verifyOffline(grant, jwks);
		expect(claims).not.toBeNull();
		const entry = (await call(`/api/v1/queues/${q.id}/entries?status=ADMITTED`, { key: t.secretKey })).json.data.find(
			(e: { consumerId: string }) => e.consumerId === shopper.consumerId,
		);
		expect(claims).toMatchObject({
			sub: shopper.consumerId,
			dist: q.id,
			org: t.organizationId,
			typ: "admission",
		});
		expect(claims?.jti).toMatch(/^adm_/);
		expect(claims?.exp).toBe(Math.floor(Date.parse(expiresAt) / 1000));
		expect(claims?.iat).toBe(Math.floor(Date.parse(entry.admittedAt) / 1000));
		expect((claims?.exp as number) - (claims?.iat as number)).toBeGreaterThanOrEqual(899);
		// The same grant is returned on every status call (deterministic signature).
		expect((await status(t, q.id, shopper)).json.admissionToken).toBe(grant);
		// Any altered byte fails offline too.
		const [h, b, s] = grant.split(".");
		expect(await verifyOffline(`${h}.${alter(b)}.${s}`, jwks)).toBeNull();
		expect(await verifyOffline(`${h}.${b}.${alter(s)}`, jwks)).toBeNull();
		// Consumer access tokens verify with the same keys, and say they are not grants.
		const access = await verifyOffline(shopper.accessToken, jwks);
		expect(access).toMatchObject({ sub: shopper.consumerId, typ: "consumer", org: t.organizationId });
	});
});

describe("events", () => {
	it("queue.consumer.entered / admitted / completed appear in GET /api/v1/events", async () => {
		const { t, q, shopper, grant } = await admitted();
		expect((await complete(t, grant, { orderId: "ord-9" })).status).toBe(200);
		const want = ["queue.consumer.entered", "queue.consumer.admitted", "queue.consumer.completed"];
		const events = await waitFor(
			"queue.consumer.* events",
			async () => {
				const res = await call(`/api/v1/events?type=queue.consumer.*&distributionId=${q.id}&limit=100`, {
					key: t.secretKey,
				});
				expect(res.status, res.text).toBe(200);
				return res.json.data as { type: string; distributionId: string; data: Record<string, unknown> }[];
			},
			(rows) => want.every((w) => rows.some((r) => r.type === w)),
			5000,
		);
		for (const w of want) {
			const matching = events.filter((e) => e.type === w);
			expect(matching, w).toHaveLength(1);
			expect(matching[0].distributionId).toBe(q.id);
			expect(matching[0].data.consumerId).toBe(shopper.consumerId);
		}
		// Settle, then no duplicates appeared.
		await sleep(1200);
		const again = await call(`/api/v1/events?type=queue.consumer.*&distributionId=${q.id}&limit=100`, {
			key: t.secretKey,
		});
		expect(again.json.data).toHaveLength(3);
	});
});
