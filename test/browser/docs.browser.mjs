// `/docs` works offline: in headless Chromium that may reach only the local worker, the API
// reference renders its operations from /openapi.json (a CDN-hosted bundle shows a blank page).
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { offlineBrowser, startWorker } from "./harness.mjs";

let worker;
let browser;
before(async () => {
	worker = await startWorker();
	browser = await offlineBrowser(worker.url);
});
after(async () => {
	await browser?.close();
	await worker?.stop();
});

test("GET /docs renders the API reference with no network", async () => {
	const page = await browser.context.newPage();
	const errors = [];
	page.on("pageerror", (err) => errors.push(err.message));
	const res = await page.goto(`${worker.url}/docs`, { waitUntil: "load" });
	assert.equal(res?.status(), 200);
	// Operation summaries come from the document the page fetched itself.
	await page.getByRole("heading", { name: "fanfare-edge API" }).first().waitFor({ timeout: 30_000 });
	await page.getByText("Create an organization and its first keys").first().waitFor({ timeout: 10_000 });
	for (const group of ["Products", "Queues", "Consumer: draws"]) {
		await page.getByText(group, { exact: true }).first().waitFor({ timeout: 5_000 });
	}
	const scripts = await page.$$eval("script[src]", (els) => els.map((e) => e.src));
	for (const src of scripts) assert.equal(new URL(src).origin, worker.url, src);
	assert.deepEqual(errors, []);
	// Whatever the bundle would have fetched from elsewhere (fonts, telemetry) was refused, and it rendered anyway.
	if (browser.blocked.length) console.log(`refused (offline): ${browser.blocked.join(", ")}`);
});
