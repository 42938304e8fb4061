/**
 * The load generator, in its own process so it never shares an event loop with the
 * server under test. Driven over stdin/stdout, one JSON object per line:
 *   → {"cmd":"run","duration":10}   ← {"type":"result", ...}
 *   → {"cmd":"exit"}                 ← {"type":"bye", ...}
 * It prints {"type":"ready"} once its tokens are minted, so the caller can start its
 * CPU clock only when the load starts. Token state persists across runs: a warm-up and
 * the measured run that follows use different consumers.
 *
 * Spec (JSON file, argv[2]): {url, method, headers, body?, connections, timeoutSec,
 *   auth?: {mode: "mint", jwk, kid, org, prepare} | {mode: "file", file},
 *   successFile?: write the tokens whose request got a 2xx here on exit}
 */
import { readFileSync, writeFileSync } from "node:fs";
import { createInterface } from "node:readline";
import autocannon from "autocannon";
import { TokenMinter } from "./tokens.mjs";

const spec = JSON.parse(readFileSync(process.argv[2], "utf8"));
const send = (msg) => process.stdout.write(`${JSON.stringify(msg)}\n`);

let nextToken = null;
let minted = 0;
let mintedDuringLoad = 0;
let loading = false;
if (spec.auth?.mode === "mint") {
	const minter = new TokenMinter(spec.auth);
	const pool = Array.from({ length: spec.auth.prepare }, () => minter.mint());
	minted = pool.length;
	let i = 0;
	nextToken = () => {
		if (i < pool.length) return pool[i++];
		minted++;
		if (loading) mintedDuringLoad++;
		return minter.mint();
	};
} else if (spec.auth?.mode === "file") {
	const pool = readFileSync(spec.auth.file, "utf8").split("\n").filter(Boolean);
	if (!pool.length) throw new Error(`no tokens in ${spec.auth.file}`);
	let i = 0;
	nextToken = () => pool[i++ % pool.length];
}

const succeeded = [];
const request = {
	method: spec.method ?? "GET",
	path: new URL(spec.url).pathname + new URL(spec.url).search,
	...(spec.body === undefined ? {} : { body: spec.body }),
};
if (nextToken) {
	request.setupRequest = (req, context) => {
		const token = nextToken();
		context.token = token;
		return { ...req, headers: { ...spec.headers, Authorization: `Bearer ${token}` } };
	};
	if (spec.successFile) {
		request.onResponse = (status, _body, context) => {
			if (status >= 200 && status < 300) succeeded.push(context.token);
		};
	}
}

async function run(duration) {
	const cpu0 = process.cpuUsage();
	const t0 = performance.now();
	loading = true;
	const instance = autocannon({
		url: spec.url,
		connections: spec.connections,
		duration,
		timeout: spec.timeoutSec ?? 10,
		headers: spec.headers,
		requests: [request],
	});
	// Responses per second over the run: shows warm-up effects and slow-downs as state grows.
	const perSecond = [];
	instance.on("response", () => {
		const s = Math.floor((performance.now() - t0) / 1000);
		perSecond[s] = (perSecond[s] ?? 0) + 1;
	});
	const result = await instance;
	loading = false;
	const wallMs = performance.now() - t0;
	const cpu = process.cpuUsage(cpu0);
	const responses = result.requests.total;
	const ok = Object.entries(result.statusCodeStats ?? {})
		.filter(([code]) => code.startsWith("2"))
		.reduce((s, [, v]) => s + Number(v.count), 0);
	return {
		type: "result",
		// autocannon's duration is the measured window in seconds (it stops at `duration`).
		seconds: result.duration,
		wallMs,
		responses,
		ok,
		rps: responses / result.duration,
		okRps: ok / result.duration,
		latency: {
			p50: result.latency.p50,
			p90: result.latency.p90,
			p99: result.latency.p99,
			max: result.latency.max,
			mean: result.latency.mean,
		},
		non2xx: result.non2xx,
		errors: result.errors,
		timeouts: result.timeouts,
		statusCodes: Object.fromEntries(Object.entries(result.statusCodeStats ?? {}).map(([k, v]) => [k, Number(v.count)])),
		loadCpuUs: cpu.user + cpu.system,
		perSecond: Array.from(perSecond, (v) => v ?? 0),
	};
}

// The bench went away (crash, Ctrl-C): stop at once rather than finish the run.
process.stdin.on("end", () => process.exit(0));
send({ type: "ready", minted });
for await (const line of createInterface({ input: process.stdin })) {
	const msg = JSON.parse(line);
	if (msg.cmd === "run") {
		mintedDuringLoad = 0;
		const result = await run(msg.duration);
		send({ ...result, mintedDuringLoad });
	} else if (msg.cmd === "exit") {
		if (spec.successFile) writeFileSync(spec.successFile, `${succeeded.join("\n")}\n`);
		send({ type: "bye", minted, succeeded: succeeded.length });
		break;
	}
}
process.exit(0);
