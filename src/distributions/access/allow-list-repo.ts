/** A sequence's allow-list in D1: consumer ids and normalized emails. Every query names the organization and the sequence. */
import { and, eq, inArray, or } from "drizzle-orm";
import { db } from "../../db/client";
import { listPage } from "../../db/list";
import { allowListEntries, consumers } from "../../db/schema";
import { newId } from "../../lib/ids";
import type { PageQuery } from "../../lib/pagination";
import { isoSeconds } from "../../lib/time";

type Row = typeof allowListEntries.$inferSelect;

export const toAllowListEntry = (row: Row) => ({
	id: row.id,
	sequenceId: row.sequenceId,
	consumerId: row.consumerId,
	email: row.email,
	createdAt: isoSeconds(row.createdAt),
});

const ofSequence = (organizationId: string, sequenceId: string) =>
	and(eq(allowListEntries.organizationId, organizationId), eq(allowListEntries.sequenceId, sequenceId));

/** The ids among these that are not consumers of the organization. */
export async function unknownConsumers(d1: D1Database, organizationId: string, ids: string[]): Promise<string[]> {
	if (!ids.length) return [];
	const known = new Set<string>();
	for (let i = 0; i < ids.length; i += 90) {
		const rows = await db(d1)
			.select({ id: consumers.id })
			.from(consumers)
			.where(and(eq(consumers.organizationId, organizationId), inArray(consumers.id, ids.slice(i, i + 90))));
		for (const r of rows) known.add(r.id);
	}
	return ids.filter((id) => !known.has(id));
}

/** D1 binds at most 100 parameters per statement: 6 columns a row → 16 rows a statement. */
const ROWS_PER_INSERT = 16;

/**
 * Adds the entries not on the list yet, in one transaction; returns every entry named (new or
 * not) and how many are new. The unique indexes make a concurrent duplicate a no-op.
 */
export async function addEntries(
	d1: D1Database,
	organizationId: string,
	sequenceId: string,
	entries: { consumerId?: string; email?: string }[],
) {
	const database = db(d1);
	const now = Date.now();
	const rows: Row[] = entries.map((e) => ({
		id: newId("alw"),
		organizationId,
		sequenceId,
		consumerId: e.consumerId ?? null,
		email: e.email ?? null,
		createdAt: now,
	}));
	const inserts = [];
	for (let i = 0; i < rows.length; i += ROWS_PER_INSERT) {
		inserts.push(
			database
				.insert(allowListEntries)
				.values(rows.slice(i, i + ROWS_PER_INSERT))
				.onConflictDoNothing()
				.returning({ id: allowListEntries.id }),
		);
	}
	const [first, ...rest] = inserts;
	const added = first ? (await database.batch([first, ...rest])).flat().length : 0;
	return { added, data: await findEntries(d1, organizationId, sequenceId, entries) };
}

function matching(entries: { consumerId?: string; email?: string }[]) {
	const ids = entries.flatMap((e) => (e.consumerId ? [e.consumerId] : []));
	const emails = entries.flatMap((e) => (e.email ? [e.email] : []));
	return { ids, emails };
}

/** The entries for these consumer ids and emails, a chunk of parameters at a time. */
async function findEntries(
	d1: D1Database,
	organizationId: string,
	sequenceId: string,
	entries: { consumerId?: string; email?: string }[],
): Promise<ReturnType<typeof toAllowListEntry>[]> {
	const { ids, emails } = matching(entries);
	const out: Row[] = [];
	for (const [column, values] of [
		[allowListEntries.consumerId, ids],
		[allowListEntries.email, emails],
	] as const) {
		for (let i = 0; i < values.length; i += 90) {
			out.push(
				...(await db(d1)
					.select()
					.from(allowListEntries)
					.where(and(ofSequence(organizationId, sequenceId), inArray(column, values.slice(i, i + 90))))),
			);
		}
	}
	return out.map(toAllowListEntry);
}

export const listEntries = (
	d1: D1Database,
	secret: string,
	organizationId: string,
	sequenceId: string,
	page: PageQuery,
) =>
	listPage(
		db(d1),
		secret,
		allowListEntries,
		organizationId,
		[eq(allowListEntries.sequenceId, sequenceId)],
		page,
		toAllowListEntry,
	);

export async function removeEntry(d1: D1Database, organizationId: string, sequenceId: string, id: string) {
	const gone = await db(d1)
		.delete(allowListEntries)
		.where(and(ofSequence(organizationId, sequenceId), eq(allowListEntries.id, id)))
		.returning({ id: allowListEntries.id });
	return gone.length > 0;
}

/** Removes the entries for these consumer ids and emails; how many there were. */
export async function removeEntries(
	d1: D1Database,
	organizationId: string,
	sequenceId: string,
	entries: { consumerId?: string; email?: string }[],
): Promise<number> {
	const { ids, emails } = matching(entries);
	let removed = 0;
	for (const [column, values] of [
		[allowListEntries.consumerId, ids],
		[allowListEntries.email, emails],
	] as const) {
		for (let i = 0; i < values.length; i += 90) {
			const gone = await db(d1)
				.delete(allowListEntries)
				.where(and(ofSequence(organizationId, sequenceId), inArray(column, values.slice(i, i + 90))))
				.returning({ id: allowListEntries.id });
			removed += gone.length;
		}
	}
	return removed;
}

/** Whether the consumer is on the list, by its id or its normalized email. */
export async function isListed(
	d1: D1Database,
	organizationId: string,
	sequenceId: string,
	consumerId: string,
	email: string | null,
): Promise<boolean> {
	const byWho = email
		? or(eq(allowListEntries.consumerId, consumerId), eq(allowListEntries.email, email))
		: eq(allowListEntries.consumerId, consumerId);
	const row = await db(d1)
		.select({ id: allowListEntries.id })
		.from(allowListEntries)
		.where(and(ofSequence(organizationId, sequenceId), byWho))
		.get();
	return row !== undefined;
}
