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
 *
 * The table is mirrored in memory (`times`), read once per object instance: every RPC asks
 * what is due, engines ask whether a kind is scheduled, and every re-arm asks for the earliest
 * time — three SQLite statements per call that the mirror answers without storage (issue 18).
 * Writes go to both. A transaction that rolls back must call `forget()` (the kernel's
 * `inTransaction` does); the alarm's `fired()` forgets too, so the mirror is re-read at least
 * at every alarm.
 */

/** The timeline's kinds, and the status each one reaches. */
export const TIMELINE_KINDS = { open: "OPEN", close: "CLOSED", settle: "SETTLED" } as const;
export type TimelineKind = keyof typeof TIMELINE_KINDS;

export type ScheduleKind<E extends string = never> = TimelineKind | "flush" | E;

export const isTimelineKind = (kind: string): kind is TimelineKind => Object.hasOwn(TIMELINE_KINDS, kind);

export class Agenda<E extends string = never> {
	/** The alarm time last set (undefined: not known), so re-arming to the same time costs no storage call. */
	private armedAt: number | null | undefined;

	/** The schedule table in memory (undefined: not read yet in this instance, or forgotten). */
	private times: Map<ScheduleKind<E>, number> | undefined;

	constructor(private readonly storage: DurableObjectStorage) {}

	private mirror(): Map<ScheduleKind<E>, number> {
		if (!this.times) {
			this.times = new Map();
			for (const r of this.storage.sql.exec<{ kind: ScheduleKind<E>; at: number }>("SELECT kind, at FROM schedule")) {
				this.times.set(r.kind, r.at);
			}
		}
		return this.times;
	}

	/** Drops the mirror (after a rolled-back transaction): the next read loads the table again. */
	forget(): void {
		this.times = undefined;
	}

	/** Queues `kind` to run at `at` (or earlier, if it is already due sooner). Call `arm()` after. */
	scheduleAt(kind: ScheduleKind<E>, at: number): void {
		const times = this.mirror();
		const current = times.get(kind);
		// Already due at or before `at`: the row would not change, so no statement at all.
		if (current !== undefined && current <= at) return;
		this.storage.sql.exec(
			"INSERT INTO schedule (kind, at) VALUES (?, ?) ON CONFLICT (kind) DO UPDATE SET at = MIN(at, excluded.at)",
			kind,
			at,
		);
		times.set(kind, at);
	}

	/** Replaces `kind`'s time (null removes it). Call `arm()` after. */
	reschedule(kind: ScheduleKind<E>, at: number | null): void {
		const times = this.mirror();
		if (at == null) {
			this.storage.sql.exec("DELETE FROM schedule WHERE kind = ?", kind);
			times.delete(kind);
		} else {
			this.storage.sql.exec("INSERT OR REPLACE INTO schedule (kind, at) VALUES (?, ?)", kind, at);
			times.set(kind, at);
		}
	}

	isScheduled(kind: ScheduleKind<E>): boolean {
		return this.mirror().has(kind);
	}

	/** Replaces the timeline's part of the schedule with `entries`, leaving every other kind as it is. */
	replaceTimeline(entries: [TimelineKind, number][]): void {
		const times = this.mirror();
		for (const kind of Object.keys(TIMELINE_KINDS) as TimelineKind[]) {
			this.storage.sql.exec("DELETE FROM schedule WHERE kind = ?", kind);
			times.delete(kind);
		}
		for (const [kind, at] of entries) {
			this.storage.sql.exec("INSERT INTO schedule (kind, at) VALUES (?, ?)", kind, at);
			times.set(kind, at);
		}
	}

	/**
	 * The kinds due at `now`, in time order (ties by name, so a run is reproducible).
	 * Rows are written only through this class, so each is a ScheduleKind<E> — unless an
	 * older version wrote a kind since retired, which the engine's onSchedule then drops.
	 */
	due(now: number): ScheduleKind<E>[] {
		const due: [ScheduleKind<E>, number][] = [];
		for (const [kind, at] of this.mirror()) if (at <= now) due.push([kind, at]);
		if (due.length > 1) due.sort((a, b) => a[1] - b[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
		return due.map(([kind]) => kind);
	}

	/** Points the alarm at the earliest scheduled kind, or clears it. */
	async arm(): Promise<void> {
		let next: number | null = null;
		for (const at of this.mirror().values()) if (next === null || at < next) next = at;
		if (this.armedAt === undefined) this.armedAt = await this.storage.getAlarm();
		if (next === this.armedAt) return;
		if (next == null) await this.storage.deleteAlarm();
		else await this.storage.setAlarm(next);
		this.armedAt = next;
	}

	/** The runtime clears an alarm when it fires: forget the cached time so the next arm() sets it again. */
	fired(): void {
		this.armedAt = undefined;
		this.times = undefined;
	}

	/** Clears the alarm for good (the object is being wiped). */
	async disarm(): Promise<void> {
		this.armedAt = null;
		this.times = undefined;
		await this.storage.deleteAlarm();
	}
}
