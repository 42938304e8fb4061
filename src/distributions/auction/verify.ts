/**
 * Replays a published auction log: checks the hash chain, that every bid obeyed the
 * rules when it was placed (with the proxy steps the rules produce), and the final
 * price, winner and reserve (by the same settlementOf as the object).
 * Pure: owns no table and no schedule kind.
 */
import { chainHash, GENESIS_HASH, type LogEntry } from "./log";
import { type AuctionRules, type AuctionState, buyNow, emptyState, placeBid, settlementOf } from "./rules";

export interface AuctionLog {
	auctionId: string;
	algorithm: string;
	rules: AuctionRules;
	finalPrice: number | null;
	winner: string | null;
	reserveMet: boolean;
	entries: LogEntry[];
}

export function verifyAuction(log: AuctionLog): { ok: boolean; problems: string[]; replayed: AuctionState } {
	const problems: string[] = [];
	if (log.algorithm !== "fanfare-edge/auction-v1") problems.push(`unknown algorithm ${log.algorithm}`);
	let prev = GENESIS_HASH;
	for (const [i, e] of log.entries.entries()) {
		if (e.prevHash !== prev) problems.push(`entry ${i} (seq ${e.seq}): prevHash does not link to the entry before`);
		if (chainHash(e.prevHash, e) !== e.hash)
			problems.push(`entry ${i} (seq ${e.seq}): hash does not match its content`);
		prev = e.hash;
	}
	let state = emptyState();
	for (let i = 0; i < log.entries.length; i++) {
		const e = log.entries[i];
		if (e.kind === "proxy") {
			problems.push(`entry ${i} (seq ${e.seq}): a proxy step no bid produced`);
			continue;
		}
		const outcome =
			e.kind === "buy_now"
				? buyNow(state, log.rules, e.bidder)
				: placeBid(state, log.rules, { bidder: e.bidder, amount: e.amount, maxAmount: e.maxAmount, seq: e.seq });
		if (!outcome.ok) {
			problems.push(`entry ${i} (seq ${e.seq}): ${e.kind} of ${e.amount} breaks the rules (${outcome.reason})`);
			continue;
		}
		for (const [k, step] of outcome.steps.entries()) {
			const logged = log.entries[i + k];
			if (!logged || logged.bidder !== step.bidder || logged.amount !== step.amount || logged.kind !== step.kind) {
				problems.push(`entry ${i + k}: expected ${step.kind} ${step.amount} by ${step.bidder}`);
			}
		}
		i += outcome.steps.length - 1;
		state = outcome.state;
	}
	const { winner, reserveMet: met } = settlementOf(state, log.rules);
	if (met !== log.reserveMet) problems.push(`reserveMet is ${log.reserveMet}, the replay says ${met}`);
	if (winner !== log.winner) problems.push(`winner is ${log.winner}, the replay says ${winner}`);
	const price = state.leader ? state.price : null;
	if (price !== log.finalPrice) problems.push(`final price is ${log.finalPrice}, the replay says ${price}`);
	return { ok: problems.length === 0, problems, replayed: state };
}
