/**
 * Guest sign-up under protection: POST /consumer/v1/auth/guest naming a distribution
 * (`{distributionId}`) passes that sequence's challenge first — proof-of-work bound to the
 * distribution and the purpose `guest` (POST /consumer/v1/challenges/guest), or a Turnstile token
 * for action `guest` — and a refused one creates no consumer. Without a body, nothing changes.
 */
import { describe, expect, it } from "vitest";
import { solvePow } from "../../../src/sdk/pow";
import { call, countRows, guest, type Tenant, tenant } from "../../support/helpers";
import { expectFieldError, expectProblem } from "../../support/problems";
import { setProtection, solved } from "../../support/protection";
import { openQueue } from "../../support/queue";
import { DUMMY_TOKEN, mint, PASSES, realSecret, setTurnstile } from "../../support/turnstile";

const signUp = (t: Tenant, body?: unknown, headers: Record<string, string> = {}) =>
	call("/consumer/v1/auth/guest", {
		method: "POST",
		headers: { "X-Publishable-Key": t.publishableKey, ...headers },
		body,
	});

const guestChallenge = (t: Tenant, distributionId: string) =>
	call("/consumer/v1/challenges/guest", {
		headers: { "X-Publishable-Key": t.publishableKey },
		body: { distributionId },
	});

async function solvedGuest(t: Tenant, distributionId: string) {
	const res = await guestChallenge(t, distributionId);
	expect(res.status, res.text).toBe(201);
	return { "X-Challenge": res.json.challenge, "X-Challenge-Nonce": solvePow(res.json.challenge, res.json.bits) };
}

describe("guest sign-up naming a distribution", () => {
	it("without a body (or naming an unprotected distribution) works as before, even once the sequence is protected", async () => {
		const t = await tenant();
		const q = await openQueue(t);
		expect((await signUp(t)).status).toBe(201);
		expect((await signUp(t, {})).status).toBe(201);
		expect((await signUp(t, { distributionId: q.id })).status).toBe(201);
		await setProtection(t, { challenge: "pow" });
		expect((await signUp(t)).status).toBe(201);
		expectProblem(await guestChallenge(t, (await openQueue(await tenant())).id), 404, "Queue not found");
	});

	it("pow: no challenge → 403 and no consumer; a solved guest challenge → 201 once; reused or misbound → 403", async () => {
		const t = await tenant();
		await setProtection(t, { challenge: "pow", onFailure: "back-of-line" });
		const q = await openQueue(t);
		const before = await countRows("consumers", t.organizationId);
		// back-of-line is queue enter's: a sign-up is refused either way.
		expectProblem(await signUp(t, { distributionId: q.id }), 403, "Challenge required");
		expect(await countRows("consumers", t.organizationId)).toBe(before);
		const headers = await solvedGuest(t, q.id);
		const ok = await signUp(t, { distributionId: q.id }, headers);
		expect(ok.status, ok.text).toBe(201);
		expect(ok.json.accessToken).toBeTruthy();
		expectProblem(await signUp(t, { distributionId: q.id }, headers), 403, "Challenge already used");
		// A consumer's enter challenge is not a guest one, and a guest one is bound to its distribution.
		const shopper = await guest(t);
		const enterChallenge = await solved(t, shopper, q.id, "enter");
		expectProblem(await signUp(t, { distributionId: q.id }, enterChallenge), 403, "Challenge invalid");
		const other = await openQueue(t);
		expectProblem(await signUp(t, { distributionId: other.id }, await solvedGuest(t, q.id)), 403, "Challenge invalid");
		// A guest challenge does not enter a queue either.
		const asEnter = await call(`/consumer/v1/queues/${q.id}/enter`, {
			method: "POST",
			key: shopper.accessToken,
			headers: { "X-Publishable-Key": t.publishableKey, ...(await solvedGuest(t, q.id)) },
		});
		expect(asEnter.json.backOfLine).toBe(true);
		// Two consumers: the one signed up with the challenge, and the shopper created by the test helper.
		expect(await countRows("consumers", t.organizationId)).toBe(before + 2);
	});

	it("bad names: not a distribution id → 400, unknown or another organization's → 404, nothing created", async () => {
		const t = await tenant();
		await setProtection(t, { challenge: "pow" });
		const before = await countRows("consumers", t.organizationId);
		expectFieldError(await signUp(t, { distributionId: "prod_01HXYZ123456789ABCDEFGHJK" }), "distributionId");
		expectFieldError(await signUp(t, { distributionId: "" }), "distributionId");
		expect((await signUp(t, { distributionId: "queue_x", extra: 1 })).status).toBe(400);
		expectProblem(await signUp(t, { distributionId: "queue_01HXYZ123456789ABCDEFGHJK" }), 404, "Queue not found");
		const foreign = await openQueue(await tenant());
		expectProblem(await signUp(t, { distributionId: foreign.id }), 404, "Queue not found");
		expect(await countRows("consumers", t.organizationId)).toBe(before);
		expectFieldError(await guestChallenge(t, "prod_01HXYZ123456789ABCDEFGHJK"), "distributionId");
	});

	it("turnstile: the token must pass, for action guest; none → 403 and no consumer", async () => {
		const secret = realSecret();
		const t = await tenant();
		await setTurnstile(t, secret);
		await setProtection(t, { challenge: "turnstile" });
		const q = await openQueue(t);
		const before = await countRows("consumers", t.organizationId);
		expectProblem(await signUp(t, { distributionId: q.id }), 403, "Turnstile token required");
		const forEnter = await mint(secret, { action: "enter" });
		expectProblem(
			await signUp(t, { distributionId: q.id }, { "X-Turnstile-Token": forEnter }),
			403,
			"Turnstile token invalid",
		);
		expect(await countRows("consumers", t.organizationId)).toBe(before);
		const forGuest = await mint(secret, { action: "guest" });
		expect((await signUp(t, { distributionId: q.id }, { "X-Turnstile-Token": forGuest })).status).toBe(201);
		const info = await guestChallenge(t, q.id);
		expect(info.json).toMatchObject({ type: "turnstile", action: "guest" });
		// Cloudflare's always-passing test secret, with its dummy token.
		const u = await tenant();
		await setTurnstile(u, PASSES);
		await setProtection(u, { challenge: "turnstile" });
		const uq = await openQueue(u);
		expect((await signUp(u, { distributionId: uq.id }, { "X-Turnstile-Token": DUMMY_TOKEN })).status).toBe(201);
	});
});
