/** Public, unauthenticated endpoints: health, the OpenAPI document and its reference page. */
import { Scalar } from "@scalar/hono-api-reference";
import type { Hono } from "hono";
import { openAPIRouteHandler } from "hono-openapi";
import type { AppEnv } from "../env";

export function mountMeta(app: Hono<AppEnv>) {
	app.get("/healthz", (c) => c.json({ status: "ok" }));
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
					},
				},
			},
			exclude: ["/openapi.json", "/docs", "/healthz"],
		}),
	);
	app.get("/docs", Scalar({ url: "/openapi.json", pageTitle: "fanfare-edge API reference" }));
}
