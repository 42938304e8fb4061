/**
 * The live launch view of one distribution: a page (uPlot chart and panels, drawn by
 * assets/live.js) and the JSON it polls every second: counts (queue), entries and results
 * (draw), bids (auction), recent webhook deliveries and events. The outflow control changes the
 * queue's admissionRate through the same update as `PUT /api/v1/queues/:id`.
 */
import { Hono } from "hono";
import { html } from "hono/html";
import { toDistribution } from "../../../distributions/common/repo";
import { updateQueueBody } from "../../../distributions/common/schema";
import { ownedEngine, updateDistribution } from "../../../distributions/common/service";
import { listEvents } from "../../../events/repo";
import { getEndpoint, listDeliveries, listEndpoints } from "../../../events/webhooks/repo";
import { retryDelivery } from "../../../events/webhooks/service";
import { notFound } from "../../../http/problems";
import { missingScope } from "../../../platform/api-keys/scopes";
import { distributionOf, typeOfId } from "../distribution-of";
import type { ConsoleEnv } from "../env";
import { formOf, need, valid } from "../guard";
import { ASSETS, csrfField, page } from "../layout";

const RECENT = 20;

async function deliveries(env: Env, organizationId: string) {
	const endpoints = (await listEndpoints(env.DB, env.APP_SECRET, organizationId, { limit: 5 })).data;
	const lists = await Promise.all(
		endpoints.map(async (e) =>
			(await listDeliveries(env.DB, env.APP_SECRET, organizationId, e.id, { limit: 10 })).data.map((d) => ({
				...d,
				endpointId: e.id,
				url: e.url,
			})),
		),
	);
	return lists.flat().sort((a, b) => b.createdAt.localeCompare(a.createdAt));
}

export const liveRoutes = new Hono<ConsoleEnv>()
	.get("/:id/live", async (c) => {
		const id = c.req.param("id");
		const type = typeOfId(id);
		need(c, `${type}s`);
		const row = await distributionOf(c.env, c.get("tenant"), id);
		const session = c.get("session");
		return c.html(
			page(
				{
					title: `Live: ${row.name ?? row.id}`,
					session,
					styles: [`${ASSETS}/uPlot.min.css`],
					scripts: [`${ASSETS}/live.js`],
				},
				html`<p><a href="/console/distributions/${id}">← Settings and actions</a> · status <span class="status" id="live-status">${toDistribution(row).status}</span></p>
<div id="live" data-id="${id}" data-type="${type}" data-csrf="${session.csrf}">
${
	type === "queue"
		? html`<section class="card"><h2>Per second</h2>
	<div id="chart" role="img" aria-label="Queued, admitted and completed per second"></div>
	<p class="muted" id="chart-legend">Waiting now, and admitted and completed in each second.</p></section>
<section class="card gauges"><h2>Gauges</h2>
	<div><label for="gauge-rate">Admission rate (last minute vs set)</label><meter id="gauge-rate" min="0" max="${row.admissionRate ?? 1}" value="0"></meter> <span id="rate-text"></span></div>
	<div><label for="gauge-capacity">Capacity in use (active vs max)</label><meter id="gauge-capacity" min="0" max="${row.maxCapacity ?? 1}" value="0"></meter> <span id="capacity-text"></span></div>
	<form id="rate-form" method="post" action="/console/distributions/${id}/rate" class="inline-form">${csrfField(session)}
		<label for="rate">Outflow (admissions per minute)</label>
		<input id="rate" name="admissionRate" type="number" min="1" value="${row.admissionRate ?? ""}">
		<button type="submit">Set rate</button></form>
	<dl class="settings" id="counts"></dl></section>`
		: ""
}
${
	type === "draw"
		? html`<section class="card"><h2>Entries</h2><p id="entry-count"></p><table id="entries"><thead><tr><th scope="col">Entry</th><th scope="col">Consumer</th><th scope="col">Status</th><th scope="col">Entered</th></tr></thead><tbody></tbody></table></section>
<section class="card"><h2>Results</h2><p id="results-status"></p><table id="results"><thead><tr><th scope="col">Rank</th><th scope="col">Consumer</th><th scope="col">Status</th></tr></thead><tbody></tbody></table></section>`
		: ""
}
${
	type === "auction"
		? html`<section class="card"><h2>Price history</h2><div id="chart" role="img" aria-label="Bid amounts over time"></div><p>Current price: <strong id="price">—</strong></p></section>
<section class="card"><h2>Bids</h2><table id="bids"><thead><tr><th scope="col">#</th><th scope="col">Bidder</th><th scope="col">Amount</th><th scope="col">Kind</th><th scope="col">Placed</th></tr></thead><tbody></tbody></table></section>`
		: ""
}
<section class="card"><h2>Webhook deliveries</h2><table id="deliveries"><thead><tr><th scope="col">Event</th><th scope="col">Endpoint</th><th scope="col">Status</th><th scope="col">Attempts</th><th scope="col"><span class="sr">Retry</span></th></tr></thead><tbody></tbody></table></section>
<section class="card"><h2>Events</h2><ol id="events" class="events" aria-live="polite" tabindex="0" aria-label="Events, newest first"></ol></section>
</div>`,
			),
		);
	})
	.get("/:id/live.json", async (c) => {
		const id = c.req.param("id");
		const type = typeOfId(id);
		need(c, `${type}s`);
		const tenant = c.get("tenant");
		const row = await distributionOf(c.env, tenant, id);
		const out: Record<string, unknown> = { at: Date.now(), type, distribution: toDistribution(row) };
		if (type === "queue") out.stats = await (await ownedEngine(c.env, tenant, "queue", id)).ref.stats();
		if (type === "draw") {
			const { ref } = await ownedEngine(c.env, tenant, "draw", id);
			out.entries = await ref.entries(RECENT, null);
			out.entryCount = await ref.participantCount();
			out.results = await ref.results();
		}
		if (type === "auction") {
			const { ref } = await ownedEngine(c.env, tenant, "auction", id);
			out.bids = await ref.bids(100, null);
		}
		// Events and deliveries need the events scope (or read), as on /api/v1/events.
		if (!missingScope(tenant.scopes, "GET", "/api/v1/events")) {
			out.events = (
				await listEvents(c.env.DB, c.env.APP_SECRET, tenant.organizationId, { distributionId: id, limit: RECENT })
			).data;
			out.deliveries = await deliveries(c.env, tenant.organizationId);
		}
		return c.json(out);
	})
	.post("/:id/rate", async (c) => {
		need(c, "queues");
		const form = await formOf(c);
		const body = valid(updateQueueBody, { admissionRate: Number(form.admissionRate) });
		const row = await updateDistribution(c.env, c.get("tenant"), "queue", c.req.param("id"), body);
		if (c.req.header("Accept")?.startsWith("application/json")) return c.json(toDistribution(row));
		return c.redirect(`/console/distributions/${row.id}/live`, 303);
	})
	.post("/:id/deliveries/:endpointId/:deliveryId/retry", async (c) => {
		need(c, "webhook-endpoints");
		const { id, endpointId, deliveryId } = c.req.param();
		const endpoint = await getEndpoint(c.env.DB, c.get("tenant").organizationId, endpointId);
		if (!endpoint || !(await retryDelivery(c.env, endpoint.id, deliveryId))) throw notFound("Delivery");
		if (c.req.header("Accept")?.startsWith("application/json")) return c.json({ retried: true });
		return c.redirect(`/console/distributions/${id}/live`, 303);
	});
