/**
 * The sequence rules a shopper's way in is judged by — access (access/gate.ts) and protection
 * (protection/gate.ts) — read from D1 in one indexed join per request: both gates run on every
 * enter, bid and buy-now, and each reading the same row again cost a second D1 query. Kept per
 * request only (a WeakMap on the request's context), so a merchant's change applies to the very
 * next request. Owns no table.
 */
import type { sequences } from "../../db/schema";
import type { DistributionType } from "./status";

type Sequence = typeof sequences.$inferSelect;

export interface SequencePolicy {
	sequenceId: string;
	access: Sequence["access"];
	protection: Sequence["protection"];
}

/**
 * One prepared statement, not a drizzle query: building the query object on every enter
 * and bid cost more than the lookup itself (issue 18). The join is the one the schema indexes.
 */
const SQL = `SELECT s.id AS sequenceId, s.access AS access, s.protection AS protection
	FROM distributions d INNER JOIN sequences s ON s.id = d.sequence_id
	WHERE d.organization_id = ?1 AND d.id = ?2 AND d.type = ?3`;

async function read(
	d1: D1Database,
	organizationId: string,
	type: DistributionType,
	id: string,
): Promise<SequencePolicy | undefined> {
	const row = await d1
		.prepare(SQL)
		.bind(organizationId, id, type)
		.first<{ sequenceId: string; access: Sequence["access"]; protection: string }>();
	return row ? { sequenceId: row.sequenceId, access: row.access, protection: JSON.parse(row.protection) } : undefined;
}

const perRequest = new WeakMap<object, Map<string, Promise<SequencePolicy | undefined>>>();

/**
 * The distribution's sequence id, access and protection; undefined when the organization has no
 * such distribution. `request` is the request's context: a second gate on it reuses the read.
 */
export function sequencePolicy(
	request: object,
	d1: D1Database,
	organizationId: string,
	type: DistributionType,
	id: string,
): Promise<SequencePolicy | undefined> {
	let reads = perRequest.get(request);
	if (!reads) {
		reads = new Map();
		perRequest.set(request, reads);
	}
	const key = `${organizationId}|${type}|${id}`;
	let hit = reads.get(key);
	if (!hit) {
		hit = read(d1, organizationId, type, id);
		reads.set(key, hit);
	}
	return hit;
}
