#!/usr/bin/env node
// Standalone draw verifier (draw-v2), with public material only — no secret key, no merchant:
//   npm run verify:draw -- --url http://127.0.0.1:8787 --key pk_… <drawId> [--receipt receipt.json …]
//   npm run verify:draw -- proof.json log.json --jwks jwks.json [--receipt receipt.json …]
// proof.json: GET /consumer/v1/draws/:id/proof; log.json: GET /consumer/v1/draws/:id/log;
// jwks.json: GET /.well-known/jwks.json; a receipt: the `receipt` of the entrant's state (or the
// whole state). Exit code 0 = verified, 1 = not verified, 2 = bad usage.
import { readFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { type DrawProof, type HeldReceipt, type PublishedLog, verifyDraw } from "../src/distributions/draw/verify";
import { type Jwks, JwksCache } from "../src/sdk/admission";

const { values, positionals } = parseArgs({
	allowPositionals: true,
	options: {
		url: { type: "string" },
		key: { type: "string" },
		jwks: { type: "string" },
		receipt: { type: "string", multiple: true },
	},
});
const usage = () => {
	console.error(
		"usage: npm run verify:draw -- --url <base> --key <pk_…> <drawId> [--receipt r.json]\n" +
			"       npm run verify:draw -- proof.json log.json --jwks jwks.json [--receipt r.json]",
	);
	process.exit(2);
};
const readJson = (path: string) => JSON.parse(readFileSync(path, "utf8"));

let proof: DrawProof;
let log: PublishedLog;
let jwks: Jwks;
if (values.url) {
	const [drawId] = positionals;
	if (!drawId || !values.key) usage();
	const base = values.url.replace(/\/+$/, "");
	const get = async (path: string) => {
		const res = await fetch(`${base}${path}`, { headers: { "X-Publishable-Key": values.key as string } });
		if (!res.ok) throw new Error(`GET ${path}: HTTP ${res.status} ${await res.text()}`);
		return res.json();
	};
	const d = `/consumer/v1/draws/${encodeURIComponent(drawId)}`;
	[proof, log, jwks] = (await Promise.all([get(`${d}/proof`), get(`${d}/log`), get("/.well-known/jwks.json")])) as [
		DrawProof,
		PublishedLog,
		Jwks,
	];
} else {
	const [proofPath, logPath] = positionals;
	if (!proofPath || !logPath || !values.jwks) usage();
	proof = readJson(proofPath);
	log = readJson(logPath);
	jwks = readJson(values.jwks as string);
}
if (log.drawId !== proof.drawId) {
	console.error(`the log is of ${log.drawId}, the proof of ${proof.drawId}`);
	process.exit(1);
}
const receipts = (values.receipt ?? []).map((path) => {
	const json = readJson(path);
	return (json.receipt ?? json) as HeldReceipt;
});

const started = performance.now();
const result = await verifyDraw(proof, log, { keys: new JwksCache(async () => jwks), receipts });
for (const c of result.checks) {
	console.log(`${c.ok ? "ok  " : "FAIL"} ${c.name}: ${c.detail}`);
	if (!c.ok) console.log(`       expected: ${c.expected}\n       found:    ${c.found}`);
}
const ms = (performance.now() - started).toFixed(0);
const verdict = result.ok
	? result.devChain
		? "VERIFIED ON A DEV CHAIN (local beacon: proves nothing to the public)"
		: "VERIFIED"
	: "NOT VERIFIED";
console.log(
	`${verdict}: draw ${proof.drawId}, ${log.records.length} log records, ${receipts.length} receipt(s), ${ms} ms`,
);
process.exit(result.ok ? 0 : 1);
