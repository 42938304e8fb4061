/** Shared by the queue scenarios: an OPEN queue with its keys and tokens, and the three measured rows. */
import { join } from "node:path";
import { iso } from "../../lib/api.mjs";
import { TokenMinter } from "../../lib/tokens.mjs";
import { cutOff, setupOrg, tokensFor } from "./org.mjs";

/**
 * Organization → experience → sequence → queue (openAt 1 min ago, closeAt +1 h, no
 * admissionRate, so everyone stays QUEUED), then one consumer end to end to prove that
 * bench-minted tokens are accepted.
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
			body: { sequenceId: o.sequenceId, openAt: iso(now - 60_000), closeAt: iso(now + 3_600_000) },
			expect: 201,
		})
	).json;
	if (queue.status !== "OPEN") throw new Error(`the bench queue is ${queue.status}, expected OPEN`);
	ctx.log(`queue ${queue.id} (org ${orgId}) is OPEN`);

	const q = {
		orgId,
		sk,
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

/** healthz (the ceiling), enter (a new consumer per request), status (the consumers who entered). */
export async function measureQueue(ctx, q) {
	const rows = [];
	const notes = [];
	ctx.log("healthz (ceiling)…");
	rows.push(await ctx.measure({ label: "healthz", path: "/healthz" }));

	const before = (await queueStats(ctx, q)).queued;
	const enteredFile = join(ctx.runDir, `entered-${q.queue.id}.txt`);
	ctx.log(`enter (a new consumer per request; ${before} already queued)…`);
	rows.push(
		await ctx.measure({
			label: "enter",
			method: "POST",
			path: `${q.base}/enter`,
			headers: q.headers,
			// Enough distinct consumers for warm-up + run at the ceiling's pace; more are minted on demand.
			auth: { ...q.auth, prepare: tokensFor(ctx, rows[0]) },
			successFile: enteredFile,
		}),
	);
	const after = (await queueStats(ctx, q)).queued;
	const inFlight = cutOff(ctx);
	const stored = after - before;
	const ok = rows[1].succeeded;
	q.checks.push({
		what: "every 2xx `enter` was stored (new QUEUED entries ≥ 2xx enters, excess ≤ requests cut off in flight)",
		ok: stored >= ok && stored - ok <= inFlight,
		detail: `${stored} new entries, ${ok} 2xx enters, ≤ ${inFlight} cut off`,
	});
	if (rows[1].mintedDuringLoad > 0) {
		notes.push(
			`The token pool ran out during \`enter\`: ${rows[1].mintedDuringLoad} tokens were minted while measuring.`,
		);
	}

	ctx.log(`status (cycling over ${ok} consumers who entered)…`);
	rows.push(
		await ctx.measure({
			label: "status",
			path: `${q.base}/status`,
			headers: q.headers,
			// Polls carry the position ticket as the SDK's do, so waiting consumers are answered at the edge.
			auth: { mode: "file", file: enteredFile, sendTicket: true },
		}),
	);
	return { rows, notes, queuedAfter: after, queuedBefore: before };
}
