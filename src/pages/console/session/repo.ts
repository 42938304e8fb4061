/**
 * Console sessions in D1 (`console_sessions`, migration 0011). A row is found only while its
 * API key is unrevoked and it has not expired, so revoking the key ends every session it opened.
 */

export interface SessionRow {
	organizationId: string;
	defaultTimeZone: string;
	apiKeyId: string;
	keyPrefix: string;
	scopes: string;
	createdAt: number;
	lastSeenAt: number;
	expiresAt: number;
}

export interface NewSession {
	tokenHash: string;
	organizationId: string;
	apiKeyId: string;
	now: number;
	expiresAt: number;
}

export async function insertSession(d1: D1Database, s: NewSession): Promise<void> {
	await d1
		.prepare(
			`INSERT INTO console_sessions (token_hash, organization_id, api_key_id, created_at, last_seen_at, expires_at)
			 VALUES (?, ?, ?, ?, ?, ?)`,
		)
		.bind(s.tokenHash, s.organizationId, s.apiKeyId, s.now, s.now, s.expiresAt)
		.first();
}

/** The live session with this token hash, with its key's scopes and organization; null otherwise. */
export const findLiveSession = (d1: D1Database, tokenHash: string, now: number) =>
	d1
		.prepare(
			`SELECT s.organization_id AS organizationId, o.default_time_zone AS defaultTimeZone, s.api_key_id AS apiKeyId,
			        k.prefix AS keyPrefix, k.scopes AS scopes, s.created_at AS createdAt, s.last_seen_at AS lastSeenAt,
			        s.expires_at AS expiresAt
			   FROM console_sessions s
			   JOIN api_keys k ON k.id = s.api_key_id AND k.organization_id = s.organization_id
			   JOIN organizations o ON o.id = s.organization_id
			  WHERE s.token_hash = ? AND s.expires_at > ? AND k.revoked_at IS NULL AND k.type = 'secret'`,
		)
		.bind(tokenHash, now)
		.first<SessionRow>();

export async function touchSession(d1: D1Database, tokenHash: string, now: number, expiresAt: number): Promise<void> {
	await d1
		.prepare("UPDATE console_sessions SET last_seen_at = ?, expires_at = ? WHERE token_hash = ?")
		.bind(now, expiresAt, tokenHash)
		.run();
}

export async function deleteSession(d1: D1Database, tokenHash: string): Promise<void> {
	await d1.prepare("DELETE FROM console_sessions WHERE token_hash = ?").bind(tokenHash).run();
}

/** Expired rows and rows of revoked keys: nothing can use them any more. */
export async function purgeSessions(d1: D1Database, now: number): Promise<void> {
	await d1
		.prepare(
			`DELETE FROM console_sessions WHERE expires_at <= ?
			    OR api_key_id IN (SELECT id FROM api_keys WHERE revoked_at IS NOT NULL)`,
		)
		.bind(now)
		.run();
}
