/**
 * A bench-only worker that serves the platform's floor: the least work each hot operation
 * must do on this runtime, measured by the same load generator in the same run as the
 * worker under test. Runs inside workerd (Miniflare), never in Node. `startMiniflare` loads
 * it next to the worker, routed at `/__floor/*` (every other path goes to the worker), with
 * its own SQLite-backed object (`FLOOR`), the worker's D1 database (`DB`) and the public half
 * of the bench's signing key (`FLOOR_JWK`).
 *
 * GET  /__floor/trivial  — a small JSON body (the bare worker)
 * GET  /__floor/jwt      — Ed25519 verification of the consumer token in Authorization
 * GET  /__floor/rpc      — one RPC to one object, no work
 * POST /__floor/insert   — one RPC + one SQLite INSERT
 * POST /__floor/enter    — JWT verify + RPC + INSERT + AES-GCM of 64 bytes (base64url in the body)
 * POST /__floor/enter-limited — the same after one RPC to one of 128 limiter objects counting the
 *                          consumer's hit in memory only (no write): the least an enter pays for an exact
 *                          per-consumer budget kept in objects, as the worker keeps it
 * GET  /__floor/admin    — SHA-256 of the secret key + 2 D1 reads (the key row, one product) + one RPC
 * GET  /__floor/bytes?n=N — a JSON body of N bytes held in memory (what sending a cached body of that size costs)
 */
import { DurableObject } from "cloudflare:workers";

export class FloorObject extends DurableObject {
	constructor(ctx, env) {
		super(ctx, env);
		ctx.storage.sql.exec("CREATE TABLE IF NOT EXISTS rows (id TEXT PRIMARY KEY, at INTEGER NOT NULL)");
	}
	noop() {
		return { ok: true };
	}
	/** One hit of `bucket` in a 60 s sliding log held in memory: true while under `limit`. */
	hit(bucket, limit) {
		const now = Date.now();
		this.logs ??= new Map();
		const log = this.logs.get(bucket)?.filter((t) => t > now - 60_000) ?? [];
		const allowed = log.length < limit;
		if (allowed) log.push(now);
		this.logs.set(bucket, log);
		return { allowed, remaining: limit - log.length };
	}
	insert(id) {
		this.ctx.storage.sql.exec("INSERT INTO rows (id, at) VALUES (?, ?)", id, Date.now());
		return { ok: true, id };
	}
}

const enc = new TextEncoder();
const dec = new TextDecoder();
const b64uDecode = (s) => Uint8Array.from(atob(s.replaceAll("-", "+").replaceAll("_", "/")), (c) => c.charCodeAt(0));
const b64uEncode = (bytes) => {
	let s = "";
	for (let i = 0; i < bytes.length; i++) s += String.fromCharCode(bytes[i]);
	return btoa(s).replaceAll("+", "-").replaceAll("/", "_").replace(/=+$/, "");
};

// Per isolate, as the worker caches its own keys.
let verifyKey;
let aesKey;
let seq = 0;
const bodies = new Map();
const rid = () => `${Date.now().toString(36)}-${(seq++).toString(36)}-${Math.random().toString(36).slice(2)}`;

async function verifyJwt(request, env) {
	const token = (request.headers.get("Authorization") ?? "").slice(7);
	const [h, p, s] = token.split(".");
	if (!s) return null;
	verifyKey ??= await crypto.subtle.importKey("jwk", JSON.parse(env.FLOOR_JWK), { name: "Ed25519" }, false, ["verify"]);
	const ok = await crypto.subtle.verify("Ed25519", verifyKey, b64uDecode(s), enc.encode(`${h}.${p}`));
	if (!ok) return null;
	const claims = JSON.parse(dec.decode(b64uDecode(p)));
	return claims.exp > Date.now() / 1000 ? claims : null;
}

/** FNV-1a onto 128 shards, as the worker spreads its limiter buckets (rate-limit.ts `limiterShard`). */
function shardOf(key) {
	let h = 0x811c9dc5;
	for (let i = 0; i < key.length; i++) h = Math.imul(h ^ key.charCodeAt(i), 0x01000193);
	return (h >>> 0) % 128;
}

const unauthorized = () => Response.json({ title: "Unauthorized" }, { status: 401 });

export default {
	async fetch(request, env) {
		const path = new URL(request.url).pathname;
		const stub = () => env.FLOOR.getByName("floor");
		switch (path) {
			case "/__floor/trivial":
				return Response.json({ ok: true });
			case "/__floor/jwt": {
				const claims = await verifyJwt(request, env);
				return claims ? Response.json({ ok: true, sub: claims.sub }) : unauthorized();
			}
			case "/__floor/rpc":
				return Response.json(await stub().noop());
			case "/__floor/insert":
				return Response.json(await stub().insert(rid()));
			case "/__floor/enter":
			case "/__floor/enter-limited": {
				const claims = await verifyJwt(request, env);
				if (!claims) return unauthorized();
				if (path === "/__floor/enter-limited") {
					const limit = await env.FLOOR.getByName(`limits:${shardOf(claims.sub)}`).hit(`enter|${claims.sub}`, 10);
					if (!limit.allowed) return Response.json({ title: "Rate limit exceeded" }, { status: 429 });
				}
				const row = await stub().insert(`${claims.sub}:${rid()}`);
				aesKey ??= await crypto.subtle.importKey("raw", crypto.getRandomValues(new Uint8Array(32)), "AES-GCM", false, [
					"encrypt",
				]);
				const iv = crypto.getRandomValues(new Uint8Array(12));
				const ct = await crypto.subtle.encrypt({ name: "AES-GCM", iv }, aesKey, new Uint8Array(64));
				return Response.json({
					status: "QUEUED",
					id: row.id,
					ticket: `${b64uEncode(iv)}.${b64uEncode(new Uint8Array(ct))}`,
				});
			}
			case "/__floor/admin": {
				const key = (request.headers.get("Authorization") ?? "").slice(7);
				const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", enc.encode(key)));
				const hash = [...digest].map((b) => b.toString(16).padStart(2, "0")).join("");
				const k = await env.DB.prepare("SELECT id, organization_id FROM api_keys WHERE key_hash = ?")
					.bind(hash)
					.first();
				if (!k) return unauthorized();
				const product = await env.DB.prepare("SELECT * FROM products WHERE organization_id = ? LIMIT 1")
					.bind(k.organization_id)
					.first();
				await env.FLOOR.getByName(k.id).noop();
				return Response.json(product ?? {});
			}
			case "/__floor/bytes": {
				const n = Math.min(Math.max(Number(new URL(request.url).searchParams.get("n")) || 0, 16), 16 * 1024 * 1024);
				let body = bodies.get(n);
				if (!body) {
					body = `{"pad":"${"0123456789abcdef".repeat(Math.ceil(n / 16)).slice(0, n - 10)}"}`;
					bodies.set(n, body);
				}
				return new Response(body, { headers: { "Content-Type": "application/json" } });
			}
			default:
				return new Response("not a floor path", { status: 404 });
		}
	},
};
