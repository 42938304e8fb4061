/** What each access route does: the sequence of the path (404 when it is not the organization's), then the codes or the list. */
import { getSequence } from "../../experiences/sequences/repo";
import { ApiError, fieldError, notFound } from "../../http/problems";
import type { AppRouteHandler } from "../../http/router";
import { addEntries, listEntries, removeEntries, removeEntry, unknownConsumers } from "./allow-list-repo";
import { getCode as getCodeRow, listCodes as listCodeRows, toAccessCode } from "./codes-repo";
import { createCodes as createCodesIn, revoke } from "./codes-service";
import type * as routes from "./routes";
import { normalizeEmail } from "./rules";

async function sequenceOf(d1: D1Database, organizationId: string, id: string) {
	const row = await getSequence(d1, organizationId, id);
	if (!row) throw notFound("Sequence");
	return row;
}

const codeNotFound = () => new ApiError(404, "Access code not found");

export const createCodes: AppRouteHandler<typeof routes.createCodes> = async (c) => {
	const tenant = c.get("tenant");
	const sequence = await sequenceOf(c.env.DB, tenant.organizationId, c.req.valid("param").id);
	return c.json(await createCodesIn(c.env, tenant, sequence.id, c.req.valid("json")), 201);
};

export const listCodes: AppRouteHandler<typeof routes.listCodes> = async (c) => {
	const { organizationId } = c.get("tenant");
	const sequence = await sequenceOf(c.env.DB, organizationId, c.req.valid("param").id);
	return c.json(await listCodeRows(c.env.DB, c.env.APP_SECRET, organizationId, sequence.id, c.req.valid("query")), 200);
};

export const getCode: AppRouteHandler<typeof routes.getCode> = async (c) => {
	const { organizationId } = c.get("tenant");
	const { id, codeId } = c.req.valid("param");
	const sequence = await sequenceOf(c.env.DB, organizationId, id);
	const row = await getCodeRow(c.env.DB, organizationId, sequence.id, codeId);
	if (!row) throw codeNotFound();
	return c.json(toAccessCode(row), 200);
};

export const revokeCode: AppRouteHandler<typeof routes.revokeCode> = async (c) => {
	const tenant = c.get("tenant");
	const { id, codeId } = c.req.valid("param");
	const sequence = await sequenceOf(c.env.DB, tenant.organizationId, id);
	const row = await getCodeRow(c.env.DB, tenant.organizationId, sequence.id, codeId);
	if (!row) throw codeNotFound();
	// Revoking a revoked code again changes nothing and publishes nothing.
	const [revoked] = row.revokedAt === null ? await revoke(c.env, tenant, sequence.id, { ids: [row.id] }) : [];
	return c.json(toAccessCode(revoked ?? row), 200);
};

export const revokeCodes: AppRouteHandler<typeof routes.revokeCodes> = async (c) => {
	const tenant = c.get("tenant");
	const sequence = await sequenceOf(c.env.DB, tenant.organizationId, c.req.valid("param").id);
	const { ids, batchId } = c.req.valid("json");
	const target = ids ? { ids } : batchId ? { batchId } : { all: true as const };
	return c.json({ revoked: (await revoke(c.env, tenant, sequence.id, target)).length }, 200);
};

export const listAllowList: AppRouteHandler<typeof routes.listAllowList> = async (c) => {
	const { organizationId } = c.get("tenant");
	const sequence = await sequenceOf(c.env.DB, organizationId, c.req.valid("param").id);
	return c.json(await listEntries(c.env.DB, c.env.APP_SECRET, organizationId, sequence.id, c.req.valid("query")), 200);
};

/** The body's consumer ids and (normalized) emails as entries, each once. */
function entriesOf(body: { consumerIds?: string[]; emails?: string[] }): { consumerId?: string; email?: string }[] {
	const ids = [...new Set(body.consumerIds ?? [])];
	const emails = (body.emails ?? []).map((e, n) => {
		const normalized = normalizeEmail(e);
		if (!normalized) throw fieldError(`emails.${n}`, "Invalid email address");
		return normalized;
	});
	return [...ids.map((consumerId) => ({ consumerId })), ...[...new Set(emails)].map((email) => ({ email }))];
}

export const addToAllowList: AppRouteHandler<typeof routes.addToAllowList> = async (c) => {
	const { organizationId } = c.get("tenant");
	const sequence = await sequenceOf(c.env.DB, organizationId, c.req.valid("param").id);
	const entries = entriesOf(c.req.valid("json"));
	const ids = entries.flatMap((e) => (e.consumerId ? [e.consumerId] : []));
	const unknown = await unknownConsumers(c.env.DB, organizationId, ids);
	if (unknown.length) {
		const body = c.req.valid("json").consumerIds ?? [];
		throw fieldError(`consumerIds.${body.indexOf(unknown[0])}`, `Unknown consumer ${unknown[0]}`);
	}
	return c.json(await addEntries(c.env.DB, organizationId, sequence.id, entries), 200);
};

export const removeFromAllowList: AppRouteHandler<typeof routes.removeFromAllowList> = async (c) => {
	const { organizationId } = c.get("tenant");
	const sequence = await sequenceOf(c.env.DB, organizationId, c.req.valid("param").id);
	return c.json(
		{ removed: await removeEntries(c.env.DB, organizationId, sequence.id, entriesOf(c.req.valid("json"))) },
		200,
	);
};

export const removeAllowListEntry: AppRouteHandler<typeof routes.removeAllowListEntry> = async (c) => {
	const { organizationId } = c.get("tenant");
	const { id, entryId } = c.req.valid("param");
	const sequence = await sequenceOf(c.env.DB, organizationId, id);
	if (!(await removeEntry(c.env.DB, organizationId, sequence.id, entryId))) {
		throw new ApiError(404, "Allow-list entry not found");
	}
	return c.body(null, 204);
};
