/**
 * Direct access to the runner's persisted SQLite files while it is stopped: a Durable
 * Object class's databases (one file per object) and the local D1 database.
 */
import { readdirSync } from "node:fs";
import { join } from "node:path";

let DatabaseSync;
/** node:sqlite's DatabaseSync (still flagged experimental on Node 22: its one-time warning stays off the console). */
export async function sqlite() {
	if (DatabaseSync) return DatabaseSync;
	const emitWarning = process.emitWarning;
	process.emitWarning = (w, ...rest) =>
		String(w).includes("SQLite") ? undefined : emitWarning.call(process, w, ...rest);
	({ DatabaseSync } = await import("node:sqlite").finally(() => {
		process.emitWarning = emitWarning;
	}));
	return DatabaseSync;
}

/** The SQLite files of every object of `className` (e.g. "DrawObject") under a Miniflare persist dir. */
export function objectFiles(persist, className) {
	const root = join(persist, "v3", "do");
	const dir = readdirSync(root).find((d) => d.endsWith(`-${className}`));
	if (!dir) throw new Error(`no ${className} storage under ${root}`);
	return readdirSync(join(root, dir))
		.filter((f) => f.endsWith(".sqlite") && f !== "metadata.sqlite")
		.map((f) => join(root, dir, f));
}

/**
 * Opens the database of the distribution object (Queue/Draw/AuctionObject) whose timeline is `id`,
 * runs `fn(db)` and closes it. Throws if no file holds that distribution.
 */
export async function withObjectDb(persist, className, id, fn) {
	const Database = await sqlite();
	for (const file of objectFiles(persist, className)) {
		const db = new Database(file);
		try {
			const timeline = db.prepare("SELECT json FROM timeline WHERE id = 1").get();
			if (!timeline || JSON.parse(timeline.json).id !== id) continue;
			return await fn(db, file);
		} finally {
			db.close();
		}
	}
	throw new Error(`no ${className} database holds ${id}`);
}

/** Opens the local D1 database (the one with the `distributions` table), runs `fn(db)` and closes it. */
export async function withD1(persist, fn) {
	const Database = await sqlite();
	const root = join(persist, "v3", "d1");
	for (const dir of readdirSync(root)) {
		for (const f of readdirSync(join(root, dir)).filter((x) => x.endsWith(".sqlite") && x !== "metadata.sqlite")) {
			const db = new Database(join(root, dir, f));
			try {
				const has = db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'distributions'").get();
				if (has) return await fn(db);
			} finally {
				db.close();
			}
		}
	}
	throw new Error(`no D1 database under ${root}`);
}

/**
 * Refuses to write into an object's database whose schema the bench does not know: `known` is
 * {list: version} (the `_migrations` lists the prefill was written against), `columns` is
 * {table: [columns the prefill writes]}. `where` names the prefill to update in the error.
 */
export function checkSchema(db, { known, columns }, where) {
	const applied = Object.fromEntries(
		db
			.prepare("SELECT list, MAX(version) AS v FROM _migrations GROUP BY list")
			.all()
			.map((r) => [r.list, r.v]),
	);
	for (const [list, v] of Object.entries(known)) {
		if (applied[list] !== v) {
			throw new Error(
				`the object has ${applied[list] ?? 0} "${list}" migrations, the prefill knows ${v}: update ${where}`,
			);
		}
	}
	for (const [table, wanted] of Object.entries(columns)) {
		const have = db
			.prepare(`PRAGMA table_info(${table})`)
			.all()
			.map((c) => c.name);
		const missing = wanted.filter((c) => !have.includes(c));
		if (missing.length) throw new Error(`${table} has no ${missing.join(", ")}: update ${where}`);
	}
}
