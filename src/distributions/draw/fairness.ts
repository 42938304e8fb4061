/**
 * The draw's public rules (`fanfare-edge/draw-v2`), in one place for the Durable Object and every
 * verifier (CLI, SDK, browser):
 *  - the entry log: records appended while the draw is OPEN, each leaf = the record's canonical
 *    JSON (`encodeRecord`), hashed into an RFC 9162 Merkle tree (transparency.ts). Record 0 is the
 *    draw's `rules` (algorithm, draw id, beacon chain, round R, winner count); a change to R or the
 *    winner count while OPEN is another `rules` record; `enter` and `withdraw` name an entry id.
 *    A withdrawal never removes its entry's record: the ranked set is every entry whose last record
 *    is `enter`.
 *  - the seal: at close, the log's size and root, named with R before R exists.
 *  - the ranking: key = SHA-256(utf8("fanfare-edge/draw-v2|" + drawId + "|") ‖ root ‖ randomness(R)),
 *    rank = HMAC-SHA256(key, utf8(entryId)) ascending, ties by entry id. The first winnerCount win;
 *    backfills follow in the same order. No rank exists before R's randomness does.
 * Pure: owns no table and no schedule kind.
 */
import { fromHex, HmacSha256, sha256, utf8 } from "../../lib/sha256";

export const DRAW_ALGORITHM = "fanfare-edge/draw-v2";

export type RulesRecord = {
	type: "rules";
	algorithm: string;
	drawId: string;
	/** drand chain hash of the beacon. */
	chain: string;
	round: number;
	winnerCount: number;
	at: number;
};
export type EntryRecord = { type: "enter" | "withdraw"; entryId: string; at: number };
export type LogRecord = RulesRecord | EntryRecord;

/** The canonical bytes of a record: JSON with the fields in this fixed order, nothing else. */
export function encodeRecord(r: LogRecord): string {
	if (r.type === "rules") {
		const { algorithm, drawId, chain, round, winnerCount, at } = r;
		return JSON.stringify({ type: "rules", algorithm, drawId, chain, round, winnerCount, at });
	}
	return JSON.stringify({ type: r.type, entryId: r.entryId, at: r.at });
}

/**
 * Whether a published record is well formed and in its canonical form (no field added, moved or
 * mistyped); `text` is its `encodeRecord`, when the caller has it already.
 */
export function isCanonical(r: LogRecord, text?: string): boolean {
	const ok =
		r?.type === "rules"
			? typeof r.drawId === "string" &&
				typeof r.chain === "string" &&
				Number.isSafeInteger(r.round) &&
				Number.isSafeInteger(r.winnerCount)
			: (r?.type === "enter" || r?.type === "withdraw") && typeof r.entryId === "string";
	return ok && Number.isSafeInteger(r.at) && JSON.stringify(r) === (text ?? encodeRecord(r));
}

/** Parses one stored or published record (as `encodeRecord` wrote it); throws on anything else. */
export function decodeRecord(text: string): LogRecord {
	const r = JSON.parse(text) as LogRecord;
	if (encodeRecord(r) !== text) throw new Error(`not a canonical record: ${text.slice(0, 80)}`);
	return r;
}

/** The draw's ranking key: fixed by the sealed log and the beacon's randomness, so unknown until R. */
export function rankingKey(drawId: string, root: string, randomness: string): Uint8Array {
	const prefix = utf8(`${DRAW_ALGORITHM}|${drawId}|`);
	const bytes = new Uint8Array(prefix.length + 64);
	bytes.set(prefix);
	bytes.set(fromHex(root), prefix.length);
	bytes.set(fromHex(randomness), prefix.length + 32);
	return sha256(bytes);
}

/** The rank of one entry (lower ranks first), under a ranking key. */
export const rankKeyer = (key: Uint8Array) => {
	const mac = new HmacSha256(key);
	return (entryId: string) => mac.hex(entryId);
};

/** Rank-key order, ties by entry id. */
export const byRank = (a: readonly [string, string], b: readonly [string, string]) =>
	a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0;

/** All entry ids in rank order. */
export function rank(key: Uint8Array, entryIds: string[]): string[] {
	const keyOf = rankKeyer(key);
	return entryIds
		.map((id) => [keyOf(id), id] as const)
		.sort(byRank)
		.map(([, id]) => id);
}

/**
 * The first `count` entry ids in rank order — `rank(key, entryIds).slice(0, count)` without
 * sorting them all or making a string per entry: the MACs go into one buffer (hex order is byte
 * order), a max-heap keeps the best `count`, ties by entry id. What the verifier needs: a million
 * entries cost a million MACs and about as many comparisons.
 */
export function topRanked(key: Uint8Array, entryIds: string[], count: number): string[] {
	const n = entryIds.length;
	const k = Math.max(0, Math.min(count, n));
	const mac = new HmacSha256(key);
	const macs = new Uint8Array(n * 32);
	const head = new Uint32Array(n); // the first 4 bytes, big-endian: nearly every comparison ends there
	for (let i = 0; i < n; i++) {
		mac.textInto(entryIds[i], macs, i * 32);
		const o = i * 32;
		head[i] = ((macs[o] << 24) | (macs[o + 1] << 16) | (macs[o + 2] << 8) | macs[o + 3]) >>> 0;
	}
	const cmp = (a: number, b: number): number => {
		if (head[a] !== head[b]) return head[a] < head[b] ? -1 : 1;
		for (let i = 4; i < 32; i++) {
			const d = macs[a * 32 + i] - macs[b * 32 + i];
			if (d) return d;
		}
		return entryIds[a] < entryIds[b] ? -1 : entryIds[a] > entryIds[b] ? 1 : 0;
	};
	// Max-heap of the best k so far: its root is the worst of them.
	const heap = new Int32Array(k);
	const down = (from: number) => {
		for (let i = from; ; ) {
			const l = 2 * i + 1;
			const r = l + 1;
			let m = i;
			if (l < k && cmp(heap[l], heap[m]) > 0) m = l;
			if (r < k && cmp(heap[r], heap[m]) > 0) m = r;
			if (m === i) return;
			const t = heap[i];
			heap[i] = heap[m];
			heap[m] = t;
			i = m;
		}
	};
	if (k > 0) {
		for (let i = 0; i < k; i++) heap[i] = i;
		for (let i = (k >> 1) - 1; i >= 0; i--) down(i);
		for (let i = k; i < n; i++) {
			if (cmp(i, heap[0]) < 0) {
				heap[0] = i;
				down(0);
			}
		}
	}
	return Array.from(heap)
		.sort(cmp)
		.map((i) => entryIds[i]);
}

/** The ranked set: entries whose last record is `enter`, in their first entry's order. */
export function rankedSet(records: Iterable<LogRecord>): string[] {
	const entered = new Map<string, boolean>();
	for (const r of records) if (r.type !== "rules") entered.set(r.entryId, r.type === "enter");
	return [...entered].filter(([, inDraw]) => inDraw).map(([id]) => id);
}
