/**
 * Shared by the draw scenarios: filling a draw straight in its object's SQLite (runner
 * stopped), timing the seal and the draw from outside, and workerd's CPU and memory per step.
 */
import { createHash, randomBytes } from "node:crypto";
import { procMemory, sampleMachine, sleep } from "../../lib/proc.mjs";
import { checkSchema, withD1, withObjectDb } from "./sqlite.mjs";

/** The DrawObject schema the prefill writes into (src/distributions/draw/store.ts, DRAW_MIGRATIONS). */
const DRAW_SCHEMA = {
	known: { draw: 4 },
	columns: {
		entries: ["ordinal", "entry_id", "consumer_id", "rank_key", "status", "entered_at", "log_seq"],
		tally: ["entered", "lost_cursor"],
		log: ["seq", "data", "root"],
		log_nodes: ["level", "idx", "hash"],
	},
};
/** Long operations on a big draw: one call may take minutes. */
export const LONG_MS = 600_000;

export const isoMs = (ms) => new Date(ms).toISOString();
export const short = (n) =>
	n >= 1e6 && n % 1e5 === 0 ? `${n / 1e6}M` : n >= 1e3 && n % 100 === 0 ? `${n / 1e3}k` : String(n);
export const s1 = (ms) => (ms / 1000).toFixed(1);
export const mib = (v) => (v == null || Number.isNaN(v) ? "–" : Math.round(v).toLocaleString("en-US"));
/** 2xx responses over a row's warm-up and measured run. */
export const ok2xx = (row) =>
	Object.entries(row.totals?.statusCodes ?? {})
		.filter(([code]) => code.startsWith("2"))
		.reduce((n, [, v]) => n + v, 0);

/** workerd's resident memory now and its peak (MiB), summed over the runner's workerd processes. */
export function memory(runner) {
	const procs = runner.sampleCpu().workerdPids.map(procMemory).filter(Boolean);
	return {
		rssMiB: procs.reduce((s, p) => s + p.rssMiB, 0),
		hwmMiB: procs.reduce((s, p) => s + p.hwmMiB, 0),
	};
}

/** A step's CPU and machine accounting: `const end = step(runner)` … `end()` → {cpuUs, cpuS, busyPct}. */
export function step(runner) {
	const c0 = runner.sampleCpu();
	const m0 = sampleMachine();
	return () => {
		const c1 = runner.sampleCpu();
		const m1 = sampleMachine();
		return {
			cpuUs: c1.workerdUs - c0.workerdUs,
			cpuS: ((c1.workerdUs - c0.workerdUs) / 1e6).toFixed(1),
			busyPct: ((100 * (m1.busyUs - m0.busyUs)) / Math.max(1, m1.totalUs - m0.totalUs)).toFixed(0),
		};
	};
}

/** Prefixed ULIDs that keep increasing, as the worker's own `newId` mints them within one millisecond. */
function idSequence(prefix, now) {
	const ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";
	let time = "";
	for (let t = now, i = 0; i < 10; i++, t = Math.floor(t / 32)) time = ALPHABET[t % 32] + time;
	const head = `${prefix}_${time}${Array.from(randomBytes(6), (b) => ALPHABET[b % 32]).join("")}`;
	let n = 0;
	return () => {
		let tail = "";
		for (let v = n++, i = 0; i < 10; i++, v = Math.floor(v / 32)) tail = ALPHABET[v % 32] + tail;
		return head + tail;
	};
}

/**
 * Fills the draw to `target` entries in its object's database (runner stopped): ENTERED rows
 * with the rank key the object would compute, HMAC-SHA256(seed, utf8(entryId)) in hex, from
 * the seed the object created at configure. Checks the schema and the seed's commitment first.
 */
export async function prefillDraw(persist, drawId, target, log) {
	return withObjectDb(persist, "DrawObject", drawId, (db) => {
		checkSchema(db, DRAW_SCHEMA, "prefillDraw() in bench/scenarios/lib/draw-common.mjs");
		const size = db.prepare("SELECT COUNT(*) AS n FROM log").get().n;
		if (size === 0) throw new Error("the draw has no log yet (not configured?)");
		const existing = db.prepare("SELECT COUNT(*) AS n FROM entries").get().n;
		const count = Math.max(0, target - existing);
		const now = Date.now();
		const entryId = idSequence("ent", now);
		const consumerId = idSequence("con", now);
		// The tree's frontier: the perfect subtrees that make up the log's `size` leaves, largest first.
		const frontier = [];
		for (let level = 31, offset = 0; level >= 0; level--) {
			if (!(size & (2 ** level))) continue;
			const row = db.prepare("SELECT hash FROM log_nodes WHERE level = ? AND idx = ?").get(level, offset >> level);
			frontier.push({ level, hash: Buffer.from(row.hash) });
			offset += 2 ** level;
		}
		const insertNode = db.prepare("INSERT INTO log_nodes (level, idx, hash) VALUES (?, ?, ?)");
		const insertRecord = db.prepare("INSERT INTO log (seq, data, root) VALUES (?, ?, ?)");
		const insertEntry = db.prepare(
			"INSERT INTO entries (entry_id, consumer_id, rank_key, status, entered_at, log_seq) VALUES (?, ?, '', 'ENTERED', ?, ?)",
		);
		const t0 = Date.now();
		db.exec("PRAGMA cache_size = -262144");
		db.exec("BEGIN");
		for (let i = 0; i < count; i++) {
			const seq = size + i;
			const id = entryId();
			// What DrawObject.enter appends (fairness.ts encodeRecord; transparency.ts RFC 9162 hashes).
			const data = JSON.stringify({ type: "enter", entryId: id, at: now });
			let node = { level: 0, hash: sha256(Buffer.from([0]), Buffer.from(data, "utf8")) };
			insertNode.run(0, seq, node.hash);
			while (frontier.length && frontier[frontier.length - 1].level === node.level) {
				const left = frontier.pop();
				node = { level: node.level + 1, hash: sha256(Buffer.from([1]), left.hash, node.hash) };
				insertNode.run(node.level, seq >> node.level, node.hash);
			}
			frontier.push(node);
			let root = frontier[frontier.length - 1].hash;
			for (let j = frontier.length - 2; j >= 0; j--) root = sha256(Buffer.from([1]), frontier[j].hash, root);
			insertRecord.run(seq, data, root);
			insertEntry.run(id, consumerId(), now, seq);
			if ((i + 1) % 200_000 === 0)
				log(`  prefill: ${(i + 1).toLocaleString("en-US")} / ${count.toLocaleString("en-US")}…`);
		}
		db.exec("INSERT OR IGNORE INTO tally (id) VALUES (1)");
		db.prepare("UPDATE tally SET entered = entered + ?").run(count);
		db.exec("COMMIT");
		return { existing, inserted: count, ms: Date.now() - t0 };
	});
}

function sha256(...parts) {
	const h = createHash("sha256");
	for (const p of parts) h.update(p);
	return h.digest();
}

/** Polls the public proof until `done(proof)`; each call may wait while the object is busy. */
export async function waitProof(ctx, d, done, what) {
	const deadline = Date.now() + LONG_MS;
	for (;;) {
		const proof = (await ctx.api("GET", `/consumer/v1/draws/${d.id}/proof`, { headers: d.headers, timeoutMs: LONG_MS }))
			.json;
		if (done(proof)) return { proof, at: Date.now() };
		if (Date.now() > deadline) throw new Error(`${what}: not seen within ${LONG_MS / 1000} s`);
		await sleep(200);
	}
}

/**
 * After a draw the object announces `draw.consumer.lost` to every other entrant in the
 * background. Runner stopped: counts how far it got, then drops the rest (the `lost` and
 * `flush` schedule, the outbox) so the next measurement runs on a quiet worker. Returns
 * {announced, losers, outbox, events: {type: count in D1}}.
 */
export async function dropLostAnnouncements(persist, drawId) {
	const lost = await withObjectDb(persist, "DrawObject", drawId, (db) => {
		const f = db.prepare("SELECT lost_cursor FROM tally WHERE id = 1").get() ?? {};
		const [rankKey, entryId] = (f.lost_cursor ?? "|").split("|");
		const announced = f.lost_cursor
			? db
					.prepare("SELECT COUNT(*) AS n FROM entries WHERE status = 'ENTERED' AND (rank_key, entry_id) <= (?, ?)")
					.get(rankKey, entryId).n
			: 0;
		const losers = db.prepare("SELECT COUNT(*) AS n FROM entries WHERE status = 'ENTERED'").get().n;
		const outbox = db.prepare("SELECT COUNT(*) AS n FROM outbox").get().n;
		db.exec("DELETE FROM schedule WHERE kind IN ('lost', 'flush'); DELETE FROM outbox;");
		return { announced, losers, outbox };
	});
	const events = await withD1(persist, (db) =>
		Object.fromEntries(
			db
				.prepare("SELECT type, COUNT(*) AS n FROM events WHERE distribution_id = ? GROUP BY type")
				.all(drawId)
				.map((r) => [r.type, r.n]),
		),
	);
	return { ...lost, events };
}
