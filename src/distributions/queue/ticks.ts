/**
 * The queue's admission tick — the schedule kind `admit` — applied to the line: expires
 * sessions past their grant, then admits in line order as decideAdmission (admission.ts)
 * allows, each with a grant for one session; and says when the tick is due again.
 * Writes `entries` and `counters` (next_slot_at, paused, …) through QueueStore, inside the
 * caller's transaction; events go out through the `emit` it is given.
 */
import type { EngineEventType } from "../../events/types";
import { newId } from "../../lib/ids";
import { isoSeconds } from "../../lib/time";
import { statusAt } from "../common/status";
import type { StoredTimeline } from "../kernel/object";
import { decideAdmission, nextTickAt, type QueueNow, sessionEndsAt, soldOut } from "./admission";
import { SHARD_SILENT_MS, shardsOf } from "./shards/plan";
import type { QueueStore } from "./store";

type Emit = (type: EngineEventType, data: Record<string, unknown>, now: number) => void;

/** OPEN admits; CLOSED still drains the line; before opening or once completed, nobody. */
export function admitting(t: StoredTimeline, now: number): boolean {
	const status = statusAt("queue", t, now);
	return status === "OPEN" || status === "CLOSED";
}

function queueNow(store: QueueStore, t: StoredTimeline, now: number): QueueNow {
	return {
		now,
		admitting: admitting(t, now),
		admissionRate: t.admissionRate,
		maxCapacity: t.maxCapacity,
		active: store.active(),
		waiting: store.waiting(),
		nextSlotAt: store.counter("next_slot_at"),
		stock: store.stock(),
	};
}

/**
 * Expires sessions past their grant, then admits up to `limit` — with `rated`, only the
 * slots due since the last tick — never past maxCapacity. Returns whom it admitted, in line order.
 */
export function admitDue(
	store: QueueStore,
	t: StoredTimeline,
	now: number,
	limit: number,
	rated: boolean,
	emit: Emit,
): string[] {
	for (const e of store.expiredSessions(now)) {
		store.finish(e, "EXPIRED", now);
		emit("queue.consumer.expired", { consumerId: e.consumer_id }, now);
	}
	const input = { ...queueNow(store, t, now), limit, rated, paused: store.counter("paused") !== 0 };
	let decision = decideAdmission(input);
	const admitted: string[] = [];
	while (admitted.length < decision.admit) {
		const next = store.nextQueued();
		if (!next) {
			// The counters promised more than the line holds: keep the cadence true to what was admitted.
			decision = decideAdmission({ ...input, waiting: admitted.length });
			break;
		}
		const expiresAt = sessionEndsAt(now, t.sessionDurationSeconds);
		store.admit(next, now, expiresAt, newId("adm"));
		emit("queue.consumer.admitted", { consumerId: next.consumer_id, expiresAt: isoSeconds(expiresAt) }, now);
		admitted.push(next.consumer_id);
	}
	if (decision.cadence) {
		store.setCounter("next_slot_at", decision.cadence.nextSlotAt);
		store.setCounter("paused", decision.cadence.paused ? 1 : 0);
	}
	return admitted;
}

/** When the tick should run next: the next slot (if anyone waits and there is room) or the next expiry. */
export function nextTick(store: QueueStore, t: StoredTimeline, now: number): number | null {
	const next = nextTickAt({ ...queueNow(store, t, now), earliestExpiry: store.earliestExpiry() });
	// A closed sharded queue looks once more when it may complete (`drained`).
	const check = shardsOf(t) > 1 && statusAt("queue", t, now) === "CLOSED" ? completionCheckAt(t) : null;
	if (check == null || check <= now) return next;
	return next == null ? check : Math.min(next, check);
}

/** Out of stock with no grant outstanding: nobody waiting can be admitted until a restock. */
export const isSoldOut = (store: QueueStore) => soldOut({ stock: store.stock(), active: store.active() });

/**
 * Closed and nobody waiting (or nobody who can still be admitted: sold out) or admitted: the queue is
 * done. A sharded queue's shards may still hold arrivals from before the close, sent within a flush
 * or two: it is done no sooner than SHARD_SILENT_MS after closeAt (`completionCheckAt`), or those
 * would land QUEUED in a COMPLETED queue and never be admitted.
 */
export function drained(store: QueueStore, t: StoredTimeline, now: number): boolean {
	if (statusAt("queue", t, now) !== "CLOSED" || store.active() !== 0) return false;
	if (shardsOf(t) > 1 && now < completionCheckAt(t)) return false;
	return store.queued() === 0 || isSoldOut(store);
}

/** When a closed sharded queue may first complete (its object looks then, by its admission tick). */
export const completionCheckAt = (t: StoredTimeline) => (t.closeAt ?? 0) + SHARD_SILENT_MS;
