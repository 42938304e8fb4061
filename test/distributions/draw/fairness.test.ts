import { describe, expect, it } from "vitest";
import { commitmentOf, merkleRoot, rank, rootFromProof } from "../../../src/distributions/draw/fairness";
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

describe("draw rules", () => {
	const seed = fromHex("11".repeat(32));

	it("commits to the seed with SHA-256", () => {
		expect(commitmentOf(seed)).toBe(hex(sha256(seed)));
	});

	it("Merkle inclusion proofs rebuild the root for every leaf, for odd and even sizes", () => {
		for (const n of [1, 2, 3, 5, 8, 13]) {
			const ids = Array.from({ length: n }, (_, i) => `ent_${i}`);
			const root = merkleRoot(ids);
			// A proof built naively from the levels, as the object stores them.
			let levels = [ids.map((id) => hex(sha256(new Uint8Array([0, ...utf8(id)]))))];
			while (levels[levels.length - 1].length > 1) {
				const level = levels[levels.length - 1];
				const up: string[] = [];
				for (let i = 0; i + 1 < level.length; i += 2) {
					up.push(hex(sha256(new Uint8Array([1, ...fromHex(level[i]), ...fromHex(level[i + 1])]))));
				}
				if (level.length % 2) up.push(level[level.length - 1]);
				levels = [...levels, up];
			}
			expect(levels[levels.length - 1][0]).toBe(root);
			for (let leaf = 0; leaf < n; leaf++) {
				let index = leaf;
				const proof = levels.slice(0, -1).map((level) => {
					const siblingIndex = index % 2 ? index - 1 : index + 1;
					const step = {
						sibling: siblingIndex < level.length ? level[siblingIndex] : null,
						side: (index % 2 ? "left" : "right") as "left" | "right",
					};
					index = Math.floor(index / 2);
					return step;
				});
				expect(rootFromProof(ids[leaf], proof)).toBe(root);
				expect(rootFromProof(`${ids[leaf]}x`, proof)).not.toBe(root);
			}
		}
	});

	it("ranks deterministically by HMAC(seed, entryId)", () => {
		const ids = Array.from({ length: 50 }, (_, i) => `ent_${i}`);
		expect(rank(seed, ids)).toEqual(rank(seed, [...ids].reverse()));
		expect(rank(seed, ids)).not.toEqual(rank(fromHex("22".repeat(32)), ids));
		expect(new Set(rank(seed, ids)).size).toBe(50);
	});

	it("is unbiased: chi-square over 4,000 fixed-seed draws of 3 winners from 12 entrants (p > 0.01)", () => {
		const entrants = 12;
		const winners = 3;
		const draws = 4000;
		const ids = Array.from({ length: entrants }, (_, i) => `ent_${String(i).padStart(4, "0")}`);
		const wins = new Array(entrants).fill(0);
		const byPosition = new Array(entrants).fill(0);
		for (let d = 0; d < draws; d++) {
			const s = sha256(utf8(`fixed-seed-${d}`));
			const ranked = rank(s, ids);
			for (const id of ranked.slice(0, winners)) wins[ids.indexOf(id)]++;
			byPosition[ids.indexOf(ranked[0])]++;
		}
		const chiSquare = (observed: number[], expected: number) =>
			observed.reduce((sum, o) => sum + (o - expected) ** 2 / expected, 0);
		// 11 degrees of freedom: p = 0.01 at χ² = 24.725.
		expect(chiSquare(wins, (draws * winners) / entrants)).toBeLessThan(24.725);
		expect(chiSquare(byPosition, draws / entrants)).toBeLessThan(24.725);
	});
});
