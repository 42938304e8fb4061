/**
 * The pure bidding rules (src/distributions/auction/rules.ts) and the log verifier
 * (src/distributions/auction/verify.ts), without the runtime: first-bid minimum, increments, proxy
 * bidding (a lower bid against a higher maximum gets a proxy step and the leader stays),
 * equal maxima (the earlier leads), the reserve reached by proxy, buy-now, and property
 * checks over seeded random bid sequences against an independent oracle that keeps every
 * bidder's maximum (not just the two the rules keep). Logs built from the rules the way the
 * auction object builds them verify; any tampering does not.
 */
import { describe, expect, it } from "vitest";
import {
	type AuctionRules,
	type AuctionState,
	type BidOutcome,
	buyNow,
	buyNowAvailable,
	emptyState,
	FROZEN_AT_FIRST_BID,
	frozenChanges,
	minimumNextBid,
	placeBid,
	reserveMet,
} from "../../../src/distributions/auction/rules";
import { verifyAuction } from "../../../src/distributions/auction/verify";
import { buildLog, rechain } from "../../support/auction-log";
import { mulberry32 } from "../../support/random";

const RULES: AuctionRules = { startingBid: 1000, minimumIncrement: 100, reservePrice: null, buyNowPrice: null };

function accepted(outcome: BidOutcome): Extract<BidOutcome, { ok: true }> {
	if (!outcome.ok) throw new Error(`expected the bid to be accepted, got ${JSON.stringify(outcome)}`);
	return outcome;
}

/** Applies bids one after the other (seq = 1, 2, …, as the object numbers them), all expected to be accepted. */
function run(rules: AuctionRules, bids: { bidder: string; amount: number; maxAmount?: number }[]): AuctionState {
	let state = emptyState();
	let seq = 1;
	for (const b of bids) {
		const out = accepted(placeBid(state, rules, { ...b, seq }));
		seq += out.steps.length;
		state = out.state;
	}
	return state;
}

describe("first bid and increments", () => {
	it("the first bid must be at least startingBid; the minimum is reported", () => {
		const low = placeBid(emptyState(), RULES, { bidder: "a", amount: 999, seq: 1 });
		expect(low).toEqual({ ok: false, reason: "too_low", minimumNextBid: 1000 });
		expect(minimumNextBid(emptyState(), RULES)).toBe(1000);
		const first = accepted(placeBid(emptyState(), RULES, { bidder: "a", amount: 1000, seq: 1 }));
		expect(first.state.price).toBe(1000);
		expect(first.state.leader?.id).toBe("a");
		expect(first.state.bidCount).toBe(1);
		expect(first.steps).toEqual([{ bidder: "a", amount: 1000, kind: "bid" }]);
		expect(first.previousLeader).toBeNull();
	});

	it("a first bid above startingBid sets the price to the bid itself", () => {
		const first = accepted(placeBid(emptyState(), RULES, { bidder: "a", amount: 1750, seq: 1 }));
		expect(first.state.price).toBe(1750);
		expect(minimumNextBid(first.state, RULES)).toBe(1850);
	});

	it("later bids must be at least price + minimumIncrement", () => {
		const s = run(RULES, [{ bidder: "a", amount: 1000 }]);
		expect(minimumNextBid(s, RULES)).toBe(1100);
		expect(placeBid(s, RULES, { bidder: "b", amount: 1099, seq: 2 })).toEqual({
			ok: false,
			reason: "too_low",
			minimumNextBid: 1100,
		});
		const ok = accepted(placeBid(s, RULES, { bidder: "b", amount: 1100, seq: 2 }));
		expect(ok.state.leader?.id).toBe("b");
		expect(ok.state.runnerUp?.id).toBe("a");
		expect(ok.state.price).toBe(1100);
		expect(ok.steps).toEqual([{ bidder: "b", amount: 1100, kind: "bid" }]);
		expect(ok.previousLeader).toBe("a");
	});

	it("a rejected bid leaves the state untouched", () => {
		const s = run(RULES, [{ bidder: "a", amount: 1000, maxAmount: 3000 }]);
		const before = JSON.stringify(s);
		placeBid(s, RULES, { bidder: "b", amount: 500, seq: 2 });
		expect(JSON.stringify(s)).toBe(before);
	});
});

describe("proxy bidding", () => {
	it("outbid by proxy: a lower bid against a higher maximum gets a proxy step and the leader stays", () => {
		const s = run(RULES, [{ bidder: "a", amount: 1000, maxAmount: 5000 }]);
		expect(s.price).toBe(1000);
		const out = accepted(placeBid(s, RULES, { bidder: "b", amount: 2000, seq: 2 }));
		expect(out.state.leader?.id).toBe("a");
		expect(out.state.runnerUp?.id).toBe("b");
		expect(out.state.price).toBe(2100);
		expect(out.steps).toEqual([
			{ bidder: "b", amount: 2000, kind: "bid" },
			{ bidder: "a", amount: 2100, kind: "proxy" },
		]);
		expect(out.previousLeader).toBe("a");
	});

	it("the price is capped by the leader's maximum when the runner-up comes within one increment", () => {
		const s = run(RULES, [
			{ bidder: "a", amount: 1000, maxAmount: 2050 },
			{ bidder: "b", amount: 2000 },
		]);
		expect(s.leader?.id).toBe("a");
		expect(s.price).toBe(2050);
	});

	it("a higher maximum takes the lead at the old maximum plus the increment", () => {
		const s = run(RULES, [
			{ bidder: "a", amount: 1000, maxAmount: 3000 },
			{ bidder: "b", amount: 1100, maxAmount: 8000 },
		]);
		expect(s.leader?.id).toBe("b");
		expect(s.runnerUp?.id).toBe("a");
		expect(s.price).toBe(3100);
	});

	it("equal maxima: the earlier bidder leads, at that maximum", () => {
		const s = run(RULES, [{ bidder: "a", amount: 1000, maxAmount: 3000 }]);
		const out = accepted(placeBid(s, RULES, { bidder: "b", amount: 3000, seq: 2 }));
		expect(out.state.leader?.id).toBe("a");
		expect(out.state.price).toBe(3000);
		expect(out.steps).toEqual([
			{ bidder: "b", amount: 3000, kind: "bid" },
			{ bidder: "a", amount: 3000, kind: "proxy" },
		]);
		// The other way round: b set the maximum first, a matches it later and stays behind.
		const s2 = run(RULES, [
			{ bidder: "b", amount: 1000, maxAmount: 3000 },
			{ bidder: "a", amount: 1100, maxAmount: 3000 },
		]);
		expect(s2.leader?.id).toBe("b");
		expect(s2.price).toBe(3000);
	});

	it("re-bidding within one's maximum keeps one's place; raising it takes a new place", () => {
		const s = run(RULES, [
			{ bidder: "a", amount: 1000, maxAmount: 5000 },
			{ bidder: "b", amount: 1100, maxAmount: 3000 },
		]);
		expect(s.leader?.id).toBe("a");
		expect(s.price).toBe(3100);
		// a confirms its maximum with a higher explicit bid: same maximum, same place (since = seq 1).
		const again = accepted(placeBid(s, RULES, { bidder: "a", amount: 3200, maxAmount: 5000, seq: 4 }));
		expect(again.state.leader?.id).toBe("a");
		expect(again.state.leader?.since).toBe(1);
		expect(again.state.leader?.max).toBe(5000);
		expect(again.state.price).toBe(3200);
		// A later equal maximum stays behind a.
		const tie = accepted(placeBid(again.state, RULES, { bidder: "c", amount: 3300, maxAmount: 5000, seq: 5 }));
		expect(tie.state.leader?.id).toBe("a");
		expect(tie.state.price).toBe(5000);
		// b raises past a: leads at a's maximum + increment, with a new place.
		const raised = accepted(placeBid(s, RULES, { bidder: "b", amount: 3200, maxAmount: 6000, seq: 4 }));
		expect(raised.state.leader?.id).toBe("b");
		expect(raised.state.leader?.since).toBe(4);
		expect(raised.state.price).toBe(5100);
	});

	it("the price never drops below the leader's own explicit bid", () => {
		// a bids high explicitly with nobody close: the price is a's bid, not the runner-up's max + increment.
		const s = run(RULES, [
			{ bidder: "b", amount: 1000 },
			{ bidder: "a", amount: 4000 },
		]);
		expect(s.leader?.id).toBe("a");
		expect(s.price).toBe(4000);
	});

	it("a leader raising its own maximum does not raise the price", () => {
		const s = run(RULES, [
			{ bidder: "b", amount: 1000 },
			{ bidder: "a", amount: 1100, maxAmount: 2000 },
		]);
		expect(s.price).toBe(1100);
		const out = accepted(placeBid(s, RULES, { bidder: "a", amount: 1200, maxAmount: 9000, seq: 3 }));
		expect(out.state.leader?.id).toBe("a");
		expect(out.state.leader?.max).toBe(9000);
		expect(out.state.price).toBe(1200);
		expect(out.previousLeader).toBe("a");
	});
});

describe("reserve", () => {
	const rules: AuctionRules = { ...RULES, reservePrice: 4000 };

	it("the price jumps to the reserve as soon as the leader's maximum reaches it", () => {
		const out = accepted(placeBid(emptyState(), rules, { bidder: "a", amount: 1000, maxAmount: 5000, seq: 1 }));
		expect(out.state.price).toBe(4000);
		expect(reserveMet(out.state, rules)).toBe(true);
		expect(out.steps).toEqual([
			{ bidder: "a", amount: 1000, kind: "bid" },
			{ bidder: "a", amount: 4000, kind: "proxy" },
		]);
	});

	it("a maximum below the reserve leaves it unmet; a later maximum reaching it (by proxy) meets it", () => {
		const s = run(rules, [{ bidder: "a", amount: 1000, maxAmount: 3000 }]);
		expect(s.price).toBe(1000);
		expect(reserveMet(s, rules)).toBe(false);
		const out = accepted(placeBid(s, rules, { bidder: "b", amount: 1100, maxAmount: 4500, seq: 2 }));
		expect(out.state.leader?.id).toBe("b");
		expect(out.state.price).toBe(4000);
		expect(reserveMet(out.state, rules)).toBe(true);
	});

	it("a maximum exactly at the reserve meets it; the price never exceeds the leader's maximum", () => {
		const s = run(rules, [{ bidder: "a", amount: 1000, maxAmount: 4000 }]);
		expect(s.price).toBe(4000);
		expect(reserveMet(s, rules)).toBe(true);
	});

	it("no bids: reserve not met (nor with no reserve at all)", () => {
		expect(reserveMet(emptyState(), rules)).toBe(false);
		expect(reserveMet(emptyState(), RULES)).toBe(false);
		expect(reserveMet(run(RULES, [{ bidder: "a", amount: 1000 }]), RULES)).toBe(true);
	});
});

describe("buy-now", () => {
	const rules: AuctionRules = { ...RULES, reservePrice: 3000, buyNowPrice: 5000 };

	it("is available while the price is below buyNowPrice, and wins at once at buyNowPrice", () => {
		expect(buyNowAvailable(emptyState(), rules)).toBe(true);
		expect(buyNowAvailable(emptyState(), RULES)).toBe(false);
		const s = run(rules, [{ bidder: "a", amount: 1000, maxAmount: 2000 }]);
		expect(buyNowAvailable(s, rules)).toBe(true);
		const out = accepted(buyNow(s, rules, "b"));
		expect(out.state.leader?.id).toBe("b");
		expect(out.state.price).toBe(5000);
		expect(out.state.boughtNow).toBe(true);
		expect(out.state.bidCount).toBe(2);
		expect(out.steps).toEqual([{ bidder: "b", amount: 5000, kind: "buy_now" }]);
		expect(out.previousLeader).toBe("a");
		expect(reserveMet(out.state, rules)).toBe(true);
		// Once bought, it is gone.
		expect(buyNowAvailable(out.state, rules)).toBe(false);
		expect(buyNow(out.state, rules, "c")).toMatchObject({ ok: false, reason: "buy_now_unavailable" });
	});

	it("without a buyNowPrice it is refused", () => {
		expect(buyNow(emptyState(), RULES, "a")).toMatchObject({ ok: false, reason: "buy_now_unavailable" });
	});

	it("a bid at or above buyNowPrice counts as buy-now, at buyNowPrice", () => {
		for (const amount of [5000, 7300]) {
			const s = run(rules, [{ bidder: "a", amount: 1000 }]);
			const out = accepted(placeBid(s, rules, { bidder: "b", amount, seq: 2 }));
			expect(out.steps).toEqual([{ bidder: "b", amount: 5000, kind: "buy_now" }]);
			expect(out.state.boughtNow).toBe(true);
			expect(out.state.price).toBe(5000);
			expect(out.state.leader?.id).toBe("b");
		}
		// Even as the first bid.
		const first = accepted(placeBid(emptyState(), rules, { bidder: "a", amount: 5000, seq: 1 }));
		expect(first.state.boughtNow).toBe(true);
	});

	it("once proxy bidding has carried the price past buyNowPrice, a higher bid is an ordinary bid", () => {
		// a's maximum (9000) and b's (6000) are both above buyNowPrice, their explicit bids below it:
		// the proxy carries the price to 6100 — past buyNowPrice, so buy-now is no longer available.
		const s = run(rules, [
			{ bidder: "a", amount: 1000, maxAmount: 9000 },
			{ bidder: "b", amount: 4000, maxAmount: 6000 },
		]);
		expect(s.price).toBe(6100);
		expect(buyNowAvailable(s, rules)).toBe(false);
		expect(minimumNextBid(s, rules)).toBe(6200);
		// c bids the minimum next bid. "While price < buyNowPrice … a bid ≥ buyNowPrice counts as
		// buy-now": buy-now is over, so this must be an ordinary bid (b is outbid by proxy, a stays
		// ahead at 6300). Otherwise no bid can ever be placed again: every valid bid is ≥ 6200 > 5000.
		const out = placeBid(s, rules, { bidder: "c", amount: 6200, seq: 4 });
		expect(out.ok, JSON.stringify(out)).toBe(true);
		if (out.ok) {
			expect(out.state.leader?.id).toBe("a");
			expect(out.state.price).toBe(6300);
		}
	});
});

// ── properties over random bid sequences ─────────────────────────────────────

interface OracleBidder {
	max: number;
	explicit: number;
	since: number;
}

/**
 * An independent model of the rules that remembers every bidder (the rules keep only two):
 * the leader is the highest maximum, earliest on ties; the price is
 * min(leader max, max(runner-up max + increment, leader's explicit bid, reserve if reachable)).
 */
class Oracle {
	bidders = new Map<string, OracleBidder>();
	price = 0;
	constructor(readonly rules: AuctionRules) {}

	ranked(): [string, OracleBidder][] {
		return [...this.bidders.entries()].sort(([, a], [, b]) => b.max - a.max || a.since - b.since);
	}

	minimum(): number {
		return this.bidders.size ? this.price + this.rules.minimumIncrement : this.rules.startingBid;
	}

	bid(id: string, amount: number, maxAmount: number | null, seq: number): boolean {
		if (amount < this.minimum()) return false;
		const requested = Math.max(amount, maxAmount ?? amount);
		const own = this.bidders.get(id);
		if (own && own.max >= requested) own.explicit = amount;
		else this.bidders.set(id, { max: requested, explicit: amount, since: seq });
		const [[, leader], second] = this.ranked();
		let price = second ? second[1].max + this.rules.minimumIncrement : leader.explicit;
		price = Math.max(price, leader.explicit);
		if (this.rules.reservePrice != null && leader.max >= this.rules.reservePrice) {
			price = Math.max(price, this.rules.reservePrice);
		}
		this.price = Math.min(price, leader.max);
		return true;
	}
}

function randomBids(seed: number, n: number, bidders: number, rules: AuctionRules) {
	const rnd = mulberry32(seed);
	const bids: { bidder: string; amount: number; maxAmount?: number }[] = [];
	// The amounts follow a rough running estimate of the price, so both refusals and acceptances happen.
	let estimate = rules.startingBid;
	for (let i = 0; i < n; i++) {
		const bidder = `bidder_${Math.floor(rnd() * bidders)}`;
		const inc = rules.minimumIncrement;
		const amount = Math.max(0, estimate + Math.floor((rnd() * 6 - 2) * inc) + Math.floor(rnd() * 100));
		const withMax = rnd() < 0.4;
		const maxAmount = withMax ? amount + Math.floor(rnd() * 20) * inc + Math.floor(rnd() * inc) : undefined;
		bids.push({ bidder, amount, maxAmount });
		estimate = Math.max(estimate, amount);
	}
	return bids;
}

describe("properties over seeded random bid sequences", () => {
	const ruleSets: [string, AuctionRules][] = [
		["no reserve", RULES],
		["reserve", { ...RULES, reservePrice: 6000 }],
		["odd increment", { startingBid: 1, minimumIncrement: 37, reservePrice: 2500, buyNowPrice: null }],
	];

	for (const [label, rules] of ruleSets) {
		it(`${label}: price ≤ leader's max, ≥ runner-up's max, monotonic; matches the all-bidders oracle`, () => {
			let acceptedCount = 0;
			let refused = 0;
			for (let seed = 1; seed <= 60; seed++) {
				const bids = randomBids(seed * 7919, 120, 2 + (seed % 9), rules);
				const oracle = new Oracle(rules);
				let state = emptyState();
				let seq = 1;
				let seedAccepted = 0;
				for (const [i, b] of bids.entries()) {
					const where = `seed ${seed}, bid ${i} ${JSON.stringify(b)}`;
					const before = state.price;
					const out = placeBid(state, rules, { ...b, maxAmount: b.maxAmount ?? null, seq });
					const oracleOk = oracle.bid(b.bidder, b.amount, b.maxAmount ?? null, seq);
					expect(out.ok, where).toBe(oracleOk);
					if (!out.ok) {
						refused++;
						expect(out.reason, where).toBe("too_low");
						expect(out.minimumNextBid, where).toBe(minimumNextBid(state, rules));
						expect(b.amount, where).toBeLessThan(out.minimumNextBid);
						continue;
					}
					acceptedCount++;
					seedAccepted++;
					seq += out.steps.length;
					state = out.state;
					const { leader, runnerUp, price } = state;
					if (!leader) throw new Error(`no leader after an accepted bid (${where})`);
					expect(price, `price ≤ leader's max (${where})`).toBeLessThanOrEqual(leader.max);
					if (runnerUp) {
						expect(leader.max, where).toBeGreaterThanOrEqual(runnerUp.max);
						expect(price, `price ≥ runner-up's max (${where})`).toBeGreaterThanOrEqual(runnerUp.max);
						expect(price, `price ≤ runner-up's max + inc unless the leader's bid/reserve says so (${where})`).toBe(
							Math.min(
								leader.max,
								Math.max(
									runnerUp.max + rules.minimumIncrement,
									leader.explicit,
									rules.reservePrice != null && leader.max >= rules.reservePrice ? rules.reservePrice : 0,
								),
							),
						);
					}
					expect(price, `price never decreases (${where})`).toBeGreaterThanOrEqual(before);
					expect(price, where).toBeGreaterThanOrEqual(leader.explicit);
					if (rules.reservePrice != null && leader.max >= rules.reservePrice) {
						expect(price, `reserve reached (${where})`).toBeGreaterThanOrEqual(rules.reservePrice);
					}
					// The oracle, which keeps every bidder, agrees on the leader, runner-up and price.
					const ranked = oracle.ranked();
					expect(leader.id, `leader (${where})`).toBe(ranked[0][0]);
					expect(leader.max, where).toBe(ranked[0][1].max);
					expect(runnerUp?.id ?? null, `runner-up (${where})`).toBe(ranked[1]?.[0] ?? null);
					expect(price, `price (${where})`).toBe(oracle.price);
					expect(state.bidCount, where).toBe(seedAccepted);
					// The steps: the explicit bid first, then the leader's proxy step at the new price if it differs.
					expect(out.steps[0], where).toEqual({ bidder: b.bidder, amount: b.amount, kind: "bid" });
					if (out.steps.length === 2)
						expect(out.steps[1], where).toEqual({ bidder: leader.id, amount: price, kind: "proxy" });
					else expect(leader.id === b.bidder && price === b.amount, where).toBe(true);
				}
			}
			// The generator produced a real mix.
			expect(acceptedCount).toBeGreaterThan(1000);
			expect(refused).toBeGreaterThan(300);
		});
	}

	it("bidCount counts accepted explicit bids only", () => {
		const bids = randomBids(42, 200, 6, RULES);
		let state = emptyState();
		let n = 0;
		let seq = 1;
		for (const b of bids) {
			const out = placeBid(state, RULES, { ...b, seq });
			if (!out.ok) continue;
			n++;
			seq += out.steps.length;
			state = out.state;
		}
		expect(state.bidCount).toBe(n);
	});
});

// ── the verifier ─────────────────────────────────────────────────────────────

describe("verifyAuction", () => {
	const rules: AuctionRules = { ...RULES, reservePrice: 5000 };

	/** A log with proxy steps in it, reserve met: a wins by proxy. */
	function sampleLog() {
		return buildLog(rules, [
			{ bidder: "a", amount: 1000, maxAmount: 4000 },
			{ bidder: "b", amount: 1500 },
			{ bidder: "c", amount: 1700, maxAmount: 6000 },
			{ bidder: "b", amount: 5100 },
			{ bidder: "a", amount: 5300, maxAmount: 7000 },
			{ bidder: "c", amount: 6200 },
		]);
	}

	it("accepts logs built from the rules (hand-made and random, with and without reserve and buy-now)", () => {
		const { log, state } = sampleLog();
		expect(log.entries.some((e) => e.kind === "proxy")).toBe(true);
		expect(log.winner).toBe("a");
		expect(log.finalPrice).toBe(6300);
		expect(log.entries.filter((e) => e.kind !== "proxy")).toHaveLength(6);
		const result = verifyAuction(log);
		expect(result.problems).toEqual([]);
		expect(result.ok).toBe(true);
		expect(result.replayed).toEqual(state);

		for (let seed = 1; seed <= 40; seed++) {
			const r: AuctionRules = {
				...RULES,
				reservePrice: seed % 2 ? 4000 + seed * 100 : null,
				buyNowPrice: seed % 5 === 0 ? 9000 : null,
			};
			const built = buildLog(r, randomBids(seed, 80, 5, r));
			const v = verifyAuction(built.log);
			expect(v.problems, `seed ${seed}`).toEqual([]);
		}
	});

	it("accepts an empty log (no bids, no winner) and a buy-now log", () => {
		expect(verifyAuction(buildLog(rules, []).log).ok).toBe(true);
		const bn = buildLog({ ...rules, buyNowPrice: 8000 }, [
			{ bidder: "a", amount: 1000 },
			{ bidder: "b", amount: 9000 },
		]);
		expect(bn.log.entries.map((e) => e.kind)).toEqual(["bid", "buy_now"]);
		expect(bn.log.winner).toBe("b");
		expect(bn.log.finalPrice).toBe(8000);
		expect(verifyAuction(bn.log).problems).toEqual([]);
	});

	it("reserve not met: no winner, and claiming one is rejected", () => {
		const { log } = buildLog(rules, [
			{ bidder: "a", amount: 1000 },
			{ bidder: "b", amount: 2000 },
		]);
		expect(log.winner).toBeNull();
		expect(log.reserveMet).toBe(false);
		expect(verifyAuction(log).ok).toBe(true);
		expect(verifyAuction({ ...log, winner: "b" }).ok).toBe(false);
		expect(verifyAuction({ ...log, reserveMet: true }).ok).toBe(false);
	});

	it("rejects a changed amount (chain broken, and also when re-chained)", () => {
		const { log } = sampleLog();
		const i = log.entries.findIndex((e) => e.kind === "bid" && e.bidder === "b");
		const entries = log.entries.map((e, k) => (k === i ? { ...e, amount: (e.amount ?? 0) + 100 } : e));
		const plain = verifyAuction({ ...log, entries });
		expect(plain.ok).toBe(false);
		expect(plain.problems.join("\n")).toMatch(/hash does not match/);
		const rechained = verifyAuction({ ...log, entries: rechain(log, entries) });
		expect(rechained.ok).toBe(false);
		// A proxy step's amount changed and re-chained: the replay disagrees with it.
		const p = log.entries.findIndex((e) => e.kind === "proxy");
		const proxyChanged = rechain(
			log,
			log.entries.map((e, k) => (k === p ? { ...e, amount: (e.amount ?? 0) - 1 } : e)),
		);
		expect(verifyAuction({ ...log, entries: proxyChanged }).ok).toBe(false);
	});

	it("rejects a removed entry (chain broken, and also when re-chained if it was a proxy step)", () => {
		const { log } = sampleLog();
		for (let i = 0; i < log.entries.length; i++) {
			const entries = log.entries.filter((_, k) => k !== i);
			expect(verifyAuction({ ...log, entries }).ok, `removed entry ${i}`).toBe(false);
		}
		const p = log.entries.findIndex((e) => e.kind === "proxy");
		const rechained = rechain(
			log,
			log.entries.filter((_, k) => k !== p),
		);
		expect(verifyAuction({ ...log, entries: rechained }).ok).toBe(false);
	});

	it("rejects a reordered pair", () => {
		const { log } = sampleLog();
		for (let i = 0; i + 1 < log.entries.length; i++) {
			const entries = [...log.entries];
			[entries[i], entries[i + 1]] = [entries[i + 1], entries[i]];
			expect(verifyAuction({ ...log, entries }).ok, `swapped ${i} and ${i + 1}`).toBe(false);
		}
	});

	it("rejects a changed hash", () => {
		const { log } = sampleLog();
		for (const i of [0, 3, log.entries.length - 1]) {
			const entries = log.entries.map((e, k) =>
				k === i ? { ...e, hash: `${e.hash.slice(0, -1)}${e.hash.endsWith("0") ? "1" : "0"}` } : e,
			);
			expect(verifyAuction({ ...log, entries }).ok, `hash of entry ${i}`).toBe(false);
		}
	});

	it("rejects an injected proxy step, even re-chained", () => {
		const { log } = sampleLog();
		const fake = { ...log.entries[0], kind: "proxy" as const, maxAmount: null, amount: 9999 };
		const entries = rechain(log, [...log.entries, fake]);
		expect(verifyAuction({ ...log, entries }).ok).toBe(false);
	});

	it("rejects a wrong final price, a wrong winner and an unknown algorithm", () => {
		const { log } = sampleLog();
		expect(verifyAuction({ ...log, finalPrice: (log.finalPrice ?? 0) + 1 }).ok).toBe(false);
		expect(verifyAuction({ ...log, finalPrice: null }).ok).toBe(false);
		expect(verifyAuction({ ...log, winner: "c" }).ok).toBe(false);
		expect(verifyAuction({ ...log, winner: null }).ok).toBe(false);
		expect(verifyAuction({ ...log, algorithm: "fanfare-edge/auction-v0" }).ok).toBe(false);
	});

	it("rejects a bid that broke the rules (too low), even with a valid chain", () => {
		const { log } = sampleLog();
		// b's second bid (5100) lowered below the minimum at that point (5100), re-chained.
		const i = log.entries.findIndex((e) => e.kind === "bid" && e.bidder === "b" && e.amount === 5100);
		expect(i).toBeGreaterThan(0);
		const entries = rechain(
			log,
			log.entries.map((e, k) => (k === i ? { ...e, amount: 1100, maxAmount: 1100 } : e)),
		);
		const v = verifyAuction({ ...log, entries });
		expect(v.ok).toBe(false);
		expect(v.problems.join("\n")).toMatch(/too_low/);
	});
});

describe("rules frozen at the first bid (frozenChanges)", () => {
	const before = {
		startingBid: 1000,
		minimumIncrement: 100,
		reservePrice: null,
		buyNowPrice: 5000,
		softCloseSeconds: 30,
		maxExtensionSeconds: null,
	};

	it("freezes exactly the settings bids are judged by (the four amounts and the soft close), not times", () => {
		expect([...FROZEN_AT_FIRST_BID].sort()).toEqual(
			[
				"buyNowPrice",
				"maxExtensionSeconds",
				"minimumIncrement",
				"reservePrice",
				"softCloseSeconds",
				"startingBid",
			].sort(),
		);
		// A row carries more than the rules (as the service passes it); nothing else counts.
		const timed = { ...before, closeAt: 1, settleAt: 2, name: "x" };
		const moved = { ...timed, closeAt: 10, settleAt: 20, name: "y" };
		expect(frozenChanges(timed, moved)).toEqual([]);
	});

	it("a value resent as it was, or unset left unset (null or absent), is no change", () => {
		expect(frozenChanges(before, { ...before })).toEqual([]);
		expect(frozenChanges(before, { ...before, reservePrice: undefined, maxExtensionSeconds: null })).toEqual([]);
		expect(frozenChanges({}, { reservePrice: null })).toEqual([]);
	});

	it("names each changed setting, in a stable order, including set → null and null → set", () => {
		for (const field of FROZEN_AT_FIRST_BID) {
			const value = before[field];
			expect(frozenChanges(before, { ...before, [field]: value == null ? 1 : value + 1 })).toEqual([field]);
		}
		expect(frozenChanges(before, { ...before, buyNowPrice: null, reservePrice: 2000, startingBid: 0 })).toEqual([
			"startingBid",
			"reservePrice",
			"buyNowPrice",
		]);
	});
});
