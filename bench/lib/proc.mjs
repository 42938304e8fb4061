/**
 * CPU accounting from /proc (Linux only): per-process utime+stime of a runner's
 * processes, and machine-wide busy time, so a scenario's CPU cost can be divided by
 * the requests it served.
 */
import { execFileSync } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";

let clockTicks = 100;
try {
	clockTicks = Number(execFileSync("getconf", ["CLK_TCK"], { encoding: "utf8" }).trim()) || 100;
} catch {}

/** {pid, ppid, comm, cpuUs} for one process, or null if it is gone. */
export function procStat(pid) {
	let text;
	try {
		text = readFileSync(`/proc/${pid}/stat`, "utf8");
	} catch {
		return null;
	}
	// comm is in parentheses and may contain spaces: split after the last ')'.
	const close = text.lastIndexOf(")");
	const comm = text.slice(text.indexOf("(") + 1, close);
	const fields = text.slice(close + 2).split(" ");
	// fields[0] is field 3 (state); utime is field 14, stime field 15.
	const ppid = Number(fields[1]);
	const ticks = Number(fields[11]) + Number(fields[12]);
	return { pid: Number(pid), ppid, comm, cpuUs: (ticks * 1e6) / clockTicks };
}

function allProcesses() {
	const out = [];
	for (const name of readdirSync("/proc")) {
		if (!/^\d+$/.test(name)) continue;
		const st = procStat(name);
		if (st) out.push(st);
	}
	return out;
}

/** The process `rootPid` and all its descendants. */
export function processTree(rootPid) {
	const all = allProcesses();
	const children = new Map();
	for (const p of all) {
		if (!children.has(p.ppid)) children.set(p.ppid, []);
		children.get(p.ppid).push(p);
	}
	const root = all.find((p) => p.pid === rootPid);
	const tree = root ? [root] : [];
	for (let i = 0; i < tree.length; i++) tree.push(...(children.get(tree[i].pid) ?? []));
	return tree;
}

/**
 * CPU time (µs) of a runner's processes, grouped: `workerd` (every workerd process in
 * the tree) and `node` (the runner's own Node processes, as listed by `nodePids`
 * or every `node` in the tree). `exclude` drops pids (e.g. the load generator).
 */
export function sampleRunner(rootPid, { exclude = [], nodePids } = {}) {
	const tree = processTree(rootPid).filter((p) => !exclude.includes(p.pid));
	const workerd = tree.filter((p) => p.comm === "workerd");
	const nodes = nodePids ? tree.filter((p) => nodePids.includes(p.pid)) : tree.filter((p) => p.comm === "node");
	return {
		workerdUs: workerd.reduce((s, p) => s + p.cpuUs, 0),
		nodeUs: nodes.reduce((s, p) => s + p.cpuUs, 0),
		workerdPids: workerd.map((p) => p.pid),
	};
}

/** Machine-wide CPU time in µs, busy and total (all cores), from the `cpu` line of /proc/stat. */
export function sampleMachine() {
	const line = readFileSync("/proc/stat", "utf8").split("\n")[0];
	// user nice system idle iowait irq softirq steal (guest time is already in user).
	const v = line.trim().split(/\s+/).slice(1, 9).map(Number);
	const idle = v[3] + (v[4] ?? 0);
	const total = v.reduce((a, b) => a + b, 0);
	const us = (ticks) => (ticks * 1e6) / clockTicks;
	return { busyUs: us(total - idle), totalUs: us(total) };
}

/** Resident memory of one process from /proc/<pid>/status, in MiB: now (VmRSS) and its peak (VmHWM). */
export function procMemory(pid) {
	try {
		const text = readFileSync(`/proc/${pid}/status`, "utf8");
		const kib = (name) => Number(text.match(new RegExp(`^${name}:\\s+(\\d+) kB`, "m"))?.[1] ?? Number.NaN);
		return { pid, rssMiB: kib("VmRSS") / 1024, hwmMiB: kib("VmHWM") / 1024 };
	} catch {
		return null;
	}
}

export function kill(pid, signal) {
	try {
		process.kill(pid, signal);
		return true;
	} catch {
		return false;
	}
}

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
