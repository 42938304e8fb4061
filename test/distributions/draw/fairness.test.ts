import { describe, expect, it } from "vitest";
import { decodeRecord, encodeRecord, rank, rankedSet, rankingKey } from "../../../src/distributions/draw/fairness";
import {
	consistencyProof,
	EMPTY_ROOT,
	inclusionProof,
	leafHash,
	MemoryTree,
	nodeHash,
	splitPoint,
	verifyConsistency,
	verifyInclusion,
} from "../../../src/distributions/draw/transparency";
import { fromHex, hex, hmacSha256, sha256, utf8 } from "../../../src/lib/sha256";

async function webSha(data: Uint8Array) {
	return hex(new Uint8Array(await crypto.subtle.digest("SHA-256", data)));
}
async function webHmac(key: Uint8Array, data: Uint8Array) {
	const k = await crypto.subtle.importKey("raw", key, { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
	return hex(new Uint8Array(await crypto.subtle.sign("HMAC", k, data)));
}

describe("sha256 / hmac", () => {
	it("matches WebCrypto on every length from 0 to 200 bytes", async () => {
		for (let n = 0; n <= 200; n++) {
			const data = Uint8Array.from({ length: n }, (_, i) => (i * 7 + n) & 0xff);
			expect(hex(sha256(data)), `length ${n}`).toBe(await webSha(data));
		}
	});

	it("matches the FIPS 180-2 examples", () => {
		expect(hex(sha256(utf8("abc")))).toBe("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
		expect(hex(sha256(utf8("")))).toBe("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
	});

	it("HMAC matches WebCrypto for short, block-sized and long keys", async () => {
		for (const keyLength of [1, 16, 32, 64, 65, 100]) {
			const key = Uint8Array.from({ length: keyLength }, (_, i) => i ^ 0x5a);
			const mac = hmacSha256(key);
			for (const msg of ["", "ent_01", "x".repeat(55), "y".repeat(56), "z".repeat(130)]) {
				expect(hex(mac(utf8(msg)))).toBe(await webHmac(key, utf8(msg)));
			}
		}
	});

	it("round-trips hex", () => {
		expect(hex(fromHex("00ff10ab"))).toBe("00ff10ab");
		expect(() => fromHex("xyz")).toThrow();
	});
});

/** MTH of RFC 9162 §2.1.1, written straight from the definition (recursive, nothing stored). */
function referenceRoot(leaves: Uint8Array[]): string {
	const mth = (d: Uint8Array[]): Uint8Array => {
		if (d.length === 0) return sha256(new Uint8Array());
		if (d.length === 1) return d[0];
		const k = splitPoint(d.length);
		return nodeHash(mth(d.slice(0, k)), mth(d.slice(k)));
	};
	return hex(mth(leaves));
}
const leavesOf = (n: number) => Array.from({ length: n }, (_, i) => leafHash(utf8(`record ${i}`)));

describe("the entry log's Merkle tree (RFC 9162)", () => {
	it("matches the definition at every size from 0 to 70, grown one leaf at a time", () => {
		const tree = new MemoryTree();
		const leaves = leavesOf(70);
		expect(hex(tree.root())).toBe(hex(EMPTY_ROOT));
		for (let n = 1; n <= 70; n++) {
			tree.append(leaves[n - 1]);
			expect(hex(tree.root()), `size ${n}`).toBe(referenceRoot(leaves.slice(0, n)));
		}
		// An earlier size's root stays computable from the grown tree (a receipt's root).
		for (const n of [1, 2, 3, 7, 33]) expect(hex(tree.root(n))).toBe(referenceRoot(leaves.slice(0, n)));
	});

	it("RFC 9162 leaf and node hashes: 0x00 and 0x01 prefixes", () => {
		expect(hex(leafHash(utf8("x")))).toBe(hex(sha256(new Uint8Array([0, ...utf8("x")]))));
		const [a, b] = leavesOf(2);
		expect(hex(nodeHash(a, b))).toBe(hex(sha256(new Uint8Array([1, ...a, ...b]))));
	});

	it("inclusion proofs verify for every leaf of every size to 40, and fail for any other leaf, index or root", () => {
		const leaves = leavesOf(40);
		const tree = new MemoryTree();
		for (const l of leaves) tree.append(l);
		for (let n = 1; n <= 40; n++) {
			const root = tree.root(n);
			for (let i = 0; i < n; i++) {
				const path = inclusionProof(tree.hash, i, n);
				expect(verifyInclusion(leaves[i], i, n, path, root), `${i} of ${n}`).toBe(true);
				expect(verifyInclusion(sha256(leaves[i]), i, n, path, root)).toBe(false);
				if (n > 1) expect(verifyInclusion(leaves[i], (i + 1) % n, n, path, root)).toBe(false);
				expect(verifyInclusion(leaves[i], i, n, path, tree.root(n === 40 ? 39 : n + 1))).toBe(false);
			}
		}
		expect(verifyInclusion(leaves[0], 5, 5, [], tree.root(5))).toBe(false);
	});

	it("consistency proofs verify for every m ≤ n ≤ 40, and fail for a changed root, size or step", () => {
		const tree = new MemoryTree();
		for (const l of leavesOf(40)) tree.append(l);
		for (let n = 1; n <= 40; n++) {
			for (let m = 1; m <= n; m++) {
				const proof = consistencyProof(tree.hash, m, n);
				expect(verifyConsistency(m, n, tree.root(m), tree.root(n), proof), `${m} → ${n}`).toBe(true);
				if (m < n) {
					expect(verifyConsistency(m, n, tree.root(m === 1 ? 2 : m - 1), tree.root(n), proof)).toBe(false);
					expect(verifyConsistency(m, n, tree.root(m), tree.root(n - 1), proof)).toBe(false);
					const bent = proof.map((p, i) => (i === proof.length - 1 ? sha256(p) : p));
					expect(verifyConsistency(m, n, tree.root(m), tree.root(n), bent)).toBe(false);
				}
			}
		}
	});

	it("a log with one record dropped or two swapped is not consistent with an earlier head", () => {
		const leaves = leavesOf(20);
		const honest = new MemoryTree();
		for (const l of leaves) honest.append(l);
		const headAt12 = honest.root(12);
		for (const rewrite of [
			[...leaves.slice(0, 5), ...leaves.slice(6)],
			[...leaves.slice(0, 3), leaves[4], leaves[3], ...leaves.slice(5)],
		]) {
			const forged = new MemoryTree();
			for (const l of rewrite) forged.append(l);
			const proof = consistencyProof(forged.hash, 12, forged.size);
			expect(verifyConsistency(12, forged.size, headAt12, forged.root(), proof)).toBe(false);
		}
	});
});

describe("draw-v2 rules", () => {
	const key = rankingKey("dst_1", "11".repeat(32), "22".repeat(32));

	it("records have one canonical form", () => {
		const r = { at: 5, entryId: "ent_1", type: "enter" } as const;
		expect(encodeRecord(r)).toBe('{"type":"enter","entryId":"ent_1","at":5}');
		expect(decodeRecord(encodeRecord(r))).toEqual(r);
		expect(() => decodeRecord('{"entryId":"ent_1","type":"enter","at":5}')).toThrow();
	});

	it("the ranking key binds the draw id, the sealed root and the beacon's randomness", () => {
		expect(hex(key)).not.toBe(hex(rankingKey("dst_2", "11".repeat(32), "22".repeat(32))));
		expect(hex(key)).not.toBe(hex(rankingKey("dst_1", "12".repeat(32), "22".repeat(32))));
		expect(hex(key)).not.toBe(hex(rankingKey("dst_1", "11".repeat(32), "23".repeat(32))));
	});

	it("ranks deterministically by HMAC(key, entryId), whatever the input order", () => {
		const ids = Array.from({ length: 50 }, (_, i) => `ent_${i}`);
		expect(rank(key, ids)).toEqual(rank(key, [...ids].reverse()));
		expect(rank(key, ids)).not.toEqual(rank(rankingKey("dst_1", "11".repeat(32), "33".repeat(32)), ids));
		expect(new Set(rank(key, ids)).size).toBe(50);
	});

	it("the ranked set is every entry whose last record is enter", () => {
		const records = [
			{ type: "enter", entryId: "a", at: 1 },
			{ type: "enter", entryId: "b", at: 2 },
			{ type: "withdraw", entryId: "a", at: 3 },
			{ type: "enter", entryId: "c", at: 4 },
			{ type: "withdraw", entryId: "c", at: 5 },
			{ type: "enter", entryId: "c", at: 6 },
		] as const;
		expect(rankedSet(records)).toEqual(["b", "c"]);
	});

	it("shows no position bias: chi-square over 10,000 simulated draws of 3 winners from 20 entrants", () => {
		const entrants = 20;
		const winners = 3;
		const draws = 10_000;
		const ids = Array.from({ length: entrants }, (_, i) => `ent_${String(i).padStart(4, "0")}`);
		const wins = new Array(entrants).fill(0);
		const first = new Array(entrants).fill(0);
		for (let d = 0; d < draws; d++) {
			// Fixed stand-ins for beacon randomness: the test is reproducible, never flaky.
			const randomness = hex(sha256(utf8(`beacon-${d}`)));
			const ranked = rank(rankingKey("dst_chi", "00".repeat(32), randomness), ids);
			for (const id of ranked.slice(0, winners)) wins[ids.indexOf(id)]++;
			first[ids.indexOf(ranked[0])]++;
		}
		const chiSquare = (observed: number[], expected: number) =>
			observed.reduce((sum, o) => sum + (o - expected) ** 2 / expected, 0);
		// 19 degrees of freedom: p = 0.01 at χ² = 36.191.
		expect(chiSquare(wins, (draws * winners) / entrants)).toBeLessThan(36.191);
		expect(chiSquare(first, draws / entrants)).toBeLessThan(36.191);
	});
});
