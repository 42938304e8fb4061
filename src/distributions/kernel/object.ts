/**
 * DistributionObject — the live state of one queue, draw or auction, named by its id.
 * Engines (queue/, draw/, auction/ object.ts) extend it and fill in its `on…` hooks;
 * `E` is the union of the schedule kinds an engine declares.
 *
 * A composition of the kernel's parts, each owning its tables and schedule kinds:
 *  - timeline.ts: `timeline` (the configured times) and the kinds open, close, settle;
 *  - agenda.ts: `schedule` and the one alarm;
 *  - status-sync.ts: `transitions`, written through to D1 and published;
 *  - outbox.ts: `outbox` (engine events) and the kind `flush`;
 *  - grant-holds.ts: grants being paid for (memory only);
 *  - revocations.ts: `revoked_grants` (grants the merchant revoked, by grant id);
 *  - closed-config.ts: what a configuration may change once closed (no state);
 *  - delivery-backoff.ts: when delivery may be tried again after a failure (memory only).
 * This file owns the in-object migration list "distribution" (below) that creates those
 * five tables, the RPC methods every engine shares, and `advance`, which runs what is due.
 * Alarm: runs every due kind, delivers transitions and the outbox, re-arms at the next
 * `schedule.at`. A failed delivery is retried by the object (backing off), never by throwing;
 * a run that throws otherwise is retried by the runtime; recorded transitions are not redone.
 * Every RPC first catches up (`advance`), so an action never runs against a stale status.
 */
import { DurableObject } from "cloudflare:workers";
import type { EngineEventType } from "../../events/types";
import { type Status, statusAt } from "../common/status";
import { Agenda, isTimelineKind, TIMELINE_KINDS } from "./agenda";
import { changesAfterClose, hasClosed } from "./closed-config";
import { DeliveryBackoff } from "./delivery-backoff";
import { GrantHolds } from "./grant-holds";
import { type GrantCheck, type GrantOrder, type GrantRecord, type GrantState, grantToken } from "./grants";
import { GroupCommit, inSavepoints } from "./group-commit";
import { migrate } from "./migrations";
import { flushOutbox, recordEvent } from "./outbox";
import { recordRevocation, withRevocation } from "./revocations";
import { deliverStatuses, recordedStatuses, recordStatus, withdrawStatus } from "./status-sync";
import { type DistributionConfig, type StoredTimeline, Timeline } from "./timeline";

export type { DistributionConfig, StoredTimeline };

/** A configuration stored, or refused because the distribution has closed (`fields`: what it would have changed). */
export type ConfigureReply =
	| { ok: true; value: null }
	| { ok: false; error: "closed"; status: Status; fields: string[] };

/** Append-only: objects already created have run some of these steps; a change is a new step. */
const MIGRATIONS = [
	`CREATE TABLE timeline (id INTEGER PRIMARY KEY CHECK (id = 1), json TEXT NOT NULL);
	 CREATE TABLE schedule (kind TEXT PRIMARY KEY, at INTEGER NOT NULL);
	 CREATE TABLE transitions (status TEXT PRIMARY KEY, at INTEGER NOT NULL, event_id TEXT NOT NULL,
	                           delivered INTEGER NOT NULL DEFAULT 0, seq INTEGER NOT NULL);`,
	`CREATE TABLE outbox (seq INTEGER PRIMARY KEY AUTOINCREMENT, id TEXT NOT NULL, type TEXT NOT NULL,
	                      data TEXT NOT NULL, created_at INTEGER NOT NULL);`,
	`CREATE TABLE revoked_grants (grant_id TEXT PRIMARY KEY, consumer_id TEXT, revoked_at INTEGER NOT NULL);`,
];

export abstract class DistributionObject<E extends string = never> extends DurableObject<Env> {
	protected readonly sql: SqlStorage;
	private readonly agenda: Agenda<E>;
	private readonly times: Timeline;
	private readonly grants: GrantHolds;
	/** Set once `destroy` wiped storage: this instance must answer "not found" from then on. */
	private wiped = false;
	/** When delivery may be tried again after D1 or the events Queue failed. */
	private readonly backoff = new DeliveryBackoff();
	/** The shoppers' changes, one at a time when idle and by group when busy (`grouped`). */
	private readonly group = new GroupCommit<(now: number) => unknown, unknown>(async (changes) => {
		const now = Date.now();
		// Each change catches up first, as in `transact`; after the group's first, nothing is due.
		const outcomes = inSavepoints(
			(fn) => this.atomically(fn),
			changes,
			(change) => {
				this.advance(now);
				return change(now);
			},
		);
		await this.arm();
		return outcomes;
	});

	constructor(ctx: DurableObjectState, env: Env) {
		super(ctx, env);
		this.sql = ctx.storage.sql;
		this.agenda = new Agenda<E>(ctx.storage);
		this.times = new Timeline(this.sql, this.agenda);
		this.grants = new GrantHolds((consumerId) => withRevocation(this.sql, this.onGrantLookup(consumerId)));
		ctx.blockConcurrencyWhile(async () => {
			migrate(this.sql, "distribution", MIGRATIONS);
			this.onMigrate();
		});
	}

	// ── hooks: what engines override ───────────────────────────────────────

	/** The engine runs its own migration list (and builds its store) here, before any request. */
	protected onMigrate(): void {}

	/** The engine reacts to new settings, inside configure's transaction, before it catches up. */
	protected onConfigure(_now: number): void {}

	/** The engine's async follow-up once an alarm has run and re-armed (pushes to sockets). */
	protected async onAdvanced(): Promise<void> {}

	/**
	 * A transaction threw and was rolled back, or `destroy` wiped storage: the engine drops whatever it
	 * keeps in memory of its tables.
	 */
	protected onStorageReset(): void {}

	/** The engine acts on a status reached, in the transaction that records it (e.g. the draw picks winners). */
	protected onTransition(_status: Status, _now: number): void {}

	/** What the engine adds to the event of a status it reached (the auction's outcome on SETTLED). */
	protected onStatusEvent(_status: Status): Record<string, unknown> {
		return {};
	}

	/** The engine runs one of its due schedule kinds; returns the next time to run `kind`, or null to drop it. */
	protected onSchedule(_kind: E, _now: number): number | null {
		return null;
	}

	/** The consumer's grant as the engine sees it; engines that admit or pick winners override it. */
	protected onGrantLookup(_consumerId: string): GrantState | null {
		return null;
	}

	/**
	 * What using a grant judged usable does in the engine (COMPLETED, CLAIMED, paid), in the caller's
	 * transaction. `recorded`: the use is an order stored in D1 (the orders API), not a bare complete.
	 */
	protected onGrantUsed(_consumerId: string, _order: GrantOrder, _now: number, _recorded: boolean): void {}

	/** What revoking a live grant does in the engine (a queue frees the place it held), in the caller's transaction. */
	protected onGrantRevoked(_grantId: string, _now: number): void {}

	// ── what engines call ──────────────────────────────────────────────────

	/** Queues `kind` to run at `at` (or earlier, if it is already due sooner). Call `arm()` after. */
	protected scheduleAt(kind: E, at: number): void {
		this.agenda.scheduleAt(kind, at);
	}

	protected isScheduled(kind: E): boolean {
		return this.agenda.isScheduled(kind);
	}

	/** Replaces `kind`'s time (null removes it). Call `arm()` after. */
	protected reschedule(kind: E, at: number | null): void {
		this.agenda.reschedule(kind, at);
	}

	/** Records an event in the outbox, in the caller's transaction; the alarm sends it soon after. */
	protected emit(type: EngineEventType, data: Record<string, unknown>, now: number): void {
		if (!this.timeline()) return;
		recordEvent(this.sql, this.agenda, type, data, now);
	}

	protected timeline(): StoredTimeline | null {
		return this.wiped ? null : this.times.read();
	}

	/** The timeline, if this distribution belongs to `organizationId`: another organization's reads as none (404, not 403). */
	protected timelineOf(organizationId: string): StoredTimeline | null {
		const t = this.timeline();
		return t && t.organizationId === organizationId ? t : null;
	}

	/**
	 * For engines that move their own times (an auction's soft close): updates the stored
	 * timeline and reschedules, in the caller's transaction. Call `arm()` after.
	 */
	protected moveTimes(changes: Partial<Pick<DistributionConfig, "closeAt" | "settleAt">>): void {
		const t = this.timeline();
		if (t) this.times.store({ ...t, ...changes });
	}

	/**
	 * Catches up and runs `change` in one transaction, then re-arms: a change never runs
	 * against a stale status, and what it scheduled is armed before the caller answers.
	 */
	protected async transact<T>(change: (now: number) => T): Promise<T> {
		const now = Date.now();
		const result = this.atomically(() => {
			this.advance(now);
			return change(now);
		});
		await this.arm();
		return result;
	}

	/**
	 * `transact` for the hot paths many shoppers hit at once (enter, bid): on an idle object the
	 * change runs at once; on a busy one at the next turn, in arrival order, with every other
	 * grouped change that arrived meanwhile, in one transaction and one commit (group-commit.ts);
	 * each in its own savepoint, so one that throws rolls back alone and fails only its caller. Invariant: as for `transact`,
	 * each change sees every change before it and a caught-up status, and nobody is answered
	 * before the group is stored and re-armed.
	 */
	protected grouped<T>(change: (now: number) => T): Promise<T> {
		return this.group.add(change) as Promise<T>;
	}

	/**
	 * `storage.transactionSync`, keeping the memory of the schedule and the timeline true: a
	 * transaction that throws rolls their tables back, so both are read again. Engines use it too.
	 */
	protected atomically<T>(fn: () => T): T {
		try {
			return this.ctx.storage.transactionSync(fn);
		} catch (err) {
			this.agenda.forget();
			if (!this.wiped) this.times.reload();
			this.onStorageReset();
			throw err;
		}
	}

	/** Runs what is due, then `read`: engine reads never show a state a late alarm has not reached yet. */
	protected async caughtUp<T>(read: () => T): Promise<T> {
		await this.transact(() => undefined);
		return read();
	}

	/** The signed grant (EdDSA JWT) for a record this object issued: deterministic, so re-signing on each read is safe. */
	protected grantTokenFor(record: GrantRecord): Promise<string> {
		const t = this.timeline();
		if (!t) throw new Error("grant without a timeline");
		return grantToken(this.env.JWT_SIGNING_KEY, t.organizationId, t.id, record);
	}

	/** The token and expiry to show the consumer while `grant` (from the engine's own row) is live, else null. */
	protected async liveGrant(
		consumerId: string,
		grant: GrantState | null,
	): Promise<{ token: string; expiresAt: number } | null> {
		if (withRevocation(this.sql, grant)?.state !== "live" || !grant) return null;
		return { token: await this.grantTokenFor({ consumerId, ...grant }), expiresAt: grant.expiresAt };
	}

	/** Records `status` once (later calls are no-ops) and lets the engine act on it, in the caller's transaction. */
	protected recordTransition(status: Status, now: number): void {
		if (recordStatus(this.sql, this.agenda, status, now)) this.onTransition(status, now);
	}

	/** Takes back a status no time derives (a queue's SOLD_OUT, restocked): `back` is written through again. */
	protected withdrawTransition(status: Status, back: Status, now: number): void {
		withdrawStatus(this.sql, this.agenda, status, back, now);
	}

	/** The draw engine calls this once it has drawn: DRAWN, written through like any transition. */
	protected drawn(now: number): void {
		if (this.wiped) return;
		this.times.markDrawn(now);
		this.recordTransition("DRAWN", now);
	}

	/** Engines call this when they are done: COMPLETED (SETTLED for auctions), written through like any transition. */
	protected complete(now: number): void {
		const t = this.wiped ? null : this.times.finish(now);
		if (t) this.recordTransition(t.type === "auction" ? "SETTLED" : "COMPLETED", now);
	}

	// ── RPC ────────────────────────────────────────────────────────────────

	/**
	 * Stores the distribution's times and settings, keeping whether it already finished.
	 * Invariant: every transition not yet recorded whose time is set is scheduled at that
	 * time (a past time fires at once); a recorded transition is never scheduled again.
	 * Once closed (by its times or a recorded CLOSED), a configuration that changes anything but
	 * an undrawn draw's drawAt is refused and nothing is stored (closed-config.ts).
	 */
	async configure(config: DistributionConfig): Promise<ConfigureReply> {
		const before = this.timeline();
		const stored: StoredTimeline = {
			...config,
			completedAt: before?.completedAt ?? null,
			...(before?.drawnAt != null && { drawnAt: before.drawnAt }),
		};
		const reply = this.atomically((): ConfigureReply => {
			const now = Date.now();
			if (before && hasClosed(before, recordedStatuses(this.sql), now)) {
				const fields = changesAfterClose(before, config);
				if (fields.length) return { ok: false, error: "closed", status: statusAt(before.type, before, now), fields };
			}
			this.times.store(stored);
			this.onConfigure(now);
			this.advance(now);
			return { ok: true, value: null };
		});
		await this.arm();
		return reply;
	}

	/** The status now, from the stored times (the same rule the API uses), so a late alarm never shows a stale one. */
	status(): Status | null {
		const t = this.timeline();
		return t ? statusAt(t.type, t, Date.now()) : null;
	}

	/** How many consumers take part; engines count their entries. Deleting an OPEN distribution with any → 409. */
	participantCount(): number {
		return 0;
	}

	/** Whether a grant this object issued is still usable: the right id, unused, unexpired, not revoked. */
	checkGrant(consumerId: string, grantId: string): GrantCheck {
		if (!this.timeline()) return { valid: false, reason: "unknown" };
		return this.grants.judge(consumerId, grantId, Date.now());
	}

	/** Reserves a usable grant for one order for up to 30 s. Invariant: while held, every other order on it is refused ("used"). */
	holdGrant(consumerId: string, grantId: string): GrantCheck {
		if (!this.timeline()) return { valid: false, reason: "unknown" };
		return this.grants.hold(consumerId, grantId, Date.now());
	}

	/** Gives a hold back (the order failed for another reason, e.g. out of stock). Invariant: the grant itself is unchanged. */
	releaseGrant(grantId: string): void {
		this.grants.release(grantId);
	}

	/** The consumer's grant id in whatever state (so a used one can be named as used), or null. Reads only. */
	grantIdOf(consumerId: string): string | null {
		return this.timeline() ? (this.onGrantLookup(consumerId)?.grantId ?? null) : null;
	}

	/**
	 * Uses a grant; `recorded` when the use is an order the orders API stored in D1 with its unit.
	 * Invariant: succeeds at most once per grant, and only while it is live.
	 */
	async completeGrant(consumerId: string, grantId: string, order: GrantOrder, recorded = false): Promise<GrantCheck> {
		if (!this.timeline()) return { valid: false, reason: "unknown" };
		return this.transact((now) =>
			this.grants.complete(consumerId, grantId, now, () => this.onGrantUsed(consumerId, order, now, recorded)),
		);
	}

	/**
	 * Revokes the grant `grantId` and/or the consumer's current grant (both given: they must be
	 * the same grant). Invariant: a revoked grant never validates or completes again; revoking
	 * it twice changes nothing and returns it no more. Another organization's → null (404).
	 */
	async revokeGrants(
		organizationId: string,
		target: { grantId?: string; consumerId?: string },
	): Promise<{ grantId: string; consumerId: string | null }[] | null> {
		if (!this.timelineOf(organizationId)) return null;
		return this.transact((now) => {
			let grantId = target.grantId ?? null;
			const consumerId = target.consumerId ?? null;
			if (consumerId) {
				const own = this.onGrantLookup(consumerId);
				// Only a grant still usable is revoked: a used one stays used, an expired one expired.
				if (own?.state !== "live" || (grantId && own.grantId !== grantId)) return [];
				grantId = own.grantId;
			}
			if (!grantId) return [];
			if (!recordRevocation(this.sql, grantId, consumerId, now)) return [];
			this.onGrantRevoked(grantId, now);
			return [{ grantId, consumerId }];
		});
	}

	/** Removes every row and the alarm. Invariant: afterwards the object holds nothing and answers as unknown. */
	async destroy(): Promise<void> {
		this.wiped = true;
		this.times.forget();
		await this.agenda.disarm();
		await this.ctx.storage.deleteAll();
		this.onStorageReset();
	}

	/**
	 * Runs what is due and delivers it. Invariants: idempotent — a retried or doubled run records
	 * nothing twice; and D1 or the events Queue failing never stops the alarm. Thrown, the run would be
	 * retried by the runtime a few times and then given up, and every kind with it (a queue's
	 * admission ticks): instead the delivery waits (delivery-backoff.ts) while the other kinds keep
	 * their times.
	 */
	override async alarm(): Promise<void> {
		this.agenda.fired();
		this.atomically(() => this.advance(Date.now()));
		if (this.backoff.due(Date.now())) await this.reaching(() => this.deliver(), true);
		else this.holdFlush();
		await this.arm();
		if (!(await this.reaching(() => this.onAdvanced(), false))) await this.arm();
	}

	/** A step that reaches D1 or the Queue: a failure backs the delivery off instead of throwing out of the alarm. */
	private async reaching(step: () => Promise<void>, isDelivery: boolean): Promise<boolean> {
		try {
			await step();
			if (isDelivery) this.backoff.succeeded();
			return true;
		} catch (err) {
			const { delay, inARow } = this.backoff.failed(Date.now());
			console.error(
				`${this.timeline()?.id ?? "distribution"}: D1 or the events Queue failed (${inARow} in a row), delivery again in ${delay} ms:`,
				err instanceof Error ? err.message : err,
			);
			this.holdFlush();
			return false;
		}
	}

	/** `flush` waits for the backoff, so an alarm brought back sooner by new events does not spin on it. */
	private holdFlush(): void {
		if (!this.wiped) this.atomically(() => this.agenda.reschedule("flush", this.backoff.until));
	}

	// ── the schedule ───────────────────────────────────────────────────────

	/**
	 * Runs every schedule entry that is due, in time order: timeline transitions, the
	 * outbox flush marker, and engine kinds. Synchronous, so callers wrap it in their
	 * transaction; the async part (delivery, re-arming) follows in the alarm.
	 */
	protected advance(now: number): void {
		if (this.wiped) return;
		for (const kind of this.agenda.due(now)) {
			if (isTimelineKind(kind)) {
				this.agenda.reschedule(kind, null);
				this.recordTransition(TIMELINE_KINDS[kind], now);
			} else if (kind !== "flush") {
				this.agenda.reschedule(kind, this.onSchedule(kind as E, now));
			}
			// `flush` stays until the alarm has delivered, so the alarm stays armed for it.
		}
	}

	/** Writes transitions through to D1 and publishes them, then sends the engine outbox. */
	protected async deliver(): Promise<void> {
		const t = this.timeline();
		if (!t) return;
		await deliverStatuses(this.sql, this.env, t, (status) => this.onStatusEvent(status));
		await flushOutbox(this.sql, this.agenda, this.env, t);
	}

	/** Points the alarm at the earliest scheduled kind, or clears it. */
	protected async arm(): Promise<void> {
		if (this.wiped) return;
		await this.agenda.arm();
	}
}
