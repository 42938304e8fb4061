/**
 * Replays a published auction log (`fanfare-edge/auction-v2`): the genesis statement against its
 * hash, every link of the chain from it, that every head a bidder holds lies on the chain; once
 * settled, every revealed maximum (and the reserve) against its commitment, the revealed rules against
 * the genesis, every bid against the rules and the times in force when it was placed (with the proxy
 * steps the rules produce and the soft-close extensions they cause), and the final price, winner,
 * reserve and times (by the same settlementOf and softCloseExtension as the object). While the auction
 * runs, what can be checked without the maxima: the chain, the heads, and that every bid was placed
 * while the logged times said it was open.
 * Pure: owns no table and no schedule kind. Head signatures are checked before (src/sdk/auction-log.ts).
 */
import { headProblem, type PublishedAuctionLog } from "../../sdk/auction-log";
import { effectiveClose } from "../common/status";
import { AUCTION_ALGORITHM, chainHash, commit, genesisHash, type LogEntry } from "./log";
import {
	type AuctionRules,
	type AuctionState,
	buyNow,
	emptyState,
	placeBid,
	settlementOf,
	softCloseExtension,
} from "./rules";

export type AuctionLog = PublishedAuctionLog;

/** A head as a bidder holds it, its signature already checked: the log had `seq` entries, the last hashing to `headHash`. */
export interface HeldHead {
	auctionId?: string;
	seq: number;
	headHash: string;
}

export interface AuctionVerification {
	ok: boolean;
	problems: string[];
	/** The bidding state the replay ends in (empty while the maxima are sealed). */
	replayed: AuctionState;
}

type Times = { closeAt: number | null; settleAt: number | null };
const closeOf = (t: Times) => effectiveClose("auction", { ...t, openAt: null, drawAt: null, completedAt: null });

export function verifyAuction(log: AuctionLog, heads: HeldHead[] = []): AuctionVerification {
	const problems: string[] = [];
	const at = (e: LogEntry, what: string) => problems.push(`seq ${e.seq}: ${what}`);
	if (log.algorithm !== AUCTION_ALGORITHM) problems.push(`unknown algorithm ${log.algorithm}`);
	const g = log.genesis;
	if (!g) {
		if (log.entries.length) problems.push("entries without a genesis");
	} else {
		if (g.algorithm !== AUCTION_ALGORITHM || g.auctionId !== log.auctionId)
			problems.push("the genesis names another algorithm or auction");
		if (genesisHash(g) !== log.genesisHash) problems.push("genesisHash does not match the genesis statement");
	}
	let prev = log.genesisHash ?? "";
	for (const [i, e] of log.entries.entries()) {
		if (e.seq !== i + 1) at(e, `expected seq ${i + 1}`);
		if (e.prevHash !== prev) at(e, "prevHash does not link to the entry before");
		if (chainHash(e.prevHash, e) !== e.hash) at(e, "hash does not match its content");
		if (i > 0 && e.placedAt < log.entries[i - 1].placedAt) at(e, "placed before the entry before it");
		prev = e.hash;
	}
	for (const head of heads) {
		const problem = headProblem(log, head);
		if (problem) problems.push(problem);
	}
	const rules = log.rules ? revealedRules(log, problems) : null;
	const state = g ? replay(log, g, rules, problems) : emptyState();
	if (!log.rules) return { ok: problems.length === 0, problems, replayed: state };

	const { winner, reserveMet: met } = settlementOf(state, log.rules);
	if (met !== log.reserveMet) problems.push(`reserveMet is ${log.reserveMet}, the replay says ${met}`);
	if (winner !== (log.winner ?? null)) problems.push(`winner is ${log.winner}, the replay says ${winner}`);
	const price = state.leader ? state.price : null;
	if (price !== (log.finalPrice ?? null)) problems.push(`final price is ${log.finalPrice}, the replay says ${price}`);
	return { ok: problems.length === 0, problems, replayed: state };
}

/** The revealed rules, checked against the genesis (the reserve against its commitment); every maximum against its own. */
function revealedRules(log: AuctionLog, problems: string[]): AuctionRules | null {
	const r = log.rules as AuctionRules;
	const g = log.genesis;
	if (!g) return r;
	if (commit(r.reservePrice, log.reserveSalt ?? "") !== g.rules.reserveCommitment)
		problems.push("the revealed reserve does not match the genesis's commitment");
	for (const f of [
		"startingBid",
		"minimumIncrement",
		"buyNowPrice",
		"softCloseSeconds",
		"maxExtensionSeconds",
	] as const) {
		if ((r[f] ?? null) !== g.rules[f]) problems.push(`rules.${f} is ${r[f]}, the genesis says ${g.rules[f]}`);
	}
	for (const e of log.entries) {
		if (e.kind !== "bid") continue;
		if (e.maxAmount == null || e.salt == null) problems.push(`seq ${e.seq}: maximum not revealed`);
		else if (commit(e.maxAmount, e.salt) !== e.commitment)
			problems.push(`seq ${e.seq}: the revealed maximum does not match its commitment`);
		else if (e.amount == null || e.maxAmount < e.amount) problems.push(`seq ${e.seq}: maximum below the bid`);
	}
	return r;
}

/**
 * Replays the times from the genesis (merchant changes, extensions, a buy-now's close) and, with the
 * rules (once revealed), every bid. Returns the bidding state it ends in.
 */
function replay(
	log: AuctionLog,
	g: NonNullable<AuctionLog["genesis"]>,
	rules: AuctionRules | null,
	problems: string[],
): AuctionState {
	const at = (e: LogEntry, what: string) => problems.push(`seq ${e.seq}: ${what}`);
	const entries = log.entries;
	let times: Times = { closeAt: g.closeAt, settleAt: g.settleAt };
	let baseline = times;
	let state = emptyState();
	for (let i = 0; i < entries.length; i++) {
		const e = entries[i];
		if (e.kind === "times") {
			if (e.cause === "merchant") {
				const close = closeOf(times);
				if (close != null && e.placedAt >= close) at(e, "times moved after the auction closed");
				times = { closeAt: e.closeAt, settleAt: e.settleAt };
				baseline = times;
			} else if (rules) at(e, "a soft-close extension no bid caused");
			else times = { closeAt: e.closeAt, settleAt: e.settleAt };
			continue;
		}
		const close = closeOf(times);
		if (e.kind !== "proxy" && (e.placedAt < g.openAt || (close != null && e.placedAt >= close)))
			at(e, `${e.kind} placed while the auction was not open`);
		if (!rules) continue;
		if (e.kind === "proxy") {
			at(e, "a proxy step no bid produced");
			continue;
		}
		const bidder = e.bidder ?? "";
		const outcome =
			e.kind === "buy_now"
				? buyNow(state, rules, bidder)
				: placeBid(state, rules, { bidder, amount: e.amount ?? 0, maxAmount: e.maxAmount, seq: e.seq });
		if (!outcome.ok) {
			at(e, `${e.kind} of ${e.amount} breaks the rules (${outcome.reason})`);
			continue;
		}
		for (const [k, step] of outcome.steps.entries()) {
			const logged = entries[i + k];
			const same = logged?.bidder === step.bidder && logged.amount === step.amount && logged.kind === step.kind;
			if (!same || logged.placedAt !== e.placedAt)
				problems.push(`entry ${i + k}: expected ${step.kind} ${step.amount} by ${step.bidder}`);
		}
		i += outcome.steps.length - 1;
		state = outcome.state;
		if (state.boughtNow) {
			times = { closeAt: e.placedAt, settleAt: e.placedAt };
			continue;
		}
		if (state.leader?.id === outcome.previousLeader) continue;
		const moved = softCloseExtension(
			{
				softCloseSeconds: rules.softCloseSeconds ?? null,
				maxExtensionSeconds: rules.maxExtensionSeconds ?? null,
				...times,
				originalCloseAt: baseline.closeAt,
				originalSettleAt: baseline.settleAt,
			},
			e.placedAt,
		);
		if (!moved) continue;
		const next = entries[i + 1];
		if (
			next?.kind !== "times" ||
			next.cause !== "soft_close" ||
			next.closeAt !== moved.closeAt ||
			next.settleAt !== moved.settleAt ||
			next.placedAt !== e.placedAt
		) {
			at(e, `a new leader late: expected closeAt extended to ${moved.closeAt}, settleAt ${moved.settleAt}`);
			continue;
		}
		i++;
		times = { closeAt: moved.closeAt, settleAt: moved.settleAt };
	}
	if (log.closeAt !== undefined && (log.closeAt !== times.closeAt || log.settleAt !== times.settleAt))
		problems.push(
			`the log's times (${log.closeAt}, ${log.settleAt}) differ from the replay (${times.closeAt}, ${times.settleAt})`,
		);
	return state;
}
