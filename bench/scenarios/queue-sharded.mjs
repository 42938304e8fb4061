/**
 * Queue-sharded scenario (issue 18 item 3): the same `enter` load on three OPEN queues with
 * entryShards k = 1, 4 and 16 (`--shards 1,4,16`), and per k a projection of where the
 * ~1,000 requests/s one Durable Object serves is reached.
 *
 * The busiest object's CPU per second is ESTIMATED from per-object call counts × per-call cost
 * measured in the same run (the floor rows), not measured inside the objects:
 *  - k = 1: the queue's object takes one RPC per enter, costing (rpc-insert − trivial) µs of
 *    object-side work and plumbing plus the enter rule's extra statements;
 *  - k > 1: each shard takes enters/k RPCs of one INSERT each (rpc-insert − trivial), the
 *    queue's object takes k × (1000 / FLUSH_MS) batch RPCs a second and rows at the offered rate,
 *    each row costing the enter rule without the RPC ((rpc-insert − rpc) × 4 statements).
 * Projected enters/s before any object passes 1,000 req/s: k × 1,000 (the shards), capped by the
 * queue's object's row work reaching one second of CPU per second.
 */
import { iso } from "../lib/api.mjs";
import { measureQueue, openQueue, queueStats, refreshTickets } from "./lib/queue-common.mjs";

const FLUSH_MS = 500;
const ENTER_STATEMENTS = 4;

const n0 = (x) => (x == null || !Number.isFinite(x) ? "–" : Math.round(x).toLocaleString("en-US"));

export default {
	name: "queue-sharded",
	title: "Queue: sharded entry (k = 1, 4, 16)",
	description:
		"Three OPEN queues with entryShards 1, 4 and 16; `enter-k<k>` a new consumer per request, `status-k<k>` polls with " +
		"the tickets the SDK would hold (see the notes). Busiest-object CPU and the projected enter rate here are estimates: " +
		"per-object call counts × per-call cost from the floor rows of the same run (scenario file header); the `in-object` " +
		"scenario measures a shard's enter and the queue object's ingest per arrival, and projects from those.",
	options: [{ flag: "--shards", key: "shards", default: [1, 4, 16], list: true, help: "entryShards, one queue each" }],

	async run(ctx) {
		const ks = (ctx.params.shards ?? [1, 4, 16]).filter((k) => Number.isInteger(k) && k >= 1 && k <= 64);
		const floorRows = ctx.previous.find((s) => s.name === "floor")?.rows ?? [];
		const us = (label) => floorRows.find((r) => r.label === label)?.cpu.workerdUsPerReq ?? null;
		const [trivial, rpc, insert] = [us("trivial"), us("rpc"), us("rpc-insert")];
		const perRpc = insert != null && trivial != null ? insert - trivial : null;
		const perRow = insert != null && rpc != null ? Math.max(1, insert - rpc) * ENTER_STATEMENTS : null;

		const rows = [];
		const checks = [];
		const model = [];
		const refreshed = [];
		let ceiling = null;
		for (const k of ks) {
			const q = await openQueue(ctx);
			// openQueue makes a k = 1 queue; a sharded one is created beside it in the same sequence.
			if (k > 1) {
				const now = Date.now();
				q.queue = (
					await ctx.api("POST", "/api/v1/queues", {
						token: q.sk,
						body: { sequenceId: q.sequenceId, openAt: iso(now - 1000), closeAt: iso(now + 3_600_000), entryShards: k },
						expect: 201,
					})
				).json;
				q.base = `/consumer/v1/queues/${q.queue.id}`;
			}
			// Before status-k: the flush, then one poll each as the SDK makes it (it keeps the full ticket it returns).
			const beforeStatus = async () => {
				await new Promise((r) => setTimeout(r, 2 * FLUSH_MS));
				const r = await refreshTickets(ctx, q);
				refreshed.push(
					`k=${k}: ${n0(r.polled)} consumers polled once before \`status-k${k}\`, ${n0(r.changed)} got a new ticket`,
				);
			};
			const m = await measureQueue(ctx, q, { ceiling, suffix: `-k${k}`, beforeStatus });
			if (!ceiling) ceiling = m.rows[0];
			rows.push(...m.rows);
			checks.push(...q.checks);
			const enter = m.rows.find((r) => r.label === `enter-k${k}`);
			// Sharded arrivals reach the line within a flush: give them a moment before counting.
			await new Promise((r) => setTimeout(r, 2 * FLUSH_MS));
			const queued = (await queueStats(ctx, q)).queued;
			checks.push({
				what: `k=${k}: every 2xx enter is in the queue's line after a flush`,
				ok: queued >= enter.succeeded,
				detail: `${queued} queued, ${enter.succeeded} 2xx`,
			});
			const rps = enter.rps;
			const shardRps = k > 1 ? rps / k : null;
			const queueRpcs = k > 1 ? k * (1000 / FLUSH_MS) : rps;
			const busiest =
				k === 1
					? perRpc != null && perRow != null
						? rps * (perRpc + perRow)
						: null
					: Math.max((shardRps ?? 0) * (perRpc ?? 0), queueRpcs * (perRpc ?? 0) + rps * (perRow ?? 0));
			const projected = k === 1 ? 1000 : Math.min(k * 1000, perRow ? 1e6 / perRow : Number.POSITIVE_INFINITY);
			model.push([
				String(k),
				n0(rps),
				n0(enter.cpu.workerdUsPerReq),
				shardRps == null ? "–" : n0(shardRps),
				n0(queueRpcs),
				busiest == null ? "–" : `${n0(busiest / 1000)} ms/s`,
				n0(projected),
			]);
		}
		return {
			ceiling: "healthz",
			rows,
			checks,
			notes: [
				"A sharded enter answers while the arrival is still in its shard, with a ticket that carries no line number " +
					"yet; the SDK keeps the ticket of every answer, so its first poll after the flush (through the shard to the " +
					"queue's object) brings the full one and the polls after it are answered at the edge. `status-k<k>` measures " +
					"those later polls: before it, each consumer polled once.",
				...refreshed,
			],
			tables: [
				{
					title: "Per-object load and projection (estimated: call counts × floor per-call cost)",
					text: `Per-call costs from this run's floor rows: one enter RPC at an object ≈ ${n0(perRpc)} µs (rpc-insert − trivial), one ingested row ≈ ${n0(perRow)} µs ((rpc-insert − rpc) × ${ENTER_STATEMENTS}). Flush every ${FLUSH_MS} ms.`,
					head: [
						"k",
						"enter req/s",
						"workerd µs/req",
						"req/s per shard",
						"queue object RPCs/s",
						"busiest object CPU",
						"projected enters/s at 1,000 req/s per object",
					],
					rows: model,
				},
			],
		};
	},
};
