/**
 * Local runners for the worker, both serving the same pre-built bundle (a snapshot of
 * src/ taken once per bench run, so edits made while the bench runs change nothing):
 *  - `wrangler`: `wrangler dev --no-bundle` — the developer's server, with its proxy
 *    worker, request logging and file watching in front of the worker;
 *  - `miniflare`: Miniflare's programmatic API in this process, configured from
 *    wrangler.toml via wrangler's own converter — one workerd, no dev proxy.
 * Both get a migrated local D1 and the bench's own secrets in a persist dir under bench/.runs/.
 */
import { spawn, spawnSync } from "node:child_process";
import { generateKeyPairSync, randomBytes } from "node:crypto";
import { cpSync, createWriteStream, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { createServer } from "node:net";
import { join, relative } from "node:path";
import { copyDocsAssets } from "../../scripts/docs-assets.mjs";
import { kill, sampleRunner, sleep } from "./proc.mjs";

export const ROOT = new URL("../../", import.meta.url).pathname.replace(/\/$/, "");
const BIN = join(ROOT, "node_modules", ".bin");
const require = createRequire(join(ROOT, "package.json"));
/** wrangler's own miniflare/workerd (it may nest newer ones than the top-level copies). */
const wranglerRequire = createRequire(require.resolve("wrangler/package.json"));

const SECRET_NAMES = ["PLATFORM_ADMIN_TOKEN", "APP_SECRET", "JWT_SIGNING_KEY"];

export function toolEnv(extra = {}) {
	const env = { ...process.env, WRANGLER_SEND_METRICS: "false", NO_COLOR: "1", FORCE_COLOR: "0", ...extra };
	for (const name of [...SECRET_NAMES, "WRANGLER_LOG", "CLOUDFLARE_INCLUDE_PROCESS_ENV"]) delete env[name];
	env.PATH = `${BIN}:${env.PATH ?? ""}`;
	return env;
}

function runTool(args, { log, extraEnv, timeoutMs = 180_000 } = {}) {
	const r = spawnSync(join(BIN, "wrangler"), args, {
		cwd: ROOT,
		env: toolEnv(extraEnv),
		encoding: "utf8",
		timeout: timeoutMs,
	});
	if (log) writeFileSync(log, `$ wrangler ${args.join(" ")}\n${r.stdout ?? ""}\n${r.stderr ?? ""}`);
	if (r.status !== 0) {
		throw new Error(
			`wrangler ${args.join(" ")} failed (${r.status ?? r.signal}):\n${(r.stderr || r.stdout || "").slice(-3000)}`,
		);
	}
	return r.stdout;
}

/** Fresh secrets, the same kinds `npm run dev` generates into .dev.vars. */
export function makeSecrets() {
	return {
		PLATFORM_ADMIN_TOKEN: randomBytes(32).toString("base64url"),
		APP_SECRET: randomBytes(32).toString("hex"),
		JWT_SIGNING_KEY: JSON.stringify(generateKeyPairSync("ed25519").privateKey.export({ format: "jwk" })),
		// Not a secret: the admin scenario mints pools of keys well past the default cap of 50 per organization.
		MAX_LIVE_API_KEYS: "1000000",
		// Not secrets: the scenarios measure throughput, with a few consumers bidding and polling far past a
		// shopper's budget and one distribution taking every arrival (README "Limits on the consumer API").
		...Object.fromEntries(
			["ENTER", "STATUS", "BIDS", "CONNECTS"].flatMap((p) => [
				[`LIMIT_${p}_PER_CONSUMER`, "1000000"],
				[`LIMIT_${p}_PER_ADDRESS`, "1000000"],
			]),
		),
		LIVE_SOCKETS_PER_CONSUMER: "1000000",
		LIVE_SOCKETS_PER_ADDRESS: "1000000",
		BREAKER_ENTERS_PER_SECOND: "1000000",
	};
}

/**
 * Bundles src/ once (`wrangler deploy --dry-run`), applies migrations/ to a local D1 in
 * `<runDir>/persist-base`, and returns what the runners need.
 */
export function prepare(runDir, log) {
	mkdirSync(runDir, { recursive: true });
	const secrets = makeSecrets();
	const envFile = join(runDir, "secrets.env");
	writeFileSync(
		envFile,
		`${Object.entries(secrets)
			.map(([k, v]) => `${k}='${v}'`)
			.join("\n")}\n`,
		{ mode: 0o600 },
	);
	const bundleDir = join(runDir, "bundle");
	// wrangler.toml's assets directory (public/, gitignored) must exist to bundle: a fresh worktree lacks it.
	copyDocsAssets();
	log("bundling the worker (wrangler deploy --dry-run)…");
	runTool(["deploy", "--dry-run", "--outdir", bundleDir], { log: join(runDir, "bundle.log") });
	// wrangler names the bundle after the entry module (src/worker.ts).
	const script = join(bundleDir, "worker.js");
	if (!existsSync(script)) throw new Error(`no bundle at ${script}`);
	const persistBase = join(runDir, "persist-base");
	log("applying D1 migrations to a fresh local database…");
	runTool(["d1", "migrations", "apply", "DB", "--local", "--persist-to", persistBase], {
		log: join(runDir, "migrate.log"),
		extraEnv: { CI: "true" },
	});
	return { runDir, secrets, envFile, script, persistBase };
}

/** A copy of the migrated state, so each runner has its own files (`keepState`: reuse the last one's). */
function persistFor(prep, name, keepState = false) {
	const dir = join(prep.runDir, `persist-${name}`);
	if (!(keepState && existsSync(dir))) cpSync(prep.persistBase, dir, { recursive: true });
	return dir;
}

export function freePort() {
	return new Promise((resolve, reject) => {
		const srv = createServer();
		srv.once("error", reject);
		srv.listen(0, "127.0.0.1", () => {
			const { port } = srv.address();
			srv.close(() => resolve(port));
		});
	});
}

async function waitHealthy(url, { timeoutMs, isDead, what }) {
	const deadline = Date.now() + timeoutMs;
	while (Date.now() < deadline) {
		if (isDead?.()) throw new Error(`${what} exited before it was ready`);
		try {
			const res = await fetch(new URL("/healthz", url), { signal: AbortSignal.timeout(5000) });
			if (res.ok) return;
		} catch {}
		await sleep(250);
	}
	throw new Error(`${what} was not healthy within ${timeoutMs / 1000} s`);
}

/** `wrangler dev` in its own process group (so stopping it takes every child along). */
/**
 * `fromSource`: wrangler bundles src/ itself from wrangler.toml, as `npm run dev` does (the
 * browser suites need its static assets, which `wrangler dev <bundle> --no-bundle` leaves out).
 */
export async function startWranglerDev(prep, { timeoutMs = 120_000, fromSource = false, vars = {} } = {}) {
	const port = await freePort();
	const inspectorPort = await freePort();
	const persist = persistFor(prep, "wrangler");
	const logFile = join(prep.runDir, "wrangler-dev.log");
	const out = createWriteStream(logFile);
	const args = [
		"dev",
		...(fromSource ? [] : [relative(ROOT, prep.script), "--no-bundle"]),
		"--ip",
		"127.0.0.1",
		"--port",
		String(port),
		"--inspector-port",
		String(inspectorPort),
		"--persist-to",
		persist,
		"--env-file",
		prep.envFile,
		"--show-interactive-dev-session=false",
		// Variables wrangler.toml does not declare: an env file's are dropped (only [secrets] are read from it).
		...Object.entries(vars).flatMap(([k, v]) => ["--var", `${k}:${v}`]),
	];
	const child = spawn(join(BIN, "wrangler"), args, {
		cwd: ROOT,
		env: toolEnv(),
		detached: true,
		stdio: ["ignore", "pipe", "pipe"],
	});
	child.stdout.pipe(out);
	child.stderr.pipe(out);
	let dead = false;
	child.on("exit", () => {
		dead = true;
	});
	const url = `http://127.0.0.1:${port}`;
	const runner = {
		name: "wrangler",
		label: "wrangler dev",
		url,
		pid: child.pid,
		logFile,
		sampleCpu: () => sampleRunner(child.pid),
		async stop() {
			if (dead) return;
			kill(-child.pid, "SIGTERM");
			for (let i = 0; i < 50 && kill(-child.pid, 0); i++) await sleep(100);
			kill(-child.pid, "SIGKILL");
		},
	};
	try {
		await waitHealthy(url, { timeoutMs, isDead: () => dead, what: "wrangler dev" });
	} catch (err) {
		await runner.stop();
		const tail = existsSync(logFile) ? readFileSync(logFile, "utf8").slice(-2000) : "";
		throw new Error(`${err.message}\n--- ${logFile} ---\n${tail}`);
	}
	return runner;
}

/** The bench-only driver worker (lib/driver-worker.mjs): loops of RPC calls to the worker's objects. */
const DRIVER = "bench-driver";
/** The bench-only floor worker (lib/floor-worker.mjs): the least work of each hot operation, over HTTP. */
const FLOOR = "bench-floor";

/**
 * Miniflare in this process, from wrangler.toml's bindings plus the bench's secrets.
 * `driver`: also load lib/driver-worker.mjs, bound to the worker's Durable Object classes
 * (runner.driverLoop(spec) posts one loop to it). `queueConsumers: false`: the worker consumes
 * none of its queues (messages stay in Miniflare's broker), so no event storing runs meanwhile.
 */
export async function startMiniflare(
	prep,
	{ timeoutMs = 120_000, inspect = false, keepState = false, driver = false, queueConsumers = true, vars = {} } = {},
) {
	const persist = persistFor(prep, "miniflare", keepState);
	// wrangler's helpers would otherwise print which .dev.vars they read; the bench overrides those secrets anyway.
	const quiet = process.env.WRANGLER_LOG;
	process.env.WRANGLER_LOG = "error";
	const wrangler = await import(require.resolve("wrangler"));
	const { Miniflare, convertV4MiniflareOptions } = await import(wranglerRequire.resolve("miniflare"));
	const { workerOptions } = wrangler.unstable_getMiniflareWorkerOptions(join(ROOT, "wrangler.toml"));
	if (quiet === undefined) delete process.env.WRANGLER_LOG;
	else process.env.WRANGLER_LOG = quiet;
	// The bundle is one ES module: no module rules needed (and v5 cannot convert them).
	delete workerOptions.modulesRules;
	// Static assets (/docs/scalar.js) put Miniflare's asset router in front of every request:
	// ≈ 0.8–1.1 ms of workerd CPU each, measured, which Cloudflare's edge spends outside the
	// Worker. The bench measures the Worker, as deployed: without them.
	delete workerOptions.assets;
	const bindings = { ...workerOptions.bindings };
	for (const name of SECRET_NAMES) delete bindings[name];
	if (!queueConsumers) delete workerOptions.queueConsumers;
	const driverWorker = driver
		? {
				name: DRIVER,
				modules: true,
				compatibilityDate: workerOptions.compatibilityDate,
				compatibilityFlags: workerOptions.compatibilityFlags,
				scriptPath: "bench/lib/driver-worker.mjs",
				durableObjects: Object.fromEntries(
					Object.entries(workerOptions.durableObjects ?? {}).map(([binding, o]) => [
						binding,
						{ className: o.className, useSQLite: o.useSQLite, scriptName: "fanfare-edge" },
					]),
				),
			}
		: null;
	// The floor worker (lib/floor-worker.mjs) in every Miniflare run, routed at /__floor/*: the floor rows
	// are measured by the same load generator, on the same workerd, next to the worker's own rows.
	const pub = JSON.parse(prep.secrets.JWT_SIGNING_KEY);
	delete pub.d;
	const floorWorker = {
		name: FLOOR,
		modules: true,
		compatibilityDate: workerOptions.compatibilityDate,
		compatibilityFlags: workerOptions.compatibilityFlags,
		scriptPath: "bench/lib/floor-worker.mjs",
		routes: ["*/__floor/*"],
		d1Databases: workerOptions.d1Databases,
		durableObjects: { FLOOR: { className: "FloorObject", useSQLite: true } },
		bindings: { FLOOR_JWK: JSON.stringify(pub) },
	};
	const port = await freePort();
	const inspectorPort = inspect ? await freePort() : undefined;
	// workerd's own log lines (warnings such as overdue alarms, uncaught errors) go to a file, not the console.
	const logFile = join(prep.runDir, "miniflare.log");
	const out = createWriteStream(logFile, { flags: "a" });
	const mf = new Miniflare(
		convertV4MiniflareOptions({
			rootPath: ROOT,
			host: "127.0.0.1",
			port,
			...(inspect ? { inspectorPort } : {}),
			cf: false,
			logRequests: false,
			handleStructuredLogs: ({ level, message }) => out.write(`${level}: ${message}\n`),
			resourcePersistencePath: join(persist, "v3"),
			resourceTmpPath: join(prep.runDir, "miniflare-tmp"),
			workers: [
				{
					...workerOptions,
					name: "fanfare-edge",
					modules: true,
					scriptPath: relative(ROOT, prep.script),
					bindings: { ...bindings, ...vars, ...prep.secrets },
				},
				floorWorker,
				...(driverWorker ? [driverWorker] : []),
			],
		}),
	);
	const ready = await Promise.race([
		mf.ready,
		sleep(timeoutMs).then(() => {
			throw new Error(`Miniflare was not ready within ${timeoutMs / 1000} s`);
		}),
	]);
	const url = ready.href.replace(/\/$/, "");
	let disposed = false;
	const runner = {
		name: "miniflare",
		label: "Miniflare (direct)",
		url,
		pid: process.pid,
		persist,
		logFile,
		inspectorUrl: inspect ? `http://127.0.0.1:${inspectorPort}` : undefined,
		options: { driver, queueConsumers },
		/** One loop of RPC calls in the driver worker (see lib/driver-worker.mjs); needs `driver`. */
		async driverLoop(spec, { timeoutMs: loopTimeoutMs = 600_000 } = {}) {
			if (!driver) throw new Error("this runner was started without the driver worker");
			const fetcher = await mf.getWorker(DRIVER);
			const res = await fetcher.fetch(`http://${DRIVER}.bench/loop`, {
				method: "POST",
				body: JSON.stringify(spec),
				signal: AbortSignal.timeout(loopTimeoutMs),
			});
			const text = await res.text();
			if (!res.ok) throw new Error(`driver loop → ${res.status}: ${text.slice(0, 500)}`);
			return JSON.parse(text);
		},
		sampleCpu: () => sampleRunner(process.pid, { nodePids: [process.pid] }),
		async stop() {
			if (disposed) return;
			disposed = true;
			await Promise.race([mf.dispose(), sleep(10_000)]);
			out.end();
			// workerd children that outlived dispose (they should not): kill them by pid.
			for (const pid of sampleRunner(process.pid).workerdPids) kill(pid, "SIGKILL");
		},
	};
	await waitHealthy(url, { timeoutMs: 30_000, what: "Miniflare" });
	return runner;
}

export const RUNNERS = { wrangler: startWranglerDev, miniflare: startMiniflare };

/** Versions of what the bench runs on. */
export function versions() {
	const read = (req, name) => {
		try {
			return JSON.parse(readFileSync(req.resolve(`${name}/package.json`), "utf8")).version;
		} catch {
			return "?";
		}
	};
	let workerdRuntime = "?";
	try {
		const path = wranglerRequire("workerd").default;
		workerdRuntime = spawnSync(path, ["--version"], { encoding: "utf8" }).stdout.trim();
	} catch {}
	return {
		node: process.version,
		wrangler: read(require, "wrangler"),
		miniflare: read(wranglerRequire, "miniflare"),
		workerd: read(wranglerRequire, "workerd"),
		workerdRuntime,
		autocannon: read(require, "autocannon"),
	};
}
