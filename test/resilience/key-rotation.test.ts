/**
 * Key rotation mid-launch (README, "Key rotation"): the token signing keyring (JWT_SIGNING_KEY) and the
 * versioned deployment secret (APP_SECRET) are rotated while a queue, a draw and an auction run.
 * Everything issued before — access tokens, admission grants, draw receipts and seals, auction heads,
 * position tickets, list cursors, stored idempotent replies, webhook signing secrets — keeps working
 * while the old key/secret is still in the ring; once it is removed each fails with a clear 4xx (not a
 * 500), and the failure is logged without a secret. The worker, its objects and its queue consumers all
 * read the bindings object this test changes (restored after each test).
 */
import { env } from "cloudflare:workers";
import { afterEach, describe, expect, it, vi } from "vitest";
import { deriveKey, encrypt, hmac, base64url as toB64 } from "../../src/lib/crypto";
import { signToken } from "../../src/lib/tokens";
import { type Jwks, JwksCache, verifySignature } from "../../src/sdk/admission";
import { verifyHeadToken } from "../../src/sdk/auction-log";
import { logOf as auctionLog, bid, openAuction } from "../support/auction";
import { enter as enterDraw, proofOf, shortDraw, waitSealed } from "../support/draw";
import { call, guest, issueToken, tenant } from "../support/helpers";
import { expectProblem } from "../support/problems";
import { admit, consumerCall, enter, openQueue, status } from "../support/queue";
import { waitFor } from "../support/time";
import { hook, verify, waitForArrivals } from "../support/webhooks";

const bindings = env as unknown as Record<string, string>;
const ORIGINAL = { JWT_SIGNING_KEY: bindings.JWT_SIGNING_KEY, APP_SECRET: bindings.APP_SECRET };
afterEach(() => {
	Object.assign(bindings, ORIGINAL);
	vi.restoreAllMocks();
});

type Jwk = JsonWebKey & { x: string };
const K1 = JSON.parse(ORIGINAL.JWT_SIGNING_KEY) as Jwk;
const S1 = ORIGINAL.APP_SECRET;
const S2 = "rotated-app-secret-fedcba9876543210fedcba9876543210";

async function newKey(): Promise<Jwk> {
	const pair = (await crypto.subtle.generateKey({ name: "Ed25519" }, true, ["sign", "verify"])) as CryptoKeyPair;
	const { kty, crv, x, d } = (await crypto.subtle.exportKey("jwk", pair.privateKey)) as Jwk;
	return { kty, crv, x, d } as Jwk;
}

const keyring = (...keys: [Jwk, "next" | "active" | "retired"][]) =>
	JSON.stringify({ keys: keys.map(([k, state]) => ({ ...k, state })) });
const secretRing = (...versions: [number, "next" | "active" | "retired", string][]) =>
	JSON.stringify({ secrets: versions.map(([version, state, secret]) => ({ version, state, secret })) });

const jwksNow = async () => (await call("/.well-known/jwks.json")).json as Jwks;
const kidOf = (jwt: string) => JSON.parse(atob(jwt.split(".")[0].replaceAll("-", "+").replaceAll("_", "/"))).kid;
const verifiedBy = async (jwt: string) => verifySignature(jwt, new JwksCache(jwksNow, 0, 0));

/** A ticket and a cursor as this deployment sealed them before versioning: no `v<N>.` prefix. */
async function legacyValues(queueId: string, encryptionSeed: string, consumerId: string, scope: string, id: string) {
	const v1 = { version: 1, secret: S1 };
	const ticketKey = await deriveKey(v1, `position-ticket|${encryptionSeed}`, "aes");
	const ticket = await encrypt(ticketKey, JSON.stringify({ c: consumerId, s: 1 }), queueId);
	const payload = toB64(new TextEncoder().encode(id));
	const mac = (await hmac(await deriveKey(v1, "pagination-cursor", "hmac"), `${scope}|${payload}`)).slice(0, 16);
	return { ticket, cursor: `${payload}.${toB64(mac)}` };
}

const encryptionSeedOf = async (id: string) =>
	(await env.DB.prepare("SELECT encryption_seed AS s FROM distributions WHERE id = ?").bind(id).first<{ s: string }>())
		?.s ?? "";

describe("rotating the signing key and APP_SECRET mid-launch", () => {
	it("everything issued before keeps working until the old key and secret are removed, then fails with a clear 4xx", async () => {
		const warn = vi.spyOn(console, "warn");
		const K2 = await newKey();
		const t = await tenant();
		const [alice, bob] = [await guest(t), await guest(t)];

		// ── before: the deployment as it always was (one key, one plain secret) ──
		const [kid1] = (await jwksNow()).keys.map((k) => k.kid);
		const q = await openQueue(t);
		const entered = await enter(t, q.id, alice);
		expect(entered.status, entered.text).toBe(200);
		expect(entered.json.ticket).toMatch(/^v1\./);
		await enter(t, q.id, bob);
		expect((await admit(t, q.id, 1)).json).toEqual({ admitted: 1 });
		const grant = (await status(t, q.id, alice)).json.admissionToken as string;
		const bobTicket = (await status(t, q.id, bob)).json.ticket as string;
		const legacy = await legacyValues(q.id, await encryptionSeedOf(q.id), bob.consumerId, "x", "y");

		const draw = await shortDraw(t, {}, 1500, 60_000);
		const receipt = (await enterDraw(t, draw.id, alice)).receipt.signature;
		const auction = await openAuction(t);
		const firstBid = await bid(t, auction.id, alice, 10);
		expect(firstBid.status, firstBid.text).toBe(200);
		const head = firstBid.json.head.token as string;

		for (let i = 0; i < 3; i++) {
			await call("/api/v1/consumers", { key: t.secretKey, body: { email: `c${i}@example.com` } });
		}
		const page1 = await call("/api/v1/consumers?limit=1", { key: t.secretKey });
		const cursor = page1.json.nextCursor as string;
		expect(cursor).toMatch(/^v1\./);
		const idem = { key: t.secretKey, body: { email: "idem@example.com" }, headers: { "X-Idempotency-Key": "rot-1" } };
		const created = await call("/api/v1/consumers", idem);
		expect(created.status).toBe(201);
		const { name: hookName, endpoint } = await hook(t, ["webhook.test"]);
		const seal = (await waitSealed(t, draw.id)).seal.signature as string;
		for (const jwt of [alice.accessToken, grant, receipt, seal, head]) expect(kidOf(jwt)).toBe(kid1);

		// ── step 1: the new key and secret are added as `next`: published / readable, not used ──
		bindings.JWT_SIGNING_KEY = keyring([K1, "active"], [K2, "next"]);
		bindings.APP_SECRET = secretRing([1, "active", S1], [2, "next", S2]);
		const step1 = (await jwksNow()).keys.map((k) => k.kid);
		expect(step1).toHaveLength(2);
		expect(step1[0]).toBe(kid1);
		const kid2 = step1[1];
		expect(kidOf((await guest(t)).accessToken)).toBe(kid1);
		// An isolate already on step 2 signs with K2: this one, on step 1, accepts it (K2 is published).
		const early = await signToken(keyring([K2, "active"]), {
			sub: alice.consumerId,
			org: t.organizationId,
			typ: "consumer",
			exp: Math.floor(Date.now() / 1000) + 600,
		});
		expect((await status(t, q.id, { ...alice, accessToken: early })).status).toBe(200);

		// ── step 2: K2 and version 2 become active; K1 and version 1 retire ──
		bindings.JWT_SIGNING_KEY = keyring([K1, "retired"], [K2, "active"]);
		bindings.APP_SECRET = secretRing([1, "retired", S1], [2, "active", S2]);
		expect((await jwksNow()).keys.map((k) => k.kid)).toEqual([kid2, kid1]);

		// Old tokens, grants, receipts, seals and heads verify; new ones are K2's.
		const polled = await status(t, q.id, alice);
		expect(polled.status, polled.text).toBe(200);
		expect((await guest(t)).accessToken).toSatisfy((jwt: string) => kidOf(jwt) === kid2);
		const valid = await call("/api/v1/admissions/validate", { key: t.secretKey, body: { token: grant } });
		expect(valid.json).toMatchObject({ valid: true, consumerId: alice.consumerId });
		expect(polled.json.admissionToken).toSatisfy((jwt: string) => kidOf(jwt) === kid2);
		for (const jwt of [receipt, seal]) expect((await verifiedBy(jwt)).dist).toBe(draw.id);
		expect(await verifyHeadToken(head, await jwksNow())).toMatchObject({ auctionId: auction.id, seq: 1 });
		expect(kidOf((await proofOf(t, draw.id)).seal.signature)).toBe(kid2);

		// Old tickets (versioned and from before versioning), cursors and stored replies open; new ones are version 2.
		const byTicket = await consumerCall(t, `/queues/${q.id}/status`, { ticket: bobTicket });
		expect(byTicket.status, byTicket.text).toBe(200);
		expect(byTicket.json.ticket).toMatch(/^v2\./);
		expect((await consumerCall(t, `/queues/${q.id}/status`, { ticket: legacy.ticket })).status).toBe(200);
		const page2 = await call(`/api/v1/consumers?limit=1&cursor=${encodeURIComponent(cursor)}`, { key: t.secretKey });
		expect(page2.status, page2.text).toBe(200);
		expect(page2.json.nextCursor).toMatch(/^v2\./);
		const replay = await call("/api/v1/consumers", idem);
		expect(replay.headers.get("Idempotent-Replayed")).toBe("true");
		expect(replay.json).toEqual(created.json);

		// The webhook secret sealed with version 1 still signs; the hourly sweep reseals it with version 2.
		expect(
			(await call(`/api/v1/webhook-endpoints/${endpoint.id}/test`, { key: t.secretKey, method: "POST" })).status,
		).toBe(202);
		const [first] = await waitForArrivals(hookName, 1);
		expect(verify(endpoint.secret, first).type).toBe("webhook.test");
		const { resealWebhookSecrets } = await import("../../src/events/webhooks/reseal");
		expect((await resealWebhookSecrets(env)).resealed).toBeGreaterThanOrEqual(1);
		const stored = await env.DB.prepare("SELECT secret_ciphertext AS c FROM webhook_endpoints WHERE id = ?")
			.bind(endpoint.id)
			.first<{ c: string }>();
		expect(stored?.c).toMatch(/^v2\./);

		// Alice bids again: the same pseudonym as before the rotation.
		expect((await bid(t, auction.id, alice, 20)).status).toBe(200);

		// ── step 3: K1 and version 1 are removed ──
		bindings.JWT_SIGNING_KEY = keyring([K2, "active"]);
		bindings.APP_SECRET = secretRing([2, "active", S2]);
		expect((await jwksNow()).keys.map((k) => k.kid)).toEqual([kid2]);
		warn.mockClear();

		expectProblem(await status(t, q.id, alice), 401, "Authentication required");
		const gone = await call("/api/v1/admissions/validate", { key: t.secretKey, body: { token: grant } });
		expect(gone.status).toBe(200);
		expect(gone.json).toMatchObject({ valid: false, reason: "invalid" });
		await expect(verifiedBy(receipt)).rejects.toMatchObject({ reason: "unknown_key" });
		expect(await verifyHeadToken(head, await jwksNow())).toBeNull();
		expectProblem(await consumerCall(t, `/queues/${q.id}/status`, { ticket: bobTicket }), 401, "Invalid ticket");
		expectProblem(await consumerCall(t, `/queues/${q.id}/status`, { ticket: legacy.ticket }), 401, "Invalid ticket");
		const stale = await call(`/api/v1/consumers?limit=1&cursor=${encodeURIComponent(cursor)}`, { key: t.secretKey });
		expectProblem(stale, 400, "Validation failed");
		expect(stale.json.errors[0]).toMatchObject({ path: "cursor", message: expect.stringContaining("rotated") });
		expectProblem(await call("/api/v1/consumers", idem), 409, "Idempotency key unusable");

		// What version 2 made keeps working, the resealed webhook secret included.
		expect((await enter(t, q.id, await guest(t))).status).toBe(200);
		expect((await consumerCall(t, `/queues/${q.id}/status`, { ticket: byTicket.json.ticket })).status).toBe(200);
		expect(
			(
				await call(`/api/v1/consumers?limit=1&cursor=${encodeURIComponent(page2.json.nextCursor)}`, {
					key: t.secretKey,
				})
			).status,
		).toBe(200);
		await call(`/api/v1/webhook-endpoints/${endpoint.id}/test`, { key: t.secretKey, method: "POST" });
		const [, second] = await waitForArrivals(hookName, 2);
		expect(verify(endpoint.secret, second).type).toBe("webhook.test");

		// Alice's third bid, with version 1 gone: still the same bidder in the log.
		// (Her access token was K1's: she signs in again.)
		const aliceAgain = { ...alice, accessToken: await issueToken(t, alice.consumerId) };
		expect((await bid(t, auction.id, aliceAgain, 30)).status).toBe(200);
		const bidders = (await auctionLog(t, auction.id)).json.entries
			.filter((e: { kind: string }) => e.kind === "bid")
			.map((e: { bidder: string }) => e.bidder);
		expect(bidders).toHaveLength(3);
		expect(new Set(bidders).size).toBe(1);

		// Each failed decryption was logged: what and why, never a secret.
		const lines = warn.mock.calls.map((args) => String(args[0]));
		const failures = lines.filter((l) => l.includes("decryption failed")).map((l) => JSON.parse(l));
		expect(failures).toContainEqual(
			expect.objectContaining({ purpose: "position-ticket", secretVersion: 1, reason: "unknown_version" }),
		);
		expect(failures).toContainEqual(
			expect.objectContaining({ purpose: "pagination-cursor", reason: "unknown_version" }),
		);
		expect(failures).toContainEqual(
			expect.objectContaining({ purpose: "idempotency-response", reason: "unknown_version" }),
		);
		for (const line of lines) {
			for (const secret of [S1, S2, K1.d, K2.d]) expect(line).not.toContain(secret);
		}
	});
});

describe("the keyring", () => {
	const claims = (t: { organizationId: string }, sub: string) => ({
		sub,
		org: t.organizationId,
		typ: "consumer" as const,
		exp: Math.floor(Date.now() / 1000) + 600,
	});

	it("JWKS: next, active and retired keys are published (active first), each with its kid; private parts never", async () => {
		const [next, retired] = [await newKey(), await newKey()];
		bindings.JWT_SIGNING_KEY = JSON.stringify({
			keys: [
				{ ...retired, kid: "2025-retired", state: "retired", d: undefined },
				{ ...K1, state: "active" },
				{ ...next, kid: "2027-next", state: "next" },
			],
		});
		const res = await call("/.well-known/jwks.json");
		expect(res.status).toBe(200);
		expect(res.headers.get("Cache-Control")).toBe("public, max-age=300");
		const keys = res.json.keys as Record<string, string>[];
		expect(keys.map((k) => [k.kid, k.x])).toEqual([
			[expect.any(String), K1.x],
			["2027-next", next.x],
			["2025-retired", retired.x],
		]);
		for (const k of keys)
			expect(k).toEqual({ kty: "OKP", crv: "Ed25519", x: k.x, kid: k.kid, alg: "EdDSA", use: "sig" });
	});

	it("a token naming a kid the ring does not hold, or none, or another key's kid → 401", async () => {
		const t = await tenant();
		const shopper = await guest(t);
		const q = await openQueue(t);
		const stranger = await newKey();
		const [kid1] = (await jwksNow()).keys.map((k) => k.kid);
		const forged = [
			// A key this deployment never had, under its own kid and under the real key's kid.
			await signToken(keyring([stranger, "active"]), claims(t, shopper.consumerId)),
			await signToken(
				JSON.stringify({ keys: [{ ...stranger, kid: kid1, state: "active" }] }),
				claims(t, shopper.consumerId),
			),
		];
		// A genuine signature with the kid taken out of the header.
		const genuine = await signToken(ORIGINAL.JWT_SIGNING_KEY, claims(t, shopper.consumerId));
		const [h, b, sig] = genuine.split(".");
		const header = JSON.parse(atob(h.replaceAll("-", "+").replaceAll("_", "/")));
		delete header.kid;
		forged.push(`${toB64(new TextEncoder().encode(JSON.stringify(header)))}.${b}.${sig}`);
		for (const token of forged) {
			expectProblem(await status(t, q.id, { ...shopper, accessToken: token }), 401, "Authentication required");
		}
		expect((await enter(t, q.id, { ...shopper, accessToken: genuine })).status).toBe(200);
	});

	it("a malformed ring is refused with a message naming the rule, never a key or secret", async () => {
		const { signingRing } = await import("../../src/lib/signing-keys");
		const { secretRing: parse } = await import("../../src/lib/secrets");
		const K2 = await newKey();
		const badRings = [
			keyring([K1, "active"], [K2, "active"]),
			keyring([K1, "retired"]),
			JSON.stringify({ keys: [{ ...K1, state: "current" }] }),
			JSON.stringify({ keys: [{ ...K1, state: "active", d: undefined }] }),
			JSON.stringify({
				keys: [
					{ ...K1, state: "active", kid: "a" },
					{ ...K2, state: "next", kid: "a" },
				],
			}),
			JSON.stringify({ keys: [] }),
			"not json",
		];
		for (const config of badRings) {
			const error = await signingRing(config).then(
				() => null,
				(e: Error) => e,
			);
			expect(error?.name, config.slice(0, 40)).toBe("SigningKeyConfigError");
			expect(error?.message).not.toContain(K1.d);
		}
		const badSecrets = [
			secretRing([1, "active", S1], [2, "active", S2]),
			secretRing([1, "retired", S1]),
			secretRing([1, "active", S1], [1, "retired", S2]),
			secretRing([0, "active", S1]),
			secretRing([1, "active", "short"]),
			"{not json",
			"",
		];
		for (const config of badSecrets) {
			expect(() => parse(config), config.slice(0, 40)).toThrow(expect.objectContaining({ name: "SecretConfigError" }));
			try {
				parse(config);
			} catch (e) {
				expect(String(e)).not.toContain(S1);
			}
		}
	});

	it("an undecryptable webhook secret fails its delivery with a recorded reason (logged), not a crash", async () => {
		const warn = vi.spyOn(console, "warn");
		const t = await tenant();
		const { endpoint } = await hook(t, ["webhook.test"]);
		await env.DB.prepare("UPDATE webhook_endpoints SET secret_ciphertext = ? WHERE id = ?")
			.bind(`v9.${"A".repeat(60)}`, endpoint.id)
			.run();
		const sent = await call(`/api/v1/webhook-endpoints/${endpoint.id}/test`, { key: t.secretKey, method: "POST" });
		expect(sent.status).toBe(202);
		const attempt = await waitFor(
			"a failed attempt",
			async () =>
				(await call(`/api/v1/webhook-endpoints/${endpoint.id}/deliveries`, { key: t.secretKey })).json.data[0],
			(d) => d?.attempts?.length >= 1,
			10_000,
			100,
		);
		expect(attempt.status).toBe("failed");
		expect(attempt.attempts[0].error).toContain("signing secret unreadable");
		const logged = warn.mock.calls.map((a) => String(a[0])).filter((l) => l.includes("decryption failed"));
		expect(logged.map((l) => JSON.parse(l))).toContainEqual(
			expect.objectContaining({ purpose: "webhook-endpoint-secret", secretVersion: 9, reason: "unknown_version" }),
		);
	});
});
