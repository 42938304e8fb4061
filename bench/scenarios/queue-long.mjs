/**
 * Long-queue scenario: the `queue` rows again, on a queue that already holds
 * PREFILL consumers. Entering through the API at a few hundred per second would take
 * minutes, so the runner is stopped and the entries are written straight into the
 * QueueObject's SQLite file (the same rows `QueueStore.enqueue` writes), then it is
 * started again on the same state. Miniflare runner only.
 */
import { ulid } from "../lib/tokens.mjs";
import { measureQueue, openQueue, queueStats } from "./lib/queue-common.mjs";
import { withObjectDb } from "./lib/sqlite.mjs";

const PREFILL = 100_000;

/** Appends `count` QUEUED entries to this queue's object database. */
async function prefill(persist, queueId, count) {
	await withObjectDb(persist, "QueueObject", queueId, (db) => {
		const next = db.prepare("SELECT value FROM counters WHERE name = 'next_seq'").get()?.value ?? 1;
		const insert = db.prepare("INSERT INTO entries (consumer_id, seq, status, entered_at) VALUES (?, ?, 'QUEUED', ?)");
		const now = Date.now();
		db.exec("BEGIN");
		for (let i = 0; i < count; i++) insert.run(`con_${ulid(now)}`, next + i, now);
		db.prepare("INSERT OR REPLACE INTO counters (name, value) VALUES ('next_seq', ?)").run(next + count);
		db.exec("COMMIT");
	});
}

export default {
	name: "queue-long",
	title: `Queue with ${PREFILL.toLocaleString("en-US")} consumers already waiting: enter and status`,
	description:
		`The \`queue\` rows on a queue prefilled with ${PREFILL.toLocaleString("en-US")} QUEUED consumers ` +
		"(written into the QueueObject's SQLite while the runner was stopped). A launch queue is this long within " +
		"minutes; a cost that grows with the line shows up here and not in `queue`.",
	targets: { enter: 0.6, status: 0.9 },

	async run(ctx) {
		if (!ctx.restart) throw new Error("needs a runner that can restart on its own state (--runner miniflare)");
		const q = await openQueue(ctx);
		ctx.log(`prefilling ${PREFILL} entries (runner stopped)…`);
		await ctx.restart((persist) => prefill(persist, q.queue.id, PREFILL));
		const queued = (await queueStats(ctx, q)).queued;
		if (queued < PREFILL) throw new Error(`after the prefill the queue reports ${queued} queued`);
		const m = await measureQueue(ctx, q);
		return {
			ceiling: "healthz",
			rows: m.rows,
			checks: q.checks,
			notes: m.notes,
			context: { queue: q.queue.id, "queued before enter": m.queuedBefore, "queued after": m.queuedAfter },
		};
	},
};
