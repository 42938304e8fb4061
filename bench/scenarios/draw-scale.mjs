/**
 * Draw at scale: how sealing and drawing grow with the entries — one draw per size
 * (--draw-sizes, default 10k, 100k, 1M), each filled straight in its DrawObject's SQLite
 * while the runner is stopped (the rows DrawStore.enter writes, rank keys from the object's
 * own seed), then, smallest first: closeAt moved to now + 3 s (the alarm seals the entries
 * into the Merkle tree) and POST /run (rank, pick --draw-winners winners), each timed from
 * outside until GET /proof shows it — the object's clock is frozen while it computes.
 * After each draw the runner is restarted without the background `lost` announcements, so
 * the next size is measured on a quiet worker. Miniflare runner only.
 */
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { sleep } from "../lib/proc.mjs";
import { ROOT } from "../lib/runners.mjs";
import { TokenMinter } from "../lib/tokens.mjs";
import { openDraw } from "./lib/distributions.mjs";
import {
	dropLostAnnouncements,
	isoMs,
	LONG_MS,
	memory,
	mib,
	prefillDraw,
	s1,
	short,
	step,
	waitProof,
} from "./lib/draw-common.mjs";
import { setupOrg } from "./lib/org.mjs";

const DEFAULT_SIZES = [10_000, 100_000, 1_000_000];
const n0 = (v) => Math.round(v).toLocaleString("en-US");

/**
 * Close one filled draw and time its seal (closeAt → the signed seal in GET /proof) and its draw
 * (round R's time → drawnAt in the proof: fetch and verify R from the dev beacon, rank every entry,
 * pick the winners). Returns the curve point.
 */
async function sealAndDraw(ctx, o, d, size) {
	const closeAt = Date.now() + 3000;
	await ctx.api("PUT", `/api/v1/draws/${d.id}`, {
		token: o.sk,
		body: { closeAt: isoMs(closeAt), drawAt: isoMs(closeAt) },
	});
	await sleep(closeAt - Date.now());
	ctx.log(`${short(size)}: closed, sealing…`);
	const sealStep = step(ctx.runner);
	const sealed = await waitProof(ctx, d, (p) => p.seal != null, "seal");
	const seal = { ms: sealed.at - closeAt, ...sealStep(), mem: memory(ctx.runner) };
	const roundAt = Date.parse(sealed.proof.roundAt);
	ctx.log(
		`${short(size)}: sealed ${n0(sealed.proof.seal.size)} records in ${s1(seal.ms)} s; round ${sealed.proof.round} at ${sealed.proof.roundAt}…`,
	);
	await sleep(Math.max(0, roundAt - Date.now()));
	const drawStep = step(ctx.runner);
	const drawn = await waitProof(ctx, d, (p) => p.drawnAt != null, "drawnAt");
	const draw = { ms: drawn.at - roundAt, ...drawStep(), mem: memory(ctx.runner) };
	ctx.log(`${short(size)}: drawn ${drawn.proof.winners.length} winners in ${s1(draw.ms)} s after R`);
	const verify = await verifyFromOutside(ctx, d);
	ctx.log(`${short(size)}: standalone verifier ${verify.verdict} in ${s1(verify.ms)} s`);
	let lost;
	await ctx.restart(async (persist) => {
		lost = await dropLostAnnouncements(persist, d.id);
	});
	return {
		size,
		entries: size,
		records: sealed.proof.seal.size,
		winners: drawn.proof.winners.length,
		seal,
		draw,
		verify,
		lost,
	};
}

/** `npm run verify:draw -- <url>` as an entrant runs it (its own process; wall time). */
async function verifyFromOutside(ctx, d) {
	const t0 = Date.now();
	const r = spawnSync(
		join(ROOT, "node_modules", ".bin", "tsx"),
		[join(ROOT, "scripts", "verify-draw.ts"), "--url", ctx.runner.url, "--key", d.headers["X-Publishable-Key"], d.id],
		{ encoding: "utf8", maxBuffer: 64 * 1024 * 1024, timeout: LONG_MS },
	);
	const ms = Date.now() - t0;
	const verdict = r.status === 0 ? "VERIFIED" : r.status === 1 ? "NOT VERIFIED" : `failed (${r.status ?? r.signal})`;
	if (verdict !== "VERIFIED") ctx.log(`verifier said: ${(r.stdout + r.stderr).slice(-600)}`);
	return { ms, verdict };
}

export default {
	name: "draw-scale",
	title: "Draw at scale: seal, draw and verify with 10k, 100k and 1M entries",
	description:
		"One OPEN draw per size, filled straight in its DrawObject's SQLite while the runner was stopped (ENTERED rows with " +
		"the rank keys the object would compute from its own seed). Smallest first, each draw's closeAt is moved to now + 3 s " +
		"(the alarm seals every entry into the Merkle tree: **seal**, from closeAt until GET /proof shows the root), then " +
		"POST /run ranks the entries and picks the winners (**draw**, until GET /proof shows the seed). The runner restarts " +
		"between sizes without the background `draw.consumer.lost` announcements, so each size runs on a quiet worker.",
	options: [
		{
			flag: "--draw-sizes",
			key: "drawSizes",
			default: DEFAULT_SIZES,
			list: true,
			help: "entries per draw in the seal/draw curve",
		},
	],

	async run(ctx) {
		if (!ctx.restart) throw new Error("needs a runner that can restart on its own state (--runner miniflare)");
		const sizes = [...(ctx.params.drawSizes ?? DEFAULT_SIZES)].sort((a, b) => a - b);
		const winnerCount = ctx.params.drawWinners ?? 10_000;
		const o = await setupOrg(ctx);
		const draws = [];
		const minter = new TokenMinter(o.auth);
		for (const size of sizes) {
			const d = await openDraw(ctx, o, { winnerCount });
			// The first entry through the API opens the log (its `rules` record); the prefill appends the rest.
			const first = await ctx.api("POST", `${d.base}/enter`, { token: minter.mint(), headers: d.headers });
			if (first.json?.status !== "ENTERED") throw new Error(`first entry: ${JSON.stringify(first.json)}`);
			draws.push({ size, d });
		}
		ctx.log(`prefilling ${sizes.map(short).join(" + ")} entries (runner stopped)…`);
		const fills = new Map();
		await ctx.restart(async (persist) => {
			for (const { d, size } of draws) fills.set(d.id, await prefillDraw(persist, d.id, size, ctx.log));
		});

		const points = [];
		for (const { d, size } of draws) points.push({ ...(await sealAndDraw(ctx, o, d, size)), fill: fills.get(d.id) });

		const checks = [];
		for (const p of points) {
			checks.push({
				what: `${short(p.size)}: the draw picked min(winnerCount, entries) winners and took ≤ 10 s after R`,
				ok: p.winners === Math.min(winnerCount, p.entries) && p.draw.ms <= 10_000,
				detail: `${n0(p.winners)} winners of ${n0(p.entries)} entries in ${s1(p.draw.ms)} s`,
			});
			checks.push({
				what: `${short(p.size)}: \`npm run verify:draw\` says VERIFIED (issue 18: ≤ 15 s on 1M)`,
				ok: p.verify.verdict === "VERIFIED",
				detail: `${p.verify.verdict} in ${s1(p.verify.ms)} s`,
			});
		}
		const perEntry = (p, what) => p[what].cpuUs / p.entries;
		const [first, last] = [points[0], points.at(-1)];
		const slope = (what) => perEntry(last, what) / perEntry(first, what);
		return {
			title: `Draw at scale: seal and draw with ${sizes.map(short).join(", ")} entries`,
			ceiling: null,
			rows: [],
			checks,
			tables: [
				{
					title: `Curve: entries → seal, draw and verify (fanfare-edge/draw-v2, ${n0(winnerCount)} winners)`,
					text:
						"Wall time from outside the object; workerd CPU over the step (every workerd thread); *seal µs/entry* = that CPU ÷ log records " +
						"(the log's tree is grown at entry, so the seal reads its head). **draw** runs from round R's time (dev beacon) until the proof " +
						"shows `drawnAt`: fetch R, verify its BLS signature, rank every entry, pick the winners. **verify** is `npm run verify:draw` " +
						"as an entrant runs it (its own Node process: download proof and log, check beacon, seal, tree and ranking). " +
						"The draw picks min(winners, entries): at 10k entries every entry wins. RSS is workerd's resident memory after the draw.",
					head: [
						"entries",
						"prefill s",
						"**seal** s",
						"seal workerd CPU s",
						"seal µs/entry",
						"**draw** s",
						"**verify** s",
						"draw workerd CPU s",
						"workerd RSS after draw, MiB",
						"machine busy % (seal / draw)",
					],
					rows: points.map((p) => [
						n0(p.entries),
						s1(p.fill.ms),
						`**${s1(p.seal.ms)}**`,
						p.seal.cpuS,
						perEntry(p, "seal").toFixed(1),
						`**${s1(p.draw.ms)}**`,
						`**${s1(p.verify.ms)}**`,
						p.draw.cpuS,
						mib(p.draw.mem.rssMiB),
						`${p.seal.busyPct} / ${p.draw.busyPct}`,
					]),
				},
			],
			notes: [
				`From ${short(first.size)} to ${short(last.size)} entries (${n0(last.entries / first.entries)}×): seal ${s1(first.seal.ms)} → ${s1(last.seal.ms)} s, ` +
					`its CPU per entry ${perEntry(first, "seal").toFixed(1)} → ${perEntry(last, "seal").toFixed(1)} µs (${slope("seal").toFixed(2)}×: near 1 is linear growth, above 1 faster ` +
					`than the entries); draw ${s1(first.draw.ms)} → ${s1(last.draw.ms)} s for min(${n0(winnerCount)}, entries) winners.`,
				...points
					.filter((p) => p.lost.announced > 0)
					.map(
						(p) =>
							`${short(p.size)}: ${n0(p.lost.announced)} of ${n0(p.lost.losers)} \`draw.consumer.lost\` announcements had gone out when the bench dropped the rest.`,
					),
			],
			summary: points.map(
				(p) =>
					`${short(p.size)}: seal ${s1(p.seal.ms)} s (${p.seal.cpuS} s CPU), draw ${s1(p.draw.ms)} s (${p.draw.cpuS} s CPU), verify ${s1(p.verify.ms)} s`,
			),
			context: Object.fromEntries(draws.map(({ d, size }) => [`draw ${short(size)}`, d.id])),
		};
	},
};
