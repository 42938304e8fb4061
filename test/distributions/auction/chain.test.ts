/**
 * The auction-v2 log without the runtime (logs built as the object builds them, test/support/auction-log.ts):
 * - the genesis commits to the algorithm, the auction, the rules and the times: changing a rule there
 *   breaks the genesis hash; re-hashing it breaks the match with the revealed rules; a history
 *   rewritten consistently throughout verifies on its own, and fails against any head a bidder holds;
 * - maxima are commitments while the auction runs and verify once revealed; a tampered reveal (a
 *   maximum, a salt, the reserve) fails;
 * - times: soft-close extensions are replayed (a missing, forged or moved one fails), a merchant's
 *   time change is followed, a bid after the close it set fails;
 * - the SDK's WebCrypto checks (src/sdk/auction-log.ts) agree with the verifier on chain and commitments.
 */
import { describe, expect, it } from "vitest";
import { chainHash, commit, genesisHash, type LogEntry } from "../../../src/distributions/auction/log";
import type { AuctionRules } from "../../../src/distributions/auction/rules";
import { type AuctionLog, verifyAuction } from "../../../src/distributions/auction/verify";
import { checkAuctionLog, headProblem } from "../../../src/sdk/auction-log";
import { buildLog, rechain, T0 } from "../../support/auction-log";

const RULES: AuctionRules = { startingBid: 1000, minimumIncrement: 100, reservePrice: 5000, buyNowPrice: null };
const BIDS = [
	{ bidder: "a", amount: 1000, maxAmount: 4000 },
	{ bidder: "b", amount: 1500 },
	{ bidder: "c", amount: 1700, maxAmount: 6000 },
	{ bidder: "b", amount: 5100 },
];

/** Every head a bidder could hold of `log`: one per seq. */
const headsOf = (log: AuctionLog) => log.entries.map((e) => ({ seq: e.seq, headHash: e.hash }));

describe("the genesis commits to the algorithm, the auction, its rules and times", () => {
	it("the first entry links to SHA-256 of the statement, not to a constant", () => {
		const { log } = buildLog(RULES, BIDS);
		expect(log.genesisHash).toBe(genesisHash(log.genesis as never));
		expect(log.entries[0].prevHash).toBe(log.genesisHash);
		expect(log.genesisHash).not.toBe("0".repeat(64));
		expect(verifyAuction(log).problems).toEqual([]);
		// Another auction id or other times: another genesis.
		const other = buildLog(RULES, BIDS, { closeAt: T0 + 7_200_000 }).log;
		expect(other.genesisHash).not.toBe(log.genesisHash);
	});

	it("a rule changed in the genesis fails: the hash, then the revealed rules, then any held head", () => {
		const { log } = buildLog(RULES, BIDS);
		const g = log.genesis as NonNullable<AuctionLog["genesis"]>;
		const changed = { ...g, rules: { ...g.rules, startingBid: 900 } };
		const plain = verifyAuction({ ...log, genesis: changed });
		expect(plain.problems.join("\n")).toMatch(/genesisHash does not match/);
		// Re-hashed and re-chained: the revealed rules no longer match what the genesis says.
		const rehashed = { ...log, genesis: changed, genesisHash: genesisHash(changed) };
		const relinked = { ...rehashed, entries: rechain(rehashed, log.entries) };
		expect(verifyAuction(relinked).problems.join("\n")).toMatch(/startingBid is 1000, the genesis says 900/);
		// Rules rewritten everywhere: the history verifies on its own — and not against any head a bidder kept.
		const rewritten = { ...relinked, rules: { ...(log.rules as AuctionRules), startingBid: 900 } };
		expect(verifyAuction(rewritten).problems).toEqual([]);
		for (const head of headsOf(log)) {
			expect(verifyAuction(rewritten, [head]).problems.join("\n")).toMatch(/not on the published chain/);
		}
		// The soft close is in the statement too.
		const soft = { ...g, rules: { ...g.rules, softCloseSeconds: 30 } };
		expect(genesisHash(soft)).not.toBe(log.genesisHash);
	});

	it("a rewritten amount, re-chained, verifies alone but not with a held head; a cut history neither", () => {
		const { log } = buildLog(RULES, BIDS);
		const entries = rechain(
			log,
			log.entries.map((e) => (e.seq === 1 ? { ...e, amount: 1100 } : e)),
		);
		const rewritten = { ...log, entries };
		expect(verifyAuction(rewritten).problems).toEqual([]);
		for (const head of headsOf(log)) {
			expect(headProblem(rewritten, head)).toMatch(/history was rewritten/);
			expect(verifyAuction(rewritten, [head]).ok).toBe(false);
		}
		const cut = { ...log, entries: log.entries.slice(0, 2) };
		expect(verifyAuction(cut, [headsOf(log).at(-1) as never]).problems.join("\n")).toMatch(/missing/);
		// The honest log holds every head.
		expect(verifyAuction(log, headsOf(log)).problems).toEqual([]);
	});
});

describe("maxima: commitments while open, revealed and checked once settled", () => {
	it("the open log has commitments and no maximum, no salt, no rules", () => {
		const { log } = buildLog(RULES, BIDS, { settled: false });
		for (const e of log.entries) {
			expect(e).not.toHaveProperty("maxAmount");
			expect(e).not.toHaveProperty("salt");
			expect(e.commitment).toEqual(e.kind === "bid" ? expect.stringMatching(/^[0-9a-f]{64}$/) : null);
		}
		expect(log.rules).toBeUndefined();
		// No number anywhere in it is a maximum (4,000 and 6,000).
		const numbers = JSON.stringify(log).match(/(?<=[:,[])\d+(?=[,}\]])/g) ?? [];
		expect(numbers.filter((n) => n === "4000" || n === "6000")).toEqual([]);
		expect(verifyAuction(log, headsOf(log)).problems).toEqual([]);
		// The settled log has the same chain: heads from while it ran stay valid after the reveal.
		const settled = buildLog(RULES, BIDS).log;
		expect(settled.entries.map((e) => e.hash)).toEqual(log.entries.map((e) => e.hash));
		expect(verifyAuction(settled, headsOf(log)).problems).toEqual([]);
	});

	it("a tampered reveal fails: a maximum, a salt, the reserve, its salt", () => {
		const { log } = buildLog(RULES, BIDS);
		const i = log.entries.findIndex((e) => e.kind === "bid" && e.bidder === "c");
		const tamper = (patch: Partial<LogEntry>) => ({
			...log,
			entries: log.entries.map((e, k) => (k === i ? { ...e, ...patch } : e)),
		});
		for (const bad of [tamper({ maxAmount: 5900 }), tamper({ salt: "00".repeat(32) })]) {
			expect(verifyAuction(bad).problems.join("\n")).toMatch(/does not match its commitment/);
		}
		const reserve = { ...log, rules: { ...(log.rules as AuctionRules), reservePrice: 6500 } };
		expect(verifyAuction(reserve).problems.join("\n")).toMatch(/revealed reserve does not match/);
		expect(verifyAuction({ ...log, reserveSalt: "cd".repeat(32) }).ok).toBe(false);
		const unrevealed = tamper({ maxAmount: null, salt: null });
		expect(verifyAuction(unrevealed).problems.join("\n")).toMatch(/maximum not revealed/);
	});

	it("the SDK's WebCrypto checks agree: the honest log passes, each tampering fails", async () => {
		const { log } = buildLog(RULES, BIDS);
		expect((await checkAuctionLog(log)).problems).toEqual([]);
		const i = log.entries.findIndex((e) => e.kind === "bid" && e.bidder === "c");
		const bads: AuctionLog[] = [
			{ ...log, entries: log.entries.map((e, k) => (k === i ? { ...e, maxAmount: 5900 } : e)) },
			{ ...log, entries: log.entries.map((e, k) => (k === i ? { ...e, amount: 1800 } : e)) },
			{ ...log, rules: { ...(log.rules as AuctionRules), reservePrice: 1 } },
			{ ...log, genesis: { ...(log.genesis as NonNullable<AuctionLog["genesis"]>), openAt: 0 } },
		];
		for (const bad of bads) {
			expect((await checkAuctionLog(bad)).ok).toBe(false);
			expect(verifyAuction(bad).ok).toBe(false);
		}
	});
});

describe("times are replayed", () => {
	const soft: AuctionRules = { ...RULES, softCloseSeconds: 60, maxExtensionSeconds: 90 };
	/** Bids in the last minute before a close at T0 + 30 s: the first two change the leader, so they extend (capped at 90 s). */
	const late = () =>
		buildLog(
			soft,
			[
				{ bidder: "a", amount: 1000, at: T0 },
				{ bidder: "b", amount: 1100, at: T0 + 20_000 },
				{ bidder: "b", amount: 1300, at: T0 + 25_000 },
			],
			{ closeAt: T0 + 30_000, settleAt: T0 + 40_000 },
		).log;

	it("a soft-close extension follows each late leader change, as the rules compute it", () => {
		const log = late();
		expect(log.entries.map((e) => `${e.kind}${e.cause ? `:${e.cause}` : ""}`)).toEqual([
			"bid",
			"times:soft_close",
			"bid",
			"times:soft_close",
			"bid",
		]);
		expect(log.entries[3]).toMatchObject({ closeAt: T0 + 80_000, settleAt: T0 + 90_000 });
		expect(verifyAuction(log).problems).toEqual([]);
	});

	it("a missing, forged or moved extension fails, even re-chained", () => {
		const log = late();
		const without = log.entries.filter((_, k) => k !== 3).map((e, k) => ({ ...e, seq: k + 1 }));
		expect(verifyAuction({ ...log, entries: rechain(log, without) }).problems.join("\n")).toMatch(/expected closeAt/);
		const moved = log.entries.map((e, k) => (k === 3 ? { ...e, closeAt: (e.closeAt ?? 0) + 1000 } : e));
		expect(verifyAuction({ ...log, entries: rechain(log, moved) }).ok).toBe(false);
		const forged = { ...log.entries[3], seq: log.entries.length + 1 };
		const extra = rechain(log, [...log.entries, forged]);
		expect(verifyAuction({ ...log, entries: extra }).problems.join("\n")).toMatch(/no bid caused/);
	});

	it("a merchant's time change is followed; a bid after the close it set fails", () => {
		const { log } = buildLog(RULES, BIDS);
		const last = log.entries.at(-1) as LogEntry;
		const change = {
			seq: last.seq + 1,
			kind: "times" as const,
			placedAt: last.placedAt + 1,
			bidder: null,
			amount: null,
			commitment: null,
			closeAt: last.placedAt + 2,
			settleAt: last.placedAt + 2,
			cause: "merchant" as const,
		};
		const entries = [...log.entries, { ...change, prevHash: last.hash, hash: chainHash(last.hash, change) }];
		const moved = { ...log, entries, closeAt: change.closeAt, settleAt: change.settleAt };
		expect(verifyAuction(moved).problems).toEqual([]);
		// The log's own times must be the replay's.
		expect(verifyAuction({ ...moved, closeAt: T0 }).problems.join("\n")).toMatch(/differ from the replay/);
		// A bid placed after the close that change set: refused by the replay.
		const salt = "ef".repeat(32);
		const after = {
			...change,
			seq: change.seq + 1,
			kind: "bid" as const,
			placedAt: change.closeAt + 5,
			bidder: "b",
			amount: 6000,
			commitment: commit(6000, salt),
			closeAt: null,
			settleAt: null,
			cause: null,
			maxAmount: 6000,
			salt,
		};
		const v = verifyAuction({ ...moved, entries: rechain(log, [...entries, { ...after, prevHash: "", hash: "" }]) });
		expect(v.problems.join("\n")).toMatch(/bid placed while the auction was not open/);
	});
});
