/**
 * Reads and writes rows of one table without drizzle's query builder and generic mapper, for the
 * admin API's hot paths (get, list, create): `selectRows` runs a built query and decodes its rows,
 * `tenantRows` (a tenant's rows by id, or a page newest first) and `insertRow` build their SQL once per table.
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

/** By table object: naming the table (`getTableName`) on every row cost ≈ 0.3 µs a row. */
const decoders = new WeakMap<SQLiteTable, Decoder>();

function decoderOf(table: SQLiteTable): Decoder {
	let decoder = decoders.get(table);
	if (!decoder) {
		decoder = Object.entries(getTableColumns(table)).map(([key, column]) => ({
			key,
			name: column.name,
			column,
			// Plain text and integer columns decode to themselves: skip the call.
			identity: column.columnType === "SQLiteText" || column.columnType === "SQLiteInteger",
		}));
		decoders.set(table, decoder);
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

/** The INSERT statement of a table and set of columns, built once (the key is table|keys). */
const inserts = new Map<string, string>();

/**
 * Inserts one row of `table` and returns it as stored (RETURNING *), built and decoded without
 * drizzle's query builder and mapper (≈ 300 µs of JavaScript on a product create, measured).
 * Values are encoded by each column's own `mapToDriverValue`; a key left undefined leaves its
 * column to the table's SQL default (no table here has a JavaScript `$defaultFn`).
 * Constraint failures reach the caller as D1's errors (`isUniqueViolation` reads them).
 */
export async function insertRow<T extends SQLiteTable>(
	database: Db,
	table: T,
	values: T["$inferInsert"],
): Promise<T["$inferSelect"]> {
	const given = values as Record<string, unknown>;
	const columns = decoderOf(table).filter((c) => given[c.key] !== undefined);
	const key = `${getTableName(table)}|${columns.map((c) => c.key).join(",")}`;
	let sql = inserts.get(key);
	if (!sql) {
		const names = columns.map((c) => `"${c.name}"`).join(", ");
		sql = `INSERT INTO "${getTableName(table)}" (${names}) VALUES (${columns.map(() => "?").join(", ")}) RETURNING *`;
		inserts.set(key, sql);
	}
	const params = columns.map(({ key, column, identity }) => {
		const value = given[key];
		return value === null || identity ? value : column.mapToDriverValue(value);
	});
	const raw = await database.$client
		.prepare(sql)
		.bind(...params)
		.first<Record<string, unknown>>();
	if (!raw) throw new Error(`INSERT INTO ${getTableName(table)} returned no row`);
	return decodeRow(table, raw);
}

const selects = new Map<string, string>();

/**
 * A tenant's rows of `table`: the one with `id`, or (`id` null) a page newest first — ids below
 * `before` when given, at most `limit`. The SQL of each shape is built once per table; the tenant
 * column is always in the WHERE clause.
 */
export async function tenantRows<T extends SQLiteTable>(
	database: Db,
	table: T,
	organizationId: string,
	query: { id: string } | { before?: string; limit: number },
): Promise<T["$inferSelect"][]> {
	const name = getTableName(table);
	const shape = "id" in query ? "id" : query.before ? "before" : "first";
	const key = `${name}|${shape}`;
	let sql = selects.get(key);
	if (!sql) {
		const where = shape === "id" ? " AND id = ?" : shape === "before" ? " AND id < ?" : "";
		const tail = shape === "id" ? "" : " ORDER BY id DESC LIMIT ?";
		sql = `SELECT * FROM "${name}" WHERE organization_id = ?${where}${tail}`;
		selects.set(key, sql);
	}
	const params: unknown[] = [organizationId];
	if ("id" in query) params.push(query.id);
	else {
		if (query.before) params.push(query.before);
		params.push(query.limit);
	}
	const { results } = await database.$client
		.prepare(sql)
		.bind(...params)
		.all<Record<string, unknown>>();
	return results.map((raw) => decodeRow(table, raw));
}
