/** Public, unauthenticated endpoints: health, the OpenAPI document and its reference page. */
import { Scalar } from "@scalar/hono-api-reference";
import type { Hono } from "hono";
import { openAPIRouteHandler } from "hono-openapi";
import { jwks } from "../lib/tokens";
import type { AppEnv } from "./env";

export function mountMeta(app: Hono<AppEnv>) {
	app.get("/healthz", (c) => c.json({ status: "ok" }));
	// Public keys for admission grants and consumer tokens; cacheable, rotation adds a key first.
	app.get("/.well-known/jwks.json", async (c) => {
		c.header("Cache-Control", "public, max-age=300");
		return c.json(await jwks(c.env.JWT_SIGNING_KEY));
	});
	app.get(
		"/openapi.json",
		openAPIRouteHandler(app, {
			documentation: {
				openapi: "3.1.0",
				info: {
					title: "fanfare-edge API",
					version: "1.0.0",
					description:
						"Fanfare-compatible API for high-demand launches: catalog, queues, draws and auctions. " +
						"Errors are RFC 9457 problem details; lists are cursor-paginated; POSTs accept idempotency keys.",
				},
				components: {
					securitySchemes: {
						secretKey: { type: "http", scheme: "bearer", description: "Secret API key sk_live_…" },
						platformToken: { type: "http", scheme: "bearer", description: "The deployment's PLATFORM_ADMIN_TOKEN" },
						publishableKey: { type: "apiKey", in: "header", name: "X-Publishable-Key", description: "pk_live_…" },
						consumerToken: {
							type: "http",
							scheme: "bearer",
							bearerFormat: "JWT",
							description: "Consumer access token",
						},
					},
				},
			},
			exclude: ["/openapi.json", "/docs", "/healthz", "/.well-known/jwks.json"],
		}),
	);
	app.get("/docs", Scalar({ url: "/openapi.json", pageTitle: "fanfare-edge API reference" }));
}
