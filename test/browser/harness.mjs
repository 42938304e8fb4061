// The browser suites' fixtures: the real worker (`wrangler dev` from wrangler.toml, as
// `npm run dev` runs it, on a fresh migrated local D1) and headless Chromium with every request that leaves
// the worker's origin refused and recorded, so a page proven here works with no network.
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
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

/** `call(path, {key, body, method, headers})` against `baseUrl`: status, parsed JSON (or undefined), text, headers. */
export function apiCaller(baseUrl) {
	return async (path, { key, body, method, headers = {} } = {}) => {
		const res = await fetch(`${baseUrl}${path}`, {
			method: method ?? (body ? "POST" : "GET"),
			headers: {
				...(key ? { Authorization: `Bearer ${key}` } : {}),
				...(body ? { "Content-Type": "application/json" } : {}),
				...headers,
			},
			body: body ? JSON.stringify(body) : undefined,
		});
		const text = await res.text();
		let json;
		try {
			json = JSON.parse(text);
		} catch {}
		return { status: res.status, json, text, headers: res.headers };
	};
}

const AXE = readFileSync(createRequire(import.meta.url).resolve("axe-core/axe.min.js"), "utf8");

/** axe-core's serious and critical violations on the page (evaluated through DevTools: the CSP allows no inline script). */
export async function axeViolations(page) {
	await page.evaluate(AXE);
	return page.evaluate(async () => {
		const r = await globalThis.axe.run(document, { resultTypes: ["violations"] });
		return r.violations
			.filter((v) => v.impact === "serious" || v.impact === "critical")
			.map((v) => ({ id: v.id, help: v.help, nodes: v.nodes.map((n) => n.target.join(" ")) }));
	});
}

/** A new page of `context` at `url` that records script errors and CSP refusals in `page.problems`. */
export async function openPage(context, url) {
	const page = await context.newPage();
	page.problems = [];
	page.on("pageerror", (err) => page.problems.push(err.message));
	page.on("console", (m) => {
		if (/Content Security Policy|Refused to/.test(m.text())) page.problems.push(m.text());
	});
	const res = await page.goto(url, { waitUntil: "load" });
	return { page, res };
}
