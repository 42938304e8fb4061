/**
 * Runs a load spec against a runner: a short warm-up, then the measured run, with the
 * runner's CPU time (workerd processes, and its Node side) and the machine's busy time
 * sampled around the measured run only. Returns one result row.
 */
import { spawn } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { sampleMachine, sleep } from "./proc.mjs";
import { saveProfiles, startProfiles, summarize } from "./profile.mjs";

const WORKER = new URL("./load-worker.mjs", import.meta.url).pathname;
const running = new Set();

/** Stops every load generator still running (the bench is exiting). */
export function killLoadGenerators() {
	for (const p of running) p.kill();
}

class LoadProcess {
	constructor(specFile, label) {
		this.label = label;
		this.child = spawn(process.execPath, [WORKER, specFile], { stdio: ["pipe", "pipe", "inherit"] });
		running.add(this);
		this.queue = [];
		this.waiters = [];
		createInterface({ input: this.child.stdout }).on("line", (line) => {
			let msg;
			try {
				msg = JSON.parse(line);
			} catch {
				return;
			}
			const w = this.waiters.shift();
			if (w) w.resolve(msg);
			else this.queue.push(msg);
		});
		this.child.on("exit", (code) => {
			running.delete(this);
			for (const w of this.waiters.splice(0)) w.reject(new Error(`load generator (${label}) exited with ${code}`));
			this.exited = true;
		});
	}

	next(timeoutMs) {
		if (this.queue.length) return Promise.resolve(this.queue.shift());
		if (this.exited) return Promise.reject(new Error(`load generator (${this.label}) is gone`));
		return new Promise((resolve, reject) => {
			const timer = setTimeout(() => reject(new Error(`load generator (${this.label}) timed out`)), timeoutMs);
			this.waiters.push({
				resolve: (m) => {
					clearTimeout(timer);
					resolve(m);
				},
				reject: (e) => {
					clearTimeout(timer);
					reject(e);
				},
			});
		});
	}

	send(msg) {
		this.child.stdin.write(`${JSON.stringify(msg)}\n`);
	}

	kill() {
		if (!this.exited) this.child.kill("SIGKILL");
	}
}

/**
 * The machine is shared: before a row, wait (up to `maxMs`) for a second in which it is
 * less than 15 % busy, so other programs' bursts do not land in the measurement.
 */
export async function waitForQuiet(maxMs) {
	const t0 = Date.now();
	while (Date.now() - t0 < maxMs) {
		const a = sampleMachine();
		await sleep(1000);
		const b = sampleMachine();
		if ((b.busyUs - a.busyUs) / Math.max(1, b.totalUs - a.totalUs) < 0.15) break;
	}
	return Date.now() - t0;
}

/**
 * @param runner  a started runner ({name, url, sampleCpu()})
 * @param spec    {label, path, method?, headers?, body?, auth?, successFile?, bodySequence?, expectedStatuses?, connections?}
 *                `expectedStatuses`: non-2xx statuses that are the endpoint's normal answer under this load
 *                (e.g. 409 "Bid too low" under contention): counted as `expected`, not as errors.
 * @param opts    {connections, duration, warmup, settleMs, runDir, profile?, script?, quietWait?}
 */
export async function measure(runner, spec, opts) {
	const { duration, warmup, settleMs = 2000, runDir, profile, script, quietWait = 0 } = opts;
	// A row may use fewer connections (an endpoint so slow that 32 at once would only measure timeouts).
	const connections = spec.connections ?? opts.connections;
	const waitedMs = await waitForQuiet(quietWait * 1000);
	mkdirSync(join(runDir, "load"), { recursive: true });
	const specFile = join(runDir, "load", `${runner.name}-${spec.label}.json`);
	writeFileSync(
		specFile,
		JSON.stringify({
			url: new URL(spec.path, runner.url).href,
			method: spec.method ?? "GET",
			headers: spec.headers ?? {},
			body: spec.body,
			connections,
			timeoutSec: 10,
			auth: spec.auth,
			successFile: spec.successFile,
			bodySequence: spec.bodySequence,
			tallyErrors: Boolean(spec.expectedStatuses?.length),
		}),
		{ mode: 0o600 },
	);
	const load = new LoadProcess(specFile, spec.label);
	const budget = (seconds) => (seconds + 30) * 1000;
	try {
		const ready = await load.next(60_000);
		if (ready.type !== "ready") throw new Error(`unexpected ${JSON.stringify(ready)}`);
		if (warmup > 0) {
			load.send({ cmd: "run", duration: warmup });
			await load.next(budget(warmup));
			await sleep(500);
		}
		const profiler = profile && runner.inspectorUrl ? await startProfiles(runner.inspectorUrl) : null;
		const cpu0 = runner.sampleCpu();
		const m0 = sampleMachine();
		load.send({ cmd: "run", duration });
		const result = await load.next(budget(duration));
		const cpu1 = runner.sampleCpu();
		const m1 = sampleMachine();
		let profiles = null;
		if (profiler) {
			const raw = await profiler.stop();
			mkdirSync(join(runDir, "profiles"), { recursive: true });
			const files = saveProfiles(join(runDir, "profiles"), `${runner.name}-${spec.label}`, raw);
			profiles = {
				files,
				isolates: Object.fromEntries(Object.entries(raw).map(([id, p]) => [id, summarize(p, script)])),
			};
		}
		// Background work the requests caused (alarms, event delivery) that ran after the window.
		await sleep(settleMs);
		const cpu2 = runner.sampleCpu();
		load.send({ cmd: "exit" });
		const bye = await load.next(30_000);
		const perReq = (us) => (result.responses ? us / result.responses : null);
		const expected = (spec.expectedStatuses ?? []).reduce((n, code) => n + (result.statusCodes[code] ?? 0), 0);
		return {
			label: spec.label,
			runner: runner.name,
			connections,
			...result,
			expected,
			expectedStatuses: spec.expectedStatuses ?? [],
			errorCount: result.non2xx - expected + result.errors,
			cpu: {
				workerdUs: cpu1.workerdUs - cpu0.workerdUs,
				nodeUs: cpu1.nodeUs - cpu0.nodeUs,
				workerdUsPerReq: perReq(cpu1.workerdUs - cpu0.workerdUs),
				nodeUsPerReq: perReq(cpu1.nodeUs - cpu0.nodeUs),
				afterWorkerdUs: cpu2.workerdUs - cpu1.workerdUs,
				afterWorkerdUsPerReq: perReq(cpu2.workerdUs - cpu1.workerdUs),
				settleMs,
				loadGenUsPerReq: perReq(result.loadCpuUs),
				machineBusyPct: (100 * (m1.busyUs - m0.busyUs)) / Math.max(1, m1.totalUs - m0.totalUs),
				// Busy time that was neither the runner nor the load generator (other processes on the machine).
				otherPct:
					(100 *
						Math.max(
							0,
							m1.busyUs -
								m0.busyUs -
								(cpu1.workerdUs - cpu0.workerdUs) -
								(cpu1.nodeUs - cpu0.nodeUs) -
								result.loadCpuUs,
						)) /
					Math.max(1, m1.totalUs - m0.totalUs),
			},
			waitedForQuietMs: waitedMs,
			succeeded: bye.succeeded,
			minted: bye.minted,
			totals: bye.totals,
			profiles,
		};
	} finally {
		load.kill();
	}
}
