/**
 * Checks a draw with nothing but public material — the proof, the public entry log, the
 * deployment's JWKS and, for an entrant, its own receipts: the beacon round's BLS signature against
 * the chain's key, R named by the log and the seal before R existed, the log's size and root, each
 * receipt against the log (its root recomputed, its consistency and inclusion proofs), and that the
 * winners and backfills are exactly the head of the ranking. Runs in Node, browsers and workerd
 * (WebCrypto for Ed25519, @noble/curves for BLS). Each failed check says what was expected and found.
 * Pure: owns no table and no schedule kind.
 */

import { fromHex, hex, utf8 } from "../../lib/sha256";
import { type JwksCache, verifySignature } from "../../sdk/admission";
import { FanfareVerificationError } from "../../sdk/errors";
import { type BeaconChain, devChainHash, QUICKNET, roundTime, SCHEME_ID, verifyRound } from "./beacon";
import {
	DRAW_ALGORITHM,
	encodeRecord,
	isCanonical,
	type LogRecord,
	rankedSet,
	rankingKey,
	topRanked,
} from "./fairness";
import { leafHash, MemoryTree, verifyConsistency, verifyInclusion } from "./transparency";

export interface DrawProof {
	drawId: string;
	algorithm: string;
	chain: { hash: string; publicKey: string; period: number; genesisTime: number; dev: boolean };
	round: number | null;
	seal: { drawId: string; size: number; root: string; round: number; sealedAt: string; signature: string } | null;
	beacon: { round: number; signature: string; randomness: string } | null;
	winnerCount: number | null;
	winners: string[];
	backfills: string[];
}

/** The public log as `GET /consumer/v1/draws/:id/log` streams it. */
export interface PublishedLog {
	drawId: string;
	size: number;
	root: string;
	sealed: boolean;
	records: LogRecord[];
}

/** A receipt as the entrant was given it (the state's `receipt`; receipt.ts signs it). */
export type HeldReceipt = {
	entryId: string;
	enteredAt: string;
	/** The entry's `enter` record, the log's size (seq + 1) and root right after it, and R then. */
	seq: number;
	size: number;
	root: string;
	round: number;
	/** EdDSA JWT (typ receipt) over all of the above. */
	signature: string;
	/** After close: where the record sits in the sealed log, and how this receipt's log grew into it. */
	sealed?: { size: number; root: string; inclusionProof: string[]; consistencyProof: string[] };
};

export interface Check {
	name: string;
	ok: boolean;
	detail: string;
	expected?: string;
	found?: string;
}

export interface DrawVerification {
	ok: boolean;
	/** Drawn on the local dev beacon: the checks can pass, but prove nothing to the public. */
	devChain: boolean;
	checks: Check[];
}

const short = (ids: string[]) => `${ids.slice(0, 3).join(", ")}${ids.length > 3 ? `, … (${ids.length})` : ""}`;

/** The chain the proof names, if it is quicknet as pinned or an honestly labelled dev chain. */
function pinnedChain(c: DrawProof["chain"]): BeaconChain | null {
	if (!c.dev) return c.hash === QUICKNET.hash && c.publicKey === QUICKNET.publicKey ? QUICKNET : null;
	if (c.hash !== devChainHash(c.publicKey, c.period, c.genesisTime)) return null;
	return { ...c, schemeId: SCHEME_ID, relays: [] };
}

async function signedClaims(token: string, keys: JwksCache, typ: string) {
	try {
		const claims = await verifySignature(token, keys);
		return claims.typ === typ ? claims : `not a ${typ} token (typ ${String(claims.typ)})`;
	} catch (error) {
		return error instanceof FanfareVerificationError ? error.message : String(error);
	}
}

export async function verifyDraw(
	proof: DrawProof,
	log: PublishedLog,
	options: { keys: JwksCache; receipts?: HeldReceipt[] },
): Promise<DrawVerification> {
	const checks: Check[] = [];
	const check = (name: string, ok: boolean, detail: string, expected?: unknown, found?: unknown) =>
		checks.push({ name, ok, detail, ...(!ok && { expected: String(expected), found: String(found) }) });
	const result = () => ({ ok: checks.every((c) => c.ok), devChain: proof.chain.dev, checks });

	check("algorithm", proof.algorithm === DRAW_ALGORITHM, proof.algorithm, DRAW_ALGORITHM, proof.algorithm);
	const chain = pinnedChain(proof.chain);
	check(
		"beacon chain",
		chain != null,
		proof.chain.dev ? "DEV CHAIN (local dev beacon): proves nothing to the public" : "drand quicknet, as pinned",
		proof.chain.dev ? "a dev chain hash derived from its key" : `quicknet ${QUICKNET.hash}`,
		proof.chain.hash,
	);
	const seal = proof.seal;
	check("sealed", seal != null && log.sealed, seal ? `size ${seal.size}` : "not sealed yet", "a seal", "none");
	if (!chain || !seal) return result();

	// The log: canonical records, replayed into the tree; roots kept at every size a receipt names.
	const tree = new MemoryTree();
	const wanted = new Set((options.receipts ?? []).map((r) => r.size));
	const rootsAt = new Map<number, string>();
	let canonical = true;
	for (const r of log.records) {
		const text = encodeRecord(r);
		if (canonical && !isCanonical(r, text)) canonical = false;
		tree.appendText(text); // hashed straight into the tree: no bytes or node object per record
		if (wanted.size && wanted.has(tree.size)) rootsAt.set(tree.size, hex(tree.root()));
	}
	check("log records", canonical, `${log.records.length} records`, "canonical records", "a malformed record");
	const root = hex(tree.root());
	check("log size", tree.size === seal.size, `${tree.size} records`, seal.size, tree.size);
	check("log root", root === seal.root, `computed ${root}`, seal.root, root);

	const rules = log.records.filter((r): r is Extract<LogRecord, { type: "rules" }> => r.type === "rules");
	const first = rules[0];
	const last = rules.at(-1);
	check(
		"rules record",
		log.records[0]?.type === "rules" && first?.drawId === proof.drawId && rules.every((r) => r.chain === chain.hash),
		`${rules.length} rules record(s)${rules.length > 1 ? ": R or the winner count changed while OPEN, in the log" : ""}`,
		`record 0 = rules of ${proof.drawId} on ${chain.hash}`,
		JSON.stringify(first ?? null),
	);
	check("R in the log", last?.round === seal.round, `R = ${seal.round}`, seal.round, last?.round);
	check(
		"winner count",
		last?.winnerCount === proof.winnerCount,
		`${proof.winnerCount}`,
		last?.winnerCount,
		proof.winnerCount,
	);

	const sealedAt = Date.parse(seal.sealedAt);
	const rTime = roundTime(chain, seal.round);
	check(
		"R fixed before the seal",
		rTime > sealedAt,
		`sealed ${seal.sealedAt}, R at ${new Date(rTime).toISOString()}`,
		`R's time after ${seal.sealedAt}`,
		new Date(rTime).toISOString(),
	);
	const sealClaims = await signedClaims(seal.signature, options.keys, "draw-seal");
	const sealOk =
		typeof sealClaims === "object" &&
		sealClaims.dist === proof.drawId &&
		sealClaims.size === seal.size &&
		sealClaims.root === seal.root &&
		sealClaims.round === seal.round &&
		// The time "R fixed before the seal" is judged by is the signed one, not a field anyone can edit.
		sealClaims.iat === Math.floor(sealedAt / 1000);
	check(
		"seal signature",
		sealOk,
		"EdDSA, JWKS",
		"a seal signed over size, root, R and its time",
		typeof sealClaims === "string" ? sealClaims : JSON.stringify(sealClaims),
	);

	for (const receipt of options.receipts ?? [])
		await checkReceipt(check, receipt, proof.drawId, options.keys, log.records, rootsAt, rules);

	const beacon = proof.beacon;
	if (!beacon) {
		check("beacon", false, "no beacon round yet (not drawn)", `round ${seal.round}`, "none");
		return result();
	}
	check("beacon round", beacon.round === seal.round, `round ${beacon.round}`, seal.round, beacon.round);
	const verified = await verifyRound(chain, beacon);
	check(
		"beacon signature",
		verified.ok,
		verified.ok ? "BLS12-381, chain key" : verified.reason,
		"a valid BLS signature",
		verified.ok ? "" : verified.reason,
	);
	if (!verified.ok || beacon.randomness !== verified.randomness) return result();

	// Only the head of the ranking is compared: rank just the first winners + backfills, not all.
	const set = rankedSet(log.records);
	const drawn = Math.min(proof.winnerCount ?? 0, set.length);
	const ranked = topRanked(
		rankingKey(proof.drawId, seal.root, verified.randomness),
		set,
		drawn + proof.backfills.length,
	);
	const winners = ranked.slice(0, drawn);
	const same = (a: string[], b: string[]) => a.length === b.length && a.every((id, i) => id === b[i]);
	check(
		"winners",
		same(winners, proof.winners),
		`the ranking's first ${winners.length}`,
		short(winners),
		short(proof.winners),
	);
	const next = ranked.slice(winners.length, winners.length + proof.backfills.length);
	check(
		"backfills",
		same(next, proof.backfills),
		`${proof.backfills.length} backfill(s) follow the ranking`,
		short(next),
		short(proof.backfills),
	);
	return result();
}

type CheckFn = (name: string, ok: boolean, detail: string, expected?: unknown, found?: unknown) => void;

/** One entrant's receipt: signed, its record where it says, its root the log's at its size, proofs valid. */
async function checkReceipt(
	check: CheckFn,
	receipt: HeldReceipt,
	drawId: string,
	keys: JwksCache,
	records: LogRecord[],
	rootsAt: Map<number, string>,
	rules: Extract<LogRecord, { type: "rules" }>[],
) {
	const name = `receipt ${receipt.entryId}`;
	const claims = await signedClaims(receipt.signature, keys, "receipt");
	const signed =
		typeof claims === "object" &&
		claims.dist === drawId &&
		claims.entry === receipt.entryId &&
		claims.seq === receipt.seq &&
		claims.size === receipt.size &&
		claims.root === receipt.root &&
		claims.round === receipt.round;
	check(
		`${name}: signature`,
		signed,
		"EdDSA, JWKS",
		"a receipt signed over these fields",
		typeof claims === "string" ? claims : JSON.stringify(claims),
	);
	const record = records[receipt.seq];
	check(
		`${name}: record`,
		record?.type === "enter" && record.entryId === receipt.entryId,
		`record ${receipt.seq}`,
		`enter ${receipt.entryId}`,
		JSON.stringify(record ?? null),
	);
	const at = rootsAt.get(receipt.size);
	check(
		`${name}: log root at ${receipt.size}`,
		at === receipt.root,
		"recomputed from the published log",
		receipt.root,
		at ?? "no such size",
	);
	const rAt = rules.filter((r) => records.indexOf(r) < receipt.seq).at(-1)?.round;
	check(`${name}: R then`, rAt === receipt.round, `R = ${receipt.round} when entered`, receipt.round, rAt);
	const s = receipt.sealed;
	if (!s) return;
	const toBytes = (list: string[]) => list.map(fromHex);
	check(
		`${name}: consistency ${receipt.size} → ${s.size}`,
		verifyConsistency(receipt.size, s.size, fromHex(receipt.root), fromHex(s.root), toBytes(s.consistencyProof)),
		"RFC 9162 §2.1.4",
		"the receipt's tree a prefix of the sealed one",
		"a proof that does not verify",
	);
	// The leaf from the receipt alone (its entry and time), not from the log being checked.
	const leaf = leafHash(
		utf8(encodeRecord({ type: "enter", entryId: receipt.entryId, at: Date.parse(receipt.enteredAt) })),
	);
	check(
		`${name}: inclusion in the seal`,
		verifyInclusion(leaf, receipt.seq, s.size, toBytes(s.inclusionProof), fromHex(s.root)),
		"RFC 9162 §2.1.3",
		`record ${receipt.seq} in the sealed tree`,
		"a path that does not verify",
	);
}
