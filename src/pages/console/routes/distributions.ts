/**
 * One distribution: its settings, its times edited on the wall clock of its time zone, and the
 * merchant's actions (open now, close now, run a draw, admit, deny) through the API's services.
 */
import { Hono } from "hono";
import { html } from "hono/html";
import { unwrap } from "../../../distributions/common/engine";
import { toDistribution } from "../../../distributions/common/repo";
import { updateAuctionBody, updateDrawBody, updateQueueBody } from "../../../distributions/common/schema";
import { ownedEngine, runDrawNow, updateDistribution } from "../../../distributions/common/service";
import { QUEUE_ERRORS } from "../../../distributions/queue/refusals";
import { admitBody, denyBody } from "../../../distributions/queue/schema";
import { fieldError } from "../../../http/problems";
import { isoInstant } from "../../../lib/time";
import { distributionOf, typeOfId } from "../distribution-of";
import type { ConsoleEnv } from "../env";
import { formOf, need, valid } from "../guard";
import { csrfField, formatTime, page } from "../layout";
import { localInput, templateOf } from "../templates";

const UPDATE_BODIES = { queue: updateQueueBody, draw: updateDrawBody, auction: updateAuctionBody } as const;
const TIME_FIELDS = ["openAt", "closeAt", "drawAt", "settleAt"] as const;
/** Close now: the distribution closes this long from now (closeAt must be later than openAt). */
const CLOSE_DELAY_MS = 1000;

/**
 * The copy-paste snippets for this distribution: the hosted page's link and the storefront widget.
 * Keys are stored hashed, so the publishable key is a placeholder: the merchant has it from its creation.
 */
function embedCard(type: string, id: string, origin: string) {
	const widget = `<script type="module" src="${origin}/widget.js"></script>
<fanfare-${type} distribution="${id}" publishable-key="pk_live_…" base-url="${origin}"></fanfare-${type}>
<script>
  document.addEventListener("fanfare-${type === "queue" ? "admitted" : type === "draw" ? "won" : "outbid"}", (e) => console.log(e.detail));
</script>`;
	return html`<section class="card" data-card="embed"><h2>Put it on your store</h2>
<p>Hosted page: <code>${origin}/w/${id}?key=pk_live_…</code></p>
<label for="embed-snippet">Widget (replace <code>pk_live_…</code> with your publishable key from Settings &gt; API Keys)</label>
<textarea id="embed-snippet" readonly rows="6">${widget}</textarea>
</section>`;
}

const back = (id: string) => `/console/distributions/${id}`;

export const distributionRoutes = new Hono<ConsoleEnv>()
	.get("/:id", async (c) => {
		const id = c.req.param("id");
		const type = typeOfId(id);
		need(c, `${type}s`);
		const row = await distributionOf(c.env, c.get("tenant"), id);
		const object = toDistribution(row);
		const session = c.get("session");
		const times = (templateOf(type)?.times ?? []).map((t) => t.field);
		const settings = Object.entries(object).filter(
			([k]) => !["organizationId", "encryptionSeed", "metadata"].includes(k),
		);
		return c.html(
			page(
				{ title: `${type[0].toUpperCase()}${type.slice(1)}: ${row.name ?? row.id}`, session },
				html`<p><a href="/console/sequences/${row.sequenceId}">← Sequence</a> · <span class="status" id="status">${object.status}</span> ·
<a class="button" href="/console/distributions/${id}/live">Live launch view</a></p>
<section class="card"><h2>Settings</h2><dl class="settings">
${settings.map(([k, v]) => html`<dt>${k}</dt><dd>${v == null ? "—" : String(v)}</dd>`)}
</dl></section>
<section class="card"><h2>Times (${row.timeZone})</h2>
<form method="post" action="/console/distributions/${id}/times" class="grid">${csrfField(session)}
	${times.map((f) => {
		const ms = row[f];
		return html`<label for="t-${f}">${f} <span class="muted">now ${formatTime(ms, row.timeZone)}</span></label>
	<input id="t-${f}" name="${f}" type="datetime-local" value="${ms == null ? "" : localInput(ms, row.timeZone)}">
	<input type="hidden" name="was_${f}" value="${ms == null ? "" : localInput(ms, row.timeZone)}">`;
	})}
	<button type="submit">Save times</button>
</form></section>
<section class="card"><h2>Actions</h2><div class="actions">
	<form method="post" action="/console/distributions/${id}/open">${csrfField(session)}<button type="submit">Open now</button></form>
	<form method="post" action="/console/distributions/${id}/close">${csrfField(session)}<button type="submit" class="danger">Close now</button></form>
	${type === "draw" ? html`<form method="post" action="/console/distributions/${id}/run">${csrfField(session)}<button type="submit">Run the draw now</button></form>` : ""}
	${
		type === "queue"
			? html`<form method="post" action="/console/distributions/${id}/admit" class="inline-form">${csrfField(session)}
		<label for="admit-count">Admit</label><input id="admit-count" name="count" type="number" min="1" value="10"><button type="submit">Admit now</button></form>
	<form method="post" action="/console/distributions/${id}/deny" class="inline-form">${csrfField(session)}
		<label for="deny-consumer">Consumer id</label><input id="deny-consumer" name="consumerId" required>
		<label for="deny-reason">Reason</label><input id="deny-reason" name="reason"><button type="submit" class="danger">Deny</button></form>`
			: ""
	}
</div></section>
${embedCard(type, id, new URL(c.req.url).origin)}`,
			),
		);
	})
	.post("/:id/times", async (c) => {
		const id = c.req.param("id");
		const type = typeOfId(id);
		need(c, `${type}s`);
		const row = await distributionOf(c.env, c.get("tenant"), id);
		const form = await formOf(c);
		// Only what the merchant changed is sent: an untouched time stays as it is, even when it has passed.
		const patch: Record<string, unknown> = {};
		for (const f of TIME_FIELDS) {
			if (!(`was_${f}` in form) && !(f in form)) continue;
			const now = form[f] ?? "";
			if (now !== (form[`was_${f}`] ?? "")) patch[f] = now === "" ? null : now;
		}
		await updateDistribution(c.env, c.get("tenant"), type, row.id, valid(UPDATE_BODIES[type], patch));
		return c.redirect(back(id), 303);
	})
	.post("/:id/open", async (c) => {
		const id = c.req.param("id");
		const type = typeOfId(id);
		need(c, `${type}s`);
		const row = await distributionOf(c.env, c.get("tenant"), id);
		const now = Date.now();
		const patch: Record<string, string> = { openAt: isoInstant(now) };
		if (row.closeAt != null && row.closeAt <= now) throw fieldError("closeAt", "The distribution has closed");
		await updateDistribution(c.env, c.get("tenant"), type, id, patch);
		return c.redirect(back(id), 303);
	})
	.post("/:id/close", async (c) => {
		const id = c.req.param("id");
		const type = typeOfId(id);
		need(c, `${type}s`);
		const row = await distributionOf(c.env, c.get("tenant"), id);
		const now = Date.now();
		const patch: Record<string, string> = { closeAt: isoInstant(now + CLOSE_DELAY_MS) };
		// Not yet open: it opens now, so it has been open (a draw then has its entries sealed at close).
		if (row.openAt == null || row.openAt > now) patch.openAt = isoInstant(now);
		await updateDistribution(c.env, c.get("tenant"), type, id, patch);
		return c.redirect(back(id), 303);
	})
	.post("/:id/run", async (c) => {
		need(c, "draws");
		await runDrawNow(c.env, c.get("tenant"), c.req.param("id"));
		return c.redirect(back(c.req.param("id")), 303);
	})
	.post("/:id/admit", async (c) => {
		need(c, "queues");
		const tenant = c.get("tenant");
		const form = await formOf(c);
		const { count } = valid(admitBody, { count: Number(form.count) });
		const { ref } = await ownedEngine(c.env, tenant, "queue", c.req.param("id"));
		unwrap(await ref.admitNow(tenant.organizationId, count), QUEUE_ERRORS);
		return c.redirect(back(c.req.param("id")), 303);
	})
	.post("/:id/deny", async (c) => {
		need(c, "queues");
		const tenant = c.get("tenant");
		const form = await formOf(c);
		const consumerId = typeof form.consumerId === "string" ? form.consumerId : "";
		if (!consumerId) throw fieldError("consumerId", "Required");
		const { reason } = valid(denyBody, form.reason ? { reason: form.reason } : {});
		const { ref } = await ownedEngine(c.env, tenant, "queue", c.req.param("id"));
		unwrap(await ref.deny(tenant.organizationId, consumerId, reason ?? null), QUEUE_ERRORS);
		return c.redirect(back(c.req.param("id")), 303);
	});
