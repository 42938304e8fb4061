/** The contract of `/consumer/v1/auth`: shoppers without an account of the merchant's, and renewing a session. */
import { createRoute } from "@hono/zod-openapi";
import { guestRateLimit } from "../../http/middleware/rate-limit";
import { empty, errors, json, jsonBody, SECURITY } from "../../http/openapi";
import { refreshBody, sessionSchema } from "./schema";

const tags = ["Consumer"];

export const guest = createRoute({
	method: "post",
	path: "/guest",
	tags,
	summary: "Start a guest session: a new consumer, its access token and its refresh token",
	security: SECURITY.publishable,
	// No request to validate: the limit per client address is all that runs before the handler.
	middleware: [guestRateLimit],
	responses: {
		201: json(sessionSchema),
		...errors({ 429: "Too many guest sessions from this address" }, "publishable"),
	},
});

export const refresh = createRoute({
	method: "post",
	path: "/refresh",
	tags,
	summary: "Exchange a refresh token for a new access token and a new refresh token",
	description:
		"Each refresh token works once. Presenting one that was already exchanged revokes its whole family: the newest refresh token stops working too, and the shopper signs in again. Shares the per-address budget of guest sign-ups.",
	security: SECURITY.publishable,
	middleware: [guestRateLimit],
	request: { body: jsonBody(refreshBody) },
	responses: {
		200: json(sessionSchema),
		...errors({ 401: "Refresh token invalid / expired / reused / revoked" }, "publishable"),
	},
});

export const revoke = createRoute({
	method: "post",
	path: "/revoke",
	tags,
	summary: "Sign out: revoke the refresh token's whole family",
	security: SECURITY.publishable,
	middleware: [guestRateLimit],
	request: { body: jsonBody(refreshBody) },
	responses: { 204: empty(), ...errors({ 401: "Refresh token invalid" }, "publishable") },
});
