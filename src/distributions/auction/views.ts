/**
 * What the auction shows, as pure functions of its stored state: to anyone (price, next
 * minimum, whether the reserve is met — never its amount — and buy-now while on offer)
 * and to one bidder (its standing and its own maximum), in major units; to the merchant,
 * every log entry with its consumer; and the published log (pseudonymous, minor units: commitments
 * while it runs, maxima, salts and rules revealed once settled), which anyone can check and replay.
 * Owns no table. Other bidders' maxima never appear before settlement.
 */
import { fromMinor } from "../../lib/money";
import { secretOf } from "../../lib/secrets";
import { hex, hmacSha256, sha256, utf8 } from "../../lib/sha256";
import { isoInstant } from "../../lib/time";
import { statusAt } from "../common/status";
import type { StoredTimeline } from "../kernel/object";
import type { SignedHead } from "./heads";
import { AUCTION_ALGORITHM } from "./log";
import { type AuctionRules, bidderStatus, buyNowAvailable, minimumNextBid, reserveMet } from "./rules";
import type { Chain, LogRow, Settlement, StoredAuction } from "./store";

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
 * The merchant's view of one bidding entry: the real consumer id beside the pseudonym. Until the
 * auction is settled every maximum stays sealed (null), from the merchant too. The hash is shown at
 * once: it covers the maximum's salted commitment, never the maximum, so trying amounts finds nothing.
 */
export const merchantBidView = (settled: boolean) => (e: LogRow) => ({
	cursor: e.seq,
	seq: e.seq,
	// Bidding entries only (store.entries with bidsOnly): each has its consumer, pseudonym and amount.
	consumerId: e.consumerId ?? "",
	bidder: e.bidder ?? "",
	amount: fromMinor(e.amount ?? 0),
	maxAmount: settled && e.maxAmount != null ? fromMinor(e.maxAmount) : null,
	kind: e.kind as "bid" | "proxy" | "buy_now",
	placedAt: new Date(e.placedAt).toISOString(),
	hash: e.hash,
});

/** One published entry: no consumer id; an explicit bid's maximum and salt only once settled. */
function publishedEntry(e: LogRow, settled: boolean) {
	const { consumerId: _, maxAmount, salt, ...entry } = e;
	return settled && e.kind === "bid" ? { ...entry, maxAmount, salt } : entry;
}

/**
 * The log anyone may read at any time (src/sdk/auction-log.ts checks it, auction/verify.ts replays it):
 * bidders by pseudonym, the genesis, the chain with commitments, the current signed head; once settled,
 * also the rules (the reserve with its salt), every maximum with its salt, and the outcome.
 */
export function publishedLog(
	t: StoredTimeline,
	st: StoredAuction,
	rules: AuctionRules,
	entries: LogRow[],
	head: SignedHead | null,
	now: number,
	pseudonym: (consumerId: string) => string,
) {
	const settled = st.settlement != null;
	const log = {
		auctionId: t.id,
		algorithm: AUCTION_ALGORITHM,
		currency: "minor units",
		status: statusAt("auction", t, now),
		genesis: st.chain?.genesis ?? null,
		genesisHash: st.chain?.hash ?? null,
		closeAt: st.times ? st.times.closeAt : t.closeAt,
		settleAt: st.times ? st.times.settleAt : t.settleAt,
		head,
		entries: entries.map((e) => publishedEntry(e, settled)),
	};
	const s = st.settlement;
	if (!s) return log;
	return {
		...log,
		rules: { softCloseSeconds: null, maxExtensionSeconds: null, ...rules },
		reserveSalt: st.chain?.reserveSalt ?? null,
		finalPrice: s.winner ? s.price : st.bidding.leader ? st.bidding.price : null,
		winner: s.winner ? pseudonym(s.winner) : null,
		reserveMet: s.reserveMet,
	};
}

/**
 * A stable, unguessable name for each bidder in the public log: an HMAC under the auction's own
 * pseudonym key (`chain.pseudonymKey`, drawn at its first bid), so rotating APP_SECRET never renames a
 * bidder mid-auction or in a published log.
 */
export function pseudonymizer(key: Uint8Array): (consumerId: string) => string {
	const mac = hmacSha256(key);
	return (id) => `bidder_${hex(mac(utf8(id))).slice(0, 12)}`;
}

/**
 * The pseudonym key of a chain started before auctions drew their own: derived, as it was then, from
 * the deployment secret — version 1 of APP_SECRET, the only one there was — and this auction.
 */
export const legacyPseudonymKey = (secretV1: string, t: { id: string; encryptionSeed: string } | null) =>
	sha256(utf8(`${secretV1}|bidder|${t?.id}|${t?.encryptionSeed}`));

/**
 * A chain started before auctions drew their own pseudonym key, with the key it always had
 * (`legacyPseudonymKey` under APP_SECRET version 1), as a new record for the caller to store — from
 * then on version 1 is not needed for it; any other chain as it is. Throws if version 1 is gone (the
 * runbook keeps it until then).
 */
export function keyedChain(chain: Chain, appSecret: string, t: { id: string; encryptionSeed: string } | null): Chain {
	if (chain.pseudonymKey) return chain;
	const v1 = secretOf(appSecret, 1, "auction-pseudonym");
	if (!v1) throw new Error("auction: its bidder pseudonyms need APP_SECRET version 1, which is not configured");
	return { ...chain, pseudonymKey: hex(legacyPseudonymKey(v1.secret, t)) };
}
