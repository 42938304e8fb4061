#!/usr/bin/env node
// The browser suites drive the system's Chromium (Debian's `chromium` package) through
// playwright-core; Playwright's own browser download does not work on these machines. A fresh
// machine has no Chromium: as root with apt-get, this installs it once; otherwise it says how.
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { pathToFileURL } from "node:url";

export const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";

export function ensureChromium(log = (line) => console.error(line)) {
	if (existsSync(CHROMIUM)) return CHROMIUM;
	const root = process.getuid?.() === 0;
	const apt = spawnSync("sh", ["-c", "command -v apt-get"], { encoding: "utf8" }).status === 0;
	if (!root || !apt) {
		throw new Error(
			`No Chromium at ${CHROMIUM}. Install Debian's package (as root: apt-get update && apt-get install -y chromium) or set CHROMIUM_PATH.`,
		);
	}
	log("browser tests: installing Chromium (apt-get install chromium), once…");
	for (const args of [
		["update", "-qq"],
		["install", "-y", "-qq", "chromium"],
	]) {
		const r = spawnSync("apt-get", args, {
			stdio: ["ignore", "ignore", "inherit"],
			env: { ...process.env, DEBIAN_FRONTEND: "noninteractive" },
		});
		if (r.status !== 0) throw new Error(`apt-get ${args.join(" ")} failed (${r.status ?? r.signal})`);
	}
	if (!existsSync(CHROMIUM)) throw new Error(`apt-get installed chromium, but not at ${CHROMIUM}`);
	return CHROMIUM;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) console.log(ensureChromium());
