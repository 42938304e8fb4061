/**
 * The auction's bidding rules, as a pure function of the state and one bid, so the
 * auction's object and the standalone log verifier replay exactly the same logic.
 * Amounts are integer minor units.
 *
 * - The first bid must be ≥ startingBid; every later bid ≥ price + minimumIncrement.
 * - Each bidder has a maximum (maxAmount, or the bid itself): proxy bidding. The leader
 *   is the highest maximum; on equal maxima the one set earlier leads.
 * - The price is the lower of the leader's maximum and the runner-up's maximum plus the
 *   increment — never below the leader's own latest bid — and jumps to the reserve as
 *   soon as the leader's maximum reaches it.
 * - While the price is below buyNowPrice, a buy-now (or a bid at or above it) wins at
 *   once at buyNowPrice; once proxy bidding has passed it, bids are ordinary bids.
 * Only the leader and the runner-up can matter for the price, so the state holds two bidders.
 * Also here, as pure functions: the rules a distribution's settings make and which of them
 * freeze at the first bid, who wins at settlement, a bidder's standing, and the soft-close extension.
 * Pure: owns no table and no schedule kind.
 */
export interface AuctionRules {
	startingBid: number;
	minimumIncrement: number;
	reservePrice: number | null;
	buyNowPrice: number | null;
	/** The soft close (frozen with the money rules; bids themselves never read it). Absent: none. */
	softCloseSeconds?: number | null;
	maxExtensionSeconds?: number | null;
}

export interface Bidder {
	id: string;
	max: number;
	/** The bidder's latest explicit bid: the price never drops below the leader's. */
	explicit: number;
	/** Sequence number of the bid that set this maximum (earlier wins ties). */
	since: number;
}

export interface AuctionState {
	leader: Bidder | null;
	runnerUp: Bidder | null;
	price: number;
	bidCount: number;
	/** Set once a buy-now (or a bid at its price) won. */
	boughtNow: boolean;
}

export const emptyState = (): AuctionState => ({
	leader: null,
	runnerUp: null,
	price: 0,
	bidCount: 0,
	boughtNow: false,
});

export interface LogStep {
	bidder: string;
	amount: number;
	kind: "bid" | "proxy" | "buy_now";
}

export type BidOutcome =
	| { ok: true; state: AuctionState; steps: LogStep[]; previousLeader: string | null }
	| { ok: false; reason: "too_low" | "buy_now_unavailable"; minimumNextBid: number };

export function minimumNextBid(state: AuctionState, rules: AuctionRules): number {
	return state.leader ? state.price + rules.minimumIncrement : rules.startingBid;
}

export function buyNowAvailable(state: AuctionState, rules: AuctionRules): boolean {
	return rules.buyNowPrice != null && !state.boughtNow && state.price < rules.buyNowPrice;
}

const ahead = (a: Bidder, b: Bidder) => a.max > b.max || (a.max === b.max && a.since < b.since);

/** Applies one explicit bid. `seq` orders bids (ties on maxima go to the lower seq). */
export function placeBid(
	state: AuctionState,
	rules: AuctionRules,
	bid: { bidder: string; amount: number; maxAmount?: number | null; seq: number },
): BidOutcome {
	const floor = minimumNextBid(state, rules);
	// A bid at the buy-now price is a buy-now only while buy-now is still on offer.
	if (rules.buyNowPrice != null && bid.amount >= rules.buyNowPrice && buyNowAvailable(state, rules)) {
		return buyNow(state, rules, bid.bidder);
	}
	if (bid.amount < floor) return { ok: false, reason: "too_low", minimumNextBid: floor };
	const previous = state.leader;
	const own = [state.leader, state.runnerUp].find((b) => b?.id === bid.bidder) ?? null;
	const requested = Math.max(bid.amount, bid.maxAmount ?? bid.amount);
	// Raising one's own maximum keeps its original place in ties only if the maximum is unchanged.
	const me: Bidder =
		own && own.max >= requested
			? { ...own, explicit: bid.amount }
			: { id: bid.bidder, max: requested, explicit: bid.amount, since: bid.seq };
	const others = [state.leader, state.runnerUp].filter((b): b is Bidder => b != null && b.id !== bid.bidder);
	const ranked = [me, ...others].sort((a, b) => (ahead(a, b) ? -1 : ahead(b, a) ? 1 : 0));
	const [leader, runnerUp = null] = ranked;
	let price = runnerUp ? Math.min(leader.max, runnerUp.max + rules.minimumIncrement) : leader.explicit;
	price = Math.max(price, leader.explicit);
	if (rules.reservePrice != null && leader.max >= rules.reservePrice) price = Math.max(price, rules.reservePrice);
	price = Math.min(price, leader.max);
	const steps: LogStep[] = [{ bidder: bid.bidder, amount: bid.amount, kind: "bid" }];
	if (leader.id !== bid.bidder || price !== bid.amount) steps.push({ bidder: leader.id, amount: price, kind: "proxy" });
	const next: AuctionState = { leader, runnerUp, price, bidCount: state.bidCount + 1, boughtNow: false };
	return { ok: true, state: next, steps, previousLeader: previous?.id ?? null };
}

/** Wins at buyNowPrice at once, while the price is still below it. */
export function buyNow(state: AuctionState, rules: AuctionRules, bidder: string): BidOutcome {
	if (!buyNowAvailable(state, rules) || rules.buyNowPrice == null) {
		return { ok: false, reason: "buy_now_unavailable", minimumNextBid: minimumNextBid(state, rules) };
	}
	const price = rules.buyNowPrice;
	const leader: Bidder = { id: bidder, max: price, explicit: price, since: Number.MAX_SAFE_INTEGER };
	return {
		ok: true,
		state: { leader, runnerUp: null, price, bidCount: state.bidCount + 1, boughtNow: true },
		steps: [{ bidder, amount: price, kind: "buy_now" }],
		previousLeader: state.leader?.id ?? null,
	};
}

export const reserveMet = (state: AuctionState, rules: AuctionRules) =>
	state.leader != null && (rules.reservePrice == null || state.price >= rules.reservePrice);

/** The rules as the auction's settings state them (amounts in minor units), with the defaults for unset ones. */
export function rulesOf(
	t: {
		startingBid: number | null;
		minimumIncrement: number | null;
		reservePrice: number | null;
		buyNowPrice: number | null;
		softCloseSeconds?: number | null;
		maxExtensionSeconds?: number | null;
	} | null,
): Required<AuctionRules> {
	return {
		startingBid: t?.startingBid ?? 0,
		minimumIncrement: t?.minimumIncrement ?? 100,
		reservePrice: t?.reservePrice ?? null,
		buyNowPrice: t?.buyNowPrice ?? null,
		softCloseSeconds: t?.softCloseSeconds ?? null,
		maxExtensionSeconds: t?.maxExtensionSeconds ?? null,
	};
}

/**
 * The settings bids are judged by, fixed from the first bid on so that every bid in the log
 * obeys the rules it was placed under (and the published log verifies). Times may still move.
 */
export const FROZEN_AT_FIRST_BID = [
	"startingBid",
	"minimumIncrement",
	"reservePrice",
	"buyNowPrice",
	"softCloseSeconds",
	"maxExtensionSeconds",
] as const;
export type FrozenSetting = (typeof FROZEN_AT_FIRST_BID)[number];

/** The frozen settings that differ between two versions of an auction (a value resent as it was is no change). */
export function frozenChanges(
	before: Partial<Record<FrozenSetting, number | null>>,
	after: Partial<Record<FrozenSetting, number | null>>,
): FrozenSetting[] {
	return FROZEN_AT_FIRST_BID.filter((f) => (before[f] ?? null) !== (after[f] ?? null));
}

/** Who wins at settlement: the leader, if the reserve is met; else nobody. The object and the verifier both settle by it. */
export function settlementOf(state: AuctionState, rules: AuctionRules): { winner: string | null; reserveMet: boolean } {
	const met = reserveMet(state, rules);
	return { winner: met ? (state.leader?.id ?? null) : null, reserveMet: met };
}

/**
 * The settlement at `now`: the leader wins if the reserve is met, at the current price, with
 * a grant (`grantId()`) to claim within `claimWindowMs`; otherwise nobody wins.
 */
export function settle(
	state: AuctionState,
	rules: AuctionRules,
	now: number,
	claimWindowMs: number,
	grantId: () => string,
) {
	const { winner, reserveMet } = settlementOf(state, rules);
	return {
		winner,
		price: winner ? state.price : null,
		reserveMet,
		grantId: winner ? grantId() : null,
		settledAt: now,
		claimBy: winner ? now + claimWindowMs : null,
		claimedAt: null,
	};
}

export type BidderStatus = "NOT_BID" | "BIDDING" | "WINNING" | "OUTBID" | "WON" | "LOST";

/**
 * A bidder's standing: before settlement WINNING while it leads with the reserve met,
 * BIDDING while it leads below it, OUTBID otherwise; after, WON or LOST. `ownMax` is
 * the bidder's highest maximum (null: it never bid); `settlement` is null until settled.
 */
export function bidderStatus(
	state: AuctionState,
	rules: AuctionRules,
	bidder: string,
	ownMax: number | null,
	settlement: { winner: string | null } | null,
): BidderStatus {
	if (settlement) return settlement.winner === bidder ? "WON" : ownMax == null ? "NOT_BID" : "LOST";
	if (ownMax == null) return "NOT_BID";
	if (state.leader?.id !== bidder) return "OUTBID";
	return reserveMet(state, rules) ? "WINNING" : "BIDDING";
}

export interface SoftCloseTimes {
	/** The window before closeAt in which a new leader extends it; null or 0: no soft close. */
	softCloseSeconds: number | null;
	/** The most closeAt may move past the original close, in all; null: no cap. */
	maxExtensionSeconds: number | null;
	closeAt: number | null;
	settleAt: number | null;
	/** closeAt and settleAt before any extension (null: none yet, the current ones are the originals). */
	originalCloseAt: number | null;
	originalSettleAt: number | null;
}

/**
 * Soft close: a leader change inside the last softCloseSeconds pushes closeAt to
 * now + softCloseSeconds, within the cap; settleAt keeps its distance from the original
 * close unless it already lies beyond the new one. Null when the times stay as they are.
 */
export function softCloseExtension(
	p: SoftCloseTimes,
	now: number,
): { closeAt: number; settleAt: number; extendedMs: number } | null {
	if (!p.softCloseSeconds || p.closeAt == null || now < p.closeAt - p.softCloseSeconds * 1000) return null;
	const original = p.originalCloseAt ?? p.closeAt;
	const cap = p.maxExtensionSeconds == null ? Number.POSITIVE_INFINITY : original + p.maxExtensionSeconds * 1000;
	const closeAt = Math.min(now + p.softCloseSeconds * 1000, cap);
	if (closeAt <= p.closeAt) return null;
	const extendedMs = closeAt - original;
	const originalSettle = p.originalSettleAt ?? p.settleAt ?? closeAt;
	const settleAt = originalSettle >= closeAt ? originalSettle : originalSettle + extendedMs;
	return { closeAt, settleAt, extendedMs };
}
