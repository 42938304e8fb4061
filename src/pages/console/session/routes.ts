/** Sign-in (a secret key in a form post → session cookie) and sign-out. */

import { Hono } from "hono";
import { html } from "hono/html";
import type { ConsoleEnv } from "../env";
import { page, problemBody } from "../layout";
import { clearSessionCookie, csrfGuard, requireSession, sessionToken, setSessionCookie } from "./middleware";
import { resume, signIn, signOut } from "./service";

/** Where to go after sign-in: a console path only (never another site, never `//host`). */
export const safeNext = (next: unknown) =>
	typeof next === "string" && /^\/console(\/[\w\-/.]*)?$/.test(next) && !next.includes("..") ? next : "/console";

const signInForm = (next: string, failure?: string) =>
	page(
		{ title: "Sign in" },
		html`${failure ? problemBody(failure) : ""}
<form method="post" action="/console/session" class="card narrow">
	<p>Sign in with a secret API key (<code>sk_live_…</code>). The key is exchanged for a session
	that ends after 30 minutes without activity, 8 hours after sign-in, or when the key is revoked;
	it is never stored in this browser.</p>
	<label for="key">Secret key</label>
	<input id="key" name="key" type="password" autocomplete="off" required spellcheck="false">
	<input type="hidden" name="next" value="${next}">
	<button type="submit">Sign in</button>
</form>`,
	);

export const sessionRoutes = new Hono<ConsoleEnv>()
	.get("/sign-in", async (c) => {
		const token = sessionToken(c);
		if (token && (await resume(c.env, token))) return c.redirect("/console", 303);
		return c.html(signInForm(safeNext(c.req.query("next"))));
	})
	.post("/session", async (c) => {
		const form = await c.req.parseBody();
		const next = safeNext(form.next);
		const result = typeof form.key === "string" ? await signIn(c.env, form.key.trim()) : null;
		if (!result) {
			c.status(401);
			return c.html(signInForm(next, "That is not a live secret key of this deployment."));
		}
		setSessionCookie(c, result.token);
		return c.redirect(next, 303);
	})
	.post("/session/delete", requireSession, csrfGuard, async (c) => {
		const token = sessionToken(c);
		if (token) await signOut(c.env, token);
		clearSessionCookie(c);
		return c.redirect("/console/sign-in", 303);
	});
