/**
 * A sequence's `access`, through the worker: the field itself (default, create, update, bad values),
 * then `open` and `verified` on every enter path — queue enter, draw enter, bid, buy-now — and
 * one entry per person (normalized email and phone) in `verified` launches.
 */
import { describe, expect, it } from "vitest";
import { accessRows, enterBy, type Path, setAccess, vouched } from "../../support/access";
import { allBids, openAuction } from "../../support/auction";
import { allEntries, shortDraw } from "../../support/draw";
import { call, guest, launch, refreshCall, type Tenant, tenant } from "../../support/helpers";
import { expectFieldError, expectProblem } from "../../support/problems";
import { openQueue, stats } from "../../support/queue";

const PATHS: Path[] = ["queue", "draw", "bid", "buy-now"];

/** One OPEN distribution per enter path, in the tenant's sequence. */
async function distributions(t: Tenant) {
	const queue = await openQueue(t);
	const draw = await shortDraw(t, {}, 60_000, 61_000);
	const auction = await openAuction(t);
	const buyable = await openAuction(t, { buyNowPrice: 100 });
	return { queue: queue.id, draw: draw.id, bid: auction.id, "buy-now": buyable.id } as Record<Path, string>;
}

/** Nothing entered anywhere: no place in the queue, no draw entry, no bid. */
async function expectNothingEntered(t: Tenant, ids: Record<Path, string>) {
	expect((await stats(t, ids.queue)).queued).toBe(0);
	expect(await allEntries(t, ids.draw)).toEqual([]);
	expect(await allBids(t, ids.bid)).toEqual([]);
	expect(await allBids(t, ids["buy-now"])).toEqual([]);
}

describe("the sequence's access field", () => {
	it("defaults to open, is set on create and update, and GET shows it", async () => {
		const t = await tenant();
		const got = await call(`/api/v1/sequences/${t.sequenceId}`, { key: t.secretKey });
		expect(got.json.access).toBe("open");
		const other = await launch(t, {}, { access: "codes" });
		const seq = await call(`/api/v1/sequences/${other.sequenceId}`, { key: t.secretKey });
		expect(seq.json.access).toBe("codes");
		for (const mode of ["verified", "list", "codes", "open"]) await setAccess(t, mode);
	});

	it.each([["invite"], [""], [null], [1], [["open"]]])("access %j → 400, nothing changed", async (access) => {
		const t = await tenant();
		await setAccess(t, "verified");
		const put = await call(`/api/v1/sequences/${t.sequenceId}`, { method: "PUT", key: t.secretKey, body: { access } });
		expectFieldError(put, "access");
		const exp = await call("/api/v1/experiences", { key: t.secretKey, body: { name: "X" } });
		const create = await call(`/api/v1/experiences/${exp.json.id}/sequences`, {
			key: t.secretKey,
			body: { name: "S", access },
		});
		expectFieldError(create, "access");
		const seqs = await call(`/api/v1/experiences/${exp.json.id}/sequences`, { key: t.secretKey });
		expect(seqs.json.data).toEqual([]);
		expect((await call(`/api/v1/sequences/${t.sequenceId}`, { key: t.secretKey })).json.access).toBe("verified");
	});

	it("the OpenAPI document names the modes and the access routes", async () => {
		const doc = (await call("/openapi.json")).json;
		expect(doc.components.schemas.AccessMode.enum).toEqual(["open", "verified", "codes", "list"]);
		expect(doc.components.schemas.Sequence.properties.access).toBeDefined();
		expect(doc.paths["/api/v1/sequences/{id}/access-codes"].post).toBeDefined();
		expect(doc.paths["/api/v1/sequences/{id}/allow-list"].post).toBeDefined();
		expect(doc.paths["/consumer/v1/queues/{id}/enter"].post.requestBody.content["application/json"]).toBeDefined();
	});
});

describe("open", () => {
	it("guests take part by every path, as before", async () => {
		const t = await tenant();
		const ids = await distributions(t);
		for (const path of PATHS) {
			const res = await enterBy(t, path, ids[path], await guest(t));
			expect(res.status, `${path}: ${res.text}`).toBe(200);
		}
	});
});

describe("verified", () => {
	it("refuses guest tokens with 403 on every path, and stores nothing", async () => {
		const t = await tenant();
		await setAccess(t, "verified");
		const ids = await distributions(t);
		const g = await guest(t);
		for (const path of PATHS) {
			const res = await enterBy(t, path, ids[path], g);
			const p = expectProblem(res, 403, "Verified consumers only");
			expect(p.detail).toContain("guest");
		}
		await expectNothingEntered(t, ids);
		expect(await accessRows("participant_identities", t.organizationId)).toEqual([]);
	});

	it("takes the merchant's shoppers (tokens from POST /consumers/:id/tokens) on every path", async () => {
		const t = await tenant();
		await setAccess(t, "verified");
		const ids = await distributions(t);
		for (const path of PATHS) {
			const res = await enterBy(t, path, ids[path], await vouched(t));
			expect(res.status, `${path}: ${res.text}`).toBe(200);
		}
	});

	it("a refreshed merchant session stays vouched; a refreshed guest session stays a guest", async () => {
		const t = await tenant();
		await setAccess(t, "verified");
		const queue = await openQueue(t);
		const shopper = await vouched(t);
		const renewed = await refreshCall(t, { refreshToken: shopper.refreshToken });
		expect(renewed.status, renewed.text).toBe(200);
		const again = await refreshCall(t, { refreshToken: renewed.json.refreshToken });
		const res = await enterBy(t, "queue", queue.id, {
			consumerId: shopper.consumerId,
			accessToken: again.json.accessToken,
		});
		expect(res.status, res.text).toBe(200);
		const g = await guest(t);
		const guestRenewed = await refreshCall(t, { refreshToken: g.refreshToken });
		const refused = await enterBy(t, "queue", queue.id, {
			consumerId: g.consumerId,
			accessToken: guestRenewed.json.accessToken,
		});
		expectProblem(refused, 403, "Verified consumers only");
	});

	it("a guest the merchant later vouches for gets in with the merchant's token, not its own", async () => {
		const t = await tenant();
		await setAccess(t, "verified");
		const queue = await openQueue(t);
		const g = await guest(t);
		const session = await call(`/api/v1/consumers/${g.consumerId}/tokens`, { key: t.secretKey, method: "POST" });
		expectProblem(await enterBy(t, "queue", queue.id, g), 403);
		const res = await enterBy(t, "queue", queue.id, {
			consumerId: g.consumerId,
			accessToken: session.json.accessToken,
		});
		expect(res.status, res.text).toBe(200);
	});

	it("access is read at each enter: switching a live launch to verified shuts guests out at once", async () => {
		const t = await tenant();
		const queue = await openQueue(t);
		expect((await enterBy(t, "queue", queue.id, await guest(t))).status).toBe(200);
		await setAccess(t, "verified");
		expectProblem(await enterBy(t, "queue", queue.id, await guest(t)), 403, "Verified consumers only");
		expect((await stats(t, queue.id)).queued).toBe(1);
	});
});

describe("verified: one entry per person", () => {
	it("a second account with the same normalized email is refused, told the field, not the other consumer", async () => {
		const t = await tenant();
		await setAccess(t, "verified");
		const ids = await distributions(t);
		const first = await vouched(t, { email: "John.Doe+drop@gmail.com" });
		const second = await vouched(t, { email: "johndoe@googlemail.com" });
		for (const path of PATHS) {
			expect((await enterBy(t, path, ids[path], first)).status, path).toBe(200);
			const res = await enterBy(t, path, ids[path], second);
			const p = expectProblem(res, 403, "Already entered as another consumer");
			expect(p.errors?.map((e) => e.path)).toEqual(["email"]);
			expect(res.text).not.toContain(first.consumerId);
		}
		// The first consumer enters again as before (the queue's same place).
		expect((await enterBy(t, "queue", ids.queue, first)).status).toBe(200);
		expect((await stats(t, ids.queue)).queued).toBe(1);
	});

	it("an E.164 phone another consumer entered with is refused on phone", async () => {
		const t = await tenant();
		await setAccess(t, "verified");
		const queue = await openQueue(t);
		const a = await vouched(t, { phone: "+15551234567" });
		const b = await vouched(t, { phone: "+15551234567" });
		expect((await enterBy(t, "queue", queue.id, a)).status).toBe(200);
		const p = expectProblem(await enterBy(t, "queue", queue.id, b), 403, "Already entered as another consumer");
		expect(p.errors?.map((e) => e.path)).toEqual(["phone"]);
		expect(p.detail).toContain("phone number");
	});

	it("a refused consumer leaves no claim behind: its other identity stays free", async () => {
		const t = await tenant();
		await setAccess(t, "verified");
		const queue = await openQueue(t);
		const a = await vouched(t, { email: "ann@example.com" });
		const b = await vouched(t, { email: "ann+2@example.com", phone: "+442079460958" });
		const c = await vouched(t, { email: "carl@example.com", phone: "+442079460958" });
		expect((await enterBy(t, "queue", queue.id, a)).status).toBe(200);
		expectProblem(await enterBy(t, "queue", queue.id, b), 403, "Already entered as another consumer");
		expect((await enterBy(t, "queue", queue.id, c)).status).toBe(200);
		expect((await accessRows("participant_identities", t.organizationId)).length).toBe(3);
	});

	it("is per distribution: the same person enters each launch once", async () => {
		const t = await tenant();
		await setAccess(t, "verified");
		const [q1, q2] = [await openQueue(t), await openQueue(t)];
		const a = await vouched(t, { email: "same@example.com" });
		const b = await vouched(t, { email: "SAME+alt@example.com" });
		expect((await enterBy(t, "queue", q1.id, a)).status).toBe(200);
		expect((await enterBy(t, "queue", q2.id, b)).status).toBe(200);
		expectProblem(await enterBy(t, "queue", q1.id, b), 403);
		expectProblem(await enterBy(t, "queue", q2.id, a), 403);
	});

	it("concurrent accounts of one person: exactly one gets in", async () => {
		const t = await tenant();
		await setAccess(t, "verified");
		const queue = await openQueue(t);
		const accounts = await Promise.all(
			Array.from({ length: 20 }, (_, i) =>
				vouched(t, { email: i % 2 ? `ma.x+${i}@googlemail.com` : `M.a.x+${i}@gmail.com` }),
			),
		);
		const answers = await Promise.all(accounts.map((s) => enterBy(t, "queue", queue.id, s)));
		expect(answers.filter((r) => r.status === 200).length).toBe(1);
		for (const r of answers.filter((r) => r.status !== 200))
			expectProblem(r, 403, "Already entered as another consumer");
		expect((await stats(t, queue.id)).queued).toBe(1);
	});

	it("the dedup ignores guests' and open launches' entries: only verified launches claim identities", async () => {
		const t = await tenant();
		const queue = await openQueue(t);
		const a = await vouched(t, { email: "x@example.com" });
		const b = await vouched(t, { email: "x+1@example.com" });
		expect((await enterBy(t, "queue", queue.id, a)).status).toBe(200);
		expect((await enterBy(t, "queue", queue.id, b)).status).toBe(200);
		expect(await accessRows("participant_identities", t.organizationId)).toEqual([]);
	});
});
