/**
 * DrawObject — one lottery (extends DistributionObject: timeline, agenda, status sync,
 * outbox, grant holds).
 *
 * Tables (migration list "draw", store.ts): `entries` (one per consumer, with its rank
 * key HMAC(seed, entryId) fixed at entry), `fairness` (seed, commitment, count, Merkle
 * root), `merkle` (the tree, level by level: merkle-store.ts).
 * Transitions: CLOSED seals the entries into the Merkle tree; DRAWN makes the first
 * winnerCount entries in rank order winners, each with a grant for the claim window.
 * Schedule kinds: `claims` expires unclaimed wins and, with backfill, passes each place
 * to the next entrant in rank order; `lost` announces the others, 1,000 consumer ids an event.
 * COMPLETED once no win is left open.
 */
import { newId } from "../../lib/ids";
import { isoSeconds } from "../../lib/time";
import { ok, type Reply, refuse } from "../common/reply";
import { statusAt } from "../common/status";
import { EntryTickets, resolveWho, type Who } from "../common/tickets";
import type { GrantOrder, GrantState } from "../kernel/grants";
import { migrate } from "../kernel/migrations";
import { DistributionObject, type StoredTimeline } from "../kernel/object";
import { MerkleStore } from "./merkle-store";
import { receiptOf } from "./receipt";
import { DRAW_MIGRATIONS, type DrawEntry, DrawStore, grantOf } from "./store";

const DEFAULT_CLAIM_WINDOW_SECONDS = 86_400;
/** Consumer ids per `draw.consumer.lost` event (≈ 33 KB: well inside a queue message's 128 KB). */
export const LOST_CHUNK = 1000;
/** Losers announced per run of `lost`: 10 events every 250 ms, so a million losers take ≈ 25 s. */
const LOST_PER_RUN = 10 * LOST_CHUNK;

export type DrawError = "not_found" | "not_open" | "closed" | "full" | "not_entered" | "bad_ticket";
export type DrawReply<T> = Reply<T, DrawError>;
export type DrawConsumerStatus = "ENTERED" | "WON" | "LOST" | "LEFT" | "CLAIMED" | "EXPIRED";
/** The draw's own schedule kinds. */
export type DrawKind = "claims" | "lost";

export interface DrawState {
	consumerId: string;
	/** Follows this entry without the access token (`X-Draw-Ticket`): sealed to the draw and the consumer. */
	ticket: string;
	status: DrawConsumerStatus;
	receipt: {
		entryId: string;
		enteredAt: string;
		commitment: string;
		/** EdDSA JWT over the entry and the commitment: proof that this entry was accepted. */
		signature: string;
		/** After close: where the entry sits in the Merkle tree, and the path to the root. */
		leafIndex?: number;
		merkleRoot?: string;
		inclusionProof?: { sibling: string | null; side: "left" | "right" }[];
	};
	admissionToken?: string;
	claimBy?: string;
}

/** `items` in runs of at most `size`, in order. */
export function chunked<T>(items: T[], size: number): T[][] {
	const out: T[][] = [];
	for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
	return out;
}

/** Once drawn, an entry still ENTERED was not picked. */
const consumerStatus = (e: DrawEntry, drawn: boolean): DrawConsumerStatus =>
	e.status === "ENTERED" && drawn ? "LOST" : e.status;

export class DrawObject extends DistributionObject<DrawKind> {
	private store!: DrawStore;
	private tree!: MerkleStore;

	protected override onMigrate(): void {
		migrate(this.sql, "draw", DRAW_MIGRATIONS);
		this.store = new DrawStore(this.sql);
		this.tree = new MerkleStore(this.sql);
	}

	/** The seed (and so the public commitment) exists from the first configure on. */
	protected override onConfigure(): void {
		this.store.fairness();
	}

	/** One entry per consumer (entering again returns it). Invariant: never more than maxEntries ENTERED. */
	async enter(organizationId: string, consumerId: string): Promise<DrawReply<DrawState>> {
		return this.act(organizationId, consumerId, (now, t, entry) => {
			if (entry && entry.status !== "LEFT") return ok(entry);
			const status = statusAt("draw", t, now);
			if (status === "DRAFT" || status === "SCHEDULED") return refuse("not_open");
			if (status !== "OPEN") return refuse("closed");
			if (t.maxEntries != null && this.store.entered() >= t.maxEntries) return refuse("full");
			this.store.enter(consumerId, entry?.entry_id ?? newId("ent"), now);
			this.emit("draw.consumer.entered", { consumerId }, now);
			return ok(this.store.entry(consumerId) as DrawEntry);
		});
	}

	/** Withdraws an entry while the draw is OPEN. Invariant: an entry that left keeps its entry id for a re-entry. */
	async leave(organizationId: string, consumerId: string): Promise<DrawReply<DrawState>> {
		return this.act(organizationId, consumerId, (now, t, entry) => {
			if (!entry) return refuse("not_entered");
			if (statusAt("draw", t, now) !== "OPEN") return refuse("closed");
			if (entry.status === "ENTERED") {
				this.store.setStatus(consumerId, "LEFT", now);
				this.emit("draw.consumer.left", { consumerId }, now);
			}
			return ok(this.store.entry(consumerId) as DrawEntry);
		});
	}

	/** The consumer's entry, receipt and (while it holds a win) grant — by access token or ticket. Reads only. */
	async state(organizationId: string, who: string | Who): Promise<DrawReply<DrawState>> {
		return this.act(organizationId, who, (_now, _t, entry) => (entry ? ok(entry) : refuse("not_entered")));
	}

	/**
	 * The proof's winner lists (every entrant may fetch the proof at once after the draw):
	 * read once, then kept until the next award (a backfill) changes them.
	 */
	private proofWinners: { winners: string[]; backfills: string[] } | null = null;

	/**
	 * What anyone may check: the commitment from the start, count and root from close, the
	 * seed and ranking from the draw. Reads only; the seed never shows before the draw.
	 */
	async proof(organizationId: string) {
		return this.caughtUp(() => {
			const t = this.timelineOf(organizationId);
			if (!t) return null;
			const f = this.store.fairness();
			const drawn = f.drawn_at != null;
			if (drawn && !this.proofWinners) {
				const all = this.store.winners();
				this.proofWinners = {
					winners: all.filter((w) => !w.backfilled).map((w) => w.entry_id),
					backfills: all.filter((w) => w.backfilled).map((w) => w.entry_id),
				};
			}
			const lists = drawn && this.proofWinners ? this.proofWinners : { winners: [], backfills: [] };
			return {
				drawId: t.id,
				status: statusAt("draw", t, Date.now()),
				algorithm: "fanfare-edge/draw-v1",
				commitment: f.commitment,
				entryCount: f.entry_count,
				merkleRoot: f.merkle_root,
				seed: drawn ? f.seed : null,
				winnerCount: t.winnerCount,
				winners: lists.winners,
				backfills: lists.backfills,
				drawnAt: f.drawn_at == null ? null : isoSeconds(f.drawn_at),
			};
		});
	}

	/** Merchant: every winner and former winner, best rank first. Reads only. */
	async results() {
		await this.caughtUp(() => null);
		return this.store.winners().map((w) => ({
			entryId: w.entry_id,
			consumerId: w.consumer_id,
			status: w.status,
			backfilled: w.backfilled === 1,
			wonAt: isoSeconds(w.won_at ?? 0),
			claimBy: isoSeconds(w.claim_by ?? 0),
			finishedAt: w.finished_at == null ? null : isoSeconds(w.finished_at),
		}));
	}

	/** Merchant: a page of entries, newest first. Reads only. */
	async entries(limit: number, beforeOrdinal: number | null) {
		await this.caughtUp(() => null);
		const drawn = this.store.fairness().drawn_at != null;
		return this.store.page(limit, beforeOrdinal).map((e) => ({
			cursor: e.ordinal,
			entryId: e.entry_id,
			consumerId: e.consumer_id,
			status: consumerStatus(e, drawn),
			enteredAt: isoSeconds(e.entered_at),
		}));
	}

	/** Sealed entry ids in leaf order, for the public export; null before the draw closes. Reads only. */
	async exportChunk(afterLeaf: number, limit: number): Promise<string[] | null> {
		return this.caughtUp(() =>
			this.store.fairness().merkle_root == null ? null : this.store.leaves(afterLeaf, limit),
		);
	}

	override participantCount(): number {
		const c = this.store.countByStatus();
		return c.ENTERED + c.WON + c.CLAIMED + c.EXPIRED;
	}

	// ── kernel hooks ───────────────────────────────────────────────────────

	protected override onGrantLookup(consumerId: string): GrantState | null {
		return grantOf(this.store.entry(consumerId));
	}

	/** The winner checked out: CLAIMED. */
	protected override onGrantUsed(consumerId: string, order: GrantOrder, now: number): void {
		const entry = this.store.entry(consumerId);
		if (!entry) return;
		this.store.claim(entry, now, order.orderId ?? null, order.orderAmount ?? null);
		this.emit("draw.consumer.claimed", { consumerId, ...order }, now);
		this.checkCompletion(now);
	}

	protected override onTransition(status: string, now: number): void {
		if (status === "CLOSED") this.tree.seal();
		if (status === "DRAWN") this.draw(now);
	}

	protected override onSchedule(kind: DrawKind, now: number): number | null {
		if (kind === "lost") return this.announceLost(now);
		if (kind === "claims") return this.expireClaims(now);
		// A kind this version does not run (written by an older one) is dropped.
		return null;
	}

	// ── the draw ───────────────────────────────────────────────────────────

	/** Exactly min(winnerCount, entries) winners, the first in rank order. Runs once: DRAWN is recorded once. */
	private draw(now: number): void {
		const t = this.timeline();
		if (!t) return;
		if (this.store.fairness().merkle_root == null) this.tree.seal();
		this.store.markDrawn(now);
		this.award(this.store.nextRanked(t.winnerCount ?? 0), now, false);
		this.scheduleAt("lost", now);
		this.checkCompletion(now);
	}

	private award(entries: DrawEntry[], now: number, backfilled: boolean): void {
		this.proofWinners = null;
		const t = this.timeline();
		const claimBy = now + (t?.claimWindowSeconds ?? DEFAULT_CLAIM_WINDOW_SECONDS) * 1000;
		for (const e of entries) {
			this.store.win(e, now, claimBy, newId("adm"), backfilled);
			this.emit(
				"draw.consumer.won",
				{ consumerId: e.consumer_id, entryId: e.entry_id, backfilled, claimBy: isoSeconds(claimBy) },
				now,
			);
		}
		if (entries.length) this.scheduleAt("claims", claimBy);
	}

	/** Expires wins past their claim window; with backfill, each place passes to the next in rank order. */
	private expireClaims(now: number): number | null {
		const t = this.timeline();
		const expired = this.store.expiredClaims(now);
		for (const e of expired) {
			this.store.setStatus(e.consumer_id, "EXPIRED", now);
			this.emit("draw.consumer.expired", { consumerId: e.consumer_id, entryId: e.entry_id }, now);
		}
		if (t?.backfill && expired.length) this.award(this.store.nextRanked(expired.length), now, true);
		this.checkCompletion(now);
		return this.store.earliestClaimBy();
	}

	/**
	 * `draw.consumer.lost` for everyone not drawn, in rank order: one event per LOST_CHUNK
	 * consumer ids, LOST_PER_RUN per run, so a large draw never floods one alarm.
	 */
	private announceLost(now: number): number | null {
		const lost = this.store.nextLost(LOST_PER_RUN);
		for (const consumerIds of chunked(
			lost.map((e) => e.consumer_id),
			LOST_CHUNK,
		)) {
			this.emit("draw.consumer.lost", { consumerIds }, now);
		}
		// Paced (40,000 losers a second at most), so announcing a huge draw leaves room for everything else.
		return lost.length === LOST_PER_RUN ? now + 250 : null;
	}

	/** Every win is settled (claimed, or expired with no one left to take it): COMPLETED. */
	private checkCompletion(now: number): void {
		if (this.store.fairness().drawn_at == null) return;
		if (this.store.openWins() === 0) this.complete(now);
	}

	// ── plumbing ───────────────────────────────────────────────────────────

	/** Catches up and runs `fn` on the consumer's entry in one transaction; answers with the entry as the consumer sees it. */
	private readonly tickets = new EntryTickets();

	private async act(
		organizationId: string,
		who: string | Who,
		fn: (now: number, t: StoredTimeline, entry: DrawEntry | null) => DrawReply<DrawEntry>,
	): Promise<DrawReply<DrawState>> {
		const t = this.timelineOf(organizationId);
		if (!t) return refuse("not_found");
		const consumerId = typeof who === "string" ? who : await resolveWho(this.tickets, this.env.APP_SECRET, t, who);
		if (!consumerId) return refuse("bad_ticket");
		const reply = await this.transact((now) => fn(now, this.timeline() ?? t, this.store.entry(consumerId)));
		return reply.ok ? ok(await this.describe(reply.value)) : reply;
	}

	private async describe(e: DrawEntry): Promise<DrawState> {
		const t = this.timeline();
		if (!t) throw new Error("draw without timeline");
		const f = this.store.fairness();
		const state: DrawState = {
			consumerId: e.consumer_id,
			ticket: await this.tickets.seal(this.env.APP_SECRET, t, { consumerId: e.consumer_id, seq: null }),
			status: consumerStatus(e, f.drawn_at != null),
			receipt: await receiptOf(this.env.JWT_SIGNING_KEY, t, f, e, this.tree),
		};
		const grant = await this.liveGrant(e.consumer_id, grantOf(e));
		if (grant) {
			state.admissionToken = grant.token;
			state.claimBy = isoSeconds(grant.expiresAt);
		}
		return state;
	}
}
