/**
 * After the draw: wins, their claim windows, backfills and the losers' announcements, as steps
 * the object runs inside its alarm transactions. Owns no table: it writes `entries` through the
 * store it is given; the object owns the `claims` and `lost` kinds that call it.
 */

import type { EngineEventType } from "../../events/types";
import { newId } from "../../lib/ids";
import { isoSeconds } from "../../lib/time";
import type { StoredTimeline } from "../kernel/timeline";
import type { DrawEntry, DrawStore } from "./store";
import type { DrawKind } from "./types";

const DEFAULT_CLAIM_WINDOW_SECONDS = 86_400;
/** Consumer ids per `draw.consumer.lost` event (≈ 33 KB: well inside a queue message's 128 KB). */
export const LOST_CHUNK = 1000;
/** Losers announced per run of `lost`: 10 events every 250 ms, so a million losers take ≈ 25 s. */
const LOST_PER_RUN = 10 * LOST_CHUNK;

/** What the award steps need from the object: its entries, its events and its schedule. */
export interface AwardParts {
	store: DrawStore;
	emit(type: EngineEventType, data: Record<string, unknown>, now: number): void;
	scheduleAt(kind: DrawKind, at: number): void;
}

/** `items` in runs of at most `size`, in order. */
export function chunked<T>(items: T[], size: number): T[][] {
	const out: T[][] = [];
	for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
	return out;
}

/** Each entry wins, with a grant for the claim window; the window's end is scheduled. */
export function award(p: AwardParts, t: StoredTimeline | null, entries: DrawEntry[], now: number, backfilled: boolean) {
	const claimBy = now + (t?.claimWindowSeconds ?? DEFAULT_CLAIM_WINDOW_SECONDS) * 1000;
	for (const e of entries) {
		p.store.win(e, now, claimBy, newId("adm"), backfilled);
		p.emit(
			"draw.consumer.won",
			{ consumerId: e.consumer_id, entryId: e.entry_id, backfilled, claimBy: isoSeconds(claimBy) },
			now,
		);
	}
	if (entries.length) p.scheduleAt("claims", claimBy);
}

/**
 * Expires wins past their claim window; with backfill, each place passes to the next in rank
 * order. Returns how many places were passed on and when the next window ends.
 */
export function expireClaims(p: AwardParts, t: StoredTimeline | null, now: number) {
	const expired = p.store.expiredClaims(now);
	for (const e of expired) {
		p.store.setStatus(e.consumer_id, "EXPIRED", now);
		p.emit("draw.consumer.expired", { consumerId: e.consumer_id, entryId: e.entry_id }, now);
	}
	const passed = t?.backfill && expired.length ? p.store.nextRanked(expired.length) : [];
	if (passed.length) award(p, t, passed, now, true);
	return { passed: passed.length, next: p.store.earliestClaimBy() };
}

/**
 * `draw.consumer.lost` for everyone not drawn, in rank order: one event per LOST_CHUNK consumer
 * ids, LOST_PER_RUN per run, so a large draw never floods one alarm. Paced (40,000 losers a
 * second at most), so announcing a huge draw leaves room for everything else.
 */
export function announceLost(p: AwardParts, now: number): number | null {
	const lost = p.store.nextLost(LOST_PER_RUN);
	for (const consumerIds of chunked(
		lost.map((e) => e.consumer_id),
		LOST_CHUNK,
	)) {
		p.emit("draw.consumer.lost", { consumerIds }, now);
	}
	return lost.length === LOST_PER_RUN ? now + 250 : null;
}
