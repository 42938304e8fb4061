/**
 * Draw scenario: entering, then a draw at scale.
 *  - healthz: GET /healthz — the ceiling;
 *  - enter: POST /consumer/v1/draws/:id/enter, a new consumer on every request;
 *  - enter-<N>: the same once the draw holds N entries.
 * Scale: the draw is filled to N entries (default 1,000,000) straight in the DrawObject's
 * SQLite while the runner is stopped (the rows DrawStore.enter writes, rank keys from the
 * object's own seed), then closed (the alarm seals the entries into the Merkle tree) and
 * run (POST /run ranks them and picks the winners), timed from outside: workerd freezes
 * the clock inside the object. Then the public export and proof are downloaded and checked
 * by the standalone verifier (`npm run verify:draw`). Miniflare runner only.
 */
import { spawnSync } from "node:child_process";
import { createWriteStream, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
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
	ok2xx,
	prefillDraw,
	s1,
	short,
	step,
	waitProof,
} from "./lib/draw-common.mjs";
import { cutOff, setupOrg, tokensFor } from "./lib/org.mjs";

const DEFAULT_ENTRIES = 1_000_000;
const DEFAULT_WINNERS = 10_000;
/** The drawn proof is slow on a big draw: fewer connections, so the row measures answers, not client timeouts. */
const PROOF_CONNECTIONS = 8;
const duration = (sec) => (sec < 120 ? `${Math.round(sec)} s` : `${Math.round(sec / 60)} min`);

export default {
	name: "draw",
	title: "Draw: enter, and a draw over 1,000,000 entries",
	description:
		"One OPEN draw (openAt in the past, no maxEntries). `enter` uses a new consumer per request (access tokens minted by " +
		"the bench with the worker's key); `enter-<N>` repeats it once the draw holds N entries; `proof` reads the public " +
		`proof (publishable key, no token) once the draw is drawn, with ${PROOF_CONNECTIONS} connections. The scale test fills the draw ` +
		"to N entries straight in the DrawObject's SQLite (runner stopped; rank keys from the object's own seed), moves closeAt " +
		"to now + 3 s (the alarm seals the entries into the Merkle tree), then runs it (POST /run: rank, pick the winners), " +
		"timing each step from outside until GET /proof shows it, and checks the published export and proof with " +
		"`npm run verify:draw`.",
	floors: { enter: { floor: "enter-floor", max: 1.4 }, proof: { floor: "healthz", max: 1.5 } },
	options: [
		{ flag: "--draw-entries", key: "drawEntries", default: DEFAULT_ENTRIES, help: "entries in the scale test" },
		{ flag: "--draw-winners", key: "drawWinners", default: DEFAULT_WINNERS, help: "winners drawn in the scale test" },
	],

	async run(ctx) {
		if (!ctx.restart) throw new Error("needs a runner that can restart on its own state (--runner miniflare)");
		const target = ctx.params.drawEntries ?? DEFAULT_ENTRIES;
		const winnerCount = ctx.params.drawWinners ?? DEFAULT_WINNERS;
		const bigLabel = `enter-${short(target)}`;
		const o = await setupOrg(ctx);
		const checks = [];
		const notes = [];
		const d = await openDraw(ctx, o, { winnerCount });
		ctx.log(`draw ${d.id} (org ${o.orgId}) is OPEN, ${winnerCount} winners`);

		// One consumer end to end: bench-minted tokens are accepted and the receipt carries the published commitment.
		const token = new TokenMinter(o.auth).mint();
		const entered = (await ctx.api("POST", `${d.base}/enter`, { token, headers: d.headers })).json;
		const early = (await ctx.api("GET", `${d.base}/proof`, { headers: d.headers })).json;
		if (entered.status !== "ENTERED" || entered.receipt?.commitment !== early.commitment) {
			throw new Error(`smoke test: enter ${JSON.stringify(entered)} / proof ${JSON.stringify(early)}`);
		}

		// ── rows ────────────────────────────────────────────────────────────
		const rows = [];
		ctx.log("healthz (ceiling)…");
		rows.push(await ctx.measure({ label: "healthz", path: "/healthz" }));
		ctx.log("enter (a new consumer per request)…");
		const enterRow = await ctx.measure({
			label: "enter",
			method: "POST",
			path: `${d.base}/enter`,
			headers: d.headers,
			auth: { ...o.auth, prepare: tokensFor(ctx, rows[0]) },
		});
		rows.push(enterRow);

		// ── fill the draw to `target` entries, runner stopped ───────────────
		ctx.log(`prefilling the draw to ${target.toLocaleString("en-US")} entries (runner stopped)…`);
		let filled;
		await ctx.restart(async (persist) => {
			filled = await prefillDraw(persist, d.id, target, ctx.log);
		});
		ctx.log(
			`prefill: ${filled.inserted.toLocaleString("en-US")} rows in ${s1(filled.ms)} s (${filled.existing} entered over HTTP before)`,
		);
		const httpEntered = filled.existing - 1; // minus the smoke test's consumer
		const enterOk = ok2xx(enterRow);
		checks.push({
			what: "every 2xx `enter` was stored (entries ≥ 2xx enters, excess ≤ requests cut off in flight)",
			ok: httpEntered >= enterOk && httpEntered - enterOk <= cutOff(ctx),
			detail: `${httpEntered} entries, ${enterOk} 2xx enters (warm-up included), ≤ ${cutOff(ctx)} cut off`,
		});
		const memStart = memory(ctx.runner);

		ctx.log(`${bigLabel} (a new consumer per request, ${target.toLocaleString("en-US")} entries already in)…`);
		const bigRow = await ctx.measure({
			label: bigLabel,
			method: "POST",
			path: `${d.base}/enter`,
			headers: d.headers,
			auth: { ...o.auth, prepare: tokensFor(ctx, rows[0]) },
		});
		rows.push(bigRow);
		const memBefore = memory(ctx.runner);

		// ── close: the alarm seals every entry into the Merkle tree ─────────
		const closeAt = Date.now() + 3000;
		await ctx.api("PUT", `/api/v1/draws/${d.id}`, { token: o.sk, body: { closeAt: isoMs(closeAt) } });
		await sleep(closeAt - Date.now());
		ctx.log("closed: sealing the entries (polling the proof until it shows the Merkle root)…");
		const sealStep = step(ctx.runner);
		const sealed = await waitProof(ctx, d, (p) => p.merkleRoot != null, "Merkle root");
		const sealAcc = sealStep();
		const sealMs = sealed.at - closeAt;
		const memSealed = memory(ctx.runner);
		const entryCount = sealed.proof.entryCount;
		ctx.log(`sealed ${entryCount.toLocaleString("en-US")} entries: ${s1(sealMs)} s after closeAt`);
		const bigStored = entryCount - target;
		const bigOk = ok2xx(bigRow);
		checks.push({
			what: `every 2xx \`${bigLabel}\` was stored (sealed entries − ${target.toLocaleString("en-US")} ≥ 2xx enters, excess ≤ cut off)`,
			ok: bigStored >= bigOk && bigStored - bigOk <= cutOff(ctx),
			detail: `${entryCount} sealed, ${bigOk} 2xx enters (warm-up included), ≤ ${cutOff(ctx)} cut off`,
		});

		// ── draw: rank and pick the winners ─────────────────────────────────
		ctx.log("POST /run (ranking, picking the winners)…");
		const drawStep = step(ctx.runner);
		const runAt = Date.now();
		await ctx.api("POST", `/api/v1/draws/${d.id}/run`, { token: o.sk, timeoutMs: LONG_MS });
		const runMs = Date.now() - runAt;
		const drawn = await waitProof(ctx, d, (p) => p.seed != null, "seed");
		const drawAcc = drawStep();
		const lostStep = step(ctx.runner);
		const drawMs = drawn.at - runAt;
		const memDrawn = memory(ctx.runner);
		const proof = drawn.proof;
		ctx.log(
			`drawn: ${proof.winners.length} winners, ${s1(drawMs)} s after POST /run (which answered in ${s1(runMs)} s)`,
		);
		checks.push({
			what: `the draw picked min(winnerCount, entries) winners (${Math.min(winnerCount, entryCount)})`,
			ok: proof.winners.length === Math.min(winnerCount, entryCount) && proof.backfills.length === 0,
			detail: `${proof.winners.length} winners, ${proof.backfills.length} backfills`,
		});
		checks.push({
			what: `drawing ${winnerCount.toLocaleString("en-US")} winners takes ≤ 10 s (from POST /run until the proof shows the seed)`,
			ok: drawMs <= 10_000,
			detail: `${s1(drawMs)} s`,
		});

		// ── the public material, and the standalone verifier ────────────────
		const proofFile = join(ctx.runDir, `draw-proof-${d.id}.json`);
		const entriesFile = join(ctx.runDir, `draw-entries-${d.id}.json`);
		ctx.log("downloading the entry export…");
		const exportAt = Date.now();
		const exportStep = step(ctx.runner);
		const res = await fetch(new URL(`/api/v1/draws/${d.id}/entries/export`, ctx.runner.url), {
			headers: { Authorization: `Bearer ${o.sk}` },
			signal: AbortSignal.timeout(LONG_MS),
		});
		if (!res.ok) throw new Error(`export → ${res.status}: ${(await res.text()).slice(0, 300)}`);
		await pipeline(Readable.fromWeb(res.body), createWriteStream(entriesFile));
		const exportMs = Date.now() - exportAt;
		const exportAcc = exportStep();
		const exportBytes = statSync(entriesFile).size;
		const memExported = memory(ctx.runner);
		const finalProof = (await ctx.api("GET", `${d.base}/proof`, { headers: d.headers, timeoutMs: LONG_MS })).json;
		writeFileSync(proofFile, `${JSON.stringify(finalProof)}\n`);
		ctx.log(`export: ${(exportBytes / 1e6).toFixed(1)} MB in ${s1(exportMs)} s; running npm run verify:draw…`);

		const verifyAt = Date.now();
		const verifyStep = step(ctx.runner);
		// GNU time reports the verifier's peak memory; without it, only the wall time.
		const timed = statSafe("/usr/bin/time");
		const cmd = ["npm", "run", "verify:draw", "--", proofFile, entriesFile];
		const v = spawnSync(timed ? "/usr/bin/time" : cmd[0], timed ? ["-f", "maxrss_kib=%M", ...cmd] : cmd.slice(1), {
			cwd: ROOT,
			encoding: "utf8",
			timeout: LONG_MS,
		});
		const verifyMs = Date.now() - verifyAt;
		const verifyAcc = verifyStep();
		const out = `${v.stdout ?? ""}${v.stderr ?? ""}`;
		writeFileSync(join(ctx.runDir, `draw-verify-${d.id}.txt`), out);
		const verdict = out.split("\n").find((l) => /VERIFIED/.test(l)) ?? "(no verdict printed)";
		const verifierRssMiB = Number(out.match(/maxrss_kib=(\d+)/)?.[1]) / 1024;
		ctx.log(`verify:draw: exit ${v.status}, ${s1(verifyMs)} s — ${verdict}`);
		checks.push({
			what: "`npm run verify:draw -- proof.json entries.json` on the published proof and export prints VERIFIED, exit 0",
			ok: v.status === 0 && /^VERIFIED/.test(verdict),
			detail: `exit ${v.status ?? v.signal}, ${s1(verifyMs)} s: ${verdict}`,
		});

		// ── after the draw: the lost announcements, then quiesce ────────────
		// The object announces draw.consumer.lost to every other entrant, 1,000 consumer ids an event, 10 events per alarm run.
		// Measure how far it got, then drop what is left so the next scenario runs on a quiet worker.
		const lostFor = Date.now() - runAt;
		const lostAcc = lostStep();
		let lost;
		let events;
		await ctx.restart(async (persist) => {
			({ events, ...lost } = await dropLostAnnouncements(persist, d.id));
		});
		const lostRate = lost.announced / (lostFor / 1000);
		ctx.log(
			`lost announcements: ${lost.announced.toLocaleString("en-US")} of ${lost.losers.toLocaleString("en-US")} in ${s1(lostFor)} s since the draw (stopped them)`,
		);

		// The public proof once drawn: what every shopper's results page polls.
		ctx.log(
			`proof (GET /proof of the drawn draw, ${entryCount.toLocaleString("en-US")} entries, publishable key only)…`,
		);
		const proofRow = await ctx.measure({
			label: "proof",
			path: `${d.base}/proof`,
			headers: d.headers,
			connections: PROOF_CONNECTIONS,
		});
		rows.push(proofRow);
		if (proofRow.cpu.workerdUsPerReq > 10 * rows[0].cpu.workerdUsPerReq) {
			notes.push(
				`\`proof\` after the draw costs ${Math.round(proofRow.cpu.workerdUsPerReq).toLocaleString("en-US")} µs of workerd CPU per request ` +
					`(${Math.round(proofRow.cpu.workerdUsPerReq / rows[0].cpu.workerdUsPerReq)}× \`healthz\`): the drawn proof lists the winners ` +
					`(\`DrawStore.winners()\`), a query over all ${entryCount.toLocaleString("en-US")} entries on every call, on the object's one thread.`,
			);
		}
		if (lost.announced < lost.losers) {
			notes.push(
				`After the draw the object announces \`draw.consumer.lost\` to every other entrant, ${"1,000"} consumer ids an event and 10 events per alarm run: ` +
					`${lost.announced.toLocaleString("en-US")} of ${lost.losers.toLocaleString("en-US")} were announced in the ${s1(lostFor)} s ` +
					`between POST /run and the end of the scenario (${Math.round(lostRate).toLocaleString("en-US")}/s while the export and verifier ran; ` +
					`${(events["draw.consumer.lost"] ?? 0).toLocaleString("en-US")} had reached D1's events table, ${lost.outbox.toLocaleString("en-US")} sat in the outbox). ` +
					`At that pace the rest would keep workerd busy for another ~${duration((lost.losers - lost.announced) / Math.max(1, lostRate))}. ` +
					"The bench drops what is left (the `lost` schedule and the outbox) before the next scenario.",
			);
		}

		const tables = [
			{
				title: `Scale: ${winnerCount.toLocaleString("en-US")} winners from ${entryCount.toLocaleString("en-US")} entries`,
				text:
					"Wall time from outside the object (its clock is frozen while it computes). workerd CPU covers every workerd thread over the step. " +
					"RSS is workerd's resident memory after the step (VmRSS, /proc/<pid>/status); the peak column is VmHWM since the runner started (it restarted after the prefill).",
				head: [
					"step",
					"wall s",
					"workerd CPU s",
					"machine busy %",
					"workerd RSS after, MiB",
					"workerd peak RSS, MiB",
					"detail",
				],
				rows: [
					[
						"prefill (node:sqlite, runner stopped)",
						s1(filled.ms),
						"–",
						"–",
						"–",
						"–",
						`${filled.inserted.toLocaleString("en-US")} ENTERED rows with HMAC rank keys from the object's seed`,
					],
					[
						`\`${bigLabel}\` row (start → end)`,
						"–",
						"–",
						"–",
						`${mib(memStart.rssMiB)} → ${mib(memBefore.rssMiB)}`,
						mib(memBefore.hwmMiB),
						"after the restart, before closing",
					],
					[
						"**seal** at close (Merkle tree)",
						`**${s1(sealMs)}**`,
						sealAcc.cpuS,
						sealAcc.busyPct,
						mib(memSealed.rssMiB),
						mib(memSealed.hwmMiB),
						`closeAt → GET /proof shows entryCount ${entryCount.toLocaleString("en-US")} and the root`,
					],
					[
						"**draw** (POST /run → seed and winners in GET /proof)",
						`**${s1(drawMs)}**`,
						drawAcc.cpuS,
						drawAcc.busyPct,
						mib(memDrawn.rssMiB),
						mib(memDrawn.hwmMiB),
						`${proof.winners.length.toLocaleString("en-US")} winners; POST /run answered in ${s1(runMs)} s`,
					],
					[
						"entry export download (GET /entries/export)",
						s1(exportMs),
						exportAcc.cpuS,
						exportAcc.busyPct,
						mib(memExported.rssMiB),
						mib(memExported.hwmMiB),
						`${(exportBytes / 1e6).toFixed(1)} MB, ${Math.round(exportBytes / 1e6 / (exportMs / 1000))} MB/s (the lost announcements run meanwhile)`,
					],
					[
						"`npm run verify:draw -- proof.json entries.json`",
						s1(verifyMs),
						`${verifyAcc.cpuS} (background)`,
						verifyAcc.busyPct,
						"–",
						Number.isNaN(verifierRssMiB) ? "–" : `${mib(verifierRssMiB)} (the verifier's own)`,
						`exit ${v.status ?? v.signal}: ${verdict}`,
					],
					[
						"lost announcements (background, after the draw)",
						s1(lostFor),
						lostAcc.cpuS,
						lostAcc.busyPct,
						"–",
						"–",
						`${lost.announced.toLocaleString("en-US")} of ${lost.losers.toLocaleString("en-US")} announced (${Math.round(lostRate).toLocaleString("en-US")}/s); stopped by the bench`,
					],
				],
			},
		];
		return {
			title: `Draw: enter, and ${winnerCount.toLocaleString("en-US")} winners from ${target.toLocaleString("en-US")} entries`,
			ceiling: "healthz",
			floors: {
				enter: { floor: "enter-floor", max: 1.4 },
				[bigLabel]: { floor: "enter-floor", max: 1.4 },
				proof: { floor: "healthz", max: 1.5 },
			},
			rows,
			checks,
			notes,
			tables,
			summary: [
				`seal ${entryCount.toLocaleString("en-US")} entries ${s1(sealMs)} s, draw ${winnerCount} winners ${s1(drawMs)} s, export ${s1(exportMs)} s, verify ${s1(verifyMs)} s (exit ${v.status})`,
				`workerd RSS ${mib(memBefore.rssMiB)} → ${mib(memDrawn.rssMiB)} MiB, peak ${mib(memExported.hwmMiB)} MiB`,
			],
			context: {
				draw: d.id,
				"entries sealed": entryCount,
				winners: winnerCount,
				"proof/export/verifier output": ctx.runDir.replace(`${ROOT}/`, ""),
			},
		};
	},
};

function statSafe(path) {
	try {
		return statSync(path);
	} catch {
		return null;
	}
}
