/**
 * DrawObject — one lottery, `fanfare-edge/draw-v2` (extends DistributionObject: timeline,
 * agenda, status sync, outbox, grant holds).
 *
 * Tables (migration list "draw", store.ts): `entries` (one per consumer), `tally`, `draw` (R, the
 * seal, the beacon), and the append-only entry log `log` + `log_nodes` (log-store.ts): every
 * entry and withdrawal is a record there, with a signed receipt naming its place and the root.
 * Transitions: CLOSED seals the log (size, root, R: lottery.ts) and publishes `draw.sealed`;
 * DRAWN is reached once beacon round R is fetched, verified and every entry ranked by it; the
 * first winnerCount entries win, each with a grant for the claim window.
 * Schedule kinds: `draw` — R's time has come: the alarm asks the relays (backing off while none
 * answers; the draw stays CLOSED, awaiting the beacon); `rank` — rank keys, RANK_CHUNK entries a
 * run, then the draw; `claims` expires unclaimed wins and, with backfill, passes each place to the
 * next entrant in rank order; `lost` announces the others, 1,000 consumer ids an event.
 * COMPLETED once no win is left open. What it answers: public-views.ts (the drawn proof kept by
 * proof-cache.ts) and merchant-views.ts.
 */
import { newId } from "../../lib/ids";
import { isoInstant, isoSeconds } from "../../lib/time";
import { ok, refuse } from "../common/reply";
import { statusAt } from "../common/status";
import { EntryTickets, resolveWho, type Who } from "../common/tickets";
import type { GrantOrder, GrantState } from "../kernel/grants";
import { addressTags, isUpgrade, overLiveCap } from "../kernel/live";
import { migrate } from "../kernel/migrations";
import { DistributionObject, type StoredTimeline } from "../kernel/object";
import { type AwardParts, announceLost, award, expireClaims } from "./awards";
import { type BeaconChain, chainFromEnv, fetchRound, retryDelayMs, roundTime, sealMarginFromEnv } from "./beacon";
import { DrawFeed } from "./live-feed";
import { LogStore } from "./log-store";
import {
	acceptBeacon,
	awaitBeacon,
	beaconDue,
	drawTime,
	fixRound,
	type Lottery,
	openLog,
	rankNext,
	recordOf,
	reseal,
	roundAtRecord,
	seal,
} from "./lottery";
import { consumerStatus, entryView, resultView } from "./merchant-views";
import { ProofCache } from "./proof-cache";
import { logChunk, logProof, type ProofBody } from "./public-views";
import { receiptOf } from "./receipt";
import { DRAW_MIGRATIONS, type DrawEntry, type DrawRecord, DrawStore, grantOf, RANK_CHUNK } from "./store";
import type { DrawKind, DrawReply, DrawState } from "./types";

export type { DrawConsumerStatus, DrawError, DrawKind, DrawReply, DrawState } from "./types";

export class DrawObject extends DistributionObject<DrawKind> {
	private store!: DrawStore;
	private log!: LogStore;
	private lotteryParts: Lottery | null = null;
	/** The rank keyer of the drawn beacon, built once (HMAC pads) for every chunk. */
	private readonly keyers = new Map<string, (entryId: string) => string>();
	/** The drawn proof, read and serialized once (proof-cache.ts). */
	private readonly proofs = new ProofCache(() => this.env.JWT_SIGNING_KEY);
	/** A relay request in flight: the next alarm does not ask again meanwhile. */
	private fetching = false;

	protected override onMigrate(): void {
		migrate(this.sql, "draw", DRAW_MIGRATIONS);
		this.store = new DrawStore(this.sql);
		this.log = new LogStore(this.sql);
	}

	protected override onStorageReset(): void {
		this.log.forget();
	}

	/** The stores and the chain (from the deployment's env: a misconfigured chain fails here, loudly). */
	private lottery(): Lottery {
		if (!this.lotteryParts) {
			const chain: BeaconChain = chainFromEnv(this.env);
			this.lotteryParts = { store: this.store, log: this.log, chain, sealMarginMs: sealMarginFromEnv(this.env, chain) };
		}
		return this.lotteryParts;
	}

	/** R follows the times until the seal; after it, a "draw now" may only move R earlier (a new seal). */
	protected override onConfigure(now: number): void {
		const t = this.timeline();
		if (!t) return;
		const l = this.lottery();
		const r = fixRound(l, t, now);
		if (!r.seal || r.drawnAt != null || r.beacon) return;
		const resealed = reseal(l, t, now);
		if (resealed) this.announceSeal(resealed, now);
		this.reschedule("draw", drawTime(l, t, resealed ?? r));
	}

	/** One entry per consumer (entering again returns it). Invariant: never more than maxEntries ENTERED; every entry is a log record. */
	async enter(organizationId: string, consumerId: string): Promise<DrawReply<DrawState>> {
		return this.act(organizationId, consumerId, (now, t, entry) => {
			if (entry && entry.status !== "LEFT") return ok(entry);
			const status = statusAt("draw", t, now);
			if (status === "DRAFT" || status === "SCHEDULED") return refuse("not_open");
			if (status !== "OPEN") return refuse("closed");
			if (t.maxEntries != null && this.store.entered() >= t.maxEntries) return refuse("full");
			const entryId = entry?.entry_id ?? newId("ent");
			openLog(this.lottery(), t, now);
			const { seq } = this.log.append({ type: "enter", entryId, at: now });
			this.store.enter(consumerId, entryId, now, seq);
			this.emit("draw.consumer.entered", { consumerId }, now);
			return ok(this.store.entry(consumerId) as DrawEntry);
		});
	}

	/** Withdraws an entry while the draw is OPEN. Invariant: the withdrawal is a log record; the entry's record stays. */
	async leave(organizationId: string, consumerId: string): Promise<DrawReply<DrawState>> {
		return this.act(organizationId, consumerId, (now, t, entry) => {
			if (!entry) return refuse("not_entered");
			if (statusAt("draw", t, now) !== "OPEN") return refuse("closed");
			if (entry.status === "ENTERED") {
				this.log.append({ type: "withdraw", entryId: entry.entry_id, at: now });
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
	 * What anyone may check, from creation on: the chain and R with its time; the log's head while
	 * OPEN; the signed seal from close; the beacon round, winners and backfills from the draw.
	 * Reads only. Nothing in it, at any time, predicts a winner before R exists.
	 */
	async proof(organizationId: string) {
		return this.caughtUp(async () => {
			const t = this.timelineOf(organizationId);
			return t ? this.proofs.proof(this.lottery(), t) : null;
		});
	}

	/**
	 * The same proof as its JSON text and ETag. Once drawn it is serialized once and kept until its
	 * status or the winner lists change (a backfill), so the public route ships one string, not the
	 * winner ids as an array to re-serialize. Reads only; the text is exactly `JSON.stringify(proof())`.
	 */
	async proofJson(organizationId: string): Promise<ProofBody | null> {
		return this.caughtUp(async () => {
			const t = this.timelineOf(organizationId);
			return t ? this.proofs.json(this.lottery(), t, Date.now()) : null;
		});
	}

	/** Merchant: every winner and former winner, best rank first. Reads only. */
	async results() {
		await this.caughtUp(() => null);
		return this.store.winners().map(resultView);
	}

	/** Merchant: a page of entries, newest first. Reads only. */
	async entries(limit: number, beforeOrdinal: number | null) {
		await this.caughtUp(() => null);
		const drawn = recordOf(this.lottery()).drawnAt != null;
		return this.store.page(limit, beforeOrdinal).map((e) => entryView(e, drawn));
	}

	/** The public log: canonical records after `afterSeq`, never past `upTo` nor the seal. Reads only. */
	async logChunk(organizationId: string, afterSeq: number, limit: number, upTo?: number) {
		return this.caughtUp(() =>
			this.timelineOf(organizationId) ? logChunk(this.lottery(), afterSeq, limit, upTo) : null,
		);
	}

	/** Merchant: entry ids still in the draw at close, in entry order; null before the seal. Reads only. */
	async exportChunk(afterOrdinal: number, limit: number) {
		return this.caughtUp(() => (recordOf(this.lottery()).seal ? this.store.sealedEntries(afterOrdinal, limit) : null));
	}

	/** RFC 9162 proofs on the public log: a record in the tree of `size`, or `from` grown into `size`. Reads only. */
	async logProof(organizationId: string, query: { seq?: number; from?: number; size?: number }) {
		return this.caughtUp(() => (this.timelineOf(organizationId) ? logProof(this.lottery(), query) : null));
	}

	// ── the live feed ──────────────────────────────────────────────────────

	private feedParts: DrawFeed | null = null;
	private get feed(): DrawFeed {
		this.feedParts ??= new DrawFeed(this.ctx, () => this.env.JWT_SIGNING_KEY);
		return this.feedParts;
	}

	/** Accepts a public live socket: the headline now, and again at every change of it (live-feed.ts). */
	override async fetch(request: Request): Promise<Response> {
		if (!isUpgrade(request)) return new Response("Expected a WebSocket upgrade", { status: 426 });
		const t = await this.caughtUp(() => this.timelineOf(request.headers.get("X-Organization-Id") ?? ""));
		if (!t) return new Response("Draw not found", { status: 404 });
		return overLiveCap(this.ctx, request, null) ?? this.feed.accept(this.lottery(), t, addressTags(request));
	}

	/** `ping` is answered; any other frame is dropped without work or reply. */
	override async webSocketMessage(ws: WebSocket, message: string | ArrayBuffer): Promise<void> {
		if (message === "ping") ws.send("pong");
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

	/** CLOSED: the log is sealed and the seal published (`draw.sealed`), before R exists. */
	protected override onTransition(status: string, now: number): void {
		if (status !== "CLOSED") return;
		const t = this.timeline();
		const sealed = t && seal(this.lottery(), t, now);
		if (!t || !sealed) return;
		this.announceSeal(sealed, now);
		this.scheduleAt("draw", drawTime(this.lottery(), t, sealed));
	}

	private announceSeal(r: DrawRecord, now: number): void {
		if (!r.seal) return;
		const { size, root, round, sealedAt } = r.seal;
		const roundAt = isoInstant(roundTime(this.lottery().chain, round));
		this.emit("draw.sealed", { size, root, round, roundAt, sealedAt: isoInstant(sealedAt) }, now);
		this.feed.push(this.lottery(), this.timeline());
	}

	protected override onSchedule(kind: DrawKind, now: number): number | null {
		if (kind === "draw") return this.store.record()?.beacon ? null : now + 1000; // a watchdog: the alarm fetches
		if (kind === "rank") return this.rank(now);
		if (kind === "lost") return announceLost(this.awards, now);
		if (kind === "claims") return this.expireClaims(now);
		// A kind this version does not run (written by an older one) is dropped.
		return null;
	}

	/** After an alarm: fetch R if it is due (the relays are asked outside any transaction). */
	protected override async onAdvanced(): Promise<void> {
		const t = this.timeline();
		if (!t || this.fetching || !beaconDue(this.lottery(), t, Date.now())) return;
		this.fetching = true;
		try {
			const l = this.lottery();
			const round = recordOf(l).seal?.round ?? 0;
			const got = await fetchRound(l.chain, round);
			const now = Date.now();
			this.atomically(() => {
				if (got.ok) {
					const fetched = {
						round: got.round,
						signature: got.signature,
						randomness: got.randomness,
						relay: got.relay,
						fetchedAt: now,
					};
					if (acceptBeacon(l, fetched)) {
						this.reschedule("draw", null);
						this.scheduleAt("rank", now);
					}
				} else {
					this.reschedule("draw", awaitBeacon(l, got, now, retryDelayMs));
				}
			});
			this.feed.push(this.lottery(), this.timeline());
			await this.arm();
		} finally {
			this.fetching = false;
		}
	}

	// ── the draw ───────────────────────────────────────────────────────────

	/** Ranks a chunk; once all are ranked, draws. */
	private rank(now: number): number | null {
		const t = this.timeline();
		if (!t || recordOf(this.lottery()).drawnAt != null) return null;
		if (!rankNext(this.lottery(), t.id, RANK_CHUNK, this.keyers)) return now;
		this.draw(now);
		return null;
	}

	/** Exactly min(winnerCount, entries) winners, the first in rank order. Runs once: DRAWN is recorded once. */
	private draw(now: number): void {
		const t = this.timeline();
		const l = this.lottery();
		const r = recordOf(l);
		if (!t || r.drawnAt != null) return;
		l.store.saveRecord({ ...r, drawnAt: now });
		this.drawn(now);
		this.feed.push(this.lottery(), this.timeline());
		this.proofs.forget();
		this.store.restoreRankIndex(); // already back with the last chunk (store.ts rankNext): a no-op
		award(this.awards, t, this.store.nextRanked(r.winnerCount), now, false);
		this.scheduleAt("lost", now);
		this.checkCompletion(now);
	}
	private get awards(): AwardParts {
		return {
			store: this.store,
			emit: (type, data, now) => this.emit(type, data, now),
			scheduleAt: (kind, at) => this.scheduleAt(kind, at),
		};
	}

	/** Expires wins past their claim window; a backfill changes the proof's lists. */
	private expireClaims(now: number): number | null {
		const { passed, next } = expireClaims(this.awards, this.timeline(), now);
		if (passed) {
			this.proofs.forget();
		}
		this.checkCompletion(now);
		return next;
	}

	/** Every win is settled (claimed, or expired with no one left to take it): COMPLETED. */
	private checkCompletion(now: number): void {
		if (this.store.record()?.drawnAt == null) return;
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
		const reply = await this.grouped((now) => fn(now, this.timeline() ?? t, this.store.entry(consumerId)));
		return reply.ok ? ok(await this.describe(reply.value)) : reply;
	}

	private async describe(e: DrawEntry): Promise<DrawState> {
		const t = this.timeline();
		if (!t || e.log_seq == null) throw new Error("draw entry without timeline or log record");
		const r = recordOf(this.lottery());
		const state: DrawState = {
			consumerId: e.consumer_id,
			ticket: await this.tickets.seal(this.env.APP_SECRET, t, { consumerId: e.consumer_id, seq: null }),
			status: consumerStatus(e, r.drawnAt != null),
			receipt: await receiptOf(
				this.env.JWT_SIGNING_KEY,
				t,
				{ ...e, log_seq: e.log_seq },
				roundAtRecord(r, e.log_seq),
				this.log,
				r.seal,
			),
		};
		const grant = await this.liveGrant(e.consumer_id, grantOf(e));
		if (grant) {
			state.admissionToken = grant.token;
			state.claimBy = isoSeconds(grant.expiresAt);
		}
		return state;
	}
}
