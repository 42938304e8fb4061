#!/usr/bin/env node
// Standalone auction log verifier: `npm run verify:auction -- log.json [heads.json] [jwks.json]`.
// log.json is GET /consumer/v1/auctions/:id/log (fanfare-edge/auction-v2). Checks the genesis and
// the hash chain; once settled, the revealed maxima and reserve against their commitments, every bid
// against the rules and the times in force, the soft-close extensions, the final price and winner.
// heads.json (optional): the signed heads a bidder kept — a JSON array of head tokens or of
// {seq, headHash, token} (what `fanfare.auctions.heads(id)` returns); each must lie on the chain.
// jwks.json (optional): GET /.well-known/jwks.json; with it every head's signature is checked
// too (a head that does not verify proves nothing). Needs no server. Exit code 0 = verified.
import { readFileSync } from "node:fs";
import { type AuctionLog, type HeldHead, verifyAuction } from "../src/distributions/auction/verify";
import { type AuctionHead, headOf, verifyHeadToken } from "../src/sdk/auction-log";

const [logPath, headsPath, jwksPath] = process.argv.slice(2);
if (!logPath) {
	console.error("usage: npm run verify:auction -- log.json [heads.json] [jwks.json]");
	process.exit(2);
}
const read = (path: string) => JSON.parse(readFileSync(path, "utf8"));
const log = read(logPath) as AuctionLog;
const held = (headsPath ? (read(headsPath) as (AuctionHead | string)[]) : []).map((h) =>
	typeof h === "string" ? h : h.token,
);
const jwks = jwksPath ? read(jwksPath) : null;

const heads: HeldHead[] = [];
const problems: string[] = [];
for (const token of held) {
	const head = jwks ? await verifyHeadToken(token, jwks) : headOf(token);
	if (head) heads.push(head);
	else problems.push(`a head token that does not verify: ${token.slice(0, 24)}…`);
}
const result = verifyAuction(log, heads);
problems.push(...result.problems);
for (const problem of problems) console.log(`FAIL ${problem}`);
const settled = log.rules != null;
console.log(
	`${problems.length === 0 ? "VERIFIED" : "NOT VERIFIED"}: auction ${log.auctionId} (${log.status ?? "?"}), ` +
		`${log.entries.length} log entries, ${heads.length} held head(s)${jwks ? " with signatures" : " (signatures not checked: no jwks.json)"}, ` +
		(settled
			? `final price ${log.finalPrice ?? "none"} (minor units), winner ${log.winner ?? "none"}`
			: "not settled yet: chain and heads checked, maxima still sealed"),
);
process.exit(problems.length === 0 ? 0 : 1);
