/**
 * Append-only in-object schema migrations for SQLite-backed Durable Objects.
 * Each list has a name (a base class and its engine keep separate lists) and only
 * ever grows; `migrate` runs the steps not yet applied, in order. Call it inside the
 * constructor's blockConcurrencyWhile so no request sees a half-built schema.
 * Owns the table `_migrations(list, version, applied_at)`: the steps each list has run.
 */
export function migrate(sql: SqlStorage, list: string, steps: readonly string[]): void {
	sql.exec(
		"CREATE TABLE IF NOT EXISTS _migrations (list TEXT NOT NULL, version INTEGER NOT NULL, applied_at INTEGER NOT NULL, PRIMARY KEY (list, version))",
	);
	const row = sql.exec<{ v: number | null }>("SELECT MAX(version) AS v FROM _migrations WHERE list = ?", list).one();
	for (let version = (row.v ?? 0) + 1; version <= steps.length; version++) {
		sql.exec(steps[version - 1]);
		sql.exec("INSERT INTO _migrations (list, version, applied_at) VALUES (?, ?, ?)", list, version, Date.now());
	}
}
