/**
 * Deleting an experience or a sequence takes its distributions with it (their rows,
 * objects and events) — unless one of them is OPEN, which is a 409.
 */
import { and, eq, inArray } from "drizzle-orm";
import { db } from "../../db/client";
import { distributions, experiences, sequences } from "../../db/schema";
import { deleteDistribution } from "../../distributions/common/service";
import { statusAt } from "../../distributions/common/status";
import type { Tenant } from "../../http/env";
import { conflict } from "../../http/problems";

async function deleteDistributionsOf(env: Env, tenant: Tenant, sequenceIds: string[], what: string) {
	if (!sequenceIds.length) return;
	const rows = await db(env.DB)
		.select()
		.from(distributions)
		.where(
			and(eq(distributions.organizationId, tenant.organizationId), inArray(distributions.sequenceId, sequenceIds)),
		);
	const now = Date.now();
	const open = rows.find((r) => statusAt(r.type, r, now) === "OPEN");
	if (open) throw conflict(`Cannot delete ${what} with an open distribution`, `Close ${open.id} first.`);
	for (const row of rows) await deleteDistribution(env, tenant, row.type, row.id);
}

export async function deleteExperience(env: Env, tenant: Tenant, id: string): Promise<void> {
	const seqs = await db(env.DB)
		.select({ id: sequences.id })
		.from(sequences)
		.where(and(eq(sequences.organizationId, tenant.organizationId), eq(sequences.experienceId, id)));
	await deleteDistributionsOf(
		env,
		tenant,
		seqs.map((s) => s.id),
		"an experience",
	);
	await db(env.DB)
		.delete(experiences)
		.where(and(eq(experiences.organizationId, tenant.organizationId), eq(experiences.id, id)));
}

export async function deleteSequence(env: Env, tenant: Tenant, id: string): Promise<void> {
	await deleteDistributionsOf(env, tenant, [id], "a sequence");
	await db(env.DB)
		.delete(sequences)
		.where(and(eq(sequences.organizationId, tenant.organizationId), eq(sequences.id, id)));
}
