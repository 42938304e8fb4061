/**
 * Sequences: their product must be one of the organization's, every change is published as an
 * event, and deleting one takes its distributions with it (their rows, objects and events) —
 * unless one of them is OPEN, which is a 409.
 */
import type { z } from "zod";
import { firstUnknownProduct } from "../../catalog/products/repo";
import { forgetPolicies } from "../../distributions/common/policy";
import { deleteDistribution } from "../../distributions/common/service";
import { isClosedOrLater, isOpen, statusAt } from "../../distributions/common/status";
import { hasTurnstile } from "../../distributions/protection/turnstile/settings";
import { tellQueueStock } from "../../distributions/queue/stock";
import { publishChange } from "../../events/publish";
import type { Tenant } from "../../http/env";
import { conflict, fieldError } from "../../http/problems";
import { deleteSequenceRow, distributionsOf, insertSequence, toSequence, updateSequenceRow } from "./repo";
import type { createSequenceBody, updateSequenceBody } from "./schema";

type Row = ReturnType<typeof toSequence>;

async function checkProduct(env: Env, organizationId: string, productId: string | null | undefined) {
	if (productId && (await firstUnknownProduct(env.DB, organizationId, [productId])) >= 0) {
		throw fieldError("productId", "Unknown product");
	}
}

/** Turnstile protection needs the organization's widget first: its secret is what checks the tokens. */
async function checkProtection(env: Env, organizationId: string, protection: { challenge?: string } | undefined) {
	if (protection?.challenge === "turnstile" && !(await hasTurnstile(env.DB, organizationId))) {
		throw conflict(
			"Turnstile not configured",
			"Set your organization's Turnstile site key and secret first (PUT /api/v1/organization/turnstile).",
			[{ path: "protection.challenge", message: "No Turnstile settings for this organization" }],
		);
	}
}

export async function createSequence(
	env: Env,
	organizationId: string,
	experienceId: string,
	input: z.infer<typeof createSequenceBody>,
) {
	await checkProduct(env, organizationId, input.productId);
	await checkProtection(env, organizationId, input.protection);
	const row = await insertSequence(env.DB, organizationId, experienceId, input);
	return publishChange(env.EVENTS, organizationId, "sequence.created", toSequence(row));
}

/** The updated sequence, or undefined when there is none with this id. */
export async function updateSequence(
	env: Env,
	organizationId: string,
	id: string,
	input: z.infer<typeof updateSequenceBody>,
) {
	await checkProduct(env, organizationId, input.productId);
	await checkProtection(env, organizationId, input.protection);
	const row = await updateSequenceRow(env.DB, organizationId, id, input);
	forgetPolicies();
	// Its queues now sell another product (or none): their stock is that product's.
	if (row && input.productId !== undefined) await tellQueueStock(env, organizationId, { sequenceId: id });
	return row && publishChange(env.EVENTS, organizationId, "sequence.updated", toSequence(row));
}

/** Deletes the distributions of these sequences; `what` names the resource for the 409. */
export async function deleteDistributionsOf(env: Env, tenant: Tenant, sequenceIds: string[], what: string) {
	if (!sequenceIds.length) return;
	const rows = await distributionsOf(env.DB, tenant.organizationId, sequenceIds);
	const now = Date.now();
	const open = rows.find((r) => isOpen(statusAt(r.type, r, now)));
	if (open) throw conflict(`Cannot delete ${what} with an open distribution`, `Close ${open.id} first.`);
	// Checked for all of them before any is deleted: nothing goes when one must stay.
	const kept = rows.map((r) => ({ id: r.id, status: statusAt(r.type, r, now) })).find((r) => isClosedOrLater(r.status));
	if (kept) {
		throw conflict(
			`Cannot delete ${what} with a closed distribution`,
			`${kept.id} is ${kept.status}: a distribution that has closed, drawn or settled is kept with its proof and log, and so are its sequence and experience. Nothing was deleted.`,
		);
	}
	for (const row of rows) await deleteDistribution(env, tenant, row.type, row.id);
}

export async function deleteSequence(env: Env, tenant: Tenant, sequence: Row): Promise<void> {
	await deleteDistributionsOf(env, tenant, [sequence.id], "a sequence");
	await deleteSequenceRow(env.DB, tenant.organizationId, sequence.id);
	forgetPolicies();
	await publishChange(env.EVENTS, tenant.organizationId, "sequence.deleted", sequence);
}
