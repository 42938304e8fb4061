/** The contract of `/consumer/v1/auth`: shoppers without an account of the merchant's, and renewing a session. */
import { createRoute } from "@hono/zod-openapi";
import { idempotency } from "../../http/middleware/idempotency";
import { guestRateLimit } from "../../http/middleware/rate-limit";
import { empty, errors, json, jsonBody, optionalJsonBody, SECURITY } from "../../http/openapi";
import { guestBody, refreshBody, sessionSchema } from "./schema";

const tags = ["Consumer"];

export const guest = createRoute({
	method: "post",
	path: "/guest",
	tags,
	summary: "Start a guest session: a new consumer, its access token and its refresh token",
	description:
		"Without a body, as always: no challenge. With `{distributionId}` naming the queue, draw or auction the shopper " +
		"signs up for, that sequence's protection applies first: a proof-of-work challenge for purpose `guest` " +
		"(POST /consumer/v1/challenges/guest; X-Challenge and X-Challenge-Nonce) or a Turnstile token rendered with " +
		"action `guest` (X-Turnstile-Token). A missing or failed one is refused (403) whatever `onFailure` says; " +
		"nothing is created.",
	security: SECURITY.publishable,
	// The limit per client address runs before the body is read.
	middleware: [guestRateLimit],
	request: { body: optionalJsonBody(guestBody) },
	responses: {
		201: json(sessionSchema),
		...errors(
			{
				403: "Challenge required, invalid, expired or already used / Turnstile token required, invalid, expired or already used, verification failed",
				404: "Queue not found / Draw not found / Auction not found",
				429: "Too many guest sessions from this address",
				503: "Turnstile unavailable",
			},
			"publishable",
		),
	},
});

export const refresh = createRoute({
	method: "post",
	path: "/refresh",
	tags,
	summary: "Exchange a refresh token for a new access token and a new refresh token",
	description:
		"Each refresh token works once. Presenting one that was already exchanged revokes its whole family: the newest refresh token stops working too, and the shopper signs in again. Send `X-Idempotency-Key` (the SDK does): a retry under the same key after a lost answer gets that answer again rather than counting as reuse. Shares the per-address budget of guest sign-ups.",
	security: SECURITY.publishable,
	middleware: [guestRateLimit, idempotency] as const,
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
