/** D1 failures and races injected for real, inside workerd (faults.ts stays importable by the Node-side global setup). */
import { env } from "cloudflare:workers";
import { FAULT } from "./faults";

/**
 * While `run` runs, every `op` on `table` of a row whose `column` is `value` first runs `action`
 * (SQLite statements, in the writing statement's own transaction): a SQLite trigger, dropped
 * afterwards whatever `run` did. `value` must be an id (letters, digits, `_`): it is written into
 * the trigger's SQL. `action` may name the new row as `NEW`.
 */
export async function withD1Trigger<T>(
	op: "INSERT" | "UPDATE",
	table: string,
	column: string,
	value: string,
	action: string,
	run: () => Promise<T>,
): Promise<T> {
	if (!/^\w+$/.test(value)) throw new Error(`withD1Trigger: ${value} is not an id`);
	const trigger = `fault_${op.toLowerCase()}_${table}_${value.toLowerCase()}`;
	await env.DB.prepare(
		`CREATE TRIGGER ${trigger} BEFORE ${op} ON ${table} WHEN NEW.${column} = '${value}' BEGIN ${action}; END`,
	).run();
	try {
		return await run();
	} finally {
		await env.DB.prepare(`DROP TRIGGER ${trigger}`).run();
	}
}

/** A real D1 failure: while `run` runs, every `op` on `table` of a row whose `column` is `value` aborts. */
export const withD1Failing = <T>(
	op: "INSERT" | "UPDATE",
	table: string,
	column: string,
	value: string,
	run: () => Promise<T>,
): Promise<T> => withD1Trigger(op, table, column, value, `SELECT RAISE(ABORT, '${FAULT} D1 write failed')`, run);
