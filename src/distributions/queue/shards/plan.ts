/**
 * Sharded entry (README "Queues", sharded entry): how a queue's enters spread over its
 * `entryShards` shard objects, and the one entry gate the queue's object and its shards both apply.
 *
 *  - A consumer's shard is HMAC-SHA-256(encryptionSeed, consumerId) mod k: keyed, so a shopper
 *    cannot pick (or pile onto) a shard, and fixed, so a consumer always has one place.
 *  - Shard `i` of queue `q` is the QueueShard object named `q:i`.
 *  - `entryShards` is fixed once the queue takes entries: a consumer's shard must not move while
 *    an arrival may wait in one.
 * Pure functions plus a per-isolate key cache; owns no table.
 */
import { conflict } from "../../../http/problems";
import type { DistributionRow } from "../../common/repo";
import { statusAt } from "../../common/status";
import type { QueueError } from "../types";

/** What the entry gate reads of a queue: its times and pre-queue. */
export interface GateTimes {
	type: "queue" | "draw" | "auction";
	openAt: number | null;
	closeAt: number | null;
	drawAt: number | null;
	settleAt: number | null;
	completedAt: number | null;
	prequeueSeconds: number;
}

/**
 * Today's entry rule, for a new arrival at `now`: null when it may enter (OPEN, or SCHEDULED
 * inside the pre-queue), else why not. The queue's object and every shard apply this same function.
 */
export function entryRefusal(t: GateTimes, now: number, soldOut: boolean): QueueError | null {
	const status = statusAt("queue", t, now);
	const prequeueFrom = (t.openAt ?? Number.POSITIVE_INFINITY) - t.prequeueSeconds * 1000;
	if (status === "DRAFT" || (status === "SCHEDULED" && now < prequeueFrom)) return "not_open";
	if (status !== "OPEN" && status !== "SCHEDULED") return "closed";
	if (status === "OPEN" && soldOut) return "sold_out";
	return null;
}

/** Whether the queue takes entries at `now` (OPEN or inside its pre-queue), sold out or not. */
export function takingEntries(t: GateTimes, now: number): boolean {
	const refusal = entryRefusal(t, now, false);
	return refusal === null;
}

/** The number of shards a queue row or timeline asks for (an older row or timeline has none: 1). */
export const shardsOf = (t: { entryShards?: number | null }) => Math.max(1, Math.min(64, t.entryShards ?? 1));

/** Shard `index` of queue `queueId`: the QueueShard object's name. */
export const shardName = (queueId: string, index: number) => `${queueId}:${index}`;

const keys = new Map<string, Promise<CryptoKey>>();

/** The consumer's shard, 0 … k−1. Invariant: the same (seed, consumer, k) always gives the same shard. */
export async function shardIndex(encryptionSeed: string, consumerId: string, k: number): Promise<number> {
	if (k <= 1) return 0;
	let key = keys.get(encryptionSeed);
	if (!key) {
		key = crypto.subtle.importKey(
			"raw",
			new TextEncoder().encode(`queue-shard|${encryptionSeed}`),
			{ name: "HMAC", hash: "SHA-256" },
			false,
			["sign"],
		);
		if (keys.size >= 1000) keys.clear();
		keys.set(encryptionSeed, key);
	}
	const mac = await crypto.subtle.sign("HMAC", await key, new TextEncoder().encode(consumerId));
	return new DataView(mac).getUint32(0) % k;
}

/**
 * A PUT that changes entryShards once the queue takes entries (OPEN, or inside its pre-queue) → 409:
 * consumers would move to other shards while their arrivals may still wait in the old ones.
 */
export function checkShardChange(before: DistributionRow, patch: Partial<DistributionRow>, now: number): void {
	if (patch.entryShards === undefined || patch.entryShards === before.entryShards) return;
	const status = statusAt("queue", before, now);
	if (status === "OPEN" || status === "SOLD_OUT" || takingEntries(before, now)) {
		throw conflict(
			"Cannot change entryShards of a queue taking entries",
			"entryShards is fixed once the queue opens for entry (its pre-queue included).",
		);
	}
}

/**
 * How long a shard that owes its report past openAt may stay silent (no batch since openAt, or
 * since its last one) before the queue's object shuffles the pre-queue without it: 10 flush
 * intervals. A shard draining a large pre-queue sends a batch per flush, so it is never silent.
 */
export const SHARD_SILENT_MS = 5_000;

/**
 * Whether a sharded pre-queue is shuffled at `now`, and which shards it still waits for.
 * `drainedTo[i]`: shard i has sent every arrival before this time; `heardAt[i]`: its last batch
 * (undefined: none since this instance started, `since`). Due once every shard has drained past
 * openAt, or every shard that has not has been silent for SHARD_SILENT_MS: a shard that stays down
 * must not hold the whole line, and its pre-queue, when it comes, is placed at the back instead.
 */
export function shuffleDue(
	openAt: number,
	drainedTo: readonly number[],
	heardAt: readonly (number | undefined)[],
	since: number,
	now: number,
): { due: boolean; waitingFor: number[] } {
	if (now < openAt) return { due: false, waitingFor: [] };
	const waitingFor = drainedTo.flatMap((at, i) => (at < openAt ? [i] : []));
	const silent = (i: number) => now - Math.max(openAt, heardAt[i] ?? since) >= SHARD_SILENT_MS;
	return { due: waitingFor.every(silent), waitingFor };
}
