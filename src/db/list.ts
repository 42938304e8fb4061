/** The one list query: rows newest first, one page after the cursor, scoped to a tenant. */
import { and, desc, eq, getTableName, lt, type SQL } from "drizzle-orm";
import type { SQLiteColumn, SQLiteTable } from "drizzle-orm/sqlite-core";
import { decodeCursor, type Page, type PageQuery, toPage } from "../lib/pagination";
import type { Db } from "./client";
import { selectRows, tenantRows } from "./rows";

type ListTable = SQLiteTable & { id: SQLiteColumn; organizationId?: SQLiteColumn };

/**
 * `organizationId` is the tenant whose rows to list; null only for the operator's
 * cross-tenant lists (a table without `organizationId`). The cursor is bound to the table and
 * tenant, not to the filters: a cursor reused with other filters still lands on a
 * well-defined id.
 */
export async function listPage<T extends ListTable, Out>(
	database: Db,
	secret: string,
	table: T,
	organizationId: string | null,
	filters: (SQL | undefined)[],
	page: PageQuery,
	map: (row: T["$inferSelect"]) => Out,
): Promise<Page<Out>> {
	const tenantColumn = table.organizationId;
	if (organizationId !== null && !tenantColumn) throw new Error(`${getTableName(table)} has no tenant column`);
	const scope = `${getTableName(table)}|${organizationId ?? "platform"}`;
	const after = page.cursor ? await decodeCursor(secret, scope, page.cursor) : undefined;
	// A tenant's plain list (no filters): SQL built once per table, not by drizzle per request.
	if (
		organizationId !== null &&
		tenantColumn?.name === "organization_id" &&
		table.id.name === "id" &&
		!filters.some(Boolean)
	) {
		const plain = await tenantRows(database, table, organizationId, { before: after, limit: page.limit + 1 });
		return toPage(plain as (T["$inferSelect"] & { id: string })[], page.limit, map, secret, scope);
	}
	const query = database
		.select()
		.from(table as SQLiteTable)
		.where(
			and(
				tenantColumn && organizationId !== null ? eq(tenantColumn, organizationId) : undefined,
				after ? lt(table.id, after) : undefined,
				...filters,
			),
		)
		.orderBy(desc(table.id))
		.limit(page.limit + 1);
	const rows = (await selectRows(database, table, query)) as (T["$inferSelect"] & { id: string })[];
	return toPage(rows, page.limit, map, secret, scope);
}
