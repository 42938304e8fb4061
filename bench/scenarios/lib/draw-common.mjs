/**
 * Shared by the draw scenarios: filling a draw straight in its object's SQLite (runner
 * stopped), timing the seal and the draw from outside, and workerd's CPU and memory per step.
 */
import { createHash, createHmac, randomBytes } from "node:crypto";
import { procMemory, sampleMachine, sleep } from "../../lib/proc.mjs";
import { checkSchema, withD1, withObjectDb } from "./sqlite.mjs";

/** The DrawObject schema the prefill writes into (src/distributions/draw/store.ts, DRAW_MIGRATIONS). */
const DRAW_SCHEMA = {
	known: { distribution: 2, draw: 3 },
	columns: {
		entries: ["ordinal", "entry_id", "consumer_id", "rank_key", "status", "entered_at", "leaf"],
		fairness: ["seed", "commitment", "merkle_root", "entered_count", "lost_cursor"],
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
		const fairness = db.prepare("SELECT seed, commitment, merkle_root FROM fairness WHERE id = 1").get();
		if (!fairness) throw new Error("the draw has no fairness row (not configured?)");
		const seed = Buffer.from(fairness.seed, "hex");
		if (seed.length !== 32 || createHash("sha256").update(seed).digest("hex") !== fairness.commitment) {
			throw new Error("the stored seed does not match its commitment");
		}
		if (fairness.merkle_root != null) throw new Error("the draw is already sealed");
		const existing = db.prepare("SELECT COUNT(*) AS n FROM entries").get().n;
		const count = Math.max(0, target - existing);
		const now = Date.now();
		const entryId = idSequence("ent", now);
		const consumerId = idSequence("con", now);
		const insert = db.prepare(
			"INSERT INTO entries (entry_id, consumer_id, rank_key, status, entered_at) VALUES (?, ?, ?, 'ENTERED', ?)",
		);
		const t0 = Date.now();
		db.exec("PRAGMA cache_size = -262144");
		db.exec("BEGIN");
		for (let i = 0; i < count; i++) {
			const id = entryId();
			insert.run(id, consumerId(), createHmac("sha256", seed).update(id, "utf8").digest("hex"), now);
			if ((i + 1) % 200_000 === 0)
				log(`  prefill: ${(i + 1).toLocaleString("en-US")} / ${count.toLocaleString("en-US")}…`);
		}
		// Draw migration 3 keeps ENTERED as a counter (maxEntries is checked against it).
		db.prepare("UPDATE fairness SET entered_count = entered_count + ? WHERE id = 1").run(count);
		db.exec("COMMIT");
		return { existing, inserted: count, ms: Date.now() - t0 };
	});
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
		const f = db.prepare("SELECT lost_cursor FROM fairness WHERE id = 1").get();
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
