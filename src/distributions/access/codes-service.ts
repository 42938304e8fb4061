/**
 * Access codes for the merchant: created in bulk (each shown once, stored as SHA-256), revoked
 * one by one, by batch or all at once; each creation and revocation is an event.
 */
import type { z } from "zod";
import { newEvent, publish } from "../../events/publish";
import type { Tenant } from "../../http/env";
import { fieldError } from "../../http/problems";
import { sha256Hex } from "../../lib/crypto";
import { newId } from "../../lib/ids";
import { isoOrNull, parseDateTime } from "../../lib/time";
import { type CodeRow, insertCodes, type RevokeTarget, revokeCodes, toAccessCode } from "./codes-repo";
import { formatAccessCode, generateAccessCode } from "./rules";
import type { createAccessCodesBody } from "./schema";

/** Beyond this many, a revocation event carries the count but not every id (an event stays small). */
const IDS_IN_EVENT = 100;

function expiryOf(text: string | undefined, zone: string, now: number): number | null {
	if (text === undefined) return null;
	const at = parseDateTime(text, zone);
	if (at === null) throw fieldError("expiresAt", "Not a valid date-time");
	if (at <= now) throw fieldError("expiresAt", "Must be in the future");
	return at;
}

export async function createCodes(
	env: Env,
	tenant: Tenant,
	sequenceId: string,
	input: z.infer<typeof createAccessCodesBody>,
) {
	const now = Date.now();
	const expiresAt = expiryOf(input.expiresAt, tenant.defaultTimeZone, now);
	const batchId = newId("acb");
	const plain = Array.from({ length: input.count }, () => generateAccessCode());
	const rows: CodeRow[] = await Promise.all(
		plain.map(async (code) => ({
			id: newId("acc"),
			organizationId: tenant.organizationId,
			sequenceId,
			batchId,
			codeHash: await sha256Hex(code),
			hint: code.slice(-4),
			maxUses: input.maxUses,
			uses: 0,
			expiresAt,
			revokedAt: null,
			createdAt: now,
		})),
	);
	await insertCodes(env.DB, rows);
	const summary = { sequenceId, batchId, count: rows.length, maxUses: input.maxUses, expiresAt: isoOrNull(expiresAt) };
	await publish(env.EVENTS, [newEvent(tenant.organizationId, "access_code.created", { object: summary })]);
	return { batchId, data: rows.map((row, n) => ({ ...toAccessCode(row, now), code: formatAccessCode(plain[n]) })) };
}

/** Revokes the live codes `target` names; publishes one event for them. The rows revoked now. */
export async function revoke(env: Env, tenant: Tenant, sequenceId: string, target: RevokeTarget) {
	const rows = await revokeCodes(env.DB, tenant.organizationId, sequenceId, target);
	if (rows.length) {
		const ids = rows.map((r) => r.id);
		const object = {
			sequenceId,
			revoked: rows.length,
			...("batchId" in target && { batchId: target.batchId }),
			...(ids.length <= IDS_IN_EVENT && { ids }),
		};
		await publish(env.EVENTS, [newEvent(tenant.organizationId, "access_code.revoked", { object })]);
	}
	return rows;
}
