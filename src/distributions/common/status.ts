/**
 * A distribution's status is a function of its stored times, its terminal mark and
 * the clock — never of whether an alarm has run yet. `statusAt` is the rule; the
 * SQL twin `statusSql` lets lists filter by the same rule (a test keeps them equal).
 * Two statuses no time derives, which the object writes through to the D1 `status` column: a
 * queue's SOLD_OUT while it is OPEN and out of stock (the times still rule: a sold-out queue past
 * its closeAt is CLOSED), and a draw's DRAWN, reached when the beacon round it is ranked by has
 * been fetched and verified (draw-v2): a draw past its drawAt is CLOSED until then, "awaiting the beacon".
 */
import { type SQL, sql } from "drizzle-orm";

export type DistributionType = "queue" | "draw" | "auction";

export const STATUSES = {
	queue: ["DRAFT", "SCHEDULED", "OPEN", "SOLD_OUT", "CLOSED", "COMPLETED"],
	draw: ["DRAFT", "SCHEDULED", "OPEN", "CLOSED", "DRAWN", "COMPLETED"],
	auction: ["DRAFT", "SCHEDULED", "OPEN", "CLOSED", "SETTLED"],
} as const;
export type Status = (typeof STATUSES)[DistributionType][number];

export interface Timeline {
	openAt: number | null;
	closeAt: number | null;
	drawAt: number | null;
	settleAt: number | null;
	/** When the engine finished the distribution (queue/draw COMPLETED, auction SETTLED early by buy-now). */
	completedAt: number | null;
	/** The written-through status (the D1 row's); only a queue's SOLD_OUT and a draw's DRAWN count. */
	status?: string;
	/** In the object: when the draw was drawn (the D1 row says it with `status`). */
	drawnAt?: number | null;
}

/** Entries stop at closeAt; a draw or auction without one stops at its drawAt / settleAt. */
export function effectiveClose(type: DistributionType, t: Timeline): number | null {
	if (t.closeAt != null) return t.closeAt;
	if (type === "draw") return t.drawAt;
	if (type === "auction") return t.settleAt;
	return null;
}

export function statusAt(type: DistributionType, t: Timeline, now: number): Status {
	if (t.completedAt != null && now >= t.completedAt) return type === "auction" ? "SETTLED" : "COMPLETED";
	if (t.openAt == null) return "DRAFT";
	if (now < t.openAt) return "SCHEDULED";
	const close = effectiveClose(type, t);
	if (close == null || now < close) return type === "queue" && t.status === "SOLD_OUT" ? "SOLD_OUT" : "OPEN";
	if (type === "draw") return t.drawnAt != null || t.status === "DRAWN" ? "DRAWN" : "CLOSED";
	if (type === "auction" && t.settleAt != null && now >= t.settleAt) return "SETTLED";
	return "CLOSED";
}

/** Open for entries, or a queue open but out of stock (a restock resumes it). */
export const isOpen = (status: Status) => status === "OPEN" || status === "SOLD_OUT";

/** True once no more participation is accepted or changed by the merchant (CLOSED or later). */
export const isClosedOrLater = (status: Status) => !["DRAFT", "SCHEDULED", "OPEN", "SOLD_OUT"].includes(status);

interface TimelineColumns {
	type: unknown;
	openAt: unknown;
	closeAt: unknown;
	drawAt: unknown;
	settleAt: unknown;
	completedAt: unknown;
	status: unknown;
}

/** `statusAt` as an SQL expression over the distributions table, evaluated at `now`. */
export function statusSql(c: TimelineColumns, now: number): SQL<string> {
	const close = sql`COALESCE(${c.closeAt}, CASE ${c.type} WHEN 'draw' THEN ${c.drawAt} WHEN 'auction' THEN ${c.settleAt} END)`;
	return sql<string>`CASE
		WHEN ${c.completedAt} IS NOT NULL AND ${now} >= ${c.completedAt}
			THEN CASE ${c.type} WHEN 'auction' THEN 'SETTLED' ELSE 'COMPLETED' END
		WHEN ${c.openAt} IS NULL THEN 'DRAFT'
		WHEN ${now} < ${c.openAt} THEN 'SCHEDULED'
		WHEN ${close} IS NULL OR ${now} < ${close}
			THEN CASE WHEN ${c.type} = 'queue' AND ${c.status} = 'SOLD_OUT' THEN 'SOLD_OUT' ELSE 'OPEN' END
		WHEN ${c.type} = 'draw' AND ${c.status} = 'DRAWN' THEN 'DRAWN'
		WHEN ${c.type} = 'auction' AND ${c.settleAt} IS NOT NULL AND ${now} >= ${c.settleAt} THEN 'SETTLED'
		ELSE 'CLOSED' END`;
}
