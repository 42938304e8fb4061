// The browser suites' fixtures: the real worker (`wrangler dev` from wrangler.toml, as
// `npm run dev` runs it, on a fresh migrated local D1) and headless Chromium with every request that leaves
// the worker's origin refused and recorded, so a page proven here works with no network.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium } from "playwright-core";
import { prepare, startWranglerDev } from "../../bench/lib/runners.mjs";
import { copyDocsAssets } from "../../scripts/docs-assets.mjs";
import { ensureChromium } from "../../scripts/ensure-chromium.mjs";

/** The worker on 127.0.0.1 (`vars`: extra --var values, e.g. the dev beacon's); `stop()` ends it and removes its state. */
export async function startWorker({ vars } = {}) {
	copyDocsAssets();
	const runDir = mkdtempSync(join(tmpdir(), "fanfare-browser-"));
	const prep = prepare(runDir, () => {});
	const runner = await startWranglerDev(prep, { fromSource: true, vars });
	return {
		url: runner.url,
		secrets: prep.secrets,
		async stop() {
			await runner.stop();
			rmSync(runDir, { recursive: true, force: true });
		},
	};
}

/** Headless Chromium; each page it opens may reach `origin` (and `allow`'s origins) only. `blocked` lists what was refused. */
export async function offlineBrowser(origin, { allow = [] } = {}) {
	const browser = await chromium.launch({
		executablePath: ensureChromium(),
		args: ["--no-sandbox", "--disable-background-networking"],
	});
	const context = await browser.newContext();
	const blocked = [];
	await context.route("**/*", (route) => {
		const url = route.request().url();
		const to = new URL(url).origin;
		if (to === origin || allow.includes(to)) return route.continue();
		blocked.push(url);
		return route.abort("internetdisconnected");
	});
	return { browser, context, blocked, close: () => browser.close() };
}
