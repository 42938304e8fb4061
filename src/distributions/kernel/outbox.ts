/**
 * Outbox — engine events (`queue.consumer.entered`, `draw.consumer.won`, …) written in the
 * same transaction as the change they describe, and sent to the EVENTS queue in batches
 * by the alarm: an event exists exactly when its change committed.
 *
 * Owns the table `outbox(seq, id, type, data, created_at)` (step 2 of the "distribution"
 * migration list in object.ts) and the schedule kind `flush` (status-sync.ts asks for it too:
 * the alarm delivers both). Each event leaves naming its subject: `data` gets distributionId,
 * distributionType and productId (the sequence's, read once per flush), as the event types
 * in src/events/types.ts promise subscribers.
 * Stateless: each function takes what it touches.
 */
import { publish } from "../../events/publish";
import type { EngineEventType } from "../../events/types";
import { newId } from "../../lib/ids";
import { checkoutTarget } from "../checkout/repo";
import type { DistributionType } from "../common/status";
import type { Agenda } from "./agenda";

/**
 * Engine events wait this long in the outbox, so a burst (a thousand enters a second)
 * leaves in a few batches instead of one alarm, one queue send and one D1 write each.
 */
export const OUTBOX_DELAY_MS = 250;

/** Engine events are sent in batches of at most this many (the Queues sendBatch limit). */
export const OUTBOX_BATCH = 100;
/** …and of at most this many bytes of data (a sendBatch carries 256 KB; a `draw.consumer.lost` ≈ 33 KB). */
const OUTBOX_BATCH_BYTES = 192_000;

/** The longest prefix of `rows` within OUTBOX_BATCH_BYTES (always at least one row). */
function withinBytes<R extends { data: string }>(rows: R[]): R[] {
	let bytes = 0;
	const n = rows.findIndex((r) => {
		bytes += r.data.length;
		return bytes > OUTBOX_BATCH_BYTES;
	});
	return n < 0 ? rows : rows.slice(0, Math.max(n, 1));
}

/** Records an event in the caller's transaction and asks the alarm to send it soon after. */
export function recordEvent(
	sql: SqlStorage,
	agenda: Pick<Agenda, "scheduleAt" | "reschedule">,
	type: EngineEventType,
	data: Record<string, unknown>,
	now: number,
): void {
	sql.exec(
		"INSERT INTO outbox (id, type, data, created_at) VALUES (?, ?, ?, ?)",
		newId("evt"),
		type,
		JSON.stringify(data),
		now,
	);
	agenda.scheduleAt("flush", now + OUTBOX_DELAY_MS);
}

/**
 * Sends the outbox in batches, oldest first. A row is deleted only after its batch was
 * accepted, so a failed send is retried by the next alarm (at least once; the event
 * store ignores a redelivered id). Drops the `flush` marker once the outbox is empty.
 */
export async function flushOutbox(
	sql: SqlStorage,
	agenda: Pick<Agenda, "scheduleAt" | "reschedule">,
	env: { DB: D1Database; EVENTS: Queue },
	t: { id: string; organizationId: string; type: DistributionType },
): Promise<void> {
	// Read once per flush, not stored per event: the product is the sequence's as the events leave.
	let subject: { distributionId: string; distributionType: DistributionType; productId: string | null } | undefined;
	for (;;) {
		const rows = withinBytes(
			sql
				.exec<{ seq: number; id: string; type: string; data: string; created_at: number }>(
					"SELECT seq, id, type, data, created_at FROM outbox ORDER BY seq LIMIT ?",
					OUTBOX_BATCH,
				)
				.toArray(),
		);
		if (!rows.length) break;
		subject ??= {
			distributionId: t.id,
			distributionType: t.type,
			productId: (await checkoutTarget(env.DB, t.organizationId, t.id))?.productId ?? null,
		};
		await publish(
			env.EVENTS,
			rows.map((r) => ({
				id: r.id,
				organizationId: t.organizationId,
				type: r.type,
				distributionId: t.id,
				data: { ...JSON.parse(r.data), ...subject },
				createdAt: r.created_at,
			})),
		);
		sql.exec("DELETE FROM outbox WHERE seq <= ?", rows[rows.length - 1].seq);
	}
	agenda.reschedule("flush", null);
}
