/**
 * What a console session is: a secret API key exchanged (once, at sign-in) for a random token
 * kept in an HttpOnly cookie. The token is stored as its SHA-256; the key itself is never stored
 * nor sent back. A session ends after `IDLE_MS` without a request (sliding), after `ABSOLUTE_MS`
 * in any case, at sign-out, and as soon as its key is revoked. Each request acts with the key's
 * organization and its scopes as they are now, so the console can do exactly what the key can.
 */
import type { Tenant } from "../../../http/env";
import { findActiveKey } from "../../../http/middleware/auth";
import { randomToken, sha256Hex } from "../../../lib/crypto";
import { canonicalScopes } from "../../../platform/api-keys/scopes";
import { deleteSession, findLiveSession, insertSession, touchSession } from "./repo";

/** Sliding idle limit: 30 minutes. */
export const IDLE_MS = 30 * 60_000;
/** Absolute limit from sign-in: 8 hours. */
export const ABSOLUTE_MS = 8 * 3_600_000;
/** The sliding expiry is written at most once a minute per session. */
const TOUCH_GRANULARITY_MS = 60_000;
const TOKEN_LENGTH = 43;
const KEY_SHAPE = /^sk_live_[A-Za-z0-9]{32}$/;

export interface ConsoleSession {
	tenant: Tenant;
	/** Shown in the header so the merchant knows which key they act as. */
	keyPrefix: string;
	/** Sent back with every state-changing form: a page of another origin cannot know it. */
	csrf: string;
	expiresAt: number;
}

const tokenHash = (token: string) => sha256Hex(`console-session|${token}`);
/** Per session, derived from the secret token: nothing to store, nothing a cross-site page can read. */
export const csrfOf = (token: string) => sha256Hex(`console-csrf|${token}`);

/** A new session for a live secret key, or null (any other string, a publishable key, a revoked key). */
export async function signIn(env: Env, key: string, now = Date.now()): Promise<{ token: string } | null> {
	if (!KEY_SHAPE.test(key)) return null;
	const row = await findActiveKey(env.DB, key);
	if (row?.type !== "secret") return null;
	const token = randomToken(TOKEN_LENGTH);
	await insertSession(env.DB, {
		tokenHash: await tokenHash(token),
		organizationId: row.organization_id,
		apiKeyId: row.id,
		now,
		expiresAt: now + Math.min(IDLE_MS, ABSOLUTE_MS),
	});
	return { token };
}

/** The session of this cookie value, its expiry slid forward; null once it ended. */
export async function resume(env: Env, token: string, now = Date.now()): Promise<ConsoleSession | null> {
	if (!/^[A-Za-z0-9]{43}$/.test(token)) return null;
	const hash = await tokenHash(token);
	const row = await findLiveSession(env.DB, hash, now);
	if (!row || now - row.createdAt >= ABSOLUTE_MS) return null;
	let expiresAt = row.expiresAt;
	if (now - row.lastSeenAt >= TOUCH_GRANULARITY_MS) {
		expiresAt = Math.min(now + IDLE_MS, row.createdAt + ABSOLUTE_MS);
		await touchSession(env.DB, hash, now, expiresAt);
	}
	return {
		tenant: {
			organizationId: row.organizationId,
			defaultTimeZone: row.defaultTimeZone,
			apiKeyId: row.apiKeyId,
			scopes: canonicalScopes(JSON.parse(row.scopes) as string[]),
		},
		keyPrefix: row.keyPrefix,
		csrf: await csrfOf(token),
		expiresAt,
	};
}

export async function signOut(env: Env, token: string): Promise<void> {
	if (/^[A-Za-z0-9]{43}$/.test(token)) await deleteSession(env.DB, await tokenHash(token));
}
