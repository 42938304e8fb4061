/**
 * Key rotation mid-launch (README, "Key rotation"): the token signing keyring (JWT_SIGNING_KEY) and the
 * versioned deployment secret (APP_SECRET) are rotated while a queue, a draw and an auction run.
 * Everything issued before — access tokens, admission grants, draw receipts and seals, auction heads,
 * position tickets, list cursors, stored idempotent replies, webhook signing secrets — keeps working
 * while the old key/secret is still in the ring; once it is removed each fails with a clear 4xx (not a
 * 500), and the failure is logged without a secret. The worker, its objects and its queue consumers all
 * read the bindings object this test changes (restored after each test).
 */
import { evictDurableObject, runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { afterEach, describe, expect, it, vi } from "vitest";
import type { StoredAuction } from "../../src/distributions/auction/store";
import { legacyPseudonymKey, pseudonymizer } from "../../src/distributions/auction/views";
import { openTicket } from "../../src/lib/tickets";
import { signToken } from "../../src/lib/tokens";
import { verifyHeadToken } from "../../src/sdk/auction-log";
import { logOf as auctionLog, bid, openAuction } from "../support/auction";
import { enter as enterDraw, proofOf, shortDraw, waitSealed } from "../support/draw";
import { call, guest, issueToken, tenant } from "../support/helpers";
import {
	bindings,
	encryptionSeedOf,
	jwksNow,
	K1,
	keyring,
	kidOf,
	legacyCursor,
	legacyTicket,
	newKey,
	restoreKeys,
	S1,
	S2,
	secretRing,
	verifiedNow,
} from "../support/keys";
import { auctionStub } from "../support/objects";
import { expectProblem } from "../support/problems";
import { admit, consumerCall, enter, openQueue, status } from "../support/queue";
import { hook, verify, waitForArrivals } from "../support/webhooks";

afterEach(() => {
	restoreKeys();
	vi.restoreAllMocks();
});

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
		const bobLine = await openTicket(S1, await encryptionSeedOf(q.id), q.id, bobTicket);
		const legacy = {
			ticket: await legacyTicket(q.id, await encryptionSeedOf(q.id), bob.consumerId, bobLine?.seq ?? 0),
		};

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
		const oldCursor = await legacyCursor(`consumers|${t.organizationId}`, page1.json.data[0].id);
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
		for (const jwt of [receipt, seal]) expect((await verifiedNow(jwt)).dist).toBe(draw.id);
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
		const fromOld = await call(`/api/v1/consumers?limit=1&cursor=${encodeURIComponent(oldCursor)}`, {
			key: t.secretKey,
		});
		expect(fromOld.json.data).toEqual(page2.json.data);
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
		// (The object starts afresh, as after a deploy: nothing it remembered hides a changed key.)
		await evictDurableObject(auctionStub(auction.id));
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
		await expect(verifiedNow(receipt)).rejects.toMatchObject({ reason: "unknown_key" });
		expect(await verifyHeadToken(head, await jwksNow())).toBeNull();
		expectProblem(await consumerCall(t, `/queues/${q.id}/status`, { ticket: bobTicket }), 401, "Invalid ticket");
		expectProblem(await consumerCall(t, `/queues/${q.id}/status`, { ticket: legacy.ticket }), 401, "Invalid ticket");
		for (const old of [cursor, oldCursor]) {
			const stale = await call(`/api/v1/consumers?limit=1&cursor=${encodeURIComponent(old)}`, { key: t.secretKey });
			expectProblem(stale, 400, "Validation failed");
			expect(stale.json.errors[0]).toMatchObject({ path: "cursor", message: expect.stringContaining("rotated") });
		}
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
		await evictDurableObject(auctionStub(auction.id));
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

describe("auction pseudonyms across a rotation", () => {
	it("a chain from before per-auction keys keeps its APP_SECRET v1 names, and keeps them once v1 is removed", async () => {
		const t = await tenant();
		const [alice, bob] = [await guest(t), await guest(t)];
		const auction = await openAuction(t);
		expect((await bid(t, auction.id, alice, 10)).status).toBe(200);
		// As the chain of an auction started before this version: no pseudonym key of its own.
		const seed = await runInDurableObject(auctionStub(auction.id), (_o, state) => {
			const row = state.storage.sql.exec<{ json: string }>("SELECT json FROM state WHERE id = 1").one();
			const st = JSON.parse(row.json) as StoredAuction;
			expect(st.chain?.pseudonymKey).toMatch(/^[0-9a-f]{64}$/);
			delete st.chain?.pseudonymKey;
			state.storage.sql.exec("UPDATE state SET json = ? WHERE id = 1", JSON.stringify(st));
			const timeline = state.storage.sql.exec<{ json: string }>("SELECT json FROM timeline").toArray()[0];
			return (JSON.parse(timeline?.json ?? "{}") as { encryptionSeed?: string }).encryptionSeed ?? "";
		});
		await evictDurableObject(auctionStub(auction.id));
		const legacyName = pseudonymizer(legacyPseudonymKey(S1, { id: auction.id, encryptionSeed: seed }))(bob.consumerId);

		bindings.APP_SECRET = secretRing([1, "retired", S1], [2, "active", S2]);
		expect((await bid(t, auction.id, bob, 20)).status).toBe(200);
		bindings.APP_SECRET = secretRing([2, "active", S2]);
		await evictDurableObject(auctionStub(auction.id));
		expect((await bid(t, auction.id, bob, 30)).status).toBe(200);
		const entries = (await auctionLog(t, auction.id)).json.entries as { kind: string; bidder: string }[];
		expect(
			entries
				.filter((e) => e.kind === "bid")
				.map((e) => e.bidder)
				.slice(1),
		).toEqual([legacyName, legacyName]);
	});
});
