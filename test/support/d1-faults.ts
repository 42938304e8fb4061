/** D1 failures injected for real, inside workerd (faults.ts stays importable by the Node-side global setup). */
import { env } from "cloudflare:workers";
import { FAULT } from "./faults";

/**
 * A real D1 failure: while `run` runs, every `op` on `table` of a row whose `column` is `value`
 * aborts (a SQLite trigger raising the FAULT message); the trigger is dropped afterwards, whatever
 * `run` did. `value` must be an id (letters, digits, `_`): it is written into the trigger's SQL.
 */
export async function withD1Failing<T>(
	op: "INSERT" | "UPDATE",
	table: string,
	column: string,
	value: string,
	run: () => Promise<T>,
): Promise<T> {
	if (!/^\w+$/.test(value)) throw new Error(`withD1Failing: ${value} is not an id`);
	const trigger = `fault_${op.toLowerCase()}_${table}_${value.toLowerCase()}`;
	await env.DB.prepare(
		`CREATE TRIGGER ${trigger} BEFORE ${op} ON ${table} WHEN NEW.${column} = '${value}'
		 BEGIN SELECT RAISE(ABORT, '${FAULT} D1 write failed'); END`,
	).run();
	try {
		return await run();
	} finally {
		await env.DB.prepare(`DROP TRIGGER ${trigger}`).run();
	}
}
