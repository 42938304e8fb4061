/**
 * DistributionObject — the live state of one queue, draw or auction, named by its id.
 * Engines (queue.ts, draw.ts, auction.ts) extend it.
 *
 * Tables it owns (in-object migrations, list "distribution"):
 *  - `timeline`: one row — id, organization, type, the times it schedules from, completedAt;
 *  - `schedule(kind, at)`: the agenda of the one alarm: open, close, draw, settle, and
 *    whatever kinds an engine adds (admission ticks, expiries);
 *  - `transitions(status, at, event_id, delivered)`: each status reached, exactly once,
 *    doubling as an outbox: undelivered rows are written through to D1 and published;
 *  - `outbox`: engine events (`queue.consumer.entered`, …) written in the same transaction
 *    as the change they describe, sent to the EVENTS queue in batches by the alarm.
 * Alarm: runs every due kind, delivers both outboxes, re-arms at the next `schedule.at`.
 * A run that throws is retried by the runtime; recorded transitions are not redone.
 * Every RPC first catches up (`advance`), so an action never runs against a stale status.
 */
import { DurableObject } from "cloudflare:workers";
import { db } from "../../db/client";
import { newEvent, publish } from "../../events/publish";
import { newId } from "../../lib/ids";
import { type DistributionRow, findDistribution, toDistribution } from "../common/repo";
import { effectiveClose, type Status, statusAt } from "../common/status";
import { type GrantCheck, type GrantOrder, type GrantRecord, type GrantState, grantToken, judgeGrant } from "./grants";
import { migrate } from "./migrations";

/** Everything an engine needs from the distribution row: identity, times and settings. */
export type DistributionConfig = Omit<
	DistributionRow,
	"status" | "completedAt" | "name" | "metadata" | "createdAt" | "updatedAt" | "timeZone" | "sequenceId"
>;

interface StoredTimeline extends DistributionConfig {
	completedAt: number | null;
}

/**
 * Engine events wait this long in the outbox, so a burst (a thousand enters a second)
 * leaves in a few batches instead of one alarm, one queue send and one D1 write each.
 */
const OUTBOX_DELAY_MS = 250;

const MIGRATIONS = [
	`CREATE TABLE timeline (id INTEGER PRIMARY KEY CHECK (id = 1), json TEXT NOT NULL);
	 CREATE TABLE schedule (kind TEXT PRIMARY KEY, at INTEGER NOT NULL);
	 CREATE TABLE transitions (status TEXT PRIMARY KEY, at INTEGER NOT NULL, event_id TEXT NOT NULL,
	                           delivered INTEGER NOT NULL DEFAULT 0, seq INTEGER NOT NULL);`,
	`CREATE TABLE outbox (seq INTEGER PRIMARY KEY AUTOINCREMENT, id TEXT NOT NULL, type TEXT NOT NULL,
	                      data TEXT NOT NULL, created_at INTEGER NOT NULL);`,
];

/** Engine events are sent in batches of at most this many (the Queues sendBatch limit). */
const OUTBOX_BATCH = 100;

/** Schedule kinds owned by the timeline, and the status each one reaches. */
const TIMELINE_KINDS = { open: "OPEN", close: "CLOSED", draw: "DRAWN", settle: "SETTLED" } as const;
type TimelineKind = keyof typeof TIMELINE_KINDS;

/** Lifecycle order: the D1 status column only ever moves up this scale. */
const STATUS_RANK: Record<Status, number> = {
	DRAFT: 0,
	SCHEDULED: 1,
	OPEN: 2,
	CLOSED: 3,
	DRAWN: 4,
	SETTLED: 4,
	COMPLETED: 5,
};
const STATUS_RANK_SQL = `(CASE status ${Object.entries(STATUS_RANK)
	.map(([s, r]) => `WHEN '${s}' THEN ${r}`)
	.join(" ")} ELSE 0 END)`;

/** Event names say what happened: `queue.opened`, `draw.drawn`, `auction.settled`. */
const EVENT_VERBS: Record<Status, string> = {
	DRAFT: "drafted",
	SCHEDULED: "scheduled",
	OPEN: "opened",
	CLOSED: "closed",
	DRAWN: "drawn",
	SETTLED: "settled",
	COMPLETED: "completed",
};

export abstract class DistributionObject extends DurableObject<Env> {
	protected readonly sql: SqlStorage;

	constructor(ctx: DurableObjectState, env: Env) {
		super(ctx, env);
		this.sql = ctx.storage.sql;
		ctx.blockConcurrencyWhile(async () => {
			migrate(this.sql, "distribution", MIGRATIONS);
			this.migrateEngine();
		});
	}

	/** Engines run their own migration list here. */
	protected migrateEngine(): void {}

	/** Engines react to new settings (inside configure's transaction). */
	protected onConfigure(_now: number): void {}

	/** Engines' async follow-up after the alarm's synchronous part (pushes to sockets). */
	protected async afterAdvance(): Promise<void> {}

	/** Engines act on a transition inside the same transaction that records it (e.g. the draw picks winners). */
	protected onTransition(_status: Status, _now: number): void {}

	/** Engines handle their own schedule kinds; return the next time to run `kind`, or null to drop it. */
	protected onSchedule(_kind: string, _now: number): number | null {
		return null;
	}

	/** Queues `kind` to run at `at` (or earlier, if it is already due sooner). Call `arm()` after. */
	protected scheduleAt(kind: string, at: number): void {
		this.sql.exec(
			"INSERT INTO schedule (kind, at) VALUES (?, ?) ON CONFLICT (kind) DO UPDATE SET at = MIN(at, excluded.at)",
			kind,
			at,
		);
	}

	protected isScheduled(kind: string): boolean {
		return this.sql.exec("SELECT 1 FROM schedule WHERE kind = ?", kind).toArray().length > 0;
	}

	/** Replaces `kind`'s time (null removes it). Call `arm()` after. */
	protected reschedule(kind: string, at: number | null): void {
		if (at == null) this.sql.exec("DELETE FROM schedule WHERE kind = ?", kind);
		else this.sql.exec("INSERT OR REPLACE INTO schedule (kind, at) VALUES (?, ?)", kind, at);
	}

	/** Records an event in the outbox, in the caller's transaction; the alarm sends it soon after. */
	protected emit(type: string, data: Record<string, unknown>, now: number): void {
		const t = this.timeline();
		if (!t) return;
		this.sql.exec(
			"INSERT INTO outbox (id, type, data, created_at) VALUES (?, ?, ?, ?)",
			newId("evt"),
			type,
			JSON.stringify(data),
			now,
		);
		this.scheduleAt("flush", now + OUTBOX_DELAY_MS);
	}

	/** Set once `destroy` wiped storage: this instance must answer "not found" from then on. */
	private wiped = false;

	/** The parsed timeline, kept in memory: this object is its only writer (storeTimeline, complete). */
	private timelineCache: StoredTimeline | null | undefined;
	/** The alarm time last set, so re-arming to the same time costs no storage call. */
	private armedAt: number | null | undefined;

	protected timeline(): StoredTimeline | null {
		if (this.wiped) return null;
		if (this.timelineCache === undefined) {
			const row = this.sql.exec<{ json: string }>("SELECT json FROM timeline WHERE id = 1").toArray()[0];
			this.timelineCache = row ? (JSON.parse(row.json) as StoredTimeline) : null;
		}
		return this.timelineCache;
	}

	/**
	 * Stores the distribution's times and rebuilds the timeline part of the schedule.
	 * Invariant: every transition not yet recorded whose time is set is scheduled at that
	 * time (a past time fires at once); a recorded transition is never scheduled again.
	 */
	async configure(config: DistributionConfig): Promise<void> {
		const completedAt = this.timeline()?.completedAt ?? null;
		const stored: StoredTimeline = { ...config, completedAt };
		this.ctx.storage.transactionSync(() => {
			this.storeTimeline(stored);
			const now = Date.now();
			this.onConfigure(now);
			this.advance(now);
		});
		await this.arm();
	}

	/** Stores the timeline and rebuilds its part of the schedule (inside the caller's transaction). */
	private storeTimeline(t: StoredTimeline): void {
		this.sql.exec("INSERT OR REPLACE INTO timeline (id, json) VALUES (1, ?)", JSON.stringify(t));
		this.timelineCache = t;
		for (const kind of Object.keys(TIMELINE_KINDS)) this.sql.exec("DELETE FROM schedule WHERE kind = ?", kind);
		for (const [kind, at] of this.timelineAgenda(t)) {
			this.sql.exec("INSERT INTO schedule (kind, at) VALUES (?, ?)", kind, at);
		}
	}

	/**
	 * For engines that move their own times (an auction's soft close): updates the stored
	 * timeline and reschedules, in the caller's transaction. Call `arm()` after.
	 */
	protected moveTimes(changes: Partial<Pick<DistributionConfig, "closeAt" | "settleAt">>): void {
		const t = this.timeline();
		if (t) this.storeTimeline({ ...t, ...changes });
	}

	/** Runs what is due, then `read`: engine reads never show a state a late alarm has not reached yet. */
	protected async caughtUp<T>(read: () => T): Promise<T> {
		this.ctx.storage.transactionSync(() => this.advance(Date.now()));
		await this.arm();
		return read();
	}

	/** The status now, from the stored times (the same rule the API uses). */
	status(): Status | null {
		const t = this.timeline();
		return t ? statusAt(t.type, t, Date.now()) : null;
	}

	/** How many consumers take part; engines count their entries. Deleting an OPEN distribution with any → 409. */
	participantCount(): number {
		return 0;
	}

	/** The signed grant (EdDSA JWT) for a record this object issued: deterministic, so re-signing on each read is safe. */
	protected grantTokenFor(record: GrantRecord): Promise<string> {
		const t = this.timeline();
		if (!t) throw new Error("grant without a timeline");
		return grantToken(this.env.JWT_SIGNING_KEY, t.organizationId, t.id, record);
	}

	/** The consumer's grant as this engine sees it; engines that admit or pick winners override it. */
	protected grantOf(_consumerId: string): GrantState | null {
		return null;
	}

	/** What using the grant does in this engine (COMPLETED, CLAIMED, paid), inside the caller's transaction. */
	protected useGrant(_consumerId: string, _order: GrantOrder, _now: number): void {}

	/** Whether a grant this object issued is still usable. */
	checkGrant(consumerId: string, grantId: string): GrantCheck {
		if (!this.timeline()) return { valid: false, reason: "unknown" };
		return this.judged(consumerId, grantId, Date.now());
	}

	/**
	 * Grants being paid for right now (grant id → hold expiry), so duplicate orders on one
	 * grant are refused before any of them takes stock. In memory on purpose: a hold lost to
	 * eviction only reopens the rare race that completeGrant settles anyway.
	 */
	private holds = new Map<string, number>();

	/** Reserves a live grant for one order for up to 30 s; a held grant answers "used". */
	holdGrant(consumerId: string, grantId: string): GrantCheck {
		if (!this.timeline()) return { valid: false, reason: "unknown" };
		const now = Date.now();
		const check = this.judged(consumerId, grantId, now);
		if (!check.valid) return check;
		if ((this.holds.get(grantId) ?? 0) > now) return { valid: false, reason: "used" };
		this.holds.set(grantId, now + 30_000);
		return check;
	}

	/** Gives a hold back (the order failed for another reason, e.g. out of stock). */
	releaseGrant(grantId: string): void {
		this.holds.delete(grantId);
	}

	/** The consumer's grant id in whatever state (so a used one can be named as used), or null. */
	grantIdOf(consumerId: string): string | null {
		return this.timeline() ? (this.grantOf(consumerId)?.grantId ?? null) : null;
	}

	/** Uses a grant. Invariant: succeeds at most once per grant, and only while it is live. */
	async completeGrant(consumerId: string, grantId: string, order: GrantOrder): Promise<GrantCheck> {
		if (!this.timeline()) return { valid: false, reason: "unknown" };
		const now = Date.now();
		const check = this.ctx.storage.transactionSync(() => {
			this.advance(now);
			const result = this.judged(consumerId, grantId, now);
			if (result.valid) this.useGrant(consumerId, order, now);
			return result;
		});
		this.holds.delete(grantId);
		await this.arm();
		return check;
	}

	private judged(consumerId: string, grantId: string, now: number): GrantCheck {
		const check = judgeGrant(this.grantOf(consumerId), grantId, now);
		return check.valid ? { ...check, consumerId } : check;
	}

	/** Removes every row and the alarm: afterwards the object holds nothing. */
	async destroy(): Promise<void> {
		this.wiped = true;
		this.timelineCache = null;
		this.armedAt = null;
		await this.ctx.storage.deleteAlarm();
		await this.ctx.storage.deleteAll();
	}

	override async alarm(): Promise<void> {
		// A fired alarm is cleared by the runtime: forget the cached time so arm() sets it again.
		this.armedAt = undefined;
		this.ctx.storage.transactionSync(() => this.advance(Date.now()));
		await this.deliver();
		await this.arm();
		await this.afterAdvance();
	}

	/**
	 * Runs every schedule entry that is due, in time order: timeline transitions, the
	 * outbox flush marker, and engine kinds. Synchronous, so callers wrap it in their
	 * transaction; the async part (delivery, re-arming) follows in the alarm.
	 */
	protected advance(now: number): void {
		if (this.wiped) return;
		const due = this.sql
			.exec<{ kind: string }>("SELECT kind FROM schedule WHERE at <= ? ORDER BY at, kind", now)
			.toArray();
		for (const { kind } of due) {
			if (kind in TIMELINE_KINDS) {
				this.sql.exec("DELETE FROM schedule WHERE kind = ?", kind);
				this.recordTransition(TIMELINE_KINDS[kind as TimelineKind], now);
			} else if (kind === "flush") {
				// Delivery happens in the alarm; leave the marker until then so the alarm stays armed.
			} else {
				this.reschedule(kind, this.onSchedule(kind, now));
			}
		}
	}

	/** Records `status` once (later calls are no-ops) and lets the engine act on it. */
	protected recordTransition(status: Status, now: number): void {
		const exists = this.sql.exec("SELECT 1 FROM transitions WHERE status = ?", status).toArray().length > 0;
		if (exists) return;
		const seq = this.sql.exec<{ n: number }>("SELECT COUNT(*) AS n FROM transitions").one().n;
		const eventId = newId("evt");
		this.sql.exec("INSERT INTO transitions (status, at, event_id, seq) VALUES (?, ?, ?, ?)", status, now, eventId, seq);
		this.scheduleAt("flush", now);
		this.onTransition(status, now);
	}

	/** Engines call this when they are done: COMPLETED (SETTLED for auctions), written through like any transition. */
	protected complete(now: number): void {
		const t = this.timeline();
		if (!t || t.completedAt != null) return;
		const done = { ...t, completedAt: now };
		this.sql.exec("UPDATE timeline SET json = ? WHERE id = 1", JSON.stringify(done));
		this.timelineCache = done;
		this.recordTransition(t.type === "auction" ? "SETTLED" : "COMPLETED", now);
	}

	/**
	 * Writes the newest undelivered status through to D1 — forward only, so a late
	 * delivery never rolls the column back — then publishes one event per transition,
	 * in the order they happened.
	 */
	protected async deliver(): Promise<void> {
		const pending = this.sql
			.exec<{ status: Status; at: number; event_id: string; seq: number }>(
				"SELECT status, at, event_id, seq FROM transitions WHERE delivered = 0 ORDER BY seq",
			)
			.toArray();
		const t = this.timeline();
		if (!t) return;
		const newest = pending.at(-1);
		if (newest) {
			await this.env.DB.prepare(
				`UPDATE distributions SET status = ?1, completed_at = ?2
				  WHERE id = ?3 AND organization_id = ?4 AND ${STATUS_RANK_SQL} <= ?5`,
			)
				.bind(newest.status, t.completedAt, t.id, t.organizationId, STATUS_RANK[newest.status])
				.run();
			const row = await findDistribution(db(this.env.DB), t.organizationId, t.id);
			const events = row
				? pending.map(({ status, at, event_id }) =>
						newEvent(
							t.organizationId,
							`${t.type}.${EVENT_VERBS[status]}`,
							{ object: { ...toDistribution(row, at), status } },
							t.id,
							event_id,
						),
					)
				: [];
			await publish(this.env.EVENTS, events);
			this.sql.exec("UPDATE transitions SET delivered = 1 WHERE seq <= ?", newest.seq);
		}
		await this.flushOutbox(t);
	}

	/** Sends the engine outbox in batches; a row is deleted only after its batch was accepted. */
	private async flushOutbox(t: StoredTimeline): Promise<void> {
		for (;;) {
			const rows = this.sql
				.exec<{ seq: number; id: string; type: string; data: string; created_at: number }>(
					"SELECT seq, id, type, data, created_at FROM outbox ORDER BY seq LIMIT ?",
					OUTBOX_BATCH,
				)
				.toArray();
			if (!rows.length) break;
			await publish(
				this.env.EVENTS,
				rows.map((r) => ({
					id: r.id,
					organizationId: t.organizationId,
					type: r.type,
					distributionId: t.id,
					data: JSON.parse(r.data),
					createdAt: r.created_at,
				})),
			);
			this.sql.exec("DELETE FROM outbox WHERE seq <= ?", rows[rows.length - 1].seq);
		}
		this.sql.exec("DELETE FROM schedule WHERE kind = 'flush'");
	}

	/** Points the alarm at the earliest scheduled kind, or clears it. */
	protected async arm(): Promise<void> {
		if (this.wiped) return;
		const next = this.sql.exec<{ at: number | null }>("SELECT MIN(at) AS at FROM schedule").one().at;
		if (this.armedAt === undefined) this.armedAt = await this.ctx.storage.getAlarm();
		if (next === this.armedAt) return;
		if (next == null) await this.ctx.storage.deleteAlarm();
		else await this.ctx.storage.setAlarm(next);
		this.armedAt = next;
	}

	private timelineAgenda(t: StoredTimeline): [TimelineKind, number][] {
		if (t.openAt == null || t.completedAt != null) return [];
		const agenda: [TimelineKind, number | null][] = [
			["open", t.openAt],
			["close", effectiveClose(t.type, t)],
			["draw", t.type === "draw" ? t.drawAt : null],
			["settle", t.type === "auction" ? t.settleAt : null],
		];
		const done = new Set(
			this.sql
				.exec<{ status: string }>("SELECT status FROM transitions")
				.toArray()
				.map((r) => r.status),
		);
		return agenda.filter((e): e is [TimelineKind, number] => e[1] != null && !done.has(TIMELINE_KINDS[e[0]]));
	}
}
