/**
 * The draw's Merkle tree in the object's SQLite: built once at close over the entries
 * still ENTERED, in entry order (leaf hashes and the level rule in fairness.ts), then read
 * for each receipt's inclusion proof.
 *
 * Owns the table `merkle(level, idx, hash)` and writes `entries.leaf` and the
 * `fairness` row's entry_count and merkle_root (tables of the migration list "draw", store.ts).
 * Built level by level from fixed-size chunks, so a million entries never sit in memory.
 */
import { hex, sha256 } from "../../lib/sha256";
import { type InclusionStep, leafHash, nodeHash } from "./fairness";

/** Rows per read while sealing: even, so Merkle pairs never straddle two chunks. */
const SEAL_CHUNK = 2048;

export class MerkleStore {
	constructor(private readonly sql: SqlStorage) {}

	/**
	 * At close: numbers the remaining entries as Merkle leaves in entry order and builds
	 * the tree level by level, reading fixed-size chunks (never a cursor over a table
	 * being written). Records the root and the entry count in `fairness` and returns them.
	 */
	seal(): { root: string; count: number } {
		this.sql.exec("DELETE FROM merkle");
		this.sql.exec("UPDATE entries SET leaf = NULL WHERE leaf IS NOT NULL");
		let count = 0;
		for (let after = 0; ; ) {
			const chunk = this.sql
				.exec<{ ordinal: number; entry_id: string }>(
					// `+status` keeps SQLite on the primary key: with the status index it re-sorts every chunk (O(n²)).
					"SELECT ordinal, entry_id FROM entries WHERE +status = 'ENTERED' AND ordinal > ? ORDER BY ordinal LIMIT ?",
					after,
					SEAL_CHUNK,
				)
				.toArray();
			if (!chunk.length) break;
			for (const row of chunk) {
				this.sql.exec("UPDATE entries SET leaf = ? WHERE ordinal = ?", count, row.ordinal);
				this.sql.exec("INSERT INTO merkle (level, idx, hash) VALUES (0, ?, ?)", count, leafHash(row.entry_id));
				count++;
			}
			after = chunk[chunk.length - 1].ordinal;
		}
		let level = 0;
		for (let width = count; width > 1; width = Math.ceil(width / 2), level++) {
			for (let start = 0; start < width; start += SEAL_CHUNK) {
				const nodes = this.sql
					.exec<{ hash: ArrayBuffer }>(
						"SELECT hash FROM merkle WHERE level = ? AND idx >= ? ORDER BY idx LIMIT ?",
						level,
						start,
						SEAL_CHUNK,
					)
					.toArray()
					.map((r) => new Uint8Array(r.hash));
				for (let i = 0; i < nodes.length; i += 2) {
					const up = i + 1 < nodes.length ? nodeHash(nodes[i], nodes[i + 1]) : nodes[i];
					this.sql.exec("INSERT INTO merkle (level, idx, hash) VALUES (?, ?, ?)", level + 1, (start + i) / 2, up);
				}
			}
		}
		const top = this.sql
			.exec<{ hash: ArrayBuffer }>("SELECT hash FROM merkle WHERE level = ? AND idx = 0", level)
			.toArray()[0];
		const root = hex(top ? new Uint8Array(top.hash) : sha256(new Uint8Array()));
		this.sql.exec("UPDATE fairness SET entry_count = ?, merkle_root = ?", count, root);
		return { root, count };
	}

	/** The sibling path from a leaf to the root. */
	inclusionProof(leaf: number): InclusionStep[] {
		const steps: InclusionStep[] = [];
		const levels = this.sql.exec<{ n: number | null }>("SELECT MAX(level) AS n FROM merkle").one().n ?? 0;
		for (let level = 0, index = leaf; level < levels; level++, index = Math.floor(index / 2)) {
			const siblingIdx = index % 2 ? index - 1 : index + 1;
			const row = this.sql
				.exec<{ hash: ArrayBuffer }>("SELECT hash FROM merkle WHERE level = ? AND idx = ?", level, siblingIdx)
				.toArray()[0];
			steps.push({ sibling: row ? hex(new Uint8Array(row.hash)) : null, side: index % 2 ? "left" : "right" });
		}
		return steps;
	}
}
