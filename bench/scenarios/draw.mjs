/**
 * Draw scenario: entering, then a draw at scale.
 *  - healthz: GET /healthz — the ceiling;
 *  - enter: POST /consumer/v1/draws/:id/enter, a new consumer on every request;
 *  - enter-<N>: the same once the draw holds N entries.
 * Scale: the draw is filled to N entries (default 1,000,000) straight in the DrawObject's
 * SQLite while the runner is stopped (the entry rows and the log's records and tree nodes
 * DrawObject.enter writes, draw-v2), then closed (the alarm publishes the signed seal) and
 * drawn at round R's time (fetch R from the dev beacon, verify it, rank, pick), timed from
 * outside: workerd freezes the clock inside the object. Then the standalone verifier
 * (`npm run verify:draw -- --url`) checks the public proof and log. Miniflare runner only.
 */
import { spawnSync } from "node:child_process";
import { statSync, writeFileSync } from "node:fs";
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
		"to N entries straight in the DrawObject's SQLite (runner stopped; the entries and the log records and tree nodes " +
		"DrawObject.enter writes), moves closeAt and drawAt to now + 3 s (the alarm publishes the signed seal; R is the dev " +
		"beacon's first round 10 s later), then times the draw from R's time until GET /proof shows drawnAt, and checks the " +
		"public proof and log with `npm run verify:draw -- --url`.",
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
		if (
			entered.status !== "ENTERED" ||
			early.algorithm !== "fanfare-edge/draw-v2" ||
			entered.receipt?.size !== early.log.size
		) {
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
		// drawAt moves too, so R is the first dev-beacon round after closeAt + the bench's 10 s seal margin.
		await ctx.api("PUT", `/api/v1/draws/${d.id}`, {
			token: o.sk,
			body: { closeAt: isoMs(closeAt), drawAt: isoMs(closeAt) },
		});
		await sleep(closeAt - Date.now());
		ctx.log("closed: sealing the log (polling the proof until it shows the signed seal)…");
		const sealStep = step(ctx.runner);
		const sealed = await waitProof(ctx, d, (p) => p.seal != null, "seal");
		const sealAcc = sealStep();
		const sealMs = sealed.at - closeAt;
		const memSealed = memory(ctx.runner);
		// The log holds two `rules` records (the first entry's, and the PUT's new R) and one `enter` per entry.
		const entryCount = sealed.proof.seal.size - 2;
		ctx.log(`sealed ${entryCount.toLocaleString("en-US")} entries: ${s1(sealMs)} s after closeAt`);
		const bigStored = entryCount - target;
		const bigOk = ok2xx(bigRow);
		checks.push({
			what: `every 2xx \`${bigLabel}\` was stored (sealed entries − ${target.toLocaleString("en-US")} ≥ 2xx enters, excess ≤ cut off)`,
			ok: bigStored >= bigOk && bigStored - bigOk <= cutOff(ctx),
			detail: `${entryCount} sealed, ${bigOk} 2xx enters (warm-up included), ≤ ${cutOff(ctx)} cut off`,
		});

		// ── draw: rank and pick the winners ─────────────────────────────────
		const runAt = Date.parse(sealed.proof.roundAt);
		ctx.log(`waiting for round ${sealed.proof.round} (${sealed.proof.roundAt}): then fetch, verify, rank, pick…`);
		await sleep(Math.max(0, runAt - Date.now()));
		const drawStep = step(ctx.runner);
		const drawn = await waitProof(ctx, d, (p) => p.drawnAt != null, "drawnAt");
		const drawAcc = drawStep();
		const lostStep = step(ctx.runner);
		const drawMs = drawn.at - runAt;
		const memDrawn = memory(ctx.runner);
		const proof = drawn.proof;
		ctx.log(`drawn: ${proof.winners.length} winners, ${s1(drawMs)} s after R's time`);
		checks.push({
			what: `the draw picked min(winnerCount, entries) winners (${Math.min(winnerCount, entryCount)})`,
			ok: proof.winners.length === Math.min(winnerCount, entryCount) && proof.backfills.length === 0,
			detail: `${proof.winners.length} winners, ${proof.backfills.length} backfills`,
		});
		checks.push({
			what: `drawing ${winnerCount.toLocaleString("en-US")} winners takes ≤ 10 s (from R's time until the proof shows drawnAt)`,
			ok: drawMs <= 10_000,
			detail: `${s1(drawMs)} s`,
		});

		// ── the standalone verifier, as an entrant runs it: the public proof and log, no merchant key ──
		ctx.log("running npm run verify:draw -- --url … (downloads the public proof and log)…");
		const verifyAt = Date.now();
		const verifyStep = step(ctx.runner);
		// GNU time reports the verifier's peak memory; without it, only the wall time.
		const timed = statSafe("/usr/bin/time");
		const cmd = [
			"npm",
			"run",
			"verify:draw",
			"--",
			"--url",
			ctx.runner.url,
			"--key",
			d.headers["X-Publishable-Key"],
			d.id,
		];
		const v = spawnSync(timed ? "/usr/bin/time" : cmd[0], timed ? ["-f", "maxrss_kib=%M", ...cmd] : cmd.slice(1), {
			cwd: ROOT,
			encoding: "utf8",
			timeout: LONG_MS,
			maxBuffer: 64 * 1024 * 1024,
		});
		const verifyMs = Date.now() - verifyAt;
		const verifyAcc = verifyStep();
		const out = `${v.stdout ?? ""}${v.stderr ?? ""}`;
		writeFileSync(join(ctx.runDir, `draw-verify-${d.id}.txt`), out);
		const verdict = out.split("\n").find((l) => /VERIFIED/.test(l)) ?? "(no verdict printed)";
		const verifierRssMiB = Number(out.match(/maxrss_kib=(\d+)/)?.[1]) / 1024;
		ctx.log(`verify:draw: exit ${v.status}, ${s1(verifyMs)} s — ${verdict}`);
		checks.push({
			what: "`npm run verify:draw -- --url … <drawId>` on the published proof and log prints VERIFIED, exit 0",
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
		// The same number of bytes from memory, with the same connections: what the proof's size alone costs to send.
		const proofBytes = (await ctx.api("GET", `${d.base}/proof`, { headers: d.headers })).text?.length;
		if (proofBytes) {
			const bytesRow = await ctx.measure({
				label: "proof-bytes",
				path: `/__floor/bytes?n=${proofBytes}`,
				connections: PROOF_CONNECTIONS,
			});
			rows.push(bytesRow);
			notes.push(
				`\`proof\` sends ${proofBytes.toLocaleString("en-US")} bytes. The floor worker sending a body of that size from memory ` +
					`(\`proof-bytes\`, same connections) costs ${Math.round(bytesRow.cpu.workerdUsPerReq).toLocaleString("en-US")} µs/req ` +
					`(${(bytesRow.cpu.workerdUsPerReq / rows[0].cpu.workerdUsPerReq).toFixed(2)}× \`healthz\`): \`proof\` is ` +
					`${(proofRow.cpu.workerdUsPerReq / bytesRow.cpu.workerdUsPerReq).toFixed(2)}× that.`,
			);
		}
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
						`${filled.inserted.toLocaleString("en-US")} ENTERED rows and their \`enter\` log records and tree nodes`,
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
						"**draw** (R's time → drawnAt and winners in GET /proof)",
						`**${s1(drawMs)}**`,
						drawAcc.cpuS,
						drawAcc.busyPct,
						mib(memDrawn.rssMiB),
						mib(memDrawn.hwmMiB),
						`${proof.winners.length.toLocaleString("en-US")} winners (round R fetched from the dev beacon and its BLS signature verified first)`,
					],
					[
						"`npm run verify:draw -- --url … <drawId>`",
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
				`seal ${entryCount.toLocaleString("en-US")} entries ${s1(sealMs)} s, draw ${winnerCount} winners ${s1(drawMs)} s, verify ${s1(verifyMs)} s (exit ${v.status})`,
				`workerd RSS ${mib(memBefore.rssMiB)} → ${mib(memDrawn.rssMiB)} MiB, peak ${mib(memDrawn.hwmMiB)} MiB`,
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
