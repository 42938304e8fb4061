/** What the numbers were measured on. */
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import os from "node:os";

function osName() {
	try {
		const line = readFileSync("/etc/os-release", "utf8")
			.split("\n")
			.find((l) => l.startsWith("PRETTY_NAME="));
		return line ? line.slice("PRETTY_NAME=".length).replace(/^"|"$/g, "") : os.type();
	} catch {
		return os.type();
	}
}

function git(args) {
	try {
		return execFileSync("git", args, { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] }).trim();
	} catch {
		return null;
	}
}

export function machineInfo(root) {
	const cpus = os.cpus();
	const commit = git(["-C", root, "rev-parse", "--short", "HEAD"]);
	const dirty = git(["-C", root, "status", "--porcelain", "--", "src", "migrations", "wrangler.toml"]);
	return {
		cpu: cpus[0]?.model?.trim() ?? "?",
		cores: cpus.length,
		ramGiB: os.totalmem() / 2 ** 30,
		os: `${osName()}, Linux ${os.release()}`,
		arch: os.arch(),
		code: commit
			? `${commit}${dirty ? " + uncommitted changes in src/ (the bench measures the working tree)" : ""}`
			: "?",
	};
}
