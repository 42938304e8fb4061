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
 *   auth?: {mode: "mint", jwk, kid, org, prepare} | {mode: "file", file, sendTicket?},
 *   bodySequence?: {template, field?, start, step?, follow?, strings?}: a JSON body per request, `template` with
 *     `strings` ({field: "text {n}"}: "{n}" replaced by n, for unique names) and
 *     `field` = start + n × step for the n-th request sent (n counts on across runs), or with
 *     `follow` (a response field name): the highest value of that field seen in a 2xx body so far
 *     (e.g. bid the minimumNextBid the last answer showed, as a bidding page would); with
 *     `followPattern` (a regex with one number group) also from non-2xx bodies (a refusal that names the new minimum),
 *   tallyErrors?: count non-2xx responses by status and problem `title` (reported on exit),
 *   successFile?: write the tokens whose request got a 2xx here on exit (with the response's
 *     `ticket`, tab-separated, when it has one)}
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
let sent = 0;
const seq = spec.bodySequence;
let followed = seq?.start;
const followPattern = seq?.followPattern ? new RegExp(seq.followPattern) : null;
if (nextToken || seq) {
	request.setupRequest = (req, context) => {
		const out = { ...req };
		if (nextToken) {
			// File pools may hold "token<TAB>ticket": a queue poll sends both, as clients do.
			const [token, ticket] = nextToken().split("\t");
			context.token = token;
			out.headers = { ...spec.headers, Authorization: `Bearer ${token}` };
			if (ticket && spec.auth?.sendTicket) out.headers["X-Queue-Ticket"] = ticket;
		}
		if (seq) {
			const body = { ...seq.template };
			if (seq.field) body[seq.field] = seq.follow ? followed : seq.start + sent * seq.step;
			for (const [k, pattern] of Object.entries(seq.strings ?? {})) body[k] = pattern.replaceAll("{n}", String(sent));
			out.body = JSON.stringify(body);
		}
		sent++;
		return out;
	};
}
// Over every run (warm-up included): what the server was asked and answered, for integrity checks.
const totals = { sent: 0, statusCodes: {}, reasons: {} };
if ((nextToken && spec.successFile) || spec.tallyErrors || seq?.follow) {
	// A body is passed here (and buffered by autocannon) only because this handler exists.
	request.onResponse = (status, body, context) => {
		if (status >= 200 && status < 300) {
			if (seq?.follow) {
				try {
					const v = JSON.parse(body)[seq.follow];
					if (typeof v === "number" && v > followed) followed = v;
				} catch {}
			}
			if (nextToken && spec.successFile) {
				let ticket = "";
				try {
					ticket = JSON.parse(body).ticket ?? "";
				} catch {}
				succeeded.push(ticket ? `${context.token}\t${ticket}` : context.token);
			}
		} else if (spec.tallyErrors || followPattern) {
			const v = followPattern ? Number(body?.match(followPattern)?.[1]) : Number.NaN;
			if (v > followed) followed = v;
			let title = "";
			try {
				title = JSON.parse(body).title ?? "";
			} catch {}
			const key = `${status} ${title}`.trim();
			totals.reasons[key] = (totals.reasons[key] ?? 0) + 1;
		}
	};
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
		for (const [code, n] of Object.entries(result.statusCodes))
			totals.statusCodes[code] = (totals.statusCodes[code] ?? 0) + n;
		send({ ...result, mintedDuringLoad });
	} else if (msg.cmd === "exit") {
		if (spec.successFile) writeFileSync(spec.successFile, `${succeeded.join("\n")}\n`);
		send({ type: "bye", minted, succeeded: succeeded.length, totals: { ...totals, sent } });
		break;
	}
}
process.exit(0);
