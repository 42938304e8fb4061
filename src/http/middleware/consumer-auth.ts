/**
 * The consumer API's credentials: the merchant's publishable key names the
 * organization (`X-Publishable-Key`, or `?key=` where a browser cannot set headers,
 * as for WebSockets), and a consumer access token proves the shopper
 * (`Authorization: Bearer`, or `?token=`).
 */
import { createMiddleware } from "hono/factory";
import { verifyToken } from "../../lib/tokens";
import type { ConsumerEnv } from "../env";
import { forbidden, unauthorized } from "../problems";
import { bearerToken, findActiveKey } from "./auth";

/**
 * Publishable keys are looked up once a minute per isolate: shopper traffic is the hot
 * path, and a publishable key grants nothing secret. A revoked one stops working
 * within that minute.
 */
const KEY_CACHE_MS = 60_000;
const keyCache = new Map<string, { until: number; row: Awaited<ReturnType<typeof findActiveKey>> }>();

async function publishableKeyRow(d1: D1Database, key: string) {
	const hit = keyCache.get(key);
	const now = Date.now();
	if (hit && hit.until > now) return hit.row;
	const row = /^(pk|sk)_live_[A-Za-z0-9]{32}$/.test(key) ? await findActiveKey(d1, key) : null;
	if (keyCache.size > 10_000) keyCache.clear();
	keyCache.set(key, { until: now + KEY_CACHE_MS, row });
	return row;
}

export const publishableKeyAuth = createMiddleware<ConsumerEnv>(async (c, next) => {
	const key = c.req.header("X-Publishable-Key") ?? c.req.query("key");
	if (!key) throw unauthorized("Provide your publishable key: X-Publishable-Key: pk_live_….");
	const row = await publishableKeyRow(c.env.DB, key);
	if (!row) throw unauthorized("The publishable key is not valid or has been revoked.");
	if (row.type !== "publishable") throw forbidden("Never send a secret key from a browser; use a publishable key.");
	c.set("tenant", {
		organizationId: row.organization_id,
		defaultTimeZone: row.default_time_zone,
		apiKeyId: row.id,
		scopes: [],
	});
	await next();
});

/** The access token's consumer must belong to the publishable key's organization. */
export const consumerTokenAuth = createMiddleware<ConsumerEnv>(async (c, next) => {
	const token = bearerToken(c.req.header("Authorization")) ?? c.req.query("token");
	if (!token) throw unauthorized("Provide the consumer's access token: Authorization: Bearer <token>.");
	const claims = await verifyToken(c.env.JWT_SIGNING_KEY, token, "consumer");
	if (!claims || claims.org !== c.get("tenant").organizationId) {
		throw unauthorized("The access token is not valid, has expired, or belongs to another organization.");
	}
	c.set("consumerId", claims.sub);
	c.set("vouched", claims.vouched === true);
	c.set("sessionId", claims.sid ?? null);
	await next();
});
