/**
 * Bearer-key authentication for the merchant API and the operator API.
 * Keys are looked up by their SHA-256; the plaintext is never stored.
 */
import { createMiddleware } from "hono/factory";
import { sha256Hex, timingSafeEqual } from "../../lib/crypto";
import { cachedKey, rememberKey } from "../../lib/key-cache";
import { canonicalScopes, missingScope } from "../../platform/api-keys/scopes";
import type { AppEnv } from "../env";
import { forbidden, unauthorized } from "../problems";

/** lastUsedAt is a hint for the merchant, so it is written at most once a minute per key. */
const LAST_USED_GRANULARITY_MS = 60_000;

export function bearerToken(header: string | undefined): string | null {
	const match = header?.match(/^Bearer\s+(\S+)\s*$/i);
	return match ? match[1] : null;
}

interface KeyRow {
	id: string;
	type: "secret" | "publishable";
	key_hash: string;
	/** JSON array of scopes. */
	scopes: string;
	last_used_at: number | null;
	organization_id: string;
	default_time_zone: string;
}

/** The active key with this plaintext, with its organization, or null. */
export async function findActiveKey(d1: D1Database, key: string): Promise<KeyRow | null> {
	const hash = await sha256Hex(key);
	// A per-isolate cache of a few seconds; revocation is honoured within them (src/lib/key-cache.ts).
	// The hit is compared like a row from D1: every path to a key goes through timingSafeEqual.
	const cached = cachedKey<KeyRow>(hash);
	if (cached) return timingSafeEqual(cached.key_hash, hash) ? cached : null;
	const row = await d1
		.prepare(
			`SELECT k.id, k.type, k.key_hash, k.scopes, k.last_used_at, k.organization_id, o.default_time_zone
			   FROM api_keys k JOIN organizations o ON o.id = k.organization_id
			  WHERE k.key_hash = ? AND k.revoked_at IS NULL`,
		)
		.bind(hash)
		.first<KeyRow>();
	if (!row || !timingSafeEqual(row.key_hash, hash)) return null;
	rememberKey(hash, row);
	return row;
}

/** `/api/v1/*`: a live secret key. A publishable key is recognised and refused with 403. */
export const secretKeyAuth = createMiddleware<AppEnv>(async (c, next) => {
	const key = bearerToken(c.req.header("Authorization"));
	if (!key) throw unauthorized();
	const row = /^(sk|pk)_live_[A-Za-z0-9]{32}$/.test(key) ? await findActiveKey(c.env.DB, key) : null;
	if (!row) throw unauthorized("The API key is not valid or has been revoked.");
	if (row.type !== "secret") throw forbidden("Publishable keys cannot call the admin API; use a secret key.");
	c.set("tenant", {
		organizationId: row.organization_id,
		defaultTimeZone: row.default_time_zone,
		apiKeyId: row.id,
		scopes: canonicalScopes(JSON.parse(row.scopes) as string[]),
	});
	const now = Date.now();
	if (!row.last_used_at || now - row.last_used_at > LAST_USED_GRANULARITY_MS) {
		row.last_used_at = now; // the cached row too: one write a minute, not one per cached hit
		c.executionCtx.waitUntil(
			c.env.DB.prepare("UPDATE api_keys SET last_used_at = ? WHERE id = ?").bind(now, row.id).run(),
		);
	}
	await next();
});

/** After `secretKeyAuth`: the key's scopes must cover the resource (and, for a GET, `read` does). */
export const scopeGuard = createMiddleware<AppEnv>(async (c, next) => {
	const missing = missingScope(c.get("tenant").scopes, c.req.method, c.req.path);
	if (missing) {
		throw forbidden(`This API key lacks the "${missing}" scope needed for ${c.req.method} ${c.req.path}.`, [
			{ path: "scopes", message: `Missing scope: ${missing}` },
		]);
	}
	await next();
});

/** `/platform/v1/*`: the operator's PLATFORM_ADMIN_TOKEN, compared in constant time. */
export const platformAuth = createMiddleware<AppEnv>(async (c, next) => {
	const token = bearerToken(c.req.header("Authorization"));
	const expected = c.env.PLATFORM_ADMIN_TOKEN;
	if (!token || !expected || !timingSafeEqual(await sha256Hex(token), await sha256Hex(expected))) {
		throw unauthorized("Provide the platform admin token: Authorization: Bearer <PLATFORM_ADMIN_TOKEN>.");
	}
	await next();
});
