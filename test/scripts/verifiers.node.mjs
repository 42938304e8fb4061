// `npm run verify:draw` and `verify:auction` against the real worker (`wrangler dev` on a fresh local D1, drawing on the
// local dev beacon through the same code as quicknet): an entrant verifies a drawn draw with public
// material and its own receipt, and the same command refuses a tampered proof, log or receipt,
// naming the check with what it expected and what it found. Plain node:test: it runs processes
// and binds ports, which the workerd pool cannot.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { fileURLToPath } from "node:url";
import { prepare, startWranglerDev } from "../../bench/lib/runners.mjs";
import { newBeaconSecret, startDevBeacon } from "../../scripts/beacon-process.mjs";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const runDir = mkdtempSync(join(tmpdir(), "fanfare-verify-"));
let beacon;
let worker;
let base;
let org;

async function call(path, { key, body, method, headers = {} } = {}) {
	const res = await fetch(`${base}${path}`, {
		method: method ?? (body ? "POST" : "GET"),
		headers: {
			...(key ? { Authorization: `Bearer ${key}` } : {}),
			...(body ? { "Content-Type": "application/json" } : {}),
			...headers,
		},
		body: body ? JSON.stringify(body) : undefined,
	});
	const text = await res.text();
	let json;
	try {
		json = JSON.parse(text);
	} catch {}
	return { status: res.status, json, text };
}

/** A verifier CLI as a user runs it: `npm run verify:draw -- …` is `tsx scripts/verify-draw.ts …`. */
function runCli(script, args) {
	const r = spawnSync(join(ROOT, "node_modules", ".bin", "tsx"), [join(ROOT, "scripts", script), ...args], {
		cwd: ROOT,
		encoding: "utf8",
		timeout: 120_000,
	});
	return { code: r.status, out: `${r.stdout}${r.stderr}` };
}
const verifyDraw = (args) => runCli("verify-draw.ts", args);
const verifyAuction = (args) => runCli("verify-auction.ts", args);

const iso = (ms) => new Date(ms).toISOString();
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

before(async () => {
	beacon = await startDevBeacon({ secretKey: newBeaconSecret(), period: 1 });
	const prep = prepare(runDir, () => {});
	// Variables wrangler.toml does not declare go as --var (an env file's would be dropped).
	worker = await startWranglerDev(prep, { fromSource: true, vars: { ...beacon.vars, DRAW_SEAL_MARGIN_MS: "1000" } });
	base = worker.url;
	const created = await call("/platform/v1/organizations", {
		key: prep.secrets.PLATFORM_ADMIN_TOKEN,
		body: { name: "Verifier Org", defaultTimeZone: "UTC" },
	});
	assert.equal(created.status, 201, created.text);
	org = { sk: created.json.secretKey.key, pk: created.json.publishableKey.key };
});

after(async () => {
	await worker?.stop();
	await beacon?.stop();
	if (!process.env.KEEP_RUN) rmSync(runDir, { recursive: true, force: true });
});

test("an entrant verifies a drawn draw with its receipt; tampering with the proof, the log or the receipt is NOT VERIFIED", async () => {
	const exp = await call("/api/v1/experiences", { key: org.sk, body: { name: "Drop" } });
	const seq = await call(`/api/v1/experiences/${exp.json.id}/sequences`, { key: org.sk, body: { name: "Main" } });
	const now = Date.now();
	const draw = await call("/api/v1/draws", {
		key: org.sk,
		body: {
			sequenceId: seq.json.id,
			openAt: iso(now - 1000),
			closeAt: iso(now + 3000),
			drawAt: iso(now + 3000),
			winnerCount: 2,
		},
	});
	assert.equal(draw.status, 201, draw.text);
	const drawId = draw.json.id;
	const shoppers = [];
	for (let i = 0; i < 6; i++) {
		const g = await call("/consumer/v1/auth/guest", { method: "POST", headers: { "X-Publishable-Key": org.pk } });
		const entered = await call(`/consumer/v1/draws/${drawId}/enter`, {
			method: "POST",
			key: g.json.accessToken,
			headers: { "X-Publishable-Key": org.pk },
		});
		assert.equal(entered.status, 200, entered.text);
		shoppers.push(g.json.accessToken);
	}
	let proof;
	for (let i = 0; i < 100 && !proof?.drawnAt; i++) {
		await sleep(200);
		proof = (await call(`/consumer/v1/draws/${drawId}/proof`, { headers: { "X-Publishable-Key": org.pk } })).json;
	}
	assert.ok(proof?.drawnAt, `drawn within 20 s: ${JSON.stringify(proof)}`);
	// The entrant's state after close carries its receipt with the inclusion and consistency proofs.
	const state = await call(`/consumer/v1/draws/${drawId}/status`, {
		key: shoppers[0],
		headers: { "X-Publishable-Key": org.pk },
	});
	const receiptFile = join(runDir, "state.json");
	writeFileSync(receiptFile, JSON.stringify(state.json));

	const live = verifyDraw(["--url", base, "--key", org.pk, drawId, "--receipt", receiptFile]);
	assert.equal(live.code, 0, live.out);
	assert.match(live.out, /VERIFIED ON A DEV CHAIN/);
	assert.doesNotMatch(live.out, /NOT VERIFIED/);

	// The same from downloaded files.
	const log = await call(`/consumer/v1/draws/${drawId}/log`, { headers: { "X-Publishable-Key": org.pk } });
	const jwks = await call("/.well-known/jwks.json");
	const files = { proof: join(runDir, "proof.json"), log: join(runDir, "log.json"), jwks: join(runDir, "jwks.json") };
	writeFileSync(files.proof, JSON.stringify(proof));
	writeFileSync(files.log, log.text);
	writeFileSync(files.jwks, jwks.text);
	const offline = verifyDraw([files.proof, files.log, "--jwks", files.jwks, "--receipt", receiptFile]);
	assert.equal(offline.code, 0, offline.out);

	// A winner swapped for someone else: the ranking check fails, saying what it expected.
	const loser = log.json.records.find((r) => r.type === "enter" && !proof.winners.includes(r.entryId)).entryId;
	const tampered = join(runDir, "tampered-proof.json");
	writeFileSync(tampered, JSON.stringify({ ...proof, winners: [loser, ...proof.winners.slice(1)] }));
	const swapped = verifyDraw([tampered, files.log, "--jwks", files.jwks]);
	assert.equal(swapped.code, 1, swapped.out);
	assert.match(swapped.out, /NOT VERIFIED/);
	assert.match(swapped.out, /winners/i);
	assert.match(swapped.out, /expected/i);
	assert.ok(swapped.out.includes(proof.winners[0]), "the expected winner is named");

	// An entry dropped from the published log: the sealed root no longer matches.
	const dropped = join(runDir, "dropped-log.json");
	const records = log.json.records.filter((r) => !(r.type === "enter" && r.entryId === loser));
	writeFileSync(dropped, JSON.stringify({ ...log.json, records }));
	const short = verifyDraw([files.proof, dropped, "--jwks", files.jwks, "--receipt", receiptFile]);
	assert.equal(short.code, 1, short.out);
	assert.match(short.out, /NOT VERIFIED/);

	// A receipt whose root the log does not back.
	const forged = join(runDir, "forged-state.json");
	writeFileSync(forged, JSON.stringify({ ...state.json, receipt: { ...state.json.receipt, root: "00".repeat(32) } }));
	const bad = verifyDraw([files.proof, files.log, "--jwks", files.jwks, "--receipt", forged]);
	assert.equal(bad.code, 1, bad.out);
	assert.match(bad.out, /NOT VERIFIED/);
	assert.ok(bad.out.includes("00".repeat(32)), "the forged root is shown as found or expected");
});

test("a bidder verifies a settled auction with the heads it kept; a changed bid or a forged head is NOT VERIFIED", async () => {
	const exp = await call("/api/v1/experiences", { key: org.sk, body: { name: "Auction drop" } });
	const seq = await call(`/api/v1/experiences/${exp.json.id}/sequences`, { key: org.sk, body: { name: "Main" } });
	const now = Date.now();
	const auction = await call("/api/v1/auctions", {
		key: org.sk,
		body: {
			sequenceId: seq.json.id,
			openAt: iso(now - 1000),
			closeAt: iso(now + 3000),
			settleAt: iso(now + 3000),
			startingBid: 10,
			minimumIncrement: 1,
		},
	});
	assert.equal(auction.status, 201, auction.text);
	const id = auction.json.id;
	const heads = [];
	for (const [amount, maxAmount] of [
		[12, 30],
		[20, undefined],
		[31, 40],
	]) {
		const g = await call("/consumer/v1/auth/guest", { method: "POST", headers: { "X-Publishable-Key": org.pk } });
		const placed = await call(`/consumer/v1/auctions/${id}/bids`, {
			key: g.json.accessToken,
			headers: { "X-Publishable-Key": org.pk },
			body: { amount, ...(maxAmount ? { maxAmount } : {}) },
		});
		assert.equal(placed.status, 200, placed.text);
		heads.push(placed.json.head.token);
	}
	let log;
	for (let i = 0; i < 100 && log?.status !== "SETTLED"; i++) {
		await sleep(200);
		log = (await call(`/consumer/v1/auctions/${id}/log`, { headers: { "X-Publishable-Key": org.pk } })).json;
	}
	assert.equal(log?.status, "SETTLED", JSON.stringify(log));
	const jwks = (await call("/.well-known/jwks.json")).text;
	const files = {
		log: join(runDir, "auction-log.json"),
		heads: join(runDir, "heads.json"),
		jwks: join(runDir, "jwks.json"),
	};
	writeFileSync(files.log, JSON.stringify(log));
	writeFileSync(files.heads, JSON.stringify(heads));
	writeFileSync(files.jwks, jwks);

	const ok = verifyAuction([files.log, files.heads, files.jwks]);
	assert.equal(ok.code, 0, ok.out);
	assert.match(ok.out, /^VERIFIED: auction /m);
	assert.match(ok.out, /3 held head\(s\) with signatures/);

	// One bid's amount changed in the published log.
	const changed = join(runDir, "auction-changed.json");
	const entries = log.entries.map((e, i) =>
		i === log.entries.findIndex((x) => x.amount != null) ? { ...e, amount: e.amount + 100 } : e,
	);
	writeFileSync(changed, JSON.stringify({ ...log, entries }));
	const rewritten = verifyAuction([changed, files.heads, files.jwks]);
	assert.equal(rewritten.code, 1, rewritten.out);
	assert.match(rewritten.out, /NOT VERIFIED/);

	// A head whose signature was tampered with proves nothing, and says so.
	const [h, p, s] = heads[0].split(".");
	const forgedHeads = join(runDir, "heads-forged.json");
	writeFileSync(forgedHeads, JSON.stringify([`${h}.${p}.${s.startsWith("A") ? `B${s.slice(1)}` : `A${s.slice(1)}`}`]));
	const forged = verifyAuction([files.log, forgedHeads, files.jwks]);
	assert.equal(forged.code, 1, forged.out);
	assert.match(forged.out, /a head token that does not verify/);
});
