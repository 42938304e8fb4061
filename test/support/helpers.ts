/**
 * The core of every suite: requests through the real worker (Hono app, D1, Durable Objects),
 * fresh tenants with their keys, an experience and sequence to hang distributions on, and
 * guest consumers. Nothing is mocked.
 */
import { env, exports } from "cloudflare:workers";
import { expect } from "vitest";

export const BASE = "https://fanfare.test";

export interface CallOptions {
	method?: string;
	key?: string | null;
	body?: unknown;
	/** Sent as-is instead of JSON.stringify(body). */
	raw?: string;
	headers?: Record<string, string>;
}

export async function call(path: string, opts: CallOptions = {}) {
	const headers = new Headers(opts.headers);
	if (opts.key) headers.set("Authorization", `Bearer ${opts.key}`);
	let body: string | undefined;
	if (opts.raw !== undefined) body = opts.raw;
	else if (opts.body !== undefined) {
		body = JSON.stringify(opts.body);
		if (!headers.has("Content-Type")) headers.set("Content-Type", "application/json");
	}
	// A redirect is answered, not followed: the test sees what the API sent (a Request would follow it through the worker).
	const res = await exports.default.fetch(
		new Request(`${BASE}${path}`, {
			method: opts.method ?? (body ? "POST" : "GET"),
			headers,
			body,
			redirect: "manual",
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

/** What `call` answers. */
export type Res = Awaited<ReturnType<typeof call>>;

export interface TestOrg {
	organizationId: string;
	secretKey: string;
	publishableKey: string;
}

let orgCounter = 0;

/** A fresh tenant with its keys, created through the operator API. */
export async function createOrg(defaultTimeZone = "UTC"): Promise<TestOrg> {
	const res = await call("/platform/v1/organizations", {
		key: env.PLATFORM_ADMIN_TOKEN,
		body: { name: `Test Org ${++orgCounter}`, defaultTimeZone },
	});
	if (res.status !== 201) throw new Error(`createOrg failed: ${res.status} ${res.text}`);
	return {
		organizationId: res.json.organization.id,
		secretKey: res.json.secretKey.key,
		publishableKey: res.json.publishableKey.key,
	};
}

/** Counts rows straight from D1, to prove a rejected request stored nothing. */
export async function countRows(table: string, organizationId: string): Promise<number> {
	const row = await env.DB.prepare(`SELECT COUNT(*) AS n FROM ${table} WHERE organization_id = ?`)
		.bind(organizationId)
		.first<{ n: number }>();
	return row?.n ?? 0;
}

/** How many organizations D1 holds (all tenants of the test file). */
export async function countOrganizations(): Promise<number> {
	const row = await env.DB.prepare("SELECT COUNT(*) AS n FROM organizations").first<{ n: number }>();
	return row?.n ?? 0;
}

export interface Tenant extends TestOrg {
	experienceId: string;
	sequenceId: string;
}

export interface Shopper {
	consumerId: string;
	accessToken: string;
	/** Guests and merchant-issued sessions carry one (POST /consumer/v1/auth/refresh). */
	refreshToken?: string;
}

/** A new experience of `org` ("Launch", plus `experience`) with one sequence ("Main", plus `sequence`). */
export async function launch(
	org: TestOrg,
	experience: Record<string, unknown> = {},
	sequence: Record<string, unknown> = {},
) {
	const exp = await call("/api/v1/experiences", { key: org.secretKey, body: { name: "Launch", ...experience } });
	expect(exp.status, exp.text).toBe(201);
	const seq = await call(`/api/v1/experiences/${exp.json.id}/sequences`, {
		key: org.secretKey,
		body: { name: "Main", ...sequence },
	});
	expect(seq.status, seq.text).toBe(201);
	return { experienceId: exp.json.id as string, sequenceId: seq.json.id as string };
}

/** A fresh organization with one experience and sequence to hang distributions on. */
export async function tenant(defaultTimeZone?: string): Promise<Tenant> {
	const org = await createOrg(defaultTimeZone);
	return { ...org, ...(await launch(org)) };
}

/** A guest consumer and its access token, through the consumer API. */
export async function guest(t: TestOrg): Promise<Shopper> {
	const res = await call("/consumer/v1/auth/guest", {
		method: "POST",
		headers: { "X-Publishable-Key": t.publishableKey },
	});
	expect(res.status, res.text).toBe(201);
	return { consumerId: res.json.consumerId, accessToken: res.json.accessToken, refreshToken: res.json.refreshToken };
}

/** POST /consumer/v1/auth/refresh (or /revoke) with this body, as the shopper's page sends it. */
export const refreshCall = (t: TestOrg, body: unknown, action: "refresh" | "revoke" = "refresh") =>
	call(`/consumer/v1/auth/${action}`, { body, headers: { "X-Publishable-Key": t.publishableKey } });

/** `n` guests, created in parallel batches. */
export async function guests(t: TestOrg, n: number, batch = 100): Promise<Shopper[]> {
	const out: Shopper[] = [];
	while (out.length < n) {
		const size = Math.min(batch, n - out.length);
		out.push(...(await Promise.all(Array.from({ length: size }, () => guest(t)))));
	}
	return out;
}

/** A new access token for an existing consumer, issued by the merchant. */
export async function issueToken(t: TestOrg, consumerId: string): Promise<string> {
	const res = await call(`/api/v1/consumers/${consumerId}/tokens`, { key: t.secretKey, method: "POST" });
	expect(res.status, res.text).toBe(201);
	return res.json.accessToken;
}
