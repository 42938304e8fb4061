/**
 * The auction's audit log, `fanfare-edge/auction-v2` (format: src/sdk/auction-log.ts, shared with
 * the SDK's checks): a genesis statement committing to the algorithm, the auction id, its rules
 * (the reserve as a salted commitment) and times, fixed at the first bid; then every accepted bid,
 * proxy step, buy-now and time change after it, hash-chained from the genesis hash. An explicit bid
 * carries a salted commitment to its maximum instead of the maximum. Changing, removing or
 * reordering any entry breaks every hash after it; a signed head pins the chain as a bidder saw it.
 * Pure (synchronous SHA-256): owns no table (store.ts writes the chain) and no schedule kind.
 */

import { hex, sha256, utf8 } from "../../lib/sha256";
import {
	AUCTION_ALGORITHM,
	type AuctionGenesis,
	type AuctionLogEntry,
	commitmentText,
	entryText,
	genesisText,
} from "../../sdk/auction-log";
import type { AuctionRules } from "./rules";

export { AUCTION_ALGORITHM };
export type LogEntry = AuctionLogEntry;
export type Genesis = AuctionGenesis;

const sha = (text: string) => hex(sha256(utf8(text)));

export const chainHash = (prevHash: string, e: Omit<LogEntry, "prevHash" | "hash">): string =>
	sha(entryText(prevHash, e));

export const genesisHash = (g: Genesis): string => sha(genesisText(g));

/** SHA-256(value ‖ "|" ‖ salt): a maximum (or the reserve; null: none), hidden until the salt is revealed. */
export const commit = (value: number | null, salt: string): string => sha(commitmentText(value, salt));

/** A fresh secret salt: 256 random bits, hex. */
export function newSalt(): string {
	return hex(crypto.getRandomValues(new Uint8Array(32)));
}

/** The genesis statement of an auction as its first bid finds it: frozen rules, the reserve committed with `reserveSalt`. */
export function genesisOf(
	auctionId: string,
	rules: AuctionRules,
	times: { openAt: number | null; closeAt: number | null; settleAt: number | null },
	reserveSalt: string,
): Genesis {
	return {
		algorithm: AUCTION_ALGORITHM,
		auctionId,
		rules: {
			startingBid: rules.startingBid,
			minimumIncrement: rules.minimumIncrement,
			reserveCommitment: commit(rules.reservePrice, reserveSalt),
			buyNowPrice: rules.buyNowPrice,
			softCloseSeconds: rules.softCloseSeconds ?? null,
			maxExtensionSeconds: rules.maxExtensionSeconds ?? null,
		},
		openAt: times.openAt ?? 0,
		closeAt: times.closeAt,
		settleAt: times.settleAt,
	};
}
