// The merchant console in real Chromium against the real worker (one worker for the file): sign in
// with a secret key, create a key (shown once) and revoke it, build an experience → sequence → queue
// from a template, watch the live chart move while consumers enter through the consumer API, change
// the admission rate; the draw and auction live panels show their data. axe-core on every page,
// the session cookie invisible to scripts, no `sk_` in any page but the one that shows a new key once.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { fileURLToPath } from "node:url";
import { apiCaller, axeViolations, offlineBrowser, startWorker } from "./harness.mjs";

const SHOTS = new URL("../../docs/screenshots/", import.meta.url);

let worker;
let browser;
let org;
let page;
const visited = [];
let api;

/** A guest consumer's token (consumer API, with the publishable key). */
async function guest() {
	const res = await api("/consumer/v1/auth/guest", {
		method: "POST",
		headers: { "X-Publishable-Key": org.publishableKey },
	});
	assert.equal(res.status, 201);
	return res.json.accessToken;
}
const shopper = (path, token, body) =>
	api(`/consumer/v1${path}`, {
		method: "POST",
		body,
		headers: { "X-Publishable-Key": org.publishableKey, Authorization: `Bearer ${token}` },
	});

/** axe-core on the current page (evaluated through the DevTools protocol: the page's CSP allows no inline script). */
async function checkPage(name) {
	assert.deepEqual(await axeViolations(page), [], `${name}: accessibility violations`);
	visited.push({ name, html: await page.content() });
	const local = await page.evaluate(() => JSON.stringify({ ...localStorage }) + JSON.stringify({ ...sessionStorage }));
	assert.doesNotMatch(local, /sk_/, `${name}: a secret in web storage`);
	assert.doesNotMatch(
		await page.evaluate(() => document.cookie),
		/fanfare_console/,
		`${name}: session cookie readable by scripts`,
	);
}

/** Rewrites docs/screenshots only when asked (`SCREENSHOTS=1 npm run test:browser`): a test run leaves the tree clean. */
const shot = async (name) => {
	if (!process.env.SCREENSHOTS) return;
	await page.screenshot({ path: fileURLToPath(new URL(`console-${name}.png`, SHOTS)), fullPage: true });
};

before(async () => {
	worker = await startWorker();
	api = apiCaller(worker.url);
	browser = await offlineBrowser(worker.url);
	const res = await api("/platform/v1/organizations", {
		key: worker.secrets.PLATFORM_ADMIN_TOKEN,
		body: { name: "Browser shop", defaultTimeZone: "America/New_York" },
	});
	assert.equal(res.status, 201);
	org = { secretKey: res.json.secretKey.key, publishableKey: res.json.publishableKey.key };
	page = await browser.context.newPage();
	await page.setViewportSize({ width: 1280, height: 900 });
});
after(async () => {
	await browser?.close();
	await worker?.stop();
});

test("signs in with a secret key: HttpOnly session, the key in no page", async () => {
	await page.goto(`${worker.url}/console`);
	assert.match(page.url(), /\/console\/sign-in/);
	await checkPage("sign-in");
	await shot("sign-in");
	await page.getByLabel("Secret key").fill("sk_live_wrong");
	await page.getByRole("button", { name: "Sign in" }).click();
	await page.getByText("That is not a live secret key").waitFor();
	await page.getByLabel("Secret key").fill(org.secretKey);
	await page.getByRole("button", { name: "Sign in" }).click();
	await page.getByRole("heading", { name: "Experiences" }).waitFor();
	const cookies = await browser.context.cookies();
	const session = cookies.find((c) => c.name === "fanfare_console");
	assert.ok(session?.httpOnly, "HttpOnly session cookie");
	assert.equal(session.sameSite, "Strict");
	await checkPage("experiences");
});

test("Settings > API Keys: creates a key shown once, then revokes it", async () => {
	await page.getByRole("link", { name: "Settings > API Keys" }).click();
	await checkPage("api-keys");
	await page.getByLabel("Name").fill("Browser key");
	await page.getByRole("button", { name: "Create key" }).click();
	const key = await page.locator("#new-key").inputValue();
	assert.match(key, /^sk_live_[A-Za-z0-9]{32}$/);
	await shot("api-keys");
	// Shown once: the list page never has it again.
	await page.goto(`${worker.url}/console/settings/api-keys`);
	assert.ok(!(await page.content()).includes(key));
	await checkPage("api-keys-after");
	await page.getByRole("button", { name: "Revoke Browser key" }).click();
	await page.getByRole("heading", { name: "Live keys" }).waitFor();
	assert.equal(await page.getByRole("button", { name: "Revoke Browser key" }).count(), 0);
	assert.equal((await api("/api/v1/products", { key })).status, 401);
});

let sequenceUrl;
test("creates an experience, a sequence and a queue from its template; the live chart moves; the rate changes", async () => {
	await page.goto(`${worker.url}/console/experiences`);
	await page.getByLabel("Name").fill("Winter launch");
	await page.getByRole("button", { name: "Create experience" }).click();
	await page.getByLabel("Name").fill("Main drop");
	await page.getByRole("button", { name: "Create sequence" }).click();
	sequenceUrl = page.url();
	await checkPage("sequence");
	await shot("sequence");
	await page.getByRole("button", { name: "Create queue" }).click();
	await page.getByRole("button", { name: "Open now" }).click();
	await page.locator("#status", { hasText: "OPEN" }).waitFor();
	await checkPage("queue");
	const queueId = page.url().split("/").pop();
	await page.getByRole("link", { name: "Live launch view" }).click();
	await page.locator("#live[data-ticks]").waitFor();
	// Consumers enter through the consumer API while the page polls.
	for (let i = 0; i < 12; i++) assert.equal((await shopper(`/queues/${queueId}/enter`, await guest())).status, 200);
	await page.waitForFunction(
		() =>
			Number(document.querySelector('[data-count="admitted"]')?.textContent) +
				Number(document.querySelector('[data-count="queued"]')?.textContent) >=
			12,
		null,
		{ timeout: 30_000 },
	);
	await page.waitForFunction(() => Number(document.getElementById("live").dataset.points) >= 3, null, {
		timeout: 30_000,
	});
	assert.equal(await page.locator("#chart canvas").count(), 1);
	await checkPage("live-queue");
	await page.getByLabel("Outflow (admissions per minute)").fill("250");
	await page.getByRole("button", { name: "Set rate" }).click();
	await page.waitForFunction(() => document.getElementById("live").dataset.rate === "250", null, { timeout: 10_000 });
	assert.equal((await api(`/api/v1/queues/${queueId}`, { key: org.secretKey })).json.admissionRate, 250);
	await shot("live-queue");
});

test("a draw's live panel shows its entries", async () => {
	await page.goto(sequenceUrl);
	await page.getByRole("button", { name: "Create draw" }).click();
	await page.getByRole("button", { name: "Open now" }).click();
	await page.locator("#status", { hasText: "OPEN" }).waitFor();
	const drawId = page.url().split("/").pop();
	for (let i = 0; i < 3; i++) assert.equal((await shopper(`/draws/${drawId}/enter`, await guest())).status, 200);
	await page.getByRole("link", { name: "Live launch view" }).click();
	await page.locator("#entry-count", { hasText: "3 entries" }).waitFor({ timeout: 15_000 });
	assert.equal(await page.locator("#entries tbody tr").count(), 3);
	await checkPage("live-draw");
	await shot("live-draw");
});

test("an auction's live panel shows its bids and price", async () => {
	await page.goto(sequenceUrl);
	await page.getByRole("button", { name: "Create auction" }).click();
	await page.getByRole("button", { name: "Open now" }).click();
	await page.locator("#status", { hasText: "OPEN" }).waitFor();
	const auctionId = page.url().split("/").pop();
	const bid = await shopper(`/auctions/${auctionId}/bids`, await guest(), { amount: 100 });
	assert.ok(bid.status === 200 || bid.status === 201, JSON.stringify(bid.json));
	assert.equal((await shopper(`/auctions/${auctionId}/bids`, await guest(), { amount: 110 })).status, bid.status);
	await page.getByRole("link", { name: "Live launch view" }).click();
	await page.locator("#price", { hasText: "110" }).waitFor({ timeout: 15_000 });
	assert.equal(await page.locator("#bids tbody tr").count(), 2);
	await checkPage("live-auction");
	await shot("live-auction");
});

test("no page a merchant opened holds a secret key, but the one showing a new key once", () => {
	for (const { name, html } of visited) assert.doesNotMatch(html, /sk_live_[A-Za-z0-9]{32}/, name);
	assert.deepEqual(browser.blocked, []);
});
