/**
 * The console's guards, each one concern: security headers on every page, the session cookie
 * (resolved to the key's tenant), the same-origin check and the per-session CSRF token on every
 * state-changing request. SameSite=Strict already keeps the cookie off cross-site requests;
 * the Origin and token checks hold even where a browser ignores it.
 */

import type { Context } from "hono";
import { deleteCookie, getCookie, setCookie } from "hono/cookie";
import { createMiddleware } from "hono/factory";
import { ApiError, forbidden, unauthorized } from "../../../http/problems";
import { timingSafeEqual } from "../../../lib/crypto";
import type { ConsoleEnv } from "../env";
import { resume } from "./service";

/** Plain http is allowed for these hosts only (local development); the cookie is then not `Secure`. */
const LOOPBACK = new Set(["localhost", "127.0.0.1", "[::1]"]);
export const SECURE_COOKIE = "__Host-fanfare_console";
export const LOCAL_COOKIE = "fanfare_console";

/** Whether this request may carry a session at all: https, or http on loopback. */
export function transportOf(c: Context): "secure" | "local" | "refused" {
	const url = new URL(c.req.url);
	if (url.protocol === "https:") return "secure";
	return LOOPBACK.has(url.hostname) ? "local" : "refused";
}

const cookieName = (c: Context) => (transportOf(c) === "secure" ? SECURE_COOKIE : LOCAL_COOKIE);

/** A browser-session cookie (no Max-Age): the server's expiry is what counts. */
export function setSessionCookie(c: Context, token: string) {
	const secure = transportOf(c) === "secure";
	setCookie(c, cookieName(c), token, {
		httpOnly: true,
		secure,
		sameSite: "Strict",
		path: "/",
	});
}

export const sessionToken = (c: Context) => getCookie(c, cookieName(c)) ?? null;
export const clearSessionCookie = (c: Context) =>
	deleteCookie(c, cookieName(c), { path: "/", secure: transportOf(c) === "secure" });

export interface SecurityOptions {
	/** Extra `connect-src` beyond 'self' (none by default). */
	connect?: string;
}

/** Strict CSP (scripts and styles from this origin only, no inline code), no framing, no caching, no referrer. */
export const securityHeaders = (options: SecurityOptions = {}) =>
	createMiddleware(async (c, next) => {
		await next();
		c.header(
			"Content-Security-Policy",
			[
				"default-src 'none'",
				"script-src 'self'",
				"style-src 'self'",
				"img-src 'self' data:",
				`connect-src 'self'${options.connect ? ` ${options.connect}` : ""}`,
				"form-action 'self'",
				"frame-ancestors 'none'",
				"base-uri 'none'",
			].join("; "),
		);
		c.header("X-Content-Type-Options", "nosniff");
		c.header("X-Frame-Options", "DENY");
		// Not no-referrer: under it Chromium sends `Origin: null` on a same-origin form post, and the
		// same-origin check below refuses every sign-in. same-origin still sends nothing to other sites.
		c.header("Referrer-Policy", "same-origin");
		c.header("Cache-Control", "no-store");
	});

/**
 * The console over plain http (not loopback): a page is sent to its https address, anything else is
 * a 400, before a form could send a secret key in the clear or a cookie be read. Browsers then keep
 * to https for a year (HSTS, set on every secure answer).
 */
export const httpsOnly = createMiddleware(async (c, next) => {
	const transport = transportOf(c);
	if (transport === "refused") {
		if (c.req.method !== "GET" && c.req.method !== "HEAD") {
			throw new ApiError(400, "Use https", "The console answers over https only.");
		}
		const url = new URL(c.req.url);
		url.protocol = "https:";
		return c.redirect(url.toString(), 308);
	}
	await next();
	if (transport === "secure") c.header("Strict-Transport-Security", "max-age=31536000");
});

/** State-changing requests must come from a page of this origin (the Origin header, which browsers always send on POST). */
export const sameOrigin = createMiddleware(async (c, next) => {
	if (c.req.method !== "GET" && c.req.method !== "HEAD") {
		const origin = c.req.header("Origin");
		if (!origin || origin !== new URL(c.req.url).origin) {
			throw forbidden("Cross-origin requests to the console are refused.");
		}
	}
	await next();
});

/** The signed-in session, or: a page → redirect to sign-in; a JSON call → 401. */
export const requireSession = createMiddleware<ConsoleEnv>(async (c, next) => {
	const token = sessionToken(c);
	const session = token ? await resume(c.env, token) : null;
	if (!session) {
		if (token) clearSessionCookie(c);
		if (c.req.method === "GET" && !c.req.path.endsWith(".json")) {
			const next = encodeURIComponent(c.req.path);
			return c.redirect(`/console/sign-in?next=${next}`, 303);
		}
		throw unauthorized("Sign in to the console again: the session has ended.");
	}
	c.set("session", session);
	c.set("tenant", session.tenant);
	await next();
});

/** After `requireSession`: a POST carries the session's CSRF token (form field `_csrf` or `X-CSRF-Token`). */
export const csrfGuard = createMiddleware<ConsoleEnv>(async (c, next) => {
	if (c.req.method !== "GET" && c.req.method !== "HEAD") {
		let sent = c.req.header("X-CSRF-Token");
		if (
			!sent &&
			/^(application\/x-www-form-urlencoded|multipart\/form-data)/i.test(c.req.header("Content-Type") ?? "")
		) {
			const field = (await c.req.parseBody())._csrf;
			sent = typeof field === "string" ? field : undefined;
		}
		if (!sent || !timingSafeEqual(sent, c.get("session").csrf)) {
			throw new ApiError(403, "Permission denied", "The form has expired or did not come from the console; reload it.");
		}
	}
	await next();
});
