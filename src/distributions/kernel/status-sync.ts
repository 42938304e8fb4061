/**
 * Status sync — each status a distribution reaches is recorded once, in the transaction
 * that reached it, then written through to the D1 `distributions` row (forward only) and
 * published as `<type>.<verb>` (`queue.opened`, `draw.drawn`, `auction.settled`).
 *
 * Owns the table `transitions(status, at, event_id, delivered, seq)` (step 1 of the
 * "distribution" migration list in object.ts): an outbox of its own, one row per status.
 * Asks for the schedule kind `flush` (see outbox.ts) so the alarm delivers a new row.
 * Stateless: each function takes what it touches.
 */
import { db } from "../../db/client";
import { newEvent, publish } from "../../events/publish";
import { newId } from "../../lib/ids";
import { findDistribution, toDistribution } from "../common/repo";
import type { DistributionType, Status } from "../common/status";
import type { Agenda } from "./agenda";

/** Lifecycle order: the D1 status column only ever moves up this scale. */
export const STATUS_RANK: Record<Status, number> = {
	DRAFT: 0,
	SCHEDULED: 1,
	OPEN: 2,
	// Level with OPEN: a queue goes SOLD_OUT and, restocked, OPEN again; CLOSED still outranks both.
	SOLD_OUT: 2,
	CLOSED: 3,
	DRAWN: 4,
	SETTLED: 4,
	COMPLETED: 5,
};
const STATUS_RANK_SQL = `(CASE status ${Object.entries(STATUS_RANK)
	.map(([s, r]) => `WHEN '${s}' THEN ${r}`)
	.join(" ")} ELSE 0 END)`;

/** Event names say what happened: `queue.opened`, `draw.drawn`, `auction.settled`. */
export const EVENT_VERBS: Record<Status, string> = {
	DRAFT: "drafted",
	SCHEDULED: "scheduled",
	OPEN: "opened",
	SOLD_OUT: "sold_out",
	CLOSED: "closed",
	DRAWN: "drawn",
	SETTLED: "settled",
	COMPLETED: "completed",
};

/**
 * Records `status` once, in the caller's transaction. Returns false if it was already
 * recorded, so the caller's reaction to it (the engine's onTransition) also runs once.
 */
export function recordStatus(
	sql: SqlStorage,
	agenda: Pick<Agenda, "scheduleAt">,
	status: Status,
	now: number,
): boolean {
	const exists = sql.exec("SELECT 1 FROM transitions WHERE status = ?", status).toArray().length > 0;
	if (exists) return false;
	const seq = nextSeq(sql);
	sql.exec("INSERT INTO transitions (status, at, event_id, seq) VALUES (?, ?, ?, ?)", status, now, newId("evt"), seq);
	agenda.scheduleAt("flush", now);
	return true;
}

/** MAX + 1, not COUNT: a withdrawn status leaves a gap. */
const nextSeq = (sql: SqlStorage) =>
	sql.exec<{ n: number }>("SELECT COALESCE(MAX(seq) + 1, 0) AS n FROM transitions").one().n;

/**
 * Takes `status` back (a sold-out queue restocked): its row goes, so it can be reached and
 * announced again, and `back` (recorded before) is delivered again, last, so D1 shows it once
 * more. `back`'s event keeps its id: the event store and webhooks keep the one they have.
 * Returns false if `status` was not recorded.
 */
export function withdrawStatus(
	sql: SqlStorage,
	agenda: Pick<Agenda, "scheduleAt">,
	status: Status,
	back: Status,
	now: number,
): boolean {
	if (!sql.exec("DELETE FROM transitions WHERE status = ? RETURNING status", status).toArray().length) return false;
	sql.exec("UPDATE transitions SET delivered = 0, seq = ? WHERE status = ?", nextSeq(sql), back);
	agenda.scheduleAt("flush", now);
	return true;
}

/** Every status recorded so far (delivered or not). */
export function recordedStatuses(sql: SqlStorage): Set<string> {
	return new Set(
		sql
			.exec<{ status: string }>("SELECT status FROM transitions")
			.toArray()
			.map((r) => r.status),
	);
}

/**
 * Writes the newest undelivered status through to D1 — forward only, so a late delivery
 * never rolls the column back — then publishes one event per transition, in the order
 * they happened. Rows are marked delivered only after both succeeded: a failure is
 * retried by the next alarm, with the same event ids (the event store keeps one of each).
 */
export async function deliverStatuses(
	sql: SqlStorage,
	env: { DB: D1Database; EVENTS: Queue },
	t: { id: string; organizationId: string; type: DistributionType; completedAt: number | null },
	/** What the engine adds to a status's event (`auction.settled`: the winner and price). */
	extra: (status: Status) => Record<string, unknown> = () => ({}),
): Promise<void> {
	const pending = sql
		.exec<{ status: Status; at: number; event_id: string; seq: number }>(
			"SELECT status, at, event_id, seq FROM transitions WHERE delivered = 0 ORDER BY seq",
		)
		.toArray();
	const newest = pending.at(-1);
	if (!newest) return;
	await env.DB.prepare(
		`UPDATE distributions SET status = ?1, completed_at = ?2
		  WHERE id = ?3 AND organization_id = ?4 AND ${STATUS_RANK_SQL} <= ?5`,
	)
		.bind(newest.status, t.completedAt, t.id, t.organizationId, STATUS_RANK[newest.status])
		.run();
	const row = await findDistribution(db(env.DB), t.organizationId, t.id);
	// The D1 row is gone only if the distribution was deleted meanwhile: nothing left to announce.
	const events = row
		? pending.map(({ status, at, event_id }) =>
				newEvent(
					t.organizationId,
					`${t.type}.${EVENT_VERBS[status]}`,
					{ object: { ...toDistribution(row, at), status }, ...extra(status) },
					t.id,
					event_id,
				),
			)
		: [];
	await publish(env.EVENTS, events);
	sql.exec("UPDATE transitions SET delivered = 1 WHERE seq <= ?", newest.seq);
}
