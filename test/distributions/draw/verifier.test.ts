/**
 * The draw-v2 verifier (verifyDraw, src/distributions/draw/verify.ts) against a real draw run
 * through the API — 30 entries with withdrawals and a re-entry, 5 winners, claims, expiries and
 * backfills — on the local dev beacon, with public material only (proof, public log, JWKS) and
 * the entrants' receipts; then every kind of tampering, each of which must fail a named check:
 * the red team's attacks (c) a record dropped or reordered server-side, (d) a changed beacon value,
 * a wrong round or a forged signature, and altered winners, seals and receipts.
 *
 * The CLI (scripts/verify-draw.ts) is a thin wrapper around verifyDraw (fetch or read the three
 * documents, print the checks); workerd has no node:fs or child processes, so it is not run here.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { rank, rankedSet, rankingKey } from "../../../src/distributions/draw/fairness";
import {
	type DrawProof,
	type HeldReceipt,
	type PublishedLog,
	verifyDraw,
} from "../../../src/distributions/draw/verify";
import type { JwksCache } from "../../../src/sdk/admission";
import { claim } from "../../support/admissions";
import {
	consumerDraw,
	enterAll,
	jwksKeys,
	logOf,
	proofOf,
	type ReceiptJson,
	runClaimsAt,
	shortDraw,
	stateOf,
	waitDrawn,
} from "../../support/draw";
import { guests, tenant } from "../../support/helpers";

let drawId: string;
let proof: DrawProof & { status: string; drawnAt: string };
let log: PublishedLog;
let keys: JwksCache;
let receipts: ReceiptJson[];
let ranked: string[];

const verify = (p: DrawProof, l: PublishedLog, held: HeldReceipt[] = receipts) =>
	verifyDraw(p, l, { keys, receipts: held });
const failedChecks = async (p: DrawProof, l: PublishedLog, held?: HeldReceipt[]) => {
	const result = await verify(p, l, held);
	return { ok: result.ok, failed: result.checks.filter((c) => !c.ok).map((c) => c.name) };
};
const cloneProof = () => structuredClone(proof) as DrawProof;
const cloneLog = () => structuredClone(log);
/** The receipts in log order: the shoppers entered concurrently, so their order is not the log's. */
const inLogOrder = () => [...receipts].sort((a, b) => a.seq - b.seq);
/** Flips the last hex digit. */
const flip = (h: string) => h.slice(0, -1) + (h.endsWith("0") ? "1" : "0");

beforeAll(async () => {
	const t = await tenant();
	keys = await jwksKeys();
	const shoppers = await guests(t, 32);
	const d = await shortDraw(t, { winnerCount: 5, backfill: true, claimWindowSeconds: 60 }, 2500, 3500);
	drawId = d.id;
	await enterAll(t, d.id, shoppers.slice(0, 30));
	// Two withdraw; one of them comes back (a second `enter` record, a second receipt).
	for (const s of shoppers.slice(28, 30)) expect((await consumerDraw(t, d.id, "leave", s)).status).toBe(200);
	expect((await consumerDraw(t, d.id, "enter", shoppers[29])).status).toBe(200);
	await waitDrawn(t, d.id, 9000);
	const states = await Promise.all(shoppers.slice(0, 30).map((s) => stateOf(t, d.id, s)));
	receipts = states.map((s) => s.receipt);
	const byEntry = new Map(states.map((s, i) => [s.receipt.entryId, shoppers[i]]));
	const drawn = await proofOf(t, d.id);
	log = await logOf(t, d.id);
	ranked = rank(rankingKey(d.id, drawn.seal.root, drawn.beacon.randomness), rankedSet(log.records));

	// Two winners claim, three let their window pass: three backfills follow the ranking.
	for (const id of ranked.slice(0, 2)) {
		const st = await stateOf(t, d.id, byEntry.get(id) as (typeof shoppers)[number]);
		expect((await claim(t, st.admissionToken as string)).status).toBe(200);
	}
	await runClaimsAt(d.id, Date.parse(drawn.drawnAt) + 61_000);
	proof = await proofOf(t, d.id);
}, 40_000);

describe("a real draw", () => {
	it("is verified with public material and every entrant's receipt, every check passing", async () => {
		expect(log.sealed).toBe(true);
		// rules + 30 enters + 2 withdrawals + 1 re-entry.
		expect(log.records).toHaveLength(34);
		expect(log.records.filter((r) => r.type === "withdraw")).toHaveLength(2);
		expect(rankedSet(log.records)).toHaveLength(29);
		expect(proof.winners).toEqual(ranked.slice(0, 5));
		expect(proof.backfills).toEqual(ranked.slice(5, 8));
		expect(proof.chain.dev).toBe(true);
		const result = await verify(proof, log);
		expect(result.checks.filter((c) => !c.ok)).toEqual([]);
		expect(result.ok).toBe(true);
		expect(result.devChain).toBe(true);
		const names = result.checks.map((c) => c.name);
		for (const name of ["beacon signature", "R fixed before the seal", "log root", "seal signature", "winners"]) {
			expect(names).toContain(name);
		}
		expect(names.filter((n) => n.endsWith("inclusion in the seal"))).toHaveLength(30);
	});

	it("is verified from the JSON a user would download", async () => {
		const p = JSON.parse(JSON.stringify(proof));
		const l = JSON.parse(JSON.stringify(log));
		expect((await verify(p, l, JSON.parse(JSON.stringify(receipts)))).ok).toBe(true);
	});

	it("is another organization's draw to no one else: its log is 404 under another key", async () => {
		const t = await tenant();
		const res = await consumerDraw(t, drawId, `log/proof?size=${log.size}&seq=1`);
		expect(res.status).toBe(404);
	});
});

describe("tampering is rejected", () => {
	it("(c) an entry dropped from the log server-side: the entrant's receipt fails", async () => {
		const victim = receipts[3];
		const l = cloneLog();
		l.records.splice(victim.seq, 1);
		const { ok, failed } = await failedChecks(cloneProof(), l, [victim]);
		expect(ok).toBe(false);
		expect(failed).toEqual(expect.arrayContaining(["log size", "log root", `receipt ${victim.entryId}: record`]));
	});

	it("(c) a rewritten history re-sealed by the server: every earlier receipt catches it", async () => {
		// The server drops an entry and seals the shorter log honestly: its root and seal match...
		const [victim, later] = [inLogOrder()[5], inLogOrder()[7]];
		const l = cloneLog();
		l.records.splice(victim.seq, 1);
		const { MemoryTree, leafHash } = await import("../../../src/distributions/draw/transparency");
		const { encodeRecord } = await import("../../../src/distributions/draw/fairness");
		const { hex, utf8 } = await import("../../../src/lib/sha256");
		const tree = new MemoryTree();
		for (const r of l.records) tree.append(leafHash(utf8(encodeRecord(r))));
		const p = cloneProof();
		p.seal = { ...(p.seal as NonNullable<DrawProof["seal"]>), size: tree.size, root: hex(tree.root()) };
		// ...but its signature is over the old root, and any receipt from before the drop fails.
		const { failed } = await failedChecks(p, l, [later]);
		expect(failed).toEqual(
			expect.arrayContaining(["seal signature", `receipt ${later.entryId}: log root at ${later.size}`]),
		);
	});

	it("(c) two records reordered", async () => {
		const l = cloneLog();
		[l.records[2], l.records[3]] = [l.records[3], l.records[2]];
		// A receipt whose log prefix holds the moved record.
		const held = inLogOrder().find((r) => r.size >= 3) as ReceiptJson;
		const { failed } = await failedChecks(cloneProof(), l, [held]);
		expect(failed).toEqual(expect.arrayContaining(["log root", `receipt ${held.entryId}: log root at ${held.size}`]));
	});

	it("(c) a back-filled entry (added before the seal)", async () => {
		const l = cloneLog();
		l.records.splice(10, 0, { type: "enter", entryId: "ent_backfilled", at: Date.now() });
		const { failed } = await failedChecks(cloneProof(), l);
		expect(failed).toEqual(expect.arrayContaining(["log size", "log root"]));
	});

	it("a record with a field added or mistyped is not canonical", async () => {
		const added = cloneLog();
		added.records[1] = { ...added.records[1], note: "x" } as unknown as (typeof added.records)[number];
		expect((await failedChecks(cloneProof(), added, [])).failed).toEqual(["log records"]);
		const mistyped = cloneLog();
		mistyped.records[2] = {
			...mistyped.records[2],
			at: String(mistyped.records[2].at),
		} as unknown as (typeof mistyped.records)[number];
		expect((await failedChecks(cloneProof(), mistyped, [])).failed).toContain("log records");
	});

	it("(d) a changed beacon value", async () => {
		const p = cloneProof();
		p.beacon = { ...(p.beacon as NonNullable<DrawProof["beacon"]>), randomness: flip(p.beacon?.randomness as string) };
		expect((await failedChecks(p, cloneLog())).failed).toContain("beacon signature");
	});

	it("(d) a wrong round (another round's genuine signature)", async () => {
		const p = cloneProof();
		p.beacon = { ...(p.beacon as NonNullable<DrawProof["beacon"]>), round: (p.beacon?.round as number) + 1 };
		const { failed } = await failedChecks(p, cloneLog());
		expect(failed).toEqual(expect.arrayContaining(["beacon round", "beacon signature"]));
	});

	it("(d) a forged signature (one flipped byte)", async () => {
		const p = cloneProof();
		p.beacon = { ...(p.beacon as NonNullable<DrawProof["beacon"]>), signature: flip(p.beacon?.signature as string) };
		expect((await failedChecks(p, cloneLog())).failed).toContain("beacon signature");
	});

	it("a dev chain passed off as quicknet", async () => {
		const p = cloneProof();
		p.chain = { ...p.chain, dev: false };
		expect((await failedChecks(p, cloneLog())).failed).toContain("beacon chain");
	});

	it("R moved after the seal, or a seal later than R's time", async () => {
		const p = cloneProof();
		p.seal = { ...(p.seal as NonNullable<DrawProof["seal"]>), round: (p.seal?.round as number) - 1000 };
		const { failed } = await failedChecks(p, cloneLog());
		expect(failed).toEqual(expect.arrayContaining(["R in the log", "R fixed before the seal", "seal signature"]));
	});

	it("a seal time moved earlier than the one signed (to pass R fixed before the seal)", async () => {
		const p = cloneProof();
		const seal = p.seal as NonNullable<DrawProof["seal"]>;
		p.seal = { ...seal, sealedAt: new Date(Date.parse(seal.sealedAt) - 3_600_000).toISOString() };
		const { failed } = await failedChecks(p, cloneLog());
		expect(failed).toEqual(["seal signature"]);
	});

	it("swapped, replaced or reordered winners, and altered backfills", async () => {
		for (const change of [
			(w: string[]) => [w[1], w[0], ...w.slice(2)],
			(w: string[]) => [...w.slice(0, 4), ranked[20]],
			(w: string[]) => w.slice(0, 4),
		]) {
			const p = cloneProof();
			p.winners = change(p.winners);
			expect((await failedChecks(p, cloneLog())).failed).toEqual(["winners"]);
		}
		const p = cloneProof();
		p.backfills = [...p.backfills].reverse();
		expect((await failedChecks(p, cloneLog())).failed).toEqual(["backfills"]);
	});

	it("a receipt with an altered field, or a forged signature", async () => {
		const r = receipts[4];
		const bad = [
			{ ...r, root: flip(r.root) },
			{ ...r, seq: r.seq + 1 },
			// One character in the middle of the Ed25519 signature changed (always a different one).
			{ ...r, signature: r.signature.replace(/.(?=.{20}$)/, (ch) => (ch === "A" ? "B" : "A")) },
		];
		for (const receipt of bad) {
			const { ok, failed } = await failedChecks(cloneProof(), cloneLog(), [receipt]);
			expect(ok, JSON.stringify({ receipt, failed })).toBe(false);
		}
	});

	it("an inclusion or consistency proof altered", async () => {
		const r = structuredClone(receipts[9]);
		const s = r.sealed as NonNullable<ReceiptJson["sealed"]>;
		s.inclusionProof[0] = flip(s.inclusionProof[0]);
		s.consistencyProof[0] = flip(s.consistencyProof[0]);
		const { failed } = await failedChecks(cloneProof(), cloneLog(), [r]);
		expect(failed).toEqual([
			`receipt ${r.entryId}: consistency ${r.size} → ${s.size}`,
			`receipt ${r.entryId}: inclusion in the seal`,
		]);
	});

	it("a failed check says what was expected and what was found", async () => {
		const p = cloneProof();
		p.winners = [...p.winners].reverse();
		const result = await verify(p, cloneLog(), []);
		const winners = result.checks.find((c) => c.name === "winners");
		expect(winners?.expected).toContain(ranked[0]);
		expect(winners?.found).toContain(ranked[4]);
	});
});
