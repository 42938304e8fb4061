/**
 * The merchant console under `/console`: server-rendered pages signed in with a secret key
 * (session/), acting through the same services as `/api/v1` with the key's organization and
 * scopes. Every page has a strict CSP (scripts and styles from this origin only); every POST
 * passes the Origin check, and once signed in the CSRF token too. Errors are pages, not JSON
 * (except under `*.json`, which answer problem+json like the API).
 */
import { Hono } from "hono";
import { bodyLimit } from "hono/body-limit";
import { ApiError } from "../../http/problems";
import type { ConsoleEnv } from "./env";
import { page, problemBody } from "./layout";
import { distributionRoutes } from "./routes/distributions";
import { experienceRoutes } from "./routes/experiences";
import { keyRoutes } from "./routes/keys";
import { liveRoutes } from "./routes/live";
import { csrfGuard, httpsOnly, requireSession, sameOrigin, securityHeaders } from "./session/middleware";
import { sessionRoutes } from "./session/routes";

/** Forms are small; this is well under the API's 64 KB. */
const MAX_FORM_BYTES = 32 * 1024;

const signedIn = new Hono<ConsoleEnv>()
	.use(requireSession, csrfGuard)
	.get("/", (c) => c.redirect("/console/experiences", 303))
	.route("/settings/api-keys", keyRoutes)
	.route("/", experienceRoutes)
	.route("/distributions", distributionRoutes)
	.route("/distributions", liveRoutes);

export const consoleRoutes = new Hono<ConsoleEnv>()
	// Static files (uPlot, the live view's script, the stylesheet) come from Workers assets.
	.get("/assets/*", (c) => c.env.ASSETS.fetch(c.req.raw))
	.use(securityHeaders(), httpsOnly, sameOrigin)
	.use(
		bodyLimit({
			maxSize: MAX_FORM_BYTES,
			onError: () => {
				throw new ApiError(413, "Payload too large", `Console forms are limited to ${MAX_FORM_BYTES / 1024} KB.`);
			},
		}),
	)
	.route("/", sessionRoutes)
	.route("/", signedIn);

consoleRoutes.notFound((c) => {
	c.status(404);
	return c.html(page({ title: "Not found" }, problemBody(`No console page at ${c.req.path}.`)));
});

consoleRoutes.onError((err, c) => {
	const known = err instanceof ApiError ? err : null;
	if (!known) console.error(`console: unhandled ${err?.name ?? "Error"}: ${String(err?.message).slice(0, 200)}`);
	const problem = known ?? new ApiError(500, "Server error", "Something went wrong on our side; retry later.");
	for (const [name, value] of Object.entries(problem.headers ?? {})) c.header(name, value);
	if (c.req.path.endsWith(".json") || c.req.header("Accept")?.startsWith("application/json")) {
		return c.body(JSON.stringify(problem.toProblem()), problem.status, { "Content-Type": "application/problem+json" });
	}
	c.status(problem.status);
	const session = c.get("session");
	return c.html(page({ title: problem.title, session }, problemBody(problem.detail, problem.errors)));
});
