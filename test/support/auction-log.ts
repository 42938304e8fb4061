/**
 * Published auction logs (fanfare-edge/auction-v2) built without the runtime, the way the auction
 * object builds them: the genesis from the rules and times, bids run through the pure rules, explicit
 * bids committed with a salt, soft-close extensions logged as "times" entries right after the bid.
 */
import { chainHash, commit, genesisHash, genesisOf, type LogEntry } from "../../src/distributions/auction/log";
import {
	type AuctionRules,
	emptyState,
	placeBid,
	reserveMet,
	softCloseExtension,
} from "../../src/distributions/auction/rules";
import type { AuctionLog } from "../../src/distributions/auction/verify";

export interface BuiltBid {
	bidder: string;
	amount: number;
	maxAmount?: number | null;
	/** When it is placed (epoch ms); default 17 ms after the one before. */
	at?: number;
}

export const T0 = 1_700_000_000_000;

/** A salt as deterministic as a test wants (the object's are random). */
const saltOf = (seq: number) => seq.toString(16).padStart(64, "0");

/**
 * The log of `bids` under `rules` (refused bids are left out, as the object refuses them), settled
 * (maxima, salts, rules and outcome revealed) unless `settled: false`.
 */
export function buildLog(
	rules: AuctionRules,
	bids: BuiltBid[],
	opts: { settled?: boolean; openAt?: number; closeAt?: number | null; settleAt?: number } = {},
) {
	const openAt = opts.openAt ?? T0 - 1000;
	let times = {
		closeAt: opts.closeAt === undefined ? T0 + 3_600_000 : opts.closeAt,
		settleAt: opts.settleAt ?? T0 + 3_600_000,
	};
	const baseline = times;
	const reserveSalt = "ab".repeat(32);
	const genesis = bids.length ? genesisOf("auction_test", rules, { openAt, ...times }, reserveSalt) : null;
	const entries: LogEntry[] = [];
	let prev = genesis ? genesisHash(genesis) : "";
	const push = (e: Omit<LogEntry, "seq" | "prevHash" | "hash">) => {
		const entry = { ...e, seq: entries.length + 1 };
		const hash = chainHash(prev, entry);
		entries.push({ ...entry, prevHash: prev, hash });
		prev = hash;
	};
	let state = emptyState();
	let t = T0;
	for (const b of bids) {
		const logMax = Math.max(b.amount, b.maxAmount ?? b.amount);
		const out = placeBid(state, rules, {
			bidder: b.bidder,
			amount: b.amount,
			maxAmount: logMax,
			seq: entries.length + 1,
		});
		if (!out.ok) continue;
		t = b.at ?? t + 17;
		for (const step of out.steps) {
			const seq = entries.length + 1;
			const bid = step.kind === "bid";
			push({
				kind: step.kind,
				placedAt: t,
				bidder: step.bidder,
				amount: step.amount,
				commitment: bid ? commit(logMax, saltOf(seq)) : null,
				closeAt: null,
				settleAt: null,
				cause: null,
				...(bid ? { maxAmount: logMax, salt: saltOf(seq) } : {}),
			});
		}
		const leaderChanged = out.state.leader?.id !== out.previousLeader;
		state = out.state;
		if (state.boughtNow) {
			times = { closeAt: t, settleAt: t };
			break;
		}
		const moved = leaderChanged
			? softCloseExtension(
					{
						softCloseSeconds: rules.softCloseSeconds ?? null,
						maxExtensionSeconds: rules.maxExtensionSeconds ?? null,
						...times,
						originalCloseAt: baseline.closeAt,
						originalSettleAt: baseline.settleAt,
					},
					t,
				)
			: null;
		if (moved) {
			times = { closeAt: moved.closeAt, settleAt: moved.settleAt };
			push({ kind: "times", placedAt: t, bidder: null, amount: null, commitment: null, ...times, cause: "soft_close" });
		}
	}
	const met = reserveMet(state, rules);
	const settled = opts.settled ?? true;
	const sealed = entries.map(({ maxAmount: _, salt: __, ...e }) => e);
	const log: AuctionLog = {
		auctionId: "auction_test",
		algorithm: "fanfare-edge/auction-v2",
		currency: "minor units",
		status: settled ? "SETTLED" : "OPEN",
		genesis,
		genesisHash: genesis ? genesisHash(genesis) : null,
		...times,
		head: null,
		entries: settled ? entries : sealed,
		...(settled
			? {
					rules: { softCloseSeconds: null, maxExtensionSeconds: null, ...rules },
					reserveSalt: genesis ? reserveSalt : null,
					finalPrice: state.leader ? state.price : null,
					winner: met ? (state.leader?.id ?? null) : null,
					reserveMet: met,
				}
			: {}),
	} as AuctionLog;
	return { log, state };
}

/** Re-links every hash after tampering, from the log's genesis, so only the rules (not the chain) can catch the change. */
export function rechain(log: Pick<AuctionLog, "genesisHash">, entries: LogEntry[]): LogEntry[] {
	let prev = log.genesisHash ?? "";
	return entries.map((e) => {
		const hash = chainHash(prev, e);
		const out = { ...e, prevHash: prev, hash };
		prev = hash;
		return out;
	});
}
