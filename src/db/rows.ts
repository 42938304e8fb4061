/**
 * Runs a drizzle query on one table and decodes its rows without drizzle's generic mapper.
 *
 * drizzle maps every value of every row through `mapResultRow`, whose `is()` checks cost
 * ≈ 3 µs a row of nine columns in workerd (≈ 290 µs of a 100-product list, the biggest piece
 * of JavaScript left on it). A table's decoders are the same for every row, so they are
 * resolved once per table: each column's driver name, the key it maps to, and its own
 * `mapFromDriverValue` (the same conversion drizzle applies: JSON, booleans, timestamps).
 */
import { getTableColumns, getTableName } from "drizzle-orm";
import type { SQLiteColumn, SQLiteTable } from "drizzle-orm/sqlite-core";
import type { Db } from "./client";

type Decoder = { key: string; name: string; column: SQLiteColumn; identity: boolean }[];

const decoders = new Map<string, Decoder>();

function decoderOf(table: SQLiteTable): Decoder {
	const name = getTableName(table);
	let decoder = decoders.get(name);
	if (!decoder) {
		decoder = Object.entries(getTableColumns(table)).map(([key, column]) => ({
			key,
			name: column.name,
			column,
			// Plain text and integer columns decode to themselves: skip the call.
			identity: column.columnType === "SQLiteText" || column.columnType === "SQLiteInteger",
		}));
		decoders.set(name, decoder);
	}
	return decoder;
}

/** One driver row (column name → value) as drizzle would return it (key → decoded value). */
export function decodeRow<T extends SQLiteTable>(table: T, raw: Record<string, unknown>): T["$inferSelect"] {
	const row: Record<string, unknown> = {};
	for (const { key, name, column, identity } of decoderOf(table)) {
		const value = raw[name];
		row[key] = value === null || value === undefined ? null : identity ? value : column.mapFromDriverValue(value);
	}
	return row as T["$inferSelect"];
}

/** Runs `query` (a `select()` of every column of `table`) on D1 directly and decodes its rows. */
export async function selectRows<T extends SQLiteTable>(
	database: Db,
	table: T,
	query: { toSQL(): { sql: string; params: unknown[] } },
): Promise<T["$inferSelect"][]> {
	const { sql, params } = query.toSQL();
	const { results } = await database.$client
		.prepare(sql)
		.bind(...params)
		.all<Record<string, unknown>>();
	return results.map((raw) => decodeRow(table, raw));
}
