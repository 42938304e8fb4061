/** What a queue's object answers over RPC: the shapes its methods return and refuse with. */
import type { Reply } from "../common/reply";
import type { Who } from "../common/tickets";
import type { EntryStatus } from "./store";

export type { Who };
export type QueueError = "not_found" | "not_open" | "closed" | "sold_out" | "not_entered" | "bad_ticket";
export type QueueReply<T> = Reply<T, QueueError>;
/** The queue's own schedule kinds. */
/** `admit`: the admission tick; `gate`: push the gate to the shards again (sharded entry, a push failed). */
export type QueueKind = "admit" | "gate";

export interface QueueState {
	consumerId: string;
	/** SOLD_OUT: QUEUED in a sold-out queue (still in line, for a restock). */
	status: EntryStatus | "SOLD_OUT";
	position: number | null;
	estimatedWaitSeconds: number | null;
	ticket: string;
	/** Queued behind every consumer who passed the challenge (protection `back-of-line`). */
	backOfLine?: true;
	admissionToken?: string;
	admissionExpiresAt?: string;
}

export interface QueueProgress {
	encryptionSeed: string;
	admitting: boolean;
	admissionRate: number | null;
	admittedTotal: number;
	/** Of admittedTotal, admitted from the back-of-line lane (absent from an older object: 0). */
	admittedBack?: number;
	nowServing: number;
	/** Line numbers vacated while waiting, ascending; null if there are more than a snapshot carries. */
	holes: number[] | null;
	/** Out of stock with no grant outstanding: whoever waits is told SOLD_OUT. */
	soldOut: boolean;
}

export interface QueueStats {
	queued: number;
	admitted: number;
	active: number;
	completed: number;
	left: number;
	denied: number;
	expired: number;
	admittedLastMinute: number;
	nowServing: number;
}
