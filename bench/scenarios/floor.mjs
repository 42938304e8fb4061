/**
 * The platform's floor, measured in every run (first, whatever scenarios are selected):
 * the bench-only floor worker (lib/floor-worker.mjs, routed at /__floor/* in the same
 * workerd) serves the least work each hot operation must do here. Every other scenario's
 * rows are then reported as a ratio to their matching floor row (`floors` in the scenario
 * module) and to `trivial`; the targets of issue 18 are judged on those ratios.
 */

import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { TokenMinter } from "../lib/tokens.mjs";
import { setupOrg, tokensFor } from "./lib/org.mjs";

export default {
	name: "floor",
	title: "Floor: the least work of each hot operation, same workerd, same run",
	description:
		"Rows served by the bench-only floor worker (`bench/lib/floor-worker.mjs`, routed at `/__floor/*` next to the worker): " +
		"`trivial` a small JSON body; `jwt` an Ed25519 verification of a consumer token; `rpc` one Durable Object RPC with no work; " +
		"`rpc-insert` one RPC and one SQLite INSERT; `enter-floor` JWT verify + RPC + INSERT + AES-GCM of 64 bytes; " +
		"`enter-limited` the same after one RPC to one of 128 limiter objects counting the consumer's hit in memory (no write): " +
		"what an exact per-consumer budget kept in objects adds to the least enter; " +
		"`admin-floor` SHA-256 of the secret key + 2 D1 reads (the key row, one product) + one RPC to an object per key. " +
		"`healthz` is the project's own trivial endpoint. Every scenario row below reports its ratio to its matching floor row.",
	always: true,

	async run(ctx) {
		if (ctx.runner.name !== "miniflare") throw new Error("the floor worker runs on the Miniflare runner only");
		const o = await setupOrg(ctx);
		await ctx.api("POST", "/api/v1/products", {
			token: o.sk,
			body: { name: "Floor product", sku: "FLOOR-1", price: 1, inventory: 1 },
			expect: 201,
		});
		const smoke = await ctx.api("GET", "/__floor/jwt", { token: new TokenMinter(o.auth).mint() });
		if (smoke.status !== 200) throw new Error(`floor worker: /__floor/jwt → ${smoke.status}`);
		const keyFile = join(ctx.runDir, "floor-key.txt");
		writeFileSync(keyFile, `${o.sk}\n`, { mode: 0o600 });
		const admin = await ctx.api("GET", "/__floor/admin", { token: o.sk });
		if (admin.status !== 200) throw new Error(`floor worker: /__floor/admin → ${admin.status}`);

		const rows = [];
		const row = async (spec) => {
			ctx.log(`${spec.label}…`);
			rows.push(await ctx.measure(spec));
			return rows.at(-1);
		};
		const healthz = await row({ label: "healthz", path: "/healthz" });
		const mint = { ...o.auth, prepare: tokensFor(ctx, healthz) };
		await row({ label: "trivial", path: "/__floor/trivial" });
		await row({ label: "jwt", path: "/__floor/jwt", auth: mint });
		await row({ label: "rpc", path: "/__floor/rpc" });
		await row({ label: "rpc-insert", method: "POST", path: "/__floor/insert" });
		await row({ label: "enter-floor", method: "POST", path: "/__floor/enter", auth: mint });
		await row({ label: "enter-limited", method: "POST", path: "/__floor/enter-limited", auth: mint });
		await row({ label: "admin-floor", path: "/__floor/admin", auth: { mode: "file", file: keyFile } });
		return { ceiling: "trivial", rows, checks: [o.kidCheck] };
	},
};
