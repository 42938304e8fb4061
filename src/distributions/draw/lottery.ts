/**
 * The draw-v2 lifecycle between OPEN and DRAWN, as steps the object runs in its transactions:
 *  - `fixRound`: on every configure before the seal, R = the first beacon round at or after both
 *    drawAt and closeAt + the seal margin; once the log has records, a change of R or of the winner
 *    count is a `rules` record, so every receipt's R is explained by the log;
 *  - `seal`: at close, the log's size and root with R, which must still lie in the future (else R
 *    moves on, in the log, before the seal); `reseal`: a "draw now" moves R earlier, never past now;
 *  - `acceptBeacon` / `awaitBeacon`: a verified round R, or one more failed try and when to retry;
 *  - `rankNext`: rank keys for the next chunk of entries, once the beacon is in.
 * Owns no table and no schedule kind: it reads and writes the `draw` row and the log through the
 * stores it is given (store.ts, log-store.ts); the object owns the kinds that call it.
 */
import { effectiveClose } from "../common/status";
import type { StoredTimeline } from "../kernel/timeline";
import { type BeaconChain, beaconRound, type FetchFailure, roundAt, roundTime } from "./beacon";
import { DRAW_ALGORITHM, rankingKey, rankKeyer } from "./fairness";
import type { LogStore } from "./log-store";
import type { DrawRecord, DrawStore, FetchedBeacon } from "./store";

export type Lottery = { store: DrawStore; log: LogStore; chain: BeaconChain; sealMarginMs: number };

const fresh = (l: Lottery): DrawRecord => ({
	chain: l.chain.hash,
	round: 0,
	winnerCount: 0,
	sealMarginMs: l.sealMarginMs,
	seal: null,
	beacon: null,
	awaiting: null,
	rankedThrough: 0,
	drawnAt: null,
	rules: [],
});

export const recordOf = (l: Lottery): DrawRecord => l.store.record() ?? fresh(l);

/** Appends the draw's rules as they stand (record 0, or a change of them); returns the record that says so. */
function appendRules(l: Lottery, t: StoredTimeline, r: DrawRecord, now: number): DrawRecord {
	const { seq } = l.log.append({
		type: "rules",
		algorithm: DRAW_ALGORITHM,
		drawId: t.id,
		chain: r.chain,
		round: r.round,
		winnerCount: r.winnerCount,
		at: now,
	});
	return { ...r, rules: [...r.rules, { seq, round: r.round }] };
}

/** The log's first record, before its first entry. */
export function openLog(l: Lottery, t: StoredTimeline, now: number): void {
	if (l.log.head().size === 0) l.store.saveRecord(appendRules(l, t, recordOf(l), now));
}

/** R as the log stood at record `seq`: the round of the last `rules` record before it. */
export function roundAtRecord(r: DrawRecord, seq: number): number {
	let round = r.round;
	for (const rule of r.rules) if (rule.seq < seq) round = rule.round;
	return round;
}

/** When the draw may be drawn: drawAt, or R's time if later. */
export const drawTime = (l: Lottery, t: StoredTimeline, r: DrawRecord): number =>
	Math.max(t.drawAt ?? 0, roundTime(l.chain, r.round));

/** New settings, before the seal: R and the winner count follow them (in the log, once it has begun). */
export function fixRound(l: Lottery, t: StoredTimeline, now: number): DrawRecord {
	const r = recordOf(l);
	if (r.seal) return r;
	const close = effectiveClose("draw", t);
	const round = close == null ? 0 : beaconRound(l.chain, close, t.drawAt ?? close, r.sealMarginMs);
	const winnerCount = t.winnerCount ?? 0;
	if (round === r.round && winnerCount === r.winnerCount && l.store.record()) return r;
	let changed = { ...r, round, winnerCount };
	if (l.log.head().size > 0) changed = appendRules(l, t, changed, now);
	l.store.saveRecord(changed);
	return changed;
}

/**
 * Seals the log at close (once): size, root and R. If R's time has come already (a very late
 * close), R could be known to whoever seals, so it moves to the first round after now + margin,
 * recorded in the log before the seal.
 */
export function seal(l: Lottery, t: StoredTimeline, now: number): DrawRecord | null {
	fixRound(l, t, now);
	openLog(l, t, now);
	let r = recordOf(l);
	if (r.seal) return null;
	if (roundTime(l.chain, r.round) <= now)
		r = appendRules(l, t, { ...r, round: roundAt(l.chain, now + r.sealMarginMs) }, now);
	const head = l.log.head();
	const sealed = { ...r, seal: { size: head.size, root: head.root, round: r.round, sealedAt: now } };
	l.store.saveRecord(sealed);
	return sealed;
}

/**
 * A merchant's "draw now" after the seal: R may only move earlier, to the first round after
 * now + margin, and only while the sealed R is still unknown — one more `rules` record and a new
 * seal over it. The earlier seal's log is a prefix of the new one (any holder can check), and no
 * one can move R once a round it could move to has been seen: moving only earlier, never past now.
 */
export function reseal(l: Lottery, t: StoredTimeline, now: number): DrawRecord | null {
	const r = recordOf(l);
	if (!r.seal || r.beacon || r.drawnAt != null) return null;
	const earlier = roundAt(l.chain, Math.max(now + r.sealMarginMs, t.drawAt ?? 0));
	if (earlier >= r.seal.round || roundTime(l.chain, r.seal.round) <= now) return null;
	const moved = appendRules(l, t, { ...r, round: earlier }, now);
	const head = l.log.head();
	const sealed = { ...moved, seal: { size: head.size, root: head.root, round: earlier, sealedAt: now } };
	l.store.saveRecord(sealed);
	return sealed;
}

/** Whether the beacon should be asked now: sealed, not yet fetched, and its time has come. */
export function beaconDue(l: Lottery, t: StoredTimeline, now: number): boolean {
	const r = l.store.record();
	return !!r?.seal && !r.beacon && r.drawnAt == null && now >= drawTime(l, t, r);
}

export function acceptBeacon(l: Lottery, beacon: FetchedBeacon): boolean {
	const r = recordOf(l);
	if (r.beacon || !r.seal || beacon.round !== r.seal.round) return false;
	l.store.saveRecord({ ...r, beacon, awaiting: null });
	return true;
}

/** Records a failed fetch; returns when to try again. */
export function awaitBeacon(l: Lottery, failure: FetchFailure, now: number, retryDelayMs: (n: number) => number) {
	const r = recordOf(l);
	const attempts = (r.awaiting?.attempts ?? 0) + 1;
	const lastFailure =
		failure.reason === "not-yet"
			? `round ${r.round} is not out yet`
			: failure.failures.map((f) => `${f.relay}: ${f.kind} (${f.detail})`).join("; ") || "no relay configured";
	l.store.saveRecord({ ...r, awaiting: { since: r.awaiting?.since ?? now, attempts, lastFailure } });
	return failure.reason === "not-yet" ? failure.availableAt : now + retryDelayMs(attempts - 1);
}

/** Ranks the next `limit` entries; true once every entry has its rank key. */
export function rankNext(l: Lottery, drawId: string, limit: number, keyers: Map<string, (id: string) => string>) {
	const r = recordOf(l);
	if (!r.seal || !r.beacon) return false;
	const cacheKey = `${r.seal.root}|${r.beacon.randomness}`;
	let keyOf = keyers.get(cacheKey);
	if (!keyOf) {
		keyOf = rankKeyer(rankingKey(drawId, r.seal.root, r.beacon.randomness));
		keyers.clear();
		keyers.set(cacheKey, keyOf);
	}
	const done = l.store.rankNext(keyOf, r.rankedThrough, limit);
	if (done.last != null) l.store.saveRecord({ ...r, rankedThrough: done.last });
	return done.count < limit;
}
