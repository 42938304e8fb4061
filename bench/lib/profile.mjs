/**
 * `--profile`: V8 CPU profiles of the runner's isolates over a measured window, through
 * workerd's inspector (Chrome DevTools protocol), plus a summary by source file and
 * function, mapped through the bundle's source map back to src/ and node_modules/.
 * The .cpuprofile files open in Chrome DevTools (Performance → Load profile).
 */
import { readFileSync, writeFileSync } from "node:fs";
import { SourceMap } from "node:module";
import { join } from "node:path";

class Session {
	constructor(ws) {
		this.ws = ws;
		this.nextId = 1;
		this.pending = new Map();
		ws.addEventListener("message", (ev) => {
			const msg = JSON.parse(typeof ev.data === "string" ? ev.data : Buffer.from(ev.data).toString());
			const p = msg.id && this.pending.get(msg.id);
			if (!p) return;
			this.pending.delete(msg.id);
			if (msg.error) p.reject(new Error(`${msg.error.message}`));
			else p.resolve(msg.result);
		});
	}

	static open(url) {
		return new Promise((resolve, reject) => {
			const ws = new WebSocket(url);
			ws.addEventListener("open", () => resolve(new Session(ws)), { once: true });
			ws.addEventListener("error", () => reject(new Error(`cannot connect to ${url}`)), { once: true });
		});
	}

	send(method, params = {}) {
		const id = this.nextId++;
		this.ws.send(JSON.stringify({ id, method, params }));
		return new Promise((resolve, reject) => {
			this.pending.set(id, { resolve, reject });
			setTimeout(() => {
				if (this.pending.delete(id)) reject(new Error(`${method} timed out`));
			}, 30_000);
		});
	}

	close() {
		this.ws.close();
	}
}

/**
 * The worker's isolate (its Durable Objects run in it too). Other isolates on the same
 * workerd thread (Miniflare's entry worker, D1, queues) are left out: a V8 profiler
 * attributes time spent in a nested isolate to its caller's frame, so their numbers overlap.
 */
const TARGETS = ["core:user:fanfare-edge"];

export async function startProfiles(inspectorUrl) {
	const list = await (await fetch(`${inspectorUrl}/json/list`)).json();
	const sessions = [];
	for (const t of list.filter((t) => TARGETS.includes(t.id))) {
		const s = await Session.open(t.webSocketDebuggerUrl);
		await s.send("Profiler.enable");
		await s.send("Profiler.setSamplingInterval", { interval: 200 });
		await s.send("Profiler.start");
		sessions.push({ id: t.id, s });
	}
	return {
		async stop() {
			const out = {};
			for (const { id, s } of sessions) {
				out[id] = (await s.send("Profiler.stop")).profile;
				s.close();
			}
			return out;
		},
	};
}

let sourceMap;
function mapper(script) {
	if (sourceMap === undefined) {
		try {
			sourceMap = new SourceMap(JSON.parse(readFileSync(`${script}.map`, "utf8")));
		} catch {
			sourceMap = null;
		}
	}
	return (frame) => {
		// Only the worker's own bundle maps through its source map (Miniflare's entry worker is another script).
		if (
			!frame.url ||
			!sourceMap ||
			!script.endsWith(frame.url.replace(/^file:\/\//, "").replace(/^.*?\/bundle\//, "bundle/"))
		) {
			return { file: frame.url || "(native)", line: frame.lineNumber + 1 };
		}
		const e = sourceMap.findEntry(frame.lineNumber, frame.columnNumber);
		if (!e?.originalSource) return { file: frame.url, line: frame.lineNumber + 1 };
		const file = e.originalSource.replace(/^.*?(node_modules\/|src\/)/, "$1");
		return { file, line: e.originalLine + 1 };
	};
}

/** Self time by source file (packages collapsed) and by function, for one profile. */
export function summarize(profile, script) {
	const map = mapper(script);
	const byId = new Map(profile.nodes.map((n) => [n.id, n]));
	const self = new Map();
	for (let i = 0; i < profile.samples.length; i++) {
		const dt = profile.timeDeltas[i + 1] ?? 0;
		self.set(profile.samples[i], (self.get(profile.samples[i]) ?? 0) + dt);
	}
	// Inclusive time by entry point: the frame right under (root) — the fetch handler, an RPC method, alarm(), queue()…
	const parent = new Map();
	for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
	const rootId = profile.nodes[0].id;
	const entryOf = (id) => {
		let cur = id;
		while (parent.has(cur) && parent.get(cur) !== rootId) cur = parent.get(cur);
		return byId.get(cur).callFrame;
	};
	const entries = new Map();
	const files = new Map();
	const fns = new Map();
	let total = 0;
	let idle = 0;
	for (const [id, us] of self) {
		const f = byId.get(id).callFrame;
		if (f.functionName === "(idle)") {
			idle += us;
			continue;
		}
		total += us;
		const special = /^\(.*\)$/.test(f.functionName) && !f.url;
		const loc = special ? { file: f.functionName, line: 0 } : map(f);
		const pkg = loc.file.startsWith("node_modules/")
			? loc.file
					.split("/")
					.slice(0, loc.file.split("/")[1].startsWith("@") ? 3 : 2)
					.join("/")
			: loc.file;
		files.set(pkg, (files.get(pkg) ?? 0) + us);
		const key = special ? f.functionName : `${f.functionName || "(anonymous)"} ${loc.file}:${loc.line}`;
		fns.set(key, (fns.get(key) ?? 0) + us);
		const e = entryOf(id);
		const eloc = e.url ? map(e) : null;
		const ekey = eloc
			? `${e.functionName || "(anonymous)"} ${eloc.file}:${eloc.line}`
			: e.functionName || "(anonymous)";
		entries.set(ekey, (entries.get(ekey) ?? 0) + us);
	}
	const top = (m, k) =>
		[...m.entries()]
			.sort((a, b) => b[1] - a[1])
			.slice(0, k)
			.map(([name, us]) => ({ name, us, pct: total ? (100 * us) / total : 0 }));
	return { totalUs: total, idleUs: idle, entries: top(entries, 10), files: top(files, 12), functions: top(fns, 15) };
}

export function saveProfiles(dir, label, profiles) {
	const paths = [];
	for (const [id, profile] of Object.entries(profiles)) {
		const path = join(dir, `${label}.${id.replace(/[^a-z0-9]+/gi, "-")}.cpuprofile`);
		writeFileSync(path, JSON.stringify(profile));
		paths.push(path);
	}
	return paths;
}

/**
 * Splits one profile's samples by the functions on their stacks: the first group (in order)
 * whose names include a frame of the sample's stack gets it, else `rest`. Idle samples are
 * dropped; `(program)` and `(garbage collector)` count as `unattributed`. Counts, not µs: the
 * sampler's period varies on a busy machine, but it is the same for every sample of a profile.
 */
export function sampleShares(profile, groups) {
	const byId = new Map(profile.nodes.map((n) => [n.id, n]));
	const parent = new Map();
	for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
	const groupOf = new Map();
	const classify = (id) => {
		if (groupOf.has(id)) return groupOf.get(id);
		const names = [];
		for (let cur = id; cur != null; cur = parent.get(cur)) names.push(byId.get(cur).callFrame.functionName);
		const g = Object.entries(groups).find(([, fns]) => names.some((f) => fns.includes(f)))?.[0] ?? "rest";
		groupOf.set(id, g);
		return g;
	};
	const counts = { unattributed: 0, rest: 0, ...Object.fromEntries(Object.keys(groups).map((g) => [g, 0])) };
	for (const id of profile.samples) {
		const f = byId.get(id).callFrame.functionName;
		if (f === "(idle)" || f === "(root)") continue;
		if (f === "(program)" || f === "(garbage collector)") counts.unattributed++;
		else counts[classify(id)]++;
	}
	return counts;
}
