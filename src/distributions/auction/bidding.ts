/**
 * One bid or buy-now, as AuctionObject runs it inside its grouped transaction: the idempotency
 * key, the auction's status, the pure rules (rules.ts) on the stored state, the log entries of
 * every step under the chain's pseudonyms, the events, the soft-close extension and a buy-now's
 * close and settle. Composed by AuctionObject through `BiddingHost`; owns no table of its own
 * (it writes the auction's `log`, `state` and `bid_keys` through AuctionStore) and no alarm.
 */
import type { EngineEventType } from "../../events/types";
import { fromMinor } from "../../lib/money";
import { isoInstant } from "../../lib/time";
import { ok, type Reply, refuse } from "../common/reply";
import { type Status, statusAt } from "../common/status";
import type { StoredTimeline } from "../kernel/object";
import { extensionAt, rulesIn, startChain, stepEntry, timesEntry } from "./chain";
import { type AuctionRules, type placeBid, rulesOf } from "./rules";
import type { AuctionStore, Chain, Head, StoredAuction } from "./store";
import { keyedChain } from "./views";

export type AuctionError =
	| "not_found"
	| "not_open"
	| "closed"
	| "too_low"
	| "buy_now_unavailable"
	| "key_reused"
	| "bad_ticket";
export type AuctionReply<T> = Reply<T, AuctionError, { replayed?: boolean }, { minimumNextBid?: number }>;

/** The rule a request applies: a bid or a buy-now, on the stored state, as the `seq`-th log entry. */
export type Decide = (st: StoredAuction, rules: AuctionRules, seq: number) => ReturnType<typeof placeBid>;

/** An idempotency key and what was asked under it: the same key for another request is refused. */
export type BidKey = { key: string; request: string };

/** What a bid needs of its object: its store, rules and pseudonyms, and the kernel's timeline changes. */
export interface BiddingHost {
	store(): AuctionStore;
	appSecret: string;
	timeline(): StoredTimeline | null;
	rules(): AuctionRules;
	pseudonym(consumerId: string, chain: Chain): string;
	emit(type: EngineEventType, data: Record<string, unknown>, now: number): void;
	moveTimes(times: { closeAt: number | null; settleAt: number | null }): void;
	recordTransition(status: Status, now: number): void;
	complete(now: number): void;
	broadcast(message: Record<string, unknown>): void;
}

/**
 * Applies one request at `now`, in the caller's transaction. Invariants: an accepted bid obeys the
 * rules against the state it was placed on; the first bid freezes the rules and starts the chain;
 * a leader change inside the soft-close window extends closeAt here, logged right after the bid;
 * a key already used returns what it was used for (`replay`), or key_reused for another request.
 */
export function applyBid(
	host: BiddingHost,
	t: StoredTimeline,
	consumerId: string,
	key: BidKey | null,
	logMax: number | null,
	decide: Decide,
	now: number,
): AuctionReply<Head | null> | { replay: string } {
	const store = host.store();
	if (key) {
		const replay = store.replayOf(consumerId, key.key);
		if (replay) return replay === JSON.stringify(key.request) ? { replay } : refuse("key_reused");
	}
	const status = statusAt("auction", t, now);
	if (status === "DRAFT" || status === "SCHEDULED") return refuse("not_open");
	if (status !== "OPEN") return refuse("closed");
	const st = store.load();
	const outcome = decide(st, host.rules(), store.nextSeq());
	if (!outcome.ok) return { ok: false, error: outcome.reason, minimumNextBid: outcome.minimumNextBid };
	const explicit = outcome.steps[0];
	const next: StoredAuction = { ...st, bidding: outcome.state, rules: st.rules ?? rulesOf(t) };
	if (!next.chain) {
		// The first bid: the rules froze just now, and the genesis commits to them and to the times.
		next.chain = startChain(t, rulesIn(next, t));
		next.times = { closeAt: t.closeAt, settleAt: t.settleAt };
	}
	// A legacy chain is keyed now and stored so with this bid.
	const chain = keyedChain(next.chain, host.appSecret, t);
	next.chain = chain;
	const entries = outcome.steps.map((step) => stepEntry(step, host.pseudonym(step.bidder, chain), logMax));
	store.append(chain.hash, entries, now);
	const leader = outcome.state.leader?.id ?? null;
	const price = fromMinor(outcome.state.price);
	host.emit("auction.bid.placed", { consumerId, amount: fromMinor(explicit.amount), price, kind: explicit.kind }, now);
	if (outcome.previousLeader && outcome.previousLeader !== leader) {
		host.emit("auction.outbid", { consumerId: outcome.previousLeader, price }, now);
	}
	if (leader !== outcome.previousLeader && !outcome.state.boughtNow) extendIfLate(host, next, now);
	if (outcome.state.boughtNow) {
		// Bought out: it closed and settled now, and its times (here and, via onAdvanced, in D1) say so.
		host.moveTimes({ closeAt: now, settleAt: now });
		next.times = { closeAt: now, settleAt: now };
		next.timesDirty = true;
	}
	store.save(next);
	if (outcome.state.boughtNow) {
		host.recordTransition("CLOSED", now);
		host.complete(now);
	}
	if (key) store.remember(consumerId, key.key, key.request);
	return ok(store.head());
}

/**
 * Moves closeAt (and settleAt) as the soft-close rule (of the frozen rules) says, in the bid's
 * transaction, logs it as a "times" entry right after the bid, and tells bidders.
 */
function extendIfLate(host: BiddingHost, st: StoredAuction, now: number): void {
	const t = host.timeline();
	const moved = t && st.chain ? extensionAt(st, rulesIn(st, t), t, now) : null;
	if (!moved || !st.chain) return;
	st.extendedMs = moved.extendedMs;
	st.times = { closeAt: moved.closeAt, settleAt: moved.settleAt };
	host.moveTimes(st.times);
	host.store().append(st.chain.hash, [timesEntry(st.times, "soft_close")], now);
	st.timesDirty = true;
	const times = { closeAt: isoInstant(moved.closeAt), settleAt: isoInstant(moved.settleAt) };
	host.emit("auction.extended", times, now);
	host.broadcast({ type: "extended", ...times });
}
