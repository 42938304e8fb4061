/**
 * The draw's public rules, in one place for the Durable Object and the standalone
 * verifier alike:
 *  - commitment = SHA-256(seed), published when the draw opens;
 *  - Merkle root over the entry ids in entry order, published when it closes:
 *    leaf = SHA-256(0x00 ‖ utf8(entryId)), node = SHA-256(0x01 ‖ left ‖ right), and a
 *    level with an odd count carries its last node up unchanged;
 *  - ranking: entries sorted by HMAC-SHA256(seed, utf8(entryId)) ascending (ties —
 *    never seen in practice — by entryId); the first winnerCount win, backfill follows.
 * Pure: owns no table and no schedule kind.
 */
import { hex, hmacSha256, sha256, utf8 } from "../../lib/sha256";

export const commitmentOf = (seed: Uint8Array) => hex(sha256(seed));

export function leafHash(entryId: string): Uint8Array {
	const bytes = utf8(entryId);
	const data = new Uint8Array(bytes.length + 1);
	data.set(bytes, 1);
	return sha256(data);
}

export function nodeHash(left: Uint8Array, right: Uint8Array): Uint8Array {
	const data = new Uint8Array(65);
	data[0] = 1;
	data.set(left, 1);
	data.set(right, 33);
	return sha256(data);
}

/** The next level up: pairs hashed, an odd last node carried up unchanged. */
export function parentLevel(level: Uint8Array[]): Uint8Array[] {
	const up: Uint8Array[] = [];
	for (let i = 0; i + 1 < level.length; i += 2) up.push(nodeHash(level[i], level[i + 1]));
	if (level.length % 2 === 1) up.push(level[level.length - 1]);
	return up;
}

export function merkleRoot(entryIds: Iterable<string>): string {
	let level = Array.from(entryIds, leafHash);
	if (!level.length) return hex(sha256(new Uint8Array()));
	while (level.length > 1) level = parentLevel(level);
	return hex(level[0]);
}

export interface InclusionStep {
	/** The sibling's hash, or null where the node was carried up alone. */
	sibling: string | null;
	side: "left" | "right";
}

/** Recomputes the root from one entry id and its proof. */
export function rootFromProof(entryId: string, proof: InclusionStep[]): string {
	let node = leafHash(entryId);
	for (const step of proof) {
		if (step.sibling === null) continue;
		const sibling = Uint8Array.from(step.sibling.match(/../g) ?? [], (h) => Number.parseInt(h, 16));
		node = step.side === "left" ? nodeHash(sibling, node) : nodeHash(node, sibling);
	}
	return hex(node);
}

/** The ranking key of one entry: lower ranks first. */
export const rankKeyer = (seed: Uint8Array) => {
	const mac = hmacSha256(seed);
	return (entryId: string) => hex(mac(utf8(entryId)));
};

/** All entry ids in rank order. */
export function rank(seed: Uint8Array, entryIds: string[]): string[] {
	const key = rankKeyer(seed);
	return entryIds
		.map((id) => [key(id), id] as const)
		.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : a[1] < b[1] ? -1 : 1))
		.map(([, id]) => id);
}
