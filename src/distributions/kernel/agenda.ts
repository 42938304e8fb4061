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

	constructor(private readonly storage: DurableObjectStorage) {}

	/** Queues `kind` to run at `at` (or earlier, if it is already due sooner). Call `arm()` after. */
	scheduleAt(kind: ScheduleKind<E>, at: number): void {
		this.storage.sql.exec(
			"INSERT INTO schedule (kind, at) VALUES (?, ?) ON CONFLICT (kind) DO UPDATE SET at = MIN(at, excluded.at)",
			kind,
			at,
		);
	}

	/** Replaces `kind`'s time (null removes it). Call `arm()` after. */
	reschedule(kind: ScheduleKind<E>, at: number | null): void {
		if (at == null) this.storage.sql.exec("DELETE FROM schedule WHERE kind = ?", kind);
		else this.storage.sql.exec("INSERT OR REPLACE INTO schedule (kind, at) VALUES (?, ?)", kind, at);
	}

	isScheduled(kind: ScheduleKind<E>): boolean {
		return this.storage.sql.exec("SELECT 1 FROM schedule WHERE kind = ?", kind).toArray().length > 0;
	}

	/** Replaces the timeline's part of the schedule with `entries`, leaving every other kind as it is. */
	replaceTimeline(entries: [TimelineKind, number][]): void {
		for (const kind of Object.keys(TIMELINE_KINDS)) this.storage.sql.exec("DELETE FROM schedule WHERE kind = ?", kind);
		for (const [kind, at] of entries) this.storage.sql.exec("INSERT INTO schedule (kind, at) VALUES (?, ?)", kind, at);
	}

	/**
	 * The kinds due at `now`, in time order (ties by name, so a run is reproducible).
	 * Rows are written only through this class, so each is a ScheduleKind<E> — unless an
	 * older version wrote a kind since retired, which the engine's onSchedule then drops.
	 */
	due(now: number): ScheduleKind<E>[] {
		return this.storage.sql
			.exec<{ kind: ScheduleKind<E> }>("SELECT kind FROM schedule WHERE at <= ? ORDER BY at, kind", now)
			.toArray()
			.map((r) => r.kind);
	}

	/** Points the alarm at the earliest scheduled kind, or clears it. */
	async arm(): Promise<void> {
		const next = this.storage.sql.exec<{ at: number | null }>("SELECT MIN(at) AS at FROM schedule").one().at;
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
		await this.storage.deleteAlarm();
	}
}
