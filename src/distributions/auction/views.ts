/**
 * What the auction shows, as pure functions of its stored state: to anyone (price, next
 * minimum, whether the reserve is met — never its amount — and buy-now while on offer)
 * and to one bidder (its standing and its own maximum), in major units; to the merchant,
 * every log entry with its consumer; and, once settled, the published log (pseudonymous,
 * minor units), which anyone can replay.
 * Owns no table. Other bidders' maxima never appear before settlement.
 */
import { fromMinor } from "../../lib/money";
import { hex, hmacSha256, sha256, utf8 } from "../../lib/sha256";
import { isoInstant } from "../../lib/time";
import { statusAt } from "../common/status";
import type { StoredTimeline } from "../kernel/object";
import {
	type AuctionRules,
	type AuctionState,
	bidderStatus,
	buyNowAvailable,
	minimumNextBid,
	reserveMet,
} from "./rules";
import type { LogRow, Settlement, StoredAuction } from "./store";

/** Who won (or null) at what price, and whether the reserve was met, in major units; null before settlement. */
export function outcomeView(s: Settlement | null) {
	if (!s) return null;
	return {
		winnerConsumerId: s.winner,
		finalPrice: s.price == null ? null : fromMinor(s.price),
		reserveMet: s.reserveMet,
	};
}

export function publicView(t: StoredTimeline, st: StoredAuction, rules: AuctionRules, now: number) {
	return {
		auctionId: t.id,
		status: statusAt("auction", t, now),
		currentPrice: st.bidding.leader ? fromMinor(st.bidding.price) : null,
		bidCount: st.bidding.bidCount,
		minimumNextBid: fromMinor(minimumNextBid(st.bidding, rules)),
		reserveMet: reserveMet(st.bidding, rules),
		buyNowPrice: buyNowAvailable(st.bidding, rules) && rules.buyNowPrice != null ? fromMinor(rules.buyNowPrice) : null,
		closeAt: t.closeAt == null ? null : isoInstant(t.closeAt),
		settleAt: t.settleAt == null ? null : isoInstant(t.settleAt),
	};
}

/** One bidder's view; the object adds the winner's grant while it is live. */
export function bidderView(
	st: StoredAuction,
	rules: AuctionRules,
	consumerId: string,
	ownMax: number | null,
): Record<string, unknown> {
	return {
		consumerId,
		status: bidderStatus(st.bidding, rules, consumerId, ownMax, st.settlement),
		yourMaximum: ownMax == null ? null : fromMinor(ownMax),
		currentPrice: st.bidding.leader ? fromMinor(st.bidding.price) : null,
		minimumNextBid: fromMinor(minimumNextBid(st.bidding, rules)),
	};
}

/**
 * The merchant's view of one log entry: the real consumer id beside the pseudonym. Until the
 * auction is settled every maximum stays sealed (null), from the merchant too, and so does every
 * hash: a hash commits to its entry's maximum and, chained, to every maximum before it, and a
 * maximum has few enough values to be found from it by trying them all.
 */
export const merchantBidView = (settled: boolean) => (e: LogRow) => ({
	cursor: e.seq,
	seq: e.seq,
	consumerId: e.consumerId,
	bidder: e.bidder,
	amount: fromMinor(e.amount),
	maxAmount: settled && e.maxAmount != null ? fromMinor(e.maxAmount) : null,
	kind: e.kind,
	placedAt: new Date(e.placedAt).toISOString(),
	hash: settled ? e.hash : null,
});

/** The log anyone may replay (auction/verify.ts) once settled: bidders by pseudonym only. */
export function publishedLog(
	t: StoredTimeline,
	bidding: AuctionState,
	settlement: Settlement,
	rules: AuctionRules,
	entries: LogRow[],
	pseudonym: (consumerId: string) => string,
) {
	return {
		auctionId: t.id,
		algorithm: "fanfare-edge/auction-v1",
		currency: "minor units",
		rules,
		finalPrice: settlement.winner ? settlement.price : bidding.leader ? bidding.price : null,
		winner: settlement.winner ? pseudonym(settlement.winner) : null,
		reserveMet: settlement.reserveMet,
		entries: entries.map(({ consumerId: _, ...e }) => e),
	};
}

/** A stable, unguessable name for each bidder in the public log, keyed by the deployment secret and this auction. */
export function pseudonymizer(
	secret: string,
	t: { id: string; encryptionSeed: string } | null,
): (consumerId: string) => string {
	const mac = hmacSha256(sha256(utf8(`${secret}|bidder|${t?.id}|${t?.encryptionSeed}`)));
	return (id) => `bidder_${hex(mac(utf8(id))).slice(0, 12)}`;
}
