#!/usr/bin/env node
/**
 * `npm run bench [-- <scenario…>] [--duration 10] [--warmup 2] [--connections 32]
 *                 [--runner auto|miniflare|wrangler] [--timeout 2700]`
 *
 * Bundles the worker, migrates a fresh local D1, compares `wrangler dev` with Miniflare
 * direct on GET /healthz (runner `auto`), then runs the scenarios on the faster one and
 * writes bench/RESULTS.md. Everything is bounded in time; children are stopped on exit.
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";

// Miniflare/wrangler need Node ≥ 22.12: re-run on the project's node@22 when started with an older one.
const [major, minor] = process.versions.node.split(".").map(Number);
if (major < 22 || (major === 22 && minor < 12)) {
	const node22 = new URL("../node_modules/.bin/node", import.meta.url).pathname;
	if (!existsSync(node22)) {
		console.error("bench: Node ≥ 22.12 is required (run `npm install` for the project's node@22)");
		process.exit(1);
	}
	const r = spawnSync(node22, process.argv.slice(1), { stdio: "inherit" });
	process.exit(r.status ?? 1);
}

const { apiClient } = await import("./lib/api.mjs");
const { killLoadGenerators, measure } = await import("./lib/load.mjs");
const { machineInfo } = await import("./lib/machine.mjs");
const { consoleSummary, renderMarkdown, renderProfile } = await import("./lib/report.mjs");
const { prepare, ROOT, RUNNERS, versions } = await import("./lib/runners.mjs");
const { newBeaconSecret, startDevBeacon } = await import("../scripts/beacon-process.mjs");
const { scenarios } = await import("./scenarios/index.mjs");

// Scenario options: `options: [{flag, key, default, help}]` in a scenario module (numbers only).
const scenarioOptions = scenarios.flatMap((s) => (s.options ?? []).map((o) => ({ ...o, scenario: s.name })));
const USAGE = `usage: npm run bench [-- <scenario…>] [options]
scenarios: ${scenarios.map((s) => s.name).join(", ")} (default: all)
options:
  --duration <s>      measured seconds per row (default 10)
  --warmup <s>        warm-up seconds before each row (default 2)
  --connections <n>   concurrent connections (default 32)
  --runner <name>     auto (compare both, use the faster) | miniflare | wrangler (default auto)
  --quiet-wait <s>    before each row, wait up to this long for the machine to be idle (default 10)
  --timeout <s>       hard limit for the whole run (default 2700)
  --profile           V8 CPU profiles of every measured row (Miniflare only, through its inspector);
                      writes PROFILE.md and .cpuprofile files to the run directory, not RESULTS.md
  --no-results        do not overwrite bench/RESULTS.md
  --no-floor          leave out the floor rows (they run first in every run otherwise)
${scenarioOptions.map((o) => `  ${`${o.flag} ${o.list ? "<n,…>" : "<n>"}`.padEnd(25)}${o.scenario}: ${o.help} (default ${o.list ? o.default.join(",") : o.default})`).join("\n")}`;

function parseArgs(argv) {
	const opts = {
		duration: 10,
		warmup: 2,
		connections: 32,
		runner: "auto",
		timeout: 2700,
		quietWait: 10,
		writeResults: true,
		profile: false,
		floor: true,
		names: [],
		params: Object.fromEntries(scenarioOptions.map((o) => [o.key, o.default])),
	};
	for (let i = 0; i < argv.length; i++) {
		const a = argv[i];
		const value = () => {
			const v = argv[++i];
			if (v === undefined) throw new Error(`${a} needs a value`);
			return v;
		};
		if (a === "--help" || a === "-h") {
			console.log(USAGE);
			process.exit(0);
		} else if (a === "--duration") opts.duration = Number(value());
		else if (a === "--warmup") opts.warmup = Number(value());
		else if (a === "--connections") opts.connections = Number(value());
		else if (a === "--runner") opts.runner = value();
		else if (a === "--timeout") opts.timeout = Number(value());
		else if (a === "--quiet-wait") opts.quietWait = Number(value());
		else if (a === "--no-results") opts.writeResults = false;
		else if (a === "--no-floor") opts.floor = false;
		else if (a === "--profile") opts.profile = true;
		else if (scenarioOptions.some((o) => o.flag === a)) {
			const o = scenarioOptions.find((x) => x.flag === a);
			// A list option takes comma-separated numbers (e.g. --queue-sizes 10000,100000).
			const parsed = o.list ? value().split(",").map(Number) : [Number(value())];
			if (!parsed.length || parsed.some((v) => !Number.isFinite(v) || v < 0)) {
				throw new Error(`${a} must be ${o.list ? "comma-separated numbers" : "a number"} ≥ 0`);
			}
			opts.params[o.key] = o.list ? parsed : parsed[0];
		} else if (a.startsWith("-")) throw new Error(`unknown option ${a}\n${USAGE}`);
		else opts.names.push(a);
	}
	for (const k of ["duration", "warmup", "connections", "timeout", "quietWait"]) {
		if (!Number.isFinite(opts[k]) || opts[k] < 0) throw new Error(`--${k} must be a number ≥ 0`);
	}
	if (!["auto", ...Object.keys(RUNNERS)].includes(opts.runner)) throw new Error(`unknown runner ${opts.runner}`);
	if (opts.profile) {
		// Profiling slows the worker down: its numbers never go into RESULTS.md.
		if (opts.runner === "wrangler") throw new Error("--profile works with the Miniflare runner only");
		opts.runner = "miniflare";
		opts.writeResults = false;
	}
	const unknown = opts.names.filter((n) => !scenarios.some((s) => s.name === n));
	if (unknown.length) throw new Error(`unknown scenario ${unknown.join(", ")}\n${USAGE}`);
	return opts;
}

let opts;
try {
	opts = parseArgs(process.argv.slice(2));
} catch (err) {
	console.error(`bench: ${err.message}`);
	process.exit(2);
}
process.chdir(ROOT);

const started = Date.now();
const log = (msg) => console.log(`[bench ${((Date.now() - started) / 1000).toFixed(1).padStart(5)} s] ${msg}`);

// ── run directory (bench/.runs/ is gitignored); keep the last few runs ─────────
const RUNS = join(ROOT, "bench", ".runs");
const stamp = new Date().toISOString().replace(/[:.]/g, "-");
const runDir = join(RUNS, stamp);
mkdirSync(runDir, { recursive: true });
const KEEP_RUNS = 3;
for (const old of readdirSync(RUNS)
	.filter((d) => /^\d{4}-/.test(d))
	.sort()
	.slice(0, -KEEP_RUNS)) {
	rmSync(join(RUNS, old), { recursive: true, force: true });
}

// ── cleanup and the hard time limit ──────────────────────────────────────────
const live = new Set();
let cleaning = null;
function cleanup() {
	killLoadGenerators();
	cleaning ??= Promise.allSettled([...live].map((r) => r.stop()));
	return cleaning;
}
let bailing = false;
async function bail(code, why) {
	// The first reason wins: stopping the children makes pending work fail too.
	if (bailing) return;
	bailing = true;
	console.error(`bench: ${why}`);
	await Promise.race([cleanup(), new Promise((r) => setTimeout(r, 15_000))]);
	process.exit(code);
}
const watchdog = setTimeout(() => bail(3, `exceeded --timeout ${opts.timeout} s; stopped`), opts.timeout * 1000);
for (const sig of ["SIGINT", "SIGTERM", "SIGHUP"]) process.on(sig, () => bail(130, `got ${sig}; stopped`));
process.on("uncaughtException", (err) => bail(1, err.stack ?? String(err)));
process.on("unhandledRejection", (err) => bail(1, err?.stack ?? String(err)));

// Draws are ranked by a drand round: the bench draws against the local dev beacon (the relays are
// unreachable here), one per run, with a 10 s seal margin so a closed draw is drawn 10 s later.
let beacon = null;
async function beaconVars() {
	if (!beacon) {
		beacon = await startDevBeacon({ secretKey: newBeaconSecret() });
		live.add(beacon);
	}
	return { ...beacon.vars, DRAW_SEAL_MARGIN_MS: "10000" };
}

async function start(name, prep, extra = {}) {
	log(`starting ${name}…`);
	const t0 = Date.now();
	const runner = await RUNNERS[name](prep, { inspect: opts.profile, vars: await beaconVars(), ...extra });
	live.add(runner);
	log(`${runner.label} ready at ${runner.url} in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
	return runner;
}
async function stop(runner) {
	await runner.stop();
	live.delete(runner);
}

// ── prepare, compare runners, run scenarios ──────────────────────────────────
// The floor (scenarios marked `always`) runs first in every run: the other rows are judged against it.
const selected = scenarios.filter(
	(s) =>
		(s.always ? opts.floor && opts.runner !== "wrangler" : true) &&
		(s.always || !opts.names.length || opts.names.includes(s.name)),
);
const run = {
	command: `npm run bench${process.argv.length > 2 ? ` -- ${process.argv.slice(2).join(" ")}` : ""}`,
	date: new Date().toISOString().replace(/\.\d+Z$/, "Z"),
	machine: machineInfo(ROOT),
	versions: versions(),
	opts,
	runDir,
	comparison: null,
	scenarios: [],
};
log(`run directory ${runDir}`);
async function main() {
	const prep = prepare(runDir, log);
	const loadOpts = {
		connections: opts.connections,
		duration: opts.duration,
		warmup: opts.warmup,
		runDir,
		profile: opts.profile,
		script: prep.script,
		quietWait: opts.quietWait,
	};

	let runner;
	if (opts.runner === "auto") {
		// One at a time, so an idle runner never competes with the measured one.
		const rows = [];
		for (const name of ["wrangler", "miniflare"]) {
			const candidate = await start(name, prep);
			log(`healthz on ${candidate.label}…`);
			const row = await measure(candidate, { label: "healthz", path: "/healthz" }, { ...loadOpts, settleMs: 500 });
			rows.push({ ...row, runnerLabel: candidate.label });
			if (name === "miniflare") runner = candidate;
			else await stop(candidate);
		}
		const best = [...rows].sort((a, b) => b.rps - a.rps)[0].runner;
		if (best !== "miniflare") {
			await stop(runner);
			runner = await start(best, prep);
		}
		run.comparison = { rows, winner: best };
		log(`${runner.label} wins; scenarios run on it`);
	} else {
		runner = await start(opts.runner, prep);
	}

	for (const scenario of selected) {
		if (bailing) return;
		log(`scenario ${scenario.name}`);
		const scenarioStarted = Date.now();
		const ctx = {
			runner,
			runDir,
			opts: loadOpts,
			secrets: prep.secrets,
			params: opts.params,
			/** The scenarios that ran before this one, with their rows (in-object compares with the HTTP rows). */
			previous: run.scenarios,
			api: apiClient(runner.url),
			log: (msg) => log(`  ${scenario.name}: ${msg}`),
			/** One row; `override` may shorten it ({duration, warmup}: curve points). */
			measure: (spec, override = {}) => measure(ctx.runner, spec, { ...loadOpts, ...override }),
			/**
			 * Stops the runner, lets `edit(persistDir)` change its stored state, starts it again on that state;
			 * `options` (e.g. {driver: true, queueConsumers: false}) start it differently until the scenario ends.
			 */
			restart:
				runner.name === "miniflare"
					? async (edit, options = {}) => {
							await stop(runner);
							try {
								if (edit) await edit(runner.persist);
							} finally {
								// A failed edit fails its scenario, not every one after it: the runner comes back either way.
								runner = await start("miniflare", prep, { keepState: true, ...options });
								ctx.runner = runner;
								ctx.api = apiClient(runner.url);
							}
						}
					: undefined,
		};
		const entry = {
			name: scenario.name,
			title: scenario.title,
			description: scenario.description,
			targets: scenario.targets,
			floors: scenario.floors,
			runnerLabel: ctx.runner.label,
		};
		try {
			Object.assign(entry, await scenario.run(ctx));
		} catch (err) {
			entry.error = err.stack ?? String(err);
			log(`  ${scenario.name} failed: ${err.message}`);
		}
		entry.seconds = (Date.now() - scenarioStarted) / 1000;
		run.scenarios.push(entry);
		// A scenario that restarted the runner with other options (the driver worker, no queue consumers)
		// leaves the next one a plain runner again, on the same state.
		if (runner.name === "miniflare" && (runner.options.driver || !runner.options.queueConsumers)) {
			await stop(runner);
			runner = await start("miniflare", prep, { keepState: true });
		}
	}

	// Stopping on a signal or the time limit: bail() finishes the exit, with no results written.
	if (bailing) return;
	await cleanup();
	clearTimeout(watchdog);
	run.seconds = (Date.now() - started) / 1000;
	writeFileSync(join(runDir, "results.json"), `${JSON.stringify(run, null, 2)}\n`);
	if (opts.writeResults) writeFileSync(join(ROOT, "bench", "RESULTS.md"), renderMarkdown(run));
	if (opts.profile) writeFileSync(join(runDir, "PROFILE.md"), renderProfile(run));
	// The persisted databases are only useful for debugging a failed run.
	const failed = run.scenarios.some((s) => s.error);
	if (!failed) {
		for (const d of readdirSync(runDir).filter((d) => d.startsWith("persist-") || d === "miniflare-tmp")) {
			rmSync(join(runDir, d), { recursive: true, force: true });
		}
	}
	console.log(`\n${consoleSummary(run)}\n`);
	const wrote = opts.writeResults
		? "; wrote bench/RESULTS.md"
		: opts.profile
			? `; wrote ${join(runDir, "PROFILE.md")}`
			: "";
	log(`done${wrote} (raw: ${join(runDir, "results.json")})`);
	process.exit(failed ? 1 : 0);
}

main().catch((err) => bail(1, err?.stack ?? String(err)));
