/** Experiences → sequences → distributions: lists, and creation from forms validated by the API's own schemas. */
import { Hono } from "hono";
import { html } from "hono/html";
import { listDistributions } from "../../../distributions/common/repo";
import { createAuctionBody, createDrawBody, createQueueBody } from "../../../distributions/common/schema";
import { createDistribution } from "../../../distributions/common/service";
import type { DistributionType } from "../../../distributions/common/status";
import { getExperience, listExperiences, toExperience } from "../../../experiences/experiences/repo";
import { createExperienceBody, updateExperienceBody } from "../../../experiences/experiences/schema";
import { createExperience, updateExperience } from "../../../experiences/experiences/service";
import type { Theme } from "../../../experiences/experiences/theme";
import { getSequence, listSequences, toSequence } from "../../../experiences/sequences/repo";
import { createSequenceBody } from "../../../experiences/sequences/schema";
import { createSequence } from "../../../experiences/sequences/service";
import { fieldError, notFound } from "../../../http/problems";
import type { ConsoleEnv } from "../env";
import { formOf, need, valid } from "../guard";
import { csrfField, page } from "../layout";
import { defaultTime, TEMPLATES, templateOf } from "../templates";

const CREATE_BODIES = { queue: createQueueBody, draw: createDrawBody, auction: createAuctionBody } as const;
const ALL = { limit: 100 };

async function experienceOf(env: Env, organizationId: string, id: string) {
	const row = await getExperience(env.DB, organizationId, id);
	if (!row) throw notFound("Experience");
	return toExperience(row);
}

async function sequenceOf(env: Env, organizationId: string, id: string) {
	const row = await getSequence(env.DB, organizationId, id);
	if (!row) throw notFound("Sequence");
	return toSequence(row);
}

/** The theme's fields a form edits: [field, label, input type]. Translations are set through the API. */
const THEME_FIELDS = [
	["logoUrl", "Logo URL (https)", "url"],
	["primaryColor", "Accent colour (#rrggbb)", "text"],
	["backgroundColor", "Background colour", "text"],
	["textColor", "Text colour", "text"],
	["headline", "Headline", "text"],
	["message", "Message", "text"],
] as const satisfies readonly (readonly [keyof Theme, string, string])[];

function themeCard(experienceId: string, theme: Theme | null, session: Parameters<typeof csrfField>[0]) {
	return html`<section class="card"><h2>Hosted page look</h2>
<p class="muted">Shown on <code>/w/:distributionId</code> for every distribution of this experience. Empty fields use the default.</p>
<form method="post" action="/console/experiences/${experienceId}/theme" class="grid" data-form="theme">${csrfField(session)}
	${THEME_FIELDS.map(([f, label, type]) => html`<label for="theme-${f}">${label}</label><input id="theme-${f}" name="${f}" type="${type}" value="${theme?.[f] ?? ""}">`)}
	<button type="submit">Save look</button>
</form></section>`;
}

/** Numbers from a form: a text that is not a number stays text, so the schema reports it. */
const numeric = (v: string | string[] | undefined) =>
	typeof v === "string" && v.trim() !== "" && Number.isFinite(Number(v)) ? Number(v) : v;

export const experienceRoutes = new Hono<ConsoleEnv>()
	.get("/experiences", async (c) => {
		need(c, "experiences");
		const { organizationId, defaultTimeZone } = c.get("tenant");
		const list = await listExperiences(c.env.DB, c.env.APP_SECRET, organizationId, ALL);
		return c.html(
			page(
				{ title: "Experiences", session: c.get("session") },
				html`<section class="card">
<ul class="list">${list.data.map((e) => html`<li><a href="/console/experiences/${e.id}">${e.name}</a> <span class="muted">${e.timeZone ?? defaultTimeZone}</span></li>`)}</ul>
${list.data.length ? "" : html`<p class="muted">No experiences yet.</p>`}
</section>
<section class="card"><h2>Create an experience</h2>
<form method="post" action="/console/experiences" class="grid">${csrfField(c.get("session"))}
	<label for="exp-name">Name</label><input id="exp-name" name="name" required maxlength="200">
	<label for="exp-tz">Time zone (IANA)</label><input id="exp-tz" name="timeZone" value="${defaultTimeZone}">
	<label for="exp-checkout">Checkout URL</label><input id="exp-checkout" name="checkoutUrl" type="url" placeholder="https://shop.example.com/checkout">
	<button type="submit">Create experience</button>
</form></section>`,
			),
		);
	})
	.post("/experiences", async (c) => {
		need(c, "experiences");
		const body = valid(createExperienceBody, await formOf(c));
		const created = await createExperience(c.env, c.get("tenant").organizationId, body);
		return c.redirect(`/console/experiences/${created.id}`, 303);
	})
	.get("/experiences/:id", async (c) => {
		need(c, "experiences");
		const { organizationId } = c.get("tenant");
		const exp = await experienceOf(c.env, organizationId, c.req.param("id"));
		const seqs = await listSequences(c.env.DB, c.env.APP_SECRET, organizationId, exp.id, ALL);
		return c.html(
			page(
				{ title: `Experience: ${exp.name}`, session: c.get("session") },
				html`<p><a href="/console/experiences">← Experiences</a> · Time zone <strong>${exp.timeZone ?? c.get("tenant").defaultTimeZone}</strong>${exp.checkoutUrl ? html` · Checkout <code>${exp.checkoutUrl}</code>` : ""}</p>
<section class="card"><h2>Sequences</h2>
<ul class="list">${seqs.data.map((s) => html`<li><a href="/console/sequences/${s.id}">${s.name}</a> <span class="muted">priority ${s.priority} · access ${s.access}</span></li>`)}</ul>
${seqs.data.length ? "" : html`<p class="muted">No sequences yet.</p>`}
</section>
${themeCard(exp.id, exp.theme, c.get("session"))}
<section class="card"><h2>Create a sequence</h2>
<form method="post" action="/console/experiences/${exp.id}/sequences" class="grid">${csrfField(c.get("session"))}
	<label for="seq-name">Name</label><input id="seq-name" name="name" required maxlength="200">
	<label for="seq-priority">Priority</label><input id="seq-priority" name="priority" type="number" value="0">
	<button type="submit">Create sequence</button>
</form></section>`,
			),
		);
	})
	.post("/experiences/:id/theme", async (c) => {
		need(c, "experiences", "PUT");
		const { organizationId } = c.get("tenant");
		const exp = await experienceOf(c.env, organizationId, c.req.param("id"));
		const form = await formOf(c);
		// Empty fields are left out (the page's default); the stored translations are kept.
		const fields = Object.fromEntries(
			THEME_FIELDS.map(([f]) => [f, typeof form[f] === "string" ? form[f].trim() : ""]).filter(([, v]) => v !== ""),
		);
		const theme = { ...fields, ...(exp.theme?.translations ? { translations: exp.theme.translations } : {}) };
		const body = valid(updateExperienceBody, { theme: Object.keys(theme).length ? theme : null });
		await updateExperience(c.env, organizationId, exp.id, body);
		return c.redirect(`/console/experiences/${exp.id}`, 303);
	})
	.post("/experiences/:id/sequences", async (c) => {
		need(c, "experiences", "POST");
		const { organizationId } = c.get("tenant");
		const exp = await experienceOf(c.env, organizationId, c.req.param("id"));
		const form = await formOf(c);
		const body = valid(createSequenceBody, { ...form, priority: numeric(form.priority) });
		const created = await createSequence(c.env, organizationId, exp.id, body);
		return c.redirect(`/console/sequences/${created.id}`, 303);
	})
	.get("/sequences/:id", async (c) => {
		need(c, "sequences");
		const { organizationId, defaultTimeZone } = c.get("tenant");
		const seq = await sequenceOf(c.env, organizationId, c.req.param("id"));
		const exp = await experienceOf(c.env, organizationId, seq.experienceId);
		const zone = exp.timeZone ?? defaultTimeZone;
		const lists = await Promise.all(
			(["queue", "draw", "auction"] as const).map((type) =>
				listDistributions(c.env.DB, c.env.APP_SECRET, organizationId, type, { sequenceId: seq.id }, ALL),
			),
		);
		const rows = lists.flatMap((l) => l.data);
		const session = c.get("session");
		return c.html(
			page(
				{ title: `Sequence: ${seq.name}`, session },
				html`<p><a href="/console/experiences/${exp.id}">← ${exp.name}</a></p>
<section class="card"><h2>Distributions</h2>
<table><thead><tr><th scope="col">Name</th><th scope="col">Type</th><th scope="col">Status</th><th scope="col">Opens</th></tr></thead><tbody>
${rows.map((d) => html`<tr><td><a href="/console/distributions/${d.id}">${d.name ?? d.id}</a></td><td>${d.id.split("_")[0]}</td><td><span class="status">${d.status}</span></td><td>${d.openAt ?? "—"}</td></tr>`)}
</tbody></table>
${rows.length ? "" : html`<p class="muted">No distributions yet: start from a template below.</p>`}
</section>
${TEMPLATES.map(
	(t) => html`<section class="card"><h2>New ${t.title}</h2>
<form method="post" action="/console/sequences/${seq.id}/distributions" class="grid" data-template="${t.type}">${csrfField(session)}
	<input type="hidden" name="type" value="${t.type}">
	<label for="${t.type}-name">Name</label><input id="${t.type}-name" name="name" value="${t.name}" required>
	${t.times.map((f) => html`<label for="${t.type}-${f.field}">${f.label} (${zone})</label><input id="${t.type}-${f.field}" name="${f.field}" type="datetime-local" value="${defaultTime(f, zone)}">`)}
	${t.numbers.map((f) => html`<label for="${t.type}-${f.field}">${f.label}</label><input id="${t.type}-${f.field}" name="${f.field}" type="number" min="0" step="${f.step ?? "1"}" value="${f.value}">`)}
	<button type="submit">Create ${t.type}</button>
</form></section>`,
)}`,
			),
		);
	})
	.post("/sequences/:id/distributions", async (c) => {
		const form = await formOf(c);
		const template = templateOf(String(form.type));
		if (!template) throw fieldError("type", "One of queue, draw, auction");
		const type: DistributionType = template.type;
		need(c, `${type}s`, "POST");
		const { organizationId, defaultTimeZone } = c.get("tenant");
		const seq = await sequenceOf(c.env, organizationId, c.req.param("id"));
		const exp = await experienceOf(c.env, organizationId, seq.experienceId);
		const input: Record<string, unknown> = { sequenceId: seq.id, timeZone: exp.timeZone ?? defaultTimeZone };
		if (form.name) input.name = form.name;
		// datetime-local values carry no offset: the API reads them in the distribution's time zone.
		for (const t of template.times) if (form[t.field]) input[t.field] = form[t.field];
		for (const n of template.numbers) if (form[n.field] !== undefined) input[n.field] = numeric(form[n.field]);
		const body = valid(CREATE_BODIES[type], input);
		const row = await createDistribution(c.env, c.get("tenant"), type, body);
		return c.redirect(`/console/distributions/${row.id}`, 303);
	});
