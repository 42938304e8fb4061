/**
 * The standalone verifier (verifyDraw, src/distributions/draw/verify.ts) against a real draw run
 * through the API — 30 entries, 5 winners, claims, expiries and backfills — and against
 * every kind of tampering: seed, commitment, entry list, winners, backfills.
 *
 * The CLI (`npm run verify:draw -- proof.json entries.json`, scripts/verify-draw.ts) is a
 * thin wrapper that reads the two files and calls verifyDraw. Tests run inside workerd,
 * which has no node:fs or child processes, so the CLI itself is not run here; its whole
 * logic is verifyDraw, tested thoroughly below, plus unwrapping the export's
 * `{drawId, entryIds}` envelope (the shape checked here too).
 */
import { beforeAll, describe, expect, it } from "vitest";
import { commitmentOf, merkleRoot, rank } from "../../../src/distributions/draw/fairness";
import { type DrawProof, verifyDraw } from "../../../src/distributions/draw/verify";
import { fromHex, hex, sha256, utf8 } from "../../../src/lib/sha256";
import { claim } from "../../support/admissions";
import {
	enterAll,
	exportOf,
	hexToBytes,
	proofOf,
	runClaimsAt,
	shortDraw,
	stateOf,
	waitDrawn,
} from "../../support/draw";
import { guests, tenant } from "../../support/helpers";

let proof: DrawProof & { status: string; drawnAt: string };
let entryIds: string[];
let ranked: string[];

const failed = (p: DrawProof, ids: string[]) => {
	const result = verifyDraw(p, ids);
	return { ok: result.ok, failed: result.checks.filter((c) => !c.ok).map((c) => c.name) };
};
const clone = () => structuredClone(proof) as DrawProof;
/** Flips the last hex digit. */
const flip = (h: string) => h.slice(0, -1) + (h.endsWith("0") ? "1" : "0");

beforeAll(async () => {
	const t = await tenant();
	const shoppers = await guests(t, 30);
	const d = await shortDraw(t, { winnerCount: 5, backfill: true, claimWindowSeconds: 60 }, 2500, 3500);
	const receipts = await enterAll(t, d.id, shoppers);
	const byEntry = new Map(receipts.map((r, i) => [r.receipt.entryId, shoppers[i]]));
	await waitDrawn(t, d.id, 8000);
	const exported = await exportOf(t, d.id);
	expect(exported.drawId).toBe(d.id);
	entryIds = exported.entryIds;
	const drawn = await proofOf(t, d.id);
	ranked = rank(hexToBytes(drawn.seed), entryIds);

	// Two winners claim, three let their window pass: three backfills follow the ranking.
	for (const id of ranked.slice(0, 2)) {
		const st = await stateOf(t, d.id, byEntry.get(id) as (typeof shoppers)[number]);
		expect((await claim(t, st.admissionToken as string)).status).toBe(200);
	}
	await runClaimsAt(d.id, Date.parse(drawn.drawnAt) + 61_000);
	proof = await proofOf(t, d.id);
}, 40_000);

describe("a real draw", () => {
	it("is verified, every check passing", () => {
		expect(entryIds).toHaveLength(30);
		expect(proof.entryCount).toBe(30);
		expect(proof.winners).toEqual(ranked.slice(0, 5));
		expect(proof.backfills).toEqual(ranked.slice(5, 8));
		const result = verifyDraw(proof, entryIds);
		expect(result.checks.filter((c) => !c.ok)).toEqual([]);
		expect(result.ok).toBe(true);
		expect(result.checks.map((c) => c.name)).toEqual([
			"algorithm",
			"seed revealed",
			"commitment",
			"entry count",
			"unique entries",
			"merkle root",
			"winners",
			"backfills",
		]);
	});

	it("is verified from the JSON a user would download (round-tripped through JSON.stringify)", () => {
		const p = JSON.parse(JSON.stringify(proof));
		const ids = JSON.parse(JSON.stringify({ drawId: proof.drawId, entryIds })).entryIds;
		expect(verifyDraw(p, ids).ok).toBe(true);
	});
});

describe("tampering is rejected", () => {
	it("an altered seed (the commitment no longer matches)", () => {
		const p = clone();
		p.seed = flip(p.seed as string);
		expect(failed(p, entryIds)).toMatchObject({ ok: false, failed: expect.arrayContaining(["commitment"]) });
	});

	it("another seed with a commitment recomputed to match (the winners no longer follow)", () => {
		const p = clone();
		const other = hex(sha256(utf8("another seed")));
		p.seed = other;
		p.commitment = commitmentOf(fromHex(other));
		const r = failed(p, entryIds);
		expect(r.ok).toBe(false);
		expect(r.failed).toContain("winners");
	});

	it("a missing or malformed seed", () => {
		for (const seed of [null, "", "zz".repeat(32), "ab".repeat(16)]) {
			const p = clone();
			p.seed = seed;
			expect(failed(p, entryIds), `seed ${seed}`).toMatchObject({
				ok: false,
				failed: expect.arrayContaining(["seed revealed"]),
			});
		}
	});

	it("an altered commitment", () => {
		const p = clone();
		p.commitment = flip(p.commitment);
		expect(failed(p, entryIds)).toEqual({ ok: false, failed: ["commitment"] });
	});

	it("an altered algorithm", () => {
		const p = clone();
		p.algorithm = "fanfare-edge/draw-v2";
		expect(failed(p, entryIds)).toEqual({ ok: false, failed: ["algorithm"] });
	});

	it("an altered entry id", () => {
		const ids = [...entryIds];
		ids[7] = `${ids[7].slice(0, -1)}${ids[7].endsWith("A") ? "B" : "A"}`;
		expect(failed(proof, ids)).toMatchObject({ ok: false, failed: expect.arrayContaining(["merkle root"]) });
	});

	it("a removed entry (a loser, and a winner)", () => {
		const loser = ranked[29];
		expect(
			failed(
				proof,
				entryIds.filter((id) => id !== loser),
			),
		).toMatchObject({
			ok: false,
			failed: expect.arrayContaining(["entry count", "merkle root"]),
		});
		const winner = ranked[0];
		const r = failed(
			proof,
			entryIds.filter((id) => id !== winner),
		);
		expect(r.ok).toBe(false);
		expect(r.failed).toEqual(expect.arrayContaining(["entry count", "merkle root", "winners"]));
	});

	it("an added entry, and a duplicated one", () => {
		expect(failed(proof, [...entryIds, "ent_01ARZ3NDEKTSV4RRFFQ69G5FAV"])).toMatchObject({
			ok: false,
			failed: expect.arrayContaining(["entry count", "merkle root"]),
		});
		const dup = [...entryIds];
		dup[3] = dup[4];
		expect(failed(proof, dup)).toMatchObject({
			ok: false,
			failed: expect.arrayContaining(["unique entries", "merkle root"]),
		});
	});

	it("the right entries in another order (the Merkle root fixes the order)", () => {
		const ids = [...entryIds];
		[ids[0], ids[1]] = [ids[1], ids[0]];
		expect(failed(proof, ids)).toEqual({ ok: false, failed: ["merkle root"] });
		expect(failed(proof, [...entryIds].reverse())).toEqual({ ok: false, failed: ["merkle root"] });
	});

	it("an altered entry count or Merkle root in the proof", () => {
		const count = clone();
		count.entryCount = 31;
		expect(failed(count, entryIds)).toEqual({ ok: false, failed: ["entry count"] });
		const root = clone();
		root.merkleRoot = flip(root.merkleRoot as string);
		expect(failed(root, entryIds)).toEqual({ ok: false, failed: ["merkle root"] });
	});

	it("swapped, replaced, removed or added winners, and an altered winnerCount", () => {
		const swapped = clone();
		[swapped.winners[0], swapped.winners[1]] = [swapped.winners[1], swapped.winners[0]];
		const replaced = clone();
		replaced.winners[2] = ranked[20];
		const removed = clone();
		removed.winners.pop();
		const added = clone();
		added.winners.push(ranked[20]);
		const count = clone();
		count.winnerCount = 6;
		const winnerSwappedWithBackfill = clone();
		[winnerSwappedWithBackfill.winners[4], winnerSwappedWithBackfill.backfills[0]] = [
			winnerSwappedWithBackfill.backfills[0],
			winnerSwappedWithBackfill.winners[4],
		];
		for (const [name, p] of Object.entries({ swapped, replaced, removed, added, count, winnerSwappedWithBackfill })) {
			const r = failed(p, entryIds);
			expect(r.ok, name).toBe(false);
			expect(r.failed, name).toContain("winners");
		}
	});

	it("an altered, reordered or re-used backfill", () => {
		const altered = clone();
		altered.backfills[1] = ranked[25];
		const reordered = clone();
		[reordered.backfills[0], reordered.backfills[2]] = [reordered.backfills[2], reordered.backfills[0]];
		const winnerAgain = clone();
		winnerAgain.backfills[0] = ranked[0];
		const skipped = clone();
		skipped.backfills = [ranked[5], ranked[7], ranked[8]];
		for (const [name, p] of Object.entries({ altered, reordered, winnerAgain, skipped })) {
			expect(failed(p, entryIds), name).toEqual({ ok: false, failed: ["backfills"] });
		}
	});

	it("backfills listed beyond the end of the ranking (entries that do not exist, or winners again)", () => {
		// A small draw built with the public rules: 3 entrants, 2 winners, so at most one backfill.
		const seed = fromHex("11".repeat(32));
		const ids = ["ent_a", "ent_b", "ent_c"];
		const order = rank(seed, ids);
		const honest: DrawProof = {
			drawId: "draw_test",
			algorithm: "fanfare-edge/draw-v1",
			commitment: commitmentOf(seed),
			entryCount: 3,
			merkleRoot: merkleRoot(ids),
			seed: hex(seed),
			winnerCount: 2,
			winners: order.slice(0, 2),
			backfills: [order[2]],
		};
		expect(verifyDraw(honest, ids).ok).toBe(true);
		const invented = { ...honest, backfills: [order[2], "ent_invented"] };
		const winnerTwice = { ...honest, backfills: [order[2], order[0]] };
		expect(
			{ invented: verifyDraw(invented, ids).ok, winnerTwice: verifyDraw(winnerTwice, ids).ok },
			"more backfills than entrants left in the ranking must not verify",
		).toEqual({ invented: false, winnerTwice: false });
	});
});
