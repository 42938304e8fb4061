/**
 * Prefixed ULIDs (`prod_01J…`). ULIDs sort by creation time, which is what makes
 * id-ordered cursors stable while rows are inserted.
 */
const ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";

export const ID_PREFIXES = [
	"org",
	"key",
	"prod",
	"con",
	"ord",
	"exp",
	"seq",
	"queue",
	"draw",
	"auction",
	"wh",
	"evt",
	"req",
	"adm",
	"ent",
	"dlv",
	"rtk",
	"rtf",
	"acc",
	"acb",
	"alw",
] as const;
export type IdPrefix = (typeof ID_PREFIXES)[number];

let lastTime = -1;
let lastRandom = new Uint8Array(10);

function encodeTime(ms: number): string {
	let out = "";
	for (let i = 0; i < 10; i++) {
		out = ALPHABET[ms % 32] + out;
		ms = Math.floor(ms / 32);
	}
	return out;
}

function encodeRandom(bytes: Uint8Array): string {
	// 80 bits → 16 base32 characters, most significant first.
	let out = "";
	let acc = 0;
	let bits = 0;
	for (const byte of bytes) {
		acc = (acc << 8) | byte;
		bits += 8;
		while (bits >= 5) {
			bits -= 5;
			out += ALPHABET[(acc >> bits) & 31];
		}
	}
	return out;
}

/** Monotonic within one isolate: two ids minted in the same millisecond still sort in mint order. */
export function ulid(now = Date.now()): string {
	if (now <= lastTime) {
		const next = lastRandom.slice();
		for (let i = next.length - 1; i >= 0; i--) {
			next[i] = (next[i] + 1) & 0xff;
			if (next[i] !== 0) break;
		}
		lastRandom = next;
		return encodeTime(lastTime) + encodeRandom(next);
	}
	lastTime = now;
	lastRandom = crypto.getRandomValues(new Uint8Array(10));
	return encodeTime(now) + encodeRandom(lastRandom);
}

export function newId(prefix: IdPrefix): string {
	return `${prefix}_${ulid()}`;
}

const ULID_RE = /^[0-9A-HJKMNP-TV-Z]{26}$/;

/** True when `id` is `<prefix>_<ULID>`: lets routes answer 404 for ids of another type without a query. */
export function isId(prefix: IdPrefix, id: string): boolean {
	return id.startsWith(`${prefix}_`) && ULID_RE.test(id.slice(prefix.length + 1));
}
