/**
 * What the auction's log records, as pure functions of the object's state: the chain started at the
 * first bid (genesis from the frozen rules and the times, the reserve committed with a fresh secret
 * salt), a bidding step as an entry (an explicit bid committing to its maximum with its own salt), a
 * merchant's time change, and a soft-close extension computed from the frozen rules.
 * Owns no table (store.ts appends what these return) and no schedule kind.
 */
import { commit, genesisHash, genesisOf, newSalt } from "./log";
import { type AuctionRules, type LogStep, rulesOf, softCloseExtension } from "./rules";
import { type Chain, entryOf, type NewEntry, type StoredAuction } from "./store";

type Times = { closeAt: number | null; settleAt: number | null };
type Settings = Parameters<typeof rulesOf>[0] & { id: string; openAt: number | null } & Times;

/** The rules bids are judged by: pinned at the first bid (a pin older than the soft close's: the settings' soft close), else the settings'. */
export function rulesIn(st: StoredAuction, t: Settings | null): AuctionRules {
	if (!st.rules) return rulesOf(t);
	return {
		softCloseSeconds: t?.softCloseSeconds ?? null,
		maxExtensionSeconds: t?.maxExtensionSeconds ?? null,
		...st.rules,
	};
}

/** The chain's first link, at the first bid: the rules just frozen, the times in force, a fresh reserve salt and pseudonym key. */
export function startChain(t: Settings, rules: AuctionRules): Chain {
	const reserveSalt = newSalt();
	const genesis = genesisOf(t.id, rules, t, reserveSalt);
	return { genesis, hash: genesisHash(genesis), reserveSalt, pseudonymKey: newSalt() };
}

/** A bidding step as a log entry; an explicit bid commits to its maximum (`logMax`) with a fresh secret salt. */
export function stepEntry(step: LogStep, pseudonym: string, logMax: number | null): NewEntry {
	const named = { kind: step.kind, consumerId: step.bidder, bidder: pseudonym, amount: step.amount };
	if (step.kind !== "bid" || logMax == null) return entryOf(named);
	const salt = newSalt();
	return entryOf({ ...named, maxAmount: logMax, salt, commitment: commit(logMax, salt) });
}

export const timesEntry = (times: Times, cause: "merchant" | "soft_close"): NewEntry =>
	entryOf({ kind: "times", ...times, cause });

/** The times a configure brings, if they differ from the ones in force (a merchant's time change); else null. */
export function movedTimes(st: StoredAuction, t: Times): Times | null {
	const same = st.times && t.closeAt === st.times.closeAt && t.settleAt === st.times.settleAt;
	return same ? null : { closeAt: t.closeAt, settleAt: t.settleAt };
}

/** The soft-close extension a leader change at `now` makes, by the frozen rules and the baseline in `st`; null: none. */
export function extensionAt(st: StoredAuction, rules: AuctionRules, t: Times, now: number) {
	return softCloseExtension(
		{
			softCloseSeconds: rules.softCloseSeconds ?? null,
			maxExtensionSeconds: rules.maxExtensionSeconds ?? null,
			closeAt: t.closeAt,
			settleAt: t.settleAt,
			originalCloseAt: st.originalCloseAt,
			originalSettleAt: st.originalSettleAt,
		},
		now,
	);
}
