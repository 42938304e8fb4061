/**
 * Admin scenario: the merchant API under load.
 *  - healthz: GET /healthz — the ceiling;
 *  - get: GET /api/v1/products/:id — the fixed cost of an admin read (key auth, rate limit, one row);
 *  - list: GET /api/v1/products?limit=<L> on an organization holding <P> products (default 100 of 1,000);
 *  - create: POST /api/v1/products, a new product (unique name and SKU) per request.
 * The API allows 100 products requests per minute per secret key (the RateLimiter object), so a
 * single key would measure the limiter's 429s. The bench mints a pool of secret keys through the
 * API (POST /api/v1/api-keys) and the load generator cycles over them: each key stays under its
 * budget, and every request still pays for key auth and the rate-limit check, as in production.
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { sleep } from "../lib/proc.mjs";
import { setupOrg } from "./lib/org.mjs";

const PER_KEY_PER_MINUTE = 100;
const n0 = (v) => Math.round(v).toLocaleString("en-US");

/** Requests a row may send at the ceiling's pace (warm-up + run), with a margin. */
const rowBudget = (ctx, ceilingRow) => Math.ceil(ceilingRow.rps * (ctx.opts.warmup + ctx.opts.duration) * 1.25);

/** `count` new secret keys; each creation uses a key that has made fewer than 300 admin calls this minute. */
async function mintKeys(ctx, sk, count, label) {
	const creators = [sk];
	const keys = [];
	let made = 0;
	async function lane() {
		while (made < count) {
			const i = made++;
			const creator = creators[Math.floor(i / 250) % creators.length];
			const res = await ctx.api("POST", "/api/v1/api-keys", {
				token: creator,
				body: { type: "secret", name: `bench ${label} ${i}` },
				expect: 201,
			});
			keys.push(res.json.key);
			if (creators.length < 1 + Math.floor(keys.length / 250)) creators.push(res.json.key);
		}
	}
	await Promise.all(Array.from({ length: 8 }, lane));
	return keys;
}

/** Every product of the organization, paging with the keys in turn (each page is one products request). */
async function countProducts(ctx, keys) {
	let n = 0;
	let cursor = null;
	for (let page = 0; ; page++) {
		const res = await ctx.api(
			"GET",
			`/api/v1/products?limit=100${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`,
			{ token: keys[page % keys.length], expect: [200, 429] },
		);
		if (res.status === 429) {
			await sleep(1000);
			continue;
		}
		n += res.json.data.length;
		cursor = res.json.nextCursor;
		if (!cursor) return n;
	}
}

const productBody = { price: 19.99, inventory: 100, description: "Created by the bench's load generator." };

export default {
	name: "admin",
	title: "Admin API: products",
	floors: {
		get: { floor: "admin-floor", max: 1.3 },
		list: { floor: "admin-floor", max: 1.3 },
		create: { floor: "admin-floor", max: 1.5 },
	},
	description:
		"The merchant API with a secret key: `get` reads one product (GET /api/v1/products/:id: the fixed cost of an " +
		"admin request), `list` reads one page of an organization's products " +
		"(GET /api/v1/products?limit=L, newest first, the organization holding P products created through the API " +
		"beforehand); `create` adds a product per request (POST /api/v1/products, unique name and SKU, price, " +
		"inventory and description). The API allows 100 products requests per minute per key, so the load " +
		"generator cycles over a pool of secret keys minted through POST /api/v1/api-keys (a separate pool per row, " +
		"sized so no key reaches its budget): every request still runs key authentication (SHA-256 and a D1 lookup) " +
		"and the RateLimiter object's check. Each key makes one request just before its row (the first creates the key's " +
		"RateLimiter object), so the rows measure keys in steady use. One production key is limited to 100 such requests " +
		"per minute.",
	options: [
		{ flag: "--admin-products", key: "adminProducts", default: 1000, help: "products in the listed organization" },
		{ flag: "--admin-list-limit", key: "adminListLimit", default: 100, help: "page size of the `list` row (1–100)" },
	],

	async run(ctx) {
		const products = ctx.params.adminProducts ?? 1000;
		const limit = Math.min(100, Math.max(1, ctx.params.adminListLimit ?? 100));
		const o = await setupOrg(ctx);
		const checks = [];
		const notes = [];

		// Products through the API, spread over a few keys (100 per key per minute).
		const seedKeys = await mintKeys(ctx, o.sk, Math.ceil(products / (PER_KEY_PER_MINUTE * 0.8)) + 2, "seed");
		ctx.log(`creating ${n0(products)} products through the API…`);
		const seedAt = Date.now();
		let made = 0;
		await Promise.all(
			Array.from({ length: 8 }, async () => {
				while (made < products) {
					const i = made++;
					await ctx.api("POST", "/api/v1/products", {
						token: seedKeys[i % seedKeys.length],
						body: { ...productBody, name: `Seed product ${i}`, sku: `SEED-${i}` },
						expect: 201,
					});
				}
			}),
		);
		ctx.log(`${n0(products)} products in ${((Date.now() - seedAt) / 1000).toFixed(1)} s`);

		const rows = [];
		ctx.log("healthz (ceiling)…");
		rows.push(await ctx.measure({ label: "healthz", path: "/healthz" }));
		const perRow = Math.ceil(rowBudget(ctx, rows[0]) / (PER_KEY_PER_MINUTE * 0.9));
		ctx.log(`minting 3 × ${perRow} secret keys (one pool per row)…`);
		const keyFile = (name, keys) => {
			const file = join(ctx.runDir, `admin-keys-${name}.txt`);
			writeFileSync(file, `${keys.join("\n")}\n`, { mode: 0o600 });
			return file;
		};
		const getKeys = await mintKeys(ctx, o.sk, perRow, "get");
		const listKeys = await mintKeys(ctx, seedKeys[0], perRow, "list");
		const createKeys = await mintKeys(ctx, seedKeys[1], perRow, "create");
		const one = (await ctx.api("GET", "/api/v1/products?limit=1", { token: seedKeys[2] })).json.data[0];

		// A key's first request creates its RateLimiter object (a new SQLite database) and records its
		// lastUsedAt: once per key, not per request. Done just before each row, so rows measure steady state.
		const prime = async (keys) => {
			let next = 0;
			await Promise.all(
				Array.from({ length: 8 }, async () => {
					while (next < keys.length) {
						await ctx.api("GET", `/api/v1/products/${one.id}`, { token: keys[next++] });
					}
				}),
			);
		};

		await prime(getKeys);
		ctx.log(`get (GET /api/v1/products/${one.id})…`);
		rows.push(
			await ctx.measure({
				label: "get",
				path: `/api/v1/products/${one.id}`,
				auth: { mode: "file", file: keyFile("get", getKeys) },
			}),
		);

		await prime(listKeys);
		ctx.log(`list (GET /api/v1/products?limit=${limit}, ${n0(products)} products)…`);
		rows.push(
			await ctx.measure({
				label: "list",
				path: `/api/v1/products?limit=${limit}`,
				auth: { mode: "file", file: keyFile("list", listKeys) },
			}),
		);
		const listed = (await ctx.api("GET", `/api/v1/products?limit=${limit}`, { token: seedKeys[1] })).json;
		checks.push({
			what: `a page holds ${limit} products and a cursor to the next`,
			ok: listed.data.length === Math.min(limit, products) && products > limit === (listed.nextCursor != null),
			detail: `${listed.data.length} products, nextCursor ${listed.nextCursor ? "set" : "null"}`,
		});

		await prime(createKeys);
		ctx.log("create (POST /api/v1/products, a new SKU per request)…");
		const create = await ctx.measure({
			label: "create",
			method: "POST",
			path: "/api/v1/products",
			headers: { "Content-Type": "application/json" },
			auth: { mode: "file", file: keyFile("create", createKeys) },
			bodySequence: {
				template: productBody,
				strings: { name: "Bench product {n}", sku: `BENCH-${Date.now().toString(36)}-{n}` },
			},
		});
		rows.push(create);

		// Integrity: every 2xx create is a stored product; no key ran out of budget.
		const created = Object.entries(create.totals?.statusCodes ?? {})
			.filter(([c]) => c.startsWith("2"))
			.reduce((n, [, v]) => n + v, 0);
		const stored = (await countProducts(ctx, seedKeys)) - products;
		const inFlight = ctx.opts.connections * (ctx.opts.warmup > 0 ? 2 : 1);
		checks.push({
			what: "every 2xx `create` was stored (new products ≥ 2xx creates, excess ≤ requests cut off in flight)",
			ok: stored >= created && stored - created <= inFlight,
			detail: `${n0(stored)} new products, ${n0(created)} 2xx creates (warm-up included), ≤ ${inFlight} cut off`,
		});
		const limited = rows.reduce((n, r) => n + (r.totals?.statusCodes?.["429"] ?? 0), 0);
		checks.push({
			what: "no request was rate-limited (429): the key pools were large enough",
			ok: limited === 0,
			detail: `${limited} × 429 over ${getKeys.length} + ${listKeys.length} + ${createKeys.length} keys`,
		});
		notes.push(
			`Keys: ${perRow} per row (each key used at most ~${Math.ceil(rowBudget(ctx, rows[0]) / perRow)} times ` +
				"per row, under its 100/min budget). Each key made one request just before its row (its first request creates its " +
				"RateLimiter object and records lastUsedAt, which is then not written again within the minute), so the rows measure " +
				"keys in steady use.",
		);
		return {
			title: `Admin API: product list (${limit} of ${n0(products)}) and create`,
			ceiling: "healthz",
			rows,
			checks,
			notes,
			context: { organization: o.orgId, "products before create": products, "products created": stored },
		};
	},
};
