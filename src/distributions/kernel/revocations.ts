/**
 * Grants the merchant revoked (POST /api/v1/admissions/revoke), by grant id. Owns table
 * `revoked_grants(grant_id, consumer_id, revoked_at)`, created by the kernel's migration list
 * (object.ts); a row stays as long as its object. No alarms. Runs in the caller's transaction.
 */
import type { GrantState } from "./grants";

/** Records `grantId` as revoked; false when it already was (revoking twice changes nothing). */
export function recordRevocation(sql: SqlStorage, grantId: string, consumerId: string | null, now: number): boolean {
	return (
		sql
			.exec(
				"INSERT INTO revoked_grants (grant_id, consumer_id, revoked_at) VALUES (?, ?, ?) ON CONFLICT DO NOTHING RETURNING grant_id",
				grantId,
				consumerId,
				now,
			)
			.toArray().length > 0
	);
}

/** `grant` as the merchant left it: one they revoked reads as revoked, whatever the engine's row says. */
export function withRevocation(sql: SqlStorage, grant: GrantState | null): GrantState | null {
	if (grant?.state !== "live") return grant;
	const hit = sql.exec("SELECT 1 FROM revoked_grants WHERE grant_id = ?", grant.grantId).toArray();
	return hit.length ? { ...grant, state: "revoked" } : grant;
}
