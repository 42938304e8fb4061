/**
 * Checks a published draw against its entry list, with nothing but the public
 * material: the seed matches the commitment, the entries match the count and Merkle
 * root, and the winners (then backfills) are exactly the ranking's head.
 * Pure: owns no table and no schedule kind.
 */

import { fromHex } from "../../lib/sha256";
import { commitmentOf, merkleRoot, rank } from "./fairness";

export interface DrawProof {
	drawId: string;
	algorithm: string;
	commitment: string;
	entryCount: number | null;
	merkleRoot: string | null;
	seed: string | null;
	winnerCount: number | null;
	winners: string[];
	backfills: string[];
}

export interface Check {
	name: string;
	ok: boolean;
	detail: string;
}

export function verifyDraw(proof: DrawProof, entryIds: string[]): { ok: boolean; checks: Check[] } {
	const checks: Check[] = [];
	const check = (name: string, ok: boolean, detail: string) => checks.push({ name, ok, detail });
	check("algorithm", proof.algorithm === "fanfare-edge/draw-v1", `algorithm ${proof.algorithm}`);
	let seed: Uint8Array | null = null;
	try {
		seed = proof.seed ? fromHex(proof.seed) : null;
	} catch {
		seed = null;
	}
	check("seed revealed", seed != null && seed.length === 32, seed ? "32-byte seed" : "no valid seed: not drawn yet?");
	if (seed) {
		const commitment = commitmentOf(seed);
		check("commitment", commitment === proof.commitment, `SHA-256(seed) = ${commitment}`);
	}
	check(
		"entry count",
		entryIds.length === proof.entryCount,
		`${entryIds.length} entries, proof says ${proof.entryCount}`,
	);
	check("unique entries", new Set(entryIds).size === entryIds.length, "no entry id twice");
	const root = merkleRoot(entryIds);
	check("merkle root", root === proof.merkleRoot, `computed ${root}`);
	if (seed) {
		const ranked = rank(seed, entryIds);
		const expected = ranked.slice(0, Math.min(proof.winnerCount ?? 0, entryIds.length));
		const sameWinners = expected.length === proof.winners.length && expected.every((id, i) => id === proof.winners[i]);
		check(
			"winners",
			sameWinners,
			`ranking's first ${expected.length}: ${expected.slice(0, 5).join(", ")}${expected.length > 5 ? ", …" : ""}`,
		);
		const nextUp = ranked.slice(expected.length, expected.length + proof.backfills.length);
		const sameBackfills =
			nextUp.length === proof.backfills.length && nextUp.every((id, i) => id === proof.backfills[i]);
		check("backfills", sameBackfills, `${proof.backfills.length} backfill(s) follow the ranking`);
	}
	return { ok: checks.every((c) => c.ok), checks };
}
