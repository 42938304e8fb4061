/**
 * Agenda — the object's one alarm and the schedule it serves.
 *
 * Owns the table `schedule(kind PRIMARY KEY, at)` (created by step 1 of the "distribution"
 * migration list in object.ts) and the Durable Object alarm, always pointed at the
 * earliest `schedule.at`.
 * Schedule kinds, typed as `ScheduleKind<E>`:
 *  - `open`, `close`, `settle`: the timeline's transitions (object.ts runs them);
 *  - `flush`: something waits for delivery (outbox.ts and status-sync.ts ask for it);
 *  - `E`: the kinds an engine declares (queue `admit`; draw `draw`, `rank`, `claims`, `lost`), run by
 *    its onSchedule. A draw's DRAWN is its engine's to reach (after the beacon), not a time's.
 * One row per kind: an engine keeps its own next time, so a kind never runs twice at once.
 */

/** The timeline's kinds, and the status each one reaches. */
export const TIMELINE_KINDS = { open: "OPEN", close: "CLOSED", settle: "SETTLED" } as const;
export type TimelineKind = keyof typeof TIMELINE_KINDS;

export type ScheduleKind<E extends string = never> = TimelineKind | "flush" | E;

export const isTimelineKind = (kind: string): kind is TimelineKind => Object.hasOwn(TIMELINE_KINDS, kind);

export class Agenda<E extends string = never> {
	/** The alarm time last set (undefined: not known), so re-arming to the same time costs no storage call. */
	private armedAt: number | null | undefined;
	/**
	 * The `schedule` table as this instance last wrote or read it (null: read it again). Every row is
	 * written through this class, so reads — run on every RPC (`due`, `arm`) — come from memory. A
	 * transaction that throws rolls the table back: callers then call `forget()` (object.ts `atomically`).
	 */
	private rows: Map<ScheduleKind<E>, number> | null = null;

	constructor(private readonly storage: DurableObjectStorage) {}

	private table(): Map<ScheduleKind<E>, number> {
		this.rows ??= new Map(
			this.storage.sql
				.exec<{ kind: ScheduleKind<E>; at: number }>("SELECT kind, at FROM schedule")
				.toArray()
				.map((r) => [r.kind, r.at]),
		);
		return this.rows;
	}

	/** Drops the memory of the table (after a rolled-back transaction or a wipe): the next read loads it again. */
	forget(): void {
		this.rows = null;
	}

	/** Queues `kind` to run at `at` (or earlier, if it is already due sooner). Call `arm()` after. */
	scheduleAt(kind: ScheduleKind<E>, at: number): void {
		const rows = this.table();
		const current = rows.get(kind);
		// Already due as soon or sooner (an outbox flush during a burst of enters): nothing to write.
		if (current !== undefined && current <= at) return;
		this.storage.sql.exec("INSERT OR REPLACE INTO schedule (kind, at) VALUES (?, ?)", kind, at);
		rows.set(kind, at);
	}

	/** Replaces `kind`'s time (null removes it). Call `arm()` after. */
	reschedule(kind: ScheduleKind<E>, at: number | null): void {
		const rows = this.table();
		if (at == null) {
			if (!rows.has(kind)) return;
			this.storage.sql.exec("DELETE FROM schedule WHERE kind = ?", kind);
			rows.delete(kind);
		} else {
			if (rows.get(kind) === at) return;
			this.storage.sql.exec("INSERT OR REPLACE INTO schedule (kind, at) VALUES (?, ?)", kind, at);
			rows.set(kind, at);
		}
	}

	isScheduled(kind: ScheduleKind<E>): boolean {
		return this.table().has(kind);
	}

	/** Replaces the timeline's part of the schedule with `entries`, leaving every other kind as it is. */
	replaceTimeline(entries: [TimelineKind, number][]): void {
		const rows = this.table();
		for (const kind of Object.keys(TIMELINE_KINDS) as TimelineKind[]) {
			this.storage.sql.exec("DELETE FROM schedule WHERE kind = ?", kind);
			rows.delete(kind);
		}
		for (const [kind, at] of entries) {
			this.storage.sql.exec("INSERT INTO schedule (kind, at) VALUES (?, ?)", kind, at);
			rows.set(kind, at);
		}
	}

	/**
	 * The kinds due at `now`, in time order (ties by name, so a run is reproducible).
	 * Rows are written only through this class, so each is a ScheduleKind<E> — unless an
	 * older version wrote a kind since retired, which the engine's onSchedule then drops.
	 */
	due(now: number): ScheduleKind<E>[] {
		const due: [ScheduleKind<E>, number][] = [];
		for (const [kind, at] of this.table()) if (at <= now) due.push([kind, at]);
		if (due.length > 1) due.sort((a, b) => a[1] - b[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
		return due.map(([kind]) => kind);
	}

	/** Points the alarm at the earliest scheduled kind, or clears it. */
	async arm(): Promise<void> {
		let next: number | null = null;
		for (const at of this.table().values()) if (next == null || at < next) next = at;
		if (this.armedAt === undefined) this.armedAt = await this.storage.getAlarm();
		if (next === this.armedAt) return;
		if (next == null) await this.storage.deleteAlarm();
		else await this.storage.setAlarm(next);
		this.armedAt = next;
	}

	/** The runtime clears an alarm when it fires: forget the cached time so the next arm() sets it again. */
	fired(): void {
		this.armedAt = undefined;
	}

	/** Clears the alarm for good (the object is being wiped). */
	async disarm(): Promise<void> {
		this.armedAt = null;
		this.rows = new Map();
		await this.storage.deleteAlarm();
	}
}
