#!/usr/bin/env node
// Standalone draw verifier: `npm run verify:draw -- proof.json entries.json`.
// proof.json: GET /consumer/v1/draws/:id/proof; entries.json: GET /api/v1/draws/:id/entries/export
// (or a plain JSON array of entry ids). Needs no server and no secrets. Exit code 0 = verified.
import { readFileSync } from "node:fs";
import { type DrawProof, verifyDraw } from "../src/distributions/draw/verify";

const [proofPath, entriesPath] = process.argv.slice(2);
if (!proofPath || !entriesPath) {
	console.error("usage: npm run verify:draw -- proof.json entries.json");
	process.exit(2);
}
const proof = JSON.parse(readFileSync(proofPath, "utf8")) as DrawProof;
const entries = JSON.parse(readFileSync(entriesPath, "utf8")) as string[] | { drawId?: string; entryIds: string[] };
const entryIds = Array.isArray(entries) ? entries : entries.entryIds;
if (!Array.isArray(entries) && entries.drawId && entries.drawId !== proof.drawId) {
	console.error(`entries are of ${entries.drawId}, the proof of ${proof.drawId}`);
	process.exit(1);
}
const started = performance.now();
const result = verifyDraw(proof, entryIds);
for (const c of result.checks) console.log(`${c.ok ? "ok  " : "FAIL"} ${c.name}: ${c.detail}`);
console.log(
	`${result.ok ? "VERIFIED" : "NOT VERIFIED"}: draw ${proof.drawId}, ${entryIds.length} entries, ${(performance.now() - started).toFixed(0)} ms`,
);
process.exit(result.ok ? 0 : 1);
