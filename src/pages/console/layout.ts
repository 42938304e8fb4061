/** The console's page shell: one stylesheet and (for the live view) scripts from this origin, no inline code. */
import { html } from "hono/html";
import type { HtmlEscapedString } from "hono/utils/html";
import type { ConsoleSession } from "./session/service";

export type Html = HtmlEscapedString | Promise<HtmlEscapedString>;

export const ASSETS = "/console/assets";

interface PageOptions {
	title: string;
	session?: ConsoleSession | null;
	/** Scripts (module URLs under ASSETS) the page loads. */
	scripts?: string[];
	styles?: string[];
}

const nav = (session: ConsoleSession) => html`<header class="top">
	<a class="brand" href="/console">fanfare-edge console</a>
	<nav aria-label="Console">
		<a href="/console/experiences">Experiences</a>
		<a href="/console/settings/api-keys">Settings &gt; API Keys</a>
	</nav>
	<form method="post" action="/console/session/delete" class="signout">
		${csrfField(session)}
		<span class="who">Key ${session.keyPrefix}…</span>
		<button type="submit">Sign out</button>
	</form>
</header>`;

export const csrfField = (session: ConsoleSession) => html`<input type="hidden" name="_csrf" value="${session.csrf}">`;

export function page(options: PageOptions, body: Html): Html {
	return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${options.title} · fanfare-edge console</title>
<link rel="stylesheet" href="${ASSETS}/console.css">
${(options.styles ?? []).map((s) => html`<link rel="stylesheet" href="${s}">`)}
</head>
<body>
${options.session ? nav(options.session) : ""}
<main id="main">
<h1>${options.title}</h1>
${body}
</main>
${(options.scripts ?? []).map((s) => html`<script type="module" src="${s}"></script>`)}
</body>
</html>`;
}

/** A problem as a page: its title, detail and each field error. */
export const problemBody = (detail?: string, errors?: { path: string; message: string }[]) =>
	html`<div class="problem" role="alert">
	${detail ? html`<p>${detail}</p>` : ""}
	${errors?.length ? html`<ul>${errors.map((e) => html`<li><code>${e.path || "(body)"}</code>: ${e.message}</li>`)}</ul>` : ""}
</div>`;

export const formatTime = (ms: number | null | undefined, zone: string) =>
	ms == null
		? "—"
		: new Intl.DateTimeFormat("en-GB", { dateStyle: "medium", timeStyle: "medium", timeZone: zone }).format(ms);
