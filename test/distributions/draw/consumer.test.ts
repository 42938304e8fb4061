/**
 * The shopper's side of a draw, through the real worker: enter / leave / status, the
 * signed receipt (EdDSA JWT checked against /.well-known/jwks.json with WebCrypto), the
 * Merkle inclusion proof after close, WON / LOST / CLAIMED / EXPIRED after the draw,
 * maxEntries under 500 concurrent entries, and tenant isolation.
 *
 * Times are short and real (open a second ago, close ≈ +2 s, draw ≈ +3 s); every wait is
 * a bounded poll. Claim expiry is driven with a simulated clock (the `claims` schedule
 * kind run at a future time inside a storage transaction).
 */
import { describe, expect, it } from "vitest";
import { encodeRecord } from "../../../src/distributions/draw/fairness";
import { leafHash, verifyConsistency, verifyInclusion } from "../../../src/distributions/draw/transparency";
import { fromHex, sha256, utf8 } from "../../../src/lib/sha256";
import { claim } from "../../support/admissions";
import {
	allEntries,
	consumerDraw,
	createDraw,
	enter,
	proofOf,
	runClaimsAt,
	shortDraw,
	stateOf,
	verifiedDraw,
	waitDrawn,
	waitSealed,
} from "../../support/draw";
import { call, guest, guests, tenant } from "../../support/helpers";
import { iso, waitFor } from "../../support/time";

const b64urlToBytes = (s: string) =>
	Uint8Array.from(atob(s.replaceAll("-", "+").replaceAll("_", "/")), (c) => c.charCodeAt(0));
const decodeJson = (s: string) => JSON.parse(new TextDecoder().decode(b64urlToBytes(s)));

/** Verifies an EdDSA JWT against the public JWKS with WebCrypto; returns header, claims and validity. */
async function verifyJwt(token: string) {
	const [h, p, s] = token.split(".");
	const header = decodeJson(h);
	const claims = decodeJson(p);
	const jwks = await call("/.well-known/jwks.json");
	expect(jwks.status).toBe(200);
	const jwk = jwks.json.keys.find((k: { kid: string }) => k.kid === header.kid);
	expect(jwk, `a JWKS key with kid ${header.kid}`).toBeTruthy();
	const key = await crypto.subtle.importKey(
		"jwk",
		{ kty: jwk.kty, crv: jwk.crv, x: jwk.x },
		{ name: "Ed25519" },
		false,
		["verify"],
	);
	const valid = await crypto.subtle.verify("Ed25519", key, b64urlToBytes(s), new TextEncoder().encode(`${h}.${p}`));
	return { header, claims, valid, key };
}

describe("enter, status and the signed receipt", () => {
	it("enter → ENTERED with a receipt signed as an EdDSA JWT (typ receipt: entry, log position, root, R)", async () => {
		const t = await tenant();
		const d = await shortDraw(t, {}, 60_000, 120_000);
		const s = await guest(t);

		const before = await consumerDraw(t, d.id, "status", s);
		expect(before.status, before.text).toBe(404);
		expect(before.json.title).toBe("Not entered");

		const entered = await enter(t, d.id, s);
		expect(entered.consumerId).toBe(s.consumerId);
		expect(entered.receipt.entryId).toMatch(/^ent_[0-9A-HJKMNP-TV-Z]{26}$/);
		expect(entered.receipt.enteredAt).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{3})?Z$/);
		// Record 0 is the draw's rules; the first entry is record 1, the log's size 2 after it.
		expect(entered.receipt).toMatchObject({ seq: 1, size: 2 });
		expect(entered.receipt.root).toMatch(/^[0-9a-f]{64}$/);
		expect(entered.receipt.sealed, "no seal before close").toBeUndefined();
		expect(entered.admissionToken).toBeUndefined();
		expect(entered.claimBy).toBeUndefined();

		const proof = await proofOf(t, d.id);
		expect(proof.log).toEqual({ size: 2, root: entered.receipt.root });
		expect(entered.receipt.round).toBe(proof.round);

		const { header, claims, valid, key } = await verifyJwt(entered.receipt.signature);
		expect(valid, "receipt signature verifies against the JWKS").toBe(true);
		expect(header.alg).toBe("EdDSA");
		expect(claims).toMatchObject({
			iss: "fanfare-edge",
			typ: "receipt",
			sub: s.consumerId,
			org: t.organizationId,
			dist: d.id,
			entry: entered.receipt.entryId,
			seq: 1,
			size: 2,
			root: entered.receipt.root,
			round: proof.round,
		});
		expect(claims.iat).toBe(Math.floor(Date.parse(entered.receipt.enteredAt) / 1000));
		expect(claims.exp).toBeGreaterThan(claims.iat);

		// Any altered claim breaks the signature.
		const [h, , sig] = entered.receipt.signature.split(".");
		const forged = btoa(JSON.stringify({ ...claims, entry: "ent_forged" }))
			.replaceAll("+", "-")
			.replaceAll("/", "_")
			.replace(/=+$/, "");
		expect(
			await crypto.subtle.verify("Ed25519", key, b64urlToBytes(sig), new TextEncoder().encode(`${h}.${forged}`)),
		).toBe(false);

		// Entering again returns the same entry.
		const again = await enter(t, d.id, s);
		expect(again.receipt.entryId).toBe(entered.receipt.entryId);
		expect(again.receipt.enteredAt).toBe(entered.receipt.enteredAt);

		const status = await stateOf(t, d.id, s);
		expect(status.status).toBe("ENTERED");
		expect(status.receipt.entryId).toBe(entered.receipt.entryId);

		const entries = await allEntries(t, d.id);
		expect(entries).toHaveLength(1);
		expect(entries[0]).toMatchObject({ entryId: entered.receipt.entryId, consumerId: s.consumerId, status: "ENTERED" });

		// Without the consumer's token: 401.
		const anon = await consumerDraw(t, d.id, "enter", null);
		expect(anon.status).toBe(401);
	});

	it("leave while OPEN → LEFT; the place is free again under maxEntries", async () => {
		const t = await tenant();
		const d = await shortDraw(t, { maxEntries: 2 }, 60_000, 120_000);
		const [a, b, c] = await guests(t, 3);

		const notEntered = await consumerDraw(t, d.id, "leave", a);
		expect(notEntered.status).toBe(404);

		const ea = await enter(t, d.id, a);
		await enter(t, d.id, b);
		const full = await consumerDraw(t, d.id, "enter", c);
		expect(full.status, full.text).toBe(409);
		expect(full.headers.get("Content-Type")).toMatch(/^application\/problem\+json/);
		expect(full.json.title).toBe("Draw full");

		const left = await consumerDraw(t, d.id, "leave", a);
		expect(left.status, left.text).toBe(200);
		expect(left.json.status).toBe("LEFT");
		expect((await stateOf(t, d.id, a)).status).toBe("LEFT");
		const leftAgain = await consumerDraw(t, d.id, "leave", a);
		expect(leftAgain.status).toBe(200);
		expect(leftAgain.json.status).toBe("LEFT");

		// a's place is free: c gets in, and now a cannot come back.
		await enter(t, d.id, c);
		const aFull = await consumerDraw(t, d.id, "enter", a);
		expect(aFull.status).toBe(409);
		expect(aFull.json.title).toBe("Draw full");

		// b leaves; a re-enters, keeping its entry id.
		expect((await consumerDraw(t, d.id, "leave", b)).json.status).toBe("LEFT");
		const back = await enter(t, d.id, a);
		expect(back.receipt.entryId).toBe(ea.receipt.entryId);

		const byConsumer = Object.fromEntries((await allEntries(t, d.id)).map((e) => [e.consumerId, e.status]));
		expect(byConsumer).toEqual({ [a.consumerId]: "ENTERED", [b.consumerId]: "LEFT", [c.consumerId]: "ENTERED" });
	});

	it("500 concurrent entries against maxEntries 100 → exactly 100 accepted, the rest 409 Draw full", async () => {
		const t = await tenant();
		const shoppers = await guests(t, 500, 100);
		const d = await shortDraw(t, { maxEntries: 100 }, 120_000, 180_000);
		const replies = await Promise.all(shoppers.map((s) => consumerDraw(t, d.id, "enter", s)));
		const accepted = replies.filter((r) => r.status === 200);
		const rejected = replies.filter((r) => r.status !== 200);
		expect(accepted).toHaveLength(100);
		expect(rejected).toHaveLength(400);
		for (const r of rejected) {
			expect(r.status, r.text).toBe(409);
			expect(r.json.title).toBe("Draw full");
		}
		expect(new Set(accepted.map((r) => r.json.receipt.entryId)).size).toBe(100);

		const entries = await allEntries(t, d.id);
		expect(entries).toHaveLength(100);
		expect(entries.every((e) => e.status === "ENTERED")).toBe(true);
		expect(new Set(entries.map((e) => e.consumerId))).toEqual(new Set(accepted.map((r) => r.json.consumerId)));
	}, 60_000);

	it("entries before open → 409 Draw not open (SCHEDULED and DRAFT)", async () => {
		const t = await tenant();
		const s = await guest(t);
		const scheduled = await createDraw(t, {
			openAt: iso(Date.now() + 3600_000),
			closeAt: iso(Date.now() + 7200_000),
			drawAt: iso(Date.now() + 10_800_000),
			winnerCount: 1,
		});
		expect(scheduled.status).toBe("SCHEDULED");
		const draft = await createDraw(t, { openAt: null, drawAt: iso(Date.now() + 10_800_000), winnerCount: 1 });
		expect(draft.status).toBe("DRAFT");
		for (const id of [scheduled.id, draft.id]) {
			const res = await consumerDraw(t, id, "enter", s);
			expect(res.status, res.text).toBe(409);
			expect(res.json.title).toBe("Draw not open");
		}
		expect(await allEntries(t, scheduled.id)).toHaveLength(0);
	});

	it("after close: entering → 409 Draw closed, leaving → 409; receipts carry inclusion and consistency proofs", async () => {
		const t = await tenant();
		const shoppers = await guests(t, 6);
		const late = shoppers.pop();
		if (!late) throw new Error("unreachable");
		const d = await shortDraw(t, { winnerCount: 2 }, 2000, 60_000);
		const receipts = await Promise.all(shoppers.map((s) => enter(t, d.id, s)));
		const leaver = shoppers[2];
		expect((await consumerDraw(t, d.id, "leave", leaver)).json.status).toBe("LEFT");

		const proof = await waitSealed(t, d.id);
		expect(proof.status).toBe("CLOSED");
		expect(proof.seal.size, "rules, five entries, one withdrawal").toBe(7);
		expect(proof.seal.root).toMatch(/^[0-9a-f]{64}$/);
		expect(proof.beacon, "nothing ranks before R").toBeNull();

		const closed = await consumerDraw(t, d.id, "enter", late);
		expect(closed.status, closed.text).toBe(409);
		expect(closed.json.title).toBe("Draw closed");
		const leave = await consumerDraw(t, d.id, "leave", shoppers[0]);
		expect(leave.status, leave.text).toBe(409);
		expect(leave.json.title).toBe("Draw closed");
		const leaverEnter = await consumerDraw(t, d.id, "enter", leaver);
		expect(leaverEnter.status, "a consumer who left cannot come back after close").toBe(409);
		expect(leaverEnter.json.title).toBe("Draw closed");

		const seqs = new Set<number>();
		for (const [i, s] of shoppers.entries()) {
			const st = await stateOf(t, d.id, s);
			expect(st.receipt.entryId).toBe(receipts[i].receipt.entryId);
			expect(st.status).toBe(s === leaver ? "LEFT" : "ENTERED");
			// A withdrawn entry keeps its record (and receipt): the withdrawal is another record.
			expect(st.receipt).toMatchObject({ seq: receipts[i].receipt.seq, root: receipts[i].receipt.root });
			expect(st.receipt.sealed?.size).toBe(proof.seal.size);
			expect(st.receipt.sealed?.root).toBe(proof.seal.root);
			seqs.add(st.receipt.seq);
			const r = st.receipt;
			const sealed = r.sealed as NonNullable<typeof r.sealed>;
			const leaf = leafHash(utf8(encodeRecord({ type: "enter", entryId: r.entryId, at: Date.parse(r.enteredAt) })));
			expect(verifyInclusion(leaf, r.seq, sealed.size, sealed.inclusionProof.map(fromHex), fromHex(sealed.root))).toBe(
				true,
			);
			expect(
				verifyInclusion(sha256(leaf), r.seq, sealed.size, sealed.inclusionProof.map(fromHex), fromHex(sealed.root)),
			).toBe(false);
			expect(
				verifyConsistency(
					r.size,
					sealed.size,
					fromHex(r.root),
					fromHex(sealed.root),
					sealed.consistencyProof.map(fromHex),
				),
			).toBe(true);
		}
		expect([...seqs].sort()).toEqual([1, 2, 3, 4, 5]);
	});
});

describe("after the draw", () => {
	it("the proof shows the chain and R from the start, then the log's head, the seal, then the beacon and winners", async () => {
		const t = await tenant();
		const shoppers = await guests(t, 3);
		const now = Date.now();
		const d = await createDraw(t, {
			openAt: iso(now + 1000),
			closeAt: iso(now + 2500),
			drawAt: iso(now + 3500),
			winnerCount: 1,
		});
		const early = await proofOf(t, d.id);
		expect(early).toMatchObject({
			drawId: d.id,
			status: "SCHEDULED",
			algorithm: "fanfare-edge/draw-v2",
			log: { size: 0 },
			seal: null,
			beacon: null,
			awaitingBeacon: null,
			winnerCount: 1,
			winners: [],
			backfills: [],
			drawnAt: null,
		});
		// R from creation: the first round at or after drawAt and closeAt + margin.
		expect(early.round).toBeGreaterThan(0);
		expect(Date.parse(early.roundAt)).toBeGreaterThanOrEqual(now + 3500 - 1000);
		expect(early.chain).toMatchObject({ dev: true, period: 1 });

		await waitFor(
			"open",
			() => proofOf(t, d.id),
			(p) => p.status === "OPEN",
		);
		const entered = await Promise.all(shoppers.map((s) => enter(t, d.id, s)));
		for (const e of entered) expect(e.receipt.round, "every receipt names R").toBe(early.round);

		const drawn = await waitDrawn(t, d.id);
		expect(drawn.round, "R never changed").toBe(early.round);
		expect(drawn.seal).toMatchObject({ size: 4, round: early.round });
		expect(drawn.beacon.round).toBe(early.round);
		expect(drawn.winners).toHaveLength(1);
		expect(drawn.drawnAt).toMatch(/Z$/);
	});

	it("winners are WON with admissionToken and claimBy, the rest LOST; CLAIMED after completing, EXPIRED after the window", async () => {
		const t = await tenant();
		const shoppers = await guests(t, 5);
		const d = await shortDraw(t, { winnerCount: 2, claimWindowSeconds: 60 });
		await Promise.all(shoppers.map((s) => enter(t, d.id, s)));
		const proof = await waitDrawn(t, d.id);
		expect(proof.winners).toHaveLength(2);

		const states = await Promise.all(shoppers.map((s) => stateOf(t, d.id, s)));
		const won = states.filter((s) => s.status === "WON");
		const lost = states.filter((s) => s.status === "LOST");
		expect(won).toHaveLength(2);
		expect(lost).toHaveLength(3);
		expect(won.map((s) => s.receipt.entryId).sort()).toEqual([...proof.winners].sort());
		const drawnAt = Date.parse(proof.drawnAt);
		for (const w of won) {
			expect(w.admissionToken).toMatch(/^[\w-]+\.[\w-]+\.[\w-]+$/);
			expect(Math.abs(Date.parse(w.claimBy as string) - (drawnAt + 60_000))).toBeLessThanOrEqual(1000);
			const { claims, valid } = await verifyJwt(w.admissionToken as string);
			expect(valid).toBe(true);
			expect(claims).toMatchObject({ typ: "admission", sub: w.consumerId, dist: d.id });
			const check = await call("/api/v1/admissions/validate", { key: t.secretKey, body: { token: w.admissionToken } });
			expect(check.json.valid, check.text).toBe(true);
		}
		expect(
			(
				await verifiedDraw(
					t,
					d.id,
					[...won, ...lost].map((st) => st.receipt),
				)
			).ok,
		).toBe(true);
		for (const l of lost) {
			expect(l.admissionToken).toBeUndefined();
			expect(l.claimBy).toBeUndefined();
		}

		// The first winner claims.
		const [first, second] = won;
		const done = await claim(t, first.admissionToken as string);
		expect(done.status, done.text).toBe(200);
		expect(done.json).toEqual({ completed: true, consumerId: first.consumerId, distributionId: d.id });
		const firstShopper = shoppers.find((s) => s.consumerId === first.consumerId);
		if (!firstShopper) throw new Error("unreachable");
		const claimed = await stateOf(t, d.id, firstShopper);
		expect(claimed.status).toBe("CLAIMED");
		expect(claimed.admissionToken).toBeUndefined();
		const twice = await claim(t, first.admissionToken as string);
		expect(twice.status).toBe(409);
		expect(twice.json.title).toBe("Admission already used");

		// The second lets the window pass.
		await runClaimsAt(d.id, Date.parse(second.claimBy as string) + 1000);
		const secondShopper = shoppers.find((s) => s.consumerId === second.consumerId);
		if (!secondShopper) throw new Error("unreachable");
		const expired = await stateOf(t, d.id, secondShopper);
		expect(expired.status).toBe("EXPIRED");
		expect(expired.admissionToken).toBeUndefined();
		const late = await claim(t, second.admissionToken as string);
		expect(late.status).toBe(409);
		expect(late.json.title).toBe("Admission expired");
		for (const l of lost) {
			const s = shoppers.find((x) => x.consumerId === l.consumerId);
			if (!s) throw new Error("unreachable");
			expect((await stateOf(t, d.id, s)).status, "no backfill: the losers stay LOST").toBe("LOST");
		}
	});
});

describe("isolation", () => {
	it("another org's draw → 404; a non-draw id → 404", async () => {
		const a = await tenant();
		const b = await tenant();
		const d = await shortDraw(a, {}, 60_000, 120_000);
		const sa = await guest(a);
		const sb = await guest(b);
		await enter(a, d.id, sa);

		for (const action of ["enter", "leave", "status", "proof"]) {
			const res = await consumerDraw(b, d.id, action, sb);
			expect(res.status, `${action}: ${res.text}`).toBe(404);
			expect(res.json.title).toBe("Draw not found");
		}
		for (const path of ["", "/entries", "/entries/export", "/results"]) {
			const res = await call(`/api/v1/draws/${d.id}${path}`, { key: b.secretKey });
			expect(res.status, `GET ${path}: ${res.text}`).toBe(404);
			expect(res.json.title).toBe("Draw not found");
		}
		const run = await call(`/api/v1/draws/${d.id}/run`, { method: "POST", key: b.secretKey });
		expect(run.status).toBe(404);
		// b's shopper was never let in, and a's token does not work with b's key.
		expect(await allEntries(a, d.id)).toHaveLength(1);
		const crossed = await call(`/consumer/v1/draws/${d.id}/status`, {
			key: sa.accessToken,
			headers: { "X-Publishable-Key": b.publishableKey },
		});
		expect(crossed.status).toBe(401);

		const q = await call("/api/v1/queues", { key: a.secretKey, body: { sequenceId: a.sequenceId } });
		expect(q.status, q.text).toBe(201);
		const unknownDraw = "draw_01ARZ3NDEKTSV4RRFFQ69G5FAV";
		for (const id of [q.json.id, "nope", unknownDraw]) {
			for (const action of ["enter", "status", "proof"]) {
				const res = await consumerDraw(a, id, action, sa);
				expect(res.status, `${action} ${id}: ${res.text}`).toBe(404);
			}
			const results = await call(`/api/v1/draws/${id}/results`, { key: a.secretKey });
			expect(results.status, `results ${id}`).toBe(404);
		}
	});
});
