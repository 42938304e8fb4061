/**
 * Queue scenario: one OPEN queue without an admission rate (everyone stays QUEUED),
 * measured against the trivial endpoint on the same runner in the same run.
 *  - healthz: GET /healthz — the ceiling;
 *  - enter:   POST /consumer/v1/queues/:id/enter, a new consumer on every request;
 *  - status:  GET /consumer/v1/queues/:id/status, cycling over consumers who entered.
 */
import { measureQueue, openQueue } from "./lib/queue-common.mjs";

export default {
	name: "queue",
	title: "Queue: enter and status",
	description:
		"One OPEN queue (openAt in the past, closeAt +1 h, no admissionRate: everyone stays QUEUED). " +
		"`enter` uses a new consumer per request (access tokens minted by the bench with the worker's key); " +
		"`status` cycles over the consumers that entered.",
	// Issue 18: workerd CPU per request relative to the floor rows of the same run (scenarios/floor.mjs).
	floors: { enter: { floor: "enter-floor", max: 1.3 }, status: { floor: "healthz", max: 1.1 } },

	async run(ctx) {
		const q = await openQueue(ctx);
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
