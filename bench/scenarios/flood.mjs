/**
 * Flood scenario (issue 16): one attacking process, as a bot herder runs it, against a draw.
 * For a fixed time per mode it mints guest consumers (`POST /consumer/v1/auth/guest`) and enters
 * each into the draw, with `CF-Connecting-IP` rotated — within one IPv6 /64, or across a /48's
 * /64s — and counts what got in:
 *  - `open`: no protection (the baseline the issue measured: 3,582 entries a minute);
 *  - `verified` and `codes`: guests are refused (zero entries expected);
 *  - `pow`: every enter pays a proof-of-work challenge (POST /consumer/v1/challenges), solved in
 *    this process with the SDK's own solver: entries per CPU-second of the attacker, and the
 *    difficulty it drove the draw to, against a shopper's cost of one solve at that difficulty
 *    and at the top setting.
 * Rate limits are the deployment's defaults for guests (60 a minute per /64); the bench raises the
 * per-consumer budgets (runners.mjs), which this attacker never reaches (one enter per consumer).
 */
import { readFileSync } from "node:fs";
import { transformSync } from "esbuild";
import { iso } from "../lib/api.mjs";
import { setupOrg } from "./lib/org.mjs";

const SECONDS = 10;
const PARALLEL = 16;
const TOP_BITS = 18;

/** The SDK's solver (src/sdk/pow.ts), compiled as the widget bundle compiles it. */
function loadSolver() {
	const source = transformSync(readFileSync(new URL("../../src/sdk/pow.ts", import.meta.url), "utf8"), {
		loader: "ts",
		format: "esm",
	}).code.replace(/^export /gm, "");
	return new Function(`${source}; return solvePow;`)();
}

/** The i-th attacker address: inside one /64, or one /64 each out of a /48. */
const address = (spread, i) =>
	spread === "one /64" ? `2001:db8:1:1::${(i % 65_535).toString(16)}` : `2001:db8:1:${(i % 65_535).toString(16)}::1`;

async function flood(ctx, o, drawId, { spread, pow, solve }) {
	const { api } = ctx;
	const tally = { guests: 0, guestRefused: 0, entered: 0, refused: {}, bits: new Set(), solveMs: [] };
	const until = Date.now() + SECONDS * 1000;
	const cpu0 = process.cpuUsage();
	let n = 0;
	const worker = async () => {
		while (Date.now() < until) {
			const ip = address(spread, n++);
			const headers = { ...o.headers, "CF-Connecting-IP": ip };
			const g = await api("POST", "/consumer/v1/auth/guest", { headers, expect: [201, 429] });
			if (g.status !== 201) {
				tally.guestRefused++;
				continue;
			}
			tally.guests++;
			const token = g.json.accessToken;
			const enterHeaders = { ...headers };
			if (pow) {
				const c = await api("POST", "/consumer/v1/challenges", {
					token,
					headers,
					body: { distributionId: drawId, purpose: "enter" },
					expect: 201,
				});
				const t0 = performance.now();
				enterHeaders["X-Challenge"] = c.json.challenge;
				enterHeaders["X-Challenge-Nonce"] = solve(c.json.challenge, c.json.bits);
				tally.solveMs.push(performance.now() - t0);
				tally.bits.add(c.json.bits);
			}
			const e = await api("POST", `/consumer/v1/draws/${drawId}/enter`, {
				token,
				headers: enterHeaders,
				expect: [200, 403, 409, 429],
			});
			if (e.status === 200) tally.entered++;
			else tally.refused[e.status] = (tally.refused[e.status] ?? 0) + 1;
		}
	};
	await Promise.all(Array.from({ length: PARALLEL }, worker));
	const cpu = process.cpuUsage(cpu0);
	tally.cpuSeconds = (cpu.user + cpu.system) / 1e6;
	return tally;
}

async function drawIn(ctx, o, sequence) {
	const { api } = ctx;
	const exp = (await api("POST", "/api/v1/experiences", { token: o.sk, body: { name: "Flood" }, expect: 201 })).json;
	const seq = (
		await api("POST", `/api/v1/experiences/${exp.id}/sequences`, {
			token: o.sk,
			body: { name: "Flood", ...sequence },
			expect: 201,
		})
	).json;
	const now = Date.now();
	const draw = (
		await api("POST", "/api/v1/draws", {
			token: o.sk,
			body: {
				sequenceId: seq.id,
				openAt: iso(now + 2000),
				closeAt: iso(now + 3_600_000),
				drawAt: iso(now + 3_600_000),
				winnerCount: 10,
			},
			expect: 201,
		})
	).json;
	await new Promise((r) => setTimeout(r, 2500));
	return draw.id;
}

const median = (xs) => (xs.length ? [...xs].sort((a, b) => a - b)[xs.length >> 1] : null);

export default {
	name: "flood",
	title: "Flood: one attacking process against a draw, per protection mode",
	description:
		`For ${SECONDS} s per mode, ${PARALLEL} parallel loops mint a guest and enter it into a draw, with CF-Connecting-IP ` +
		"rotated inside one IPv6 /64 or across a /48's /64s. `open` is unprotected; `verified` and `codes` refuse guests; " +
		"`pow` solves the proof-of-work challenge of every enter in this process with the SDK's solver.",

	async run(ctx) {
		const o = await setupOrg(ctx);
		const solve = loadSolver();
		const modes = [
			{ mode: "open", spread: "one /64", sequence: {} },
			{ mode: "open", spread: "a /48", sequence: {} },
			{ mode: "verified", spread: "a /48", sequence: { access: "verified" } },
			{ mode: "codes", spread: "a /48", sequence: { access: "codes" } },
			{ mode: "pow", spread: "a /48", sequence: { protection: { challenge: "pow" } }, pow: true },
		];
		const results = [];
		for (const m of modes) {
			ctx.log?.(`flood: ${m.mode}, addresses from ${m.spread}`);
			const drawId = await drawIn(ctx, o, m.sequence);
			results.push({ ...m, ...(await flood(ctx, o, drawId, { spread: m.spread, pow: m.pow, solve })) });
		}
		// A shopper's cost at the top setting, on this machine's Node (headless Chromium: test/browser/states.browser.mjs).
		const top = [];
		for (let i = 0; i < 10; i++) {
			const t0 = performance.now();
			solve(`shopper.${i}.${Date.now()}`, TOP_BITS);
			top.push(performance.now() - t0);
		}
		const rows = results.map((r) => {
			const refused = Object.entries(r.refused)
				.map(([status, count]) => `${count}×${status}`)
				.join(", ");
			const solveMs = median(r.solveMs);
			return [
				r.mode,
				r.spread,
				`${r.guests} (${r.guestRefused} refused)`,
				r.entered,
				refused || "—",
				(r.entered / SECONDS).toFixed(1),
				r.cpuSeconds > 0 ? (r.entered / r.cpuSeconds).toFixed(1) : "—",
				r.bits.size ? [...r.bits].sort().join("/") : "—",
				solveMs == null ? "—" : solveMs.toFixed(0),
			];
		});
		const zero = results.filter((r) => r.mode === "verified" || r.mode === "codes");
		return {
			ceiling: null,
			rows: [],
			checks: [
				...zero.map((r) => ({
					what: `\`${r.mode}\`: no guest entry gets in`,
					ok: r.entered === 0,
					detail: `${r.entered} entries from ${r.guests} guests`,
				})),
				{
					what: "one /64: at most 60 guests a minute (the guest budget per address)",
					ok: results[0].guests <= Math.ceil((60 * SECONDS) / 60) + 60,
					detail: `${results[0].guests} guests in ${SECONDS} s`,
				},
			],
			tables: [
				{
					title: "Flood: what one process gets in",
					text:
						"*entries/s* over the mode's wall time; *entries per attacker CPU-s* counts this process's CPU (the solving, for `pow`). " +
						`A shopper solves one challenge per enter: *solve ms* is the median at the difficulty the flood drove; at the top setting (${TOP_BITS} bits) ` +
						`this machine's Node takes a median ${median(top).toFixed(0)} ms.`,
					head: [
						"mode",
						"addresses",
						"guests minted",
						"entries",
						"refused",
						"entries/s",
						"entries per attacker CPU-s",
						"bits",
						"solve ms",
					],
					rows,
				},
			],
		};
	},
};
