/**
 * What anyone may read about a draw, built from its stores: the proof (chain, R, the log's head,
 * the signed seal, the beacon and the winners) and the public log with its RFC 9162 proofs.
 * Owns no table and no schedule kind; reads only. Nothing here, at any time, predicts a winner
 * before R exists: ranks are only written after the beacon is in (lottery.ts).
 */
import { hex, sha256, utf8 } from "../../lib/sha256";
import { isoInstant, isoSeconds } from "../../lib/time";
import { statusAt } from "../common/status";
import type { StoredTimeline } from "../kernel/timeline";
import { roundTime } from "./beacon";
import { type Lottery, recordOf } from "./lottery";
import { signedSeal } from "./receipt";

export type WinnerLists = { winners: string[]; backfills: string[] };

/** The winners and backfills, in rank order, as the proof lists them. */
export function winnerLists(l: Lottery): WinnerLists {
	const all = l.store.winners();
	return {
		winners: all.filter((w) => !w.backfilled).map((w) => w.entry_id),
		backfills: all.filter((w) => w.backfilled).map((w) => w.entry_id),
	};
}

/** The draw's beacon and seal as they stand: what the proof and the live feed both show. */
export async function drawHeadline(l: Lottery, t: StoredTimeline, signingKey: string, now: number) {
	const r = recordOf(l);
	const round = r.seal?.round ?? r.round;
	return {
		drawId: t.id,
		status: statusAt("draw", t, now),
		round: round || null,
		roundAt: round ? isoInstant(roundTime(l.chain, round)) : null,
		log: l.log.head(),
		seal: r.seal ? await signedSeal(signingKey, t, r.seal) : null,
		awaitingBeacon: r.awaiting && !r.beacon ? { ...r.awaiting, since: isoInstant(r.awaiting.since) } : null,
		drawnAt: r.drawnAt == null ? null : isoSeconds(r.drawnAt),
	};
}

/** The public proof; `lists` are the winners once drawn (the caller keeps them between awards). */
export async function proofOf(l: Lottery, t: StoredTimeline, signingKey: string, lists: WinnerLists | null) {
	const r = recordOf(l);
	const { drawId, status, round, roundAt, log, seal, awaitingBeacon, drawnAt } = await drawHeadline(
		l,
		t,
		signingKey,
		Date.now(),
	);
	return {
		drawId,
		status,
		algorithm: "fanfare-edge/draw-v2" as const,
		chain: {
			hash: l.chain.hash,
			publicKey: l.chain.publicKey,
			period: l.chain.period,
			genesisTime: l.chain.genesisTime,
			dev: l.chain.dev,
		},
		round,
		roundAt,
		sealMarginMs: r.sealMarginMs,
		log,
		seal,
		beacon: r.beacon ? { round: r.beacon.round, signature: r.beacon.signature, randomness: r.beacon.randomness } : null,
		awaitingBeacon,
		winnerCount: t.winnerCount,
		winners: lists?.winners ?? [],
		backfills: lists?.backfills ?? [],
		drawnAt,
	};
}

/** A proof as sent: its JSON text, and a strong ETag over exactly those bytes. */
export type ProofBody = { body: string; etag: string };

export function proofBody(proof: object): ProofBody {
	const body = JSON.stringify(proof);
	return { body, etag: `"${hex(sha256(utf8(body))).slice(0, 32)}"` };
}

/** Records after `afterSeq` (canonical JSON), never past `upTo` (the head the caller started from) nor the seal. */
export function logChunk(l: Lottery, afterSeq: number, limit: number, upTo?: number) {
	const r = recordOf(l);
	const head = r.seal ?? l.log.head();
	const end = Math.min(upTo ?? head.size, head.size);
	return { head: { size: head.size, root: head.root }, sealed: !!r.seal, records: l.log.records(afterSeq, limit, end) };
}

/** RFC 9162 proofs: a record in the tree of `size` (default: the head), or `from` grown into `size`. */
export function logProof(l: Lottery, query: { seq?: number; from?: number; size?: number }) {
	const head = l.log.head().size;
	const q = { ...query, size: query.size ?? head };
	if (q.size > head || (q.seq != null && q.seq >= q.size) || (q.from != null && q.from > q.size)) {
		return "out_of_range" as const;
	}
	return {
		size: q.size,
		root: l.log.rootAt(q.size) as string,
		...(q.seq != null && { seq: q.seq, inclusionProof: l.log.inclusion(q.seq, q.size) }),
		...(q.from != null && {
			from: q.from,
			fromRoot: l.log.rootAt(q.from) as string,
			consistencyProof: l.log.consistency(q.from, q.size),
		}),
	};
}
