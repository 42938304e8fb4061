/**
 * In-object cost: workerd CPU per Durable Object call, measured without HTTP.
 * A Durable Object's clock is frozen while it runs, so it cannot time itself, and in the
 * HTTP rows its work is mixed with routing, auth and D1. Here the runner is restarted with
 * the bench-only driver worker (lib/driver-worker.mjs), bound to the worker's own object
 * classes: one request to it makes thousands of RPC calls to one object, 32 in flight, and
 * the bench reads workerd's CPU from /proc around that request (and a settle period for the
 * alarms the calls cause: the outbox flush). The worker consumes no queues meanwhile, so
 * no event storing runs. A trivial call (`status()`) gives the RPC round trip itself.
 * Per call: (CPU during the loop + settle) / calls. In-object ≈ that minus the trivial call.
 * The projection for one object is 1e6 / µs, against Cloudflare's ~1,000 requests/s soft limit.
 */

import { iso } from "../lib/api.mjs";
import { waitForQuiet } from "../lib/load.mjs";
import { sampleMachine, sleep } from "../lib/proc.mjs";
import { sampleShares, startProfiles } from "../lib/profile.mjs";
import { openAuction, openDraw } from "./lib/distributions.mjs";
import { openQueue, queueStats } from "./lib/queue-common.mjs";

const SOFT_LIMIT = 1000;
const SETTLE_MS = 1500;
/**
 * The alarm's frames (src/distributions/kernel/: object.ts, status-sync.ts, outbox.ts; src/events/publish.ts;
 * the engines' onAdvanced hook): a sample with one of them on
 * its stack — or a continuation of one, after an await — is the alarm's work (catching up, the outbox
 * flush, the queue send). With no HTTP and no queue consumers, the worker's isolate runs nothing but
 * the object during a loop, so every other sample is the RPC method's.
 */
const ALARM_FRAMES = ["alarm", "deliver", "deliverStatuses", "flushOutbox", "publish", "onAdvanced"];
const PROFILE_SECONDS = 2;
/** The sharded queue whose shard 0 the `shard enter` loop calls, and the arrivals per `queue ingest` call. */
const SHARDS = 16;
const INGEST_BATCH = 200;
/** The shard counts the measured projection is worked out for. */
const PROJECTED_KS = [1, 4, 16, 32, 64];

/** Share of the object's samples in the alarm over a short profiled loop (a second pass: the profiler costs CPU). */
async function alarmShare(ctx, loop) {
	const profiler = await startProfiles(ctx.runner.inspectorUrl);
	const out = await ctx.runner.driverLoop({ ...loop, seconds: PROFILE_SECONDS, concurrency: ctx.opts.connections });
	await sleep(500);
	const profile = Object.values(await profiler.stop())[0];
	await sleep(SETTLE_MS);
	const c = profile ? sampleShares(profile, { alarm: ALARM_FRAMES }) : { alarm: 0, rest: 0, unattributed: 0 };
	const attributed = c.alarm + c.rest;
	return { out, share: attributed ? c.alarm / attributed : null, samples: attributed + c.unattributed };
}
const n0 = (v) => (v == null || Number.isNaN(v) ? "–" : Math.round(v).toLocaleString("en-US"));

/** A second OPEN queue in the bench queue's sequence, with `k` entry shards; its id. */
async function shardedQueue(ctx, q, k) {
	const now = Date.now();
	const body = { sequenceId: q.sequenceId, openAt: iso(now - 1000), closeAt: iso(now + 3_600_000), entryShards: k };
	return (await ctx.api("POST", "/api/v1/queues", { token: q.sk, body, expect: 201 })).json.id;
}

/**
 * The calls measured, in order (`queue status` asks about the consumers `queue enter` entered).
 * The RPC signatures are the objects' own (src/distributions/{queue,draw,auction}/object.ts): when one
 * changes, the loop's calls throw or are refused and the scenario's checks fail — update it here.
 */
function operations(q, d, a, entered, sharded) {
	const org = q.orgId;
	const at = Date.now();
	return [
		{
			label: "rpc",
			call: "`status()`",
			what: "a trivial call: the RPC round trip",
			loop: { binding: "QUEUE_OBJECT", name: q.queue.id, method: "status", args: [] },
		},
		{
			label: "queue enter",
			http: ["queue", "enter"],
			call: "`QueueObject.enter(org, consumer)`",
			what: "a new consumer per call, at the back of the line (what POST …/enter asks the object)",
			loop: { binding: "QUEUE_OBJECT", name: q.queue.id, method: "enter", args: [org, "con_objq{n}"] },
		},
		{
			label: "queue status",
			http: ["queue", "status"],
			call: "`QueueObject.state(org, {consumerId})`",
			what:
				"a status poll that reaches the object (no ticket, or a consumer the edge cannot answer for: admitted, " +
				"near the front); a waiting consumer's ticket poll is answered in the worker without the object",
			loop: () => ({
				binding: "QUEUE_OBJECT",
				name: q.queue.id,
				method: "state",
				args: [org, { consumerId: "con_objq{n}" }],
				cycle: entered.queue,
			}),
		},
		{
			label: "queue snapshot",
			call: "`QueueObject.progressSnapshot(org)`",
			what:
				"the progress snapshot behind ticket polls answered at the edge: each worker isolate asks for it at most " +
				"once a second, however many consumers poll through it",
			loop: { binding: "QUEUE_OBJECT", name: q.queue.id, method: "progressSnapshot", args: [org] },
		},
		{
			label: "shard enter",
			call: `\`QueueShard.enter(org, consumer)\` (shard 0 of a k = ${SHARDS} queue)`,
			what:
				"a new consumer per call at one shard of a sharded queue: the arrival stored in the shard, its ticket and " +
				"estimated place; the CPU includes the queue's object ingesting what the shard flushes every 500 ms",
			loop: {
				binding: "QUEUE_SHARD",
				name: `${sharded.shards}:0`,
				method: "enter",
				args: [org, "con_objs{n}", 0],
			},
		},
		{
			label: "queue ingest",
			call: `\`QueueObject.ingest(shard, ${INGEST_BATCH} arrivals, drainedTo)\``,
			what:
				`one shard's flush as the queue's object takes it, ${INGEST_BATCH} new arrivals a call (a k = 2 queue, shard 1, ` +
				"which no real shard feeds here): every arrival through the enter rule, one transaction per batch",
			loop: {
				binding: "QUEUE_OBJECT",
				name: sharded.ingest,
				method: "ingest",
				args: [
					1,
					{
						$batch: {
							size: INGEST_BATCH,
							item: {
								seq: { $seq: { start: 1, step: 1 } },
								consumerId: "con_obji{n}",
								lane: 0,
								arrivedAt: at,
								leftAt: null,
							},
						},
					},
					at,
				],
			},
		},
		{
			label: "draw enter",
			http: ["draw", "enter"],
			call: "`DrawObject.enter(org, consumer)`",
			what: "a new consumer per call",
			loop: { binding: "DRAW_OBJECT", name: d.id, method: "enter", args: [org, "con_objd{n}"] },
		},
		{
			label: "auction bid",
			http: ["auction", "bid"],
			call: "`AuctionObject.bid(org, bidder, amount, null, null)`",
			what: "a new bidder per call, ascending amounts (each accepted: the `bid` row's case)",
			loop: {
				binding: "AUCTION_OBJECT",
				name: a.id,
				method: "bid",
				args: [org, "con_obja{n}", { $seq: { start: 100, step: 100 } }, null, null],
			},
		},
	];
}

/**
 * Where sharded entry meets the ~1,000 req/s a Durable Object serves, from this run's measured calls:
 * at R enters/s over k shards a shard takes R/k enters (each `shard enter` − the round trip, which
 * includes the ingest of its own arrivals: counted once more at the queue's object, so conservative),
 * and the queue's object takes R ingested rows (`queue ingest` per arrival) plus 2k flush calls a second.
 * R at which the first object reaches one second of CPU per second, and, separately, 1,000 calls/s.
 */
function shardedProjection(results, rpc) {
	const of = (label) => results.find((r) => r.label === label);
	const [enter, shard, ingest] = [of("queue enter"), of("shard enter"), of("queue ingest")];
	if (!enter || !shard || !ingest) return null;
	const enterUs = enter.usPerCall - rpc;
	const shardUs = shard.usPerCall - rpc;
	const batchUs = ingest.usPerCall - rpc;
	const rowUs = batchUs / INGEST_BATCH;
	const flushesPerShard = 2;
	const rows = PROJECTED_KS.map((k) => {
		if (k === 1)
			return [
				"1 (unsharded)",
				n0(enterUs),
				"–",
				n0(1e6 / enterUs),
				`${n0(Math.min(1e6 / enterUs, SOFT_LIMIT))}`,
				"queue object",
			];
		const byShards = (k * 1e6) / shardUs;
		const byQueue = (1e6 - k * flushesPerShard * rpc) / rowUs;
		const byCalls = k * SOFT_LIMIT;
		const cpu = Math.min(byShards, byQueue);
		return [
			String(k),
			n0(shardUs),
			rowUs.toFixed(1),
			n0(cpu),
			n0(Math.min(cpu, byCalls)),
			byQueue < Math.min(byShards, byCalls)
				? "queue object (ingest CPU)"
				: byCalls < byShards
					? "shards (1,000 calls/s each)"
					: "shards (CPU)",
		];
	});
	return {
		title: "Sharded entry, measured: enters/s before an object saturates",
		text:
			`From the rows above (same run): a shard's enter ≈ ${n0(shardUs)} µs in-object, the queue's object ingests an arrival in ` +
			`≈ ${rowUs.toFixed(1)} µs (${n0(batchUs)} µs per ${INGEST_BATCH}-arrival batch) and takes ${flushesPerShard} flushes a second per shard. ` +
			"*CPU-bound enters/s*: the rate at which the first object spends one second of CPU per second; *at 1,000 calls/s*: also " +
			"capped at 1,000 enters/s per shard (Cloudflare's soft limit). Local CPU: a production machine differs; 1M arrivals a minute is ≈ 16,700/s.",
		head: [
			"k",
			"shard enter µs",
			"ingest µs/arrival",
			"CPU-bound enters/s",
			"enters/s at ≤ 1,000 calls/s per object",
			"saturates first",
		],
		rows,
	};
}

export default {
	name: "in-object",
	title: "In-object cost: CPU per Durable Object call, and what one object can take",
	description:
		"The runner restarts with a bench-only driver worker (`bench/lib/driver-worker.mjs`) bound to the worker's own " +
		"Durable Object classes. For each operation, one request to the driver makes RPC calls to one object for a few " +
		"seconds, 32 in flight, with no HTTP, routing, auth or D1 in between; workerd's CPU (utime+stime from /proc) over " +
		`that request plus ${SETTLE_MS / 1000} s for the alarms the calls cause (the outbox flush), divided by the calls, is the ` +
		"cost per call. A trivial call (`status()`) measures the RPC round trip, which is subtracted: *in-object µs* is what " +
		"the object's one thread spends on the operation (its JavaScript, SQLite, the implicit commit, its share of the alarm " +
		"and queue sends). The worker consumes no queues during this scenario. *Projected ops/s per object* = 1,000,000 / " +
		`in-object µs, to compare with Cloudflare's soft limit of ~${SOFT_LIMIT.toLocaleString("en-US")} requests/s per object ` +
		"(local CPU: a production machine differs).",
	options: [{ flag: "--object-seconds", key: "objectSeconds", default: 5, help: "seconds of calls per operation" }],

	async run(ctx) {
		if (!ctx.restart) throw new Error("needs the Miniflare runner (--runner miniflare)");
		ctx.log("restarting the runner with the driver worker and no queue consumers…");
		// The inspector stays closed during the measured loops; a short second, profiled loop splits off the alarm.
		await ctx.restart(null, { driver: true, queueConsumers: false, inspect: true });
		const q = await openQueue(ctx);
		const o = { sk: q.sk, sequenceId: q.sequenceId, headers: q.headers };
		const d = await openDraw(ctx, o);
		const a = await openAuction(ctx, o);
		const sharded = { shards: await shardedQueue(ctx, q, SHARDS), ingest: await shardedQueue(ctx, q, 2) };
		const seconds = ctx.params.objectSeconds ?? 5;
		const entered = { queue: 0 };
		const results = [];
		const checks = [];
		for (const op of operations(q, d, a, entered, sharded)) {
			const loop = typeof op.loop === "function" ? op.loop() : op.loop;
			await waitForQuiet((ctx.opts.quietWait ?? 0) * 1000);
			ctx.log(`${op.label}: ${loop.method}() for ${seconds} s, ${ctx.opts.connections} in flight…`);
			const c0 = ctx.runner.sampleCpu();
			const m0 = sampleMachine();
			const t0 = Date.now();
			const out = await ctx.runner.driverLoop({ ...loop, seconds, concurrency: ctx.opts.connections });
			const wallMs = Date.now() - t0;
			const c1 = ctx.runner.sampleCpu();
			const m1 = sampleMachine();
			await sleep(SETTLE_MS);
			const c2 = ctx.runner.sampleCpu();
			// The profiled pass adds calls: entries and bids continue from where the measured loop stopped.
			const profiled = ctx.runner.inspectorUrl
				? await alarmShare(ctx, { ...loop, offset: (loop.offset ?? 0) + out.calls })
				: null;
			const outs = [out, profiled?.out].filter(Boolean);
			const sum = (f) => outs.reduce((n, o) => n + f(o), 0);
			const calls = sum((o) => o.calls);
			const okAll = sum((o) => o.ok);
			const failures = outs.flatMap((o) => [...Object.entries(o.thrown), ...Object.entries(o.refused)]);
			if (op.label === "queue enter") entered.queue = out.calls + (profiled?.out.calls ?? 0);
			results.push({
				...op,
				loop,
				out,
				wallMs,
				usPerCall: (c2.workerdUs - c0.workerdUs) / out.calls,
				settleUsPerCall: (c2.workerdUs - c1.workerdUs) / out.calls,
				profiled,
				okAll,
				cores: (c1.workerdUs - c0.workerdUs) / (wallMs * 1000),
				otherPct:
					(100 * Math.max(0, m1.busyUs - m0.busyUs - (c1.workerdUs - c0.workerdUs) - (c1.nodeUs - c0.nodeUs))) /
					Math.max(1, m1.totalUs - m0.totalUs),
			});
			checks.push({
				what: `\`${op.label}\`: every call answered ok (no exception, no refusal)`,
				ok: out.calls > 0 && okAll === calls,
				detail:
					`${n0(calls)} calls (profiled pass included), ${n0(okAll)} ok` +
					(failures.length ? `; failed: ${failures.map(([k, v]) => `${k} ×${v}`).join(", ")}` : ""),
			});
			ctx.log(
				`${op.label}: ${n0(out.calls)} calls in ${(wallMs / 1000).toFixed(1)} s, ${n0(results.at(-1).usPerCall)} µs/call`,
			);
		}

		// What the calls stored is what they answered.
		const stats = await queueStats(ctx, q);
		const qEnter = results.find((r) => r.label === "queue enter");
		checks.push({
			what: "the queue holds every consumer the driver entered (+1 from the smoke test)",
			ok: stats.queued === qEnter.okAll + 1,
			detail: `${n0(stats.queued)} queued, ${n0(qEnter.okAll)} enter calls ok (profiled pass included)`,
		});
		const stat = (id) => queueStats(ctx, { ...q, queue: { id } });
		const ingest = results.find((r) => r.label === "queue ingest");
		const ingested = (await stat(sharded.ingest)).queued;
		checks.push({
			what: `the ingesting queue's line holds every arrival of the ingest calls (${INGEST_BATCH} a call)`,
			ok: ingested === ingest.okAll * INGEST_BATCH,
			detail: `${n0(ingested)} queued, ${n0(ingest.okAll)} ingest calls ok (profiled pass included)`,
		});
		const shardEnter = results.find((r) => r.label === "shard enter");
		await sleep(1500); // the shard's last flush
		const forwarded = (await stat(sharded.shards)).queued;
		checks.push({
			what: "every consumer entered at the shard reached the sharded queue's line (after its last flush)",
			ok: forwarded === shardEnter.okAll,
			detail: `${n0(forwarded)} queued, ${n0(shardEnter.okAll)} shard enter calls ok (profiled pass included)`,
		});
		const auction = (await ctx.api("GET", a.base, { headers: a.headers })).json;
		const bids = results.find((r) => r.label === "auction bid");
		checks.push({
			what: "the auction's bidCount is the accepted bid calls",
			ok: auction.bidCount === bids.okAll,
			detail: `bidCount ${n0(auction.bidCount)}, ${n0(bids.okAll)} bid calls ok (profiled pass included)`,
		});

		const rpc = results[0].usPerCall;
		const httpRow = (scenario, label) =>
			(ctx.previous ?? []).find((s) => s.name === scenario)?.rows?.find((r) => r.label === label);
		const pct = (x) => `${Math.round(100 * x)} %`;
		const rows = results.map((r) => {
			const net = r.label === "rpc" ? null : r.usPerCall - rpc;
			const http = r.http ? httpRow(...r.http) : null;
			const share = r.profiled?.share;
			return [
				r.label === "rpc" ? "RPC round trip" : `**${r.label}**`,
				r.call,
				n0(r.out.calls),
				n0(r.out.calls / (r.wallMs / 1000)),
				n0(r.usPerCall),
				net == null ? "–" : `**${n0(net)}**`,
				net == null || share == null ? "–" : `${n0(net * share)} (${pct(share)})`,
				net == null ? "–" : `**${n0(1e6 / net)}**`,
				net == null ? "–" : `${(1e6 / net / SOFT_LIMIT).toFixed(2)}×`,
				n0(1e6 / r.usPerCall),
				http ? `${n0(http.cpu.workerdUsPerReq)} (${pct(net / http.cpu.workerdUsPerReq)})` : "–",
				r.cores.toFixed(2),
				n0(r.otherPct),
			];
		});
		const projection = shardedProjection(results, rpc);
		const summary = results
			.filter((r) => r.label !== "rpc")
			.map((r) => {
				const net = r.usPerCall - rpc;
				const alarm = r.profiled?.share == null ? "" : `, ${pct(r.profiled.share)} of it in the alarm`;
				return `${r.label}: ${n0(net)} µs in-object${alarm} → ${n0(1e6 / net)} ops/s per object (${(1e6 / net / SOFT_LIMIT).toFixed(2)}× the ${SOFT_LIMIT.toLocaleString("en-US")}/s soft limit)`;
			});
		return {
			ceiling: null,
			rows: [],
			checks,
			summary,
			notes: results.filter((r) => r.label !== "rpc").map((r) => `\`${r.label}\`: ${r.what}.`),
			tables: [
				{
					title: "In-object µs per op and projected ops/s per object",
					text:
						`*calls/s*: what the object sustained here, ${ctx.opts.connections} calls in flight; *µs/call*: workerd CPU over the loop and ${SETTLE_MS / 1000} s ` +
						"after it ÷ calls; **in-object µs** = µs/call − the RPC round trip; *of which alarm*: the alarm's share of the object's " +
						`profile samples in a second, ${PROFILE_SECONDS} s profiled loop (stacks through ${ALARM_FRAMES.map((f) => `\`${f}\``).join(", ")}), ` +
						"applied to in-object µs; **projected ops/s per object** = 1,000,000 ÷ in-object µs (*× soft limit*: ÷ " +
						`${SOFT_LIMIT.toLocaleString("en-US")}); *incl. round trip*: 1,000,000 ÷ µs/call, the conservative bound; *HTTP row*: the same ` +
						"operation's workerd CPU per request in this run's HTTP scenario, and the in-object share of it.",
					head: [
						"op",
						"RPC call",
						"calls",
						"calls/s",
						"µs/call",
						"in-object µs",
						"of which alarm µs",
						"projected ops/s per object",
						"× soft limit",
						"ops/s incl. round trip",
						"HTTP row µs/req (in-object share)",
						"workerd cores",
						"other procs %",
					],
					rows,
				},
				...(projection ? [projection] : []),
			],
			context: {
				queue: q.queue.id,
				draw: d.id,
				auction: a.id,
				shardedQueue: sharded.shards,
				ingestQueue: sharded.ingest,
			},
		};
	},
};
