/**
 * QueueShard — one of a sharded queue's entry points (named `${queueId}:${index}`, plan.ts).
 * It takes the enters of the consumers that hash to it, so the queue's own object sees one
 * batch per shard per flush instead of one RPC per enter. Tables: shards/store.ts.
 *
 *  - An arrival is stored (consumer, lane, arrival time, shard seq) before the enter is answered.
 *  - It refuses exactly as the queue's object would (plan.ts `entryRefusal`), from the timeline and
 *    sold-out flag the queue's object pushes to it (`setGate`: on configure and sold-out changes).
 *  - Alarm: the flush. Every FLUSH_MS while rows are pending, and at openAt when a pre-queue is set,
 *    it sends its pending arrivals, in arrival order, to the queue's object (`ingest`) and marks
 *    what that acknowledged as forwarded. A lost acknowledgement re-sends; ingest is idempotent.
 *  - A forwarded consumer is the queue's object's: enter/state/leave for it are passed on.
 *  - A pending consumer's place is an estimate (README: the line as last acknowledged + those ahead
 *    here + as many again in each other shard); the pre-queue has none, as in the queue's object.
 */
import { DurableObject } from "cloudflare:workers";
import { ok, refuse } from "../../common/reply";
import { EntryTickets, resolveWho, type Who } from "../../common/tickets";
import { GroupCommit, inSavepoints } from "../../kernel/group-commit";
import { migrate } from "../../kernel/migrations";
import type { StoredTimeline } from "../../kernel/object";
import { estimatedWaitSeconds } from "../admission";
import type { Lane } from "../store";
import type { QueueError, QueueReply, QueueState } from "../types";
import { entryRefusal } from "./plan";
import { type Arrival, type IngestAck, SHARD_MIGRATIONS, type ShardRow, ShardStore } from "./store";

/** An enter's landing (QueueShard.arrive); `ahead` is set for a new arrival only. */
type Arrived =
	| { kind: "pending"; row: ShardRow; ahead?: number }
	| { kind: "refused"; refusal: QueueError }
	| { kind: "forwarded" }
	| { kind: "in_flight" };

/** How often a shard with pending arrivals forwards them: the FIFO bound between shards (README). */
export const FLUSH_MS = 500;
/** Most arrivals in one batch: one flush stays well inside an RPC's size and one transaction's time. */
export const BATCH_LIMIT = 5000;

export class QueueShard extends DurableObject<Env> {
	private readonly store: ShardStore;
	private readonly tickets = new EntryTickets();
	/** The flush in flight, if any: a leave or promotion waits for it, so no batch carries a stale row. */
	private flushing: Promise<void> | null = null;
	/** The alarm time this instance set or read; undefined until read (a fresh instance asks storage once). */
	private armedAt: number | null | undefined;
	/** Enters, decided and stored in arrival order: at once when idle, by turn when busy (kernel/group-commit.ts). */
	private readonly arrivals = new GroupCommit<{ consumerId: string; lane: Lane }, Arrived>((items) => {
		const now = Date.now();
		return inSavepoints(
			(fn) => this.ctx.storage.transactionSync(fn),
			items,
			(i) => this.arrive(i.consumerId, i.lane, now),
		);
	});

	constructor(ctx: DurableObjectState, env: Env) {
		super(ctx, env);
		this.store = new ShardStore(ctx.storage.sql);
		ctx.blockConcurrencyWhile(async () => migrate(ctx.storage.sql, "queue-shard", SHARD_MIGRATIONS));
	}

	/**
	 * From the queue's object: its timeline, this shard's index and whether it is sold out.
	 * Invariant: afterwards the shard refuses exactly what the queue's object would; with a
	 * pre-queue, the shard's alarm is set for openAt, so the queue hears from every shard then.
	 */
	async setGate(timeline: StoredTimeline, index: number, soldOut: boolean): Promise<void> {
		const before = this.store.gate();
		this.store.setGate({ ...before, timeline, index, soldOut });
		const openAt = timeline.openAt;
		if (timeline.prequeueSeconds > 0 && openAt != null && (before?.drainedTo ?? 0) < openAt) {
			await this.armAt(openAt);
		}
	}

	/** Enters the consumer: a new arrival stored here, its pending place, or — once forwarded — the queue's answer. */
	async enter(organizationId: string, consumerId: string, lane: Lane = 0): Promise<QueueReply<QueueState>> {
		const gate = this.store.gate();
		if (!gate || gate.timeline.organizationId !== organizationId) return refuse("not_found");
		for (;;) {
			const arrived = await this.arrivals.add({ consumerId, lane });
			// A row in the batch in flight may be forwarded by the time it lands: wait for it (new arrivals need not).
			if (arrived.kind === "in_flight") await this.flushing;
			else if (arrived.kind === "forwarded") return this.queue(gate.timeline).enter(organizationId, consumerId, lane);
			else if (arrived.kind === "refused") return refuse(arrived.refusal);
			else {
				if (arrived.ahead !== undefined) await this.armAt(Date.now() + FLUSH_MS);
				return ok(await this.describe(gate.timeline, arrived.row, arrived.ahead));
			}
		}
	}

	/**
	 * Where an enter lands, decided when its group runs (each in its own savepoint): a new
	 * arrival (with those ahead of it), the consumer's pending row, or a reason to look elsewhere.
	 */
	private arrive(consumerId: string, lane: Lane, now: number): Arrived {
		const gate = this.store.gate();
		if (!gate) return { kind: "refused", refusal: "not_found" };
		const row = this.store.row(consumerId);
		if (row && !row.forwarded && this.flushing) return { kind: "in_flight" };
		if (row?.forwarded) return { kind: "forwarded" };
		if (row && row.left_at == null) {
			if (row.lane === 1 && lane === 0) this.store.promote(consumerId);
			return { kind: "pending", row: this.store.row(consumerId) as ShardRow };
		}
		const refusal = entryRefusal(gate.timeline, now, gate.soldOut);
		if (refusal) return { kind: "refused", refusal };
		const added = this.store.add(consumerId, lane, now, row != null);
		return { kind: "pending", row: added.row, ahead: added.ahead };
	}

	/** The consumer's state: pending here (an estimated place), else the queue's object's answer. Reads only. */
	async state(organizationId: string, who: Who): Promise<QueueReply<QueueState>> {
		const gate = this.store.gate();
		if (!gate || gate.timeline.organizationId !== organizationId) return refuse("not_found");
		const consumerId = await resolveWho(this.tickets, this.env.APP_SECRET, gate.timeline, who);
		if (!consumerId) return refuse("bad_ticket");
		const row = this.store.row(consumerId);
		if (!row || row.forwarded) return this.queue(gate.timeline).state(organizationId, who);
		return ok(await this.describe(gate.timeline, row));
	}

	/** Leaves: a pending arrival is marked left (forwarded with its leave); a forwarded one leaves at the queue's object. */
	async leave(organizationId: string, who: Who): Promise<QueueReply<QueueState>> {
		const gate = this.store.gate();
		if (!gate || gate.timeline.organizationId !== organizationId) return refuse("not_found");
		const consumerId = await resolveWho(this.tickets, this.env.APP_SECRET, gate.timeline, who);
		if (!consumerId) return refuse("bad_ticket");
		await this.flushing;
		const row = this.store.row(consumerId);
		if (!row || row.forwarded) return this.queue(gate.timeline).leave(organizationId, who);
		this.store.markLeft(consumerId, Date.now());
		return ok(await this.describe(gate.timeline, this.store.row(consumerId) as ShardRow));
	}

	/**
	 * Before the consumer's live socket opens at the queue's object: a pending arrival is forwarded
	 * now, so the object knows the consumer. Invariant: afterwards the consumer is not pending here.
	 */
	async settle(consumerId: string): Promise<void> {
		const row = this.store.row(consumerId);
		if (row && !row.forwarded) await this.flush();
	}

	/** The queue was deleted: every row and the alarm go. Invariant: afterwards the shard holds nothing and refuses as not found. */
	async destroy(): Promise<void> {
		await this.ctx.storage.deleteAlarm();
		this.armedAt = null;
		await this.ctx.storage.deleteAll();
		this.store.forget();
	}

	/** Arrivals waiting here to be forwarded (tests and the bench). Reads only. */
	pendingCount(): number {
		return this.store.pending(BATCH_LIMIT).length;
	}

	/** The flush. A failed ingest (the queue's object unreachable) is tried again FLUSH_MS later; nothing is lost. */
	override async alarm(): Promise<void> {
		// The alarm that woke us is spent: the next armAt sets one.
		this.armedAt = null;
		try {
			await this.flush();
		} catch {
			await this.armAt(Date.now() + FLUSH_MS);
			return;
		}
		const gate = this.store.gate();
		const openAt = gate?.timeline.openAt;
		const owesDrain = gate && gate.timeline.prequeueSeconds > 0 && openAt != null && (gate.drainedTo ?? 0) < openAt;
		if (this.store.hasPending()) await this.armAt(Date.now() + FLUSH_MS);
		else if (owesDrain) await this.armAt(Math.max(openAt, Date.now() + FLUSH_MS));
	}

	/** One batch to the queue's object; one at a time (concurrent callers share the one in flight). */
	flush(): Promise<void> {
		if (!this.flushing) {
			this.flushing = this.forward().finally(() => {
				this.flushing = null;
			});
		}
		return this.flushing;
	}

	private async forward(): Promise<void> {
		const gate = this.store.gate();
		if (!gate) return;
		const now = Date.now();
		const batch: Arrival[] = this.store.pending(BATCH_LIMIT);
		// Every arrival before drainedTo is in this batch or an earlier one (stamps only grow).
		const drainedTo = batch.length < BATCH_LIMIT ? now : (batch.at(-1) as Arrival).arrivedAt;
		const ack: IngestAck = await this.queue(gate.timeline).ingest(gate.index, batch, drainedTo);
		this.store.acknowledge(ack, ack.acked >= (batch.at(-1)?.seq ?? 0) ? drainedTo : null);
	}

	private queue(t: StoredTimeline) {
		return this.env.QUEUE_OBJECT.getByName(t.id);
	}

	/**
	 * Sets the alarm for `at` unless it is set sooner. The time set is remembered, so a burst of
	 * enters reads the alarm once per flush instead of once per enter.
	 */
	private async armAt(at: number): Promise<void> {
		// An alarm long past that never reached this instance's handler: ask storage again.
		if (this.armedAt != null && this.armedAt < Date.now() - FLUSH_MS) this.armedAt = undefined;
		if (this.armedAt === undefined) this.armedAt = await this.ctx.storage.getAlarm();
		if (this.armedAt != null && this.armedAt <= at) return;
		await this.ctx.storage.setAlarm(at);
		this.armedAt = at;
	}

	/** A pending arrival as the consumer sees it: QUEUED (or LEFT), an estimated place, a ticket without a line number. */
	private async describe(t: StoredTimeline, row: ShardRow, knownAhead?: number): Promise<QueueState> {
		const gate = this.store.gate();
		const prequeue = t.openAt != null && row.arrived_at < t.openAt;
		const left = row.left_at != null;
		const k = Math.max(1, t.entryShards ?? 1);
		const position =
			left || prequeue ? null : (gate?.waiting ?? 0) + (knownAhead ?? this.store.pendingAhead(row.seq)) * k + 1;
		const soldOut = !left && (gate?.soldOut ?? false);
		const state: QueueState = {
			consumerId: row.consumer_id,
			status: left ? "LEFT" : soldOut ? "SOLD_OUT" : "QUEUED",
			position,
			estimatedWaitSeconds: soldOut ? null : estimatedWaitSeconds(position, t.admissionRate),
			ticket: await this.tickets.seal(this.env.APP_SECRET, t, { consumerId: row.consumer_id, seq: null }),
		};
		if (row.lane === 1 && !left) state.backOfLine = true;
		return state;
	}
}
