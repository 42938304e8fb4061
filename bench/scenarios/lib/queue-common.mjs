/** Shared by the queue scenarios: an OPEN queue with its keys and tokens, and the three measured rows. */
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { iso } from "../../lib/api.mjs";
import { TokenMinter, ulid } from "../../lib/tokens.mjs";
import { setupOrg } from "./org.mjs";
import { checkSchema, withObjectDb } from "./sqlite.mjs";

/**
 * Organization → experience → sequence → queue (openAt a second ago, as a create refuses
 * a time more than a minute back; closeAt +1 h; no admissionRate, so everyone stays QUEUED),
 * then one consumer end to end to prove that bench-minted tokens are accepted.
 */
export async function openQueue(ctx) {
	const { api } = ctx;
	const o = await setupOrg(ctx);
	const checks = [o.kidCheck];
	const { orgId, sk } = o;
	const now = Date.now();
	const queue = (
		await api("POST", "/api/v1/queues", {
			token: sk,
			body: { sequenceId: o.sequenceId, openAt: iso(now - 1000), closeAt: iso(now + 3_600_000) },
			expect: 201,
		})
	).json;
	if (queue.status !== "OPEN") throw new Error(`the bench queue is ${queue.status}, expected OPEN`);
	ctx.log(`queue ${queue.id} (org ${orgId}) is OPEN`);

	const q = {
		orgId,
		sk,
		sequenceId: o.sequenceId,
		queue,
		auth: o.auth,
		headers: o.headers,
		base: `/consumer/v1/queues/${queue.id}`,
		checks,
	};
	const token = new TokenMinter(q.auth).mint();
	const entered = await api("POST", `${q.base}/enter`, { token, headers: q.headers });
	const status = await api("GET", `${q.base}/status`, { token, headers: q.headers });
	if (entered.json.status !== "QUEUED" || status.json.position !== entered.json.position) {
		throw new Error(`smoke test: enter ${JSON.stringify(entered.json)} / status ${JSON.stringify(status.json)}`);
	}
	return q;
}

export const queueStats = async (ctx, q) =>
	(await ctx.api("GET", `/api/v1/queues/${q.queue.id}/stats`, { token: q.sk })).json;

/**
 * healthz (the ceiling), enter (a new consumer per request), status (the consumers who entered).
 * With `ceiling` (a healthz row measured already) only enter and status are measured; `suffix`
 * names the rows (`enter-1M`), `override` shortens them ({duration, warmup}: curve points).
 */
export async function measureQueue(ctx, q, { ceiling = null, suffix = "", override = {}, beforeStatus = null } = {}) {
	const rows = [];
	const notes = [];
	if (!ceiling) {
		ctx.log("healthz (ceiling)…");
		ceiling = await ctx.measure({ label: "healthz", path: "/healthz" }, override);
		rows.push(ceiling);
	}
	const timing = { ...ctx.opts, ...override };
	const inFlight = (timing.warmup > 0 ? 2 : 1) * ctx.opts.connections;

	const before = (await queueStats(ctx, q)).queued;
	const enteredFile = join(ctx.runDir, `entered-${q.queue.id}.txt`);
	ctx.log(`enter${suffix} (a new consumer per request; ${before.toLocaleString("en-US")} already queued)…`);
	const enter = await ctx.measure(
		{
			label: `enter${suffix}`,
			method: "POST",
			path: `${q.base}/enter`,
			headers: q.headers,
			// Enough distinct consumers for warm-up + run at the ceiling's pace; more are minted on demand.
			auth: { ...q.auth, prepare: Math.ceil(ceiling.rps * (timing.warmup + timing.duration) * 1.1) + 1000 },
			successFile: enteredFile,
		},
		override,
	);
	rows.push(enter);
	const after = (await queueStats(ctx, q)).queued;
	const stored = after - before;
	const ok = enter.succeeded;
	q.checks.push({
		what: `every 2xx \`enter${suffix}\` was stored (new QUEUED entries ≥ 2xx enters, excess ≤ requests cut off in flight)`,
		ok: stored >= ok && stored - ok <= inFlight,
		detail: `${stored} new entries, ${ok} 2xx enters, ≤ ${inFlight} cut off`,
	});
	if (enter.mintedDuringLoad > 0) {
		notes.push(
			`The token pool ran out during \`enter${suffix}\`: ${enter.mintedDuringLoad} tokens were minted while measuring.`,
		);
	}

	if (beforeStatus) await beforeStatus();
	ctx.log(`status${suffix} (cycling over ${ok} consumers who entered)…`);
	rows.push(await measureStatus(ctx, q, `status${suffix}`, override));
	return { rows, notes, queuedAfter: after, queuedBefore: before };
}

/**
 * What the SDK does with every answer: keeps its `ticket`. A sharded queue's enter answers with a
 * pending ticket (no line number yet), so the first poll after the flush reaches the objects and
 * returns the full ticket; later polls are answered at the edge. One poll per consumer of the last
 * `enter` row (token and ticket, `concurrency` at a time) rewrites its file with those tickets.
 */
export async function refreshTickets(ctx, q, concurrency = 32) {
	const file = join(ctx.runDir, `entered-${q.queue.id}.txt`);
	const lines = readFileSync(file, "utf8").split("\n").filter(Boolean);
	const out = new Array(lines.length);
	let next = 0;
	let changed = 0;
	async function lane() {
		while (next < lines.length) {
			const i = next++;
			const [token, ticket] = lines[i].split("\t");
			const headers = { ...q.headers, ...(ticket ? { "X-Queue-Ticket": ticket } : {}) };
			const res = await ctx.api("GET", `${q.base}/status`, { token, headers, expect: 200 });
			const fresh = res.json.ticket ?? ticket;
			if (fresh !== ticket) changed++;
			out[i] = fresh ? `${token}\t${fresh}` : token;
		}
	}
	await Promise.all(Array.from({ length: concurrency }, lane));
	writeFileSync(file, `${out.join("\n")}\n`, { mode: 0o600 });
	return { polled: lines.length, changed };
}

/** A `status` row: polls, with their position tickets, from the consumers the last `enter` row entered. */
export function measureStatus(ctx, q, label, override = {}) {
	return ctx.measure(
		{
			label,
			path: `${q.base}/status`,
			headers: q.headers,
			// Polls carry the position ticket as the SDK's do, so waiting consumers are answered at the edge.
			auth: { mode: "file", file: join(ctx.runDir, `entered-${q.queue.id}.txt`), sendTicket: true },
		},
		override,
	);
}

/** The QueueObject tables and migrations `prefillQueue` was written against (src/distributions/queue/store.ts). */
const QUEUE_SCHEMA = {
	// distribution 3: revoked_grants (nothing here writes it); queue 3: entries.lane (default 0, the front lane the rows join).
	known: { distribution: 3, queue: 3 },
	columns: { entries: ["consumer_id", "lane", "seq", "status", "entered_at"], counters: ["name", "value"] },
};

/**
 * Appends `count` QUEUED entries to the queue's object database (runner stopped): the rows
 * `QueueStore.enqueue` writes, the `next_seq` line counter and the `queued` counter.
 * Refuses to run on a schema it does not know.
 */
export async function prefillQueue(persist, queueId, count) {
	await withObjectDb(persist, "QueueObject", queueId, (db) => {
		checkSchema(db, QUEUE_SCHEMA, "prefillQueue() in bench/scenarios/lib/queue-common.mjs");
		const counter = (name) => db.prepare("SELECT value FROM counters WHERE name = ?").get(name)?.value ?? 0;
		const next = counter("next_seq") || 1;
		const insert = db.prepare("INSERT INTO entries (consumer_id, seq, status, entered_at) VALUES (?, ?, 'QUEUED', ?)");
		const set = db.prepare("INSERT OR REPLACE INTO counters (name, value) VALUES (?, ?)");
		const now = Date.now();
		db.exec("PRAGMA cache_size = -262144");
		db.exec("BEGIN");
		for (let i = 0; i < count; i++) insert.run(`con_${ulid(now)}`, next + i, now);
		set.run("next_seq", next + count);
		set.run("queued", counter("queued") + count);
		db.exec("COMMIT");
	});
}
