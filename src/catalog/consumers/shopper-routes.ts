/** The contract of `/consumer/v1/auth`: shoppers without an account of the merchant's. */
import { createRoute } from "@hono/zod-openapi";
import { guestRateLimit } from "../../http/middleware/rate-limit";
import { errors, json, SECURITY } from "../../http/openapi";
import { accessTokenSchema } from "./schema";

export const guest = createRoute({
	method: "post",
	path: "/guest",
	tags: ["Consumer"],
	summary: "Start a guest session: a new consumer and its access token",
	security: SECURITY.publishable,
	// No request to validate: the limit per client address is all that runs before the handler.
	middleware: [guestRateLimit],
	responses: {
		201: json(accessTokenSchema),
		...errors({ 429: "Too many guest sessions from this address" }, "publishable"),
	},
});
