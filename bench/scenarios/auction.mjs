/**
 * Auction scenario: many bidders on ONE auction.
 *  - healthz: GET /healthz — the ceiling;
 *  - bid: POST /consumer/v1/auctions/:id/bids, a new bidder (consumer) per request.
 *  - bid-race: the same, each bidder bidding the minimumNextBid the latest answer showed (what a
 *    bidding page offers): bidders in flight together race for one price, one wins, the rest get 409.
 * Every bid must be ≥ the current price + minimumIncrement, so bidders racing for the same
 * price are refused with 409 "Bid too low": that is the auction working, not an error.
 * In `bid` the load generator bids ascending amounts (startingBid + n × increment for the n-th
 * request sent, n from 1), so a bid is refused only when a later one overtook it on the way to the object.
 * Afterwards: the stored bids match the accepted responses, the auction settles, and its
 * published log replays with `npm run verify:auction`.
 */
import { spawnSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { sleep } from "../lib/proc.mjs";
import { ROOT } from "../lib/runners.mjs";
import { TokenMinter } from "../lib/tokens.mjs";
import { openAuction } from "./lib/distributions.mjs";
import { cutOff, setupOrg, tokensFor } from "./lib/org.mjs";

const STARTING_BID = 1;
const INCREMENT = 1;
const isoMs = (ms) => new Date(ms).toISOString();
const n0 = (v) => Math.round(v).toLocaleString("en-US");

/** Every log entry the merchant API lists for the auction (pages of 100, newest first). */
async function allBids(ctx, sk, id) {
	const out = [];
	let cursor = null;
	do {
		const res = await ctx.api(
			"GET",
			`/api/v1/auctions/${id}/bids?limit=100${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`,
			{ token: sk, expect: [200, 429] },
		);
		if (res.status === 429) {
			await sleep(1000 * Number(res.headers.get("Retry-After") ?? 5));
			continue;
		}
		out.push(...res.json.data);
		cursor = res.json.nextCursor;
	} while (cursor);
	return out;
}

export default {
	name: "auction",
	title: "Auction: many bidders on one auction",
	description:
		`One OPEN auction (startingBid ${STARTING_BID}, minimumIncrement ${INCREMENT}, no reserve, no buy-now, no soft close). ` +
		"`bid` places a bid from a new bidder per request (tokens minted by the bench); the load generator bids ascending " +
		`amounts (${STARTING_BID} + n × ${INCREMENT} for the n-th request it sends, after an opening bid of ${STARTING_BID}), so a bid is refused (409 "Bid too low") only ` +
		"when a later bid overtook it on the way to the object. `bid-race` bids, on the same auction, the `minimumNextBid` of the " +
		"latest answer the load generator saw (what a bidding page offers): the bidders in flight together race for one price. " +
		"409s are the auction's answer under contention, not errors: *req/s* counts every handled bid, the table below splits " +
		"accepted and refused.",
	floors: {
		bid: { floor: "enter-floor", max: 1.4 },
		"bid-race": { floor: "enter-floor", max: 1.4 },
		state: { floor: "healthz", max: 1.5 },
	},

	async run(ctx) {
		const o = await setupOrg(ctx);
		const checks = [];
		const a = await openAuction(ctx, o, { startingBid: STARTING_BID, minimumIncrement: INCREMENT });
		ctx.log(`auction ${a.id} (org ${o.orgId}) is OPEN`);

		// One bidder end to end: the opening bid at startingBid leads.
		const token = new TokenMinter(o.auth).mint();
		const first = (
			await ctx.api("POST", `${a.base}/bids`, { token, headers: a.headers, body: { amount: STARTING_BID } })
		).json;
		if (first.status !== "WINNING" || first.minimumNextBid !== STARTING_BID + INCREMENT) {
			throw new Error(`smoke test: first bid → ${JSON.stringify(first)}`);
		}

		const rows = [];
		ctx.log("healthz (ceiling)…");
		rows.push(await ctx.measure({ label: "healthz", path: "/healthz" }));
		ctx.log("bid (a new bidder per request, ascending amounts)…");
		const bid = await ctx.measure({
			label: "bid",
			method: "POST",
			path: `${a.base}/bids`,
			headers: { ...a.headers, "Content-Type": "application/json" },
			auth: { ...o.auth, prepare: tokensFor(ctx, rows[0]) },
			bodySequence: { template: {}, field: "amount", start: STARTING_BID + INCREMENT, step: INCREMENT },
			expectedStatuses: [409],
		});
		rows.push(bid);
		const split = (r) => ({ accepted: r.statusCodes["200"] ?? 0, refused: r.statusCodes["409"] ?? 0 });
		const rate = (r) =>
			`${n0(split(r).accepted / r.seconds)} accepted/s, ${n0(split(r).refused / r.seconds)} refused/s, ${r.errorCount} errors`;
		ctx.log(`bid: ${rate(bid)}`);

		const floor = (await ctx.api("GET", a.base, { headers: a.headers })).json.minimumNextBid;
		ctx.log(`bid-race (a new bidder per request, bidding the minimumNextBid last seen, from ${floor})…`);
		const race = await ctx.measure({
			label: "bid-race",
			method: "POST",
			path: `${a.base}/bids`,
			headers: { ...a.headers, "Content-Type": "application/json" },
			auth: { ...o.auth, prepare: tokensFor(ctx, rows[0]) },
			// A refusal names the new minimum ("… The minimum next bid is 12.") as a bidding page would show it.
			bodySequence: {
				template: {},
				field: "amount",
				start: floor,
				follow: "minimumNextBid",
				followPattern: "minimum next bid is ([0-9.]+)",
			},
			expectedStatuses: [409],
		});
		rows.push(race);
		ctx.log(`bid-race: ${rate(race)}`);

		// The public state a bidding page polls (publishable key, no token): served from the per-isolate snapshot.
		rows.push(await ctx.measure({ label: "state", path: a.base, headers: a.headers }));

		// ── integrity: what the auction stored is what it accepted ─────────
		const totals = { statusCodes: {}, reasons: {} };
		for (const r of [bid, race]) {
			for (const k of ["statusCodes", "reasons"]) {
				for (const [c, n] of Object.entries(r.totals[k])) totals[k][c] = (totals[k][c] ?? 0) + n;
			}
		}
		const acceptedAll = (totals.statusCodes["200"] ?? 0) + 1; // warm-ups + measured + the smoke test's bid
		const unexpected = Object.entries(totals.statusCodes).filter(([c]) => c !== "200" && c !== "409");
		checks.push({
			what: "every bid got 200 or 409 (no 5xx, no other status), warm-ups included",
			ok: unexpected.length === 0,
			detail: Object.entries(totals.statusCodes)
				.map(([c, n]) => `${c}×${n}`)
				.join(", "),
		});
		const reasons = Object.keys(totals.reasons);
		checks.push({
			what: 'every 409 is "Bid too low"',
			ok: reasons.every((r) => r === "409 Bid too low"),
			detail: reasons.join(", ") || "no 409s",
		});
		const state = (await ctx.api("GET", a.base, { headers: a.headers })).json;
		const listed = await allBids(ctx, o.sk, a.id);
		const stored = listed.filter((b) => b.kind === "bid").length;
		checks.push({
			what:
				"GET /api/v1/auctions/:id/bids lists every accepted bid (explicit bids ≥ 2xx responses, excess ≤ requests cut off in flight), " +
				"and the public bidCount agrees",
			ok: stored >= acceptedAll && stored - acceptedAll <= 2 * cutOff(ctx) && state.bidCount === stored,
			detail: `${stored} bids listed (${listed.length - stored} proxy steps), bidCount ${state.bidCount}, ${acceptedAll} 2xx responses, ≤ ${2 * cutOff(ctx)} cut off (two rows)`,
		});

		// ── settle, and replay the published log ────────────────────────────
		ctx.log("settling (closeAt = settleAt = now + 2 s)…");
		const settleAt = Date.now() + 2000;
		await ctx.api("PUT", `/api/v1/auctions/${a.id}`, {
			token: o.sk,
			body: { closeAt: isoMs(settleAt), settleAt: isoMs(settleAt) },
		});
		await sleep(settleAt - Date.now());
		let log;
		for (let i = 0; i < 150 && !log; i++) {
			const res = await ctx.api("GET", `${a.base}/log`, { headers: a.headers, expect: [200, 409], timeoutMs: 120_000 });
			// The log is readable while the auction runs (commitments only); wait for the settled one.
			if (res.status === 200 && res.json.status === "SETTLED") log = res.json;
			else await sleep(200);
		}
		if (!log) throw new Error("the auction did not settle within 30 s");
		const logFile = join(ctx.runDir, `auction-log-${a.id}.json`);
		writeFileSync(logFile, `${JSON.stringify(log)}\n`);
		const logBids = log.entries.filter((e) => e.kind === "bid");
		const top = Math.max(...logBids.map((e) => e.amount));
		checks.push({
			what: "the settled log holds the listed bids and ends at the highest one",
			ok: logBids.length === stored && log.finalPrice === top && log.winner != null,
			detail: `${log.entries.length} log entries (${logBids.length} bids), final price ${log.finalPrice} (minor units), highest bid ${top}`,
		});
		const verifyAt = Date.now();
		const v = spawnSync("npm", ["run", "verify:auction", "--", logFile], {
			cwd: ROOT,
			encoding: "utf8",
			timeout: 300_000,
		});
		const verifyMs = Date.now() - verifyAt;
		const out = `${v.stdout ?? ""}${v.stderr ?? ""}`;
		writeFileSync(join(ctx.runDir, `auction-verify-${a.id}.txt`), out);
		const verdict = out.split("\n").find((l) => /VERIFIED/.test(l)) ?? "(no verdict printed)";
		ctx.log(`verify:auction: exit ${v.status}, ${(verifyMs / 1000).toFixed(1)} s — ${verdict}`);
		checks.push({
			what: "`npm run verify:auction -- log.json` replays the settled log: VERIFIED, exit 0",
			ok: v.status === 0 && /^VERIFIED/.test(verdict),
			detail: `exit ${v.status ?? v.signal}, ${(verifyMs / 1000).toFixed(1)} s: ${verdict}`,
		});

		const ceiling = rows[0];
		const pct = (n, r) => `${((100 * n) / r.responses).toFixed(1)} %`;
		const splitRows = [bid, race].flatMap((r) => {
			const { accepted, refused } = split(r);
			const x = (n) => (n / r.seconds / ceiling.rps).toFixed(2);
			return [
				[`\`${r.label}\` accepted (200)`, n0(accepted), n0(accepted / r.seconds), pct(accepted, r), x(accepted)],
				[`\`${r.label}\` refused (409 Bid too low)`, n0(refused), n0(refused / r.seconds), pct(refused, r), x(refused)],
				[`\`${r.label}\` handled`, n0(r.responses), n0(r.rps), "100 %", x(r.responses)],
			];
		});
		return {
			ceiling: "healthz",
			rows,
			checks,
			notes: [],
			tables: [
				{
					title: "Bids: accepted and refused (measured windows)",
					text:
						"*handled* = accepted + refused (every answer the auction gave); the targets are judged on it. " +
						`In \`bid\` a refused bid is one a later, higher bid overtook on the way to the object; in \`bid-race\` the ${ctx.opts.connections} ` +
						"bidders in flight mostly offer the same minimum, and one of them gets it.",
					head: ["", "bids", "per second", "share", "× ceiling"],
					rows: splitRows,
				},
			],
			summary: [
				`bid: ${rate(bid)}; bid-race: ${rate(race)}`,
				`log ${log.entries.length} entries, verify:auction exit ${v.status}`,
			],
			context: {
				auction: a.id,
				"bids stored": stored,
				"final price (minor units)": log.finalPrice,
				"log/verifier output": ctx.runDir.replace(`${ROOT}/`, ""),
			},
		};
	},
};
