/** Public, unauthenticated endpoints: health, public keys, the OpenAPI document and its reference page. */
import type { OpenAPIHono } from "@hono/zod-openapi";
import { Scalar } from "@scalar/hono-api-reference";
import { jwks } from "../lib/tokens";
import type { AppEnv } from "./env";

/** Where /docs loads the API reference bundle (scripts/docs-assets.mjs puts it under public/). */
const DOCS_SCRIPT = "/docs/scalar.js";

const DOCUMENT = {
	openapi: "3.1.0",
	info: {
		title: "fanfare-edge API",
		version: "1.0.0",
		description:
			"Fanfare-compatible API for high-demand launches: catalog, queues, draws and auctions. " +
			"Errors are RFC 9457 problem details; lists are cursor-paginated; POSTs accept idempotency keys.",
	},
};

const SECURITY_SCHEMES = {
	secretKey: { type: "http", scheme: "bearer", description: "Secret API key sk_live_…" },
	platformToken: { type: "http", scheme: "bearer", description: "The deployment's PLATFORM_ADMIN_TOKEN" },
	publishableKey: { type: "apiKey", in: "header", name: "X-Publishable-Key", description: "pk_live_…" },
	consumerToken: { type: "http", scheme: "bearer", bearerFormat: "JWT", description: "Consumer access token" },
} as const;

const pascal = (text: string) =>
	text
		.split(/[\W_]+/)
		.filter(Boolean)
		.map((w) => w.charAt(0).toUpperCase() + w.slice(1))
		.join("");

/** `getApiV1ProductsById`: a stable operation id from the method and path, for generated clients. */
export function operationId(method: string, path: string): string {
	let id = method.toLowerCase();
	for (const segment of path.split("/")) {
		id += segment.startsWith("{") ? `By${pascal(segment.slice(1, -1))}` : pascal(segment);
	}
	return id;
}

export function mountMeta(app: OpenAPIHono<AppEnv>) {
	app.get("/healthz", (c) => c.json({ status: "ok" }));
	// Public keys for admission grants and consumer tokens; cacheable, rotation adds a key first.
	app.get("/.well-known/jwks.json", async (c) => {
		c.header("Cache-Control", "public, max-age=300");
		return c.json(await jwks(c.env.JWT_SIGNING_KEY));
	});
	// The routes never change while the isolate lives: build the document once.
	let document: ReturnType<typeof app.getOpenAPI31Document> | undefined;
	app.get("/openapi.json", (c) => {
		if (!document) {
			document = app.getOpenAPI31Document(DOCUMENT);
			document.components = { securitySchemes: SECURITY_SCHEMES, ...document.components };
			for (const [path, item] of Object.entries(document.paths ?? {})) {
				for (const [method, op] of Object.entries(item as Record<string, { operationId?: string }>)) {
					op.operationId ??= operationId(method, path);
				}
			}
		}
		return c.json(document);
	});
	// The reference page loads its JS from this worker's static assets (copied from the installed
	// @scalar/api-reference), not a CDN, and the system fonts: it works with no network.
	app.get(
		"/docs",
		Scalar({
			url: "/openapi.json",
			pageTitle: "fanfare-edge API reference",
			cdn: DOCS_SCRIPT,
			withDefaultFonts: false,
		}),
	);
	// Served by the assets router before the worker runs when deployed; this route covers callers that reach the worker directly.
	app.get(DOCS_SCRIPT, (c) => c.env.ASSETS.fetch(c.req.raw));
}
