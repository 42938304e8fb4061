/**
 * The HTML shell of a server-rendered page: escaping, the theme as CSS custom properties, the
 * logo, the language. Template strings (no client framework on the server); every interpolated
 * value goes through `esc` or `attr`.
 */
import type { Theme as StoredTheme } from "../../experiences/experiences/theme";

const ESCAPES: Record<string, string> = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" };

export const esc = (value: unknown): string => String(value ?? "").replace(/[&<>"']/g, (ch) => ESCAPES[ch] ?? ch);

/** A raw HTML fragment, already escaped. */
export class Html {
	constructor(readonly value: string) {}
	toString() {
		return this.value;
	}
}

const render = (v: unknown): string =>
	v instanceof Html ? v.value : Array.isArray(v) ? v.map(render).join("") : esc(v);

/** Tagged template: interpolations are escaped unless they are `Html` (or arrays of it). */
export function html(strings: TemplateStringsArray, ...values: unknown[]): Html {
	let out = strings[0] ?? "";
	values.forEach((v, i) => {
		out += render(v) + (strings[i + 1] ?? "");
	});
	return new Html(out);
}

/** The stored theme (see experiences/theme.ts) as one language of the page sees it. */
export type Theme = Omit<StoredTheme, "translations">;

const HEX = /^#[0-9a-fA-F]{6}$/;
const hex = (v: string | undefined, fallback: string) => (v && HEX.test(v) ? v : fallback);

export interface LayoutOptions {
	lang: string;
	title: string;
	nonce: string;
	footer: string;
	theme?: Theme;
	body: Html;
	scripts?: string[];
	/** Classic scripts loaded async (a third party's, e.g. Turnstile's), before the modules. */
	classicScripts?: string[];
}

export function layout(opts: LayoutOptions): string {
	const t = opts.theme ?? {};
	const logo =
		t.logoUrl && /^https:\/\//.test(t.logoUrl) ? html`<img class="logo" src="${t.logoUrl}" alt="" />` : html``;
	return `<!doctype html>${
		html`<html lang="${opts.lang}">
<head>
<meta charset="utf-8" />
<meta name="viewport" content="width=device-width, initial-scale=1" />
<meta name="robots" content="noindex" />
<title>${opts.title}</title>
<style nonce="${opts.nonce}">
:root {
	--fanfare-accent: ${new Html(hex(t.primaryColor, "#1d4ed8"))};
	--fanfare-bg: ${new Html(hex(t.backgroundColor, "#f3f4f6"))};
	--fanfare-text: ${new Html(hex(t.textColor, "#111827"))};
	color-scheme: light;
}
* { box-sizing: border-box; }
body { margin: 0; font: 16px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; background: var(--fanfare-bg); color: var(--fanfare-text); }
main { max-width: 40rem; margin: 0 auto; padding: 1.25rem 1rem 3rem; }
header { display: flex; align-items: center; gap: 0.75rem; margin-bottom: 1rem; }
.logo { max-height: 48px; max-width: 160px; }
h1 { font-size: 1.6rem; margin: 0; }
.message { margin: 0 0 1rem; }
.state { background: #fff; border: 1px solid #d0d4dc; border-radius: 12px; padding: 1rem 1.25rem; }
footer { margin-top: 2rem; font-size: 0.85rem; color: #4a5160; }
fanfare-queue, fanfare-draw, fanfare-auction { display: block; }
fanfare-draw section { margin-top: 1rem; }
</style>
</head>
<body>
<main>
<header>${logo}<h1>${t.headline || opts.title}</h1></header>
${t.message ? html`<p class="message">${t.message}</p>` : html``}
${opts.body}
<footer>${opts.footer}</footer>
</main>
${(opts.classicScripts ?? []).map((src) => html`<script src="${src}" nonce="${opts.nonce}" async></script>`)}
${(opts.scripts ?? []).map((src) => html`<script type="module" src="${src}" nonce="${opts.nonce}"></script>`)}
</body>
</html>`.value
	}`;
}
