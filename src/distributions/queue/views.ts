/**
 * What the queue's object answers merchants and the edge, built from its store: live counts, a
 * page of entries, and the progress snapshot a worker answers ticketed polls from. Pure reads of
 * QueueStore; owns no table and no schedule kind.
 */
import { isoSeconds } from "../../lib/time";
import type { StoredTimeline } from "../kernel/object";
import type { Entry, QueueStore } from "./store";
import { admitting, isSoldOut } from "./ticks";
import type { QueueProgress, QueueStats } from "./types";

/** Beyond this many holes, polls go to the object instead of the snapshot. */
const MAX_SNAPSHOT_HOLES = 10_000;

/** Live counts at `now`. */
export function queueStats(store: QueueStore, now: number): QueueStats {
	const c = store.countByStatus();
	return {
		queued: c.QUEUED,
		admitted: store.counter("admitted_total"),
		active: c.ADMITTED,
		completed: c.COMPLETED,
		left: c.LEFT,
		denied: c.DENIED,
		expired: c.EXPIRED,
		admittedLastMinute: store.admittedSince(now - 60_000),
		nowServing: store.counter("now_serving"),
	};
}

/** One entry of the merchant's page, with its place while waiting and a cursor for the next page. */
export function merchantEntryView(store: QueueStore, e: Entry) {
	return {
		cursor: e.rowid,
		consumerId: e.consumer_id,
		status: e.status,
		position: store.position(e),
		enteredAt: isoSeconds(e.entered_at),
		admittedAt: e.admitted_at == null ? null : isoSeconds(e.admitted_at),
		expiresAt: e.expires_at == null ? null : isoSeconds(e.expires_at),
		finishedAt: e.finished_at == null ? null : isoSeconds(e.finished_at),
		reason: e.reason,
	};
}

/** The admission frontier and the holes in the line (null when there are too many to ship). */
export function progressSnapshot(store: QueueStore, t: StoredTimeline, now: number): QueueProgress {
	return {
		encryptionSeed: t.encryptionSeed,
		admitting: admitting(t, now),
		admissionRate: t.admissionRate,
		admittedTotal: store.counter("admitted_total"),
		admittedBack: store.counter("admitted_back"),
		nowServing: store.counter("now_serving"),
		holes: store.holes(MAX_SNAPSHOT_HOLES),
		soldOut: isSoldOut(store),
	};
}
