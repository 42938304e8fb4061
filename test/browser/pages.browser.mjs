// The hosted shopper pages (/w/:id) and the storefront widgets (/widget.js) in headless Chromium
// against the real worker (`wrangler dev`, fresh D1, draws on the local dev beacon): a shopper
// waits, watches its position fall and is redirected to the merchant's checkout with a valid
// grant; a second tab gets no second place; a draw entrant sees its result and the in-browser
// verifier says VERIFIED (and NOT VERIFIED for a tampered proof); a bidder is outbid and sees the
// soft-close extension live; a widget on a plain merchant page (another origin) fires
// fanfare-admitted. Each page passes axe-core (no serious/critical) and is screenshotted.
import assert from "node:assert/strict";
import { mkdirSync } from "node:fs";
import { createServer } from "node:http";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { fileURLToPath } from "node:url";
import { newBeaconSecret, startDevBeacon } from "../../scripts/beacon-process.mjs";
import { apiCaller, axeViolations, offlineBrowser, openPage as openIn, startWorker } from "./harness.mjs";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const SHOTS = join(ROOT, "docs", "screenshots");
const VIEWPORTS = { phone: { width: 390, height: 844 }, desktop: { width: 1280, height: 800 } };
const iso = (ms) => new Date(ms).toISOString();

let beacon;
let worker;
let browser;
let merchant;
let merchantUrl;
let org;
let sequenceId;
let call;
const openPage = (url) => openIn(browser.context, url);

/** A consumer that is not the browser's: a guest session through the API. */
async function guest() {
	const g = await call("/consumer/v1/auth/guest", { method: "POST", headers: { "X-Publishable-Key": org.pk } });
	assert.equal(g.status, 201, g.text);
	return (path, body) =>
		call(path, { method: "POST", key: g.json.accessToken, headers: { "X-Publishable-Key": org.pk }, body });
}

async function axe(page, name) {
	assert.deepEqual(await axeViolations(page), [], `${name}: axe violations`);
}

/** Rewrites docs/screenshots only when asked (`SCREENSHOTS=1 npm run test:browser`): a test run leaves the tree clean. */
async function screenshots(page, name) {
	if (!process.env.SCREENSHOTS) return;
	mkdirSync(SHOTS, { recursive: true });
	for (const [label, size] of Object.entries(VIEWPORTS)) {
		await page.setViewportSize(size);
		await page.screenshot({ path: join(SHOTS, `${name}-${label}.png`), fullPage: true });
	}
	await page.setViewportSize(VIEWPORTS.desktop);
}

/** On a phone's width nothing runs off the screen (a long hash or id wraps inside its card). */
async function fitsPhone(page, name) {
	await page.setViewportSize(VIEWPORTS.phone);
	const { scrollWidth, innerWidth } = await page.evaluate(() => ({
		scrollWidth: document.documentElement.scrollWidth,
		innerWidth: window.innerWidth,
	}));
	await page.setViewportSize(VIEWPORTS.desktop);
	assert.ok(scrollWidth <= innerWidth, `${name}: the page is ${scrollWidth} px wide on a ${innerWidth} px phone`);
}

before(async () => {
	beacon = await startDevBeacon({ secretKey: newBeaconSecret(), period: 1 });
	worker = await startWorker({ vars: { ...beacon.vars, DRAW_SEAL_MARGIN_MS: "1000" } });
	call = apiCaller(worker.url);
	// The merchant: its checkout page and a plain storefront page embedding a widget, on another origin.
	merchant = createServer((req, res) => {
		const url = new URL(req.url, "http://x");
		res.setHeader("Content-Type", "text/html; charset=utf-8");
		if (url.pathname === "/checkout") {
			res.end(`<!doctype html><html lang="en"><title>Checkout</title><h1>Merchant checkout</h1>`);
		} else if (url.pathname === "/shop") {
			const id = url.searchParams.get("queue");
			res.end(`<!doctype html><html lang="en"><head><title>Shop</title>
<script type="module" src="${worker.url}/widget.js"></script></head><body><main><h1>Sneaker drop</h1>
<fanfare-queue distribution="${id}" publishable-key="${org.pk}" base-url="${worker.url}"></fanfare-queue>
<script>document.addEventListener("fanfare-admitted", (e) => { window.admitted = e.detail; });</script>
</main></body></html>`);
		} else {
			res.statusCode = 404;
			res.end("not found");
		}
	});
	await new Promise((r) => merchant.listen(0, "127.0.0.1", r));
	merchantUrl = `http://127.0.0.1:${merchant.address().port}`;
	browser = await offlineBrowser(worker.url, { allow: [merchantUrl] });

	const created = await call("/platform/v1/organizations", {
		key: worker.secrets.PLATFORM_ADMIN_TOKEN,
		body: { name: "Pages Org", defaultTimeZone: "UTC" },
	});
	assert.equal(created.status, 201, created.text);
	org = { sk: created.json.secretKey.key, pk: created.json.publishableKey.key };
	const exp = await call("/api/v1/experiences", {
		key: org.sk,
		body: { name: "Sneaker drop", checkoutUrl: `${merchantUrl}/checkout` },
	});
	assert.equal(exp.status, 201, exp.text);
	const seq = await call(`/api/v1/experiences/${exp.json.id}/sequences`, { key: org.sk, body: { name: "Main" } });
	sequenceId = seq.json.id;
});

after(async () => {
	await browser?.close();
	await worker?.stop();
	await beacon?.stop();
	merchant?.close();
});

async function openQueue() {
	const now = Date.now();
	const q = await call("/api/v1/queues", {
		key: org.sk,
		body: { sequenceId, name: "Air Max queue", openAt: iso(now - 1000), closeAt: iso(now + 3_600_000) },
	});
	assert.equal(q.status, 201, q.text);
	return q.json.id;
}

test("queue page: position falls, a second tab gets no second place, admission redirects to checkout with a valid grant", async () => {
	const id = await openQueue();
	for (let i = 0; i < 2; i++) assert.equal((await (await guest())(`/consumer/v1/queues/${id}/enter`)).status, 200);
	const { page, res } = await openPage(`${worker.url}/w/${id}?key=${org.pk}`);
	assert.equal(res.status(), 200);
	const csp = res.headers()["content-security-policy"];
	assert.match(csp, /script-src 'self' 'nonce-[^']+'/);
	assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval/);
	assert.ok(!(await page.content()).includes(org.sk), "no secret key on the page");
	const position = page.getByTestId("position");
	await position.filter({ hasText: "3" }).waitFor({ timeout: 20_000 });
	await page.getByText("Don't refresh").waitFor();
	await screenshots(page, "queue");
	await fitsPhone(page, "queue");
	await axe(page, "queue");

	const second = await browser.context.newPage();
	await second.goto(`${worker.url}/w/${id}?key=${org.pk}`);
	await second.getByText("already waiting in another tab").waitFor({ timeout: 10_000 });
	await second.close();

	assert.equal((await call(`/api/v1/queues/${id}/admit`, { key: org.sk, body: { count: 1 } })).status, 200);
	await position.filter({ hasText: "2" }).waitFor({ timeout: 20_000 });
	assert.equal((await call(`/api/v1/queues/${id}/admit`, { key: org.sk, body: { count: 2 } })).status, 200);
	await page.getByText("It's your turn!").waitFor({ timeout: 20_000 });
	await page.waitForURL(`${merchantUrl}/checkout?**`, { timeout: 20_000 });
	const landed = new URL(page.url());
	const token = landed.searchParams.get("admissionToken");
	assert.equal(landed.searchParams.get("distributionId"), id);
	const valid = await call("/api/v1/admissions/validate", { key: org.sk, body: { token } });
	assert.equal(valid.status, 200, valid.text);
	assert.equal(valid.json.valid, true, valid.text);
	assert.deepEqual(page.problems, []);
	await page.close();
});

test("queue page in German by Accept-Language or ?lang=, and clear errors for a bad key or id", async () => {
	const id = await openQueue();
	const res = await call(`/w/${id}?key=${org.pk}&lang=de`);
	assert.equal(res.status, 200);
	assert.match(res.text, /<html lang="de">/);
	const viaHeader = await call(`/w/${id}?key=${org.pk}`, { headers: { "Accept-Language": "de-CH,de;q=0.9" } });
	assert.match(viaHeader.text, /lang="de"/);
	assert.equal((await call(`/w/${id}`)).status, 401);
	assert.equal((await call(`/w/${id}?key=${org.sk}`)).status, 403);
	assert.equal((await call(`/w/queue_00000000000000000000000000?key=${org.pk}`)).status, 404);
	const bad = await call(`/w/%3Cscript%3E?key=${org.pk}`);
	assert.equal(bad.status, 404);
	assert.doesNotMatch(bad.text, /<script>/);
});

test("draw page: enter, the result, and the in-browser verifier says VERIFIED (NOT VERIFIED for a tampered proof)", async () => {
	const now = Date.now();
	const draw = await call("/api/v1/draws", {
		key: org.sk,
		body: {
			sequenceId,
			name: "Jordan draw",
			openAt: iso(now - 1000),
			closeAt: iso(now + 6000),
			drawAt: iso(now + 6000),
			winnerCount: 1,
		},
	});
	assert.equal(draw.status, 201, draw.text);
	const id = draw.json.id;
	for (let i = 0; i < 3; i++) assert.equal((await (await guest())(`/consumer/v1/draws/${id}/enter`)).status, 200);
	const { page } = await openPage(`${worker.url}/w/${id}?key=${org.pk}`);
	await page.getByRole("button", { name: "Enter the draw" }).click();
	await page.getByText("You're in the draw.").waitFor({ timeout: 10_000 });
	await page.locator("[data-state=won], [data-state=lost]").first().waitFor({ timeout: 40_000 });
	await page.getByRole("button", { name: "Verify this draw" }).click();
	const verdict = page.getByTestId("verdict");
	await verdict.waitFor({ timeout: 30_000 });
	assert.equal(await verdict.textContent(), "VERIFIED");
	assert.equal(await page.locator("li[data-ok=false]").count(), 0);
	assert.ok((await page.locator("li[data-ok=true]").count()) >= 4, "every check is listed");
	await screenshots(page, "draw");
	await fitsPhone(page, "draw");
	await axe(page, "draw");

	// A proof whose winner was swapped for another entrant: the browser's verifier refuses it.
	const proof = (await call(`/consumer/v1/draws/${id}/proof`, { headers: { "X-Publishable-Key": org.pk } })).json;
	const log = (await call(`/consumer/v1/draws/${id}/log`, { headers: { "X-Publishable-Key": org.pk } })).json;
	const loser = log.records.find((r) => r.type === "enter" && !proof.winners.includes(r.entryId)).entryId;
	await page.route("**/consumer/v1/draws/*/proof", (route) =>
		route.fulfill({ json: { ...proof, winners: [loser] }, headers: { "Access-Control-Allow-Origin": "*" } }),
	);
	await page.getByRole("button", { name: "Verify this draw" }).click();
	await verdict.filter({ hasText: "NOT VERIFIED" }).waitFor({ timeout: 30_000 });
	assert.ok((await page.locator("li[data-ok=false]").count()) >= 1);
	assert.deepEqual(page.problems, []);
	await page.close();
});

test("auction page: a bidder is outbid and sees the soft-close extension live", async () => {
	const now = Date.now();
	const auction = await call("/api/v1/auctions", {
		key: org.sk,
		body: {
			sequenceId,
			name: "Signed jersey",
			openAt: iso(now - 1000),
			closeAt: iso(now + 300_000),
			settleAt: iso(now + 300_000),
			startingBid: 10,
			minimumIncrement: 1,
			softCloseSeconds: 600,
			buyNowPrice: 500,
		},
	});
	assert.equal(auction.status, 201, auction.text);
	const id = auction.json.id;
	const { page } = await openPage(`${worker.url}/w/${id}?key=${org.pk}`);
	await page.getByLabel("Your bid").fill("12");
	await page.getByRole("button", { name: "Place bid" }).click();
	await page.getByText("You are the highest bidder.").waitFor({ timeout: 10_000 });
	await screenshots(page, "auction");
	await fitsPhone(page, "auction");
	await axe(page, "auction");
	const rival = await guest();
	const placed = await rival(`/consumer/v1/auctions/${id}/bids`, { amount: 20 });
	assert.equal(placed.status, 200, placed.text);
	await page.getByText("You have been outbid.").waitFor({ timeout: 20_000 });
	await page.locator("[data-state=extended]").waitFor({ timeout: 20_000 });
	await page.getByTestId("price").filter({ hasText: "20" }).waitFor({ timeout: 10_000 });
	assert.deepEqual(page.problems, []);
	await page.close();
});

test("widget on a plain merchant page (another origin) fires fanfare-admitted with the checkout URL and grant", async () => {
	const id = await openQueue();
	const { page } = await openPage(`${merchantUrl}/shop?queue=${id}`);
	await page.getByTestId("position").filter({ hasText: "1" }).waitFor({ timeout: 20_000 });
	assert.equal((await call(`/api/v1/queues/${id}/admit`, { key: org.sk, body: { count: 1 } })).status, 200);
	await page.waitForFunction(() => window.admitted, null, { timeout: 20_000 });
	const detail = await page.evaluate(() => window.admitted);
	assert.equal(detail.distributionId, id);
	assert.ok(detail.grant, "the grant");
	assert.ok(detail.checkoutUrl.startsWith(`${worker.url}/consumer/v1/checkout/${id}?`), detail.checkoutUrl);
	const valid = await call("/api/v1/admissions/validate", { key: org.sk, body: { token: detail.grant } });
	assert.equal(valid.json?.valid, true, valid.text);
	assert.equal(page.url().startsWith(`${merchantUrl}/shop`), true, "the widget does not navigate by itself");
	await page.close();
});
