/**
 * The sequence rules a shopper's way in is judged by — access (access/gate.ts) and protection
 * (protection/gate.ts) — read from D1 in one indexed join per request: both gates run on every
 * enter, bid and buy-now, and each reading the same row again cost a second D1 query. Kept per
 * isolate for `PUBLIC_SNAPSHOT_MS` (1 s; the D1 read was ≈ 330 µs of an enter's ≈ 3,000): a
 * merchant's change to a sequence's access or protection applies everywhere within that, and at
 * once in the isolate that made it (`forgetPolicies`). With 0 (the test suite) it is read once per
 * request (a WeakMap on the request's context). Owns no table.
 */
import type { sequences } from "../../db/schema";
import { publicSnapshotMs, Snapshots } from "../../lib/snapshot";
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
const perIsolate = new Snapshots<SequencePolicy | undefined>({ maxKeys: 10_000 });

/** After a sequence or distribution changed through this isolate: its next request reads D1 again. */
export const forgetPolicies = () => perIsolate.clear();

/**
 * The distribution's sequence id, access and protection; undefined when the organization has no
 * such distribution. `request` is the request's context: a second gate on it reuses the read.
 */
export function sequencePolicy(
	request: object,
	env: Env,
	organizationId: string,
	type: DistributionType,
	id: string,
): Promise<SequencePolicy | undefined> {
	const d1 = env.DB;
	const ttl = publicSnapshotMs(env);
	if (ttl > 0) return perIsolate.get(`${organizationId}|${type}|${id}`, ttl, () => read(d1, organizationId, type, id));
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
