/**
 * QueueObject — one virtual waiting room (extends DistributionObject: timeline, agenda,
 * status sync, outbox, grant holds).
 *
 * Tables (migration list "queue", store.ts): `entries` (one per consumer: lane, place, status,
 * grant), `holes` (places vacated while waiting), `counters` (next_seq, queued, active,
 * admitted_total, now_serving, next_slot_at, paused).
 * Schedule kind `admit` (ticks.ts, policy in admission.ts): the admission tick — expires
 * sessions past their grant, then admits one consumer per 60/admissionRate s, never more
 * than maxCapacity ADMITTED at once, nor more live grants than units left (`setStock`).
 * Admitted consumers' sockets get their grant (live.ts). Out of stock with no grant
 * outstanding, the OPEN queue records SOLD_OUT (written through, `queue.sold_out`); a
 * restock withdraws it and the queue is OPEN again. With a sharded pre-queue, the tick also
 * shuffles it once every shard has reported past openAt (or the silent ones were waited for long
 * enough), looking again and nudging those shards every second until then (shards/intake.ts).
 */
import { isoSeconds } from "../../lib/time";
import { ok, refuse } from "../common/reply";
import { statusAt } from "../common/status";
import { EntryTickets, resolveWho, type Who } from "../common/tickets";
import type { GrantOrder, GrantState } from "../kernel/grants";
import { migrate } from "../kernel/migrations";
import {
	type ConfigureReply,
	type DistributionConfig,
	DistributionObject,
	type StoredTimeline,
} from "../kernel/object";
import { estimatedWaitSeconds, unitsLeft } from "./admission";
import { QueueLive } from "./live";
import { ShardIntake } from "./shards/intake";
import { entryRefusal, shardsOf } from "./shards/plan";
import type { Arrival, IngestAck } from "./shards/store";
import { type Entry, type EntryStatus, grantOf, type Lane, QUEUE_MIGRATIONS, QueueStore } from "./store";
import { admitDue, admitting, completionCheckAt, drained, isSoldOut, nextTick } from "./ticks";
import type { QueueKind, QueueProgress, QueueReply, QueueState, QueueStats } from "./types";
import { merchantEntryView, progressSnapshot, queueStats } from "./views";

export type { QueueError, QueueKind, QueueProgress, QueueReply, QueueState, QueueStats, Who } from "./types";

/** The reason a consumer whose grant the merchant revoked is DENIED with. */
const REVOKED = "grant revoked";

/** A push of the gate that some shard missed is tried again this much later. */
export const GATE_RETRY_MS = 2000;

export class QueueObject extends DistributionObject<QueueKind> {
	private store!: QueueStore;
	private readonly live = new QueueLive(this.ctx, () => this.store);
	private readonly tickets = new EntryTickets();
	private readonly intake = new ShardIntake({
		store: () => this.store,
		timeline: () => this.timeline(),
		env: this.env,
		emit: (type, data, at) => this.emit(type, data, at),
		scheduleAdmit: (at) => this.scheduleAt("admit", at),
		enterAt: (at, t, existing, consumerId, lane, entered) =>
			this.enterAt(at, t, existing, consumerId, lane, false, entered),
	});
	/** The sold-out flag flipped in this commit: the shards are told after it (sharded entry). */
	private gateChanged = false;

	protected override onMigrate(): void {
		migrate(this.sql, "queue", QUEUE_MIGRATIONS);
		this.store = new QueueStore(this.sql);
	}

	/**
	 * Puts the consumer in line, or returns its existing place: entering twice, at once
	 * or later, never yields two places. Invariant: placed entries have distinct seqs.
	 * `lane` 1 (back-of-line: the challenge was missing or failed) queues behind every front-lane
	 * consumer; a waiting back-lane consumer entering again in lane 0 moves to the back of the front.
	 */
	async enter(organizationId: string, consumerId: string, lane: Lane = 0): Promise<QueueReply<QueueState>> {
		return this.act(organizationId, { consumerId }, (now, t, existing) =>
			this.enterAt(now, t, existing, consumerId, lane, isSoldOut(this.store)),
		);
	}

	/**
	 * The enter rule at `now` (an arrival's time, for a shard's batch); in the caller's transaction.
	 * `entered`: a shard's batch collects who entered, for one event per batch, instead of an event each.
	 */
	private enterAt(
		now: number,
		t: StoredTimeline,
		existing: Entry | null,
		consumerId: string,
		lane: Lane,
		soldOut: boolean,
		entered?: string[],
	): QueueReply<Entry> {
		if (existing?.status === "QUEUED" && existing.lane === 1 && lane === 0) {
			this.store.promote(existing);
			return ok(this.store.entry(consumerId) as Entry);
		}
		if (existing && existing.status !== "LEFT") return ok(existing);
		const refusal = entryRefusal(t, now, soldOut);
		if (refusal) return refuse(refusal);
		// Until a sharded pre-queue is shuffled nobody is placed: one who left it and enters again after
		// openAt (straight to this object) waits unplaced too, and the shuffle places them after the
		// pre-queue. After the shuffle, a pre-queue arrival from a shard it went on without goes to the back.
		const prequeue =
			(statusAt("queue", t, now) === "SCHEDULED" || this.intake.shardedPrequeue(t)) &&
			!this.store.counter("shards_placed");
		const entry = this.store.enqueue(consumerId, now, prequeue, lane);
		if (entered) entered.push(consumerId);
		else this.emit("queue.consumer.entered", { consumerId }, now);
		// Wake the admission tick only if it could admit: a rate is set and the tick is idle.
		if (!prequeue && t.admissionRate && (this.store.counter("paused") || !this.isScheduled("admit"))) {
			this.scheduleAt("admit", now);
		}
		return ok(entry);
	}

	/**
	 * A shard's batch of arrivals (shards/object.ts), in one transaction through the enter rule at
	 * each arrival's time (shards/intake.ts). Invariant: idempotent — an arrival at or below the
	 * shard's last acknowledged seq is never entered again, so a re-sent batch changes nothing.
	 */
	async ingest(shard: number, batch: Arrival[], drainedTo: number): Promise<IngestAck> {
		const ack = await this.transact((now) =>
			this.store.deferCounters(() => this.intake.ingest(shard, batch, drainedTo, now)),
		);
		await this.live.push((e) => this.describe(e));
		return ack;
	}

	/** What the worker routes enters by: the shard count and the seed of the consumer → shard hash. Reads only. */
	entryPlan(organizationId: string): { entryShards: number; encryptionSeed: string } | null {
		const t = this.timelineOf(organizationId);
		return t ? { entryShards: shardsOf(t), encryptionSeed: t.encryptionSeed } : null;
	}

	/** Stores the settings (kernel), then tells every shard the timeline it gates enters by. Invariant: shards refuse as this object does. */
	override async configure(config: DistributionConfig): Promise<ConfigureReply> {
		const reply = await super.configure(config);
		if (!reply.ok) return reply;
		this.gateChanged = true;
		await this.arm();
		return reply;
	}

	/** Wipes this object (kernel) and every shard. Invariant: a deleted queue leaves no arrival behind in any shard. */
	override async destroy(): Promise<void> {
		const t = this.timeline();
		await super.destroy();
		await this.intake.destroyShards(t);
	}

	/**
	 * After every commit: new settings or a sold-out change reach the shards at once. A shard that
	 * missed it would refuse by a stale gate (as sold out after a restock: with nothing pending it
	 * gets no acknowledgement to correct it), so a failed push is tried again GATE_RETRY_MS later by
	 * the alarm (kind `gate`), which an eviction does not lose.
	 */
	protected override async arm(): Promise<void> {
		await super.arm();
		if (this.gateChanged) {
			this.gateChanged = false;
			await this.intake.pushGate().catch(async () => {
				this.scheduleAt("gate", Date.now() + GATE_RETRY_MS);
				await super.arm();
			});
		}
	}

	/** The consumer's state: place and estimated wait while QUEUED, the grant while ADMITTED. Reads only. */
	async state(organizationId: string, who: Who): Promise<QueueReply<QueueState>> {
		return this.act(organizationId, who, (_now, _t, entry) => (entry ? ok(entry) : refuse("not_entered")));
	}

	/** Leaves the line, or gives up an admission (freeing the place). Invariant: a finished entry is unchanged. */
	async leave(organizationId: string, who: Who): Promise<QueueReply<QueueState>> {
		return this.act(organizationId, who, (now, _t, entry) => {
			if (!entry) return refuse("not_entered");
			if (entry.status === "QUEUED" || entry.status === "ADMITTED") {
				this.store.finish(entry, "LEFT", now);
				this.emit("queue.consumer.left", { consumerId: entry.consumer_id }, now);
				this.scheduleAt("admit", now);
			}
			return ok(this.store.entry(entry.consumer_id) as Entry);
		});
	}

	/** Merchant: denies a consumer (a QUEUED one loses its place, an ADMITTED one its grant). Invariant: a finished entry is unchanged. */
	async deny(organizationId: string, consumerId: string, reason: string | null): Promise<QueueReply<QueueState>> {
		return this.act(organizationId, { consumerId }, (now, _t, entry) => {
			if (!entry) return refuse("not_entered");
			if (entry.status === "QUEUED" || entry.status === "ADMITTED") this.denyEntry(entry, reason, now);
			return ok(this.store.entry(consumerId) as Entry);
		});
	}

	/** Merchant: admits up to `count` now, in line order. Invariant: ignores the rate, never maxCapacity. */
	async admitNow(organizationId: string, count: number): Promise<QueueReply<{ admitted: number }>> {
		const reply = await this.transact((now): QueueReply<{ admitted: number }> => {
			const t = this.timelineOf(organizationId);
			if (!t) return refuse("not_found");
			if (!admitting(t, now)) return refuse("not_open");
			const admitted = this.admit(now, count);
			this.scheduleAt("admit", now);
			return ok({ admitted });
		});
		await this.live.push((e) => this.describe(e));
		return reply;
	}

	/**
	 * The units left of the sequence's product (null: not tracked) and the distribution's recorded
	 * orders, as the worker read them together, on create, on a product's inventory change or a
	 * sequence's product change. Invariant: a read older than an order this object counted never
	 * gives that order's unit back (`unitsLeft`). Admission resumes at once if the new stock allows
	 * it (a restock of a sold-out queue reopens it).
	 */
	async setStock(units: number | null, ordersRead: number): Promise<void> {
		await this.transact((now) => {
			if (!this.timeline()) return;
			// The first read is the baseline: a queue stored before orders were counted counts from it.
			const counted = this.store.ordersCounted() ?? ordersRead;
			this.store.setOrdersCounted(counted);
			this.store.setStock(unitsLeft(units, ordersRead, counted));
			this.checkStock(now);
			this.scheduleAt("admit", now);
		});
		await this.live.push((e) => this.describe(e));
	}

	/** Live counts, caught up to now. Reads only. */
	async stats(): Promise<QueueStats> {
		return this.caughtUp(() => queueStats(this.store, Date.now()));
	}

	/** Merchant: a page of entries, newest first, caught up to now. Reads only. */
	async entries(status: EntryStatus | undefined, limit: number, beforeRowid: number | null) {
		await this.caughtUp(() => null);
		return this.store.page(status, limit, beforeRowid).map((e) => merchantEntryView(this.store, e));
	}

	/**
	 * What a worker needs to answer a waiting consumer's poll from its ticket alone: the
	 * admission frontier and the holes in the line (null when there are too many to ship).
	 * Reads only; a place computed from it is the one `state` would answer at the same moment.
	 */
	async progressSnapshot(organizationId: string): Promise<QueueProgress | null> {
		return this.caughtUp(() => {
			const t = this.timelineOf(organizationId);
			return t ? progressSnapshot(this.store, t, Date.now()) : null;
		});
	}

	override participantCount(): number {
		return this.store.queued() + this.store.active();
	}

	// ── kernel hooks ───────────────────────────────────────────────────────

	protected override onGrantLookup(consumerId: string): GrantState | null {
		return grantOf(this.store.entry(consumerId));
	}

	/**
	 * The admitted consumer checked out: COMPLETED, and its place is free for the next in line.
	 * Its order took one unit before using the grant, so the unit leaves the stock here too; a
	 * `recorded` order (a row in D1, which the next stock read counts) is counted for `unitsLeft`.
	 */
	protected override onGrantUsed(consumerId: string, order: GrantOrder, now: number, recorded: boolean): void {
		const entry = this.store.entry(consumerId);
		if (!entry) return;
		this.store.complete(entry, now, order.orderId ?? null, order.orderAmount ?? null);
		const counted = this.store.ordersCounted();
		if (recorded && counted != null) this.store.setOrdersCounted(counted + 1);
		const stock = this.store.stock();
		if (stock != null) this.store.setStock(Math.max(0, stock - 1));
		this.checkStock(now);
		this.emit("queue.consumer.completed", { consumerId, ...order }, now);
		this.scheduleAt("admit", now);
	}

	/**
	 * The merchant revoked an admitted consumer's grant: DENIED ("grant revoked"), so the place and the
	 * unit it held go to the next in line now, not when the grant would have expired.
	 */
	protected override onGrantRevoked(grantId: string, now: number): void {
		const entry = this.store.entryByGrant(grantId);
		if (entry?.status === "ADMITTED") this.denyEntry(entry, REVOKED, now);
	}

	/** DENIED, its socket told, and the tick woken for whoever its place goes to; in the caller's transaction. */
	private denyEntry(entry: Entry, reason: string | null, now: number): void {
		this.store.finish(entry, "DENIED", now, reason);
		this.emit("queue.consumer.denied", { consumerId: entry.consumer_id, reason }, now);
		this.live.ended(entry.consumer_id);
		this.scheduleAt("admit", now);
	}

	protected override onStorageReset(): void {
		this.store.forgetCounters();
	}

	protected override onTransition(status: string, now: number): void {
		const t = this.timeline();
		if (status === "OPEN" && t && this.intake.shardedPrequeue(t)) {
			const checkAt = this.intake.awaitShards(t, now);
			if (checkAt != null) this.scheduleAt("admit", checkAt);
		} else if (status === "OPEN") {
			this.store.placePrequeue(t?.openAt ?? now);
			this.scheduleAt("admit", now);
		}
		if (status === "CLOSED" && t && shardsOf(t) > 1) this.scheduleAt("admit", completionCheckAt(t));
		if (status === "CLOSED") this.checkCompletion(now);
	}

	protected override onConfigure(now: number): void {
		this.scheduleAt("admit", now);
	}

	protected override onSchedule(kind: QueueKind, now: number): number | null {
		if (kind === "gate") {
			this.gateChanged = true;
			return null;
		}
		// A kind this version does not run (written by an older one) is dropped.
		if (kind !== "admit") return null;
		const t = this.timeline();
		const checkAt = t && this.intake.shardedPrequeue(t) ? this.intake.awaitShards(t, now) : null;
		this.admit(now, Number.POSITIVE_INFINITY, true);
		const next = t ? nextTick(this.store, t, now) : null;
		return checkAt == null ? next : Math.min(next ?? checkAt, checkAt);
	}

	protected override async onAdvanced(): Promise<void> {
		await this.live.push((e) => this.describe(e));
		// Not awaited: a shard that hangs must not hold this alarm run, and with it the next tick.
		void this.intake.nudge();
	}

	// ── live updates ───────────────────────────────────────────────────────

	override async fetch(request: Request): Promise<Response> {
		return this.live.upgrade(request, (organizationId, who) => this.state(organizationId, who));
	}

	override async webSocketMessage(ws: WebSocket, message: string | ArrayBuffer): Promise<void> {
		const t = this.timeline();
		await this.live.answer(ws, message, t ? t.organizationId : null, (org, who) => this.state(org, who));
	}

	// ── plumbing ───────────────────────────────────────────────────────────

	/** Runs the admission tick's rule (ticks.ts) and queues pushes to whoever it admitted. Returns how many. */
	private admit(now: number, limit: number, rated = false): number {
		const t = this.timeline();
		if (!t) return 0;
		const admitted = admitDue(this.store, t, now, limit, rated, (type, data, at) => this.emit(type, data, at));
		this.live.admitted(admitted);
		this.checkStock(now);
		this.checkCompletion(now);
		return admitted.length;
	}

	/**
	 * OPEN, out of stock and no grant outstanding: SOLD_OUT is recorded (once per sell-out)
	 * and every socket told; units back (a restock, or a grant given back before sell-out)
	 * withdraw it, so the queue is OPEN again.
	 */
	private checkStock(now: number): void {
		const t = this.timeline();
		if (!t) return;
		const soldOut = isSoldOut(this.store) && statusAt("queue", t, now) === "OPEN";
		if (soldOut === (this.store.counter("sold_out") === 1)) return;
		this.store.setCounter("sold_out", soldOut ? 1 : 0);
		this.gateChanged = true;
		if (soldOut) {
			this.recordTransition("SOLD_OUT", now);
			this.live.soldOut();
		} else this.withdrawTransition("SOLD_OUT", "OPEN", now);
	}

	/** Closed and nobody waiting or admitted: the queue is COMPLETED. */
	private checkCompletion(now: number): void {
		const t = this.timeline();
		if (t && drained(this.store, t, now)) this.complete(now);
	}

	/** Identifies the consumer, catches up, and runs `fn` in one transaction; then re-arms and pushes. */
	private async act(
		organizationId: string,
		who: Who,
		fn: (now: number, t: StoredTimeline, entry: Entry | null) => QueueReply<Entry>,
	): Promise<QueueReply<QueueState>> {
		const t = this.timelineOf(organizationId);
		if (!t) return refuse("not_found");
		const consumerId = await resolveWho(this.tickets, this.env.APP_SECRET, t, who);
		if (!consumerId) return refuse("bad_ticket");
		const reply = await this.grouped((now) => fn(now, this.timeline() ?? t, this.store.entry(consumerId)));
		await this.live.push((e) => this.describe(e));
		return reply.ok ? ok(await this.describe(reply.value)) : reply;
	}

	private async describe(entry: Entry): Promise<QueueState> {
		const t = this.timeline();
		if (!t) throw new Error("queue without timeline");
		const position = this.store.position(entry);
		const soldOut = entry.status === "QUEUED" && isSoldOut(this.store);
		const state: QueueState = {
			consumerId: entry.consumer_id,
			status: soldOut ? "SOLD_OUT" : entry.status,
			position,
			estimatedWaitSeconds: soldOut ? null : estimatedWaitSeconds(position, t.admissionRate),
			ticket: await this.tickets.seal(this.env.APP_SECRET, t, { consumerId: entry.consumer_id, seq: entry.seq }),
		};
		if (entry.lane === 1 && entry.status === "QUEUED") state.backOfLine = true;
		const grant = await this.liveGrant(entry.consumer_id, grantOf(entry));
		if (grant) {
			state.admissionToken = grant.token;
			state.admissionExpiresAt = isoSeconds(grant.expiresAt);
		}
		return state;
	}
}
