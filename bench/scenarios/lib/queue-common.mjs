/** Shared by the queue scenarios: an OPEN queue with its keys and tokens, and the three measured rows. */
import { join } from "node:path";
import { iso } from "../../lib/api.mjs";
import { rfc7638Thumbprint, TokenMinter } from "../../lib/tokens.mjs";

/**
 * Organization → experience → sequence → queue (openAt 1 min ago, closeAt +1 h, no
 * admissionRate, so everyone stays QUEUED), then one consumer end to end to prove that
 * bench-minted tokens are accepted.
 */
export async function openQueue(ctx) {
	const { api, secrets } = ctx;
	const checks = [];
	const org = (
		await api("POST", "/platform/v1/organizations", {
			token: secrets.PLATFORM_ADMIN_TOKEN,
			body: { name: `Bench ${new Date().toISOString()}` },
			expect: 201,
		})
	).json;
	const sk = org.secretKey.key;
	const orgId = org.organization.id;
	const exp = (await api("POST", "/api/v1/experiences", { token: sk, body: { name: "Bench launch" }, expect: 201 }))
		.json;
	const seq = (
		await api("POST", `/api/v1/experiences/${exp.id}/sequences`, {
			token: sk,
			body: { name: "Bench drop" },
			expect: 201,
		})
	).json;
	const now = Date.now();
	const queue = (
		await api("POST", "/api/v1/queues", {
			token: sk,
			body: { sequenceId: seq.id, openAt: iso(now - 60_000), closeAt: iso(now + 3_600_000) },
			expect: 201,
		})
	).json;
	if (queue.status !== "OPEN") throw new Error(`the bench queue is ${queue.status}, expected OPEN`);
	ctx.log(`queue ${queue.id} (org ${orgId}) is OPEN`);

	// Tokens carry the kid the worker publishes; whether it is the RFC 7638 thumbprint is checked on the side.
	const jwks = (await api("GET", "/.well-known/jwks.json")).json;
	const jwk = JSON.parse(secrets.JWT_SIGNING_KEY);
	const published = jwks.keys.find((k) => k.x === jwk.x);
	if (!published) throw new Error("the worker does not publish the bench's signing key");
	const rfcKid = rfc7638Thumbprint(jwk);
	checks.push({
		what: "JWKS `kid` is the RFC 7638 thumbprint of the key",
		ok: published.kid === rfcKid,
		detail: published.kid === rfcKid ? published.kid : `published \`${published.kid}\`, RFC 7638 gives \`${rfcKid}\``,
	});

	const q = {
		orgId,
		sk,
		queue,
		auth: { mode: "mint", jwk, kid: published.kid, org: orgId },
		headers: { "X-Publishable-Key": org.publishableKey.key },
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
	const seconds = ctx.opts.warmup + ctx.opts.duration;
	rows.push(
		await ctx.measure({
			label: "enter",
			method: "POST",
			path: `${q.base}/enter`,
			headers: q.headers,
			// Enough distinct consumers for warm-up + run at the ceiling's pace; more are minted on demand.
			auth: { ...q.auth, prepare: Math.ceil(rows[0].rps * seconds * 1.1) + 1000 },
			successFile: enteredFile,
		}),
	);
	const after = (await queueStats(ctx, q)).queued;
	// Requests in flight when a run stops are processed but never counted by the load generator:
	// at most one per connection per run (warm-up and measured).
	const inFlight = ctx.opts.connections * (ctx.opts.warmup > 0 ? 2 : 1);
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
			auth: { mode: "file", file: enteredFile },
		}),
	);
	return { rows, notes, queuedAfter: after, queuedBefore: before };
}
