/**
 * Append-only in-object schema migrations for SQLite-backed Durable Objects.
 * Each object lists its steps; `migrate` runs the ones not yet applied, in order,
 * inside the constructor's blockConcurrencyWhile so no request sees a half schema.
 */
export type Migration = string;

export function migrate(sql: SqlStorage, steps: readonly Migration[]): void {
	sql.exec("CREATE TABLE IF NOT EXISTS _migrations (version INTEGER PRIMARY KEY, applied_at INTEGER NOT NULL)");
	const row = sql.exec<{ v: number | null }>("SELECT MAX(version) AS v FROM _migrations").one();
	for (let version = (row.v ?? 0) + 1; version <= steps.length; version++) {
		sql.exec(steps[version - 1]);
		sql.exec("INSERT INTO _migrations (version, applied_at) VALUES (?, ?)", version, Date.now());
	}
}
