/**
 * The draw's append-only entry log in the object's SQLite: records in order and the Merkle tree
 * over them (RFC 9162, transparency.ts), grown by one leaf per record, so the root after every
 * record is known when the record is appended (a receipt names it) and sealing is one read.
 *
 * Owns the tables `log(seq, data, root)` (the record's canonical JSON and the tree's root once it
 * was appended) and `log_nodes(level, idx, hash)` (every perfect subtree: a leaf, then each node
 * whose right edge the new leaf completes — two rows per record on average), of the migration
 * list "draw" (store.ts). Nothing is ever updated or deleted.
 */
import { hex, utf8 } from "../../lib/sha256";
import { encodeRecord, type LogRecord } from "./fairness";
import {
	consistencyProof,
	fromPerfect,
	inclusionProof,
	leafHash,
	nodeHash,
	rootOf,
	type SubtreeHash,
} from "./transparency";

export type LogHead = { size: number; root: string };
export type Appended = LogHead & { seq: number };

/** Nodes kept in memory; past this they start again (the ones an append needs are read back once). */
const MAX_CACHED_NODES = 4096;

export class LogStore {
	private readonly hash: SubtreeHash;
	/**
	 * Nodes as stored (`level/idx`; a node never changes once stored) and the head: an append reads
	 * the right edge of the tree — the nodes its leaf completes and the root's perfect subtrees, about
	 * log2(size) of them — and was a SELECT for each. The owner calls `forget()` when a transaction
	 * rolls back or storage is wiped: a rolled-back node may be stored again with another hash.
	 */
	private nodes = new Map<string, Uint8Array>();
	private cachedHead: LogHead | undefined;

	constructor(private readonly sql: SqlStorage) {
		this.hash = fromPerfect((level, index) => this.node(level, index));
	}

	/** After a rollback or a wipe: nodes and head are read from the tables again. */
	forget(): void {
		this.nodes.clear();
		this.cachedHead = undefined;
	}

	private node(level: number, index: number): Uint8Array {
		const key = `${level}/${index}`;
		const kept = this.nodes.get(key);
		if (kept) return kept;
		const row = this.sql
			.exec<{ hash: ArrayBuffer }>("SELECT hash FROM log_nodes WHERE level = ? AND idx = ?", level, index)
			.toArray()[0];
		if (!row) throw new Error(`log node ${level}/${index} missing`);
		return this.keep(key, new Uint8Array(row.hash));
	}

	private keep(key: string, hash: Uint8Array): Uint8Array {
		if (this.nodes.size >= MAX_CACHED_NODES) this.nodes.clear();
		this.nodes.set(key, hash);
		return hash;
	}

	private storeNode(level: number, index: number, hash: Uint8Array): void {
		this.sql.exec("INSERT INTO log_nodes (level, idx, hash) VALUES (?, ?, ?)", level, index, hash);
		this.keep(`${level}/${index}`, hash);
	}

	/** Appends one record: its leaf, the nodes it completes, and the new root. */
	append(record: LogRecord): Appended {
		const seq = this.head().size;
		const data = encodeRecord(record);
		let node = leafHash(utf8(data));
		this.storeNode(0, seq, node);
		for (let level = 0, index = seq; index % 2 === 1; level++, index = (index - 1) / 2) {
			node = nodeHash(this.node(level, index - 1), node);
			this.storeNode(level + 1, (index - 1) / 2, node);
		}
		const root = rootOf(this.hash, seq + 1);
		this.sql.exec("INSERT INTO log (seq, data, root) VALUES (?, ?, ?)", seq, data, root);
		this.cachedHead = { size: seq + 1, root: hex(root) };
		return { seq, ...this.cachedHead };
	}

	/** The log's size and root now. */
	head(): LogHead {
		if (this.cachedHead) return { ...this.cachedHead };
		const last = this.sql
			.exec<{ seq: number; root: ArrayBuffer }>("SELECT seq, root FROM log ORDER BY seq DESC LIMIT 1")
			.toArray()[0];
		this.cachedHead = last
			? { size: last.seq + 1, root: hex(new Uint8Array(last.root)) }
			: { size: 0, root: hex(rootOf(this.hash, 0)) };
		return { ...this.cachedHead };
	}

	/** The root the log had at `size` (as the receipt of record size − 1 named it). */
	rootAt(size: number): string | null {
		if (size === 0) return hex(rootOf(this.hash, 0));
		const row = this.sql.exec<{ root: ArrayBuffer }>("SELECT root FROM log WHERE seq = ?", size - 1).toArray()[0];
		return row ? hex(new Uint8Array(row.root)) : null;
	}

	/** Records after `afterSeq`, in order, as stored (canonical JSON). */
	records(afterSeq: number, limit: number, beforeSize = Number.MAX_SAFE_INTEGER): string[] {
		return this.sql
			.exec<{ data: string }>(
				"SELECT data FROM log WHERE seq > ? AND seq < ? ORDER BY seq LIMIT ?",
				afterSeq,
				beforeSize,
				limit,
			)
			.toArray()
			.map((r) => r.data);
	}

	/** RFC 9162 inclusion proof of record `seq` in the tree of `size` (hex, leaf side first). */
	inclusion(seq: number, size: number): string[] {
		return inclusionProof(this.hash, seq, size).map(hex);
	}

	/** RFC 9162 consistency proof from the tree of `from` to the tree of `to` (hex). */
	consistency(from: number, to: number): string[] {
		return consistencyProof(this.hash, from, to).map(hex);
	}
}
