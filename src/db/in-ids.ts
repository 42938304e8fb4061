/**
 * `column IN (ids)` with the ids bound as one JSON parameter. D1 binds at most 100 parameters a
 * statement, so ids bound one by one next to a tenant filter failed past 99 (a 500 for a 100-id
 * `productIds`, and for deleting an experience of 100 sequences).
 */
import { type SQL, type SQLWrapper, sql } from "drizzle-orm";

export const inIds = (column: SQLWrapper, ids: readonly string[]): SQL =>
	sql`${column} IN (SELECT value FROM json_each(${JSON.stringify(ids)}))`;
