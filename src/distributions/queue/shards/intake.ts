/**
 * The queue object's side of sharded entry (README "Queues", sharded entry): ingesting a shard's
 * batch of arrivals, the shuffle of a pre-queue spread over k shards, and telling the shards the
 * gate they refuse enters by. Composed by QueueObject; runs inside its transactions.
 *
 * Emits `queue.consumer.entered` with `consumerIds`: one event per batch (ENTERED_CHUNK ids at most).
 * Counters it owns in the queue's `counters` table (written through QueueStore):
 * `shard_seq_<i>` (the last seq of shard i ingested: a re-sent batch at or below it is skipped),
 * `shard_drained_<i>` (shard i has sent every arrival before this time), `shards_placed` (1 once
 * the sharded pre-queue was shuffled). No alarms: the shards' own alarms drive the flushes, and
 * while the shuffle waits the queue's admission tick asks the shards it waits for to flush (`nudge`).
 */

import type { EngineEventType } from "../../../events/types";
import type { StoredTimeline } from "../../kernel/object";
import type { Entry, Lane, QueueStore } from "../store";
import { isSoldOut } from "../ticks";
import { SHARD_SILENT_MS, shardName, shardsOf, shuffleDue } from "./plan";
import type { Arrival, IngestAck } from "./store";

/** What the intake needs of its object: its store, clock-free hooks, and the enter rule. */
export interface IntakeHost {
	store(): QueueStore;
	timeline(): StoredTimeline | null;
	env: Env;
	emit(type: EngineEventType, data: Record<string, unknown>, now: number): void;
	scheduleAdmit(now: number): void;
	/**
	 * The enter rule at an arrival's time, sold out excepted (the shard already answered the arrival);
	 * who entered is pushed to `entered` instead of an event each.
	 */
	enterAt(
		at: number,
		t: StoredTimeline,
		existing: Entry | null,
		consumerId: string,
		lane: Lane,
		entered: string[],
	): void;
}

/** How often a sharded pre-queue's shuffle, waiting for shards at open, looks again (and nudges them). */
export const SHARD_CHECK_MS = 1000;

/** Consumer ids per `queue.consumer.entered` event of a sharded queue (≈ 33 KB, as a draw's lost events). */
export const ENTERED_CHUNK = 1000;

export class ShardIntake {
	/** When each shard's last batch came, in this instance (a fresh one counts silence from its start). */
	private readonly heardAt: (number | undefined)[] = [];
	private readonly since = Date.now();
	/** Shards the waiting shuffle asks to flush once the tick that found them silent has run (`nudge`). */
	private silent: { t: StoredTimeline; shards: number[] } | null = null;

	constructor(private readonly host: IntakeHost) {}

	/**
	 * Shard `shard`'s batch, in its arrival order, inside the caller's transaction: each arrival goes
	 * through the enter rule at its arrival time, then its leave if it left while pending. Idempotent:
	 * an arrival at or below the shard's last acknowledged seq is never entered again. With a sharded
	 * pre-queue, arrivals from openAt on wait (unacknowledged) until every shard has reported past
	 * openAt and the shuffle has placed the whole pre-queue.
	 */
	ingest(shard: number, batch: Arrival[], drainedTo: number, now: number): IngestAck {
		const store = this.host.store();
		const t = this.host.timeline();
		if (!t) return { acked: batch.at(-1)?.seq ?? 0, soldOut: false, waiting: 0 };
		const seen = `shard_seq_${shard}`;
		let acked = store.counter(seen);
		const gated = shardsOf(t) > 1 && t.prequeueSeconds > 0 && t.openAt != null;
		let reported = drainedTo;
		const entered: string[] = [];
		const left: string[] = [];
		// Which arrivals have an entry already, in one statement instead of one per arrival: a shard holds one
		// row per consumer, so no earlier arrival of this batch creates one. Those few are read again when
		// reached (the pre-queue shuffle may have placed them since).
		const known = store.known(batch.filter((a) => a.seq > acked).map((a) => a.consumerId));
		for (const a of batch) {
			if (a.seq > acked) {
				if (gated && a.arrivedAt >= (t.openAt as number) && !store.counter("shards_placed")) {
					// Every earlier arrival of this shard is in: it has reported up to openAt.
					this.reportDrained(shard, t.openAt as number, now);
					if (!store.counter("shards_placed")) {
						reported = -1;
						break;
					}
				}
				const existing = known.has(a.consumerId) ? store.entry(a.consumerId) : null;
				this.host.enterAt(a.arrivedAt, t, existing, a.consumerId, a.lane, entered);
				acked = a.seq;
			}
			const e = a.leftAt == null ? null : store.entry(a.consumerId);
			if (e && a.leftAt != null && e.entered_at === a.arrivedAt && (e.status === "QUEUED" || e.status === "ADMITTED")) {
				store.finish(e, "LEFT", a.leftAt);
				left.push(a.consumerId);
			}
		}
		// One event per ENTERED_CHUNK arrivals (as draw.consumer.lost): an event each would be the
		// Queue's whole message budget at a million arrivals a minute (bench/README capacity model).
		for (let i = 0; i < entered.length; i += ENTERED_CHUNK) {
			this.host.emit("queue.consumer.entered", { consumerIds: entered.slice(i, i + ENTERED_CHUNK) }, now);
		}
		// After the entered events, so a subscriber never hears of a leave before its entry.
		for (const consumerId of left) this.host.emit("queue.consumer.left", { consumerId }, now);
		store.setCounter(seen, acked);
		// Heard only once its batch went through: a shard whose batches keep failing is as silent as a dead one.
		this.heardAt[shard] = now;
		if (gated && reported >= 0) this.reportDrained(shard, reported, now);
		this.host.scheduleAdmit(now);
		return { acked, soldOut: isSoldOut(store), waiting: store.queued() };
	}

	/** Whether this queue's pre-queue is spread over shards (its shuffle waits for them all). */
	shardedPrequeue(t: StoredTimeline): boolean {
		return shardsOf(t) > 1 && t.prequeueSeconds > 0;
	}

	/**
	 * A sharded pre-queue is shuffled once the queue is OPEN and every shard has reported past openAt,
	 * or those that have not stayed silent for SHARD_SILENT_MS (plan.ts `shuffleDue`). Returns the
	 * shards the shuffle still waits for (none once it ran): the admission tick nudges them.
	 */
	private shuffle(t: StoredTimeline, now: number): number[] {
		const store = this.host.store();
		if (store.counter("shards_placed") || t.openAt == null || now < t.openAt) return [];
		const drainedTo = Array.from({ length: shardsOf(t) }, (_, i) => store.counter(`shard_drained_${i}`));
		const { due, waitingFor } = shuffleDue(t.openAt, drainedTo, this.heardAt, this.since, now);
		if (!due) return waitingFor;
		if (waitingFor.length) {
			console.warn(
				`queue ${t.id}: pre-queue shuffled without shard(s) ${waitingFor.join(", ")}, silent for ${SHARD_SILENT_MS} ms since openAt; their pre-queue arrivals go to the back when they come`,
			);
		}
		store.setCounter("shards_placed", 1);
		store.placePrequeue(t.openAt);
		this.host.scheduleAdmit(now);
		return [];
	}

	/**
	 * At open and on each admission tick, in its transaction: shuffles when due; while the shuffle
	 * waits, remembers the shards it waits for (`nudge` after the tick). Returns when the tick should
	 * look again (SHARD_CHECK_MS on), or null once shuffled.
	 */
	awaitShards(t: StoredTimeline, now: number): number | null {
		const waitingFor = this.shuffle(t, now);
		if (!waitingFor.length) return null;
		this.silent = { t, shards: waitingFor };
		return now + SHARD_CHECK_MS;
	}

	/**
	 * After the tick: asks the shards the shuffle waits for to flush now, in case their own alarm
	 * stopped (the runtime gives up an alarm that keeps throwing). Best effort: a shard that is down
	 * stays silent, and the shuffle goes on without it once SHARD_SILENT_MS have passed.
	 */
	async nudge(): Promise<void> {
		const silent = this.silent;
		this.silent = null;
		if (!silent) return;
		const all = this.shards(silent.t);
		await Promise.allSettled(silent.shards.map((i) => all[i]?.flush()));
	}

	/** k RPCs: every shard gets the timeline and the sold-out flag (on configure and when sold out flips). */
	async pushGate(): Promise<void> {
		const t = this.host.timeline();
		if (!t || shardsOf(t) <= 1) return;
		const soldOut = isSoldOut(this.host.store());
		await Promise.all(this.shards(t).map((shard, i) => shard.setGate(t, i, soldOut)));
	}

	/** Wipes every shard of `t` (the queue is deleted): no arrival is left behind in any of them. */
	async destroyShards(t: StoredTimeline | null): Promise<void> {
		if (!t || shardsOf(t) <= 1) return;
		await Promise.all(this.shards(t).map((shard) => shard.destroy()));
	}

	private shards(t: StoredTimeline) {
		return Array.from({ length: shardsOf(t) }, (_, i) => this.host.env.QUEUE_SHARD.getByName(shardName(t.id, i)));
	}

	/** Shard `shard` has sent every arrival before `at`; once all have passed openAt, the pre-queue is shuffled. */
	private reportDrained(shard: number, at: number, now: number): void {
		const t = this.host.timeline();
		if (!t?.openAt) return;
		const store = this.host.store();
		const name = `shard_drained_${shard}`;
		if (at > store.counter(name)) store.setCounter(name, at);
		this.shuffle(t, now);
	}
}
