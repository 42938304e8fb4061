/**
 * The auction's audit log: every accepted bid and every proxy step, hash-chained —
 * hash = SHA-256(previous hash ‖ "|" ‖ canonical entry), the first entry chained to 64
 * zeros — with bidders pseudonymized. Changing, removing or reordering any entry breaks
 * every hash after it.
 * Pure: owns no table (store.ts writes the chain) and no schedule kind.
 */
import { hex, sha256, utf8 } from "../../lib/sha256";
import type { LogStep } from "./rules";

export const GENESIS_HASH = "0".repeat(64);

export interface LogEntry {
	seq: number;
	/** Pseudonym, stable within one auction. */
	bidder: string;
	/** Minor units. */
	amount: number;
	/** The proxy maximum of an explicit bid (revealed once the auction is settled); null for proxy steps. */
	maxAmount: number | null;
	kind: LogStep["kind"];
	/** Epoch milliseconds. */
	placedAt: number;
	prevHash: string;
	hash: string;
}

export function canonical(e: Omit<LogEntry, "prevHash" | "hash">): string {
	return JSON.stringify([e.seq, e.bidder, e.amount, e.maxAmount, e.kind, e.placedAt]);
}

export function chainHash(prevHash: string, e: Omit<LogEntry, "prevHash" | "hash">): string {
	return hex(sha256(utf8(`${prevHash}|${canonical(e)}`)));
}
