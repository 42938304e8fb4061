/**
 * The hosted shopper page `/w/:id` as the server renders it: the experience's theme (colours,
 * logo, texts and their translations), escaping of merchant text, the strict CSP, tenancy, and
 * the theme's validation on the experiences API. What the page does live is in the browser tests.
 */
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { createDistribution } from "../support/distributions";
import { call, createOrg, launch, type TestOrg } from "../support/helpers";
import { expectFieldError } from "../support/problems";

const THEME = {
	logoUrl: "https://shop.example.com/logo.svg",
	primaryColor: "#aa0033",
	backgroundColor: "#fafafa",
	textColor: "#222222",
	headline: "The Spring Drop",
	message: "Fifty pairs, one per person.",
	translations: { de: { headline: "Der Frühlings-Drop" } },
};

async function themedQueue(org: TestOrg, theme: unknown = THEME) {
	const { sequenceId } = await launch(org, { theme });
	return createDistribution({ ...org, sequenceId }, "queue", { name: "Spring queue" });
}

const page = (org: TestOrg, id: string, query = "", headers: Record<string, string> = {}) =>
	call(`/w/${id}?key=${encodeURIComponent(org.publishableKey)}${query}`, { headers });

describe("GET /w/:id — the experience's theme", () => {
	it("renders the colours, logo, headline and message the merchant stored", async () => {
		const org = await createOrg();
		const queue = await themedQueue(org);
		const res = await page(org, queue.id);
		expect(res.status, res.text).toBe(200);
		expect(res.headers.get("Content-Type")).toMatch(/^text\/html/);
		expect(res.text).toContain("--fanfare-accent: #aa0033;");
		expect(res.text).toContain("--fanfare-bg: #fafafa;");
		expect(res.text).toContain("--fanfare-text: #222222;");
		expect(res.text).toContain('<img class="logo" src="https://shop.example.com/logo.svg"');
		expect(res.text).toMatch(/<h1>The Spring Drop<\/h1>/);
		expect(res.text).toContain('<p class="message">Fifty pairs, one per person.</p>');
		expect(res.text).not.toContain(org.secretKey);
	});

	it("uses the translation for the page's language, the defaults for what it leaves out", async () => {
		const org = await createOrg();
		const queue = await themedQueue(org);
		const de = await page(org, queue.id, "&lang=de");
		expect(de.text).toMatch(/<html lang="de">/);
		expect(de.text).toMatch(/<h1>Der Frühlings-Drop<\/h1>/);
		expect(de.text).toContain("Fifty pairs, one per person.");
		const byHeader = await page(org, queue.id, "", { "Accept-Language": "de-AT,de;q=0.9" });
		expect(byHeader.text).toMatch(/<h1>Der Frühlings-Drop<\/h1>/);
		const fr = await page(org, queue.id, "&lang=fr");
		expect(fr.text).toMatch(/<h1>The Spring Drop<\/h1>/);
	});

	it("falls back to the default look and the distribution's name without a theme", async () => {
		const org = await createOrg();
		const { sequenceId } = await launch(org);
		const queue = await createDistribution({ ...org, sequenceId }, "queue", { name: "Plain queue" });
		const res = await page(org, queue.id);
		expect(res.status).toBe(200);
		expect(res.text).toContain("--fanfare-accent: #1d4ed8;");
		expect(res.text).toMatch(/<h1>Plain queue<\/h1>/);
		expect(res.text).not.toContain('class="logo"');
		expect(res.text).not.toContain('class="message"');
	});

	it("escapes the merchant's texts: a headline cannot inject markup", async () => {
		const org = await createOrg();
		const queue = await themedQueue(org, {
			headline: `<script>alert(1)</script>`,
			message: `"><img src=x onerror=alert(1)>`,
		});
		const res = await page(org, queue.id);
		expect(res.text).toContain("&lt;script&gt;alert(1)&lt;/script&gt;");
		expect(res.text).toContain("&quot;&gt;&lt;img src=x onerror=alert(1)&gt;");
		expect(res.text).not.toContain("<script>alert(1)");
	});

	it("follows a theme change at once and drops it when it is set to null", async () => {
		const org = await createOrg();
		const { experienceId, sequenceId } = await launch(org, { theme: THEME });
		const queue = await createDistribution({ ...org, sequenceId }, "queue", {});
		const put = (theme: unknown) =>
			call(`/api/v1/experiences/${experienceId}`, { key: org.secretKey, method: "PUT", body: { theme } });
		const changed = await put({ primaryColor: "#00aa55" });
		expect(changed.status, changed.text).toBe(200);
		expect(changed.json.theme).toEqual({ primaryColor: "#00aa55" });
		expect((await page(org, queue.id)).text).toContain("--fanfare-accent: #00aa55;");
		const cleared = await put(null);
		expect(cleared.json.theme).toBeNull();
		expect((await page(org, queue.id)).text).toContain("--fanfare-accent: #1d4ed8;");
	});

	it("carries a strict CSP: images may be https (the logo), scripts only this origin with the nonce", async () => {
		const org = await createOrg();
		const queue = await themedQueue(org);
		const res = await page(org, queue.id);
		const csp = res.headers.get("Content-Security-Policy") ?? "";
		expect(csp).toContain("default-src 'none'");
		expect(csp).toMatch(/img-src 'self' data: https:/);
		expect(csp).toMatch(/script-src 'self' 'nonce-[A-Za-z0-9+/=]+'/);
	});

	it("loads Cloudflare Turnstile's script (and allows its frame) only on a Turnstile launch's page", async () => {
		const org = await createOrg();
		const put = await call("/api/v1/organization/turnstile", {
			key: org.secretKey,
			method: "PUT",
			body: { siteKey: "1x00000000000000000000AA", secret: "1x0000000000000000000000000000000AA" },
		});
		expect(put.status, put.text).toBe(200);
		const { sequenceId } = await launch(org, {}, { protection: { challenge: "turnstile" } });
		const draw = await createDistribution({ ...org, sequenceId }, "draw", {
			drawAt: new Date(Date.now() + 86_400_000).toISOString(),
			winnerCount: 1,
		});
		const res = await page(org, draw.id);
		expect(res.status, res.text).toBe(200);
		expect(res.text).toMatch(
			/<script src="[^"]+\/turnstile\/v0\/api\.js\?render=explicit" nonce="[^"]+" async><\/script>/,
		);
		expect(res.text).not.toContain("1x0000000000000000000000000000000AA");
		const csp = res.headers.get("Content-Security-Policy") ?? "";
		expect(csp).toMatch(new RegExp(`script-src 'self' 'nonce-[^']+' ${new URL(env.TURNSTILE_SCRIPT_URL).origin}`));
		expect(csp).toContain(`frame-src ${new URL(env.TURNSTILE_SCRIPT_URL).origin}`);
		const plain = await themedQueue(org);
		const other = await page(org, plain.id);
		expect(other.text).not.toContain("api.js");
		expect(other.headers.get("Content-Security-Policy")).not.toContain("frame-src");
	});

	it("shows another organization's distribution to no one: 404 with its own key", async () => {
		const owner = await createOrg();
		const other = await createOrg();
		const queue = await themedQueue(owner);
		const res = await page(other, queue.id);
		expect(res.status).toBe(404);
		expect(res.text).not.toContain("The Spring Drop");
	});
});

describe("theme on the experiences API", () => {
	const BAD: [string, Record<string, unknown>, string][] = [
		["a colour that is not #rrggbb", { primaryColor: "red" }, "theme.primaryColor"],
		["a CSS injection in a colour", { textColor: "#fff;}body{display:none" }, "theme.textColor"],
		["a logo over http", { logoUrl: "http://shop.example.com/logo.png" }, "theme.logoUrl"],
		["a javascript: logo", { logoUrl: "javascript:alert(1)" }, "theme.logoUrl"],
		["an empty headline", { headline: "  " }, "theme.headline"],
		["a message over 500 characters", { message: "x".repeat(501) }, "theme.message"],
		["a language the page does not speak", { translations: { xx: { headline: "Hi" } } }, "theme.translations.xx"],
		["an unknown field", { font: "Comic Sans" }, "theme.font"],
	];

	for (const [what, theme, path] of BAD) {
		it(`refuses ${what} (400, nothing stored)`, async () => {
			const org = await createOrg();
			const res = await call("/api/v1/experiences", { key: org.secretKey, body: { name: "Bad", theme } });
			expectFieldError(res, path);
			const list = await call("/api/v1/experiences", { key: org.secretKey });
			expect(list.json.data).toEqual([]);
		});
	}
});
