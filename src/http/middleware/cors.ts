/**
 * CORS for the consumer API: any storefront origin may call it (the publishable key and the
 * shopper's token are the credentials, never cookies).
 *
 * Why not `hono/cors`: it sets its headers through `c.res` before the handler runs, which
 * makes Hono build a placeholder Response and then copy it into the real one — two extra
 * Response objects on every shopper request, the hottest path there is (bench/README.md).
 * Headers set with `c.header()` go straight into the one response the handler builds.
 */
import { createMiddleware } from "hono/factory";

const ALLOW_HEADERS = [
	"Content-Type",
	"Authorization",
	"X-Publishable-Key",
	"X-Queue-Ticket",
	"X-Idempotency-Key",
	"Idempotency-Key",
].join(",");
const EXPOSE_HEADERS = [
	"X-Request-Id",
	"Retry-After",
	"RateLimit-Limit",
	"RateLimit-Remaining",
	"RateLimit-Reset",
].join(",");
const ALLOW_METHODS = "GET,HEAD,PUT,POST,DELETE,PATCH";
const MAX_AGE_SECONDS = "86400";

export const openCors = createMiddleware(async (c, next) => {
	c.header("Access-Control-Allow-Origin", "*");
	if (c.req.method === "OPTIONS") {
		return c.body(null, 204, {
			"Access-Control-Allow-Methods": ALLOW_METHODS,
			"Access-Control-Allow-Headers": ALLOW_HEADERS,
			"Access-Control-Max-Age": MAX_AGE_SECONDS,
		});
	}
	c.header("Access-Control-Expose-Headers", EXPOSE_HEADERS);
	await next();
});
