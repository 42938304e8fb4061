#!/usr/bin/env node
// Standalone auction log verifier: `npm run verify:auction -- log.json`, where log.json is
// GET /consumer/v1/auctions/:id/log. Checks the hash chain, replays every bid against the
// rules, and compares the final price and winner. Needs no server. Exit code 0 = verified.
import { readFileSync } from "node:fs";
import { type AuctionLog, verifyAuction } from "../src/distributions/auction/verify";

const [logPath] = process.argv.slice(2);
if (!logPath) {
	console.error("usage: npm run verify:auction -- log.json");
	process.exit(2);
}
const log = JSON.parse(readFileSync(logPath, "utf8")) as AuctionLog;
const result = verifyAuction(log);
for (const problem of result.problems) console.log(`FAIL ${problem}`);
console.log(
	`${result.ok ? "VERIFIED" : "NOT VERIFIED"}: auction ${log.auctionId}, ${log.entries.length} log entries, ` +
		`final price ${log.finalPrice ?? "none"} (minor units), winner ${log.winner ?? "none"}`,
);
process.exit(result.ok ? 0 : 1);
