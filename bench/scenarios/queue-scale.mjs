/**
 * Queue at scale: the `queue` rows on queues that already hold 10k, 100k and 1M consumers
 * (--queue-sizes), one queue per size. Entering that many through the API would take
 * minutes, so the runner is stopped once and the entries are written straight into each
 * QueueObject's SQLite file (the rows `QueueStore.enqueue` writes, and its counters), then it
 * is started again on that state. The rows are shorter (--curve-duration, --curve-warmup).
 * A cost that grows with the line shows up as a slope here. Miniflare runner only.
 */
import { measureQueue, measureStatus, openQueue, prefillQueue, queueStats } from "./lib/queue-common.mjs";

const DEFAULT_SIZES = [10_000, 100_000, 1_000_000];
const short = (n) =>
	n >= 1e6 && n % 1e5 === 0 ? `${n / 1e6}M` : n >= 1e3 && n % 100 === 0 ? `${n / 1e3}k` : String(n);
const n0 = (v) => (v == null || Number.isNaN(v) ? "–" : Math.round(v).toLocaleString("en-US"));
const ms = (v) => (v == null ? "–" : v < 10 ? v.toFixed(2) : v.toFixed(1));

export default {
	name: "queue-scale",
	title: "Queue at scale: enter and status with 10k, 100k and 1M already waiting",
	description:
		"The `queue` rows on queues prefilled with N QUEUED consumers each (written into the QueueObject's SQLite while the " +
		"runner was stopped, with the object's line and waiting counters), one queue per N. A launch queue reaches these " +
		"lengths within minutes; a cost that grows with the line shows up as a slope in the curve. `status` polls carry the " +
		"position ticket, as the SDK's do, and must not grow with the line.",
	options: [
		{
			flag: "--queue-sizes",
			key: "queueSizes",
			default: DEFAULT_SIZES,
			list: true,
			help: "consumers already waiting, one queue per size",
		},
		{ flag: "--curve-duration", key: "curveDuration", default: 5, help: "measured seconds per curve row" },
		{ flag: "--curve-warmup", key: "curveWarmup", default: 1, help: "warm-up seconds per curve row" },
	],

	async run(ctx) {
		if (!ctx.restart) throw new Error("needs a runner that can restart on its own state (--runner miniflare)");
		const sizes = ctx.params.queueSizes ?? DEFAULT_SIZES;
		const override = { duration: ctx.params.curveDuration ?? 5, warmup: ctx.params.curveWarmup ?? 1 };
		const queues = [];
		for (const size of sizes) queues.push({ size, q: await openQueue(ctx) });
		const total = sizes.reduce((a, b) => a + b, 0);
		ctx.log(`prefilling ${sizes.map(short).join(" + ")} entries (runner stopped)…`);
		const t0 = Date.now();
		await ctx.restart(async (persist) => {
			for (const { q, size } of queues) await prefillQueue(persist, q.queue.id, size);
		});
		const prefillS = (Date.now() - t0) / 1000;
		ctx.log(`prefill: ${n0(total)} rows in ${prefillS.toFixed(1)} s (restart included)`);
		for (const { q, size } of queues) {
			const queued = (await queueStats(ctx, q)).queued;
			if (queued < size) throw new Error(`after the prefill queue ${q.queue.id} reports ${queued} queued, not ${size}`);
		}

		ctx.log("healthz (ceiling)…");
		const ceiling = await ctx.measure({ label: "healthz", path: "/healthz" }, override);
		const rows = [ceiling];
		const notes = [];
		const checks = [queues[0].q.checks[0]];
		const points = [];
		for (const { q, size } of queues) {
			const m = await measureQueue(ctx, q, { ceiling, suffix: `-${short(size)}`, override });
			rows.push(...m.rows);
			notes.push(...m.notes);
			checks.push(...q.checks.slice(1));
			points.push({ size, q, queued: m.queuedBefore, enter: m.rows[0], statusRows: [m.rows[1]] });
		}
		// A second status pass, largest line first: a drift over the scenario (the machine, the isolate's
		// caches filling up) then weighs on both ends of the curve alike instead of on its last point.
		for (const p of [...points].reverse()) {
			ctx.log(`status-${short(p.size)}, second pass…`);
			const again = await measureStatus(ctx, p.q, `status-${short(p.size)}-2nd`, override);
			rows.push(again);
			p.statusRows.push(again);
		}
		const mean = (xs) => xs.reduce((a, b) => a + b, 0) / xs.length;
		for (const p of points) {
			const rs = p.statusRows;
			p.status = {
				rps: mean(rs.map((r) => r.rps)),
				latency: { p50: mean(rs.map((r) => r.latency.p50)), p99: Math.max(...rs.map((r) => r.latency.p99)) },
				cpu: { workerdUsPerReq: mean(rs.map((r) => r.cpu.workerdUsPerReq)) },
				errorCount: rs.reduce((n, r) => n + r.errorCount, 0),
			};
		}

		const byCpu = (r) => ceiling.cpu.workerdUsPerReq / r.cpu.workerdUsPerReq;
		const first = points[0];
		const last = points.at(-1);
		const growth = (f) => f(last) / f(first);
		const statusGrowth = growth((p) => p.status.cpu.workerdUsPerReq);
		const enterGrowth = growth((p) => p.enter.cpu.workerdUsPerReq);
		checks.push({
			what: `\`status\` does not grow with the line (workerd µs/req at ${short(last.size)} ≤ 1.3 × at ${short(first.size)}, mean of both passes)`,
			ok: statusGrowth <= 1.3,
			detail: `${n0(first.status.cpu.workerdUsPerReq)} → ${n0(last.status.cpu.workerdUsPerReq)} µs/req (${statusGrowth.toFixed(2)}×)`,
		});
		return {
			ceiling: "healthz",
			rows,
			checks,
			notes,
			tables: [
				{
					title: "Curve: queue length → enter and status",
					text:
						`Rows of ${override.warmup} s warm-up + ${override.duration} s measured, ${ctx.opts.connections} connections. ` +
						"`status` is measured twice, smallest line first then largest first: its columns are the mean of both passes (p99: the higher). " +
						`\`healthz\` on the same runner: ${n0(ceiling.rps)} req/s, ${n0(ceiling.cpu.workerdUsPerReq)} µs/req. ` +
						`Prefill: ${n0(total)} rows in ${prefillS.toFixed(1)} s (node:sqlite, runner stopped).`,
					head: [
						"already waiting",
						"enter req/s",
						"enter p50 / p99 ms",
						"enter workerd µs/req",
						"enter × ceiling by CPU",
						"status req/s",
						"status p50 / p99 ms",
						"status workerd µs/req",
						"status µs/req, 1st / 2nd pass",
						"status × ceiling by CPU",
						"errors",
					],
					rows: points.map((p) => [
						n0(p.queued),
						n0(p.enter.rps),
						`${ms(p.enter.latency.p50)} / ${ms(p.enter.latency.p99)}`,
						n0(p.enter.cpu.workerdUsPerReq),
						byCpu(p.enter).toFixed(2),
						n0(p.status.rps),
						`${ms(p.status.latency.p50)} / ${ms(p.status.latency.p99)}`,
						n0(p.status.cpu.workerdUsPerReq),
						p.statusRows.map((r) => n0(r.cpu.workerdUsPerReq)).join(" / "),
						byCpu(p.status).toFixed(2),
						String(p.enter.errorCount + p.status.errorCount),
					]),
				},
			],
			summary: [
				`enter ${points.map((p) => `${n0(p.enter.cpu.workerdUsPerReq)} µs/${n0(p.enter.rps)} req/s @${short(p.size)}`).join(", ")} (${enterGrowth.toFixed(2)}× from ${short(first.size)} to ${short(last.size)})`,
				`status ${points.map((p) => `${n0(p.status.cpu.workerdUsPerReq)} µs/${n0(p.status.rps)} req/s @${short(p.size)}`).join(", ")} (${statusGrowth.toFixed(2)}×)`,
			],
			context: Object.fromEntries(queues.map(({ q, size }) => [`queue ${short(size)}`, q.queue.id])),
		};
	},
};
