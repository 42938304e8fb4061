/**
 * Timeline — the distribution as configured (identity, times, settings) and when its
 * engine finished it: what every status and every scheduled transition derives from.
 *
 * Owns the table `timeline` (one JSON row; step 1 of the "distribution" migration list in
 * object.ts) and the timeline's schedule kinds `open`, `close`, `settle`: rebuilt
 * from the times on every store, minus the transitions already recorded.
 */
import type { DistributionRow } from "../common/repo";
import { effectiveClose } from "../common/status";
import { type Agenda, TIMELINE_KINDS, type TimelineKind } from "./agenda";
import { recordedStatuses } from "./status-sync";

/** Everything an engine needs from the distribution row: identity, times and settings. */
export type DistributionConfig = Omit<
	DistributionRow,
	"status" | "completedAt" | "name" | "metadata" | "createdAt" | "updatedAt" | "timeZone" | "sequenceId"
>;

export interface StoredTimeline extends DistributionConfig {
	completedAt: number | null;
	/** A draw: when its engine drew it (DRAWN is no time's to reach). */
	drawnAt?: number | null;
}

export class Timeline {
	/** The parsed row, kept in memory: this object is its only writer (store, finish). */
	private cached: StoredTimeline | null | undefined;

	constructor(
		private readonly sql: SqlStorage,
		private readonly agenda: Pick<Agenda, "replaceTimeline">,
	) {}

	read(): StoredTimeline | null {
		if (this.cached === undefined) {
			const row = this.sql.exec<{ json: string }>("SELECT json FROM timeline WHERE id = 1").toArray()[0];
			this.cached = row ? (JSON.parse(row.json) as StoredTimeline) : null;
		}
		return this.cached;
	}

	/**
	 * Stores the timeline and rebuilds its part of the schedule, in the caller's transaction.
	 * Invariant: every transition not yet recorded whose time is set is scheduled at that
	 * time (a past time fires at once); a recorded transition is never scheduled again.
	 */
	store(t: StoredTimeline): void {
		this.sql.exec("INSERT OR REPLACE INTO timeline (id, json) VALUES (1, ?)", JSON.stringify(t));
		this.cached = t;
		this.agenda.replaceTimeline(this.agendaOf(t));
	}

	/** Marks the engine done at `now` (once); returns the timeline it finished, or null if there was nothing to finish. */
	finish(now: number): StoredTimeline | null {
		const t = this.read();
		if (!t || t.completedAt != null) return null;
		const done = { ...t, completedAt: now };
		// No rebuild: a kind still scheduled (an auction bought out before its close) finds its status recorded and does nothing.
		this.sql.exec("UPDATE timeline SET json = ? WHERE id = 1", JSON.stringify(done));
		this.cached = done;
		return t;
	}

	/** Marks the draw drawn at `now` (once), in the caller's transaction. */
	markDrawn(now: number): void {
		const t = this.read();
		if (!t || t.drawnAt != null) return;
		const drawn = { ...t, drawnAt: now };
		this.sql.exec("UPDATE timeline SET json = ? WHERE id = 1", JSON.stringify(drawn));
		this.cached = drawn;
	}

	/** After a transaction rolled back: read the row again. */
	reload(): void {
		this.cached = undefined;
	}

	/** After storage was wiped: there is no timeline any more. */
	forget(): void {
		this.cached = null;
	}

	private agendaOf(t: StoredTimeline): [TimelineKind, number][] {
		if (t.openAt == null || t.completedAt != null) return [];
		const agenda: [TimelineKind, number | null][] = [
			["open", t.openAt],
			["close", effectiveClose(t.type, t)],
			["settle", t.type === "auction" ? t.settleAt : null],
		];
		const done = recordedStatuses(this.sql);
		return agenda.filter((e): e is [TimelineKind, number] => e[1] != null && !done.has(TIMELINE_KINDS[e[0]]));
	}
}
