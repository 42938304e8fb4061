/**
 * Answering "where am I in line?" at the edge. A waiting consumer's poll that carries
 * its ticket is computed in the worker from a snapshot of the queue's progress —
 * admitted so far, the now-serving number, the holes in the line — that each isolate
 * refreshes from the queue's object at most once a second (lib/snapshot.ts). The object then sees one
 * request per isolate per second instead of one per shopper per poll. Anyone the
 * snapshot cannot answer for certain (admitted or near it, left, denied, pre-queue,
 * a snapshot too large to ship, a back-of-line place) is asked about at the object, as before. A place read
 * this way is at most one second old; admissions are pushed live anyway.
 * Runs in the worker, not the object: owns no table and no schedule kind.
 */
import { isStale, type SecretRing, secretRing } from "../../lib/secrets";
import { Snapshots } from "../../lib/snapshot";
import { type OpenedTicket, openTicket, sealTicket, TICKET_TTL_MS } from "../../lib/tickets";
import { engineRef } from "../common/engine";
import { estimatedWaitSeconds } from "./admission";
import type { QueueProgress, QueueState } from "./object";
import { BACK_LANE } from "./store";

const SNAPSHOT_TTL_MS = 1000;
const snapshots = new Snapshots<QueueProgress | null>();

export function progressOf(env: Env, organizationId: string, queueId: string): Promise<QueueProgress | null> {
	// A failed read is kept as "ask the object" for the TTL too: the poll then goes to the object.
	return snapshots.get(`${organizationId}|${queueId}`, SNAPSHOT_TTL_MS, () =>
		engineRef(env, "queue", queueId)
			.progressSnapshot(organizationId)
			.catch(() => null),
	);
}

/** After a change made through this isolate (a leave), its next poll reads the object, not the old snapshot. */
export function forgetSnapshot(organizationId: string, queueId: string): void {
	snapshots.forget(`${organizationId}|${queueId}`);
}

/** Tickets already opened in this isolate: a consumer polls with the same ticket again and again. */
const opened = new Map<string, OpenedTicket | null>();
/** The APP_SECRET ring `opened` was filled under: after a rotation every ticket is opened again. */
let openedUnder: SecretRing | null = null;

async function openCached(env: Env, encryptionSeed: string, queueId: string, ticket: string) {
	const ring = secretRing(env.APP_SECRET);
	if (ring !== openedUnder) {
		opened.clear();
		openedUnder = ring;
	}
	const key = `${queueId}|${encryptionSeed}|${ticket}`;
	if (opened.has(key)) {
		const hit = opened.get(key) ?? null;
		return hit && hit.expiresAt > Date.now() ? hit : null;
	}
	const content = await openTicket(env.APP_SECRET, encryptionSeed, queueId, ticket);
	if (opened.size >= 50_000) opened.clear();
	opened.set(key, content);
	return content;
}

/** How many of the ascending `holes` are below `seq`, and whether `seq` is one of them. */
function holesBefore(holes: number[], seq: number): { count: number; isHole: boolean } {
	let lo = 0;
	let hi = holes.length;
	while (lo < hi) {
		const mid = (lo + hi) >> 1;
		if (holes[mid] < seq) lo = mid + 1;
		else hi = mid;
	}
	return { count: lo, isHole: holes[lo] === seq };
}

/**
 * The state of a consumer still waiting, from its ticket and the snapshot — or null when
 * only the queue's object can say (then ask it). `tokenConsumer`, when the poll also
 * carried an access token, must be the ticket's consumer.
 */
export async function waitingStateFromTicket(
	env: Env,
	organizationId: string,
	queueId: string,
	ticket: string,
	tokenConsumer?: string,
): Promise<QueueState | null> {
	const progress = await progressOf(env, organizationId, queueId);
	if (!progress?.admitting || !progress.holes) return null;
	const content = await openCached(env, progress.encryptionSeed, queueId, ticket);
	if (!content || content.seq == null || (tokenConsumer && content.consumerId !== tokenConsumer)) return null;
	// A back-of-line place depends on the whole front: only the object counts it.
	if (content.seq <= progress.nowServing || content.seq >= BACK_LANE) return null;
	const { count, isHole } = holesBefore(progress.holes, content.seq);
	if (isHole) return null;
	const position = content.seq - (progress.admittedTotal - (progress.admittedBack ?? 0)) - count;
	if (position < 1) return null;
	return {
		consumerId: content.consumerId,
		status: progress.soldOut ? "SOLD_OUT" : "QUEUED",
		position,
		estimatedWaitSeconds: progress.soldOut ? null : estimatedWaitSeconds(position, progress.admissionRate),
		// Sealed with a retired APP_SECRET version, or past half its life: handed back sealed anew.
		ticket:
			isStale(env.APP_SECRET, ticket) || content.expiresAt - Date.now() < TICKET_TTL_MS / 2
				? await sealTicket(env.APP_SECRET, progress.encryptionSeed, queueId, content)
				: ticket,
	};
}
