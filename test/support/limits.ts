/**
 * The worker with the real budgets: the suite raises every consumer budget, the live-socket caps
 * and the breaker (vitest.config.ts) and serves no public snapshots; the limits tests call the
 * real worker with an env that drops those overrides, so the defaults in budgets.ts apply.
 */
import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import worker from "../../src/worker";
import { BASE, type TestOrg } from "./helpers";
import type { Fetcher } from "./live";

/** What vitest.config.ts overrides for the suite: every budget, socket cap and the breaker, and the snapshot age. */
const overridden = (name: string) => /^(LIMIT_|LIVE_SOCKETS_|BREAKER_)/.test(name) || name === "PUBLIC_SNAPSHOT_MS";

/** The suite's env without its raised limits (the defaults apply), plus `overrides`. */
export function realEnv(overrides: Record<string, string> = {}): Env {
	const e: Record<string, unknown> = { ...env };
	for (const name of Object.keys(e).filter(overridden)) delete e[name];
	return { ...e, ...overrides } as unknown as Env;
}

/** A fetch through the real worker with `e`. */
export const fetcherWith =
	(e: Env): Fetcher =>
	async (request) => {
		const ctx = createExecutionContext();
		const res = await worker.fetch(request, e, ctx);
		await waitOnExecutionContext(ctx);
		return res;
	};

export interface RealCall {
	method?: string;
	token?: string | null;
	/** CF-Connecting-IP, as Cloudflare's edge sets it. */
	ip?: string;
	body?: unknown;
	headers?: Record<string, string>;
}

/** A consumer-API call (`/consumer/v1` + path) through the worker with env `e`. */
export async function consumerVia(e: Env, t: TestOrg, path: string, o: RealCall = {}) {
	const headers: Record<string, string> = { "X-Publishable-Key": t.publishableKey, ...o.headers };
	if (o.token) headers.Authorization = `Bearer ${o.token}`;
	if (o.ip) headers["CF-Connecting-IP"] = o.ip;
	if (o.body !== undefined) headers["Content-Type"] = "application/json";
	const res = await fetcherWith(e)(
		new Request(`${BASE}/consumer/v1${path}`, {
			method: o.method ?? (o.body === undefined ? "GET" : "POST"),
			headers,
			body: o.body === undefined ? undefined : JSON.stringify(o.body),
		}),
	);
	const text = await res.text();
	let json: any = null;
	try {
		json = text ? JSON.parse(text) : null;
	} catch {
		json = null;
	}
	return { status: res.status, headers: res.headers, json, text };
}

/** The n-th address inside one IPv6 /64 (2001:db8:aa:bb::/64 unless `prefix` names another). */
export const inSlash64 = (n: number, prefix = "2001:db8:aa:bb") =>
	`${prefix}:${(n >> 16) & 0xffff ? ((n >> 16) & 0xffff).toString(16) : "0"}:${(n & 0xffff).toString(16)}:1:${(n % 7).toString(16)}`;
