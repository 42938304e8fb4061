import { drizzle } from "drizzle-orm/d1";
import * as schema from "./schema";

export type Db = ReturnType<typeof build>;

const build = (d1: D1Database) => drizzle(d1, { schema });

/**
 * The drizzle client of a D1 binding, built once per binding and isolate: building it
 * (`extractTablesRelationalConfig`, `is()`) costs 50–150 µs of JavaScript, and repositories
 * ask for it on every request. The cache compares bindings by identity in a few slots rather
 * than a `WeakMap`: in `wrangler dev`'s bundle mode the binding is not always a value a
 * WeakMap accepts ("Invalid value used as weak map key"), and an isolate holds one or two
 * D1 bindings, so a linear search of ≤ 4 slots is both safe for any value and cheaper.
 */
const SLOTS = 4;
const slots: { d1: D1Database; client: Db }[] = [];

export function db(d1: D1Database): Db {
	for (const slot of slots) if (slot.d1 === d1) return slot.client;
	const client = build(d1);
	// Oldest out: a binding that changes per request (it should not) costs a rebuild, never a leak.
	if (slots.length >= SLOTS) slots.shift();
	slots.push({ d1, client });
	return client;
}
