/**
 * The sequence rules a shopper's way in is judged by — access (access/gate.ts) and protection
 * (protection/gate.ts) — read from D1 in one indexed join per request: both gates run on every
 * enter, bid and buy-now, and each reading the same row again cost a second D1 query. Kept per
 * request only (a WeakMap on the request's context), so a merchant's change applies to the very
 * next request. Owns no table.
 */
import { and, eq } from "drizzle-orm";
import { db } from "../../db/client";
import { distributions, sequences } from "../../db/schema";
import type { DistributionType } from "./status";

const read = (d1: D1Database, organizationId: string, type: DistributionType, id: string) =>
	db(d1)
		.select({ sequenceId: sequences.id, access: sequences.access, protection: sequences.protection })
		.from(distributions)
		.innerJoin(sequences, eq(sequences.id, distributions.sequenceId))
		.where(
			and(eq(distributions.organizationId, organizationId), eq(distributions.id, id), eq(distributions.type, type)),
		)
		.get();

export type SequencePolicy = NonNullable<Awaited<ReturnType<typeof read>>>;

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
