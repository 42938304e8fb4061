/**
 * `GET /w/:distributionId?key=pk_…`: the hosted shopper page of a queue, draw or auction.
 * Server-rendered with the distribution's name, times and status and the experience's theme;
 * the live part is the matching storefront widget from /widget.js (same origin), so the hosted
 * page and a merchant's own page behave alike. Only the publishable key is ever on the page.
 * Language: `?lang=` then Accept-Language (en, de, fr). Errors are HTML pages with the status.
 */
import { Hono } from "hono";
import { themeFor } from "../../experiences/experiences/theme";
import type { ConsumerEnv } from "../../http/env";
import { publishableKeyAuth } from "../../http/middleware/consumer-auth";
import { ApiError } from "../../http/problems";
import { type CspSources, pageCsp } from "../common/csp";
import { pickLang, strings, t } from "../common/i18n";
import { type Html, html, layout } from "../common/layout";
import { shopperTarget } from "./repo";

type PageEnv = ConsumerEnv & { Variables: ConsumerEnv["Variables"] & { nonce: string; cspSources?: CspSources } };

const ID = /^(queue|draw|auction)_[0-9A-Za-z]{10,40}$/;

export const shopperPages = new Hono<PageEnv>();

// blob: workers: the SDK solves a proof-of-work challenge off the main thread (src/sdk/challenges.ts).
shopperPages.use("/w/*", pageCsp({ workerSrc: ["blob:"] }));

shopperPages.onError((err, c) => {
	const status = err instanceof ApiError ? err.status : 500;
	const s = strings(pickLang(c.req.query("lang"), c.req.header("Accept-Language")));
	const message = err instanceof ApiError ? (err.detail ?? err.title) : "Internal error";
	c.header("Content-Type", "text/html; charset=utf-8");
	return c.body(
		layout({
			lang: "en",
			title: err instanceof ApiError ? err.title : "Error",
			nonce: c.get("nonce") ?? "",
			footer: s.poweredBy,
			body: html`<p class="state" role="alert">${message}</p>`,
		}),
		status as 400,
	);
});

shopperPages.get("/w/:distributionId", publishableKeyAuth, async (c) => {
	const id = c.req.param("distributionId");
	if (!ID.test(id)) throw new ApiError(404, "Distribution not found", "No queue, draw or auction has this id.");
	const org = c.get("tenant").organizationId;
	const target = await shopperTarget(c.env.DB, org, id);
	if (!target) throw new ApiError(404, "Distribution not found", "No queue, draw or auction has this id.");
	const lang = pickLang(c.req.query("lang"), c.req.header("Accept-Language"));
	const s = strings(lang);
	const key = c.req.query("key") ?? "";
	const d = target.distribution;
	const common = { distribution: id, "publishable-key": key, "base-url": new URL(c.req.url).origin, lang };
	let body: Html;
	if (d.type === "queue" && (d.status === "CLOSED" || d.status === "COMPLETED")) {
		body = html`<p class="state" role="status" data-state="closed">${s.queueClosed}</p>`;
	} else if (d.type === "queue") {
		body = html`<fanfare-queue ${attrs({ ...common, "open-at": d.openAt ?? "" })} auto-redirect>
			<p>${s.loading}</p><noscript>${s.noScript}</noscript></fanfare-queue>`;
	} else if (d.type === "draw") {
		body = html`<fanfare-draw ${attrs({ ...common, "draw-at": d.drawAt ?? "" })}>
			<p>${s.loading}</p><noscript>${s.noScript}</noscript></fanfare-draw>`;
	} else {
		body = html`<fanfare-auction ${attrs(common)}>
			<p>${s.loading}</p><noscript>${s.noScript}</noscript></fanfare-auction>`;
	}
	// A Turnstile launch: Cloudflare's script (explicit rendering, the widgets call turnstile.render) and its frame.
	const headScripts: string[] = [];
	if (target.challenge === "turnstile") {
		const script = new URL(c.env.TURNSTILE_SCRIPT_URL);
		c.set("cspSources", { script: [script.origin], frame: [script.origin] });
		script.searchParams.set("render", "explicit");
		headScripts.push(script.href);
	}
	return c.html(
		layout({
			lang,
			title: d.name || t(s, "title"),
			classicScripts: headScripts,
			nonce: c.get("nonce"),
			footer: s.poweredBy,
			theme: themeFor(target.theme, lang),
			body,
			scripts: ["/widget.js"],
		}),
	);
});

function attrs(values: Record<string, string>): Html {
	const parts = Object.entries(values).map(([name, value]) => html`${name}="${value}"`);
	return html`${parts.map((p, i) => (i ? html` ${p}` : p))}`;
}

// The assets router answers these before the worker when deployed; this covers direct callers.
const asset = (c: { env: Env; req: { raw: Request } }) => c.env.ASSETS.fetch(c.req.raw);
shopperPages.get("/widget.js", asset);
shopperPages.get("/widget-chunks/:file", asset);
