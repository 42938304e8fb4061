/**
 * Experiences: their products must be the organization's, every change is published as an
 * event, and deleting one takes its sequences and their distributions with it — unless one of
 * them is OPEN, which is a 409.
 */
import type { z } from "zod";
import { firstUnknownProduct } from "../../catalog/products/repo";
import { publishChange } from "../../events/publish";
import type { Tenant } from "../../http/env";
import { fieldError } from "../../http/problems";
import { sequenceIdsOf } from "../sequences/repo";
import { deleteDistributionsOf } from "../sequences/service";
import { deleteExperienceRow, insertExperience, toExperience, updateExperienceRow } from "./repo";
import type { createExperienceBody, updateExperienceBody } from "./schema";

type Row = ReturnType<typeof toExperience>;

async function checkProductIds(env: Env, organizationId: string, ids: string[] | undefined) {
	const missing = ids ? await firstUnknownProduct(env.DB, organizationId, ids) : -1;
	if (missing >= 0) throw fieldError(`productIds.${missing}`, "Unknown product");
}

export async function createExperience(env: Env, organizationId: string, input: z.infer<typeof createExperienceBody>) {
	await checkProductIds(env, organizationId, input.productIds);
	const row = await insertExperience(env.DB, organizationId, input);
	return publishChange(env.EVENTS, organizationId, "experience.created", toExperience(row));
}

/** The updated experience, or undefined when there is none with this id. */
export async function updateExperience(
	env: Env,
	organizationId: string,
	id: string,
	input: z.infer<typeof updateExperienceBody>,
) {
	await checkProductIds(env, organizationId, input.productIds);
	const row = await updateExperienceRow(env.DB, organizationId, id, input);
	return row && publishChange(env.EVENTS, organizationId, "experience.updated", toExperience(row));
}

export async function deleteExperience(env: Env, tenant: Tenant, experience: Row): Promise<void> {
	const sequenceIds = await sequenceIdsOf(env.DB, tenant.organizationId, experience.id);
	await deleteDistributionsOf(env, tenant, sequenceIds, "an experience");
	await deleteExperienceRow(env.DB, tenant.organizationId, experience.id);
	await publishChange(env.EVENTS, tenant.organizationId, "experience.deleted", experience);
}
