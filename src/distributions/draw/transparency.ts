/**
 * The Merkle tree of an append-only log, as RFC 9162 (Certificate Transparency 2.0) §2.1 defines
 * it: MTH({}) = SHA-256(""), a leaf = SHA-256(0x00 ‖ data), a node = SHA-256(0x01 ‖ left ‖ right),
 * split at the largest power of two below the size. Inclusion proofs (§2.1.3) show a record is in
 * a tree of a given size; consistency proofs (§2.1.4) show a tree of size m is a prefix of one of
 * size n, so a receipt naming (size, root) catches any record dropped, reordered or back-filled
 * before it.
 *
 * Pure: owns no table and no schedule kind. Proof generation is generic over `SubtreeHash`, so the
 * object (nodes in SQLite, log-store.ts) and the verifier (leaves in memory) run the same code.
 */
import { sha256, sha256Into } from "../../lib/sha256";

export const EMPTY_ROOT = sha256(new Uint8Array());

/** Scratch for the hashed bytes (0x00 ‖ data, 0x01 ‖ left ‖ right): one tree is hashed at a time. */
let scratch = new Uint8Array(256);
const room = (n: number) => {
	if (scratch.length < n) scratch = new Uint8Array(n * 2);
	return scratch;
};
const encoder = new TextEncoder();

/** SHA-256(0x00 ‖ data) into out[offset, offset + 32). */
export function leafHashInto(data: Uint8Array, out: Uint8Array, offset: number): void {
	const bytes = room(data.length + 1);
	bytes[0] = 0;
	bytes.set(data, 1);
	sha256Into(bytes, data.length + 1, out, offset);
}

/** The leaf of a record's canonical text (its UTF-8) into out[offset, offset + 32), without encoding it apart. */
export function textLeafInto(text: string, out: Uint8Array, offset: number): void {
	const bytes = room(text.length * 3 + 1);
	bytes[0] = 0;
	let length = text.length + 1;
	for (let i = 0; i < text.length; i++) {
		const code = text.charCodeAt(i);
		if (code >= 0x80) {
			length = 1 + encoder.encodeInto(text, bytes.subarray(1)).written;
			break;
		}
		bytes[i + 1] = code;
	}
	sha256Into(bytes, length, out, offset);
}

export function leafHash(data: Uint8Array): Uint8Array {
	const out = new Uint8Array(32);
	leafHashInto(data, out, 0);
	return out;
}

/** SHA-256(0x01 ‖ left ‖ right) into out[offset, offset + 32); `out` may overlap either side. */
export function nodeHashInto(left: Uint8Array, right: Uint8Array, out: Uint8Array, offset: number): void {
	const bytes = room(65);
	bytes[0] = 1;
	bytes.set(left, 1);
	bytes.set(right, 33);
	sha256Into(bytes, 65, out, offset);
}

export function nodeHash(left: Uint8Array, right: Uint8Array): Uint8Array {
	const out = new Uint8Array(32);
	nodeHashInto(left, right, out, 0);
	return out;
}

/** The largest power of two strictly below n (n ≥ 2). */
export function splitPoint(n: number): number {
	let k = 1;
	while (k * 2 < n) k *= 2;
	return k;
}

/** MTH(D[start : start + size]) for size ≥ 1. */
export type SubtreeHash = (start: number, size: number) => Uint8Array;

/**
 * `SubtreeHash` from the perfect subtrees only (`perfect(level, index)`: the node over leaves
 * [index·2^level, (index+1)·2^level)), the ones an append-only store keeps: any other range is
 * split at its largest power of two, which always lands on perfect, aligned subtrees.
 */
export function fromPerfect(perfect: (level: number, index: number) => Uint8Array): SubtreeHash {
	const hash: SubtreeHash = (start, size) => {
		if ((size & (size - 1)) === 0 && start % size === 0) return perfect(Math.log2(size), start / size);
		const k = splitPoint(size);
		return nodeHash(hash(start, k), hash(start + k, size - k));
	};
	return hash;
}

/** MTH of the first `size` leaves. */
export const rootOf = (hash: SubtreeHash, size: number): Uint8Array => (size === 0 ? EMPTY_ROOT : hash(0, size));

/** PATH(index, D[0:size]) of RFC 9162 §2.1.3.1, leaf side first. */
export function inclusionProof(hash: SubtreeHash, index: number, size: number): Uint8Array[] {
	if (index < 0 || index >= size) throw new RangeError(`leaf ${index} is not in a tree of ${size}`);
	const path: Uint8Array[] = [];
	const walk = (m: number, start: number, n: number) => {
		if (n === 1) return;
		const k = splitPoint(n);
		if (m < k) {
			walk(m, start, k);
			path.push(hash(start + k, n - k));
		} else {
			walk(m - k, start + k, n - k);
			path.push(hash(start, k));
		}
	};
	walk(index, 0, size);
	return path;
}

/** PROOF(m, D[0:n]) of RFC 9162 §2.1.4.1: empty when m is 0 or n (nothing to prove). */
export function consistencyProof(hash: SubtreeHash, m: number, n: number): Uint8Array[] {
	if (m < 0 || m > n) throw new RangeError(`no consistency from ${m} to ${n}`);
	const proof: Uint8Array[] = [];
	const sub = (m: number, start: number, n: number, whole: boolean) => {
		if (m === n) {
			if (!whole) proof.push(hash(start, n));
			return;
		}
		const k = splitPoint(n);
		if (m <= k) {
			sub(m, start, k, whole);
			proof.push(hash(start + k, n - k));
		} else {
			sub(m - k, start + k, n - k, false);
			proof.push(hash(start, k));
		}
	};
	if (m > 0 && m < n) sub(m, 0, n, true);
	return proof;
}

const equal = (a: Uint8Array, b: Uint8Array) => a.length === b.length && a.every((x, i) => x === b[i]);

/** RFC 9162 §2.1.3.2: does `leaf` sit at `index` of the tree of `size` with root `root`? */
export function verifyInclusion(
	leaf: Uint8Array,
	index: number,
	size: number,
	path: Uint8Array[],
	root: Uint8Array,
): boolean {
	if (!Number.isSafeInteger(index) || !Number.isSafeInteger(size) || index < 0 || index >= size) return false;
	let fn = index;
	let sn = size - 1;
	let r = leaf;
	for (const p of path) {
		if (sn === 0) return false;
		if (fn % 2 === 1 || fn === sn) {
			r = nodeHash(p, r);
			while (fn % 2 === 0 && fn !== 0) {
				fn = Math.floor(fn / 2);
				sn = Math.floor(sn / 2);
			}
		} else {
			r = nodeHash(r, p);
		}
		fn = Math.floor(fn / 2);
		sn = Math.floor(sn / 2);
	}
	return sn === 0 && equal(r, root);
}

/** RFC 9162 §2.1.4.2: is the tree (m, firstRoot) a prefix of the tree (n, secondRoot)? */
export function verifyConsistency(
	m: number,
	n: number,
	firstRoot: Uint8Array,
	secondRoot: Uint8Array,
	proof: Uint8Array[],
): boolean {
	if (!Number.isSafeInteger(m) || !Number.isSafeInteger(n) || m < 0 || m > n) return false;
	if (m === n) return proof.length === 0 && equal(firstRoot, secondRoot);
	if (m === 0) return proof.length === 0;
	if (!proof.length) return false;
	const path = (m & (m - 1)) === 0 ? [firstRoot, ...proof] : proof;
	let fn = m - 1;
	let sn = n - 1;
	while (fn % 2 === 1) {
		fn = Math.floor(fn / 2);
		sn = Math.floor(sn / 2);
	}
	let fr = path[0];
	let sr = path[0];
	for (const c of path.slice(1)) {
		if (sn === 0) return false;
		if (fn % 2 === 1 || fn === sn) {
			fr = nodeHash(c, fr);
			sr = nodeHash(c, sr);
			while (fn % 2 === 0 && fn !== 0) {
				fn = Math.floor(fn / 2);
				sn = Math.floor(sn / 2);
			}
		} else {
			sr = nodeHash(sr, c);
		}
		fn = Math.floor(fn / 2);
		sn = Math.floor(sn / 2);
	}
	return sn === 0 && equal(fr, firstRoot) && equal(sr, secondRoot);
}

/**
 * Leaves appended in memory, with the root at any size on the way (the verifier replays a whole
 * log once and checks every receipt's root as it passes that size). Keeps only the perfect
 * subtrees, as the object does, so proofs from it match the object's: each level is one growing
 * byte array (32 bytes a node), not an object per node, so a million leaves are ≈ 64 MB.
 */
export class MemoryTree {
	private levels: Uint8Array[] = [new Uint8Array(32 * 1024)];
	private counts: number[] = [0];

	get size(): number {
		return this.counts[0];
	}

	/** Room for one more node at `level`; returns its byte offset. */
	private slot(level: number): number {
		if (this.levels[level] == null) {
			this.levels[level] = new Uint8Array(32 * 1024);
			this.counts[level] = 0;
		}
		const offset = this.counts[level] * 32;
		if (offset + 32 > this.levels[level].length) {
			const grown = new Uint8Array(this.levels[level].length * 2);
			grown.set(this.levels[level]);
			this.levels[level] = grown;
		}
		this.counts[level]++;
		return offset;
	}

	/** Completes the perfect subtrees the leaf just written at `index` closes. */
	private climb(index: number): void {
		for (let level = 0; index % 2 === 1; level++, index = (index - 1) / 2) {
			const offset = this.slot(level + 1);
			const nodes = this.levels[level];
			const left = nodes.subarray((index - 1) * 32, index * 32);
			const right = nodes.subarray(index * 32, (index + 1) * 32);
			nodeHashInto(left, right, this.levels[level + 1], offset);
		}
	}

	append(leaf: Uint8Array): void {
		const offset = this.slot(0);
		this.levels[0].set(leaf, offset);
		this.climb(offset / 32);
	}

	/** Appends the leaf of a record's canonical text, hashed straight into the tree. */
	appendText(text: string): void {
		const offset = this.slot(0);
		textLeafInto(text, this.levels[0], offset);
		this.climb(offset / 32);
	}

	readonly hash: SubtreeHash = fromPerfect((level, index) => {
		if (index >= (this.counts[level] ?? 0)) throw new RangeError(`no node ${level}/${index}`);
		return this.levels[level].slice(index * 32, (index + 1) * 32);
	});

	root(size = this.size): Uint8Array {
		return rootOf(this.hash, size);
	}
}
