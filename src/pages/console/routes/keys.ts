/** Settings > API Keys: the organization's live keys, create (the key shown once) and revoke. */
import { Hono } from "hono";
import { html } from "hono/html";
import { listActiveKeys, type toApiKey } from "../../../platform/api-keys/repo";
import { createApiKeyBody } from "../../../platform/api-keys/schema";
import { API_KEY_SCOPES } from "../../../platform/api-keys/scopes";
import { createKey, revokeKey } from "../../../platform/api-keys/service";
import type { ConsoleEnv } from "../env";
import { formOf, need, valid } from "../guard";
import { csrfField, page } from "../layout";
import type { ConsoleSession } from "../session/service";

type ApiKey = ReturnType<typeof toApiKey>;
type Created = ApiKey & { key: string };

function keysPage(session: ConsoleSession, keys: ApiKey[], created?: Created) {
	return page(
		{ title: "Settings > API Keys", session },
		html`${
			created
				? html`<section class="card once" role="status" aria-labelledby="once-title">
	<h2 id="once-title">Key created: copy it now</h2>
	<p>This is the only time the full key is shown. Store it in your server's secrets.</p>
	<label for="new-key">${created.name}</label>
	<input id="new-key" class="secret" readonly value="${created.key}">
</section>`
				: ""
		}
<section class="card">
<h2>Live keys</h2>
<table>
<thead><tr><th scope="col">Name</th><th scope="col">Type</th><th scope="col">Prefix</th><th scope="col">Scopes</th><th scope="col">Created</th><th scope="col">Last used</th><th scope="col"><span class="sr">Actions</span></th></tr></thead>
<tbody>
${keys.map(
	(k) => html`<tr data-key-id="${k.id}">
	<td>${k.name}</td><td>${k.type}</td><td><code>${k.prefix}…</code></td><td>${k.scopes.join(", ") || "—"}</td>
	<td>${k.createdAt}</td><td>${k.lastUsedAt ?? "never"}</td>
	<td>${
		k.id === session.tenant.apiKeyId
			? html`<span class="muted">this session's key</span>`
			: html`<form method="post" action="/console/settings/api-keys/${k.id}/revoke">${csrfField(session)}
		<button type="submit" class="danger" aria-label="Revoke ${k.name}">Revoke</button></form>`
	}</td>
</tr>`,
)}
</tbody>
</table>
</section>
<section class="card">
<h2>Create a key</h2>
<form method="post" action="/console/settings/api-keys" class="grid">
	${csrfField(session)}
	<label for="key-name">Name</label>
	<input id="key-name" name="name" required maxlength="200">
	<label for="key-type">Type</label>
	<select id="key-type" name="type">
		<option value="secret">Secret (server)</option>
		<option value="publishable">Publishable (storefront)</option>
	</select>
	<fieldset>
		<legend>Scopes (secret keys; none ticked: those of this session's key)</legend>
		${API_KEY_SCOPES.map((s) => html`<label class="inline"><input type="checkbox" name="scopes[]" value="${s}"> ${s}</label>`)}
	</fieldset>
	<button type="submit">Create key</button>
</form>
</section>`,
	);
}

const liveKeys = async (env: Env, organizationId: string) =>
	(await listActiveKeys(env.DB, env.APP_SECRET, organizationId, { limit: 100 })).data;

export const keyRoutes = new Hono<ConsoleEnv>()
	.get("/", async (c) => {
		need(c, "api-keys");
		return c.html(keysPage(c.get("session"), await liveKeys(c.env, c.get("tenant").organizationId)));
	})
	.post("/", async (c) => {
		need(c, "api-keys");
		const form = await formOf(c);
		const body = valid(createApiKeyBody, { type: form.type, name: form.name, scopes: form["scopes[]"] });
		const created = await createKey(c.env, c.get("tenant"), body);
		c.status(201);
		return c.html(keysPage(c.get("session"), await liveKeys(c.env, c.get("tenant").organizationId), created));
	})
	.post("/:id/revoke", async (c) => {
		need(c, "api-keys");
		await revokeKey(c.env, c.get("tenant"), c.req.param("id"));
		return c.redirect("/console/settings/api-keys", 303);
	});
