/**
 * Turnstile in tests: the organization's settings, tokens from the local siteverify
 * (test/support/turnstile.global.ts) and what it received.
 */
import { expect, inject } from "vitest";
import { call, type TestOrg } from "./helpers";

export const DUMMY_TOKEN = "XXXX.DUMMY.TOKEN.XXXX";
/** Cloudflare's published test secret keys. */
export const PASSES = "1x0000000000000000000000000000000AA";
export const FAILS = "2x0000000000000000000000000000000AA";
export const SPENT = "3x0000000000000000000000000000000AA";
export const TEST_SITE_KEY = "1x00000000000000000000AA";

let n = 0;
/** A "real" secret the local siteverify mints tokens for (`prefix` picks a failure mode: 0xDOWN, 0xERROR, 0xGARBAGE). */
export const realSecret = (prefix = "0x") => `${prefix}${Date.now().toString(36)}${(++n).toString(36)}secretAAAA`;

export function putTurnstile(t: TestOrg, body: Record<string, unknown>) {
	return call("/api/v1/organization/turnstile", { method: "PUT", key: t.secretKey, body });
}

export async function setTurnstile(t: TestOrg, secret: string, extra: Record<string, unknown> = {}) {
	const res = await putTurnstile(t, { siteKey: TEST_SITE_KEY, secret, ...extra });
	expect(res.status, res.text).toBe(200);
	return res.json;
}

/** A token the local siteverify passes once, for `secret`. */
export async function mint(secret: string, claims: { hostname?: string; action?: string } = {}): Promise<string> {
	const res = await fetch(`${inject("turnstileUrl")}/mint`, {
		method: "POST",
		body: JSON.stringify({ secret, ...claims }),
	});
	return ((await res.json()) as { token: string }).token;
}

/** The forms siteverify received carrying `token`. */
export async function received(token: string): Promise<Record<string, string>[]> {
	const res = await fetch(`${inject("turnstileUrl")}/requests?response=${encodeURIComponent(token)}`);
	return (await res.json()) as Record<string, string>[];
}
